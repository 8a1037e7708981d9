"""The plugin over HTTP: the switch, nav item and card, who may open what (403 / 404), public pages without login,
privacy on public pages, forms with errors beside the field, double submissions, certificates, tasks, CLI."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select
from timebank_plugins.honor_awards import awards, nominations, notices, review
from timebank_plugins.honor_awards.models import Award, Campaign, Nomination, Notice, Objection, Photo, Vote
from timebank_plugins.honor_awards.services import campaign_in, nomination_in

from timebank.extensions import db
from timebank.plugin_state import set_plugin_enabled

from .conftest import TODAY, login

STORY = "热心帮助邻居，常年照顾楼里的独居老人，邻里评价很好。"
SECRET_REASON = "家庭成员有赌博违法记录（内部）"


def count(ctx, model):
    return ctx(lambda c, users: db.session.scalar(select(func.count(model.id))))


@pytest.fixture
def running(ctx, make_campaign, clock):
    """A campaign with public vote (days 10–13), two shortlisted families (陈志强 consented to his full name,
    赵大爷 did not), one disqualified; clock on day 10 (voting)."""
    campaign_id = make_campaign(quota=2)

    def build(c, users):
        campaign = campaign_in(c, campaign_id)
        return [nominations.nominate(campaign, c, users[name], nominator_kind="self", statement=STORY,
                                     full_name_consent=name == "vol").id for name in ("vol", "res", "res2")]

    ids = ctx(build)
    clock.day(8)

    def review_all(c, users):
        for nomination_id, points in zip(ids[:2], (87, 73), strict=True):
            nomination = nomination_in(c, nomination_id)
            review.record_visit(nomination, c, users["coord"], TODAY + timedelta(days=7), "入户走访，情况属实。")
            first, second = nomination.campaign.criteria_items
            review.save_scores(nomination, c, users["coord"], {first.id: points * 60 // 100,
                                                               second.id: points * 40 // 100})
            review.set_shortlisted(nomination, c, users["coord"])
        nominations.disqualify(nomination_in(c, ids[2]), c, users["coord"], SECRET_REASON)

    ctx(review_all)
    clock.day(10)
    return {"campaign": campaign_id, "nominations": ids}


def switch(ctx, on):
    ctx(lambda c, users: set_plugin_enabled(c, "honor_awards", on, users["admin"]))


def test_routes_nav_and_card_follow_the_switch(client, ctx, running):
    login(client, "res2")
    assert client.get("/c/maple/p/honor-awards/").status_code == 200
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Honours" in home and "Community honours" in home
    switch(ctx, False)
    for url in ("/c/maple/p/honor-awards/", "/c/maple/p/honor-awards/notices/", "/c/maple/p/honor-awards/honours/"):
        assert client.get(url).status_code == 404
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Honours" not in home and "Community honours" not in home
    switch(ctx, True)
    assert client.get(f"/c/maple/p/honor-awards/campaigns/{running['campaign']}").status_code == 200


def test_residents_get_403_on_coordinators_pages(client, ctx, running):
    login(client, "res2")
    campaign, nomination = running["campaign"], running["nominations"][0]
    for url in ("/manage/", "/manage/campaigns/new", f"/manage/campaigns/{campaign}",
                f"/manage/nominations/{nomination}", f"/manage/campaigns/{campaign}/votes",
                f"/manage/campaigns/{campaign}/publish"):
        assert client.get("/c/maple/p/honor-awards" + url).status_code == 403, url
    response = client.post(f"/c/maple/p/honor-awards/manage/nominations/{nomination}/disqualify",
                           data={"veto-reason": "不喜欢"})
    assert response.status_code == 403
    assert ctx(lambda c, users: nomination_in(c, nomination).status) == "shortlisted"


def test_another_communitys_coordinator_gets_404(client, ctx, running, make, clock):
    make.community("oak", "橡树社区")
    make.member("oak", "oak.coord", role="coordinator", display_name="周强")
    login(client, "oak.coord")
    campaign, nomination = running["campaign"], running["nominations"][0]
    assert client.get(f"/c/maple/p/honor-awards/campaigns/{campaign}").status_code == 404  # not a member
    for url in (f"/manage/campaigns/{campaign}", f"/manage/nominations/{nomination}",
                f"/campaigns/{campaign}"):
        assert client.get("/c/oak/p/honor-awards" + url).status_code == 404, url
    assert client.post(f"/c/oak/p/honor-awards/manage/nominations/{nomination}/shortlist",
                       data={"value": "off"}).status_code == 404
    clock.day(14)
    notice_id = ctx(lambda c, users: awards.publish_notice(campaign_in(c, campaign), c, users["coord"],
                                                           running["nominations"][:1]).id)
    objection_id = ctx(lambda c, users: notices.lodge_objection(notices.notice_in(c, notice_id), c, users["res2"],
                                                               "这户人家平时不太讲卫生。").id)
    for url in (f"/manage/notices/{notice_id}", f"/notices/{notice_id}"):
        assert client.get("/c/oak/p/honor-awards" + url).status_code == 404, url
    assert client.post(f"/c/oak/p/honor-awards/manage/objections/{objection_id}/resolve",
                       data={"decision": "upheld", "resolution": "x"}).status_code == 404
    assert client.post(f"/c/oak/p/honor-awards/manage/notices/{notice_id}/close").status_code == 404
    assert ctx(lambda c, users: notices.objection_in(c, objection_id).status) == "open"


def without_addresses(page):
    """The page without its links' and files' addresses (a stylesheet's digest may contain "87", a score must not)."""
    return re.sub(r'(?:href|src)="[^"]*"', "", page)


def test_public_pages_need_no_login_and_show_no_secrets(client, ctx, running, clock):
    clock.day(14)
    notice_id = ctx(lambda c, users: awards.publish_notice(campaign_in(c, running["campaign"]), c, users["coord"],
                                                           running["nominations"][:2]).id)
    board = client.get("/c/maple/p/honor-awards/notices/")
    assert board.status_code == 200
    page = without_addresses(client.get(f"/c/maple/p/honor-awards/notices/{notice_id}").get_data(as_text=True))
    assert "陈志强" in page and "赵*爷" in page and "赵大爷" not in page
    assert SECRET_REASON not in page and "孙桂兰" not in page and "87" not in page and "73.0" not in page
    assert "Log in to lodge an objection" in page or "登录后提出异议" in page
    objection = client.get(f"/c/maple/p/honor-awards/notices/{notice_id}/object")
    assert objection.status_code == 302 and "/login" in objection.headers["Location"]
    clock.day(21)
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, users["coord"]))
    wall = client.get("/c/maple/p/honor-awards/honours/?year=2026").get_data(as_text=True)
    assert "陈志强" in wall and "赵*爷" in wall and "赵大爷" not in wall and SECRET_REASON not in wall
    assert client.get("/c/maple/p/honor-awards/honours/?year=abc").status_code == 200


