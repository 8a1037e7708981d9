"""Check-in rules, tokens and the hand-over to the ledger, with a frozen clock."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from timebank_plugins.qr_checkin import attendance, services, tokens
from timebank_plugins.qr_checkin.models import Attendance

from timebank.clock import now
from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank.stored_text import shown_text

from .conftest import START


def scan(ctx, username="vol", method="static", **kwargs):
    return ctx(lambda c, users, post, shift: _outcome(attendance.scan(post, c, users[username], method, **kwargs)))


def _outcome(result):
    return result.outcome, getattr(result.attendance, "id", None)


def records(app):
    with app.app_context():
        return db.session.scalars(select(ServiceRecord)).all()


def test_check_in_and_out_makes_a_pending_record(app, ctx, clock):
    clock.at(-10)  # ten minutes early
    assert scan(ctx)[0] == "checked_in"
    clock.at(125)  # five minutes after the end
    outcome, attendance_id = scan(ctx)
    assert outcome == "checked_out"
    [record] = records(app)
    assert (record.status, record.minutes, record.category) == ("pending", 120, "qr_checkin.duty")
    assert record.source == f"qr_checkin:attendance-{attendance_id}"
    assert record.activity_name == "北门岗亭" and record.activity_leader == "李队长"


def test_time_outside_the_shift_does_not_count(app, ctx, clock):
    clock.at(20)
    scan(ctx)
    clock.at(100)
    scan(ctx)
    [record] = records(app)
    assert record.minutes == 90  # 80 minutes on post, rounded to the nearest half hour by the community's rule


def test_too_early_is_no_shift_and_records_nothing(app, ctx, clock):
    clock.at(-30)
    assert scan(ctx)[0] == "no_shift"
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_a_second_scan_within_a_minute_does_nothing(app, ctx, clock):
    clock.at(0)
    first = scan(ctx)
    clock.at(0.5)
    assert scan(ctx) == ("repeated", first[1])
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 1


def test_below_the_minimum_share_no_hours(app, ctx, clock):
    clock.at(0)
    scan(ctx)
    clock.at(60)  # 50 % of a two-hour shift; the default minimum is 60 %
    scan(ctx)
    assert records(app) == []
    with app.app_context():
        [row] = db.session.scalars(select(Attendance)).all()
        assert row.minutes == 60 and "60%" in shown_text(row.no_hours_reason)  # (stored untranslated)


def test_forgotten_check_out_is_closed_at_the_end_and_flagged(app, ctx, clock):
    clock.at(0)
    scan(ctx)
    clock.at(200)  # after the end and the 30-minute grace
    assert ctx(lambda c, users, post, shift: attendance.close_forgotten(c)) == 1
    with app.app_context():
        [row] = db.session.scalars(select(Attendance)).all()
        assert row.auto_closed and row.checked_out_at == START + timedelta(hours=2) and row.minutes == 120
    assert [r.minutes for r in records(app)] == [120]
    # The bulk confirmation leaves it for a closer look.
    done, skipped = ctx(lambda c, users, post, shift: attendance.confirm_on_time(shift, c, users["leader"]))
    assert done == [] and skipped == []


def test_leader_confirms_on_time_attendances_in_bulk(app, ctx, clock):
    clock.at(-5)
    scan(ctx, "vol")
    clock.at(30)
    scan(ctx, "vol2")  # late
    clock.at(121)
    scan(ctx, "vol")
    scan(ctx, "vol2")
    done, skipped = ctx(lambda c, users, post, shift: [
        len(x) for x in attendance.confirm_on_time(shift, c, users["leader"])])
    assert (done, skipped) == (1, 0)
    statuses = sorted((r.volunteer_id, r.status) for r in records(app))
    assert [status for _id, status in statuses] == ["confirmed", "pending"]


def test_only_the_shift_leader_or_a_coordinator_confirms(ctx, clock):
    from timebank.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        ctx(lambda c, users, post, shift: attendance.confirm_on_time(shift, c, users["vol2"]))


def test_at_most_three_check_ins_per_post_and_day(app, ctx, clock, duty):
    for minute in (0, 2, 4, 6, 8, 10):
        clock.at(minute)
        scan(ctx)
    clock.at(12)
    assert scan(ctx)[0] == "limit"
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 3


def test_residents_do_not_check_in(ctx, clock):
    clock.at(0)
    assert scan(ctx, "res")[0] == "not_volunteer"


def test_location_only_inside_or_outside_is_kept(app, ctx, clock):
    def locate(c, users, post, shift):
        post.latitude, post.longitude, post.radius_m = 31.2304, 121.4737, 200
        db.session.commit()

    ctx(locate)
    clock.at(0)
    scan(ctx, latitude=31.2305, longitude=121.4738)
    clock.at(3)
    scan(ctx, "vol2", latitude=31.30, longitude=121.50)
    with app.app_context():
        rows = {row.user.username: row.location_inside for row in db.session.scalars(select(Attendance))}
    assert rows == {"vol": True, "vol2": False}
    assert not hasattr(Attendance, "latitude")


def test_risky_duty_needs_insurance(app, ctx, clock):
    def make_risky(c, users, post, shift):
        post.risky = True
        db.session.commit()

    ctx(make_risky)
    clock.at(0)
    scan(ctx)
    clock.at(120)
    scan(ctx)
    assert records(app) == []
    with app.app_context():
        [row] = db.session.scalars(select(Attendance)).all()
        assert "insurance" in row.no_hours_reason.lower() or "保险" in row.no_hours_reason
        row_id = row.id

    def insure_and_retry(c, users, post, shift):
        services.record_insurance(c, users["coord"], users["vol"], "人保", "P-1", date(2027, 1, 1))
        return attendance.retry_hours(attendance.attendance_in(c, row_id), c, users["coord"]).record_id

    assert ctx(insure_and_retry) is not None
    assert [r.category for r in records(app)] == ["qr_checkin.risky_duty"]


# --- tokens -----------------------------------------------------------------------------------------------------


def test_poster_tokens_can_be_withdrawn(ctx):
    def check(c, users, post, shift):
        token = tokens.poster_token(post)
        tokens.check_post_payload(tokens.read_token(token), post, 1)
        services.withdraw_posters(post, c, users["coord"])
        with pytest.raises(tokens.InvalidToken) as error:
            tokens.check_post_payload(tokens.read_token(token), post, 1)
        assert error.value.reason == "withdrawn"

    ctx(check)


def test_rotating_tokens_expire_after_the_grace_period(ctx, clock):
    def token(c, users, post, shift):
        post.rotate_seconds, post.checkin_policy = 30, "rotating"
        db.session.commit()
        return tokens.rotating_token(post)

    clock.at(0)
    issued = ctx(token)

    def check(c, users, post, shift):
        tokens.check_post_payload(tokens.read_token(issued), post, 1)

    clock.set(clock.now() + timedelta(seconds=30))
    ctx(check)  # the next window: still in the grace period
    clock.set(clock.now() + timedelta(seconds=60))
    with pytest.raises(tokens.InvalidToken, match="expired"):
        ctx(check)


def test_forged_tokens_are_refused(ctx):
    with pytest.raises(tokens.InvalidToken):
        ctx(lambda *args: tokens.read_token("eyJrIjoicyIsInAiOjF9.forged"))


def test_fallback_codes_change_and_expire(ctx, clock):
    clock.at(0)
    code = ctx(lambda c, users, post, shift: tokens.fallback_code(post, 120))
    assert re.fullmatch(r"\d{6}", code)
    assert ctx(lambda c, users, post, shift: tokens.code_matches(post, code[:3] + " " + code[3:], 120, 1))
    clock.set(clock.now() + timedelta(seconds=120))
    assert ctx(lambda c, users, post, shift: tokens.code_matches(post, code, 120, 1))
    clock.set(clock.now() + timedelta(seconds=240))
    assert not ctx(lambda c, users, post, shift: tokens.code_matches(post, code, 120, 1))


def test_personal_tokens_expire_after_ten_minutes(ctx, clock):
    clock.at(0)
    token = ctx(lambda c, users, post, shift: tokens.personal_token(users["vol"], c))
    ctx(lambda *args: tokens.check_personal_payload(tokens.read_token(token)))
    clock.at(12)
    with pytest.raises(tokens.InvalidToken):
        ctx(lambda *args: tokens.check_personal_payload(tokens.read_token(token)))


def test_a_code_of_the_wrong_kind_is_refused(ctx):
    """A printed code must not bypass a post's rotating code (or a shared rotating code a poster)."""

    def check(c, users, post, shift):
        static = tokens.poster_token(post)
        post.checkin_policy = "rotating"
        with pytest.raises(tokens.InvalidToken, match="policy"):
            tokens.check_post_payload(tokens.read_token(static), post, 1)
        post.checkin_policy = "static"
        rotating = tokens.rotating_token(post)
        with pytest.raises(tokens.InvalidToken, match="policy"):
            tokens.check_post_payload(tokens.read_token(rotating), post, 1)

    ctx(check)


