"""Honour awards on phones: a resident nominates her own family and a volunteer a neighbour's; the coordinator
records the home visits and scores and shortlists both; two households vote; the coordinator publishes the
notice; a neighbour objects; the coordinator dismisses the objection and, once the period is over, finalises;
anybody sees the honour wall without logging in — names as the candidates consented."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from timebank.clock import set_clock

pytestmark = pytest.mark.browser

DAY0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 in Shanghai


@pytest.fixture
def clock(app):
    state = {"now": DAY0}
    set_clock(app, lambda: state["now"])

    def move(days, hours=0):
        state["now"] = DAY0 + timedelta(days=days, hours=hours)

    return move


@pytest.fixture
def campaign(app, community, make, clock):
    """Households for the members, a neighbour without an account's household, and a campaign: nominations on
    days 0–1, review until day 2, public vote on days 3–5, a 7-day notice, award on day 20."""
    make.member("maple", "maple.res2", role="resident", display_name="周建国")
    from sqlalchemy import select
    from timebank_plugins.honor_awards.campaigns import Schedule, save_campaign

    from timebank.communities.models import Community, Membership
    from timebank.communities.structure import add_building, add_household, assign_household
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.test_request_context():
        maple = db.session.scalar(select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, community["coordinator"])
        building = add_building(maple, coordinator, "3号楼")
        for username, room in (("maple.res", "101"), ("maple.vol", "102"), ("maple.res2", "201")):
            household = add_household(maple, coordinator, building.id, room)
            membership = db.session.scalar(select(Membership).join(User, User.id == Membership.user_id)
                                           .where(User.username == username))
            assign_household(membership, coordinator, household.id)
        add_household(maple, coordinator, building.id, "202")  # 孙桂兰's family: no account
        day = DAY0.date()
        save_campaign(maple, coordinator, title="2026年度最美家庭", kind="household", year=2026,
                      criteria="夫妻和睦、尊老爱幼、邻里互助。", quota=2, rubric="家庭和睦 60\n邻里互助 40",
                      schedule=Schedule(day, day + timedelta(days=1), day + timedelta(days=2),
                                        day + timedelta(days=3), day + timedelta(days=5), 7,
                                        day + timedelta(days=20)))


def open_campaign(page, zh):
    page.goto("/c/maple/p/honor-awards/")
    page.get_by_role("main").get_by_role("link", name="2026年度最美家庭").click()
    page.wait_for_load_state("load")


def test_nominate_review_vote_notice_objection_and_honour_wall(page, new_page, campaign, clock, zh, log_in,
                                                              tab_bar, screenshot):
    resident = page
    log_in(resident, "maple.res")
    resident.get_by_role("main").get_by_role("link", name=zh("Honours")).first.click()
    resident.wait_for_load_state("load")
    resident.get_by_role("main").get_by_role("link", name="2026年度最美家庭").click()
    resident.get_by_role("link", name=zh("Nominate")).click()
    resident.get_by_label(zh("Who nominates")).select_option(label=zh("Self-nomination"))
    resident.get_by_label(zh("What have they done? (事迹)")).fill(
        "我们一家三口照顾楼上独居的孙奶奶五年，每周帮她买菜、陪她去医院复查。")
    resident.get_by_label(zh("Family motto (家风家训, optional)")).fill("家和万事兴")
    resident.get_by_label(zh("Show my full name on the public notice and the honour wall")).check()
    screenshot(resident, "honor-nominate")
    resident.get_by_role("button", name=zh("Send the nomination")).click()
    expect(resident.get_by_role("status")).to_contain_text(zh("Thank you: the nomination was sent to the committee."))

    volunteer = new_page()
    log_in(volunteer, "maple.vol")
    volunteer.goto("/c/maple/p/honor-awards/")
    open_campaign(volunteer, zh)
    volunteer.get_by_role("link", name=zh("Nominate")).click()
    volunteer.get_by_label(zh("Who nominates")).select_option(label=zh("Nominated by a neighbour"))
    volunteer.get_by_label(zh("Household"), exact=True).select_option(label="3号楼 202")
    volunteer.get_by_label(zh("Name of a household member")).fill("孙桂兰")
    volunteer.get_by_label(zh("What have they done? (事迹)")).fill("孙阿姨退休后坚持每天清扫单元楼道，二十年如一日。")
    volunteer.get_by_role("button", name=zh("Send the nomination")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("Thank you: the nomination was sent to the committee."))

    clock(2)
    coordinator = new_page()
    log_in(coordinator, "maple.coord")
    coordinator.goto("/c/maple/p/honor-awards/manage/")
    coordinator.get_by_role("main").get_by_role("link", name="2026年度最美家庭").click()
    coordinator.wait_for_load_state("load")
    board_url = coordinator.url
    for family, points in (("刘洋", ("55", "35")), ("孙桂兰", ("50", "30"))):
        coordinator.get_by_role("main").get_by_role("link", name=family).last.click()
        coordinator.wait_for_load_state("load")
        coordinator.get_by_text(zh("Record the home visit"), exact=True).click()
        coordinator.get_by_label(zh("Date of the home visit")).fill("2026-03-04")
        coordinator.get_by_label(zh("What the visitors found")).fill("入户走访：家庭和睦，邻居评价很好。")
        coordinator.get_by_role("button", name=zh("Save the visit")).click()
        expect(coordinator.get_by_role("status")).to_contain_text(zh("The home visit was recorded."))
        coordinator.get_by_label(zh("%(name)s (0–%(max)d)", name="家庭和睦", max=60)).fill(points[0])
        coordinator.get_by_label(zh("%(name)s (0–%(max)d)", name="邻里互助", max=40)).fill(points[1])
        coordinator.get_by_role("button", name=zh("Save my scores")).click()
        expect(coordinator.get_by_role("status")).to_contain_text(zh("Your scores were saved."))
        if family == "刘洋":
            screenshot(coordinator, "honor-candidate")
        coordinator.get_by_role("button", name=zh("Shortlist")).click()
        expect(coordinator.get_by_role("status")).to_contain_text(zh("Shortlisted."))
        coordinator.goto(board_url)

    clock(3)  # the public vote: one vote per household per day
    open_campaign(resident, zh)
    resident.get_by_role("button", name=zh("Vote for %(name)s", name=zh("The %(name)s family", name="孙*兰"))).click()
    expect(resident.get_by_role("status")).to_contain_text(zh("Thank you for voting for %(name)s.",
                                                              name=zh("The %(name)s family", name="孙*兰")))
    expect(resident.get_by_role("button", name=zh("Vote"))).to_have_count(0)
    screenshot(resident, "honor-voted")
    open_campaign(volunteer, zh)
    volunteer.get_by_role("button", name=zh("Vote for %(name)s", name=zh("The %(name)s family", name="刘洋"))).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("Thank you for voting for %(name)s.",
                                                               name=zh("The %(name)s family", name="刘洋")))

    clock(6)  # the vote is over: publish the notice
    coordinator.goto("/c/maple/p/honor-awards/manage/")
    coordinator.get_by_role("main").get_by_role("link", name="2026年度最美家庭").click()
    coordinator.get_by_role("link", name=zh("Publish the notice")).click()
    expect(coordinator.get_by_role("checkbox", name="刘洋", exact=False)).to_be_checked()
    coordinator.get_by_role("button", name=zh("Publish")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(zh("The notice is published until %(date)s.",
                                                                 date="2026-03-14"))
    notice_url = coordinator.url

    neighbour = new_page()
    neighbour.goto(notice_url)  # the notice is public
    main = neighbour.get_by_role("main")
    expect(main).to_contain_text(zh("The %(name)s family", name="刘洋"))
    expect(main).to_contain_text(zh("The %(name)s family", name="孙*兰"))
    expect(main).not_to_contain_text("孙桂兰")
    screenshot(neighbour, "honor-notice")
    neighbour.get_by_role("link", name=zh("Log in to lodge an objection")).click()
    neighbour.get_by_label(zh("Username")).fill("maple.res2")
    neighbour.get_by_label(zh("Password")).fill("test-pass-123")
    neighbour.get_by_role("button", name=zh("Log in")).click()
    neighbour.get_by_label(zh("About")).select_option(label=zh("The %(name)s family", name="刘洋"))
    neighbour.get_by_label(zh("Your objection, with reasons")).fill("听说他家装修时占用楼道半个月，请核实。")
    neighbour.get_by_role("button", name=zh("Send the objection")).click()
    expect(neighbour.get_by_role("status")).to_contain_text(zh(
        "Your objection was recorded. The coordinators will look into it and tell you what they decided."))

    tab_bar(coordinator).open("Tasks")
    coordinator.get_by_role("link", name=zh("Objections to public notices")).click()
    coordinator.get_by_role("main").get_by_role("link", name=zh("Public notice of the proposed honours: %(title)s",
                                                                 title="2026年度最美家庭")).click()
    coordinator.get_by_label(zh("Decision")).select_option(label=zh("Dismiss: the candidate stays"))
    coordinator.get_by_label(zh("Why (recorded; the objector is told)")).fill("经楼栋长核实，装修已结束且已清理楼道。")
    coordinator.get_by_role("button", name=zh("Decide")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(zh("The objection was dismissed; the reason is "
                                                                 "recorded."))
    expect(coordinator.get_by_role("button", name=zh("Finalise and record the honours"))).to_be_disabled()
    screenshot(coordinator, "honor-objections")

    clock(13)  # the notice ran from 6 to 14 March: now it is over
    coordinator.reload()
    coordinator.get_by_role("button", name=zh("Finalise and record the honours")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(zh("Final: the honours are recorded."))

    visitor = new_page()
    visitor.goto("/c/maple/p/honor-awards/honours/")
    wall = visitor.get_by_role("main")
    expect(wall.get_by_role("heading", level=1)).to_have_text(zh("Honour wall %(year)d", year=2026))
    expect(wall).to_contain_text(zh("The %(name)s family", name="刘洋"))
    expect(wall).to_contain_text(zh("The %(name)s family", name="孙*兰"))
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(visitor, "honor-wall")

    resident.goto("/c/maple/p/honor-awards/mine")
    resident.get_by_role("link", name=zh("Honour certificate")).click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("荣誉证书")
    screenshot(resident, "honor-certificate")
