"""How a request uses the database.

* A community page reads its community, the person logged in and their active membership in one statement
  (``communities.services.with_visitor``): neither the login manager nor the membership check asks again.
* PostgreSQL: a transaction that only read ends with COMMIT (``database._end_reads_with_commit``), so psycopg keeps
  the statements it prepared; one that ran anything else, or failed, still ends with ROLLBACK.
"""

import pytest
from sqlalchemy import event, select, text, update

from timebank.communities.models import Community, Membership
from timebank.communities.services import active_membership, community_by_slug
from timebank.extensions import db
from timebank.identity.models import User


class Statements(list):
    """The SQL statements the app's engine runs while the block is open."""

    def __init__(self, app):
        super().__init__()
        with app.app_context():
            self.engine = db.engine

    def _seen(self, conn, cursor, statement, *args):
        self.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def _reads_only(statements, table):
    """The statements that read ``table`` on its own (``SELECT ... FROM table WHERE``)."""
    return [s for s in statements if s.startswith("SELECT") and s.split(" FROM ", 1)[1].startswith(f"{table} WHERE")]


def test_a_community_page_reads_the_person_and_membership_with_the_community(app, client, auth, community):
    auth.login("maple.vol")
    client.get("/c/maple/hours/")
    with Statements(app) as statements:
        page = client.get("/c/maple/hours/")
    assert page.status_code == 200
    assert _reads_only(statements, "user_account") == [] and _reads_only(statements, "membership") == []
    assert _reads_only(statements, "community") == []  # the one statement joins the person to the community


def test_the_membership_read_with_the_community_answers_active_membership(app, community):
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "maple.vol"))
        user_id, key = user.id, user.get_id()
        db.session.remove()
    with app.test_request_context() as context:
        context.session["_user_id"] = key
        with Statements(app) as statements:
            maple = community_by_slug("maple")
            person = db.session.get(User, user_id)  # what the login manager does: the identity map answers
            membership = active_membership(person, maple)
        assert len(statements) == 1
        assert membership.role == "volunteer" and membership.user_id == user_id


def test_a_membership_that_is_not_active_is_not_read_as_one(app, community):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "maple.vol"))
        key = user.get_id()
        db.session.execute(update(Membership).where(Membership.user_id == user.id).values(status="left"))
        db.session.commit()
    with app.test_request_context() as context:
        context.session["_user_id"] = key
        maple = community_by_slug("maple")
        assert active_membership(db.session.get(User, int(key.partition(":")[0])), maple) is None


@pytest.mark.parametrize("key", ["", "abc", "12345678901234567890123:1", "-1:1"])
def test_a_malformed_session_reads_the_community_alone(app, community, key):
    with app.test_request_context() as context:
        context.session["_user_id"] = key
        assert community_by_slug("maple").slug == "maple"


def test_a_left_member_gets_404_and_a_volunteer_of_another_community_too(client, auth, app, community,
                                                                        other_community):
    auth.login("oak.res")
    assert client.get("/c/maple/hours/").status_code == 404
    assert client.get("/c/oak/hours/").status_code == 200


# --- PostgreSQL: how transactions end -------------------------------------------------------------------------


@pytest.fixture
def postgres(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("how PostgreSQL transactions end (psycopg's prepared statements)")
    return app


def _prepared_statements(app):
    with app.app_context(), db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()


def test_read_only_pages_keep_psycopgs_prepared_statements(postgres, client, auth, community):
    auth.login("maple.vol")
    for _ in range(8):  # psycopg prepares a statement from its fifth run on a connection
        assert client.get("/c/maple/hours/").status_code == 200
    with postgres.app_context():
        assert db.engine.pool.checkedin() == 1  # the test client's requests all used this one connection
    assert _prepared_statements(postgres) > 0


def test_a_transaction_that_wrote_is_still_rolled_back(postgres, community):
    with postgres.app_context():
        db.session.execute(update(Community).where(Community.slug == "maple").values(name="改了"))
        db.session.rollback()
        db.session.execute(text("SET statement_timeout = 4321"))  # not a SELECT: its setting ends with it
        db.session.close()
        assert db.session.scalar(select(Community.name).where(Community.slug == "maple")) == "枫林社区"
        assert db.session.scalar(text("SHOW statement_timeout")) != "4321ms"


def test_a_failed_read_is_rolled_back_and_the_connection_goes_on(postgres, community):
    with postgres.app_context():
        with pytest.raises(Exception, match="division by zero"):
            db.session.execute(text("SELECT 1 / 0"))
        db.session.rollback()
        assert db.session.scalar(text("SELECT 2")) == 2


def test_rows_locked_by_a_read_are_free_when_it_ends(postgres, community):
    with postgres.app_context():
        db.session.execute(select(Community.id).where(Community.slug == "maple").with_for_update())
        db.session.close()
        with db.engine.connect() as other:
            assert other.execute(select(Community.id).where(Community.slug == "maple")
                                 .with_for_update(nowait=True)).scalar() is not None


def test_insert_loaded_gives_the_object_a_flush_would_have_made_with_one_statement(app, community):
    """``database.insert_loaded`` (the check-in's new attendance): one INSERT, the defaults of the columns left out,
    a persistent object that reads its relationships without a query and that the commit does not write again."""
    from datetime import UTC, datetime

    from timebank.audit.models import AuditEvent
    from timebank.database import insert_loaded

    moment = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    with app.test_request_context():
        actor = db.session.scalar(select(User).where(User.username == "maple.coord"))
        maple = community_by_slug("maple")
        with Statements(app) as seen:
            event_row = insert_loaded(AuditEvent, {"created_at": moment, "action": "test.loaded",
                                                   "actor_id": actor.id, "community_id": maple.id})
            assert event_row.actor is actor  # from the identity map
            db.session.commit()
        assert [statement.split(" ")[:3] for statement in seen] == [["INSERT", "INTO", "audit_event"]]
        assert db.session.get(AuditEvent, event_row.id) is event_row
        assert (event_row.target_type, event_row.detail_json, event_row.on_behalf_of_id) == ("", "{}", None)
        written = (event_row.id, actor.id, maple.id)
    with app.app_context():
        stored = db.session.get(AuditEvent, written[0])
        assert (stored.created_at, stored.action, stored.actor_id, stored.community_id, stored.target_id, stored.ip) \
            == (moment, "test.loaded", *written[1:], "", "")
        with pytest.raises(TypeError, match="config_version"):  # a callable default: the stored value is unknown
            insert_loaded(Community, {"slug": "x", "name": "x"})