def test_a_twelve_hour_shift_is_found_until_its_end(app, ctx, clock):
    """Lookups skip the shifts that started too long ago to be running (a shift lasts at most 12 hours), and
    still find the longest shift allowed until its very end."""
    def add_long_shift(c, users, post, shift):
        overnight = services.save_post(c, users["coord"], name="夜间巡逻", kind="patrol", place="小区",
                                       checkin_policy="static")
        long = services.create_shift(c, users["coord"], overnight, START + timedelta(hours=3),
                                     START + timedelta(hours=15), capacity=3)
        return overnight.id, long.id

    overnight_id, long_id = ctx(add_long_shift)

    def lookups(c, users, post, shift):
        from timebank_plugins.qr_checkin.models import DutyPost

        overnight = db.session.get(DutyPost, overnight_id)
        moment = now()
        found = attendance.open_shift_at(overnight, users["vol"], moment, services.checkin_settings(c))
        listed = [row.id for row in services.shifts_between(c, moment, moment + timedelta(hours=1))]
        checked = attendance.scan(overnight, c, users["vol"], "static")
        return getattr(found, "id", None), listed, checked.outcome, checked.shift.id

    clock.at(14 * 60 + 50)  # ten minutes before the end of the twelve-hour shift
    assert ctx(lookups) == (long_id, [long_id], "checked_in", long_id)


