"""Check-in and check-out at a post, the attendance rules, and the hand-over to the hour ledger.

A scan finds the shift that is open at the post now, then checks the person in, or out when they are already
in. Rules (community settings, DOMAIN.md defaults): check-in from N minutes before the start; minutes = time on
post clipped to the shift; below the minimum share of the shift no hours; at most N check-ins per person, post
and day; a second scan within a minute does nothing and says so; a forgotten check-out is closed at the end of
the shift and flagged. Each closed attendance with enough time becomes a pending service record.
"""

import functools
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, lazyload

from timebank import roles
from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.services import active_membership
from timebank.database import insert_loaded
from timebank.errors import ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _, _l
from timebank.ledger.accounts import LedgerRejected, lock_member
from timebank.ledger.policy import ledger_policy
from timebank.ledger.records import record_service
from timebank.stored_text import stored_reason, stored_text

from .models import NO_HOURS_REASON_LENGTH, Attendance, DutyPost, Shift, Signup
from .services import _zone, checkin_settings, local_day, started_since

CATEGORY, RISKY_CATEGORY = "qr_checkin.duty", "qr_checkin.risky_duty"


@dataclass
class ScanResult:
    """What happened: checked_in, checked_out, repeated, no_shift, limit, not_volunteer."""

    outcome: str
    shift: Shift | None = None
    attendance: Attendance | None = None
    next_shift: Shift | None = None


def open_shift_at(post, user, moment, settings, open_shift_ids=None):
    """The shift at ``post`` open for scanning at ``moment``: the user's own if several overlap.

    ``open_shift_ids``: the shifts the user is checked in to now, when the caller has read them already."""
    early = timedelta(minutes=settings.checkin_early_minutes)
    grace = timedelta(minutes=settings.checkout_grace_minutes)
    rows = db.session.execute(_open_shifts_with_signups(), {
        "post_id": post.id, "user_id": user.id, "latest_start": moment + early,
        "earliest_start": started_since(moment - grace), "ended_after": moment - grace}).all()
    if not rows:
        return None
    candidates = list(dict.fromkeys(shift for shift, _signup in rows))
    mine = {shift.id for shift, signup in rows if signup is not None}  # the shifts the user signed up for
    if open_shift_ids is None:
        open_shift_ids = set(db.session.scalars(select(Attendance.shift_id).where(
            Attendance.user_id == user.id, Attendance.checked_out_at.is_(None),
            Attendance.shift_id.in_([shift.id for shift in candidates]))))
    for group in (open_shift_ids, mine):
        for shift in candidates:
            if shift.id in group:
                return shift
    # Otherwise the shift whose start is nearest (a walk-in helper).
    return min(candidates, key=lambda shift: abs((shift.starts_at - moment).total_seconds()))


@functools.cache
def _open_shifts_with_signups():
    """Built once (a built statement also keeps its cache key): every scan runs it."""
    return select(Shift, Signup.id).outerjoin(Signup, and_(
        Signup.shift_id == Shift.id, Signup.user_id == bindparam("user_id"), Signup.status != "cancelled")).where(
        Shift.post_id == bindparam("post_id"), Shift.cancelled_at.is_(None),
        Shift.starts_at <= bindparam("latest_start"), Shift.starts_at >= bindparam("earliest_start"),
        Shift.ends_at >= bindparam("ended_after")).order_by(Shift.starts_at).options(
        lazyload(Shift.post))  # the scanned post, loaded already: found in the session when asked for


def next_shift_at(post, moment):
    return db.session.scalar(select(Shift).where(Shift.post_id == post.id, Shift.cancelled_at.is_(None),
                                                 Shift.starts_at > moment).order_by(Shift.starts_at).limit(1))


def inside_radius(post, latitude, longitude):
    """True/False when the post has a location check and the phone reported a position; else None."""
    if post.latitude is None or latitude is None or longitude is None:
        return None
    earth = 6_371_000
    phi1, phi2 = math.radians(post.latitude), math.radians(latitude)
    dphi, dlambda = phi2 - phi1, math.radians(longitude - post.longitude)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * earth * math.asin(math.sqrt(a)) <= post.radius_m


