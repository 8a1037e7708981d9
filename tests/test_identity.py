"""Accounts over HTTP: login and logout, throttling, sessions, passwords, profile, language and elder mode."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from timebank.audit.models import AuditEvent
from timebank.extensions import db
from timebank.identity.models import User
from timebank.testing import TEST_PASSWORD

GENERIC_LOGIN_ERROR = "Wrong username or password. Please check and try again."


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge_all()
        return user


def _actions(app, action=None):
    with app.app_context():
        query = select(AuditEvent.action).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session.scalars(query))


def _row_counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _stays_on_site(location):
    """What a browser would make of a Location header: tabs and newlines are dropped, backslashes are slashes."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip().replace("\\", "/")
    parts = urlsplit(cleaned)
    return not parts.scheme and not parts.netloc and cleaned.startswith("/") and not cleaned.startswith("//")


def _html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def _body_classes(response):
    return re.search(r'<body class="([^"]*)"', response.get_data(as_text=True)).group(1).split()


# --- Login and logout ------------------------------------------------------------------------------------------


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html


def test_login_and_logout(client, auth, community, app):
    response = auth.login("maple.vol")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200
    assert _user(app, "maple.vol").last_login_at is not None
    assert "auth.login" in _actions(app)

    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_home_after_login_goes_to_the_members_community(client, auth, community):
    auth.login("maple.vol")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/"
    assert client.get("/c/maple/").status_code == 200


def test_username_is_case_insensitive(client, auth, community):
    assert auth.login("  Maple.Vol ").status_code == 302
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("username, password", [("maple.vol", "wrong-pass-1"), ("nobody.here", TEST_PASSWORD)])
def test_wrong_password_and_unknown_user_look_the_same(client, auth, community, app, username, password):
    before = _row_counts(app)
    auth.use_language("en")
    response = auth.login(username, password)
    assert response.status_code == 200
    assert GENERIC_LOGIN_ERROR in response.get_data(as_text=True)
    # Only one audit event is written; nothing else changes.
    after = _row_counts(app)
    assert after.pop("audit_event") == before.pop("audit_event") + 1
    assert after == before
    assert _actions(app)[-1] == "auth.login_failed"
    assert _user(app, "maple.vol").last_login_at is None
    assert client.get("/account").status_code == 302


def test_failed_login_audit_does_not_store_the_password(client, auth, community, app):
    auth.login("maple.vol", "secret-guess-99")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))
        assert event.detail_json == '{"username": "maple.vol"}'
        assert "secret-guess-99" not in event.detail_json


def test_account_without_own_login_cannot_log_in(client, auth, community, make, app):
    make.member("maple", "elder.zhao", role="resident", password=None)
    auth.use_language("en")
    response = auth.login("elder.zhao", "")
    assert response.status_code == 200
    response = auth.login("elder.zhao", "anything-1")
    assert GENERIC_LOGIN_ERROR in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_disabled_account_cannot_log_in_and_is_logged_out(client, auth, community, app):
    assert auth.login("maple.vol").status_code == 302
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "maple.vol")).disabled = True
        db.session.commit()
    assert client.get("/account").status_code == 302
    response = auth.login("maple.vol")
    assert response.status_code == 200
    assert client.get("/account").status_code == 302


def test_empty_login_form_shows_field_errors(client, auth):
    auth.use_language("en")
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enter your username." in html and "Enter your password." in html


def test_logout_needs_post(client, auth, community):
    auth.login("maple.vol")
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_pages_of_a_logged_in_person_are_not_cached(client, auth, community):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    auth.login("maple.vol")
    response = client.get("/account")
    assert response.headers["Cache-Control"] == "private, no-store"  # a shared phone's back button shows nothing
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_logged_in_user_visiting_login_is_sent_on(client, auth, community):
    auth.login("maple.vol")
    response = client.get("/login?next=/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_LIMIT_PER_ACCOUNT": "3 per 5 minutes"}

    def test_too_many_failures_for_one_account_answer_429(self, client, auth, community):
        for _ in range(3):
            assert auth.login("maple.vol", "wrong-pass-1").status_code == 200
        response = auth.login("maple.vol", "wrong-pass-1")
        assert response.status_code == 429
        # Even the right password is refused while the account is throttled.
        assert auth.login("maple.vol").status_code == 429
        assert client.get("/account").status_code == 302

    def test_throttling_is_per_account(self, client, auth, community):
        for _ in range(4):
            auth.login("maple.vol", "wrong-pass-1")
        assert auth.login("Maple.Vol", "wrong-pass-1").status_code == 429  # same account, other spelling
        assert auth.login("maple.res").status_code == 302

    def test_successful_logins_do_not_count(self, client, auth, community):
        for _ in range(5):
            assert auth.login("maple.vol").status_code == 302
            auth.logout()
        assert auth.login("maple.vol", "wrong-pass-1").status_code == 200

    def test_429_page_is_translated_and_inside_the_layout(self, client, auth, community):
        auth.use_language("en")
        for _ in range(3):
            auth.login("maple.vol", "wrong-pass-1")
        response = auth.login("maple.vol", "wrong-pass-1")
        assert response.status_code == 429
        html = response.get_data(as_text=True)
        assert "<title>Too many attempts" in html
        assert 'class="app-bar"' in html


