"""A coordinator builds a patrol team on a phone: creates it, adds a volunteer as its leader, finds one person in
a team of sixty with the search, pages through the rest and takes somebody out."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_coordinator_builds_a_team_finds_a_member_and_pages(page, make, community, zh, log_in):
    log_in(page, "maple.coord")
    page.goto("/c/maple/admin/teams")
    page.get_by_label(zh("Team name")).fill("平安巡逻队")
    page.get_by_label(zh("Kind")).select_option(label=zh("Patrol and duty"))
    page.get_by_role("button", name=zh("Create the team")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("平安巡逻队")
    page.get_by_label(zh("Username or volunteer number")).fill("maple.vol")
    page.get_by_label(zh("Team leader")).check()
    page.get_by_role("button", name=zh("Add"), exact=True).click()
    members = page.get_by_role("region", name=re.compile(rf"^{zh('Members')} \("))
    expect(members.get_by_role("listitem")).to_have_count(1)
    expect(members.get_by_role("listitem")).to_contain_text("陈志强")
    expect(members.get_by_role("listitem")).to_contain_text(zh("Team leader"))
    expect(page.get_by_role("search")).to_have_count(0)  # a small team needs no search

    make.team_volunteers("平安巡逻队", 60, display_name="巡逻员", number="V2")
    page.reload()
    expect(members.get_by_role("heading", level=2)).to_contain_text("61")
    expect(members.get_by_role("listitem")).to_have_count(50)
    expect(members.get_by_role("listitem").first).to_contain_text("陈志强")  # the leader first
    page.get_by_role("link", name=zh("Next")).click()
    expect(members.get_by_role("listitem")).to_have_count(11)
    expect(members.get_by_role("listitem").last).to_contain_text("巡逻员60")

    page.get_by_role("searchbox").fill("V20037")
    page.get_by_role("button", name=zh("Search")).click()
    expect(members.get_by_role("listitem")).to_have_count(1)
    expect(members.get_by_role("listitem")).to_contain_text("巡逻员37")
    members.get_by_role("button", name=zh("Remove %(name)s", name="巡逻员37")).click()
    expect(page.get_by_role("status")).to_contain_text(zh("Removed from the team."))
    expect(members.get_by_role("heading", level=2)).to_contain_text("60")

    page.goto("/c/maple/admin/teams")
    expect(page.get_by_role("link", name="平安巡逻队")).to_contain_text(
        zh("%(num)d member", plural="%(num)d members", num=60))
