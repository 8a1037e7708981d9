"""Fixtures of the security tests: the world (see world.py), the roles that visit it, and a fingerprint of the
whole database to prove that a request changed nothing."""

import copy
import hashlib
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select, text

from timebank.clock import set_clock
from timebank.extensions import db

from .world import NOW, PASSWORD, build_world

#: The roles of the isolation matrix → the account that plays it (None: not logged in). A, the community whose
#: objects are requested, is "maple"; B is "oak".
ROLES = {
    "anonymous": None,
    "resident": "a.res",
    "volunteer": "a.vol",
    "coordinator": "a.coord",
    "admin": "a.admin",
    "other_coordinator": "b.coord",  # coordinator of B, on A's pages
    "district_admin": "district",
}


_SNAPSHOT = {}


@pytest.fixture
def world(app, tmp_path_factory):
    """The world in this test's database; the app's clock stays frozen at ``NOW``.

    The first test of a process builds it and keeps a copy (database and uploaded files); later tests start from
    the copy (the ids are the same), which saves building it some twenty times. On SQLite the copy is the database
    file; on PostgreSQL it is every table's rows (COPY) and where each sequence stood, written back into the
    test's emptied database (as a superuser; otherwise every test builds the world). Compiled templates are shared
    by every app of the process (tests/conftest.py)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    sqlite = url.startswith("sqlite:///")
    uploads = Path(app.instance_path) / "uploads"
    if _SNAPSHOT and (_sqlite_restore(app, url) if sqlite else _postgres_restore(app)):
        shutil.copytree(_SNAPSHOT["uploads"], uploads, dirs_exist_ok=True)
        ids = copy.deepcopy(_SNAPSHOT["ids"])
    else:
        ids = build_world(app)
        if not _SNAPSHOT:
            folder = tmp_path_factory.mktemp("world")
            saved = _sqlite_save(app, url, folder) if sqlite else _postgres_save(app)
            if saved is None:
                _SNAPSHOT["unavailable"] = True  # build it in every test
            else:
                shutil.copytree(uploads, folder / "uploads") if uploads.exists() else (folder / "uploads").mkdir()
                _SNAPSHOT.update(saved, uploads=folder / "uploads", ids=copy.deepcopy(ids))
    set_clock(app, lambda: NOW)
    return ids


def _sqlite_save(app, url, folder):
    _dispose(app)
    _sqlite_copy(url.removeprefix("sqlite:///"), folder / "world.sqlite3")
    return {"database": folder / "world.sqlite3"}


def _sqlite_restore(app, url):
    if "database" not in _SNAPSHOT:
        return False
    _dispose(app)
    _sqlite_copy(_SNAPSHOT["database"], url.removeprefix("sqlite:///"))
    return True


def _superuser(connection):
    return connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()


def _postgres_save(app):
    """``{"rows": {table: COPY text}, "sequences": [(name, last value)]}`` of the world just built, or None when it
    cannot be written back as it is (not a superuser, or a table the models do not know holds rows)."""
    tables = [table.name for table in db.metadata.sorted_tables]
    with app.app_context(), db.engine.connect() as connection:
        if not _superuser(connection):
            return None
        others = set(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()) - set(tables)
        if any(connection.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first()  # nosec B608 (the catalogue's)
               for name in others):
            return None
        cursor = connection.connection.driver_connection.cursor()
        rows = {}
        for name in tables:
            with cursor.copy(f'COPY "{name}" TO STDOUT') as copy_:  # a name from the models' metadata
                rows[name] = b"".join(bytes(chunk) for chunk in copy_)
        sequences = connection.execute(text(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() "
            "AND last_value IS NOT NULL")).all()
        connection.rollback()
    _dispose(app)
    return {"rows": rows, "sequences": [tuple(item) for item in sequences]}


def _postgres_restore(app):
    """Write the saved rows back into the test's (emptied) database, triggers and foreign keys off while they go
    in (session_replication_role), and set each sequence where it stood."""
    if "rows" not in _SNAPSHOT:
        return False
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        cursor = connection.connection.driver_connection.cursor()
        for name, data in _SNAPSHOT["rows"].items():
            if data:
                with cursor.copy(f'COPY "{name}" FROM STDIN') as copy_:  # a name from the models' metadata
                    copy_.write(data)
        for name, value in _SNAPSHOT["sequences"]:
            connection.execute(text("SELECT setval(quote_ident(:name)::regclass, :value, true)"),
                               {"name": name, "value": value})
    _dispose(app)
    return True


def _dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _sqlite_copy(source, target):
    """A consistent copy of a SQLite database (WAL included), with the backup API."""
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy_:
        origin.backup(copy_)


def login(client, username, password=PASSWORD):
    data = {"username": username, "password": password}
    if client.application.config.get("WTF_CSRF_ENABLED"):
        data["csrf_token"] = csrf_token(client, "/login")
    response = client.post("/login", data=data)
    assert response.status_code == 302, f"{username} could not log in ({response.status_code})"
    return response


def csrf_token(client, path):
    """The CSRF token a page hands to this client."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def client_for(app, role_or_username):
    """A new test client (its own cookies), logged in as the role's account (or a username)."""
    client = app.test_client()
    username = ROLES.get(role_or_username, role_or_username)
    if username:
        login(client, username)
    return client


