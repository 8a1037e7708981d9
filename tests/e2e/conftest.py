"""End-to-end fixtures: one headless Chromium per test session, a live server per test, phone-sized pages.

* ``browser``: Debian's Chromium driven by Playwright (never a downloaded browser). Missing Chromium skips the
  browser tests, unless ``TIMEBANK_REQUIRE_BROWSER=1`` (CI), where it is an error.
* ``live_server``: the ``app`` fixture of :mod:`timebank.testing` (a clean database) with real CSRF checks and
  the sample plugin, served by werkzeug on 127.0.0.1 and a free port in a background thread.
* ``page``: a fresh browser context (360 × 780 phone, touch, zh-CN) on the live server; ``new_page()`` opens
  another, independent context (a second person on another phone).
* ``zh(text, **kw)``: what a Chinese-speaking person reads for an English source string (the app's own
  catalogue), so that tests find buttons and labels by the words on the screen.
* ``log_in(page, username)``, ``tab_bar(page)`` (``.tab("Tasks")``, ``.open("Me")``), ``screenshot(page, name)``
  (to tests/e2e/artifacts/, git-ignored).

Every test module here marks itself ``pytest.mark.browser``: ``pytest -m browser`` runs just these.
"""

import re
import sys
from pathlib import Path

import pytest

from timebank.testing import LiveServer

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
TIMEOUT_MS = 10_000

# The sample plugin is imported by name through EXTRA_PLUGINS, like a local plugin module would be.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from browser_support import CHROMIUM_ARGS, either, require_chromium  # noqa: E402  (needs the path above)


@pytest.fixture(scope="session")
def browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "EXTRA_PLUGINS": ["sample_plugin"]}


@pytest.fixture
def live_server(browser, app):
    """The app on a free port; ``browser`` first, so that a skipped browser never starts a server."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()``: a page in a new, independent browser context (its own cookies), closed after the test."""
    contexts = []

    def _new_page():
        context = browser.new_context(base_url=live_server.url, **PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def zh(app):
    """``zh("Log in")``: the Simplified Chinese text of an English source string, as the app shows it; a message
    with plural forms as ``zh("%(num)d member", plural="%(num)d members", num=3)``."""
    from flask_babel import force_locale, gettext, ngettext

    def _translate(text, plural=None, **variables):
        with app.test_request_context(), force_locale("zh_CN"):
            if plural is not None:
                return ngettext(text, plural, variables.pop("num"), **variables)
            return gettext(text, **variables)

    return _translate


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def log_in(zh):
    """``log_in(page, username, remember=True)``: log in through the login form, in the page's language."""
    from timebank.testing import TEST_PASSWORD

    def _log_in(page, username, password=TEST_PASSWORD, remember=True):
        page.goto("/login")
        page.get_by_label(either(zh("Username"), "Username")).fill(username)
        page.get_by_label(either(zh("Password"), "Password")).fill(password)
        page.get_by_label(either(zh("Stay logged in on this phone"), "Stay logged in on this phone")).set_checked(
            remember)
        page.get_by_role("button", name=either(zh("Log in"), "Log in")).click()

    return _log_in


class TabBar:
    """The bottom tab bar (the "Main" navigation) of one page."""

    def __init__(self, page, zh):
        self.page = page
        self.zh = zh
        self.locator = page.get_by_role("navigation", name=either(zh("Main"), "Main"))

    def open(self, label):
        """Tap the tab called ``label`` and wait until the new page is loaded, its stylesheet included (before
        that, elements that CSS hides, such as the wide-screen side bar, still count as visible)."""
        self.tab(label).click()
        self.page.wait_for_load_state("load")

    def tab(self, label):
        """The tab called ``label`` (an English source string), with or without a number badge."""
        names = "|".join(re.escape(text) for text in {self.zh(label), label})
        return self.locator.get_by_role("link", name=re.compile(rf"^({names})(\s*[0-9]+\+?)?$"))


@pytest.fixture
def tab_bar(zh):
    """``tab_bar(page)``: the page's bottom tab bar; ``.tab("Tasks")`` finds one tab."""
    return lambda page: TabBar(page, zh)


@pytest.fixture
def screenshot(artifacts):
    """``screenshot(page, "name")``: the whole page as a phone shows it, saved to tests/e2e/artifacts/name.png.

    The viewport is stretched to the page's height for the shot (so that the fixed tab bar sits at the end, as
    it does when a person scrolls down), then restored."""

    def _screenshot(page, name):
        size = page.viewport_size
        page.wait_for_load_state()  # a click may have started a navigation: measure the page it leads to
        height = page.evaluate("document.documentElement ? document.documentElement.scrollHeight : 0")
        page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
        try:
            page.screenshot(path=artifacts / f"{name}.png")
        finally:
            page.set_viewport_size(size)

    return _screenshot
