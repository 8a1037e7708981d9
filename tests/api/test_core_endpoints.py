"""The core endpoints: me, records, claims, gifts, certificates, the queue, plugins; and their isolation."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from timebank.extensions import db


def claim_body(hours_ago=26, minutes=None, **extra):
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    body = {"category": "ledger.elder_care", "activity_name": "陪伴老人", "started_at": start.isoformat(),
            "ended_at": (start + timedelta(hours=2)).isoformat(), "evidence_note": "签到表"}
    if minutes is not None:
        body["minutes"] = minutes
    body.update(extra)
    return body


def test_me_lists_profile_communities_roles_balances_and_stars(api, tokens, other_community, make_token):
    body = api.get("/me", tokens["coordinator"]).json
    assert body["user"]["username"] == "maple.coord"
    [membership] = body["communities"]
    assert membership["community"]["slug"] == "maple" and membership["role"] == "coordinator"
    assert membership["hours"]["stars"] == 0 and membership["hours"]["credit_minutes"] == 0
    assert "ledger.confirm" in membership["permissions"]
    resident = api.get("/me", tokens["resident"]).json["communities"][0]
    assert "ledger.confirm" not in resident["permissions"]


def test_claim_then_list_and_read_my_records(api, tokens):
    created = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body())
    assert created.status_code == 201, created.json
    record = created.json
    assert record["status"] == "pending" and record["minutes"] == 120 and record["is_backfill"] is True
    assert created.headers["Location"].endswith(f"/records/{record['id']}")
    page = api.get("/communities/maple/records", tokens["volunteer"]).json
    assert page["total"] == 1 and page["items"][0]["id"] == record["id"]
    assert api.get("/communities/maple/records?status=confirmed", tokens["volunteer"]).json["total"] == 0
    assert api.get(f"/communities/maple/records/{record['id']}", tokens["volunteer"]).json["activity_name"] == "陪伴老人"
    # Someone else's record does not exist for me.
    assert api.get(f"/communities/maple/records/{record['id']}", tokens["coordinator"]).status_code == 404


def test_a_bad_claim_is_refused_with_field_errors_in_my_language_and_writes_nothing(app, api, tokens):
    from timebank.ledger.models import ServiceRecord

    future = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body(hours_ago=-30))
    assert future.status_code == 422
    assert future.json["errors"][0]["field"] == "ended_at"
    assert "只能" in future.json["detail"] or "已经" in future.json["detail"]  # Chinese by default
    wrong_type = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body(minutes="many"))
    assert wrong_type.status_code == 422
    assert {"field": "minutes", "message": "请输入整数。"} in wrong_type.json["errors"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRecord.id))) == 0


def test_a_claim_past_midnight_is_a_night_service_up_to_twelve_hours(app, api, tokens):
    from timebank.ledger.models import ServiceRecord

    zone = ZoneInfo("Asia/Shanghai")
    day = datetime.now(zone).date() - timedelta(days=3)

    def at(days, hour):
        return datetime.combine(day + timedelta(days=days), time(hour), zone).isoformat()

    typed_wrong = api.post("/communities/maple/claims", tokens["volunteer"],
                           json=claim_body(started_at=at(0, 10), ended_at=at(1, 9)))  # 23 hours
    assert typed_wrong.status_code == 422
    [error] = typed_wrong.json["errors"]
    assert error["field"] == "ended_at" and error["message"].startswith("结束时间早于开始时间")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ServiceRecord.id))) == 0
    patrol = api.post("/communities/maple/claims", tokens["volunteer"],
                      json=claim_body(started_at=at(0, 22), ended_at=at(1, 6)))
    assert patrol.status_code == 201 and patrol.json["minutes"] == 480


def test_errors_follow_the_token_owners_language(app, api, tokens, community):
    from timebank.identity.models import User

    with app.app_context():
        db.session.get(User, community["volunteer"]).locale = "en"
        db.session.commit()
    response = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body(minutes="many"))
    assert {"field": "minutes", "message": "Enter a whole number."} in response.json["errors"]


def test_a_resident_cannot_claim_hours(api, tokens):
    response = api.post("/communities/maple/claims", tokens["resident"], json=claim_body())
    assert response.status_code == 403 and response.json["code"] == "forbidden"


def test_queue_confirm_one_and_many(api, tokens):
    ids = [api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body(hours_ago=hours)).json["id"]
           for hours in (30, 50, 70)]
    queue = api.get("/communities/maple/queue", tokens["coordinator"]).json
    assert queue["total"] == 3 and queue["items"][0]["volunteer"]["display_name"] == "陈志强"
    assert queue["items"][0]["volunteer_number"]
    one = api.post(f"/communities/maple/queue/{ids[0]}/decision", tokens["coordinator"], json={"action": "confirm"})
    assert one.status_code == 200 and one.json["done"] == [ids[0]]
    many = api.post("/communities/maple/queue/decisions", tokens["coordinator"],
                    json={"record_ids": ids, "action": "confirm"})
    assert sorted(many.json["done"]) == ids[1:]
    assert [item["id"] for item in many.json["skipped"]] == [ids[0]]
    me = api.get("/me", tokens["volunteer"]).json["communities"][0]["hours"]
    assert me["confirmed_minutes"] == 360


def test_reject_needs_a_reason(api, tokens):
    record_id = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body()).json["id"]
    refused = api.post(f"/communities/maple/queue/{record_id}/decision", tokens["coordinator"],
                       json={"action": "reject"})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "reason"
    done = api.post(f"/communities/maple/queue/{record_id}/decision", tokens["coordinator"],
                    json={"action": "reject", "reason": "没有签到记录"})
    assert done.status_code == 200
    assert api.get(f"/communities/maple/records/{record_id}", tokens["volunteer"]).json["status"] == "rejected"


def test_queue_needs_a_coordinator_and_the_coordinate_scope(api, tokens, community, make_token):
    record_id = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body()).json["id"]
    assert api.get("/communities/maple/queue", tokens["volunteer"]).status_code == 403
    own = api.post(f"/communities/maple/queue/{record_id}/decision", tokens["volunteer"], json={"action": "confirm"})
    assert own.status_code == 403  # nobody confirms their own hours
    read_only = make_token(community["coordinator"], scopes=("read",))
    assert api.get("/communities/maple/queue", read_only).status_code == 200
    assert api.post(f"/communities/maple/queue/{record_id}/decision", read_only,
                    json={"action": "confirm"}).json["code"] == "insufficient_scope"


def test_gift_and_certificate(app, api, tokens):
    from timebank.communities.models import Community
    from timebank.settings import save_settings

    with app.test_request_context():
        save_settings("core_ledger", {"gift_policy": "any_member"}, community=db.session.scalar(db.select(Community)))
    record_id = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body()).json["id"]
    api.post(f"/communities/maple/queue/{record_id}/decision", tokens["coordinator"], json={"action": "confirm"})
    credits = api.get("/me", tokens["volunteer"]).json["communities"][0]["hours"]["credit_minutes"]
    assert credits == 120
    gift = api.post("/communities/maple/gifts", tokens["volunteer"], json={"receiver": "maple.res", "minutes": 60})
    assert gift.status_code == 201, gift.json
    assert gift.json["credit_minutes_left"] == 60 and gift.json["receiver"]["display_name"] == "刘洋"
    too_much = api.post("/communities/maple/gifts", tokens["volunteer"], json={"receiver": "maple.res",
                                                                                "minutes": 600})
    assert too_much.status_code == 422 and too_much.json["code"] == "ledger_rejected"
    nobody = api.post("/communities/maple/gifts", tokens["volunteer"], json={"receiver": "oak.res", "minutes": 1})
    assert nobody.status_code == 422 and nobody.json["errors"][0]["field"] == "receiver"

    certificate = api.post("/communities/maple/certificates", tokens["volunteer"], json={})
    assert certificate.status_code == 201, certificate.json
    number = certificate.json["number"]
    assert certificate.json["total_minutes"] == 120
    issued_at = datetime.fromisoformat(certificate.json["issued_at"])
    issued_on = issued_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert certificate.json["issued_on"] == issued_on.isoformat()  # the date printed on it: Beijing's
    assert [item["number"] for item in api.get("/communities/maple/certificates", tokens["volunteer"]).json["items"]] \
        == [number]
    public = api.get(f"/certificates/{number}")  # no token needed
    assert public.status_code == 200 and public.json["genuine"] is True and public.json["total_minutes"] == 120
    assert public.json["issued_on"] == issued_on.isoformat()
    assert api.get("/certificates/ZY2026-AAAA-AAAA").status_code == 404


def test_plugins_that_are_on(app, api, tokens):
    from timebank.communities.models import Community
    from timebank.plugin_state import set_plugin_enabled

    names = {item["name"] for item in api.get("/communities/maple/plugins", tokens["resident"]).json["items"]}
    with app.app_context():
        set_plugin_enabled(db.session.scalar(db.select(Community)), "qr_checkin", False)
    after = {item["name"] for item in api.get("/communities/maple/plugins", tokens["resident"]).json["items"]}
    assert "qr_checkin" in names and after == names - {"qr_checkin"}


@pytest.mark.parametrize("path", ["", "/plugins", "/records", "/certificates", "/queue"])
def test_another_community_is_404(api, tokens, other_community, path):
    response = api.get("/communities/oak" + path, tokens["coordinator"])
    assert response.status_code == 404 and response.json["code"] == "not_found"
    assert api.get("/communities/nowhere" + path, tokens["coordinator"]).status_code == 404


def test_another_communitys_record_is_404_even_for_its_coordinator(api, tokens, other_community, make_token):
    record_id = api.post("/communities/maple/claims", tokens["volunteer"], json=claim_body()).json["id"]
    oak = make_token(other_community["coordinator"])
    assert api.post(f"/communities/oak/queue/{record_id}/decision", oak, json={"action": "confirm"}).status_code \
        == 404
    assert api.post(f"/communities/maple/queue/{record_id}/decision", oak, json={"action": "confirm"}).status_code \
        == 404


def test_a_district_admin_sees_every_community(api, make, make_token, community):
    district = make_token(make.district_admin())
    assert api.get("/communities/maple", district).json["my_membership"] is None
    assert api.get("/communities/maple/queue", district).status_code == 200
