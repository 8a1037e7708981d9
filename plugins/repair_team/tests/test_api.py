"""The repair team's API: a resident's request through its whole life, a volunteer's job, and isolation."""

from datetime import timedelta

import pytest

from timebank.extensions import db

BASE = "/api/v1/communities/maple/p/repair-team"


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "10000 per minute", "API_RATE_LIMIT_PER_IP": "10000 per minute"}


@pytest.fixture
def token(app, repair):
    from timebank.api.tokens import create_personal_token
    from timebank.identity.models import User

    def make(username, scopes=("read", "check-in")):
        with app.app_context():
            user = db.session.scalar(db.select(User).where(User.username == username))
            return create_personal_token(user, "test", list(scopes), 30)[1]

    return make


def call(client, method, path, secret, **kwargs):
    return client.open(BASE + path, method=method, headers={"Authorization": f"Bearer {secret}",
                                                            **kwargs.pop("headers", {})}, **kwargs)


def assign(ctx, clock, order_id, username="vol"):
    from timebank_plugins.repair_team import dispatch, services

    def run(c, users):
        order = services.order_in(c, order_id)
        dispatch.assign(order, c, users["coord"], users[username], clock.now() + timedelta(hours=2))

    ctx(run)


def test_a_request_from_submission_to_rating(client, ctx, clock, repair, token):
    res, vol = token("res"), token("vol")
    created = call(client, "POST", "/requests", res, json={"category": "water", "description": "厨房水龙头滴水"},
                   headers={"Idempotency-Key": "req-1"})
    assert created.status_code == 201, created.json
    order = created.json
    assert order["status"] == "submitted" and order["address"].endswith("402") and order["signoff_code"]
    assert call(client, "POST", "/requests", res, json={"category": "water", "description": "厨房水龙头滴水"},
                headers={"Idempotency-Key": "req-1"}).json["id"] == order["id"]  # a retry makes no second order
    assert [item["id"] for item in call(client, "GET", "/requests", res).json["items"]] == [order["id"]]

    assign(ctx, clock, order["id"])
    job = call(client, "GET", "/jobs", vol).json["items"][0]
    assert job["id"] == order["id"] and job["signoff_code"] is None  # the volunteer never sees the code
    for action in ("on_the_way", "start"):
        assert call(client, "POST", f"/requests/{order['id']}/status", vol, json={"action": action}).status_code \
            == 200
    clock.at(60)
    finished = call(client, "POST", f"/requests/{order['id']}/status", vol,
                    json={"action": "finish", "work_note": "换了垫圈"})
    assert finished.json["status"] == "done"
    not_mine = call(client, "POST", f"/requests/{order['id']}/status", vol, json={"action": "rate", "rating": 5})
    assert not_mine.status_code in (403, 422)
    signed = call(client, "POST", f"/requests/{order['id']}/status", res, json={"action": "sign_off"})
    assert signed.status_code == 200 and signed.json["status"] == "signed_off"
    rated = call(client, "POST", f"/requests/{order['id']}/status", res, json={"action": "rate", "rating": 5})
    assert rated.json["status"] == "closed" and rated.json["rating"] == 5
    assert [event["action"] for event in rated.json["history"]][:2] == ["submitted", "assigned"]


def test_bad_input_and_wrong_steps_are_refused(client, ctx, clock, repair, token):
    res = token("res")
    missing = call(client, "POST", "/requests", res, json={"category": "water"})
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "description"
    wrong_kind = call(client, "POST", "/requests", res, json={"category": "roof", "description": "x"})
    assert wrong_kind.status_code == 422
    order_id = call(client, "POST", "/requests", res, json={"category": "water", "description": "漏水"}).json["id"]
    too_early = call(client, "POST", f"/requests/{order_id}/status", res, json={"action": "sign_off"})
    assert too_early.status_code == 422
    no_reason = call(client, "POST", f"/requests/{order_id}/status", res, json={"action": "cancel"})
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "reason"
    cancelled = call(client, "POST", f"/requests/{order_id}/status", res, json={"action": "cancel",
                                                                                 "reason": "自己修好了"})
    assert cancelled.json["status"] == "cancelled"


def test_other_peoples_requests_and_other_communities_do_not_exist(app, client, repair, token):
    order_id = call(client, "POST", "/requests", token("res"), json={"category": "water",
                                                                      "description": "漏水"}).json["id"]
    assert call(client, "GET", f"/requests/{order_id}", token("res2")).status_code == 404
    assert call(client, "GET", f"/requests/{order_id}", token("coord")).status_code == 200  # staff see it
    assert call(client, "GET", "/requests", token("oak.coord")).status_code == 404
    read_only = token("res", scopes=("read",))
    assert call(client, "POST", "/requests", read_only, json={"category": "water", "description": "x"}).json[
        "code"] == "insufficient_scope"

    from timebank.communities.models import Community
    from timebank.plugin_state import set_plugin_enabled

    with app.app_context():
        set_plugin_enabled(db.session.get(Community, repair["community"]), "repair_team", False)
    assert call(client, "GET", "/requests", token("res")).status_code == 404
