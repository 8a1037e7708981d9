"""The Alembic migrations (the core branch and every plugin's branch) build exactly the schema of the models.

On SQLite always; on PostgreSQL too when ``TIMEBANK_TEST_DATABASE_URL`` is set (in a scratch database of its own,
dropped afterwards). A model change without a migration must show up as a difference.
"""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, create_engine, inspect, text
from sqlalchemy.engine import make_url

from timebank import create_app
from timebank.extensions import db
from timebank.testing import _base_config

POSTGRES_URL = os.environ.get("TIMEBANK_TEST_DATABASE_URL") or None


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"


@pytest.fixture
def postgres_url(timebank_worker):
    """A scratch PostgreSQL database for this test (not the one the other tests share), dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("set TIMEBANK_TEST_DATABASE_URL to check the migrations on PostgreSQL")
    base = make_url(POSTGRES_URL)
    name = f"{base.database or 'timebank_test'}_migrations_{timebank_worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.database_independent), "postgresql"])
def empty_database_url(request):
    """An empty database: SQLite always (the same in both passes of ``make test``: the PostgreSQL one leaves it
    out), PostgreSQL when configured."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
def migrated_app(empty_database_url, tmp_path):
    """An app whose (empty) database was built by ``timebank db upgrade`` alone."""
    app = create_app(_base_config(empty_database_url, tmp_path / "instance"))
    try:
        with app.app_context():
            assert inspect(db.engine).get_table_names() == []
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output + repr(result.exception)
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def schema_differences(app, metadata=None):
    """What Alembic's autogenerate would change to make the database match ``metadata`` (the models)."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata if metadata is not None else db.metadata)


def applied_revisions(app):
    with app.app_context(), db.engine.connect() as connection:
        return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_migrations_build_exactly_the_models(migrated_app):
    assert schema_differences(migrated_app) == []


def test_every_model_table_is_created(migrated_app):
    with migrated_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert tables - set(db.metadata.tables) == {"alembic_version"}


def test_upgrade_applies_every_revision_of_every_branch(migrated_app):
    """The core branch and each plugin's branch are at their heads (a head another branch depends on is not
    written to ``alembic_version`` itself: count what the written heads include)."""
    from alembic.script import ScriptDirectory

    with migrated_app.app_context():
        script = ScriptDirectory.from_config(migrated_app.extensions["migrate"].migrate.get_config())
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
        applied = {revision.revision for revision in script.revision_map.iterate_revisions(current, "base")}
        every = {revision.revision for revision in script.walk_revisions()}
    assert "0001core" in every
    assert applied == every


def test_upgrade_twice_changes_nothing(migrated_app):
    before = applied_revisions(migrated_app)
    result = migrated_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert applied_revisions(migrated_app) == before
    assert schema_differences(migrated_app) == []


def test_a_model_change_without_a_migration_is_detected(migrated_app):
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["community"].append_column(Column("motto", String(80), nullable=True))

    differences = schema_differences(migrated_app, changed)

    assert [(kind, table, column.name) for kind, _schema, table, column in differences] == [
        ("add_column", "community", "motto")
    ]


def test_a_model_table_without_a_migration_is_detected(migrated_app):
    from sqlalchemy import Integer, Table

    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    Table("forgotten_table", changed, Column("id", Integer, primary_key=True))

    differences = schema_differences(migrated_app, changed)

    assert [(kind, table.name) for kind, table in differences] == [("add_table", "forgotten_table")]


def test_the_service_totals_migration_fills_them_from_the_records(migrated_app):
    """0004ledger creates ``ledger_service_total`` and fills it with what the records say: confirmed records that
    were not replaced by a correction (a void counts with zero minutes), per community, year, volunteer and
    category; pending and rejected records count nothing."""
    from datetime import UTC, date, datetime
    from types import SimpleNamespace

    import sqlalchemy as sa
    from flask_migrate import downgrade

    from timebank.db_types import UTCDateTime
    from timebank.identity.models import User
    from timebank.ledger.models import ServiceRecord, ServiceTotal
    from timebank.ledger.totals import differences

    with migrated_app.app_context():
        downgrade(revision="0003api")
    moment = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    with migrated_app.app_context():
        assert "ledger_service_total" not in inspect(db.engine).get_table_names()
        # the community as its table was at 0003api (the model has columns of later revisions)
        community_table = sa.table("community", *(sa.column(name) for name in (
            "slug", "name", "timezone", "organising_unit", "contact_phone", "address", "self_registration")),
            sa.column("created_at", UTCDateTime))
        db.session.execute(sa.insert(community_table).values(
            slug="pine", name="松树社区", timezone="Asia/Shanghai", organising_unit="", contact_phone="", address="",
            self_registration=True, created_at=moment))
        community = SimpleNamespace(id=db.session.scalar(sa.text("SELECT id FROM community WHERE slug = 'pine'")))
        first, second = (User(username=name, display_name=name, created_at=moment) for name in ("pine.a", "pine.b"))
        db.session.add_all([first, second])
        db.session.flush()

        def record(person, day, minutes, status="confirmed", category="ledger.elder_care", corrects=None):
            row = ServiceRecord(community_id=community.id, volunteer_id=person.id, category=category,
                                activity_name="服务", activity_date=day, started_at=moment, ended_at=moment,
                                minutes=minutes, created_at=moment, status=status,
                                corrects_id=getattr(corrects, "id", None))
            db.session.add(row)
            db.session.flush()
            return row

        record(first, date(2025, 3, 1), 120)
        corrected = record(first, date(2026, 5, 1), 60)
        record(first, date(2026, 5, 1), 45, corrects=corrected)
        voided = record(first, date(2026, 6, 1), 30, category="ledger.mutual_help")
        record(first, date(2026, 6, 1), 0, category="ledger.mutual_help", corrects=voided)
        record(first, date(2026, 7, 1), 90)
        record(second, date(2026, 6, 2), 90, status="pending")
        record(second, date(2026, 6, 3), 60, status="rejected")
        record(second, date(2026, 6, 4), 90, category="ledger.staff_duty")
        db.session.commit()
        ids = (community.id, first.id, second.id)

    result = migrated_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with migrated_app.app_context():
        rows = {(row.community_id, row.year, row.volunteer_id, row.category): (row.minutes, row.records)
                for row in db.session.scalars(db.select(ServiceTotal))}
        assert differences() == []
    pine, a, b = ids
    assert rows == {
        (pine, 2025, a, "ledger.elder_care"): (120, 1),
        (pine, 2026, a, "ledger.elder_care"): (135, 2),
        (pine, 2026, a, "ledger.mutual_help"): (0, 1),
        (pine, 2026, b, "ledger.staff_duty"): (90, 1),
    }
    assert schema_differences(migrated_app) == []
