"""Mutual aid on two phones: an elder's daughter asks for help for her mother, a volunteer offers it, the daughter
accepts, and after the visit confirms it; both see the credits move."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from timebank.clock import set_clock

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


@pytest.fixture
def family(app, make):
    """The daughter (a volunteer with hours) gave her mother two credits; a coordinator confirmed they are kin."""
    state = {"now": NOW}
    set_clock(app, lambda: state["now"])
    make.community("maple", "枫林社区")
    ids = {"coordinator": make.member("maple", "maple.coord", role="coordinator", display_name="王芳"),
           "helper": make.member("maple", "maple.vol", role="volunteer", display_name="陈志强"),
           "daughter": make.member("maple", "daughter", role="volunteer", display_name="刘丽"),
           "mother": make.member("maple", "mother", role="resident", display_name="刘奶奶")}
    with app.test_request_context():
        from timebank.communities.models import Community
        from timebank.extensions import db
        from timebank.identity.models import User
        from timebank.ledger import credits
        from timebank.ledger.accounts import atomic
        from timebank.ledger.records import confirm, record_service

        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        users = {name: db.session.get(User, user_id) for name, user_id in ids.items()}
        start = NOW - timedelta(days=2)
        with atomic():
            record = record_service(maple, users["daughter"], category="ledger.elder_care", activity_name="助老",
                                    started_at=start, ended_at=start + timedelta(hours=3), actor=users["daughter"])
        confirm(record, maple, users["coordinator"])
        named = credits.name_relative(maple, users["daughter"], users["mother"], "parent", users["daughter"])
        credits.decide_relative(maple, named, users["coordinator"], True)
        credits.gift_credits(maple, users["daughter"], users["mother"], 120, users["daughter"])

    def move(**delta):
        state["now"] = state["now"] + timedelta(**delta)

    return move


def test_daughter_asks_for_her_mother_volunteer_helps_credits_move(page, new_page, family, zh, log_in, screenshot):
    daughter = page
    log_in(daughter, "daughter")
    daughter.goto("/c/maple/p/mutual-aid/")
    daughter.get_by_role("main").get_by_role("link", name=zh("Ask for help")).click()
    daughter.get_by_label(zh("For whom")).select_option(label="刘奶奶")
    daughter.get_by_label(zh("Kind of help")).select_option("companionship")
    daughter.get_by_label(zh("In one line")).fill("周六上午陪妈妈在小区散步")
    daughter.get_by_label(zh("About how long (minutes)")).fill("60")
    daughter.get_by_role("button", name=zh("Post")).click()
    expect(daughter.get_by_role("heading", level=1)).to_have_text("周六上午陪妈妈在小区散步")

    volunteer = new_page()
    log_in(volunteer, "maple.vol")
    volunteer.goto("/c/maple/p/mutual-aid/")
    volunteer.get_by_role("main").get_by_role("link", name="周六上午陪妈妈在小区散步").click()
    expect(volunteer.get_by_role("main")).not_to_contain_text("刘奶奶")  # a masked name before acceptance
    volunteer.get_by_label(zh("Message")).fill("我周六上午有空。")
    volunteer.get_by_role("button", name=zh("Offer to help")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("Sent. You will get a message when they accept."))

    daughter.reload()
    daughter.get_by_label(zh("Agreed day")).fill("2026-11-21")
    daughter.get_by_label(zh("Agreed time")).fill("09:00")
    daughter.get_by_role("button", name=zh("Accept %(name)s", name="陈志强")).click()
    expect(daughter.get_by_role("status")).to_contain_text(zh("Agreed. You can now see each other's contact "
                                                              "details."))

    family(days=1, hours=1)  # Saturday 11:00, after the walk
    daughter.reload()
    daughter.get_by_label(zh("How long did the help take (minutes)?")).fill("60")
    daughter.get_by_role("button", name=zh("Yes, confirm the help")).click()
    expect(daughter.get_by_role("status")).to_contain_text(zh("Thank you! The help is recorded."))
    main = daughter.get_by_role("main")
    expect(main.get_by_text(zh("Credits of %(name)s", name="刘奶奶")).locator("..")).to_contain_text("1")
    expect(main.get_by_text(zh("Credits of %(name)s", name="陈志强")).locator("..")).to_contain_text("1")
    screenshot(daughter, "mutual-aid-completed")

    volunteer.goto("/c/maple/hours/")
    expect(volunteer.get_by_text(zh("Time-bank credits"), exact=True).locator("..")).to_contain_text("1")
