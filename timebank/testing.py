"""pytest fixtures for timebank and for plugin packages (registered as a pytest plugin, ``pytest11``).

Fixtures (flaskr style, no global state: every test gets its own app):

* ``app``: a fresh application on a clean database; ``app_config`` (override it) adds configuration.
* ``client``, ``runner``: Flask's test client and CLI runner.
* ``auth``: ``auth.login(username, password)``, ``auth.logout()``; ``reader(username, locale)``.
* ``plural_readings(app, singular, plural, params)``: a counted message for 1 and 2, in English and Chinese;
  ``notification_texts(app, kind, locale)``: the notifications of a kind as a reader of ``locale`` sees them.
* ``make``: factories for communities and members built through the real services.
* ``register_plugin``: register a throwaway plugin object for one test.
* ``LiveServer(app)``: the app served over real HTTP on 127.0.0.1 in background threads (races, browser tests).
* ``StubHandler``: a quiet base for the handler of a stub HTTP server (``answer(status, headers)``);
  ``CHROMIUM``, ``CHROMIUM_ARGS``: the browser the browser tests drive (``timebank.testing_servers``).
* ``statements_during(call)``, ``page_statements(app, client, path)``: the SQL a call or a page sends;
  ``sqlite_plan_at_district_scale``: SQLite's plan with a district's statistics (``timebank.testing_sql``).

``TIMEBANK_TEST_PLUGINS=a,b`` limits the bundled plugins that test apps load.

The database is SQLite by default (a schema built once per session, copied per test). Set
``TIMEBANK_TEST_DATABASE_URL=postgresql+psycopg://...`` to run on PostgreSQL: each xdist worker gets its own
database, built once and emptied (TRUNCATE) between tests.
"""

import os
import shutil

import pytest

from . import create_app
from .extensions import db
from .testing_caches import COMPILED_STATEMENTS
from .testing_servers import CHROMIUM, CHROMIUM_ARGS, LiveServer, StubHandler
from .testing_sql import page_statements, sqlite_plan_at_district_scale, statements_during

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "TEST_PASSWORD", "AuthActions", "Factory", "LiveServer", "StubHandler",
           "notification_texts", "page_statements", "plural_readings", "sqlite_plan_at_district_scale",
           "statements_during"]

TEST_PASSWORD = "test-pass-123"


def _postgres_url():
    return os.environ.get("TIMEBANK_TEST_DATABASE_URL") or None


def _bundled_plugins_under_test():
    """``TIMEBANK_TEST_PLUGINS=qr_checkin,repair_team`` limits the bundled plugins the test apps load (to test one
    plugin on its own, or while another one is half-written); unset: all of them."""
    names = os.environ.get("TIMEBANK_TEST_PLUGINS")
    if names is None:
        return None
    return [name.strip() for name in names.split(",") if name.strip()]


def _base_config(url, instance_path):
    return {
        "PLUGINS": _bundled_plugins_under_test(),
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance_path),
        "LOAD_ENTRYPOINTS": False,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashes in tests only
        "RATELIMIT_STORAGE_URI": "memory://",
        "NOTIFICATION_CHANNELS": ["log"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"execution_options": {"compiled_cache": COMPILED_STATEMENTS}},
    }


