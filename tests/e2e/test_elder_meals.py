"""Elder meals on phones: a family member orders lunch for an elder, the canteen's roster shows it, a volunteer
delivers it on the round, the coordinator confirms the hours. Then the elder orders himself in elder mode, and a
"no answer" at the door reaches the coordinator's home screen."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from timebank.clock import set_clock

pytestmark = pytest.mark.browser

MONDAY_9AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 23 November, 09:00 in Shanghai
TUESDAY = date(2026, 11, 24)


@pytest.fixture
def clock(app):
    state = {"now": MONDAY_9AM}
    set_clock(app, lambda: state["now"])

    def move(hours_after_monday_9am):
        state["now"] = MONDAY_9AM + timedelta(hours=hours_after_monday_9am)

    return move


@pytest.fixture
def canteen(app, community, make, clock):
    """The elder 赵大爷 (born 1951-11-25) enrolled in "maple", living in 1号楼 of 第一网格, with 刘洋 (the
    resident) as family contact; Tuesday's lunch menu published."""
    elder_id = make.member("maple", "maple.elder", role="resident", display_name="赵大爷")
    with app.test_request_context():
        from timebank_plugins.elder_meals import enrolment, menus

        from timebank.communities import structure
        from timebank.communities.models import Community
        from timebank.extensions import db
        from timebank.identity.models import User

        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, community["coordinator"])
        grid = structure.add_grid(maple, coordinator, "第一网格")
        building = structure.add_building(maple, coordinator, "1号楼", grid_id=grid.id, stairwells=1)
        home = structure.add_household(maple, coordinator, building.id, "101", building.stairwells[0].id)
        elder = enrolment.enrol(maple, coordinator, db.session.get(User, elder_id), enrolment.Details(
            birth_date=date(1951, 11, 25), diet_notes="糖尿病，少糖", consent=True, household_id=home.id,
            needs_delivery=True, delivery_note="门铃坏了，请敲门"))
        enrolment.add_family(maple, coordinator, elder, db.session.get(User, community["resident"]), "child")
        menus.save_menu(maple, coordinator, TUESDAY, "lunch", 40, [
            menus.DishInput("红烧肉套餐", "红烧肉、青菜、米饭", "13"),
            menus.DishInput("软食套餐", "肉末蒸蛋、南瓜粥", "9", soft=True, low_salt=True)], publish=True)
        return {"elder": elder.id}


# Every text in the page body is at least 18 px in elder mode (as tests/e2e/test_elder_mode.py checks the core).
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


def main(page):
    page.wait_for_load_state("load")
    return page.get_by_role("main")


