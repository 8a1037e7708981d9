"""The honour awards API: campaigns and the public vote (one a day per household, also when retried), the public
notice board and objections (any account), the honour wall, and isolation (other communities, scopes, the plugin
switched off)."""

from datetime import timedelta

import pytest
from timebank_plugins.honor_awards import awards, nominations, notices, review
from timebank_plugins.honor_awards.services import campaign_in, nomination_in

from timebank.extensions import db

from .conftest import TODAY

BASE = "/api/v1/communities/maple/p/honor-awards"
STORY = "热心帮助邻居，常年照顾楼里的独居老人，邻里评价很好。"
REASON = "据我所知这家人上个月还在楼道里堆放杂物，不符合条件。"


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "10000 per minute", "API_RATE_LIMIT_PER_IP": "10000 per minute"}


@pytest.fixture
def token(app, maple):
    from timebank.api.tokens import create_personal_token
    from timebank.identity.models import User

    def make(username, scopes=("read", "check-in")):
        with app.app_context():
            user = db.session.scalar(db.select(User).where(User.username == username))
            return create_personal_token(user, "test", list(scopes), 30)[1]

    return make


def call(client, method, path, secret=None, **kwargs):
    headers = dict(kwargs.pop("headers", {}))
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return client.open(BASE + path, method=method, headers=headers, **kwargs)


@pytest.fixture
def shortlist(ctx, make_campaign, clock):
    """A household campaign with a vote on days 10–13, quota 2, and three shortlisted families (vol, res, res2)."""
    campaign_id = make_campaign(quota=2)

    def build(c, users):
        campaign = campaign_in(c, campaign_id)
        return [nominations.nominate(campaign, c, users[name], nominator_kind="self", statement=STORY,
                                     motto="邻里一家亲", full_name_consent=name == "vol").id
                for name in ("vol", "res", "res2")]

    ids = ctx(build)
    clock.day(8)
    for nomination_id in ids:
        def score(c, users, n=nomination_id):
            nomination = nomination_in(c, n)
            review.record_visit(nomination, c, users["coord"], TODAY + timedelta(days=7), "入户走访，情况属实。")
            first, second = nomination.campaign.criteria_items
            review.save_scores(nomination, c, users["coord"], {first.id: 50, second.id: 30})
            review.set_shortlisted(nomination, c, users["coord"])
        ctx(score)
    return {"campaign": campaign_id, "nominations": ids}


