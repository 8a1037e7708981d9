"""Duty shifts on phones: a coordinator creates a post and a shift and opens the poster; the test reads the QR
code from the rendered poster; a volunteer opens it, checks in, checks out after the clock moves; the leader
confirms; the hours show in "My hours". Then the rotating kiosk code and its six-digit fallback, and a volunteer
who picks a day on the shift list and signs up."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from timebank.clock import set_clock

pytestmark = pytest.mark.browser

SHIFT_START = datetime(2026, 11, 19, 23, 0, tzinfo=UTC)  # Friday 20 November, 07:00 in Shanghai


@pytest.fixture
def clock(app):
    state = {"now": SHIFT_START - timedelta(hours=3)}
    set_clock(app, lambda: state["now"])

    def move(minutes_from_start):
        state["now"] = SHIFT_START + timedelta(minutes=minutes_from_start)

    return move


def read_qr(locator, path):
    locator.evaluate("element => element.scrollIntoView({block: 'center'})")  # clear of the fixed tab bar
    locator.screenshot(path=path)
    found = zxingcpp.read_barcodes(Image.open(path))
    assert len(found) == 1, "exactly one QR code on the picture"
    return found[0].text


def test_poster_check_in_check_out_and_confirmation(page, new_page, community, clock, zh, log_in, tab_bar,
                                                    artifacts, screenshot):
    coordinator = page
    log_in(coordinator, "maple.coord")
    coordinator.goto("/c/maple/p/qr-checkin/posts")
    coordinator.get_by_role("link", name=zh("New post")).click()
    coordinator.get_by_label(zh("Name of the post")).fill("北门岗亭")
    coordinator.get_by_label(zh("Where exactly")).fill("幸福路88号北门")
    coordinator.get_by_role("button", name=zh("Save")).click()
    expect(coordinator.get_by_role("heading", name="北门岗亭")).to_be_visible()

    coordinator.get_by_role("link", name=zh("Add shifts")).click()
    coordinator.get_by_label(zh("Date (first day of a rota)")).fill("2026-11-20")
    coordinator.get_by_label(zh("Start"), exact=True).fill("07:00")
    coordinator.get_by_label(zh("End"), exact=True).fill("09:00")
    coordinator.get_by_label(zh("Shift leader"), exact=True).select_option(label="王芳")
    coordinator.get_by_role("button", name=zh("Create")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(zh("The shift was created."))

    coordinator.goto("/c/maple/p/qr-checkin/posts")
    coordinator.get_by_role("link", name=zh("Poster (A4)")).click()
    expect(coordinator.get_by_role("heading", name="北门岗亭")).to_be_visible()
    screenshot(coordinator, "qr-poster")
    url = read_qr(coordinator.get_by_role("img", name=zh("Check-in QR code for %(post)s", post="北门岗亭")),
                  artifacts / "qr-poster-code.png")
    assert "/p/qr-checkin/scan/" in url

    volunteer = new_page()
    clock(-5)
    volunteer.goto(url)  # the phone camera opens the address: log in first, then back to the post
    volunteer.get_by_label(zh("Username")).fill("maple.vol")
    volunteer.get_by_label(zh("Password")).fill("test-pass-123")
    volunteer.get_by_role("button", name=zh("Log in")).click()
    expect(volunteer.get_by_role("heading", level=1)).to_have_text("北门岗亭")
    volunteer.get_by_role("button", name=zh("Check in")).click()
    expect(volunteer.get_by_role("heading", level=1)).to_have_text(zh("Checked in"))
    screenshot(volunteer, "qr-checked-in")

    clock(121)
    volunteer.goto(url)
    volunteer.get_by_role("button", name=zh("Check out")).click()
    expect(volunteer.get_by_role("heading", level=1)).to_have_text(zh("Checked out"))
    expect(volunteer.get_by_role("status")).to_contain_text(zh("Your hours were sent to the leader for "
                                                               "confirmation. Thank you!"))

    coordinator.goto("/c/maple/p/qr-checkin/lead")
    coordinator.get_by_role("region", name=zh("Hours to confirm")).get_by_role("link", name="北门岗亭").click()
    expect(coordinator.get_by_role("main")).to_contain_text("陈志强")
    coordinator.get_by_role("button", name=zh("Confirm all on-time attendances")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(
        zh("%(num)d entry confirmed.", plural="%(num)d entries confirmed.", num=1))

    tab_bar(volunteer).open("My hours")
    expect(volunteer.get_by_text(zh("Confirmed hours"), exact=True).locator("..")).to_contain_text("2")


def test_rotating_code_and_fallback_digits(page, new_page, community, clock, zh, log_in, artifacts, app, make):
    make.member("maple", "maple.vol2", role="volunteer", display_name="刘小红")
    from timebank_plugins.qr_checkin import services

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    with app.test_request_context():
        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, community["coordinator"])
        post = services.save_post(maple, coordinator, name="路口文明劝导岗", kind="intersection",
                                  checkin_policy="rotating", rotate_seconds=30)
        services.create_shift(maple, coordinator, post, SHIFT_START, SHIFT_START + timedelta(hours=2), 4,
                              leader_id=community["coordinator"])
        post_id = post.id

    clock(0)
    leader = page
    log_in(leader, "maple.coord")
    leader.goto(f"/c/maple/p/qr-checkin/posts/{post_id}/kiosk")
    url = read_qr(leader.get_by_role("img", name=zh("Check-in QR code for %(post)s", post="路口文明劝导岗")),
                  artifacts / "qr-kiosk-code.png")
    digits = leader.locator("[data-code]").inner_text().replace(" ", "")
    assert len(digits) == 6 and digits.isdigit()

    volunteer = new_page()
    log_in(volunteer, "maple.vol")
    volunteer.goto(url)
    volunteer.get_by_role("button", name=zh("Check in")).click()
    expect(volunteer.get_by_role("heading", level=1)).to_have_text(zh("Checked in"))

    neighbour = new_page()  # a volunteer whose camera does not work types the digits under the code
    log_in(neighbour, "maple.vol2")
    neighbour.goto("/c/maple/p/qr-checkin/code")
    neighbour.get_by_label(zh("Six-digit code shown at the post")).fill(digits)
    neighbour.get_by_role("button", name=zh("Check in or out")).click()
    expect(neighbour.get_by_role("heading", level=1)).to_have_text(zh("Checked in"))

    clock(5)  # a screenshot of the code shared to a group chat, five minutes later
    late = new_page()
    log_in(late, "maple.vol")
    late.goto(url)
    expect(late.get_by_role("heading", level=1)).to_have_text(zh("This code has expired"))


def test_volunteer_picks_a_day_and_signs_up(page, community, clock, zh, log_in, app, screenshot):
    from timebank_plugins.qr_checkin import services

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    saturday = SHIFT_START + timedelta(days=1)
    with app.test_request_context():
        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, community["coordinator"])
        gate = services.save_post(maple, coordinator, name="北门岗亭", kind="gate")
        patrol = services.save_post(maple, coordinator, name="夜间巡逻路线", kind="patrol")
        services.create_shift(maple, coordinator, gate, SHIFT_START, SHIFT_START + timedelta(hours=2), 2)
        services.create_shift(maple, coordinator, gate, saturday, saturday + timedelta(hours=2), 2)
        services.create_shift(maple, coordinator, patrol, saturday + timedelta(hours=12),
                              saturday + timedelta(hours=14), 1)

    clock(-180)  # Friday 04:00
    volunteer = page
    log_in(volunteer, "maple.vol")
    volunteer.goto("/c/maple/p/qr-checkin/")
    days = volunteer.get_by_role("navigation", name=zh("Days"))
    expect(days.locator("[aria-current=date]")).to_contain_text(zh("Today"))
    expect(days.get_by_role("link").filter(has_text="21")).to_contain_text(
        zh("%(num)d needs people", plural="%(num)d need people", num=2))
    assert volunteer.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scroll"

    days.get_by_role("link").filter(has_text="21").click()  # Saturday
    expect(days.locator("[aria-current=date]")).to_contain_text("21")
    volunteer.get_by_role("navigation", name=zh("Kind of duty")).get_by_role("link", name=zh("Patrol route")).click()
    expect(volunteer).to_have_url(re.compile(r"kind=patrol"))
    shift = volunteer.get_by_role("listitem").filter(has_text="夜间巡逻路线")
    expect(volunteer.get_by_role("listitem").filter(has_text="北门岗亭")).to_have_count(0)
    screenshot(volunteer, "qr-day-picked")
    shift.get_by_role("button", name=zh("Sign up")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("You are on duty: thank you!"))

    volunteer.goto("/c/maple/p/qr-checkin/")  # back to today: my shift stays on top
    mine = volunteer.get_by_role("region", name=zh("My coming shifts"))
    expect(mine).to_contain_text("夜间巡逻路线")
    expect(mine).to_contain_text(zh("You are on duty"))
    expect(volunteer.get_by_role("navigation", name=zh("Days")).get_by_role("link").filter(has_text="21")
           ).to_contain_text(zh("%(num)d needs people", plural="%(num)d need people",
                                num=1))  # the patrol is full now, the gate is not


def test_my_code_changes_every_minute_without_reloading_the_page(page, community, clock, zh, log_in, artifacts,
                                                                   browser, live_server):
    clock(-2 / 60)  # two seconds before the personal code's minute is over
    log_in(page, "maple.vol")
    page.goto("/c/maple/p/qr-checkin/my-code")
    picture = page.get_by_role("img", name=zh("My personal check-in code"))
    before = read_qr(picture, artifacts / "qr-my-code-1.png")
    first_src = picture.get_attribute("src")
    page.evaluate("window.stayedOnThePage = true")
    assert page.locator("head > meta[http-equiv=refresh]").count() == 0, "the reload is only the fallback"

    clock(0.5)  # the next minute
    expect(picture).not_to_have_attribute("src", first_src, timeout=6_000)
    picture.evaluate("image => image.complete || new Promise(done => image.addEventListener('load', done))")
    after = read_qr(picture, artifacts / "qr-my-code-2.png")
    assert after != before, "a new code for the new minute"
    assert page.evaluate("window.stayedOnThePage === true"), "only the picture changed"

    # Without JavaScript, the page reloads itself when the minute is over.
    from conftest import PHONE

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    try:
        plain = context.new_page()
        log_in(plain, "maple.vol")
        plain.goto("/c/maple/p/qr-checkin/my-code")
        assert plain.locator("head meta[http-equiv=refresh]").get_attribute("content") == "30"
    finally:
        context.close()


def test_leader_scan_fetches_the_qr_decoder_only_for_the_camera(page, community, zh, log_in):
    """jsQR (51 KB compressed) would put the page over its 60 KB budget: it comes when the camera is asked for."""
    log_in(page, "maple.coord")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto("/c/maple/p/qr-checkin/scan")
    page.wait_for_load_state("load")
    assert not [url for url in fetched if url.endswith("jsQR.js")], "not loaded with the page"

    with page.expect_request("**/vendor/jsQR.js"):
        page.get_by_role("button", name=zh("Use the camera")).click()
    page.wait_for_function("() => typeof window.jsQR === 'function'")
    # No camera on the test machine: the page says what to do instead, and the typed code still works.
    expect(page.locator("[data-camera-status]")).to_be_visible()
    expect(page.get_by_label(zh("Personal code"))).to_be_visible()
