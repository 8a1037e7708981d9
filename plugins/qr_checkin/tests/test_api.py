"""The QR check-in API: shifts, sign-up, my shifts, scans (with idempotency keys), and its isolation rules."""

import pytest

from timebank.extensions import db

BASE = "/api/v1/communities/maple/p/qr-checkin"


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "10000 per minute", "API_RATE_LIMIT_PER_IP": "10000 per minute"}


@pytest.fixture
def token(app, duty):
    """``token("vol", scopes=...)``: a personal access token of a member of maple."""
    from timebank.api.tokens import create_personal_token
    from timebank.identity.models import User

    def make(username, scopes=("read", "check-in")):
        with app.app_context():
            user = db.session.scalar(db.select(User).where(User.username == username))
            return create_personal_token(user, "test", list(scopes), 30)[1]

    return make


def call(client, method, path, secret, **kwargs):
    headers = {"Authorization": f"Bearer {secret}", **kwargs.pop("headers", {})}
    return client.open(BASE + path, method=method, headers=headers, **kwargs)


@pytest.fixture
def poster(app, duty):
    from timebank_plugins.qr_checkin import tokens
    from timebank_plugins.qr_checkin.models import DutyPost

    with app.test_request_context():
        return tokens.poster_token(db.session.get(DutyPost, duty["post"]))


def test_shifts_sign_up_and_leave(client, clock, duty, token):
    vol = token("vol")
    shifts = call(client, "GET", "/shifts", vol).json["items"]
    assert [shift["id"] for shift in shifts] == [duty["shift"]]
    assert shifts[0]["post"]["name"] == "北门岗亭" and shifts[0]["my_signup"] is None
    signed = call(client, "POST", f"/shifts/{duty['shift']}/signup", vol)
    assert signed.status_code == 201 and signed.json["status"] == "confirmed"
    again = call(client, "POST", f"/shifts/{duty['shift']}/signup", vol)
    assert again.status_code == 422 and again.json["code"] == "validation_failed"
    mine = call(client, "GET", "/my-shifts", vol).json
    assert [shift["id"] for shift in mine["upcoming"]] == [duty["shift"]]
    assert mine["upcoming"][0]["my_signup"] == "confirmed"
    assert call(client, "DELETE", f"/shifts/{duty['shift']}/signup", vol).status_code == 204
    assert call(client, "GET", "/my-shifts", vol).json["upcoming"] == []


def test_a_resident_cannot_sign_up(client, clock, duty, token):
    response = call(client, "POST", f"/shifts/{duty['shift']}/signup", token("res"))
    assert response.status_code == 403


def test_scan_checks_in_then_out_and_a_retry_does_not_check_in_twice(app, client, clock, duty, token, poster):
    from timebank_plugins.qr_checkin.models import Attendance

    vol = token("vol")
    clock.at(-5)
    body = {"token": f"https://tb.example.org/p/qr-checkin/scan/{poster}"}
    first = call(client, "POST", "/scans", vol, json=body, headers={"Idempotency-Key": "scan-1"})
    assert first.status_code == 200, first.json
    assert first.json["outcome"] == "checked_in" and first.json["post"]["name"] == "北门岗亭"
    clock.at(3)  # the phone retries three minutes later: same key, same answer, nothing new
    retry = call(client, "POST", "/scans", vol, json=body, headers={"Idempotency-Key": "scan-1"})
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attendance.id))) == 1
    clock.at(120)
    out = call(client, "POST", "/scans", vol, json={"token": poster}, headers={"Idempotency-Key": "scan-2"})
    assert out.json["outcome"] == "checked_out"
    assert out.json["attendance"]["minutes"] == 120 and out.json["attendance"]["record_id"]
    recent = call(client, "GET", "/my-shifts", vol).json["recent_attendance"]
    assert recent[0]["record_id"] == out.json["attendance"]["record_id"]


def test_scan_problems(client, clock, duty, token, poster):
    vol = token("vol")
    clock.at(-300)
    closed = call(client, "POST", "/scans", vol, json={"token": poster})
    assert closed.status_code == 422 and closed.json["code"] == "no_open_shift"
    forged = call(client, "POST", "/scans", vol, json={"token": "not-a-code"})
    assert forged.status_code == 422 and forged.json["code"] == "code_invalid"
    nothing = call(client, "POST", "/scans", vol, json={})
    assert nothing.status_code == 422 and nothing.json["errors"][0]["field"] == "token"
    clock.at(0)
    resident = call(client, "POST", "/scans", token("res"), json={"token": poster})
    assert resident.status_code == 403 and resident.json["code"] == "not_volunteer"


def test_scopes_and_isolation(app, client, clock, duty, token, poster, make):
    from timebank.communities.models import Community
    from timebank.plugin_state import set_plugin_enabled

    read_only = token("vol", scopes=("read",))
    assert call(client, "GET", "/shifts", read_only).status_code == 200
    assert call(client, "POST", "/scans", read_only, json={"token": poster}).json["code"] == "insufficient_scope"
    make.community("oak", "橡树社区")
    make.member("oak", "oak.vol", role="volunteer")
    outsider = token("oak.vol")
    assert call(client, "GET", "/shifts", outsider).status_code == 404
    # maple's poster scanned through oak's address is not a code of oak
    clock.at(0)
    through_oak = client.post("/api/v1/communities/oak/p/qr-checkin/scans", json={"token": poster},
                              headers={"Authorization": f"Bearer {outsider}"})
    assert through_oak.status_code == 422 and through_oak.json["code"] == "code_invalid"
    with app.app_context():
        set_plugin_enabled(db.session.scalar(db.select(Community).where(Community.slug == "maple")), "qr_checkin",
                           False)
    assert call(client, "GET", "/shifts", token("vol")).status_code == 404
    assert call(client, "POST", "/scans", token("vol"), json={"token": poster}).status_code == 404