def test_voting_over_http_counts_one_vote_for_a_double_tap(client, ctx, running):
    login(client, "res2")
    url = f"/c/maple/p/honor-awards/campaigns/{running['campaign']}/vote/{running['nominations'][1]}"
    first = client.post(url, follow_redirects=True).get_data(as_text=True)
    second = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "Thank you for voting for The 赵*爷 family" in first
    assert "already voted in this campaign today" in second
    assert count(ctx, Vote) == 1
    page = without_addresses(client.get(f"/c/maple/p/honor-awards/campaigns/{running['campaign']}").get_data(as_text=True))
    assert "has voted today" in page and SECRET_REASON not in page and "87" not in page


def test_nominating_over_http_with_a_photo_and_errors_beside_the_field(client, ctx, make_campaign):
    campaign_id = make_campaign(kind="person", title="2026年度道德模范")
    login(client, "res")
    url = f"/c/maple/p/honor-awards/campaigns/{campaign_id}/nominate"
    assert client.get(url).status_code == 200
    page = client.post(url, data={"nominator_kind": "neighbour", "household_id": "0", "nominee_name": "刘洋",
                                  "statement": STORY}).get_data(as_text=True)
    assert 'id="household_id-error"' in page and count(ctx, Nomination) == 0
    household = ctx(lambda c, users: _household_of(users))
    page = client.post(url, data={"nominator_kind": "neighbour", "household_id": str(household),
                                  "nominee_name": "刘洋", "statement": "短"}).get_data(as_text=True)
    assert 'id="statement-error"' in page and count(ctx, Nomination) == 0
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(picture, "PNG")
    response = client.post(url, data={"nominator_kind": "neighbour", "household_id": str(household),
                                      "nominee_name": "刘洋", "statement": STORY,
                                      "photos": [(io.BytesIO(picture.getvalue()), "family.png")]},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and "/mine" in response.headers["Location"]
    assert (count(ctx, Nomination), count(ctx, Photo)) == (1, 1)
    nomination_id, photo_id = ctx(lambda c, users: (db.session.scalar(select(Nomination.id)),
                                                    db.session.scalar(select(Photo.id))))
    photo_url = f"/c/maple/p/honor-awards/nominations/{nomination_id}/photos/{photo_id}.jpg"
    assert client.get(photo_url).mimetype == "image/jpeg"  # the nominator
    client.post("/logout")
    login(client, "res2")
    assert client.get(photo_url).status_code == 404  # a neighbour who has nothing to do with it
    client.post("/logout")
    login(client, "vol2")
    mine = client.get("/c/maple/p/honor-awards/mine").get_data(as_text=True)
    assert "Show my full name" in mine
    tasks = client.get("/c/maple/tasks").get_data(as_text=True)
    assert "Say how your name may appear on honour notices" in tasks
    client.post(f"/c/maple/p/honor-awards/nominations/{nomination_id}/consent", data={"value": "full"})
    assert ctx(lambda c, users: nomination_in(c, nomination_id).name_consent) == "full"


def _household_of(users):
    from timebank.communities.models import Membership

    return db.session.scalar(select(Membership.household_id).where(Membership.user_id == users["vol2"].id))


def test_coordinator_runs_a_campaign_over_http(client, ctx, maple, clock):
    login(client, "coord")
    assert client.get("/c/maple/p/honor-awards/manage/campaigns/new").status_code == 200
    data = {"title": "2026年度最美家庭", "kind": "household", "year": "2026", "level": "community",
            "criteria": "夫妻和睦、尊老爱幼", "quota": "5", "rubric": "家庭和睦 60\n邻里互助 40",
            "nominations_open_on": "2026-03-02", "nominations_close_on": "2026-03-10", "review_until": "2026-03-15",
            "public_vote": "y", "vote_opens_on": "2026-03-09", "vote_closes_on": "2026-03-20", "notice_days": "7",
            "award_on": "2026-04-10"}
    page = client.post("/c/maple/p/honor-awards/manage/campaigns/new", data=data).get_data(as_text=True)
    assert 'id="vote_opens_on-error"' in page and count(ctx, Campaign) == 0
    data["vote_opens_on"] = "2026-03-16"
    response = client.post("/c/maple/p/honor-awards/manage/campaigns/new", data=data)
    assert response.status_code == 302
    campaign_id = ctx(lambda c, users: db.session.scalar(select(Campaign.id)))
    client.post("/logout")
    login(client, "res")
    client.post(f"/c/maple/p/honor-awards/campaigns/{campaign_id}/nominate",
                data={"nominator_kind": "self", "statement": STORY, "household_id": "0"})
    client.post("/logout")
    login(client, "coord")
    nomination_id = ctx(lambda c, users: db.session.scalar(select(Nomination.id)))
    base = f"/c/maple/p/honor-awards/manage/nominations/{nomination_id}"
    assert "赵大爷" in client.get(base).get_data(as_text=True)
    page = client.post(base + "/visit", data={"visited_on": "2026-03-09", "visit_note": "入户走访"})
    assert page.status_code == 400 and 'id="visited_on-error"' in page.get_data(as_text=True)
    client.post(base + "/visit", data={"visited_on": "2026-03-02", "visit_note": "入户走访，家庭和睦。"})
    criteria = ctx(lambda c, users: [item.id for item in campaign_in(c, campaign_id).criteria_items])
    page = client.post(base + "/scores", data={f"criterion_{criteria[0]}": "70", f"criterion_{criteria[1]}": "30"})
    assert page.status_code == 400
    client.post(base + "/scores", data={f"criterion_{criteria[0]}": "55", f"criterion_{criteria[1]}": "35"})
    client.post(base + "/shortlist", data={})
    assert ctx(lambda c, users: nomination_in(c, nomination_id).status) == "shortlisted"
    board = client.get(f"/c/maple/p/honor-awards/manage/campaigns/{campaign_id}").get_data(as_text=True)
    assert "90.0" in board
    clock.day(19)  # vote over (the 16th to the 20th)...
    assert client.get(f"/c/maple/p/honor-awards/manage/campaigns/{campaign_id}/publish").status_code == 200
    response = client.post(f"/c/maple/p/honor-awards/manage/campaigns/{campaign_id}/publish",
                           data={"winners": [str(nomination_id)], "body": "现予公示。"})
    assert response.status_code == 302  # ...the 21st: publish
    notice_id = ctx(lambda c, users: db.session.scalar(select(Notice.id)))
    client.post(f"/c/maple/p/honor-awards/notices/{notice_id}/object",
                data={"item_id": "0", "reason": "公示内容我有不同意见，请核实。"})
    objection_id = ctx(lambda c, users: db.session.scalar(select(Objection.id)))
    assert "Objections to public notices" in client.get("/c/maple/tasks").get_data(as_text=True)
    client.post(f"/c/maple/p/honor-awards/manage/objections/{objection_id}/resolve",
                data={"decision": "dismissed", "resolution": "经核实无问题。"})
    clock.day(27)
    client.post(f"/c/maple/p/honor-awards/manage/notices/{notice_id}/close")
    client.post(f"/c/maple/p/honor-awards/manage/notices/{notice_id}/close")  # double tap
    assert count(ctx, Award) == 1
    award_id = ctx(lambda c, users: db.session.scalar(select(Award.id)))
    forward = client.post(f"/c/maple/p/honor-awards/manage/campaigns/{campaign_id}/forward",
                          data={"forwarded_to": "幸福街道办事处"}, follow_redirects=True).get_data(as_text=True)
    assert "推荐名单" in forward and "赵大爷" in forward
    client.post("/logout")
    login(client, "res")
    certificate = client.get(f"/c/maple/p/honor-awards/awards/{award_id}/certificate").get_data(as_text=True)
    assert "荣誉证书" in certificate and "2026年度最美家庭" in certificate
    assert "2026年度最美家庭" in client.get("/c/maple/me").get_data(as_text=True)
    client.post("/logout")
    login(client, "res2")
    assert client.get(f"/c/maple/p/honor-awards/awards/{award_id}/certificate").status_code == 404


def test_cli(runner, ctx, running, clock, make):
    result = runner.invoke(args=["honor-awards", "campaigns", "--community", "maple"])
    assert result.exit_code == 0 and "voting" in result.output and "3 nominations" in result.output
    clock.day(14)
    ctx(lambda c, users: awards.publish_notice(campaign_in(c, running["campaign"]), c, users["coord"],
                                               running["nominations"][:1]))
    assert "0 notices closed" in runner.invoke(args=["honor-awards", "close-notices"]).output
    clock.day(21)
    result = runner.invoke(args=["honor-awards", "close-notices", "--community", "maple"])
    assert result.exit_code == 0 and "1 notices closed" in result.output
    result = runner.invoke(args=["honor-awards", "honour-wall", "--community", "maple"])
    assert "陈志强" in result.output
    make.community("oak", "橡树社区")
    ctx(lambda c, users: set_plugin_enabled(
        db.session.scalar(select(type(c)).where(type(c).slug == "oak")), "honor_awards", False))
    result = runner.invoke(args=["honor-awards", "campaigns", "--community", "oak"])
    assert result.exit_code != 0 and "off in oak" in result.output
    assert "No community" in runner.invoke(args=["honor-awards", "campaigns", "--community", "nowhere"]).output