def test_family_orders_the_roster_shows_it_a_volunteer_delivers_the_coordinator_confirms(
        page, new_page, canteen, clock, zh, log_in, tab_bar, screenshot):
    family = page
    log_in(family, "maple.res")
    family.get_by_role("main").get_by_role("link", name=zh("Elder meals")).click()
    main(family).get_by_role("link", name=zh("Order meals")).click()
    expect(family.get_by_role("heading", level=1)).to_have_text(zh("Order meals for %(name)s", name="赵大爷"))
    lunch = family.get_by_role("region", name=re.compile(zh("Lunch")))
    lunch.get_by_role("radio", name=re.compile("软食套餐")).check()
    lunch.get_by_role("radio", name=zh("Delivery")).check()
    screenshot(family, "elder-meals-family-order")
    lunch.get_by_role("button", name=zh("Order this meal")).click()
    expect(family.get_by_role("status")).to_contain_text(
        zh("Ordered: %(dish)s on %(day)s. To pay: %(due)s.", dish="软食套餐", day="2026-11-24", due="¥10.00"))
    assert "糖尿病" not in family.content()  # diet notes are for the canteen only
    assert family.evaluate("document.documentElement.scrollWidth") <= 360

    coordinator = new_page()
    # The browser's print dialog is counted instead of opened.
    coordinator.add_init_script("window.__prints = 0; window.print = function () { window.__prints += 1; };")
    log_in(coordinator, "maple.coord")
    coordinator.goto("/c/maple/p/elder-meals/roster?day=2026-11-24&slot=lunch")
    roster = main(coordinator)
    expect(roster.get_by_role("heading", name=zh("Portions to cook: %(n)d", n=1))).to_be_visible()
    expect(roster).to_contain_text("赵大爷")
    # The Print button is hidden without JavaScript (the browser's menu prints); the page's one script shows it.
    roster.get_by_role("button", name=zh("Print")).click()
    assert coordinator.evaluate("() => window.__prints") == 1
    expect(roster).to_contain_text("糖尿病，少糖")
    screenshot(coordinator, "elder-meals-roster")
    coordinator.goto("/c/maple/p/elder-meals/rounds")
    plan = main(coordinator)
    plan.get_by_label(zh("Day")).fill("2026-11-24")
    plan.get_by_label(zh("Leaves the canteen at")).fill("11:00")
    plan.get_by_role("button", name=zh("Plan rounds")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(zh(
        "%(num)d delivery put into rounds (%(rounds)s). Volunteers can sign up now.",
        plural="%(num)d deliveries put into rounds (%(rounds)s). Volunteers can sign up now.", num=1,
        rounds=zh("%(num)d new round", plural="%(num)d new rounds", num=1)))

    clock(25.75)  # Tuesday 10:45
    volunteer = new_page()
    log_in(volunteer, "maple.vol")
    tab_bar(volunteer).open("Tasks")
    main(volunteer).get_by_role("link", name=re.compile(zh("Meal delivery rounds need a volunteer"))).click()
    main(volunteer).get_by_role("link", name=re.compile("第一网格")).click()
    main(volunteer).get_by_role("button", name=zh("I will deliver this round")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(
        zh("The round is yours. Thank you! Collect the meals at the canteen on time."))
    clock(26)  # 11:00: the meals are packed
    main(volunteer).get_by_role("button", name=zh("I have the meals: start the round")).click()
    stop = main(volunteer).get_by_role("listitem").filter(has_text="赵大爷")
    expect(stop).to_contain_text("门铃坏了，请敲门")
    assert "糖尿病" not in volunteer.content()
    screenshot(volunteer, "elder-meals-round")
    clock(26.5)  # 11:30
    stop.get_by_role("button", name=zh("Delivered to %(name)s", name="赵大爷")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(
        zh("Round finished. Your time was sent for confirmation. Thank you!"))

    tab_bar(coordinator).open("Tasks")
    main(coordinator).get_by_role("link", name=zh("Hours waiting for confirmation")).click()
    coordinator.get_by_role("checkbox", name=zh("Select %(name)s, %(activity)s", name="陈志强",
                                                   activity="助餐送餐：第一网格（午餐）")).check()
    coordinator.get_by_role("button", name=zh("Confirm selected")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(
        zh("%(num)d entry confirmed.", plural="%(num)d entries confirmed.", num=1))

    tab_bar(volunteer).open("My hours")
    expect(volunteer.get_by_text(zh("Confirmed hours"), exact=True).locator("..")).to_contain_text("0.5")

    # The coordinator's views of the elder and of the month (looked at in the screenshots).
    coordinator.goto(f"/c/maple/p/elder-meals/elders/{canteen['elder']}")
    expect(main(coordinator)).to_contain_text("糖尿病，少糖")
    screenshot(coordinator, "elder-meals-elder-page")
    coordinator.goto("/c/maple/p/elder-meals/statements?month=2026-11")
    expect(main(coordinator).get_by_role("row", name=re.compile(zh("%(start)d–%(end)d years", start=60, end=74)))
           ).to_contain_text("¥1.00")
    screenshot(coordinator, "elder-meals-statement")
    family.goto("/c/maple/p/elder-meals/menu?week=2026-11-24")
    screenshot(family, "elder-meals-week")
    for shot in (family, coordinator, volunteer):
        assert shot.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_elder_orders_himself_in_elder_mode(page, canteen, clock, zh, log_in, screenshot):
    log_in(page, "maple.elder")
    page.get_by_role("button", name=zh("Elder mode"), exact=True).click()
    expect(main(page).get_by_role("heading", name=zh("My meals"))).to_be_visible()  # the card on the elder home
    assert page.evaluate(SMALL_TEXT) == []
    screenshot(page, "elder-meals-elder-home")
    main(page).get_by_role("link", name=zh("Order meals")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Order my meals"))
    page.get_by_role("radio", name=re.compile("红烧肉套餐")).check()
    page.get_by_role("radio", name=zh("Eat at the canteen")).check()
    order = page.get_by_role("button", name=zh("Order this meal"))
    box = order.bounding_box()
    assert box["height"] >= 60 and box["width"] >= 60
    choice = page.locator("label.choice").first.bounding_box()
    assert choice["height"] >= 60
    assert page.evaluate(SMALL_TEXT) == []
    screenshot(page, "elder-meals-elder-mode")
    order.click()
    expect(page.get_by_role("status")).to_contain_text(
        zh("Ordered: %(dish)s on %(day)s. To pay: %(due)s.", dish="红烧肉套餐", day="2026-11-24", due="¥12.00"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name=zh("Cancel this order")).click()
    expect(page.get_by_role("status")).to_contain_text(zh("Cancelled."))


def test_no_answer_reaches_the_coordinator_and_the_family_at_once(app, page, new_page, canteen, clock, zh, log_in,
                                                                 screenshot):
    with app.test_request_context():
        from datetime import time

        from timebank_plugins.elder_meals import menus, orders, rounds
        from timebank_plugins.elder_meals.models import Elder

        from timebank.communities.models import Community
        from timebank.extensions import db
        from timebank.identity.models import User

        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        people = {user.username: user for user in db.session.scalars(db.select(User))}
        menu = menus.menu_for(maple, TUESDAY, "lunch")
        elder = db.session.get(Elder, canteen["elder"])
        orders.place_order(maple, people["maple.res"], elder, menu, menu.dishes[0].id, "delivery")
        rounds.plan_rounds(maple, people["maple.coord"], TUESDAY, "lunch", time(11))
        delivery_round = rounds.rounds_between(maple, TUESDAY, TUESDAY)[0]
        rounds.sign_up(maple, people["maple.vol"], delivery_round)
        round_id = delivery_round.id
    clock(26)
    volunteer = page
    log_in(volunteer, "maple.vol")
    volunteer.goto(f"/c/maple/p/elder-meals/rounds/{round_id}")
    main(volunteer).get_by_role("button", name=zh("I have the meals: start the round")).click()
    main(volunteer).get_by_role("button", name=zh("No answer at %(name)s", name="赵大爷")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(
        zh("The coordinator and the family were alerted. Go on with the next stop."))

    for username in ("maple.coord", "maple.res"):
        person = new_page()
        log_in(person, username)
        notice = main(person).get_by_role("alert")
        expect(notice).to_contain_text(zh("Did not answer the door: please check on them now"))
        expect(notice).to_contain_text("赵大爷")
        if username == "maple.res":
            screenshot(person, "elder-meals-alert-home")
            notice.get_by_role("link", name=zh("Say what happened")).click()
            main(person).get_by_role("radio", name=zh("Reached and safe: no meal needed")).check()
            main(person).get_by_role("button", name=zh("Done")).click()
            expect(person.get_by_role("status")).to_contain_text(zh("Thank you for checking."))
            person.goto("/c/maple/")
            expect(main(person).get_by_role("alert")).to_have_count(0)


def test_the_canteen_writes_and_publishes_a_menu(page, new_page, canteen, clock, zh, log_in, screenshot):
    log_in(page, "maple.coord")
    page.goto("/c/maple/p/elder-meals/menu?week=2026-11-24")
    wednesday = main(page).get_by_role("region", name=re.compile("2026年11月25日"))
    wednesday.get_by_role("link", name=zh("Write the menu")).first.click()
    form = main(page)
    form.get_by_label(zh("Meals the canteen can cook")).fill("30")
    first = form.get_by_role("group", name=zh("Meal %(n)d", n=1))
    first.get_by_label(zh("Meal"), exact=True).fill("清蒸鱼套餐")
    first.get_by_label(zh("Dishes")).fill("清蒸鲈鱼、西兰花、米饭")
    first.get_by_label(zh("Price (yuan)")).fill("十二")
    first.get_by_label(zh("Low salt")).check()
    form.get_by_role("button", name=zh("Save")).click()
    expect(first.get_by_text(zh("Enter an amount in yuan, e.g. 8 or 2.5."))).to_be_visible()
    first.get_by_label(zh("Price (yuan)")).fill("12")
    form.get_by_label(zh("Publish now (elders and families can order)")).check()
    screenshot(page, "elder-meals-menu-form")
    form.get_by_role("button", name=zh("Save")).click()
    expect(page.get_by_role("status")).to_contain_text(zh("The menu is published."))
    family = new_page()
    log_in(family, "maple.res")
    family.goto("/c/maple/p/elder-meals/menu?week=2026-11-24")
    day = main(family).get_by_role("region", name=re.compile("2026年11月25日"))
    expect(day).to_contain_text("清蒸鱼套餐")
    expect(day).to_contain_text("¥12.00")
    expect(day).to_contain_text(zh("Low salt"))
