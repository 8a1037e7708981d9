"""The hour ledger on phones: a volunteer claims hours, a coordinator confirms them in the queue, the volunteer
issues a certificate whose QR code (read from a screenshot) opens the public verification page, and asks for a
correction of a record, which the record page then shows as pending."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def yesterday():
    return (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).date().isoformat()


def test_claim_confirm_and_see_the_hours(page, new_page, community, zh, log_in, tab_bar, screenshot):
    volunteer = page
    log_in(volunteer, "maple.vol")
    tab_bar(volunteer).open("My hours")
    expect(volunteer.get_by_role("heading", level=1)).to_have_text(zh("My volunteer hours"))
    volunteer.get_by_role("link", name=zh("Claim hours")).click()
    volunteer.get_by_label(zh("Activity name")).fill("陪伴独居老人")
    volunteer.get_by_label(zh("Kind of service")).select_option("ledger.elder_care")
    volunteer.get_by_label(zh("Date")).fill(yesterday())
    volunteer.get_by_label(zh("Start"), exact=True).fill("09:00")
    volunteer.get_by_label(zh("End"), exact=True).fill("11:30")
    volunteer.get_by_label(zh("Evidence")).fill("社区群里有照片")
    volunteer.get_by_role("button", name=zh("Send for confirmation")).click()
    expect(volunteer.get_by_role("status")).to_contain_text(zh("Your hours were sent for confirmation."))
    expect(volunteer.get_by_role("heading", level=1)).to_have_text("陪伴独居老人")

    coordinator = new_page()
    log_in(coordinator, "maple.coord")
    expect(tab_bar(coordinator).tab("Tasks").locator(".badge")).to_have_text("1")
    tab_bar(coordinator).open("Tasks")
    coordinator.get_by_role("link", name=zh("Hours waiting for confirmation")).click()
    coordinator.get_by_role("checkbox", name=zh("Select %(name)s, %(activity)s", name="陈志强",
                                                   activity="陪伴独居老人")).check()
    screenshot(coordinator, "ledger-queue")
    coordinator.get_by_role("button", name=zh("Confirm selected")).click()
    expect(coordinator.get_by_role("status")).to_contain_text(
        zh("%(num)d entry confirmed.", plural="%(num)d entries confirmed.", num=1))
    expect(tab_bar(coordinator).tab("Tasks").locator(".badge")).to_have_count(0)

    volunteer.goto("/c/maple/hours/")
    expect(volunteer.get_by_text(zh("Confirmed hours"), exact=True).locator("..")).to_contain_text("2.5")
    expect(volunteer.get_by_role("img", name=zh("Confirmed hours per month, last 12 months"))).to_be_visible()
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(volunteer, "ledger-my-hours")


def test_certificate_qr_code_opens_the_verification_page(page, new_page, community, seed_hours, zh, log_in,
                                                        artifacts):
    log_in(page, "maple.vol")
    page.goto("/c/maple/hours/certificates")
    page.get_by_role("button", name=zh("Issue my certificate")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("志愿服务记录证明")
    qr = page.get_by_role("img", name=zh("QR code to verify this certificate"))
    expect(qr).to_be_visible()
    path = artifacts / "certificate-qr.png"
    qr.evaluate("element => element.scrollIntoView({block: 'center'})")  # clear of the fixed tab bar
    qr.screenshot(path=path)
    decoded = zxingcpp.read_barcodes(Image.open(path))
    assert len(decoded) == 1
    url = decoded[0].text
    assert "/verify/ZY" in url

    stranger = new_page()  # anybody, not logged in, e.g. an employer checking the paper
    stranger.goto(url)
    expect(stranger.get_by_role("heading", level=2)).to_contain_text(zh("This certificate is genuine"))
    expect(stranger.get_by_role("main")).to_contain_text("陈志强")
    stranger.goto("/verify/ZY2026-AAAA-BBBB")
    expect(stranger.get_by_role("alert")).to_contain_text(zh("No certificate has this number. Check the number; if "
                                                            "it is right, the certificate is not genuine."))


def test_a_correction_request_stays_visible_on_the_record_until_it_is_decided(page, community, seed_hours, zh,
                                                                             log_in, screenshot):
    log_in(page, "maple.vol")
    page.goto("/c/maple/hours/history")
    page.get_by_role("link", name=re.compile("助老陪伴")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("助老陪伴")
    page.get_by_label(zh("Correct number of minutes (if you know it)")).fill("150")
    page.get_by_label(zh("What is wrong?")).fill("活动到11:30才结束，签到表可查")
    page.get_by_role("button", name=zh("Ask for a correction")).click()
    expect(page.get_by_role("status")).to_contain_text(zh("Your request was sent to the coordinators."))

    page.reload()  # what the volunteer sees on coming back later
    pending = page.get_by_role("region", name=zh("Correction requested"))
    expect(pending).to_contain_text(zh("A coordinator will look at your request; you will get a notification when it "
                                       "is decided."))
    expect(pending).to_contain_text(zh("%(hours)d h %(minutes)d min", hours=2, minutes=30))
    expect(pending).to_contain_text("活动到11:30才结束，签到表可查")
    expect(page.get_by_role("button", name=zh("Ask for a correction"))).to_have_count(0)
    expect(page.get_by_label(zh("What is wrong?"))).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "ledger-correction-pending")


@pytest.fixture
def seed_hours(app, community):
    """Two confirmed hours for the volunteer, recorded yesterday."""
    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User
    from timebank.ledger.accounts import atomic
    from timebank.ledger.records import confirm, record_service

    zone = ZoneInfo("Asia/Shanghai")
    start = datetime.combine(datetime.now(zone).date() - timedelta(days=1), datetime.min.time(), zone)
    start += timedelta(hours=9)
    with app.test_request_context():
        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        volunteer = db.session.get(User, community["volunteer"])
        with atomic():
            record = record_service(maple, volunteer, category="ledger.elder_care", activity_name="助老陪伴",
                                    started_at=start, ended_at=start + timedelta(hours=2), actor=volunteer)
        confirm(record, maple, db.session.get(User, community["coordinator"]))
