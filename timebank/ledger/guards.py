"""Database triggers that make the ledger append-only, on SQLite and PostgreSQL.

* postings, transactions and certificates: no UPDATE, no DELETE;
* service records: no DELETE; an UPDATE may only decide a pending record once (status → confirmed/rejected,
  with the decision columns), never change what the record says.

``guard_statements(dialect)`` is used both by ``create_all`` (tests) and by the Alembic migration.
"""

from sqlalchemy import event

APPEND_ONLY_TABLES = ("ledger_posting", "ledger_transaction", "ledger_certificate")

#: Columns of a service record that never change after it is written.
RECORD_CONTENT_COLUMNS = (
    "community_id", "volunteer_id", "category", "source", "activity_name", "activity_date", "started_at",
    "ended_at", "minutes", "place", "content", "organising_unit", "activity_leader", "leader_id", "team_id",
    "recipient", "is_backfill", "evidence_note", "corrects_id", "correction_reason", "created_at",
    "created_by_id", "on_behalf_of_id",
)


def _sqlite_statements():
    statements = []
    for table in APPEND_ONLY_TABLES:
        for action in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in RECORD_CONTENT_COLUMNS)
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS ledger_service_record_no_delete BEFORE DELETE ON ledger_service_record "
        "BEGIN SELECT RAISE(ABORT, 'ledger_service_record is append-only'); END"
    )
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS ledger_service_record_decide_once BEFORE UPDATE ON ledger_service_record "
        f"WHEN OLD.status <> 'pending' OR NEW.status = 'pending' OR {changed} "
        "BEGIN SELECT RAISE(ABORT, 'ledger_service_record can only be decided once and never edited'); END"
    )
    return statements


def _postgresql_statements():
    changed = " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in RECORD_CONTENT_COLUMNS)
    statements = [
        """CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME;
        END;
        $$ LANGUAGE plpgsql""",
        f"""CREATE OR REPLACE FUNCTION ledger_record_decide_once() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'ledger_service_record is append-only';
            END IF;
            IF OLD.status <> 'pending' OR NEW.status = 'pending' OR {changed} THEN
                RAISE EXCEPTION 'ledger_service_record can only be decided once and never edited';
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql""",
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        )
    statements.append("DROP TRIGGER IF EXISTS ledger_service_record_guard ON ledger_service_record")
    statements.append(
        "CREATE TRIGGER ledger_service_record_guard BEFORE UPDATE OR DELETE ON ledger_service_record "
        "FOR EACH ROW EXECUTE FUNCTION ledger_record_decide_once()"
    )
    return statements


def guard_statements(dialect_name):
    if dialect_name == "sqlite":
        return _sqlite_statements()
    if dialect_name == "postgresql":
        return _postgresql_statements()
    return []


def install_guards(connection):
    # exec_driver_sql hands the text to the driver, where "%%" stands for a literal "%" (psycopg's paramstyle).
    for statement in guard_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


def _after_create(target, connection, **kw):
    if "ledger_service_record" in target.tables:
        install_guards(connection)


def attach_to_metadata(metadata):
    """Create the triggers whenever ``metadata.create_all`` creates the ledger tables."""
    if not event.contains(metadata, "after_create", _after_create):
        event.listen(metadata, "after_create", _after_create)
