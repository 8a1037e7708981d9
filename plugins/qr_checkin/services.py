"""Posts, shifts, recurring rotas, sign-ups, insurance: the planning side of duty shifts.

Check-in and check-out live in ``attendance.py``. Every query is scoped to the community in SQL.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from timebank import roles
from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.services import active_membership
from timebank.database import lock_row
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _, _l
from timebank.notifications.services import notify
from timebank.permissions import can, require
from timebank.settings import settings_for
from timebank.validation import clean_text

from .models import CHECKIN_POLICIES, POST_KINDS, DutyPost, Insurance, Shift, ShiftSeries, Signup

PLUGIN = "qr_checkin"
MAX_SERIES_DAYS = 93
MAX_SHIFT_MINUTES = 12 * 60

POST_KIND_LABELS = {
    "gate": _l("Gate duty"), "intersection": _l("Traffic civility post"), "patrol": _l("Patrol route"),
    "party_post": _l("Party-member model post"), "other": _l("Other duty"),
}
POLICY_LABELS = {
    "static": _l("Printed code at the post"),
    "rotating": _l("Rotating code on the leader's phone or a screen"),
    "leader_scan": _l("The leader scans each volunteer's personal code"),
}


@dataclass(frozen=True)
class CheckinSettings:
    checkin_early_minutes: int
    checkout_grace_minutes: int
    late_after_minutes: int
    rotate_grace_windows: int
    fallback_seconds: int
    repeat_scan_seconds: int
    default_capacity: int


def checkin_settings(community):
    return CheckinSettings(**settings_for(PLUGIN, community))


def _zone(community):
    return ZoneInfo(community.timezone)


def local_day(community, moment=None):
    return (moment or now()).astimezone(_zone(community)).date()


# --- Posts ------------------------------------------------------------------------------------------------------


def posts_in(community, active_only=True):
    query = select(DutyPost).where(DutyPost.community_id == community.id)
    if active_only:
        query = query.where(DutyPost.active.is_(True))
    return db.session.scalars(query.order_by(DutyPost.name)).all()


def post_in(community, post_id):
    post = db.session.scalar(select(DutyPost).where(DutyPost.id == post_id, DutyPost.community_id == community.id))
    if post is None:
        raise NotFound(post_id)
    return post


def save_post(community, actor, post=None, *, name, kind="gate", place="", description="", team_id=None,
              risky=False, checkin_policy="static", rotate_seconds=30, latitude=None, longitude=None, radius_m=None):
    """Create (``post=None``) or change a duty post. Commits."""
    require(actor, "qr_checkin.manage", community)
    name = clean_text(name, "name", 60, required=True)
    if kind not in POST_KINDS:
        raise ValidationFailed(_("Choose one of the options."), field="kind")
    if checkin_policy not in CHECKIN_POLICIES:
        raise ValidationFailed(_("Choose one of the options."), field="checkin_policy")
    if not 10 <= int(rotate_seconds or 0) <= 600:
        raise ValidationFailed(_("Between 10 and 600 seconds."), field="rotate_seconds")
    if (latitude is None) != (longitude is None) or (latitude is not None and not radius_m):
        raise ValidationFailed(_("Give latitude, longitude and radius together, or none of them."),
                               field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180 and 20 <= radius_m <= 5000):
        raise ValidationFailed(_("Latitude −90…90, longitude −180…180, radius 20…5000 metres."), field="latitude")
    duplicate = select(DutyPost.id).where(DutyPost.community_id == community.id, DutyPost.name == name)
    if post is not None:
        duplicate = duplicate.where(DutyPost.id != post.id)
    if db.session.scalar(duplicate):
        raise ValidationFailed(_("A post with this name already exists."), field="name")
    if team_id:
        from timebank.communities.teams import team_in

        team_in(community, team_id)
    if post is None:
        post = DutyPost(community_id=community.id, created_at=now())
        db.session.add(post)
    post.name, post.kind, post.place, post.description = name, kind, clean_text(place, "place", 120), description or ""
    post.team_id, post.risky, post.checkin_policy = team_id or None, bool(risky), checkin_policy
    post.rotate_seconds = int(rotate_seconds)
    post.latitude, post.longitude, post.radius_m = latitude, longitude, radius_m
    db.session.flush()
    record_audit("qr_checkin.post_saved", actor=actor, community=community, target=("qr_checkin_post", post.id))
    commit()
    return post


def withdraw_posters(post, community, actor):
    """Invalidate every printed poster of a post (e.g. one was photographed and shared). Commits."""
    require(actor, "qr_checkin.manage", community)
    post.token_version += 1
    record_audit("qr_checkin.posters_withdrawn", actor=actor, community=community,
                 target=("qr_checkin_post", post.id))
    commit()


# --- Shifts -----------------------------------------------------------------------------------------------------


def _check_shift_fields(community, post, starts_at, ends_at, capacity, leader_id):
    if ends_at <= starts_at:
        raise ValidationFailed(_("The end must be after the start."), field="end_time")
    if (ends_at - starts_at) > timedelta(minutes=MAX_SHIFT_MINUTES):
        raise ValidationFailed(_("A shift lasts at most 12 hours."), field="end_time")
    if not 1 <= int(capacity) <= 200:
        raise ValidationFailed(_("Between 1 and 200 people."), field="capacity")
    leader = None
    if leader_id:
        from timebank.identity.models import User

        leader = db.session.get(User, leader_id)
        membership = active_membership(leader, community) if leader else None
        if membership is None or not roles.role_at_least(membership.role, roles.VOLUNTEER):
            raise ValidationFailed(_("Choose an active volunteer of this community."), field="leader_id")
    return leader


def create_shift(community, actor, post, starts_at, ends_at, capacity, leader_id=None, note=""):
    """One shift at a post. Commits."""
    require(actor, "qr_checkin.manage", community)
    _check_shift_fields(community, post, starts_at, ends_at, capacity, leader_id)
    if ends_at <= now():
        raise ValidationFailed(_("The shift must end in the future."), field="service_date")
    shift = Shift(community_id=community.id, post_id=post.id, starts_at=starts_at, ends_at=ends_at,
                  capacity=int(capacity), leader_id=leader_id or None, note=clean_text(note, "note", 200),
                  created_at=now())
    db.session.add(shift)
    db.session.flush()
    record_audit("qr_checkin.shift_created", actor=actor, community=community, target=("qr_checkin_shift", shift.id))
    commit()
    return shift


def create_series(community, actor, post, weekdays, start_time, end_time, first_day, last_day, capacity,
                  leader_id=None, note=""):
    """Shifts on the chosen weekdays between two dates (a rota of "fixed time, people, post"). Commits.
    Returns the number of shifts created."""
    require(actor, "qr_checkin.manage", community)
    weekdays = sorted({int(day) for day in weekdays})
    if not weekdays or any(day not in range(7) for day in weekdays):
        raise ValidationFailed(_("Choose at least one weekday."), field="weekdays")
    if last_day < first_day:
        raise ValidationFailed(_("The last day must not be before the first."), field="last_day")
    if (last_day - first_day).days > MAX_SERIES_DAYS:
        raise ValidationFailed(_("A rota covers at most three months; create the next one later."),
                               field="last_day")
    zone = _zone(community)
    starts = []
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            start = datetime.combine(day, start_time, zone)
            end = datetime.combine(day, end_time, zone)
            if end <= start:
                end += timedelta(days=1)  # a night patrol past midnight
            if end > now():
                starts.append((start, end))
        day += timedelta(days=1)
    if not starts:
        raise ValidationFailed(_("No shift of this rota lies in the future."), field="first_day")
    _check_shift_fields(community, post, starts[0][0], starts[0][1], capacity, leader_id)
    series = ShiftSeries(community_id=community.id, post_id=post.id, weekdays=",".join(map(str, weekdays)),
                         start_time=start_time, end_time=end_time, first_day=first_day, last_day=last_day,
                         created_at=now())
    db.session.add(series)
    db.session.flush()
    for start, end in starts:
        db.session.add(Shift(community_id=community.id, post_id=post.id, series_id=series.id, starts_at=start,
                             ends_at=end, capacity=int(capacity), leader_id=leader_id or None,
                             note=clean_text(note, "note", 200), created_at=now()))
    record_audit("qr_checkin.series_created", actor=actor, community=community,
                 target=("qr_checkin_series", series.id), detail={"shifts": len(starts)})
    commit()
    return len(starts)


def shift_in(community, shift_id):
    shift = db.session.scalar(select(Shift).where(Shift.id == shift_id, Shift.community_id == community.id))
    if shift is None:
        raise NotFound(shift_id)
    return shift


def can_lead(user, shift, community):
    """Coordinators lead every shift; the named leader leads theirs."""
    return can(user, "qr_checkin.manage", community) or (
        shift.leader_id is not None and shift.leader_id == getattr(user, "id", None))


def require_lead(user, shift, community):
    if not can_lead(user, shift, community):
        raise PermissionDenied("qr_checkin.lead", _("Only the shift's leader or a coordinator can do this."))


def cancel_shift(shift, community, actor, reason):
    """Cancel a coming shift; the volunteers who signed up are told. Commits."""
    require(actor, "qr_checkin.manage", community)
    reason = clean_text(reason, "reason", 200, required=True)
    if shift.cancelled_at is not None:
        raise ValidationFailed(_("This shift is already cancelled."))
    if shift.ends_at <= now():
        raise ValidationFailed(_("A shift that is over cannot be cancelled."))
    shift.cancelled_at, shift.cancel_reason = now(), reason
    for signup in active_signups(shift):
        notify(signup.user, "qr_checkin.shift_cancelled",
               N_("The shift at %(post)s on %(day)s, %(time)s is cancelled: %(reason)s"), community=community,
               link=f"/c/{community.slug}/p/qr-checkin/", post=shift.post.name, reason=reason,
               **_when(shift, community))
    record_audit("qr_checkin.shift_cancelled", actor=actor, community=community,
                 target=("qr_checkin_shift", shift.id))
    commit()


def _when(shift, community):
    """A shift's local day (a date: shown in the reader's language) and times ("07:00–09:00"), as parameters of a
    notification."""
    start = shift.starts_at.astimezone(_zone(community))
    end = shift.ends_at.astimezone(_zone(community))
    return {"day": start.date(), "time": f"{start:%H:%M}–{end:%H:%M}"}


#: Messages of older notifications (the day and times as one text, "2026-11-24 07:00–09:00"): kept in the
#: catalogue so that they still read translated.
LEGACY_MESSAGES = (N_("The shift at %(post)s on %(when)s is cancelled: %(reason)s"),
                   N_("A place became free: you are now on duty at %(post)s on %(when)s."))


def started_since(moment):
    """A lower bound on the start of any shift still running at ``moment`` (no shift lasts longer than
    ``MAX_SHIFT_MINUTES``): lets the start-time indexes skip the years of shifts before it."""
    return moment - timedelta(minutes=MAX_SHIFT_MINUTES)


def shifts_between(community, start, end, post_id=None, include_cancelled=False):
    query = select(Shift).where(Shift.community_id == community.id, Shift.starts_at > started_since(start),
                                Shift.ends_at > start, Shift.starts_at < end)
    if post_id:
        query = query.where(Shift.post_id == post_id)
    if not include_cancelled:
        query = query.where(Shift.cancelled_at.is_(None))
    return db.session.scalars(query.order_by(Shift.starts_at, Shift.id)).all()


# --- Sign-ups ---------------------------------------------------------------------------------------------------


def active_signups(shift):
    return db.session.scalars(select(Signup).where(Signup.shift_id == shift.id, Signup.status != "cancelled")
                              .order_by(Signup.created_at, Signup.id)).all()


def signup_counts(shift_ids):
    """``{shift_id: (confirmed, waitlist)}`` in one query."""
    if not shift_ids:
        return {}
    rows = db.session.execute(
        select(Signup.shift_id, Signup.status, func.count(Signup.id))
        .where(Signup.shift_id.in_(shift_ids), Signup.status != "cancelled")
        .group_by(Signup.shift_id, Signup.status)).all()
    counts = {shift_id: [0, 0] for shift_id in shift_ids}
    for shift_id, status, number in rows:
        counts[shift_id][0 if status == "confirmed" else 1] += number
    return {shift_id: tuple(value) for shift_id, value in counts.items()}


def my_signups(user, shift_ids):
    if not shift_ids:
        return {}
    return {signup.shift_id: signup for signup in db.session.scalars(
        select(Signup).where(Signup.user_id == user.id, Signup.shift_id.in_(shift_ids),
                             Signup.status != "cancelled"))}


def sign_up(shift, community, user):
    """A volunteer takes a place (or a place on the waiting list when the shift is full). Commits."""
    membership = active_membership(user, community)
    if membership is None or not roles.role_at_least(membership.role, roles.VOLUNTEER):
        raise PermissionDenied("qr_checkin.signup", _("Only registered volunteers sign up for duty."))
    if shift.cancelled_at is not None or shift.starts_at <= now():
        raise ValidationFailed(_("Sign-up is closed for this shift."))
    # Serialise sign-ups of one shift so that two people never take the last place together.
    lock_row(Shift, shift.id)
    existing = db.session.scalar(select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == user.id))
    if existing is not None and existing.status != "cancelled":
        raise ValidationFailed(_("You have already signed up for this shift."))
    confirmed, _waiting = signup_counts([shift.id])[shift.id]
    status = "confirmed" if confirmed < shift.capacity else "waitlist"
    if existing is None:
        existing = Signup(shift_id=shift.id, user_id=user.id, created_at=now())
        db.session.add(existing)
    existing.status, existing.created_at, existing.cancelled_at = status, now(), None
    record_audit("qr_checkin.signed_up", actor=user, community=community, target=("qr_checkin_shift", shift.id),
                 detail={"status": status})
    commit()
    return existing


def cancel_signup(shift, community, user):
    """Give back a place before the shift starts; the first person waiting moves up and is told. Commits."""
    lock_row(Shift, shift.id)
    signup = db.session.scalar(select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == user.id,
                                                    Signup.status != "cancelled"))
    if signup is None:
        raise ValidationFailed(_("You are not signed up for this shift."))
    if shift.starts_at <= now():
        raise ValidationFailed(_("The shift has started; please tell the leader instead."))
    was_confirmed = signup.status == "confirmed"
    signup.status, signup.cancelled_at = "cancelled", now()
    if was_confirmed:
        waiting = db.session.scalar(select(Signup).where(Signup.shift_id == shift.id, Signup.status == "waitlist")
                                    .order_by(Signup.created_at, Signup.id).limit(1))
        if waiting is not None:
            waiting.status = "confirmed"
            notify(waiting.user, "qr_checkin.promoted",
                   N_("A place became free: you are now on duty at %(post)s on %(day)s, %(time)s."),
                   community=community, link=f"/c/{community.slug}/p/qr-checkin/", post=shift.post.name,
                   **_when(shift, community))
    record_audit("qr_checkin.signup_cancelled", actor=user, community=community,
                 target=("qr_checkin_shift", shift.id))
    commit()


def upcoming_for(community, user, days=14, limit=None):
    """The volunteer's coming shifts (signed up or waiting) and those under way, soonest first, with leaders."""
    moment = now()
    return db.session.scalars(_upcoming_statement(limit), {
        "community_id": community.id, "user_id": user.id, "started_after": started_since(moment), "moment": moment,
        "until": moment + timedelta(days=days)}).all()


