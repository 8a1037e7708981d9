"""Database connection settings that depend on the engine (SQLite pragmas, how PostgreSQL transactions end) and a
reachability check."""

import functools
import weakref
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from .extensions import db


def _sqlite_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer (check-in rush)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _end_reads_with_commit(engine):
    """PostgreSQL through psycopg 3: a transaction that only ran SELECTs ends with COMMIT instead of ROLLBACK.

    psycopg prepares a statement on a connection once it has run it five times, and PostgreSQL then no longer
    plans it on each run: for the ORM's joined queries the planning costs 0.5–1.5 ms, ten times the run itself.
    But psycopg forgets every prepared statement when a transaction is rolled back, and every request that only
    reads ends so (the session closes and rolls back): no statement was ever prepared. For a transaction that
    only read, COMMIT and ROLLBACK end it alike (row locks of ``SELECT ... FOR UPDATE`` included). A transaction
    that ran anything else, or failed, is rolled back as before."""
    from psycopg.pq import TransactionStatus

    wrote = weakref.WeakSet()  # the psycopg connections whose open transaction ran more than SELECTs

    def note_writes(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:6].upper() != "SELECT":
            wrote.add(cursor.connection)

    rollback, commit = engine.dialect.do_rollback, engine.dialect.do_commit

    def do_rollback(dbapi_connection):
        raw = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        if raw in wrote or raw.info.transaction_status != TransactionStatus.INTRANS:
            wrote.discard(raw)
            return rollback(dbapi_connection)
        return commit(dbapi_connection)

    def do_commit(dbapi_connection):
        wrote.discard(getattr(dbapi_connection, "dbapi_connection", dbapi_connection))
        return commit(dbapi_connection)

    event.listen(engine, "before_cursor_execute", note_writes)
    engine.dialect.do_rollback, engine.dialect.do_commit = do_rollback, do_commit
    engine.dialect.timebank_reads_end_with_commit = True


def install(app):
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
            event.listen(engine, "connect", _sqlite_pragmas)
        if engine.dialect.driver == "psycopg" and not getattr(engine.dialect, "timebank_reads_end_with_commit", 0):
            _end_reads_with_commit(engine)


def database_reachable():
    """True when a trivial query succeeds (for /healthz)."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False


__all__ = ["Engine", "database_reachable", "insert_loaded", "install", "keep_loaded_after_commit", "lock_row", "lock_rows",
           "lock_statement", "lock_where", "paged", "run_lock"]


@contextmanager
def keep_loaded_after_commit():
    """Inside the block, a commit does not expire the objects the session holds.

    For a hot write path whose answer shows what it just wrote (a QR check-in and its result page): without it,
    the page would load the person, the community, the post and the new row again after the commit. Only for
    services that change rows through the ORM: a value changed by a bulk ``UPDATE`` would stay stale."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


def paged(query, page, per_page, order_by, count_on=None):
    """One page of ``query``'s rows (scalars) in ``order_by`` order and how many rows there are, in two statements:
    ``(rows, total, page)``, a page beyond the last one showing the last. ``count_on``: a column to count instead
    of the query's whole rows (a query of joined entities)."""
    from sqlalchemy import func, select

    counted = query if count_on is None else query.with_only_columns(count_on)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    page = min(max(page, 1), max((total - 1) // per_page + 1, 1))
    rows = db.session.scalars(query.order_by(*order_by).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total, page


def lock_row(model, row_id):
    """Serialise writers on one row until the transaction ends.

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite: a no-op UPDATE, which takes the database's write lock now
    (a request that read before another one committed then fails at once instead of writing stale data).
    """
    primary_key = model.__mapper__.primary_key[0]
    lock_where(model, primary_key == row_id)


def lock_where(model, *criteria):
    """``lock_row`` for the row that ``criteria`` name (a unique key), in one statement; False when there is none."""
    return run_lock(lock_statement(db.session.get_bind().dialect.name, model, *criteria))


def lock_statement(dialect_name, model, *criteria):
    """The statement of ``lock_where`` on ``dialect_name``: for a hot path to build once, with ``bindparam``s in
    ``criteria`` (named unlike any column: on SQLite it is an UPDATE), and to run with ``run_lock``."""
    from sqlalchemy import select, update

    primary_key = model.__mapper__.primary_key[0]
    if dialect_name == "postgresql":
        return select(primary_key).where(*criteria).with_for_update()
    return update(model).where(*criteria).values({primary_key.name: primary_key}).execution_options(
        synchronize_session=False)


def run_lock(statement, parameters=None):
    """Run a ``lock_statement``; False when its row does not exist."""
    if statement.is_select:
        return db.session.scalar(statement, parameters) is not None
    return db.session.execute(statement, parameters).rowcount > 0


def lock_rows(model, row_ids):
    """``lock_row`` for several rows in one statement (PostgreSQL locks them in ascending id order)."""
    from sqlalchemy import select, update

    primary_key = model.__mapper__.primary_key[0]
    if not row_ids:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(primary_key).where(primary_key.in_(list(row_ids))).order_by(primary_key)
                           .with_for_update())
    else:
        db.session.execute(update(model).where(primary_key.in_(list(row_ids))).values({primary_key.name: primary_key})
                           .execution_options(synchronize_session=False))


def insert_loaded(model, values):
    """Insert one row of ``model`` with one built statement and return it as the persistent, loaded object a flush
    would have made, without the unit of work (0.1–0.2 ms of a QR check-in, whose only new row this is).

    ``values`` name the columns by attribute; a column left out takes its scalar default (or NULL when it has
    none and may be NULL). Its relationships load when first read (a many-to-one from the identity map, without a
    query, when the other object is loaded). Only for a plain row: no server-side default to read back, nothing
    listening to the ORM's insert events."""
    from sqlalchemy.orm import make_transient_to_detached

    defaults, columns, primary_key, statement = _insert_plan(model)
    row = {**defaults, **values}
    inserted = db.session.execute(statement, {column: row[attribute] for attribute, column in columns})
    found = model(**row, **{primary_key: inserted.inserted_primary_key[0]})
    make_transient_to_detached(found)  # loaded as from a query: nothing for the next flush to write
    db.session.add(found)
    return found


@functools.cache
def _insert_plan(model):
    """``insert_loaded``'s plan for ``model``, worked out once: ``({attribute: default}, [(attribute, column key)]
    of the columns written, the primary key's attribute, statement)``."""
    from sqlalchemy import insert

    defaults, columns, primary_key = {}, [], None
    for attribute in model.__mapper__.column_attrs:
        column = attribute.columns[0]
        if column.primary_key:
            primary_key = attribute.key
            continue
        if column.server_default is not None or (column.default is not None and not column.default.is_scalar):
            raise TypeError(f"{model.__name__}.{attribute.key}: insert_loaded cannot know the stored value")
        if column.default is not None:
            defaults[attribute.key] = column.default.arg
        elif column.nullable:
            defaults[attribute.key] = None
        columns.append((attribute.key, column.key))
    return defaults, columns, primary_key, insert(model.__table__)