class TestDatabase:
    """Hands out a clean database per test: a copied SQLite file, or an emptied PostgreSQL database."""

    def __init__(self, tmp_path_factory, worker):
        self.postgres = _postgres_url()
        self.worker = worker
        self.root = tmp_path_factory.mktemp("timebank-db")
        self.template = None
        self.pg_url = None
        self.tables = []
        self.build_error = None  # why the schema could not be built: every later test fails at once with it
        self._engine = None  # PostgreSQL: what empties the database between tests

    def _build_schema(self, url):
        app = create_app(_base_config(url, self.root / "instance"))
        with app.app_context():
            try:
                db.create_all()
                self.tables = [table.name for table in db.metadata.sorted_tables]
            finally:  # also after a failure: a connection left to the garbage collector warns in some later test
                db.session.remove()
                db.engine.dispose()

    def _prepare_postgres(self):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        base = make_url(self.postgres)
        name = f"{base.database or 'timebank_test'}_{self.worker}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = base.set(database=name).render_as_string(hide_password=False)
        self._build_schema(url)
        self.pg_url = url

    def fresh_url(self, tmp_path):
        if self.build_error is not None:
            raise RuntimeError(f"the test database schema could not be built: {self.build_error}")
        try:
            if self.postgres:
                if self.pg_url is None:
                    self._prepare_postgres()
                else:
                    self._truncate()
                return self.pg_url
            if self.template is None:
                self._build_schema(f"sqlite:///{self.root / 'template.sqlite3'}")
                self.template = self.root / "template.sqlite3"
        except Exception as error:
            if self.pg_url is None and self.template is None:  # the schema itself failed: do not retry per test
                self.build_error = f"{type(error).__name__}: {error}"
            raise
        target = tmp_path / "timebank.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def _truncate(self):
        """Empty the database between tests. TRUNCATE of every table costs a new file per table (slow on a busy
        machine); so only the tables that hold rows are emptied, with DELETE while triggers and foreign keys are
        off (``session_replication_role``, superuser only: otherwise TRUNCATE), and every sequence restarts."""
        from sqlalchemy import create_engine, text

        if not self.tables:
            return
        if self._engine is None:  # one connection for the worker's whole session (a new one costs ~15 ms a test)
            self._engine = create_engine(self.pg_url, pool_size=1)
        with self._engine.begin() as connection:
            # A connection left inside a transaction by the previous test (a live server's thread, say) would
            # make this wait for ever: give up after a while and say so instead.
            connection.execute(text("SET LOCAL lock_timeout = '20s'"))
            if connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
                self._delete_rows(connection)
            else:
                names = ", ".join(f'"{name}"' for name in self.tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    def close(self):
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _delete_rows(self, connection):
        from sqlalchemy import text

        # Every table of the schema, not only the metadata's at start: tests register plugins whose tables appear
        # later (TRUNCATE ... CASCADE used to reach those through their foreign keys). Names come from the catalogue.
        tables = list(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
        )).scalars())
        if not tables:
            return
        probe = " UNION ALL ".join(f"SELECT '{name}' FROM (SELECT 1 FROM \"{name}\" LIMIT 1) AS t{index}"  # nosec B608
                                   for index, name in enumerate(tables))
        filled = set(connection.execute(text(probe)).scalars())
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for name in tables:
            if name in filled:
                connection.execute(text(f'DELETE FROM "{name}"'))  # nosec B608 (a table of the catalogue)
        connection.execute(text(
            "SELECT setval(c.oid, s.seqstart, false) FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid"))


@pytest.fixture(scope="session")
def timebank_database(tmp_path_factory, timebank_worker):
    database = TestDatabase(tmp_path_factory, timebank_worker)
    yield database
    database.close()


@pytest.fixture(scope="session")
def timebank_worker(request):
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "main"


@pytest.fixture
def app_config():
    """Extra configuration for the ``app`` fixture; override this fixture in a test module."""
    return {}


@pytest.fixture
def app(timebank_database, tmp_path, app_config):
    url = timebank_database.fresh_url(tmp_path)
    config = _base_config(url, tmp_path / "instance")
    config.update(app_config)
    application = create_app(config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username, password=TEST_PASSWORD, follow_redirects=False):
        return self._client.post("/login", data={"username": username, "password": password},
                                 follow_redirects=follow_redirects)

    def logout(self):
        return self._client.post("/logout")

    def use_language(self, locale="en"):
        """Switch the UI language of this client (and of the logged-in account) to ``locale``."""
        return self._client.post("/account/language", data={"locale": locale})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def reader(auth):
    """``reader(username, locale)``: log the client in as ``username`` reading ``locale`` (after logging out)."""

    def read_as(username, locale):
        auth.logout()
        auth.login(username)
        auth.use_language(locale)

    return read_as


def notification_texts(app, kind, locale):
    """The texts of the notifications of ``kind``, as ``locale`` reads them, oldest first."""
    from flask_babel import force_locale

    from .notifications.models import Notification
    from .notifications.services import render_text

    with app.test_request_context(), force_locale(locale):
        return [render_text(row) for row in db.session.scalars(db.select(Notification).where(
            Notification.kind == kind).order_by(Notification.id))]


