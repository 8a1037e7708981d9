"""Error pages (400, 403, 404, 405, 429, 500) inside the layout, CSRF, and no 500 for bad input anywhere."""

import re

import pytest
from sqlalchemy import func, select

from timebank.communities.models import Community
from timebank.errors import ValidationFailed
from timebank.extensions import db
from timebank.testing import TEST_PASSWORD
from timebank.web import ERROR_TITLES


def _title(response):
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1)


def _in_layout(response):
    html = response.get_data(as_text=True)
    return html.startswith("<!doctype html>") and 'class="app-bar"' in html and 'id="main"' in html


def _counts(app):
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _translated(app, code, locale):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        return str(ERROR_TITLES[code])


@pytest.fixture
def test_routes(app):
    """Routes that exist only in these tests (added before the app serves its first request)."""

    def boom():
        db.session.add(Community(slug="half-done", name="写了一半", created_at=db.func.now()))
        db.session.flush()
        raise RuntimeError("forced failure")

    def refuse():
        raise ValidationFailed("Nope, not like this.")

    app.add_url_rule("/test-only/boom", "test_only_boom", boom, methods=["GET", "POST"])
    app.add_url_rule("/test-only/refuse", "test_only_refuse", refuse)
    return app


# --- The pages -------------------------------------------------------------------------------------------------


def test_404_page(client, app):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert _in_layout(response)
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)
    assert _title(response).startswith(_translated(app, 404, "zh_CN"))
    client.post("/account/language", data={"locale": "en"})
    response = client.get("/no/such/page")
    assert _title(response).startswith("Page not found")
    assert '<p class="error-code">404</p>' in response.get_data(as_text=True)


def test_403_page(client, auth, community):
    auth.login("maple.res")
    auth.use_language("en")
    response = client.get("/c/maple/admin/")
    assert response.status_code == 403
    assert _in_layout(response)
    assert _title(response).startswith("You do not have permission to do this")
    assert 'class="tab-bar"' in response.get_data(as_text=True)  # still the logged-in layout


def test_405_page(client, auth, community):
    auth.login("maple.res")
    auth.use_language("en")
    response = client.get("/logout")
    assert response.status_code == 405
    assert _in_layout(response)
    assert _title(response).startswith("This action is not allowed here")


def test_400_page_from_a_domain_error(client, test_routes):
    client.post("/account/language", data={"locale": "en"})
    response = client.get("/test-only/refuse")
    assert response.status_code == 400
    assert _in_layout(response)
    assert _title(response).startswith("The request could not be understood")
    assert "Nope, not like this." in response.get_data(as_text=True)


def test_500_page_rolls_back(client, app, test_routes):
    before = _counts(app)
    client.post("/account/language", data={"locale": "en"})
    response = client.get("/test-only/boom")
    assert response.status_code == 500
    assert _in_layout(response)
    assert _title(response).startswith("Something went wrong on our side")
    assert "forced failure" not in response.get_data(as_text=True)
    assert _counts(app) == before
    # The application keeps working afterwards.
    assert client.get("/login").status_code == 200


def test_500_page_for_a_logged_in_user(client, auth, app, community, test_routes):
    auth.login("maple.vol")
    before = _counts(app)
    response = client.post("/test-only/boom")
    assert response.status_code == 500
    assert _in_layout(response)
    assert _title(response).startswith(_translated(app, 500, "zh_CN"))
    assert _counts(app) == before
    assert client.get("/c/maple/").status_code == 200


def test_error_titles_are_in_chinese_by_default(client, auth, app, community, test_routes):
    auth.login("maple.res")
    responses = {400: client.get("/test-only/refuse"), 403: client.get("/c/maple/admin/"),
                 404: client.get("/c/maple/nothing-here"), 405: client.get("/logout"),
                 500: client.get("/test-only/boom")}
    for code, response in responses.items():
        assert response.status_code == code
        assert _in_layout(response)
        chinese = _translated(app, code, "zh_CN")
        assert chinese != _translated(app, code, "en")
        assert _title(response).startswith(chinese), code
        assert '<html lang="zh-CN">' in response.get_data(as_text=True)


class TestRateLimitPage:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_LIMIT_PER_ACCOUNT": "2 per 5 minutes"}

    def test_429_page(self, client, app, community):
        for _ in range(2):
            client.post("/login", data={"username": "maple.vol", "password": "wrong-pass-1"})
        response = client.post("/login", data={"username": "maple.vol", "password": "wrong-pass-1"})
        assert response.status_code == 429
        assert _in_layout(response)
        assert _title(response).startswith(_translated(app, 429, "zh_CN"))


