"""Authentication of the API: bearer tokens only, scopes, expiry, revocation, login tokens and their throttle."""

from datetime import UTC, datetime, timedelta

from timebank.api.models import ApiToken
from timebank.api.tokens import hash_token
from timebank.clock import set_clock
from timebank.extensions import db


def test_no_token_is_401_with_a_bearer_challenge(api, community):
    response = api.get("/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_or_malformed_token_is_401(api, community, make_token):
    make_token(community["volunteer"])
    assert api.get("/me", "tb_not-a-real-token").json["code"] == "invalid_token"
    malformed = api.get("/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert malformed.status_code == 401 and malformed.json["code"] == "invalid_token"


def test_a_session_cookie_never_authenticates_the_api(api, auth, client, community):
    assert auth.login("maple.vol").status_code == 302
    assert client.get("/account").status_code == 200  # logged in on the web
    response = api.get("/me")
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers


def test_api_answers_set_no_cookie(api, tokens, client):
    response = api.get("/me", tokens["volunteer"])
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_token_is_stored_hashed_and_shown_once(app, community, make_token):
    secret = make_token(community["volunteer"])
    with app.app_context():
        token = db.session.scalar(db.select(ApiToken))
        assert token.token_hash == hash_token(secret) and secret not in (token.token_hash, token.prefix)
        assert secret.startswith(token.prefix)


def test_an_expired_token_is_401(app, api, community, make_token):
    secret = make_token(community["volunteer"], days=7)
    assert api.get("/me", secret).status_code == 200
    set_clock(app, lambda: datetime.now(UTC) + timedelta(days=8))
    assert api.get("/me", secret).json["code"] == "invalid_token"


def test_a_revoked_token_is_401_at_once(app, api, community, make_token):
    from timebank.api.tokens import revoke_token

    secret = make_token(community["volunteer"])
    with app.app_context():
        token = db.session.scalar(db.select(ApiToken))
        revoke_token(token, token.user)
    assert api.get("/me", secret).status_code == 401


def test_a_disabled_account_cannot_use_its_tokens(app, api, community, make_token):
    from timebank.identity.models import User

    secret = make_token(community["volunteer"])
    with app.app_context():
        db.session.get(User, community["volunteer"]).disabled = True
        db.session.commit()
    assert api.get("/me", secret).status_code == 401


def test_last_used_is_recorded(app, api, community, make_token):
    secret = make_token(community["volunteer"])
    api.get("/me", secret)
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken)).last_used_at is not None


def test_wrong_scope_is_403_insufficient_scope(api, community, make_token):
    read_only = make_token(community["volunteer"], scopes=("read",))
    response = api.post("/communities/maple/gifts", read_only, json={"receiver": "maple.res", "minutes": 60})
    assert response.status_code == 403
    assert response.json["code"] == "insufficient_scope"
    assert 'scope="check-in"' in response.headers["WWW-Authenticate"]
    check_in_only = make_token(community["volunteer"], scopes=("check-in",))
    assert api.get("/me", check_in_only).json["code"] == "insufficient_scope"


def test_login_token_for_a_mobile_client(api, community):
    response = api.post("/auth/token", json={"username": "maple.vol", "password": "test-pass-123",
                                             "client_name": "小程序"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["token_type"] == "Bearer" and body["kind"] == "login" and body["name"] == "小程序"
    assert sorted(body["scopes"]) == ["check-in", "coordinate", "read"]
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11) < expires - datetime.now(UTC) <= timedelta(hours=12)
    assert api.get("/me", body["token"]).json["user"]["username"] == "maple.vol"
    assert api.get("/auth/token", body["token"]).json["kind"] == "login"
    assert api.delete("/auth/token", body["token"]).status_code == 204
    assert api.get("/me", body["token"]).status_code == 401


def test_login_token_with_chosen_scopes(api, community):
    body = api.post("/auth/token", json={"username": "maple.vol", "password": "test-pass-123",
                                         "scopes": ["read"]}).json
    assert body["scopes"] == ["read"]


def test_wrong_password_gives_one_message_for_all(api, community):
    wrong = api.post("/auth/token", json={"username": "maple.vol", "password": "nope-nope-1"})
    unknown = api.post("/auth/token", json={"username": "nobody", "password": "nope-nope-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["code"] == unknown.json["code"] == "invalid_credentials"
    assert wrong.json["detail"] == unknown.json["detail"]


def test_a_password_change_ends_login_tokens_but_not_personal_ones(app, api, community, make_token):
    from timebank.identity.models import User
    from timebank.identity.services import change_password

    login = api.post("/auth/token", json={"username": "maple.vol", "password": "test-pass-123"}).json["token"]
    personal = make_token(community["volunteer"])
    with app.test_request_context():
        change_password(db.session.get(User, community["volunteer"]), "test-pass-123", "new-pass-456")
    assert api.get("/me", login).status_code == 401
    assert api.get("/me", personal).status_code == 200


def test_login_for_a_token_shares_the_web_login_throttle(app, api, auth, community):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 5 minutes"
    auth.login("maple.vol", "wrong-pass-1")
    auth.login("maple.vol", "wrong-pass-2")
    api.post("/auth/token", json={"username": "maple.vol", "password": "wrong-pass-3"})
    blocked = api.post("/auth/token", json={"username": "maple.vol", "password": "test-pass-123"})
    assert blocked.status_code == 429
    assert blocked.json["code"] == "rate_limited" and "Retry-After" in blocked.headers
    assert auth.login("maple.vol").status_code == 429  # and the web form counts the API's failures too


def test_api_rate_limit_per_token(app, api, community, make_token):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    secret = make_token(community["volunteer"])
    other = make_token(community["resident"])
    assert [api.get("/me", secret).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api.get("/me", other).status_code == 200  # counted per token


def test_csrf_does_not_apply_to_the_api(app, api, community, make_token):
    app.config["WTF_CSRF_ENABLED"] = True
    secret = make_token(community["volunteer"])
    response = api.post("/communities/maple/certificates", secret, json={})
    assert response.status_code == 422  # refused by the rules (no hours yet), not by CSRF
    assert response.json["code"] == "validation_failed"


def test_erasure_revokes_every_token(app, api, community, make_token):
    from timebank.api.plugin import timebank_member_erased
    from timebank.communities.models import Community
    from timebank.identity.models import User

    secret = make_token(community["volunteer"])
    with app.test_request_context():
        timebank_member_erased(user=db.session.get(User, community["volunteer"]),
                               community=db.session.scalar(db.select(Community)))
    assert api.get("/me", secret).status_code == 401


def test_personal_data_lists_tokens_without_secrets(app, community, make_token):
    from timebank.api.plugin import timebank_personal_data
    from timebank.identity.models import User

    secret = make_token(community["volunteer"], name="小程序")
    with app.test_request_context():
        data = timebank_personal_data(user=db.session.get(User, community["volunteer"]))
    assert data["access_tokens"][0]["name"] == "小程序"
    assert secret not in repr(data) and hash_token(secret) not in repr(data)


def test_tokens_never_reach_the_logs(app, api, client, community, make_token, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    secret = make_token(community["volunteer"])
    api.get("/me", secret)
    api.get("/communities/maple/queue", secret[:-2] + "xx")  # a wrong one too
    login = api.post("/auth/token", json={"username": "maple.vol", "password": "test-pass-123"})
    assert login.status_code == 201
    api.delete("/auth/token", login.json["token"])
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "API token" in logged  # creating tokens is logged, by id
    for token in (secret, secret[:-2] + "xx", login.json["token"], "test-pass-123"):
        assert token not in logged and token[3:20] not in logged
