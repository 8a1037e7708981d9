"""A community admin switches an optional plugin on and off: its tile and pages come and go at once."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_switches_a_plugin_on_and_off(page, live_server, community, zh, log_in, tab_bar):
    log_in(page, "maple.admin")
    expect(page.get_by_role("link", name="Sample service", include_hidden=True)).to_have_count(0)
    response = page.goto("/c/maple/p/sample-plugin/")
    assert response.status == 404

    page.goto("/c/maple/admin/plugins")
    sample = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Sample plugin"))
    expect(sample.get_by_text(zh("Off"), exact=True)).to_be_visible()
    sample.get_by_role("button", name=zh("Switch on")).click()
    expect(sample.get_by_text(zh("On"), exact=True)).to_be_visible()

    tab_bar(page).open("Home")
    page.get_by_role("main").get_by_role("link", name="Sample service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sample page")
    assert page.url == live_server.url + "/c/maple/p/sample-plugin/"

    page.goto("/c/maple/admin/plugins")
    sample.get_by_role("button", name=zh("Switch off")).click()
    expect(sample.get_by_text(zh("Off"), exact=True)).to_be_visible()
    expect(sample.get_by_role("button", name=zh("Switch on"))).to_be_visible()

    tab_bar(page).open("Home")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Hello, %(name)s", name="李主任"))
    expect(page.get_by_role("link", name="Sample service", include_hidden=True)).to_have_count(0)
    response = page.goto("/c/maple/p/sample-plugin/")
    assert response.status == 404
    expect(page.get_by_text("404", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=zh("Go to the home page"))).to_be_visible()


def test_plugin_page_is_not_found_for_another_community(page, community, other_community, app, log_in):
    """Switched on in maple only: oak's coordinator neither sees the tile nor reaches the page."""
    from timebank.communities.services import community_by_slug
    from timebank.plugin_state import set_plugin_enabled

    with app.app_context():
        set_plugin_enabled(community_by_slug("maple"), "sample_plugin", True)
    log_in(page, "oak.coord")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Sample service", include_hidden=True)).to_have_count(0)
    assert page.goto("/c/oak/p/sample-plugin/").status == 404
    assert page.goto("/c/maple/p/sample-plugin/").status == 404