def fingerprint(app):
    """A digest of every row of every table: equal digests mean that nothing was added, changed or removed."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            digest.update(table.name.encode())
            for row in db.session.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
        db.session.remove()
    return digest.hexdigest()


def changed_tables(app, before):
    """For an assertion message: the row counts per table now (compare with ``row_counts`` taken before)."""
    now = row_counts(app)
    return {name: (before.get(name), count) for name, count in now.items() if before.get(name) != count}


def row_counts(app):
    from sqlalchemy import func

    with app.app_context():
        counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
                  for table in db.metadata.sorted_tables}
        db.session.remove()
    return counts


_ROW_LOCK = re.compile(r"^\s*UPDATE \S+ SET (\w+)=\w+\.\1 WHERE", re.I)


class WriteRecorder:
    """Records the INSERT/UPDATE/DELETE statements that were committed (a rolled-back write does not count).

    ``with recorder.watch() as writes: client.post(...)`` → ``writes`` lists ``"INSERT INTO table"`` strings."""

    def __init__(self, app):
        from sqlalchemy import event

        with app.app_context():
            self.engine = db.engine
        self._current = None
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        if _ROW_LOCK.search(statement):
            return  # timebank.database.lock_row on SQLite: "UPDATE t SET id=t.id", a lock that changes nothing
        words = statement.lstrip().split(None, 3)
        if words and words[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            target = words[2] if words[0].upper() in ("INSERT", "DELETE") and len(words) > 2 else words[1]
            conn.info.setdefault("timebank_writes", []).append(f"{words[0].upper()} {target.strip(chr(34))}")

    def _commit(self, conn):
        writes = conn.info.pop("timebank_writes", [])
        if self._current is not None:
            self._current.extend(writes)

    def _rollback(self, conn):
        conn.info.pop("timebank_writes", None)

    class _Watch:
        def __init__(self, recorder):
            self.recorder = recorder

        def __enter__(self):
            self.recorder._current = []
            return self.recorder._current

        def __exit__(self, *exc):
            self.recorder._current = None

    def watch(self):
        return self._Watch(self)


@pytest.fixture
def writes(app):
    return WriteRecorder(app)


_HARVESTED = {}


@pytest.fixture
def page_forms(app, world):
    """``{action path: pages.Form}``: the POST forms the pages show to the district admin, the volunteer and the
    resident (who see forms staff do not: consent, sign-off...). Read once per test process: the world is the same
    in every test."""
    from .matrix import get_paths
    from .pages import harvest

    if not _HARVESTED:
        paths = get_paths(app, world)
        for username in ("district", "a.vol", "a.res"):
            for action, form in harvest(client_for(app, username), paths).items():
                form.viewer = username  # who saw it (and may send it)
                _HARVESTED.setdefault(action, form)
    return _HARVESTED
