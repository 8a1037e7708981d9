"""Chinese by default; a member who switches to English keeps English on every page and at the next login."""

import pytest
from browser_support import either
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_default_language_is_simplified_chinese(page, community, zh):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Log in"))
    expect(page.get_by_role("combobox", name=zh("Language"))).to_have_value("zh_CN")


def test_switch_to_english_persists_across_pages_and_logins(page, community, zh, log_in, tab_bar):
    log_in(page, "maple.res", remember=False)
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Hello, %(name)s", name="刘洋"))

    tab_bar(page).open("Me")
    page.get_by_role("link", name=zh("Account and settings")).click()
    # The select submits its form through app.js (deferred): a change before the script has run would do nothing,
    # so wait for the account page's load event (after deferred scripts).
    page.wait_for_url("**/account", wait_until="load")
    page.get_by_role("combobox", name=zh("Language")).select_option(label="English")  # the form submits itself
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")

    tab_bar(page).open("Home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 刘洋")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    tab_bar(page).open("Tasks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tasks")

    tab_bar(page).open("Me")
    page.get_by_role("link", name="Account and settings").click()
    page.get_by_role("button", name="Log out").click()
    # Logged out, this phone may keep showing English or go back to Chinese: either way, the login form is there.
    expect(page.get_by_role("button", name=either(zh("Log in"), "Log in"))).to_be_visible()

    log_in(page, "maple.res", remember=False)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 刘洋")


def test_language_switch_works_without_javascript(browser, live_server, community, zh):
    """The switch is a plain form: its button submits it when scripts are off."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="zh-CN",
                                  viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_role("combobox", name=zh("Language")).select_option("en")
        page.get_by_role("button", name=zh("Switch language")).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    finally:
        context.close()


def test_a_form_sent_without_its_csrf_token_is_refused(page, community, zh, log_in):
    """The live server checks CSRF tokens for real: a forged language switch changes nothing."""
    log_in(page, "maple.res", remember=False)
    response = page.request.post("/account/language", form={"locale": "en", "next": "/"}, max_redirects=0)
    assert response.status == 400
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