@functools.cache
def _upcoming_statement(limit):
    """Built once per limit (a built statement also keeps its cache key): the home card runs it."""
    return select(Shift).join(Signup, Signup.shift_id == Shift.id).options(joinedload(Shift.leader)).where(
        Shift.community_id == bindparam("community_id"), Signup.user_id == bindparam("user_id"),
        Signup.status != "cancelled", Shift.cancelled_at.is_(None), Shift.starts_at > bindparam("started_after"),
        Shift.ends_at > bindparam("moment"), Shift.starts_at < bindparam("until")).order_by(
        Shift.starts_at, Shift.id).limit(limit)


# --- Insurance --------------------------------------------------------------------------------------------------


def record_insurance(community, actor, user, insurer, policy_number, valid_until: date):
    require(actor, "qr_checkin.manage", community)
    if active_membership(user, community) is None:
        raise ValidationFailed(_("Choose an active member of this community."), field="member")
    if valid_until < local_day(community):
        raise ValidationFailed(_("This insurance has already expired."), field="valid_until")
    row = db.session.scalar(select(Insurance).where(Insurance.community_id == community.id,
                                                    Insurance.user_id == user.id))
    if row is None:
        row = Insurance(community_id=community.id, user_id=user.id)
        db.session.add(row)
    row.insurer, row.policy_number = clean_text(insurer, "insurer", 80), clean_text(policy_number, "policy_number", 60)
    row.valid_until, row.recorded_by_id, row.recorded_at = valid_until, actor.id, now()
    record_audit("qr_checkin.insurance_recorded", actor=actor, community=community, target=("user", user.id))
    commit()
    return row


def insured_on(community_id, user_id, day):
    return db.session.scalar(select(Insurance.id).where(
        Insurance.community_id == community_id, Insurance.user_id == user_id, Insurance.valid_until >= day)) is not None

