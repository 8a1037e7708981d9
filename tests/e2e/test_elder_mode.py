"""Elder mode (关怀模式): one tap on the home page makes text and buttons large; one tap switches it back."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Buttons and button-like links of the page body: the controls a person taps.
ELDER = re.compile(r"(^|\s)elder(\s|$)")
MAIN_CONTROLS = "main button:visible, main a.button:visible, main .tiles a:visible, nav.tab-bar a:visible"


def _enable_sample_plugin(app):
    from timebank.communities.services import community_by_slug
    from timebank.plugin_state import set_plugin_enabled

    with app.app_context():
        set_plugin_enabled(community_by_slug("maple"), "sample_plugin", True)


SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const element = walker.currentNode.parentElement;
    if (!text || !element.checkVisibility() || element.closest(".visually-hidden")) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < 18) small.push(`${text.slice(0, 20)}: ${size}px`);
  }
  return small;
}"""


def _control_heights(page):
    return page.eval_on_selector_all(
        MAIN_CONTROLS.replace(":visible", ""),
        "els => els.filter(e => e.offsetParent !== null)"
        ".map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height,"
        " e.getBoundingClientRect().width])",
    )


def test_elder_mode_from_the_home_page(page, app, community, zh, log_in, screenshot):
    _enable_sample_plugin(app)  # so that the home page shows service tiles
    log_in(page, "maple.coord")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Hello, %(name)s", name="王芳"))
    expect(page.locator("body")).not_to_have_class(ELDER)
    screenshot(page, "home-normal")

    page.get_by_role("button", name=zh("Elder mode"), exact=True).click()
    expect(page.locator("body")).to_have_class(ELDER)
    expect(page.get_by_role("status")).to_contain_text(zh("Elder mode is on: larger text and buttons."))

    for selector in ("main p", "main h1", "main .tiles a", "nav.tab-bar a"):
        size = page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 18, f"{selector}: {size}px"
    assert page.evaluate(SMALL_TEXT) == [], "every text in the page body is at least 18 px in elder mode"
    line_height = page.locator("main p").first.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight) / parseFloat(getComputedStyle(e).fontSize)")
    assert line_height >= 1.3
    heights = _control_heights(page)
    assert heights, "the home page has buttons"
    too_small = [(text, h, w) for text, h, w in heights if h < 60 - 0.5 or w < 60 - 0.5]
    assert not too_small, f"controls smaller than 60 × 60 px in elder mode: {too_small}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "home-elder")

    # Still on after moving around (it is saved on the account).
    page.get_by_role("main").get_by_role("link", name="Sample service").click()
    expect(page.locator("body")).to_have_class(ELDER)
    page.go_back()

    page.get_by_role("button", name=zh("Back to the standard view")).click()
    expect(page.locator("body")).not_to_have_class(ELDER)
    expect(page.get_by_role("button", name=zh("Elder mode"), exact=True)).to_be_visible()
    size = page.locator("main p").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size < 18
