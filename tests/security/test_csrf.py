"""CSRF: every state-changing route of the url_map (core and plugins; /api/ uses bearer tokens, never cookies, and
is exempt) refuses a POST without a valid token, even when the rest of the form is exactly what the page would
send, and writes nothing. The "no state change over GET" half is in test_isolation_matrix.py (every GET as every
role, with the committed writes recorded)."""

import pytest

from .conftest import PASSWORD, client_for, csrf_token
from .routes import all_rules, url_for_rule


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def state_changing(app, ids):
    methods = ("POST", "PUT", "PATCH", "DELETE")
    return [(method, url_for_rule(rule, ids), rule) for rule in all_rules(app) for method in methods
            if method in rule.methods]


def test_every_post_without_a_valid_token_is_refused(app, world, page_forms, writes):
    """As the district admin (who may do nearly everything) with no token, another session's token and a forged
    one; and as an anonymous visitor with no token."""
    client, anonymous = client_for(app, "district"), app.test_client()
    stolen = csrf_token(client_for(app, "a.res"), "/account")  # a token of another session is no better than none
    requests = state_changing(app, world)
    assert len(requests) > 100
    accepted = []
    for method, url, rule in requests:
        form = page_forms.get(url)
        data = form.plausible_data() if form else {}
        attempts = [(client, data), (client, dict(data, csrf_token=stolen)),
                    (client, dict(data, csrf_token="forged")), (anonymous, data)]
        for client_used, attempt in attempts:
            with writes.watch() as written:
                response = client_used.open(url, method=method, data=attempt)
            if response.status_code != 400 or written:
                accepted.append(f"{method} {url} ({rule.endpoint}) with token {attempt.get('csrf_token')!r}: "
                                f"{response.status_code}, wrote {written}")
            response.close()
    assert not accepted, "State-changing requests accepted without a valid CSRF token:\n" + "\n".join(accepted)


def test_the_same_requests_with_the_token_get_through(app, world):
    """The control: with the page's token, the login form works (so the 400s above are the CSRF check)."""
    client = app.test_client()
    response = client.post("/login", data={"username": "a.vol", "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and response.headers["Location"] != "/login"
    token = csrf_token(client, "/account")
    response = client.post("/account/language", data={"locale": "en", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/account").get_data(as_text=True).count("English") >= 1
