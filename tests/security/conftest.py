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
from jinja2 import BytecodeCache
from sqlalchemy import select

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


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates shared by the apps of this test process (every test builds its own app, and Jinja would
    compile each template again for each: a quarter of the time of walking every page)."""

    def __init__(self):
        self.store = {}

    def load_bytecode(self, bucket):
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedBytecodeCache()


_SNAPSHOT = {}


@pytest.fixture
def world(app, tmp_path_factory):
    """The world in this test's database; the app's clock stays frozen at ``NOW``.

    On SQLite the first test of a process builds it and keeps a copy (database and uploaded files); later tests
    start from the copy (the ids are the same), which saves building it some twenty times. On PostgreSQL every
    test builds it."""
    app.jinja_env.bytecode_cache = _TEMPLATES
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    sqlite = url.startswith("sqlite:///")
    uploads = Path(app.instance_path) / "uploads"
    if sqlite and _SNAPSHOT:
        _dispose(app)
        _sqlite_copy(_SNAPSHOT["database"], url.removeprefix("sqlite:///"))
        shutil.copytree(_SNAPSHOT["uploads"], uploads, dirs_exist_ok=True)
        ids = copy.deepcopy(_SNAPSHOT["ids"])
    else:
        ids = build_world(app)
        if sqlite:
            folder = tmp_path_factory.mktemp("world")
            _dispose(app)
            _sqlite_copy(url.removeprefix("sqlite:///"), folder / "world.sqlite3")
            shutil.copytree(uploads, folder / "uploads") if uploads.exists() else (folder / "uploads").mkdir()
            _SNAPSHOT.update(database=folder / "world.sqlite3", uploads=folder / "uploads", ids=copy.deepcopy(ids))
    set_clock(app, lambda: NOW)
    return ids


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
