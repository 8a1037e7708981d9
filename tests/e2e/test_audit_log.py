"""The audit log on a phone (390 × 844, and 320 px in elder mode): each entry reads in words, who and when, what
happened, the object, with nothing wider than the screen.

Found by a user audit: the log was a four-column table 585–652 px wide on a 390 px phone, the names wrapped one
character per line (周/志/明), the column of actions was cut off and the objects were off-screen; the entries showed
codes (``ledger.confirmed | minutes: 120; bulk: True``, ``record 606``, ``elder_meals_menu 28``)."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FITS = "document.documentElement.scrollWidth <= window.innerWidth"
#: Each entry's name, time, description and object: on the screen (nothing cut off on the right) and never a
#: column a character or two wide.
SQUEEZED = """() => [...document.querySelectorAll(".audit-entry p")]
  .map(element => [element.className, element.getBoundingClientRect()])
  .filter(([name, box]) => box.right > window.innerWidth || (!name.includes("audit-when") && box.width < 120))
  .map(([name, box]) => `${name}: ${Math.round(box.left)}–${Math.round(box.right)}`)"""


@pytest.fixture
def logged_events(app, community, make):
    """What a community's log holds after a busy day, as the services write it."""
    from sqlalchemy import select

    from timebank.audit.models import AuditEvent
    from timebank.clock import now
    from timebank.communities.models import Community
    from timebank.extensions import db

    coordinator = make.member("maple", "maple.zhou", role="coordinator", display_name="周志明")
    events = [
        ("ledger.confirmed", coordinator, ("record", 606), {"minutes": 120, "bulk": True}),
        ("elder_meals.menu_saved", coordinator, ("elder_meals_menu", 28), {}),
        ("honor_awards.votes_voided", coordinator, ("honor_awards_campaign", 3),
         {"votes": 12, "reason": "同一户在同一天重复投票，按评选规则作废多出的票数"}),
        ("team.member_added", coordinator, ("team", 1), {"user_id": community["volunteer"], "leader": True}),
        ("parcel_lockers.locker_opened_by_the_courier_service", coordinator, ("parcel_lockers_locker", 7),
         {"door": 3}),
    ]
    with app.app_context():
        maple = db.session.scalar(select(Community.id).where(Community.slug == "maple"))
        for action, actor, (target_type, target_id), detail in events:
            db.session.add(AuditEvent(created_at=now(), community_id=maple, actor_id=actor, action=action,
                                      target_type=target_type, target_id=str(target_id),
                                      detail_json=json.dumps(detail)))
        db.session.commit()


@pytest.mark.parametrize("width, elder", [(390, False), (320, True)], ids=["390px", "320px-elder-mode"])
def test_the_audit_log_reads_in_words_on_a_phone(page, app, community, logged_events, log_in, zh, width, elder,
                                                 screenshot):
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.app_context():
        db.session.get(User, community["admin"]).elder_mode = elder
        db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, "maple.admin")
    page.goto("/c/maple/admin/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Audit log"))

    confirmed = page.locator('.audit-entry[data-action="ledger.confirmed"]')
    expect(confirmed.locator(".audit-what")).to_contain_text("确认了服务时长 · 2小时 · 批量")
    expect(confirmed.locator(".audit-object")).to_contain_text("服务记录 #606")
    expect(confirmed.locator(".audit-who strong")).to_have_text("周志明")
    menu = page.locator('.audit-entry[data-action="elder_meals.menu_saved"]')
    expect(menu.locator(".audit-what")).to_contain_text("保存了菜单")
    expect(menu.locator(".audit-object")).to_contain_text("菜单 #28")
    expect(page.locator(".audit-entry").filter(has_text="添加了队员")).to_contain_text("陈志强 · 任队长")
    expect(page.get_by_text("ledger.confirmed")).to_have_count(0)
    expect(page.get_by_text("elder_meals_menu")).to_have_count(0)
    unknown = page.locator('.audit-entry[data-action="parcel_lockers.locker_opened_by_the_courier_service"]')
    expect(unknown).to_contain_text("door：3")  # a plugin that is gone: its code, nothing breaks

    assert page.evaluate(FITS), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(SQUEEZED) == []
    name = confirmed.locator(".audit-who strong")
    assert name.evaluate("element => element.getClientRects().length") == 1  # 周志明 on one line, not 周/志/明
    screenshot(page, f"audit-log-{width}{'-elder' if elder else ''}")


def test_the_district_log_fits_a_phone_and_names_the_community(page, app, community, logged_events, make, log_in):
    make.district_admin()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "district")
    page.goto("/district/audit")
    confirmed = page.locator('.audit-entry[data-action="ledger.confirmed"]')
    expect(confirmed.locator(".audit-object")).to_contain_text("枫林社区 · 服务记录 #606")
    assert page.evaluate(FITS)
    assert page.evaluate(SQUEEZED) == []