class TestThrottlingSwitchedOff:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": False, "LOGIN_LIMIT_PER_ACCOUNT": "1 per 5 minutes"}

    def test_logins_work_and_are_not_counted(self, app, client, auth, community):
        import gc

        gc.collect()  # the limiter is held by the app, not only weakly by the decorated views
        for _ in range(3):
            assert auth.login("maple.vol", "wrong-pass-1").status_code == 200
        assert auth.login("maple.vol").status_code == 302
        token = client.post("/api/v1/auth/token", json={"username": "maple.res", "password": "test-pass-123"})
        assert token.status_code == 201, token.get_data(as_text=True)


# --- Sessions --------------------------------------------------------------------------------------------------


def test_login_starts_a_fresh_session_but_keeps_preferences(client, auth, community):
    with client.session_transaction() as session:
        session["planted"] = "attacker-value"
        session["timebank_proxy"] = {"user_id": 1, "community_id": 1}
        session["locale"] = "en"
        session["elder_mode"] = True
    auth.login("maple.vol")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "timebank_proxy" not in session
        assert session["locale"] == "en"
        assert session["elder_mode"] is True
        assert session["_user_id"].startswith(f"{community['volunteer']}:")


def test_logout_clears_the_session(client, auth, community):
    auth.login("maple.vol")
    client.get("/c/maple/")
    auth.logout()
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert "community" not in session


def test_password_change_logs_out_other_sessions(app, auth, community):
    phone, computer = app.test_client(), app.test_client()
    phone.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD})
    computer.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD})
    assert computer.get("/account").status_code == 200
    version = _user(app, "maple.vol").session_version

    response = phone.post("/account/password", data={"current_password": TEST_PASSWORD,
                                                       "password": "new-pass-456", "confirm": "new-pass-456"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert _user(app, "maple.vol").session_version == version + 1
    assert phone.get("/account").status_code == 200  # this session stays in
    response = computer.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "auth.password_changed" in _actions(app)

    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"username": "maple.vol", "password": "new-pass-456"}).status_code == 302


def test_password_change_keeps_this_phone_logged_in_after_the_browser_session(app, community):
    """The person ticked "stay logged in": the remember cookie must follow the new session version."""
    phone = app.test_client()
    phone.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD, "remember": "y"})
    phone.post("/account/password", data={"current_password": TEST_PASSWORD, "password": "new-pass-456",
                                          "confirm": "new-pass-456"})
    with phone.session_transaction() as session:  # the browser was closed: only the cookies are left
        session.clear()
    assert phone.get("/account").status_code == 200


def test_old_remember_cookie_stops_working_after_password_change(app, community):
    stolen = app.test_client()
    stolen.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD, "remember": "y"})
    owner = app.test_client()
    owner.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD})
    owner.post("/account/password", data={"current_password": TEST_PASSWORD, "password": "new-pass-456",
                                          "confirm": "new-pass-456"})
    with stolen.session_transaction() as session:
        session.clear()
    assert stolen.get("/account").status_code == 302


# --- Passwords -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("new, message", [
    ("short1", "Use at least 8 characters."),
    ("onlyletters", "Use both letters and digits."),
    ("1234567890", "Use both letters and digits."),
    ("maple.vol-2024", "The password must not contain the username."),
    ("x1" * 65, "Use at least 8 characters."),
])
def test_password_rules_give_clear_messages(client, auth, community, app, new, message):
    auth.login("maple.vol")
    auth.use_language("en")
    hash_before = _user(app, "maple.vol").password_hash
    response = client.post("/account/password", data={"current_password": TEST_PASSWORD, "password": new,
                                                      "confirm": new})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'id="password-error"' in html
    assert _user(app, "maple.vol").password_hash == hash_before