def scan(post, community, user, method, latitude=None, longitude=None, scanned_by=None):
    """Check ``user`` in or out at ``post``. Commits; returns a ``ScanResult``."""
    membership = active_membership(user, community)
    if membership is None or not roles.role_at_least(membership.role, roles.VOLUNTEER):
        return ScanResult("not_volunteer")
    moment = now()
    settings = checkin_settings(community)
    lock_member(community.id, user.id)  # one scan of one person at a time
    mine = _ScanHistory.read(post, community, user, moment, settings)
    _close_each(mine.forgotten(moment, settings), community)
    last = mine.last_at_post()
    shift = open_shift_at(post, user, moment, settings, open_shift_ids=mine.open_shift_ids())
    if shift is None:
        commit()
        return ScanResult("no_shift", next_shift=next_shift_at(post, moment))
    if last is not None and (moment - last).total_seconds() < settings.repeat_scan_seconds:
        current = mine.open_at(shift) or _latest_attendance(shift, user)
        commit()
        return ScanResult("repeated", shift, current)
    current = mine.open_at(shift)
    inside = inside_radius(post, latitude, longitude)
    if current is not None:
        _check_out(current, shift, post, community, moment, method, scanned_by)
        commit()
        return ScanResult("checked_out", shift, current)
    if mine.check_ins_at_post_on_day() >= ledger_policy(community).max_checkins_per_day:
        commit()
        return ScanResult("limit", shift)
    attendance = insert_loaded(Attendance, {
        "community_id": community.id, "shift_id": shift.id, "user_id": user.id, "checked_in_at": moment,
        "method_in": method, "location_inside": inside, "scanned_by_id": getattr(scanned_by, "id", None)})
    record_audit("qr_checkin.checked_in", actor=scanned_by or user, community=community,
                 target=("qr_checkin_attendance", attendance.id), detail={"method": method})
    commit()
    return ScanResult("checked_in", shift, attendance)


@dataclass
class _ScanHistory:
    """What a scan needs of the person's attendances, read in one statement (the check-in rush's hot path): every
    one still open in the community, and those at the post since the start of the local day or the repeat-scan
    window, whichever reaches further back. Answers from the rows as they are after forgotten ones are closed."""

    post: DutyPost
    rows: list
    day_start: object

    @classmethod
    def read(cls, post, community, user, moment, settings):
        zone = _zone(community)
        day_start = datetime.combine(moment.astimezone(zone).date(), time(0), zone)
        since = min(day_start, moment - timedelta(seconds=settings.repeat_scan_seconds))
        rows = db.session.scalars(_person_attendances(), {
            "community_id": community.id, "user_id": user.id, "post_id": post.id, "since": since}).all()
        return cls(post, rows, day_start)

    def forgotten(self, moment, settings):
        """Open check-ins whose shift ended more than the grace period ago (see ``close_forgotten``)."""
        grace = timedelta(minutes=settings.checkout_grace_minutes)
        return [row for row in self.rows if row.checked_out_at is None and row.shift.ends_at < moment - grace]

    def last_at_post(self):
        """The person's latest check-in or check-out at the post, if within the window read."""
        return max((row.checked_out_at or row.checked_in_at for row in self.rows if row.shift.post_id == self.post.id),
                   default=None)

    def open_shift_ids(self):
        return {row.shift_id for row in self.rows if row.checked_out_at is None}

    def open_at(self, shift):
        return next((row for row in self.rows if row.shift_id == shift.id and row.checked_out_at is None), None)

    def check_ins_at_post_on_day(self):
        day_end = self.day_start + timedelta(days=1)
        return sum(1 for row in self.rows
                   if row.shift.post_id == self.post.id and self.day_start <= row.checked_in_at < day_end)


@functools.cache
def _person_attendances():
    """Built once: every scan runs it (``_ScanHistory.read``)."""
    return select(Attendance).join(Shift, Shift.id == Attendance.shift_id).options(
        contains_eager(Attendance.shift).lazyload(Shift.post), lazyload(Attendance.user)).where(
        Attendance.community_id == bindparam("community_id"), Attendance.user_id == bindparam("user_id"),
        or_(Attendance.checked_out_at.is_(None),
            and_(Shift.post_id == bindparam("post_id"),
                 func.coalesce(Attendance.checked_out_at, Attendance.checked_in_at) >= bindparam("since"))))