def test_a_scan_at_another_post_first_closes_a_forgotten_check_in(app, ctx, clock):
    clock.at(0)
    scan(ctx)  # at the gate, 07:00-09:00, never checked out

    def patrol(c, users, post, shift):
        other = services.save_post(c, users["coord"], name="夜间巡逻", kind="patrol", place="小区",
                                   checkin_policy="static")
        services.create_shift(c, users["coord"], other, START + timedelta(hours=3), START + timedelta(hours=5),
                              capacity=3)
        return other.id

    other_id = ctx(patrol)
    clock.at(200)  # 10:20: the gate shift ended more than the grace period ago

    def scan_there(c, users, post, shift):
        from timebank_plugins.qr_checkin.models import DutyPost

        return attendance.scan(db.session.get(DutyPost, other_id), c, users["vol"], "static").outcome

    assert ctx(scan_there) == "checked_in"
    with app.app_context():
        gate, patrol_row = db.session.scalars(select(Attendance).order_by(Attendance.id)).all()
        assert gate.auto_closed and gate.minutes == 120 and gate.checked_out_at == START + timedelta(hours=2)
        assert patrol_row.checked_out_at is None
    assert [r.minutes for r in records(app)] == [120]


def test_check_ins_of_the_day_before_do_not_count_toward_the_days_limit(app, ctx, clock):
    ctx(lambda c, users, post, shift: services.create_shift(
        c, users["coord"], post, START - timedelta(days=1), START - timedelta(days=1, hours=-2), capacity=2))
    for minute in (0, 2, 4, 6, 8, 10):  # three check-ins and check-outs yesterday, the day's limit
        clock.at(minute - 24 * 60)
        scan(ctx)
    clock.at(-24 * 60 + 12)
    assert scan(ctx)[0] == "limit"
    clock.at(0)
    assert scan(ctx)[0] == "checked_in"


def test_a_check_in_reads_the_persons_attendances_once(app, ctx, clock):
    """The 7:00 rush's hot path: the rules (forgotten check-outs, repeated scans, the open check-in, the day's
    limit) are answered from one read of the person's attendances, not a statement each."""
    from sqlalchemy import event

    statements = []

    def counted(c, users, post, shift):
        from timebank.ledger.accounts import account
        from timebank.ledger.models import MEMBER_SERVICE

        account(c.id, MEMBER_SERVICE, users["vol"].id)  # a volunteer's account exists from their first hours on
        db.session.commit()

        def before(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            return attendance.scan(post, c, users["vol"], "static").outcome
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    clock.at(0)
    assert ctx(counted) == "checked_in"
    reads_of_attendance = [s for s in statements if s.lstrip().upper().startswith("SELECT")
                           and "FROM qr_checkin_attendance" in s]
    assert len(reads_of_attendance) == 1, reads_of_attendance
    assert len(statements) <= 10, statements