def test_wrong_current_password_is_refused(client, auth, community, app):
    auth.login("maple.vol")
    auth.use_language("en")
    response = client.post("/account/password", data={"current_password": "not-it-123", "password": "new-pass-456",
                                                      "confirm": "new-pass-456"})
    assert response.status_code == 200
    assert "The current password is not correct." in response.get_data(as_text=True)
    assert _user(app, "maple.vol").session_version == 1


def test_password_confirmation_must_match(client, auth, community, app):
    auth.login("maple.vol")
    auth.use_language("en")
    response = client.post("/account/password", data={"current_password": TEST_PASSWORD, "password": "new-pass-456",
                                                      "confirm": "new-pass-457"})
    assert response.status_code == 200
    assert "The two passwords are different." in response.get_data(as_text=True)
    assert _user(app, "maple.vol").session_version == 1


def test_account_pages_need_login(client):
    for path in ("/account", "/account/profile", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


# --- Profile ---------------------------------------------------------------------------------------------------


def test_profile_edit(client, auth, community, app):
    auth.login("maple.vol")
    response = client.get("/account/profile")
    assert response.status_code == 200
    assert 'value="陈志强"' in response.get_data(as_text=True)
    response = client.post("/account/profile", data={"display_name": "  陈志刚 ", "phone": "138 0013 8000"})
    assert response.status_code == 302
    user = _user(app, "maple.vol")
    assert user.display_name == "陈志刚"
    assert user.phone == "13800138000"
    assert "user.profile_updated" in _actions(app)
    assert "13800138000" in client.get("/account").get_data(as_text=True)


def test_profile_accepts_full_width_digits(client, auth, community, app):
    auth.login("maple.vol")
    response = client.post("/account/profile", data={"display_name": "陈志强", "phone": "１３８ ００１３ ８０００"})
    assert response.status_code == 302
    assert _user(app, "maple.vol").phone == "13800138000"


def test_profile_phone_can_be_removed(client, auth, community, app):
    auth.login("maple.vol")
    client.post("/account/profile", data={"display_name": "陈志强", "phone": "13800138000"})
    client.post("/account/profile", data={"display_name": "陈志强", "phone": ""})
    assert _user(app, "maple.vol").phone is None


@pytest.mark.parametrize("data, field, message", [
    ({"display_name": "陈志强", "phone": "call me"}, "phone", "Enter a phone number with digits only"),
    ({"display_name": "   ", "phone": ""}, "display_name", "Enter"),
    ({"display_name": "名" * 61, "phone": ""}, "display_name", ""),
])
def test_profile_bad_input_shows_a_field_error_and_saves_nothing(client, auth, community, app, data, field, message):
    auth.login("maple.vol")
    auth.use_language("en")
    response = client.post("/account/profile", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    user = _user(app, "maple.vol")
    assert user.display_name == "陈志强" and user.phone is None


# --- Language --------------------------------------------------------------------------------------------------


def test_default_language_is_simplified_chinese(client):
    response = client.get("/login")
    assert _html_lang(response) == "zh-CN"


def test_anonymous_language_switch_is_kept_in_the_browser(client, app):
    response = client.post("/account/language", data={"locale": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    response = client.get("/login")
    assert _html_lang(response) == "en"
    assert "<h1>Log in</h1>" in response.get_data(as_text=True)
    assert _html_lang(app.test_client().get("/login")) == "zh-CN"  # another browser is unaffected


def test_language_switch_is_saved_on_the_account(app, client, auth, community):
    auth.login("maple.vol")
    assert _html_lang(client.get("/account")) == "zh-CN"
    response = auth.use_language("en")
    assert response.status_code == 302
    assert _user(app, "maple.vol").locale == "en"
    assert _html_lang(client.get("/account")) == "en"

    other = app.test_client()  # a new phone: the account's language follows the person
    assert _html_lang(other.get("/login")) == "zh-CN"
    other.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD})
    assert _html_lang(other.get("/account")) == "en"

    auth.use_language("zh_CN")
    assert _user(app, "maple.vol").locale == "zh_CN"
    assert _html_lang(client.get("/account")) == "zh-CN"


def test_other_users_keep_their_language(app, client, auth, community):
    auth.login("maple.vol")
    auth.use_language("en")
    other = app.test_client()
    other.post("/login", data={"username": "maple.res", "password": TEST_PASSWORD})
    assert _html_lang(other.get("/account")) == "zh-CN"


@pytest.mark.parametrize("locale", ["fr", "", "zh_TW", "../../etc", "x" * 500])
def test_unknown_language_is_ignored(app, client, auth, community, locale):
    auth.login("maple.vol")
    response = client.post("/account/language", data={"locale": locale})
    assert response.status_code == 302
    assert _user(app, "maple.vol").locale == "zh_CN"
    assert _html_lang(client.get("/account")) == "zh-CN"


def test_language_switch_marks_the_current_language_selected(client, auth, community):
    auth.login("maple.vol")
    auth.use_language("en")
    html = client.get("/account").get_data(as_text=True)
    assert '<option value="en" selected' in html


# --- Elder mode ------------------------------------------------------------------------------------------------


def test_elder_mode_for_an_account(app, client, auth, community):
    auth.login("maple.vol")
    assert "elder" not in _body_classes(client.get("/c/maple/"))
    response = client.post("/account/elder-mode", data={"enabled": "1", "next": "/c/maple/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/"
    assert _user(app, "maple.vol").elder_mode is True
    assert "elder" in _body_classes(client.get("/c/maple/"))

    other = app.test_client()  # saved on the account, so it follows the person to another phone
    other.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD})
    assert "elder" in _body_classes(other.get("/account"))

    client.post("/account/elder-mode", data={"enabled": "0"})
    assert _user(app, "maple.vol").elder_mode is False
    assert "elder" not in _body_classes(client.get("/c/maple/"))


def test_elder_mode_is_per_person(app, client, auth, community):
    auth.login("maple.vol")
    client.post("/account/elder-mode", data={"enabled": "1"})
    other = app.test_client()
    other.post("/login", data={"username": "maple.res", "password": TEST_PASSWORD})
    assert "elder" not in _body_classes(other.get("/account"))


def test_elder_mode_for_anonymous_visitors(app, client):
    assert "elder" not in _body_classes(client.get("/"))
    response = client.post("/account/elder-mode", data={"enabled": "1", "next": "/"})
    assert response.status_code == 302
    assert "elder" in _body_classes(client.get("/"))
    assert "elder" in _body_classes(client.get("/login"))
    assert "elder" not in _body_classes(app.test_client().get("/"))
    client.post("/account/elder-mode", data={"enabled": "0"})
    assert "elder" not in _body_classes(client.get("/"))


def test_anonymous_elder_mode_carries_over_into_a_new_account_session(client, auth, community):
    client.post("/account/elder-mode", data={"enabled": "1"})
    auth.login("maple.vol")
    with client.session_transaction() as session:
        assert session["elder_mode"] is True


def test_elder_mode_dashboard_switch(client, auth, community):
    auth.login("maple.vol")
    html = client.get("/c/maple/").get_data(as_text=True)
    assert 'action="/account/elder-mode"' in html and 'name="enabled" value="1"' in html


# --- Redirect targets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "//evil.com", "//evil.com/c/maple/", "https://evil.com", "http://evil.com/", "/\\evil.com", "\\\\evil.com",
    "javascript:alert(1)", "/\t/evil.com", "/\n/evil.com", " //evil.com", "/%09/evil.com",
])
def test_login_never_redirects_off_site(client, auth, community, target):
    response = client.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD, "next": target})
    assert response.status_code == 302
    assert _stays_on_site(response.headers["Location"])


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com", "/\t/evil.com"])
def test_preference_switches_never_redirect_off_site(client, target):
    for path, data in (("/account/language", {"locale": "en"}), ("/account/elder-mode", {"enabled": "1"})):
        response = client.post(path, data={**data, "next": target})
        assert response.status_code == 302
        assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, auth, community):
    response = client.get("/account")
    assert response.headers["Location"] == "/login?next=%2Faccount"
    response = client.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD,
                                            "next": "/c/maple/me?x=1"})
    assert response.headers["Location"] == "/c/maple/me?x=1"


def test_login_form_carries_next_from_the_query(client):
    html = client.get("/login?next=/c/maple/").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/c/maple/"' in html