def _open_attendance(shift, user):
    return db.session.scalar(select(Attendance).where(Attendance.shift_id == shift.id, Attendance.user_id == user.id,
                                                      Attendance.checked_out_at.is_(None)))


def _latest_attendance(shift, user):
    return db.session.scalar(select(Attendance).where(Attendance.shift_id == shift.id, Attendance.user_id == user.id)
                             .order_by(Attendance.checked_in_at.desc()).limit(1))


def on_post_minutes(attendance, shift):
    """Minutes on post within the shift (time before the start or after the end does not count)."""
    start = max(attendance.checked_in_at, shift.starts_at)
    end = min(attendance.checked_out_at, shift.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def _check_out(attendance, shift, post, community, moment, method, scanned_by=None, auto=False):
    attendance.checked_out_at = min(moment, shift.ends_at) if auto else moment
    attendance.method_out = method
    attendance.auto_closed = auto
    attendance.minutes = on_post_minutes(attendance, shift)
    shift_minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
    policy = ledger_policy(community)
    if attendance.minutes * 100 < policy.min_attendance_percent * shift_minutes:
        attendance.no_hours_reason = stored_text(_l("Less than %(percent)d%% of the shift on post: no hours.",
                                                    percent=policy.min_attendance_percent), NO_HOURS_REASON_LENGTH)
    else:
        _record_hours(attendance, shift, post, community, scanned_by)
    record_audit("qr_checkin.checked_out", actor=scanned_by or attendance.user, community=community,
                 target=("qr_checkin_attendance", attendance.id),
                 detail={"minutes": attendance.minutes, "auto": auto})


def _record_hours(attendance, shift, post, community, actor=None):
    """Hand the attendance to the ledger as a pending record; a refusal is noted on the attendance."""
    try:
        with db.session.begin_nested():
            record = record_service(
                community, attendance.user, category=RISKY_CATEGORY if post.risky else CATEGORY,
                activity_name=post.name, started_at=max(attendance.checked_in_at, shift.starts_at),
                ended_at=min(attendance.checked_out_at, shift.ends_at), place=post.place or post.name,
                content=shift.note or post.description, activity_leader=shift.leader.display_name if shift.leader
                else "", leader=shift.leader, team=post.team, source=f"qr_checkin:attendance-{attendance.id}",
                actor=actor or attendance.user)
        attendance.record_id, attendance.no_hours_reason = record.id, ""
    except (LedgerRejected, ValidationFailed) as error:
        attendance.no_hours_reason = stored_reason(error, NO_HOURS_REASON_LENGTH)


def retry_hours(attendance, community, actor):
    """After fixing the cause (e.g. insurance now on file), record the hours of a closed attendance. Commits."""
    from .services import require_lead

    require_lead(actor, attendance.shift, community)
    if attendance.checked_out_at is None or attendance.record_id is not None:
        raise ValidationFailed(_("These hours are already recorded or the attendance is still open."))
    lock_member(community.id, attendance.user_id)
    _record_hours(attendance, attendance.shift, attendance.shift.post, community, actor)
    commit()
    return attendance


def close_forgotten(community, user_id=None, moment=None, commit_now=True):
    """Close check-ins nobody checked out of, at the end of their shift (after the grace period), and flag them.
    Returns how many were closed."""
    moment = moment or now()
    grace = timedelta(minutes=checkin_settings(community).checkout_grace_minutes)
    query = select(Attendance).join(Shift, Shift.id == Attendance.shift_id).where(
        Attendance.community_id == community.id, Attendance.checked_out_at.is_(None), Shift.ends_at < moment - grace)
    if user_id is not None:
        query = query.where(Attendance.user_id == user_id)
    closed = _close_each(db.session.scalars(query).all(), community)
    if commit_now:
        commit()
    return closed


def _close_each(attendances, community):
    for attendance in attendances:
        shift = attendance.shift
        _check_out(attendance, shift, shift.post, community, shift.ends_at, "auto", auto=True)
    return len(attendances)


@dataclass
class RosterLine:
    user: object
    signup: Signup | None
    attendances: list
    late: bool = False
    left_early: bool = False
    absent: bool = False


def roster(shift, community, moment=None):
    """Who is expected, who checked in (late?), who left early, who is absent, and walk-ins."""
    moment = moment or now()
    late_after = timedelta(minutes=checkin_settings(community).late_after_minutes)
    signups = db.session.scalars(select(Signup).where(Signup.shift_id == shift.id, Signup.status == "confirmed")
                                 .order_by(Signup.created_at)).all()
    attendances = db.session.scalars(select(Attendance).where(Attendance.shift_id == shift.id)
                                     .order_by(Attendance.checked_in_at)).all()
    by_user = {}
    for attendance in attendances:
        by_user.setdefault(attendance.user_id, []).append(attendance)
    lines = []
    for signup in signups:
        lines.append(RosterLine(signup.user, signup, by_user.pop(signup.user_id, [])))
    for items in by_user.values():
        lines.append(RosterLine(items[0].user, None, items))
    for line in lines:
        if line.attendances:
            first, last = line.attendances[0], line.attendances[-1]
            line.late = first.checked_in_at > shift.starts_at + late_after
            line.left_early = bool(last.checked_out_at) and not last.auto_closed and \
                last.checked_out_at < shift.ends_at - late_after
        else:
            line.absent = moment > shift.starts_at + late_after
    return lines


def on_time_records(shift, community):
    """Pending ledger records of this shift's attendances that need no second look: on time, checked out by the
    volunteer, not outside the location circle."""
    late_after = timedelta(minutes=checkin_settings(community).late_after_minutes)
    from timebank.ledger.models import ServiceRecord

    rows = db.session.execute(select(Attendance, ServiceRecord).join(
        ServiceRecord, ServiceRecord.id == Attendance.record_id).where(
        Attendance.shift_id == shift.id, ServiceRecord.status == "pending", Attendance.auto_closed.is_(False),
        Attendance.checked_in_at <= shift.starts_at + late_after,
        Attendance.checked_out_at >= shift.ends_at - late_after)).all()  # Python values, not column arithmetic
    return [record for attendance, record in rows if attendance.location_inside is not False]


def confirm_on_time(shift, community, actor):
    """Confirm in one go the hours of everybody who was on time for the whole shift (a coordinator's batch in one
    transaction; a team leader's one by one). Returns (confirmed, skipped [(record, why)])."""
    from timebank.ledger.records import decide_many

    from .services import require_lead

    require_lead(actor, shift, community)
    return decide_many(community, actor, [record.id for record in on_time_records(shift, community)], "confirm")


def pending_per_shift(shift_ids):
    """``{shift_id: number of pending ledger records}`` in one query."""
    if not shift_ids:
        return {}
    from timebank.ledger.models import ServiceRecord

    rows = db.session.execute(select(Attendance.shift_id, func.count(ServiceRecord.id)).join(
        ServiceRecord, ServiceRecord.id == Attendance.record_id).where(
        Attendance.shift_id.in_(shift_ids), ServiceRecord.status == "pending").group_by(Attendance.shift_id)).all()
    return dict(rows)


def attendance_in(community, attendance_id):
    from timebank.errors import NotFound

    attendance = db.session.scalar(select(Attendance).where(Attendance.id == attendance_id,
                                                            Attendance.community_id == community.id))
    if attendance is None:
        raise NotFound(attendance_id)
    return attendance


def my_attendances(community, user, limit=20):
    return db.session.scalars(select(Attendance).where(Attendance.community_id == community.id,
                                                       Attendance.user_id == user.id)
                              .order_by(Attendance.checked_in_at.desc()).limit(limit)).all()


def post_of(attendance):
    return db.session.get(DutyPost, attendance.shift.post_id)


__all__ = ["scan", "close_forgotten", "roster", "confirm_on_time", "local_day"]
