"""The home page's "My volunteer hours" card on narrow phones: a figure and its unit stay on one line.

Found by a user audit: on a 390 px phone "162.95小时" broke as "162.95小" with "时" on the next line (the two
figures side by side left each 133 px; the figure needs 142, and 154 in elder mode's 30 px type). Now the figure
never breaks, and the two figures go one under the other where they do not fit side by side."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ONE_LINE = """element => {
  const box = element.getBoundingClientRect(), frame = element.parentElement.getBoundingClientRect();
  return {text: element.textContent, lines: Math.round(box.height / parseFloat(getComputedStyle(element).lineHeight)),
          inside: box.left >= frame.left - 0.5 && box.right <= frame.right + 0.5,
          fitsPage: document.documentElement.scrollWidth <= window.innerWidth};
}"""


@pytest.fixture
def long_serving_volunteer(app, community):
    """162.95 confirmed hours (9777 minutes): twenty full days and one of 2 h 57 min, confirmed by the
    coordinator."""
    from timebank.communities.services import community_by_slug
    from timebank.extensions import db
    from timebank.identity.models import User
    from timebank.ledger.accounts import atomic
    from timebank.ledger.records import confirm, record_service

    first = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=40)
    with app.test_request_context():
        maple = community_by_slug("maple")
        volunteer = db.session.get(User, community["volunteer"])
        coordinator = db.session.get(User, community["coordinator"])
        for day, minutes in enumerate([480] * 20 + [177]):
            start = first + timedelta(days=day)
            with atomic():
                record = record_service(maple, volunteer, category="ledger.elder_care", activity_name="助老陪伴",
                                        started_at=start, ended_at=start + timedelta(minutes=minutes),
                                        minutes=minutes, actor=volunteer)  # exact, as a check-out records
            confirm(record, maple, coordinator)
    return community["volunteer"]


@pytest.mark.parametrize("width", [390, 320])
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder-mode"])
def test_confirmed_hours_stay_on_one_line(page, app, long_serving_volunteer, log_in, zh, width, elder, screenshot):
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.app_context():
        db.session.get(User, long_serving_volunteer).elder_mode = elder
        db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, "maple.vol")
    card = page.get_by_role("region", name=zh("My volunteer hours"))
    figure = card.locator(".stat").first
    expect(figure).to_have_text("162.95" + zh("h"))
    screenshot(page, f"hours-card-{width}{'-elder' if elder else ''}")
    shown = figure.evaluate(ONE_LINE)
    assert shown["lines"] == 1, shown
    assert shown["inside"] and shown["fitsPage"], shown
    for other in card.locator(".stat").all():  # the credits beside it, too
        assert other.evaluate(ONE_LINE)["lines"] == 1, other.evaluate(ONE_LINE)
    screenshot(page, f"hours-card-{width}{'-elder' if elder else ''}")
