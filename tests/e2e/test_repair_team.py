"""Repair-team bookings on phones, with two people on two phones: a resident asks for a repair (with a photo); a
volunteer of the repair team takes it, goes, works, records a material with its receipt and finishes; the
resident reads the sign-off code from her own phone and types it on the volunteer's; then rates the repair on
her phone. Then the coordinator's board at 360 px with an overdue emergency, and the coordinator finding one volunteer
by name in a roster of several pages."""

from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from timebank.clock import set_clock

pytestmark = pytest.mark.browser

START = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # Friday 20 November, 09:00 in Shanghai


@pytest.fixture
def clock(app):
    state = {"now": START}
    set_clock(app, lambda: state["now"])

    def move(minutes_from_start):
        state["now"] = START + timedelta(minutes=minutes_from_start)

    return move


@pytest.fixture
def repair_team(app, community, clock):
    """maple: building 3, the resident's home 3号楼 1单元 402, the volunteer on the repair team (water, drains)."""
    from timebank_plugins.repair_team import roster

    from timebank.communities import structure
    from timebank.communities.models import Community, Membership
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.test_request_context():
        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, community["coordinator"])
        building = structure.add_building(maple, coordinator, "3号楼", stairwells=2)
        home = structure.add_household(maple, coordinator, building.id, "402", stairwell_id=building.stairwells[0].id)
        membership = db.session.scalar(db.select(Membership).where(Membership.user_id == community["resident"]))
        membership.household_id = home.id
        db.session.commit()
        entry = roster.add_to_roster(maple, coordinator, db.session.get(User, community["volunteer"]))
        roster.save_skills(maple, coordinator, entry, ["water", "drains"])
    return community


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "tap.jpg"
    Image.new("RGB", (800, 600), (90, 140, 200)).save(path, "JPEG")
    return path


def open_main_link(page, name):
    """Tap a link in the page's main area and wait for the next page (the side menu repeats some links)."""
    page.get_by_role("main").get_by_role("link", name=name).first.click()
    page.wait_for_load_state("load")


