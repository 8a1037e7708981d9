"""Database connection settings that depend on the engine (SQLite pragmas) and a reachability check."""

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


def install(app):
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
            event.listen(engine, "connect", _sqlite_pragmas)


def database_reachable():
    """True when a trivial query succeeds (for /healthz)."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False


__all__ = ["Engine", "database_reachable", "install"]