def plural_readings(app, singular, plural, params=None):
    """``{"en": (for 1, for 2), "zh_CN": (for 1, for 2)}``: a message with a count as ``ngettext`` reads it."""
    from flask_babel import force_locale, ngettext

    readings = {}
    with app.test_request_context():
        for locale in ("en", "zh_CN"):
            with force_locale(locale):
                readings[locale] = tuple(ngettext(singular, plural, count, **(params or {})) for count in (1, 2))
    return readings


class Factory:
    """Builds communities and members through the real services (so that rules and audit apply)."""

    def __init__(self, app):
        self.app = app
        self._count = 0

    def community(self, slug="maple", name="枫林社区", **kwargs):
        from .communities.services import create_community

        with self.app.app_context():
            community = create_community(slug, name, **kwargs)
            return community.id

    def member(self, community_slug="maple", username=None, role="volunteer", password=TEST_PASSWORD,
               display_name=None, **kwargs):
        """An active member with ``role``; returns the user id."""
        from .communities.models import Community, Membership
        from .identity.services import new_user
        from .roles import RANK, VOLUNTEER

        self._count += 1
        username = username or f"user{self._count}"
        with self.app.app_context():
            from sqlalchemy import select

            from .clock import now
            from .communities.joining import next_volunteer_number

            community = db.session.scalar(select(Community).where(Community.slug == community_slug))
            user = new_user(username=username, display_name=display_name or f"成员{self._count}",
                            password=password, allow_no_password=True, **kwargs)
            membership = Membership(user=user, community=community, role=role, status="active",
                                    created_at=now(), decided_at=now())
            if RANK[role] >= RANK[VOLUNTEER]:
                membership.volunteer_number = next_volunteer_number(community)
            db.session.add(membership)
            db.session.commit()
            return user.id

    def team_volunteers(self, team_name, count, community_slug="maple", display_name="队员", number="V9", leaders=0):
        """``count`` new volunteers (display names "队员01"..., usernames "<team>-01"..., volunteer numbers
        "V90001"...) in the team ``team_name`` of the community, which is made (a patrol team) when missing; the
        first ``leaders`` of them lead it. Rows written directly, for teams of hundreds; returns the team id."""
        from sqlalchemy import select

        from .clock import now
        from .communities.models import Community, Membership, Team, TeamMember
        from .identity.models import User

        with self.app.app_context():
            community = db.session.scalar(select(Community).where(Community.slug == community_slug))
            team = db.session.scalar(select(Team).where(Team.community_id == community.id, Team.name == team_name))
            if team is None:
                team = Team(community_id=community.id, name=team_name, kind="patrol", description="", created_at=now())
                db.session.add(team)
                db.session.flush()
            for index in range(1, count + 1):
                user = User(username=f"team{team.id}-{index:02d}", display_name=f"{display_name}{index:02d}",
                            created_at=now())
                db.session.add(user)
                db.session.flush()
                db.session.add(Membership(community_id=community.id, user_id=user.id, role="volunteer",
                                          status="active", volunteer_number=f"{number}{index:04d}", created_at=now()))
                db.session.add(TeamMember(team_id=team.id, user_id=user.id, is_leader=index <= leaders,
                                          joined_at=now()))
            db.session.commit()
            return team.id

    def district_admin(self, username="district", password=TEST_PASSWORD):
        from .identity.services import create_district_admin

        with self.app.app_context():
            return create_district_admin(username, "区管理员", password).id


@pytest.fixture
def make(app):
    return Factory(app)


@pytest.fixture
def register_plugin(app):
    """``register_plugin(obj, name)`` registers a plugin for this test only (its hooks become callable)."""
    from .plugins import PluginInfo

    system = app.extensions["timebank"]
    names = []

    def _register(plugin, name, default_enabled=True):
        system.pm.register(plugin, name=name)
        system.plugins[name] = PluginInfo(title=name, name=name, source="extra", default_enabled=default_enabled,
                                          module_name=getattr(plugin, "__name__", name), slug=name.replace("_", "-"))
        names.append(name)
        return plugin

    yield _register
    for name in names:
        system.pm.unregister(name=name)
        system.plugins.pop(name, None)