def test_request_visit_sign_off_on_the_volunteers_phone_and_rating(app, page, new_page, repair_team, clock, photo,
                                                                   zh, log_in, screenshot):
    resident = page
    log_in(resident, "maple.res")
    resident.goto("/c/maple/")
    open_main_link(resident, zh("Request a repair"))
    expect(resident.get_by_role("heading", level=1)).to_have_text(zh("Request a repair"))
    resident.get_by_role("radio", name=zh("Water and taps")).check()
    resident.get_by_label(zh("What is broken?")).fill("卫生间洗手池水龙头一直滴水")
    expect(resident.get_by_label(zh("Home address"))).to_have_value(str(_household(app)))
    resident.get_by_role("checkbox", name=zh("Afternoon (13–17)")).check()
    resident.get_by_label(zh("Phone for the volunteer (optional)")).fill("13912345678")
    resident.get_by_label(zh("Photos (optional)")).set_input_files(photo)
    expect(resident.get_by_text(zh("Gas is inspection and referral only: the volunteers check hoses, valves and "
                                   "alarms and call in the gas company for any repair. If you smell gas now: do not "
                                   "switch anything on or off, open the windows, leave, and call the gas company's "
                                   "emergency line."))).to_be_visible()
    screenshot(resident, "repair-request-form")
    resident.get_by_role("button", name=zh("Send the request")).click()
    expect(resident.get_by_role("status")).to_contain_text("WX20261120-001")
    expect(resident.get_by_role("main")).to_contain_text(zh("Waiting for a volunteer. You will be told here and in "
                                                            "your messages who is coming and when."))
    expect(resident.get_by_role("img", name=zh("Photo of the problem") + " 1")).to_be_visible()
    code = resident.locator("[data-code]").inner_text().replace(" ", "")
    assert len(code) == 6 and code.isdigit()
    screenshot(resident, "repair-order-submitted")

    volunteer = new_page()
    log_in(volunteer, "maple.vol")
    volunteer.goto("/c/maple/")
    open_main_link(volunteer, zh("My repair jobs"))
    expect(volunteer.get_by_role("main")).to_contain_text("卫生间洗手池水龙头一直滴水")
    volunteer.get_by_label(zh("Visit date")).fill("2026-11-20")
    volunteer.get_by_label(zh("Visit time")).fill("14:00")
    screenshot(volunteer, "repair-jobs")
    volunteer.get_by_role("button", name=zh("I will take it")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("The job is yours. The resident has been told when "
                                                               "you will come."))

    resident.reload()
    coming = zh("%(name)s from the repair team will come on %(when)s.", name="陈志强", when="@")
    expect(resident.get_by_role("main")).to_contain_text(coming.split("@")[0])  # then the date and time

    clock(4 * 60 + 40)
    volunteer.get_by_role("button", name=zh("I am on my way")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("The resident has been told that you are on the way."))
    clock(5 * 60)
    volunteer.get_by_role("button", name=zh("Start work")).click()
    volunteer.get_by_text(zh("Add a material")).click()
    volunteer.get_by_label(zh("Material used")).fill("水龙头密封圈")
    volunteer.get_by_label(zh("Quantity")).fill("2个")
    volunteer.get_by_label(zh("Cost in yuan (what you paid)")).fill("6.5")
    volunteer.get_by_label(zh("Photo of the receipt")).set_input_files(photo)
    volunteer.get_by_role("button", name=zh("Add the material")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("Material recorded."))
    expect(volunteer.get_by_role("main")).to_contain_text(zh("Materials total: ¥%(total)s", total="6.50"))
    clock(5 * 60 + 40)
    open_main_link(volunteer, zh("Work finished"))
    volunteer.get_by_label(zh("What did you do?")).fill("更换了两个密封圈，试水不漏")
    screenshot(volunteer, "repair-finish")
    volunteer.get_by_role("button", name=zh("Finish and ask the resident to sign off")).click()
    expect(volunteer.get_by_role("heading", name=zh("Sign off"))).to_be_visible()

    # The resident checks the total on her own phone, then types her code on the volunteer's phone.
    resident.reload()
    expect(resident.get_by_role("main")).to_contain_text(zh("Materials total: ¥%(total)s", total="6.50"))
    volunteer.get_by_label(zh("Resident's sign-off code")).fill("000000")
    volunteer.get_by_role("button", name=zh("The resident signs off")).click()
    expect(volunteer.get_by_text(zh("This is not the resident's sign-off code. Ask them to look at the order in "
                                    "their app, or at the paper the coordinator gave them."))).to_be_visible()
    volunteer.get_by_label(zh("Resident's sign-off code")).fill(code)
    screenshot(volunteer, "repair-sign-off-on-volunteer-phone")
    volunteer.get_by_role("button", name=zh("The resident signs off")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("Signed off. Thank you! The volunteer's time was sent "
                                                               "for confirmation."))

    clock(7 * 60)
    resident.reload()
    resident.get_by_role("radio", name=zh("5 stars: very good")).check()
    resident.get_by_label(zh("Your comment")).fill("师傅很细心，谢谢！")
    screenshot(resident, "repair-rating")
    resident.get_by_role("button", name=zh("Send the rating")).click()
    expect(resident.get_by_role("status")).to_contain_text(zh("Thank you for your rating."))
    expect(resident.locator(".order-head")).to_contain_text(zh("Closed"))
    screenshot(resident, "repair-order-closed")

    from timebank.extensions import db
    from timebank.ledger.models import ServiceRecord

    with app.app_context():
        [record] = db.session.scalars(db.select(ServiceRecord)).all()
        assert (record.status, record.minutes, record.source) == ("pending", 30, "repair_team:order-1")


def _household(app):
    from timebank.communities.models import Household
    from timebank.extensions import db

    with app.app_context():
        return db.session.scalar(db.select(Household.id))


def test_the_coordinators_board_shows_the_overdue_emergency_first(app, page, repair_team, clock, zh, log_in,
                                                                  screenshot):
    from timebank_plugins.repair_team import services

    from timebank.communities.models import Community, Household
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.test_request_context():
        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        resident = db.session.get(User, repair_team["resident"])
        home = db.session.scalar(db.select(Household.id))
        services.submit_request(maple, resident, resident, category="drains", description="厨房下水道堵了",
                                household_id=home, preferred_days=[date(2026, 11, 21).isoformat()])
        services.submit_request(maple, resident, resident, category="water", urgency="emergency",
                                description="水管爆了，水漫到楼下", household_id=home)
    clock(45)
    coordinator = page
    log_in(coordinator, "maple.coord")
    coordinator.goto("/c/maple/p/repair-team/board")
    waiting = coordinator.get_by_role("main").locator(".board > li")
    expect(waiting).to_have_count(2)
    expect(waiting.first).to_contain_text(zh("Emergency"))
    expect(waiting.first).to_contain_text(zh("overdue"))
    screenshot(coordinator, "repair-board")
    waiting.first.get_by_role("link", name=zh("Send someone")).click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(zh("Assign a volunteer"))
    expect(coordinator.get_by_role("radio", name="陈志强")).to_be_checked()
    screenshot(coordinator, "repair-assign")
    coordinator.get_by_role("button", name=zh("Send this volunteer")).click()
    expect(coordinator.get_by_role("status")).to_contain_text("陈志强")
    expect(coordinator.get_by_role("main").locator(".board > li")).to_have_count(1)

    open_main_link(coordinator, zh("Repair team"))
    expect(coordinator.get_by_role("main")).to_contain_text(zh("Blocked drains"))
    screenshot(coordinator, "repair-team")
    coordinator.goto("/c/maple/p/repair-team/stats")
    expect(coordinator.get_by_role("main")).to_contain_text(zh("Water and taps"))
    screenshot(coordinator, "repair-stats")


