from pathlib import Path

import pytest

from timebank import create_app


def test_config_from_test_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"


def test_templates_and_static_come_from_the_project(app):
    root = Path(__file__).resolve().parent.parent
    assert Path(app.template_folder).resolve() == (root / "templates").resolve()
    assert (Path(app.static_folder) / "app.css").exists()


@pytest.mark.database_independent
def test_secret_key_is_created_once_in_the_instance_folder(tmp_path):
    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOAD_ENTRYPOINTS": False,
              "SECRET_KEY": None}
    first = create_app(config)
    second = create_app(config)
    assert first.config["SECRET_KEY"] and first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0


def test_each_app_has_its_own_plugin_manager(app, tmp_path):
    other = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                        "LOAD_ENTRYPOINTS": False})
    assert other.extensions["timebank"].pm is not app.extensions["timebank"].pm


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


@pytest.mark.database_independent
def test_healthz_when_database_is_unreachable(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "LOAD_ENTRYPOINTS": False, "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/x.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable", "version": response.json["version"]}


@pytest.mark.database_independent
def test_behind_a_reverse_proxy_the_client_address_is_taken_from_the_proxy_headers(tmp_path):
    from flask import request

    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
              "LOAD_ENTRYPOINTS": False, "PROXY_FIX_X_FOR": 1}
    app = create_app(config)

    @app.get("/_whoami")
    def whoami():
        return f"{request.remote_addr} {request.scheme}"

    response = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7",
                                                          "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "203.0.113.7 https"