def test_campaigns_and_one_vote_a_day_per_household(client, clock, shortlist, token):
    vol, res = token("vol"), token("res")
    listed = call(client, "GET", "/campaigns", res)
    assert listed.status_code == 200, listed.json
    [campaign] = listed.json["items"]
    assert campaign["phase"] == "reviewing" and campaign["has_vote"] and campaign["kind"] == "household"
    assert campaign["phase_label"] == "评审中"  # in the owner's language (Chinese by default)
    path = f"/campaigns/{shortlist['campaign']}"
    assert call(client, "GET", path, res).json["candidates"] == []  # no vote yet
    early = call(client, "POST", path + "/votes", res, json={"nomination_id": shortlist["nominations"][0]})
    assert early.status_code == 422 and early.json["code"] == "validation_failed"

    clock.day(10)
    shown = call(client, "GET", path, res).json
    assert shown["phase"] == "voting" and shown["my_vote_today"] is None
    assert [(c["nomination_id"], c["motto"]) for c in shown["candidates"]] == [
        (n, "邻里一家亲") for n in shortlist["nominations"]]
    assert shown["candidates"][0]["name"].startswith("陈志强") and "*" in shown["candidates"][1]["name"]
    body = {"nomination_id": shortlist["nominations"][0]}
    voted = call(client, "POST", path + "/votes", res, json=body, headers={"Idempotency-Key": "vote-1"})
    assert voted.status_code == 201, voted.json
    assert voted.json["vote_day"] == (TODAY + timedelta(days=10)).isoformat() and voted.json["message"]
    replay = call(client, "POST", path + "/votes", res, json=body, headers={"Idempotency-Key": "vote-1"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    again = call(client, "POST", path + "/votes", res, json=body, headers={"Idempotency-Key": "vote-2"})
    assert again.status_code == 422 and again.json["detail"]  # one vote per household per day
    assert call(client, "GET", path, res).json["my_vote_today"] == shortlist["nominations"][0]
    assert call(client, "POST", path + "/votes", vol, json=body).status_code == 201  # another household
    clock.day(11)
    assert call(client, "POST", path + "/votes", res, json=body).status_code == 201  # a new day
    not_listed = call(client, "POST", path + "/votes", res, json={"nomination_id": 999999})
    assert not_listed.status_code == 404
    assert call(client, "POST", path + "/votes", res, json={}).json["errors"][0]["field"] == "nomination_id"


def test_notice_board_objections_and_honour_wall(client, ctx, clock, make, shortlist, token):
    clock.day(14)

    def publish(c, users):
        return awards.publish_notice(campaign_in(c, shortlist["campaign"]), c, users["coord"],
                                     shortlist["nominations"][:2]).id

    notice_id = ctx(publish)
    board = call(client, "GET", "/notices")  # public: no token
    assert board.status_code == 200, board.json
    [notice] = board.json["open"]
    assert notice["id"] == notice_id and notice["accepting_objections"] is True
    labels = [item["label"] for item in notice["items"]]
    assert len(labels) == 2 and "陈志强" in labels[0] and "*" in labels[1]
    assert call(client, "GET", f"/notices/{notice_id}").json["items"] == notice["items"]
    assert call(client, "GET", "/notices/999999").status_code == 404

    path = f"/notices/{notice_id}/objections"
    assert call(client, "POST", path, json={"reason": REASON}).status_code == 401
    short = call(client, "POST", path, token("res3"), json={"reason": "不同意"})
    assert short.status_code == 422 and short.json["errors"][0]["field"] == "reason"
    make.community("oak", "橡树社区")
    make.member("oak", "outsider", role="resident", display_name="外人")
    outsider = token("outsider")
    lodged = call(client, "POST", path, outsider, json={"reason": REASON, "item_id": notice["items"][1]["id"]},
                  headers={"Idempotency-Key": "objection-1"})
    assert lodged.status_code == 201, lodged.json  # anyone with an account, as on the web
    assert lodged.json["status"] == "open" and lodged.json["item_id"] == notice["items"][1]["id"]
    twice = call(client, "POST", path, outsider, json={"reason": REASON, "item_id": notice["items"][1]["id"]})
    assert twice.status_code == 422
    assert call(client, "GET", "/campaigns", outsider).status_code == 404  # the rest is for members only
    assert call(client, "POST", path, token("res3", scopes=("read",)), json={"reason": REASON}).json[
        "code"] == "insufficient_scope"

    def dismiss_and_close(c, users):
        notice = notices.notice_in(c, notice_id)
        for objection in notices.objections_of(notice):
            notices.resolve_objection(objection, c, users["coord"], upheld=False, resolution="经核实，情况不属实。")
        notices.close_notice(notice, c, users["coord"])

    clock.day(30)
    ctx(dismiss_and_close)
    wall = call(client, "GET", "/honours")
    assert wall.status_code == 200, wall.json
    assert wall.json["year"] == 2026 and wall.json["years"] == [2026]
    [group] = wall.json["groups"]
    assert len(group["honours"]) == 2 and group["honours"][0]["name"].startswith("陈志强")
    assert call(client, "GET", "/honours?year=2025").json["groups"] == []
    assert call(client, "GET", "/honours?year=1").status_code == 422
    final = call(client, "GET", f"/campaigns/{shortlist['campaign']}", token("res")).json
    assert final["phase"] == "final" and len(final["results"]) == 2


def test_other_communities_and_a_switched_off_plugin(app, client, make, maple, shortlist, token):
    make.community("oak", "橡树社区")
    make.member("oak", "oakie", role="coordinator", display_name="周强")
    assert call(client, "GET", f"/campaigns/{shortlist['campaign']}", token("oakie")).status_code == 404
    oak = client.get(f"/api/v1/communities/oak/p/honor-awards/campaigns/{shortlist['campaign']}",
                     headers={"Authorization": f"Bearer {token('oakie')}"})
    assert oak.status_code == 404  # the campaign belongs to maple

    from timebank.communities.models import Community
    from timebank.plugin_state import set_plugin_enabled

    with app.app_context():
        set_plugin_enabled(db.session.get(Community, maple["community"]), "honor_awards", False)
    assert call(client, "GET", "/campaigns", token("res")).status_code == 404
    assert call(client, "GET", "/honours").status_code == 404  # public pages are off too
