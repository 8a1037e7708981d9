"""Authentication, checked from the outside (tests/test_identity.py covers the flows in detail): cookie flags,
a new session at login, the old cookie useless after a password change, one message for every failed login, and
the login throttle's storage taken from the configuration (Redis in production)."""

import re

import pytest

from timebank.app import create_app
from timebank.extensions import db
from timebank.testing import _base_config

from .conftest import PASSWORD, client_for


def _set_cookie(response, name):
    return next((header for header in response.headers.getlist("Set-Cookie") if header.startswith(name + "=")), "")


def test_session_cookie_is_httponly_and_samesite_lax(app, world):
    client = app.test_client()
    response = client.post("/login", data={"username": "a.vol", "password": PASSWORD, "remember": "y"})
    session, remember = _set_cookie(response, "session"), _set_cookie(response, "remember_token")
    for header in (session, remember):
        assert "HttpOnly" in header and "SameSite=Lax" in header, header
        assert "Secure" not in header  # plain http here; see the next test


@pytest.fixture
def https_app(timebank_database, tmp_path):
    config = _base_config(timebank_database.fresh_url(tmp_path), tmp_path / "instance")
    config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
    application = create_app(config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_https_the_cookies_are_secure(https_app):
    from timebank.clock import set_clock

    from .world import NOW, build_world

    build_world(https_app)
    set_clock(https_app, lambda: NOW)
    response = https_app.test_client().post("/login", base_url="https://localhost",
                                            data={"username": "a.vol", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert "Secure" in _set_cookie(response, "session")
    assert "Secure" in _set_cookie(response, "remember_token")


def test_login_rotates_the_session(app, world):
    """Whatever a visitor's browser carried before (a planted cookie, a CSRF token) does not survive the login."""
    client = app.test_client()
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
        planted["csrf_token"] = "known-token"
    client.post("/login", data={"username": "a.vol", "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after and after.get("csrf_token") != "known-token"
        assert after.get("_user_id", "").startswith(f"{world['users']['a.vol']}:")


def test_a_copied_session_cookie_dies_with_a_password_change(app, world):
    """The stolen-phone case: the owner changes the password elsewhere; the phone's session stops working."""
    phone, laptop = client_for(app, "a.vol"), client_for(app, "a.vol")
    assert phone.get("/account").status_code == 200
    response = laptop.post("/account/password", data={"current_password": PASSWORD, "password": "Another-pass-2026",
                                                      "confirm": "Another-pass-2026"})
    assert response.status_code == 302
    assert phone.get("/account").status_code == 302  # back to the login page
    assert laptop.get("/account").status_code == 200


def test_failed_logins_all_look_the_same(app, world):
    """A wrong password, an unknown user: the same status, the same page but for the typed name."""
    def page(name, secret):
        response = app.test_client().post("/login", data={"username": name, "password": secret})
        main = response.get_data(as_text=True).split("<main", 1)[-1]
        return response.status_code, re.sub(r'value="[^"]*"', 'value=""', main)  # the typed name comes back

    for username, password in (("a.vol", "wrong-password"), ("nobody-here", PASSWORD), ("A.VOL ", "wrong"),
                               ("a.vol", "")):
        status, text = page(username, password)
        assert (status, text) == page("nobody-at-all", password), f"{username!r} tells whether the account exists"
        assert status == 200


def test_login_throttle_storage_comes_from_the_configuration(timebank_database, tmp_path):
    """``RATELIMIT_STORAGE_URI`` (``TIMEBANK_RATELIMIT_STORAGE_URI``) reaches Flask-Limiter: ``memory://`` here,
    ``redis://...`` in production (docs/deployment.md)."""
    config = _base_config(timebank_database.fresh_url(tmp_path), tmp_path / "instance")
    config["RATELIMIT_STORAGE_URI"] = "memory://"
    application = create_app(config)
    limiter = application.extensions["limiter"]
    limiter = next(iter(limiter)) if isinstance(limiter, set) else limiter
    assert type(limiter._storage).__name__ == "MemoryStorage"
    assert application.config["RATELIMIT_STORAGE_URI"] == "memory://"
    with application.app_context():
        db.engine.dispose()
