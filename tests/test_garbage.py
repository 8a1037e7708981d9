"""timebank.garbage: a server process moves its long-lived objects out of the garbage collector's view, once when
the app is built and once more when its first pages have warmed its caches; tests never do."""

import gc

import pytest
from flask import Flask

from timebank import garbage


@pytest.fixture
def freezes(monkeypatch):
    """Record the collector calls instead of making them (a frozen test process would keep every app for good)."""
    calls = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    return calls


def small_app(**config):
    app = Flask(__name__)
    app.config.update({"GC_FREEZE": True, **config})
    app.add_url_rule("/", "index", lambda: "ok")
    return app


@pytest.mark.database_independent
def test_a_server_freezes_when_built_and_again_once_warm(freezes, monkeypatch):
    monkeypatch.setattr(garbage, "WARM_AFTER_REQUESTS", 3)
    app = small_app()
    garbage.install(app)
    assert freezes == ["collect", "freeze"]  # garbage is collected first: once frozen it would never be freed
    client = app.test_client()
    for _ in range(2):
        assert client.get("/").status_code == 200
    assert freezes == ["collect", "freeze"]
    client.get("/")
    assert freezes == ["collect", "freeze"] * 2
    for _ in range(10):  # and never again: later objects are collected as usual
        client.get("/")
    assert freezes == ["collect", "freeze"] * 2


@pytest.mark.database_independent
def test_switched_off_nothing_is_frozen(freezes):
    app = small_app(GC_FREEZE=False)
    garbage.install(app)
    app.test_client().get("/")
    assert freezes == []
    assert "timebank.garbage" not in app.extensions


def test_apps_built_for_tests_do_not_freeze(app, freezes):
    assert app.config["GC_FREEZE"] is True  # the default
    assert "timebank.garbage" not in app.extensions
    app.test_client().get("/healthz")
    assert freezes == []


@pytest.mark.database_independent
def test_the_server_app_installs_it(freezes, monkeypatch, tmp_path):
    from timebank import create_app

    monkeypatch.setenv("TIMEBANK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TIMEBANK_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/server.sqlite3")
    monkeypatch.setenv("TIMEBANK_SECRET_KEY", "x")
    monkeypatch.setenv("TIMEBANK_LOAD_ENTRYPOINTS", "false")
    server = create_app()
    assert server.extensions["timebank.garbage"] == {"requests": 0}
    assert freezes == ["collect", "freeze"]