class TestLoginLimitPerAddress:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_LIMIT_PER_IP": "3 per 5 minutes"}

    def test_many_accounts_from_one_address_answer_429(self, client, community):
        for username in ("a1", "a2", "a3"):
            assert client.post("/login", data={"username": username, "password": "x"}).status_code == 200
        assert client.post("/login", data={"username": "a4", "password": "x"}).status_code == 429
        other_address = client.post("/login", data={"username": "maple.vol", "password": TEST_PASSWORD},
                                    environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other_address.status_code == 302


# --- CSRF ------------------------------------------------------------------------------------------------------


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @staticmethod
    def _token(client, path):
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                         client.get(path).get_data(as_text=True)).group(1, 2)

    def _login(self, client):
        token = next(value for value in self._token(client, "/login") if value)
        response = client.post("/login", data={"username": "maple.coord", "password": TEST_PASSWORD,
                                                "csrf_token": token})
        assert response.status_code == 302

    def test_login_without_token_is_400(self, client, app, community):
        before = _counts(app)
        client.post("/account/language", data={"locale": "en"})  # refused too: no token
        response = client.post("/login", data={"username": "maple.coord", "password": TEST_PASSWORD})
        assert response.status_code == 400
        assert _in_layout(response)
        assert client.get("/account").status_code == 302
        assert _counts(app) == before

    def test_registration_without_token_writes_nothing(self, client, app, community):
        before = _counts(app)
        response = client.post("/c/maple/join", data={
            "display_name": "张阿姨", "username": "zhang.ayi", "password": "good-pass-123",
            "confirm": "good-pass-123"})
        assert response.status_code == 400
        assert _counts(app) == before

    def test_state_changing_posts_without_token_are_400(self, client, app, community):
        self._login(client)
        before = _counts(app)
        with app.app_context():
            from timebank.communities.models import Membership

            membership_id = db.session.scalar(select(Membership.id).where(
                Membership.user_id == community["resident"]))
        for path, data in (
            ("/account/profile", {"display_name": "改了", "phone": ""}),
            ("/account/elder-mode", {"enabled": "1"}),
            ("/c/maple/admin/teams", {"name": "平安巡逻队", "kind": "patrol"}),
            (f"/c/maple/admin/members/{membership_id}/role", {"role": "volunteer"}),
            (f"/c/maple/admin/members/{membership_id}/act-for", {}),
            ("/inbox/read-all", {}),
            ("/logout", {}),
        ):
            response = client.post(path, data=data)
            assert response.status_code == 400, path
            assert _in_layout(response)
        assert _counts(app) == before
        assert client.get("/account").status_code == 200  # the logout was refused too

    def test_wrong_token_is_400(self, client, app, community):
        self._login(client)
        response = client.post("/c/maple/admin/teams", data={"name": "平安巡逻队", "kind": "patrol",
                                                              "csrf_token": "forged"})
        assert response.status_code == 400

    def test_the_forms_carry_a_working_token(self, client, app, community):
        self._login(client)
        token = next(value for value in self._token(client, "/c/maple/admin/teams") if value)
        response = client.post("/c/maple/admin/teams", data={"name": "平安巡逻队", "kind": "patrol",
                                                              "csrf_token": token})
        assert response.status_code == 302
        with app.app_context():
            from timebank.communities.models import Team

            assert db.session.scalar(select(Team.name)) == "平安巡逻队"


# --- No 500 for bad input --------------------------------------------------------------------------------------

GARBAGE = {
    "username": "a\u202eb" * 30, "password": "x" * 5000, "display_name": "<script>", "phone": "+" * 30,
    "locale": "xx", "enabled": "maybe", "next": "javascript:alert(1)", "role": "god", "reason": "r" * 10000,
    "household_id": "-99999999999999999999", "which": "household", "household-building_id": "1e99",
    "household-stairwell_id": "[]", "household-room": "", "member": "%", "is_leader": "yes", "name": "",
    "kind": "", "slug": "../..", "timezone": "../../../etc/passwd", "value": "sideways", "confirm": "",
    "current_password": "", "stairwells": "NaN", "building-stairwells": "1e400", "grid-parent_id": "0x10",
    "page": "-1", "q": "%_%",
}


def _urls(app, ids):
    """Every URL of the app, with placeholders filled in with real, foreign and absurd values."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "test_only_boom", "test_only_refuse"):
            continue
        for value in ids:
            url = rule.rule.replace("<community>", "maple")
            url = re.sub(r"<int:\w+>", str(value), url)
            url = re.sub(r"<(?:path:)?\w+>", "no_such_thing", url)
            urls.append((url, rule.methods - {"HEAD", "OPTIONS"}))
    return sorted(set((url, tuple(sorted(methods))) for url, methods in urls))


@pytest.mark.parametrize("who", ["anonymous", "maple.res", "district"])  # a district admin reaches every page
def test_no_route_answers_500_to_bad_input(client, auth, app, make, community, other_community, who):
    make.district_admin()
    if who != "anonymous":
        auth.login(who)
    seen = []
    for url, methods in _urls(app, ids=[3, 2**70]):
        for method in methods:
            if url == "/logout":
                continue
            query = {"page": "abc", "q": "\u0000x" if method == "GET" else "x", "role": "[]", "next": "//evil"}
            if method == "GET":
                response = client.get(url, query_string=query)
            else:
                response = client.open(url, method=method, data=GARBAGE, query_string=query)
            seen.append((method, url, response.status_code))
            assert response.status_code < 500, (method, url, response.status_code)
    assert len(seen) > 40


@pytest.mark.parametrize("path", ["/login", "/c/maple/join", "/account/profile", "/c/maple/admin/members/new",
                                  "/c/maple/admin/members"])
def test_nul_bytes_are_refused_not_stored(client, auth, app, community, path):
    auth.login("maple.admin")
    before = _counts(app)
    data = {"username": "nul\x00user", "display_name": "名\x00字", "password": "good-pass-123",
            "confirm": "good-pass-123", "role": "resident", "household_id": "0", "phone": ""}
    response = client.post(path, data=data) if path != "/c/maple/admin/members" else client.get(
        path, query_string={"q": "\x00"})
    assert response.status_code == 400
    assert _counts(app) == before


def test_healthz_and_static_errors_stay_plain(client):
    response = client.get("/static/no-such-file.css")
    assert response.status_code == 404
    assert 'class="app-bar"' not in response.get_data(as_text=True)
