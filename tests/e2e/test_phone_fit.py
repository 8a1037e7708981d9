"""Pages fit a 360 px phone in English (longer words than Chinese) and in elder mode (larger type): nothing pushes
the page sideways, and a row's text is never squeezed into a narrow column by the buttons beside it.

Found by visiting every page of a district as each role in both modes: the shift list's rows kept the sign-up
button beside the text and left the text 39 px in English and 2 px in elder mode (a character per line), the start
and end time fields side by side were 16 px wider than the phone in elder mode, and the chart's table for screen
readers (a table ignores ``width: 1px``) widened "My hours" by 25 px in English.
"""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from timebank.clock import set_clock

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # Friday 20 November, 09:00 in Shanghai

PAGES = (
    "/c/maple/",
    "/c/maple/hours/",
    "/c/maple/hours/claim",
    "/c/maple/ledger/backfill",
    "/c/maple/p/qr-checkin/",
    "/c/maple/p/qr-checkin/shifts/new",
)

#: The narrowest text column of a list row (CSS px): a row's side items (tags, buttons) move under the text when
#: they would leave it less than 9rem.
NARROWEST_TEXT = 120

FIT = """() => ({
  scroll: document.documentElement.scrollWidth,
  narrow: [...document.querySelectorAll("main .list .grow")]
    .filter(element => element.checkVisibility())
    .map(element => [Math.round(element.getBoundingClientRect().width), element.textContent.trim().slice(0, 30)])
    .filter(([width]) => width < """ + str(NARROWEST_TEXT) + """),
})"""


@pytest.fixture
def shifts_today(app, community):
    """Two posts with shifts later today: one full (its button says "Join the waiting list"), one with room."""
    from timebank_plugins.qr_checkin import services

    from timebank.communities.services import community_by_slug
    from timebank.extensions import db
    from timebank.identity.models import User

    set_clock(app, lambda: NOW)
    with app.test_request_context():
        maple = community_by_slug("maple")
        coordinator = db.session.get(User, community["coordinator"])
        volunteer = db.session.get(User, community["volunteer"])
        gate = services.save_post(maple, coordinator, name="北门岗亭值守点", kind="gate", place="幸福路北门岗亭")
        patrol = services.save_post(maple, coordinator, name="消防通道巡查", kind="patrol", place="三号楼后消防通道")
        start = NOW + timedelta(hours=6)
        full = services.create_shift(maple, coordinator, gate, start, start + timedelta(hours=3), 1,
                                     leader_id=coordinator.id, note="请提前十分钟到岗")
        services.create_shift(maple, coordinator, patrol, start, start + timedelta(hours=1), 3)
        services.sign_up(full, maple, volunteer)


@pytest.mark.parametrize("locale, elder", [("en", False), ("zh_CN", True)], ids=["english", "elder-mode"])
def test_pages_fit_a_phone(page, app, community, shifts_today, log_in, zh, locale, elder, screenshot):
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.app_context():
        for user_id in (community["coordinator"], community["volunteer"]):
            user = db.session.get(User, user_id)
            user.locale, user.elder_mode = locale, elder
        db.session.commit()

    width = page.viewport_size["width"]
    log_in(page, "maple.coord")
    page.wait_for_url("**/c/maple/")
    for path in PAGES:
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        fit = page.evaluate(FIT)
        # (not window.innerWidth: on a phone the layout viewport widens with the page)
        assert fit["scroll"] <= width, f"{path}: {fit['scroll']} px wide on a {width} px phone"
        assert fit["narrow"] == [], f"{path}: list text squeezed to a narrow column: {fit['narrow']}"

    page.goto("/c/maple/p/qr-checkin/")
    full = page.get_by_role("listitem").filter(has_text="北门岗亭值守点")
    button = full.get_by_role("button", name="Join the waiting list" if locale == "en" else zh("Join the waiting list"))
    expect(button).to_be_visible()
    text = full.locator(".grow")
    assert button.bounding_box()["y"] >= text.bounding_box()["y"] + text.bounding_box()["height"] - 1, \
        "the long button sits under the shift's text, not beside it"
    screenshot(page, f"phone-fit-shifts-{locale}{'-elder' if elder else ''}")
