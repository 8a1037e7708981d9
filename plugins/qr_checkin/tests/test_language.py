"""The check-in's messages in the reader's language: why a check-out gave no hours (kept untranslated, shown to the
volunteer in English and to the leader in Chinese), the days in notifications, and counts with plural forms (for
1 and for 2, in English and in Chinese)."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from timebank_plugins.qr_checkin import api, attendance, services
from timebank_plugins.qr_checkin.models import Attendance

from timebank.extensions import db
from timebank.testing import notification_texts, plural_readings


def in_language(locale, function):
    """``function`` for ``ctx``, run in ``locale`` (the language of the person acting)."""
    def run(c, users, post, shift):
        with force_locale(locale):
            return function(c, users, post, shift)
    return run


def short_check_out(ctx, clock):
    clock.at(0)
    ctx(lambda c, users, post, shift: attendance.scan(post, c, users["vol"], "static"))
    clock.at(60)  # 50 % of the two-hour shift: below the 60 % minimum; the volunteer's phone is in English
    ctx(in_language("en", lambda c, users, post, shift: attendance.scan(post, c, users["vol"], "static")))


def test_why_a_check_out_gave_no_hours_reads_in_each_readers_language(app, ctx, clock, client, reader):
    short_check_out(ctx, clock)
    reader("vol", "en")
    assert "Less than 60% of the shift on post: no hours." in client.get("/c/maple/p/qr-checkin/").get_data(
        as_text=True)
    reader("leader", "zh_CN")
    roster = client.get(f"/c/maple/p/qr-checkin/shifts/{ctx(lambda c, u, p, shift: shift.id)}").get_data(
        as_text=True)
    assert "在岗时间不足班次的60%，不计时长。" in roster and "Less than" not in roster
    with app.test_request_context():
        row = db.session.scalars(select(Attendance)).one()
        for locale, expected in (("en", "Less than 60% of the shift on post: no hours."),
                                 ("zh_CN", "在岗时间不足班次的60%，不计时长。")):
            with force_locale(locale):
                assert api.attendance_data(row)["no_hours_reason"] == expected


def test_a_refusal_of_the_ledger_is_kept_untranslated_too(app, ctx, clock):
    def make_risky(c, users, post, shift):
        post.risky = True
        db.session.commit()

    ctx(make_risky)
    clock.at(0)
    ctx(lambda c, users, post, shift: attendance.scan(post, c, users["vol"], "static"))
    clock.at(120)
    ctx(in_language("zh_CN", lambda c, users, post, shift: attendance.scan(post, c, users["vol"], "static")))
    with app.test_request_context():
        row = db.session.scalars(select(Attendance)).one()
        from timebank.stored_text import shown_text

        with force_locale("en"):
            assert shown_text(row.no_hours_reason).startswith("Risky duty: accident insurance must be on file")


def test_a_reason_written_before_is_shown_as_it_is(app, ctx, clock, client, reader):
    short_check_out(ctx, clock)
    with app.app_context():
        db.session.scalars(select(Attendance)).one().no_hours_reason = "在岗时间不足班次的60%，不计时长。"
        db.session.commit()
    reader("leader", "en")
    roster = client.get(f"/c/maple/p/qr-checkin/shifts/{ctx(lambda c, u, p, shift: shift.id)}").get_data(
        as_text=True)
    assert "在岗时间不足班次的60%，不计时长。" in roster


def test_a_cancelled_shift_names_its_day_in_the_readers_language(app, ctx):
    ctx(lambda c, users, post, shift: services.sign_up(shift, c, users["vol"]))
    ctx(in_language("zh_CN", lambda c, users, post, shift: services.cancel_shift(shift, c, users["coord"],
                                                                                  "下大雨")))  # in Chinese
    assert notification_texts(app, "qr_checkin.shift_cancelled", "en") == [
        "The shift at 北门岗亭 on Nov 20, 2026, 07:00–09:00 is cancelled: 下大雨"]
    assert notification_texts(app, "qr_checkin.shift_cancelled", "zh_CN") == ["2026年11月20日 07:00–09:00在北门岗亭的班次已取消：下大雨"]


def test_a_place_on_the_waiting_list_names_its_day_in_the_readers_language(app, ctx):
    def one_place(c, users, post, shift):
        shift.capacity = 1
        db.session.commit()

    ctx(one_place)
    ctx(lambda c, users, post, shift: services.sign_up(shift, c, users["vol"]))
    ctx(lambda c, users, post, shift: services.sign_up(shift, c, users["vol2"]))  # waiting
    ctx(in_language("en", lambda c, users, post, shift: services.cancel_signup(shift, c, users["vol"])))
    assert notification_texts(app, "qr_checkin.promoted", "en") == [
        "A place became free: you are now on duty at 北门岗亭 on Nov 20, 2026, 07:00–09:00."]
    assert notification_texts(app, "qr_checkin.promoted", "zh_CN") == ["候补成功：有名额空出，您已确定于2026年11月20日 07:00–09:00在北门岗亭值勤。"]


def test_the_leaders_confirmation_counts_entries(app, ctx, clock, client, reader):
    for username in ("vol", "vol2"):
        ctx(lambda c, users, post, shift, username=username: services.sign_up(shift, c, users[username]))
    clock.at(0)
    ctx(lambda c, users, post, shift: attendance.scan(post, c, users["vol"], "static"))
    clock.at(125)
    ctx(lambda c, users, post, shift: attendance.scan(post, c, users["vol"], "static"))
    reader("leader", "en")
    url = f"/c/maple/p/qr-checkin/shifts/{ctx(lambda c, u, p, shift: shift.id)}"
    assert "1 volunteer was on time for the whole shift" in client.get(url).get_data(as_text=True)
    assert "1 entry confirmed." in client.post(url + "/confirm", follow_redirects=True).get_data(as_text=True)


PLURALS = [
    ("%(num)d shift created.", "%(num)d shifts created.", {}, ("1 shift created.", "2 shifts created."),
     ("已创建1个班次。", "已创建2个班次。")),
    ("%(num)d entry confirmed.", "%(num)d entries confirmed.", {}, ("1 entry confirmed.", "2 entries confirmed."),
     ("已确认1条记录。", "已确认2条记录。")),
    ("%(num)d forgotten check-out was closed at the end of its shift.",
     "%(num)d forgotten check-outs were closed at the end of their shift.", {},
     ("1 forgotten check-out was closed at the end of its shift.",
      "2 forgotten check-outs were closed at the end of their shift."),
     ("已按班次结束时间为1条忘记签退的记录自动签退。", "已按班次结束时间为2条忘记签退的记录自动签退。")),
    ("%(num)d needs people", "%(num)d need people", {}, ("1 needs people", "2 need people"), ("1班缺人", "2班缺人")),
    ("%(num)d shift", "%(num)d shifts", {}, ("1 shift", "2 shifts"), ("1个班次", "2个班次")),
    ("%(num)d entry to confirm", "%(num)d entries to confirm", {}, ("1 entry to confirm", "2 entries to confirm"),
     ("1条时长待确认", "2条时长待确认")),
    ("%(num)d volunteer was on time for the whole shift; their hours are waiting.",
     "%(num)d volunteers were on time for the whole shift; their hours are waiting.", {},
     ("1 volunteer was on time for the whole shift; their hours are waiting.",
      "2 volunteers were on time for the whole shift; their hours are waiting."),
     ("1名志愿者全程准时在岗，其时长等待确认。", "2名志愿者全程准时在岗，其时长等待确认。")),
]


@pytest.mark.parametrize("singular, plural, params, english, chinese", PLURALS, ids=[item[0] for item in PLURALS])
def test_counts_read_for_one_and_two(app, singular, plural, params, english, chinese):
    assert plural_readings(app, singular, plural, params) == {"en": english, "zh_CN": chinese}