def test_an_elder_signs_off_on_his_own_phone_in_elder_mode(app, page, repair_team, clock, zh, log_in, screenshot):
    """The coordinator took the elder's call; the volunteer finished; the elder signs off from the home card."""
    from timebank_plugins.repair_team import dispatch, services, workflow

    from timebank.communities.models import Community, Household
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.test_request_context():
        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, repair_team["coordinator"])
        elder = db.session.get(User, repair_team["resident"])
        elder.elder_mode = True
        db.session.commit()
        volunteer = db.session.get(User, repair_team["volunteer"])
        order = services.submit_request(maple, coordinator, coordinator, category="drains", for_member="maple.res",
                                        description="赵大爷来电：厨房下水道堵了", household_id=db.session.scalar(
                                            db.select(Household.id)), contact_phone="010-12345678")
        dispatch.assign(order, maple, coordinator, volunteer, START + timedelta(hours=1))
        clock(60)
        workflow.start_work(order, maple, volunteer)
        clock(100)
        workflow.finish_work(order, maple, volunteer, "拆开存水弯清理干净，试水通畅")
    clock(120)
    log_in(page, "maple.res")
    page.goto("/c/maple/")
    card = page.get_by_role("region", name=zh("My repair requests"))
    expect(card).to_contain_text(zh("Done, waiting for sign-off"))
    expect(card.get_by_role("link", name=zh("Request a repair"))).to_be_visible()
    screenshot(page, "repair-elder-home")
    card.get_by_role("link", name=zh("Blocked drains")).click()
    page.wait_for_load_state("load")
    button = page.get_by_role("button", name=zh("The work is done: sign off"))
    assert button.bounding_box()["height"] >= 60  # elder mode: main controls at least 60 px
    screenshot(page, "repair-elder-order")
    button.click()
    expect(page.get_by_role("status")).to_contain_text(zh("Signed off. Thank you! The volunteer's time was sent for "
                                                          "confirmation."))
    expect(page.get_by_role("heading", name=zh("Rate the repair"))).to_be_visible()


def test_the_coordinator_finds_a_volunteer_by_name_on_a_phone(app, page, make, repair_team, zh, log_in, screenshot):
    """Thirty volunteers on the team: the roster is paged; typing part of a name finds the one, who opens."""
    from flask_babel import force_locale, ngettext
    from timebank_plugins.repair_team import roster

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    ids = [make.member("maple", f"crew{n:02d}", role="volunteer", display_name=f"队员{n:02d}", password=None)
           for n in range(1, 30)]
    ids.append(make.member("maple", "plumber.huang", role="volunteer", display_name="黄师傅", password=None))
    with app.test_request_context():
        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, repair_team["coordinator"])
        for user_id in ids:
            entry = roster.add_to_roster(maple, coordinator, db.session.get(User, user_id))
        roster.save_skills(maple, coordinator, entry, ["water", "heating"])  # 黄师傅
    log_in(page, "maple.coord")
    page.goto("/c/maple/p/repair-team/team")
    main = page.get_by_role("main")
    expect(main.get_by_role("navigation", name=zh("Pages"))).to_contain_text(zh("Page %(page)d of %(last)d", page=1,
                                                                                last=2))
    expect(main.get_by_role("link", name="黄师傅")).to_have_count(0)  # on the second page, by name
    page.get_by_label(zh("Search by name or phone number")).fill("黄")
    page.get_by_label(zh("Skill")).select_option(label=zh("Heating"))
    screenshot(page, "repair-team-search")
    main.get_by_role("button", name=zh("Search")).click()
    page.wait_for_load_state("load")
    with app.test_request_context(), force_locale("zh_CN"):
        expect(main.get_by_role("status")).to_contain_text(ngettext("%(num)d volunteer found",
                                                                    "%(num)d volunteers found", 1))
    found = main.locator(".team-list > li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(zh("Heating"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    found.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("黄师傅")
