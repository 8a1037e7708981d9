"""Logging in on a phone: a wrong password is explained in words; success lands on the community home."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCROLL_WIDTH = "document.documentElement.scrollWidth"


def test_wrong_password_says_so_in_words(page, community, zh):
    page.goto("/login")
    page.get_by_label(zh("Username")).fill("maple.vol")
    page.get_by_label(zh("Password"), exact=True).fill("not-the-password")
    page.get_by_role("button", name=zh("Log in"), exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text(zh("Wrong username or password. Please check and try again."))
    expect(page.get_by_label(zh("Username"))).to_have_value("maple.vol")
    expect(page.get_by_role("navigation", name=zh("Main"))).to_have_count(0)


def test_login_lands_on_the_community_home_with_the_tab_bar(page, live_server, community, zh, tab_bar, screenshot):
    page.goto("/login")
    assert page.evaluate(SCROLL_WIDTH) <= 360
    screenshot(page, "login")
    page.get_by_label(zh("Username")).fill("maple.vol")
    page.get_by_label(zh("Password"), exact=True).fill("test-pass-123")
    page.get_by_role("button", name=zh("Log in"), exact=True).click()

    expect(page).to_have_url(live_server.url + "/c/maple/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Hello, %(name)s", name="陈志强"))
    tabs = tab_bar(page)
    expect(tabs.locator).to_be_visible()
    for label in ("Home", "Tasks", "Me"):
        expect(tabs.tab(label)).to_be_visible()
    expect(tabs.tab("Home")).to_have_attribute("aria-current", "page")

    box = tabs.locator.bounding_box()
    assert box["y"] + box["height"] <= 780 + 0.5, "the tab bar sits at the bottom of the screen"
    assert box["width"] <= 360
    assert page.evaluate(SCROLL_WIDTH) <= 360, "nothing overflows horizontally at 360 px"


def test_logging_out_ends_a_remembered_login(page, community, zh, log_in, tab_bar):
    """"Stay logged in on this phone" must not survive "Log out" (a shared phone in a family)."""
    log_in(page, "maple.vol", remember=True)
    assert any(cookie["name"] == "remember_token" for cookie in page.context.cookies())
    tab_bar(page).open("Me")
    page.get_by_role("link", name=zh("Account and settings")).click()
    page.get_by_role("button", name=zh("Log out")).click()

    expect(page.get_by_role("button", name=zh("Log in"), exact=True)).to_be_visible()
    expect(tab_bar(page).locator).to_have_count(0)
    assert not any(cookie["name"] == "remember_token" for cookie in page.context.cookies())
    page.goto("/")
    expect(page.get_by_role("link", name=zh("Log in"))).to_be_visible()
