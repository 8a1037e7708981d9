"""The ledger's pages over HTTP: volunteers, coordinators, certificates, exports, the verify command."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from timebank.extensions import db
from timebank.ledger.models import Certificate, ServiceRecord


def rows(app, model=ServiceRecord):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def english(auth):
    def login(username):
        auth.login(username)
        auth.use_language("en")
    return login


def test_my_hours_shows_totals_stars_chart_and_pending(seed, client, english):
    seed.record(confirm=True, minutes=120)
    seed.record(hours_ago=60, minutes=60, activity_name="读报给老人听")
    english("maple.vol")
    page = client.get("/c/maple/hours/").get_data(as_text=True)
    assert "2<small>h</small>" in page  # confirmed
    assert "读报给老人听" in page  # pending entry listed
    assert '<svg viewBox="0 0 340' in page and "chart-bar" in page
    assert 'aria-label="0 of 5 stars"' in page
    assert "98 more hours to the next star (at 100 hours)" in page


def test_the_home_card_shows_my_hours(seed, client, english):
    seed.record(confirm=True, minutes=90)
    english("maple.vol")
    page = client.get("/c/maple/").get_data(as_text=True)
    assert "My volunteer hours" in page and "1.5<small>h</small>" in page


def test_a_claim_goes_to_the_queue(seed, client, english, app):
    english("maple.vol")
    response = client.post("/c/maple/hours/claim", data={
        "activity_name": "扶老人过马路", "category": "ledger.mutual_help", "service_date": "2026-11-19",
        "start_time": "09:00", "end_time": "10:30", "evidence_note": "群里有照片"})
    assert response.status_code == 302
    with app.app_context():
        record = db.session.scalar(select(ServiceRecord))
        assert (record.minutes, record.status, record.is_backfill) == (90, "pending", True)
    client.post("/logout")
    english("maple.coord")
    queue = client.get("/c/maple/ledger/queue").get_data(as_text=True)
    assert "扶老人过马路" in queue
    assert "Hours waiting for confirmation" in client.get("/c/maple/tasks").get_data(as_text=True)


def test_a_bad_claim_shows_the_error_beside_the_field_and_writes_nothing(seed, client, english, app):
    english("maple.vol")
    response = client.post("/c/maple/hours/claim", data={
        "activity_name": "巡逻", "category": "ledger.safety", "service_date": "2027-01-01", "start_time": "09:00",
        "end_time": "10:00", "evidence_note": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="end_time-error"' in page and "already happened" in page
    response = client.post("/c/maple/hours/claim", data={"activity_name": "", "category": "ledger.safety"})
    assert 'id="activity_name-error"' in response.get_data(as_text=True)
    assert rows(app) == 0


def test_an_end_before_the_start_is_a_night_service_or_an_error_beside_the_end_time(seed, client, english, app):
    english("maple.vol")
    typed = {"activity_name": "整理图书角", "category": "ledger.mutual_help", "service_date": "2026-11-19",
             "start_time": "10:00", "end_time": "09:00", "evidence_note": "群里有照片"}
    response = client.post("/c/maple/hours/claim", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(r'<p class="error" id="end_time-error" role="alert">(.*?)</p>', page, re.S).group(1)
    assert "The end time is before the start time." in error and "at most 12 h" in error
    assert 'value="10:00"' in page and 'value="09:00"' in page and 'value="整理图书角"' in page  # input kept
    assert rows(app) == 0
    patrol = dict(typed, activity_name="夜间巡逻", category="ledger.safety", start_time="22:00", end_time="06:00")
    response = client.post("/c/maple/hours/claim", data=patrol)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "8 h" in page
    with app.app_context():
        record = db.session.scalar(select(ServiceRecord))
        assert (record.minutes, record.activity_date.isoformat()) == (480, "2026-11-19")


def test_a_coordinators_back_entry_has_the_same_overnight_rule(seed, client, english, app):
    english("maple.coord")
    response = client.post("/c/maple/ledger/backfill", data={
        "activity_name": "整理图书角", "category": "ledger.mutual_help", "service_date": "2026-11-19",
        "start_time": "10:00", "end_time": "09:00", "evidence_note": "签到表", "volunteers": "maple.vol",
        "team_id": "0"})
    page = response.get_data(as_text=True)
    assert 'id="end_time-error"' in page and "The end time is before the start time." in page
    assert rows(app) == 0


def test_claiming_twice_by_double_tap_records_once(seed, client, english, app):
    english("maple.vol")
    data = {"activity_name": "巡逻", "category": "ledger.safety", "service_date": "2026-11-19",
            "start_time": "19:00", "end_time": "21:00", "evidence_note": "队长在场"}
    assert client.post("/c/maple/hours/claim", data=data).status_code == 302
    second = client.post("/c/maple/hours/claim", data=data)
    assert second.status_code == 200 and "overlaps" in second.get_data(as_text=True)
    assert rows(app) == 1


def test_bulk_confirm_and_reject_from_the_queue(seed, client, english, app):
    first = seed.record(hours_ago=30)
    second = seed.record(hours_ago=60)
    third = seed.record(hours_ago=90)
    english("maple.coord")
    response = client.post("/c/maple/ledger/queue/decide", data={"action": "confirm", "record": [first, second]},
                           follow_redirects=True)
    assert "2 entries confirmed" in response.get_data(as_text=True)
    response = client.post("/c/maple/ledger/queue/decide", data={"action": "reject", "record": [third]},
                           follow_redirects=True)
    assert "Give a reason" in response.get_data(as_text=True)
    client.post("/c/maple/ledger/queue/decide", data={"action": "reject", "record": [third], "reason": "无此活动"})
    with app.app_context():
        statuses = dict(db.session.execute(select(ServiceRecord.id, ServiceRecord.status)).all())
    assert statuses == {first: "confirmed", second: "confirmed", third: "rejected"}


def test_residents_and_volunteers_cannot_open_the_queue(seed, client, auth):
    auth.login("maple.res")
    assert client.get("/c/maple/ledger/queue").status_code == 403
    assert client.post("/c/maple/ledger/queue/decide", data={"action": "confirm", "record": [1]}).status_code == 403
    auth.logout()
    auth.login("maple.vol")
    assert client.get("/c/maple/ledger/export?format=csv").status_code == 403


def test_other_communities_see_nothing(seed, client, auth, other_community):
    record = seed.record()
    auth.login("oak.coord")
    assert client.get("/c/maple/ledger/queue").status_code == 404
    assert client.get(f"/c/oak/ledger/records/{record}").status_code == 404
    assert client.get(f"/c/oak/hours/records/{record}").status_code == 404


def test_a_volunteer_sees_only_their_own_records(seed, client, auth, make):
    record = seed.record()
    make.member("maple", "neighbour", role="volunteer")
    auth.login("neighbour")
    assert client.get(f"/c/maple/hours/records/{record}").status_code == 404


def test_group_back_entry_is_all_or_nothing(seed, client, english, app, make):
    make.member("maple", "vol2", role="volunteer")
    english("maple.coord")
    data = {"volunteers": "maple.vol, vol2, nobody", "activity_name": "植树", "category": "ledger.community_service",
            "service_date": "2026-11-10", "start_time": "08:00", "end_time": "11:00", "evidence_note": "签到表",
            "confirm_now": "y", "team_id": "0"}
    page = client.post("/c/maple/ledger/backfill", data=data).get_data(as_text=True)
    assert "nobody" in page and 'id="volunteers-error"' in page
    assert rows(app) == 0
    data["volunteers"] = "maple.vol\nvol2"
    assert client.post("/c/maple/ledger/backfill", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(ServiceRecord.status)).all() == ["confirmed", "confirmed"]


def test_correction_request_and_correction_over_http(seed, client, english, app):
    record = seed.record(confirm=True, minutes=120)
    english("maple.vol")
    client.post(f"/c/maple/hours/records/{record}", data={"message": "实际一个半小时", "requested_minutes": "90"})
    client.post("/logout")
    english("maple.coord")
    page = client.get("/c/maple/ledger/corrections").get_data(as_text=True)
    assert "实际一个半小时" in page
    request_id = int(re.search(r"request=(\d+)", page).group(1))
    form = client.get(f"/c/maple/ledger/records/{record}?request={request_id}").get_data(as_text=True)
    assert 'value="90"' in form
    response = client.post(f"/c/maple/ledger/records/{record}?request={request_id}",
                           data={"minutes": "90", "reason": "按志愿者的照片更正", "request_id": str(request_id)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 2


def test_the_record_page_shows_a_pending_correction_request_instead_of_the_form(seed, client, english, app):
    record = seed.record(confirm=True, minutes=120)
    english("maple.vol")
    page = client.get(f"/c/maple/hours/records/{record}").get_data(as_text=True)
    assert "Something wrong?" in page and 'name="message"' in page
    response = client.post(f"/c/maple/hours/records/{record}",
                           data={"message": "实际两个小时，不是一个", "requested_minutes": "120"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your request was sent to the coordinators." in page
    pending = re.search(r'aria-labelledby="correction-title">(.*?)</section>', page, re.S).group(1)
    assert "Correction requested" in pending and "you will get a notification when it is decided" in pending
    assert "<dt>Hours asked for</dt><dd>2 h</dd>" in pending
    assert "<dt>What is wrong?</dt><dd>实际两个小时，不是一个</dd>" in pending
    assert re.search(r"<dt>Asked on</dt><dd>11/20/26, 8:00\sPM</dd>", pending)  # the frozen clock, in Beijing
    assert 'name="message"' not in page and "Ask for a correction" not in page
    # A second tap (or an old tab) says why nothing more was sent, and the page still shows the request.
    again = client.post(f"/c/maple/hours/records/{record}", data={"message": "再说一次"}, follow_redirects=True)
    page = again.get_data(as_text=True)
    assert "You have already asked for this entry to be corrected." in page and "Correction requested" in page
    assert 'name="message"' not in page

    client.post("/logout")
    english("maple.coord")
    request_id = int(re.search(r"request=(\d+)", client.get("/c/maple/ledger/corrections").get_data(as_text=True))
                     .group(1))
    client.post(f"/c/maple/ledger/corrections/{request_id}/decline", data={"reason": "签到表上是一个小时"})
    client.post("/logout")
    english("maple.vol")
    page = client.get(f"/c/maple/hours/records/{record}").get_data(as_text=True)
    assert "was declined: 签到表上是一个小时" in page
    assert "Correction requested" not in page and 'name="message"' in page  # may ask again
    client.post(f"/c/maple/hours/records/{record}", data={"message": "附上照片", "requested_minutes": ""})
    page = client.get(f"/c/maple/hours/records/{record}").get_data(as_text=True)
    assert "<dt>Hours asked for</dt><dd>not given</dd>" in page and "<dd>附上照片</dd>" in page


def test_certificate_issue_print_and_public_verification(seed, client, english, app):
    seed.record(confirm=True, minutes=150)
    english("maple.vol")
    response = client.post("/c/maple/hours/certificates", data={})
    number = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"ZY\d{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", number)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "志愿服务记录证明" in page and number in page and "2小时30分" in page
    assert f"/verify/{number}/qr.svg" in page
    client.post("/logout")
    public = client.get(f"/verify/{number}")
    assert public.status_code == 200 and "陈志强" in public.get_data(as_text=True)
    typed = client.get("/verify/?number=" + number.lower().replace("-", ""))
    assert typed.status_code == 200
    assert client.get("/verify/?number=ZY2026-AAAA-AAAA").status_code == 404
    svg = client.get(f"/verify/{number}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get("/verify/NOPE/qr.svg").status_code == 404
    assert rows(app, Certificate) == 1


def test_the_certificate_the_list_the_verify_page_and_the_api_give_one_date_and_one_total(seed, client, english,
                                                                                          frozen, app):
    """Issued at 01:52 on 24 November in Beijing (17:52 UTC the day before), for 2 h 57 min."""

    def exact_minutes(community, users):
        from timebank.ledger.accounts import atomic
        from timebank.ledger.records import confirm, record_service

        start = datetime(2026, 11, 19, 1, 0, tzinfo=UTC)
        with atomic():
            record = record_service(community, users["maple.vol"], category="ledger.elder_care",
                                    activity_name="陪伴老人", started_at=start, ended_at=start + timedelta(hours=3),
                                    minutes=177, actor=users["maple.vol"])
        confirm(record, community, users["maple.coord"])

    seed.call(exact_minutes)
    frozen(datetime(2026, 11, 23, 17, 52, tzinfo=UTC))
    english("maple.vol")
    response = client.post("/c/maple/hours/certificates", data={"period_start": "2026-01-01",
                                                                "period_end": "2026-11-24"})  # today in Beijing
    assert response.status_code == 302, response.get_data(as_text=True)
    number = response.headers["Location"].rsplit("/", 1)[1]
    assert number.startswith("ZY2026-")
    printed = client.get(response.headers["Location"]).get_data(as_text=True)  # in Chinese for an English reader
    assert "<dt>出具日期</dt><dd>2026年11月24日</dd>" in printed
    assert "累计 <strong>2小时57分</strong>" in printed and "2.9" not in printed and "2026年11月23日" not in printed
    listed = client.get("/c/maple/hours/certificates").get_data(as_text=True)
    assert "Nov 24, 2026 · 2 h 57 min" in listed
    client.post("/logout")
    verified = client.get(f"/verify/{number}").get_data(as_text=True)  # anybody, logged out
    assert "<dd>Nov 24, 2026</dd>" in verified and "<dd>2 h 57 min</dd>" in verified
    client.post("/account/language", data={"locale": "zh_CN"})
    verified = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "<dd>2026年11月24日</dd>" in verified and "<dd>2小时57分</dd>" in verified
    public = client.get(f"/api/v1/certificates/{number}").json
    assert (public["issued_on"], public["issued_at"], public["total_minutes"]) == (
        "2026-11-24", "2026-11-23T17:52:00+00:00", 177)


class TestVerificationMisses:
    @pytest.fixture
    def app_config(self):
        return {"VERIFY_MISSES_PER_IP": "3 per 10 minutes"}

    def test_wrong_numbers_from_one_address_are_slowed_down_real_checks_are_not(self, seed, client, english):
        seed.record(confirm=True, minutes=60)
        english("maple.vol")
        number = client.post("/c/maple/hours/certificates", data={}).headers["Location"].rsplit("/", 1)[1]
        client.post("/logout")
        for _ in range(5):  # hits never count
            assert client.get(f"/verify/{number}").status_code == 200
        assert client.get("/verify/ZY2026-AAAA-AAAA").status_code == 404
        assert client.get("/verify/?number=ZY2026-AAAA-AAAB").status_code == 404
        assert client.get("/verify/ZY2026-AAAA-AAAC").status_code == 404
        refused = client.get("/verify/ZY2026-AAAA-AAAD")
        assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
        assert client.get(f"/verify/?number={number}").status_code == 429  # the address waits, then tries again


def test_no_certificate_without_confirmed_hours(seed, client, english, app):
    seed.record(minutes=60)  # pending only
    english("maple.vol")
    page = client.post("/c/maple/hours/certificates", data={}).get_data(as_text=True)
    assert "no confirmed hours" in page
    assert rows(app, Certificate) == 0


def test_csv_and_xlsx_exports_use_the_national_columns(seed, client, auth):
    seed.record(confirm=True, minutes=90, activity_name="助老陪伴", place="3号楼")
    auth.login("maple.coord")
    response = client.get("/c/maple/ledger/export?format=csv&from=2026-01-01&to=2026-12-31")
    text = response.get_data(as_text=True)
    response.close()
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][:4] == ["志愿者姓名", "志愿者编号", "活动名称", "服务日期"]
    assert table[1][0] == "陈志强" and table[1][2] == "助老陪伴" and table[1][8] == "1.5"
    with client.get("/c/maple/ledger/export?format=xlsx") as response:
        sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    assert values[1][2] == "助老陪伴" and values[1][6] == "3号楼"


def test_policy_page_is_for_community_admins(seed, client, auth, app):
    auth.login("maple.coord")
    assert client.get("/c/maple/ledger/policy").status_code == 403
    auth.logout()
    auth.login("maple.admin")
    data = {"daily_cap_minutes": "600", "rounding_minutes": "15", "rounding_mode": "down",
            "min_attendance_percent": "60", "max_checkins_per_day": "3", "confirm_within_working_days": "10",
            "claims_enabled": "y", "max_claim_age_days": "90", "credits_enabled": "y", "credit_rate_percent": "100",
            "credit_categories": "", "balance_cap_credits": "1500", "daily_credit_cap": "0",
            "gift_policy": "confirmed_relatives", "star_thresholds_hours": "10,20,30,40,50",
            "leaderboard_enabled": "y", "certificate_person_in_charge": "李主任", "certificate_handler": ""}
    assert client.post("/c/maple/ledger/policy", data=data).status_code == 302
    data["daily_cap_minutes"] = "5"
    page = client.post("/c/maple/ledger/policy", data=data).get_data(as_text=True)
    assert 'id="daily_cap_minutes-error"' in page


def test_leaderboard_lists_only_consenting_members_with_masked_names(seed, client, auth, make):
    make.member("maple", "shy", role="volunteer", display_name="王小明")
    seed.record(confirm=True)
    seed.record(username="shy", confirm=True)
    auth.login("maple.vol")
    client.post("/c/maple/hours/consent", data={"public_consent": "1"})
    page = client.get("/c/maple/hours/leaderboard").get_data(as_text=True)
    assert "陈*强" in page and "陈志强" not in page.split("<main")[1]
    assert "王*明" not in page


def test_ledger_verify_command(seed, runner, app):
    seed.record(confirm=True)
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and "verified" in result.output
    with app.app_context():
        from sqlalchemy import text

        db.session.execute(text("UPDATE ledger_account SET balance = balance + 5 WHERE kind = 'member_service'"))
        db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "cached balance" in result.output


def test_my_hours_chart_shows_newly_confirmed_hours_at_once(seed, client, english):
    def chart():
        page = client.get("/c/maple/hours/").get_data(as_text=True)
        return page[page.index('<figure class="chart">'):page.index("</figure>")]

    seed.record(confirm=True, minutes=120)
    english("maple.vol")
    value = 'class="chart-value" text-anchor="middle">{}</text>'.format
    before = chart()
    assert value(2) in before and before == chart()
    seed.record(confirm=True, hours_ago=50, minutes=180)  # the same month
    after = chart()
    assert value(5) in after and value(2) not in after
    assert "<td>2026-11</td><td>5 h</td>" in after  # the table for screen readers too
