"""A neighbour registers on the community's link; a coordinator approves on another phone; the newcomer is in."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_registration_and_approval(page, new_page, community, zh, log_in, tab_bar):
    visitor = page
    visitor.goto("/c/maple/join")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(zh("Register in %(community)s",
                                                                     community="枫林社区"))
    visitor.get_by_label(zh("Your name")).fill("张桂英")
    visitor.get_by_label(zh("Username"), exact=True).fill("zhangguiying")
    visitor.get_by_label(zh("Mobile phone (optional)")).fill("13800138000")
    visitor.get_by_label(zh("Password"), exact=True).fill("garden42walk")
    visitor.get_by_label(zh("Repeat the password")).fill("garden42walk")
    visitor.get_by_label(zh("Address (building, stairwell, room)")).fill("3栋2单元501")
    visitor.get_by_label(zh("I want to serve as a volunteer")).check()
    visitor.get_by_role("button", name=zh("Send registration")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(zh("Your registration is waiting for approval"))

    coordinator = new_page()
    log_in(coordinator, "maple.coord")
    tasks = tab_bar(coordinator).tab("Tasks")
    expect(tasks.locator(".badge")).to_have_text("1")
    tasks.click()
    coordinator.get_by_role("link", name=zh("Registrations waiting for approval")).click()
    application = coordinator.get_by_role("region", name="张桂英")
    expect(application).to_contain_text("zhangguiying")
    expect(application.get_by_label(zh("Role"))).to_have_value("volunteer")  # asked to volunteer
    application.get_by_role("button", name=zh("Approve %(name)s", name="张桂英")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(zh("%(name)s is now a member.", name="张桂英"))
    expect(coordinator.get_by_role("region", name="张桂英")).to_have_count(0)
    expect(tab_bar(coordinator).tab("Tasks").locator(".badge")).to_have_count(0)

    visitor.goto("/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(zh("Hello, %(name)s", name="张桂英"))
    expect(tab_bar(visitor).locator).to_be_visible()
    visitor.get_by_role("banner").get_by_role("link", name=zh("Messages")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(zh("Messages"))
    expect(visitor.get_by_role("main").get_by_role("listitem")).to_have_count(1)
    expect(visitor.get_by_role("main").get_by_role("listitem")).to_contain_text("枫林社区")
