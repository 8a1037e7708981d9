"""The framework ceiling the benchmark compares against: a minimal Flask + Flask-SQLAlchemy app on the same server
settings and database as timebank, doing per request what any logged-in page must do at least: read the signed
session, load the person (``/read``), and for a write also INSERT one row and commit (``/write``).

``BASELINE_DATABASE_URL`` and ``BASELINE_SECRET_KEY`` configure it; ``gunicorn "baseline_app:create_app()"``.
"""

import os
from datetime import UTC, datetime

from flask import Flask, abort, session
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, ForeignKey, String, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Person(db.Model):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))


class Visit(db.Model):
    __tablename__ = "visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(String(60))


def _sqlite_pragmas(dbapi_connection, _record):
    # The same pragmas as timebank.database: a fair comparison.
    cursor = dbapi_connection.cursor()
    for pragma in ("foreign_keys=ON", "busy_timeout=10000", "journal_mode=WAL", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _person():
    person = db.session.get(Person, session.get("uid", 0))
    if person is None:
        abort(403)
    return person


def create_app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ["BASELINE_SECRET_KEY"],
                      SQLALCHEMY_DATABASE_URI=os.environ["BASELINE_DATABASE_URL"])
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)

    @app.get("/read")
    def read():
        person = _person()
        return f"<!doctype html><title>read</title><p>{person.display_name}</p>"

    @app.post("/write")
    def write():
        person = _person()
        db.session.add(Visit(person_id=person.id, created_at=datetime.now(UTC).replace(tzinfo=None), note="scan"))
        db.session.commit()
        return f"<!doctype html><title>write</title><p>{person.display_name}</p>"

    return app


def prepare(database_url, secret_key, people=20_000):
    """Create the tables with ``people`` rows; return signed session cookies for the first 200 of them."""
    os.environ.update(BASELINE_DATABASE_URL=database_url, BASELINE_SECRET_KEY=secret_key)
    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(Person.__table__.insert(), [
            dict(id=number, username=f"p{number:05d}", display_name=f"志愿者{number}") for number in
            range(1, people + 1)])
        db.session.commit()
        db.engine.dispose()
    serializer = app.session_interface.get_signing_serializer(app)
    return [serializer.dumps({"uid": number}) for number in range(1, 201)]
