"""The read side of the shift pages: the strip of days, one day's shifts a page at a time, the shifts a person
leads, the shifts with hours to confirm, the insurance list.

Every page reads a bounded slice (one day, one page, a window of days), so its cost does not grow with the years
of shifts in the database. Every query is scoped to the community in SQL.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from timebank import roles
from timebank.clock import now
from timebank.communities.models import Membership
from timebank.extensions import db
from timebank.i18n import _, format_local_date
from timebank.identity.models import User
from timebank.permissions import can

from .models import DutyPost, Insurance, Shift, Signup
from .services import POST_KIND_LABELS, _zone, local_day

#: Days a volunteer can pick on the shift list (today included).
SIGNUP_DAYS = 14
#: Days back and ahead on the leader's page (the old page showed a week either side).
LEAD_DAYS_BACK = 7
LEAD_DAYS_AHEAD = 7
#: Hours wait on the leader's page this long: the national rules ask for confirmation within 10 working days of
#: the activity (DOMAIN.md), at most 14 calendar days. Older pending hours are the coordinators' overdue queue.
CONFIRM_DAYS_BACK = 14
#: A shift that ended this long ago still shows on today's list (for its check-out and roster).
RECENT_END = timedelta(hours=2)
PER_PAGE = 25
INSURANCE_PER_PAGE = 30
#: Who led a shift this recently is offered as a leader again.
RECENT_LEADERS = timedelta(days=90)


@dataclass(frozen=True)
class DaySummary:
    day: date
    shifts: int  # shifts starting that day
    open: int  # of which not yet started and with free places


def signup_window(community):
    """``(today, last day)`` a volunteer can pick on the shift list."""
    today = local_day(community)
    return today, today + timedelta(days=SIGNUP_DAYS - 1)


def lead_window(community):
    """``(first, last)`` day of the leader's page: a week back (hours to confirm) and a week ahead."""
    today = local_day(community)
    return today - timedelta(days=LEAD_DAYS_BACK), today + timedelta(days=LEAD_DAYS_AHEAD)


def leader_filter(user, community):
    """``None`` for coordinators (they lead every shift, see ``services.can_lead``), else the user's id."""
    return None if can(user, "qr_checkin.manage", community) else user.id


def day_bounds(community, day):
    """The UTC instants where the community's local ``day`` starts and the next one starts."""
    zone = _zone(community)
    return datetime.combine(day, time.min, zone), datetime.combine(day + timedelta(days=1), time.min, zone)


def pick_day(community, text, first, last):
    """``(day, message)`` for a ``?day=`` value: the day when it is an ISO date between ``first`` and ``last``,
    else today (or ``first`` when today is outside) and a message that says why."""
    today = local_day(community)
    fallback = today if first <= today <= last else first
    text = (text or "").strip()
    if not text:
        return fallback, None
    try:
        day = date.fromisoformat(text[:10]) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return fallback, _("This date could not be read; here are the shifts of today.")
    if not first <= day <= last:
        return fallback, _("Pick a day between %(first)s and %(last)s; here are the shifts of today.",
                           first=format_local_date(first), last=format_local_date(last))
    return day, None


def pick_kind(text):
    return text if text in POST_KIND_LABELS else None


def kinds_in_use(community):
    """The kinds of the community's active posts, in the order of ``POST_KIND_LABELS`` (for the filter)."""
    used = set(db.session.scalars(select(DutyPost.kind).where(DutyPost.community_id == community.id,
                                                              DutyPost.active.is_(True)).distinct()))
    return [kind for kind in POST_KIND_LABELS if kind in used]


def _filtered(query, community, kind=None, leader_id=None):
    query = query.where(Shift.community_id == community.id, Shift.cancelled_at.is_(None))
    if kind:
        query = query.join(DutyPost, DutyPost.id == Shift.post_id).where(DutyPost.kind == kind)
    if leader_id:
        query = query.where(Shift.leader_id == leader_id)
    return query


def day_summaries(community, first, last, kind=None, leader_id=None):
    """``[DaySummary]`` for every day from ``first`` to ``last``, counted in SQL: one query returns a row per
    day with shifts, however many shifts the days hold (a district's busy fortnight has thousands)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    starts = [day_bounds(community, day)[0] for day in days]
    end = day_bounds(community, last)[1]
    per_shift = _filtered(
        select(Shift.starts_at, Shift.capacity, func.count(Signup.id).label("taken")).select_from(Shift)
        .outerjoin(Signup, and_(Signup.shift_id == Shift.id, Signup.status == "confirmed"))
        .where(Shift.starts_at >= starts[0], Shift.starts_at < end)
        .group_by(Shift.id, Shift.starts_at, Shift.capacity), community, kind, leader_id).subquery()
    later_days = [(per_shift.c.starts_at < start, n) for n, start in enumerate(starts[1:])]
    bucket = case(*later_days, else_=len(days) - 1) if later_days else literal(0)
    has_room = case((and_(per_shift.c.starts_at > now(), per_shift.c.taken < per_shift.c.capacity), 1), else_=0)
    flagged = select(bucket.label("day"), has_room.label("has_room")).subquery()
    totals, free = [0] * len(days), [0] * len(days)
    for index, shifts, open_ in db.session.execute(
            select(flagged.c.day, func.count(), func.sum(flagged.c.has_room)).group_by(flagged.c.day)):
        totals[index], free[index] = shifts, int(open_ or 0)
    return [DaySummary(day, totals[n], free[n]) for n, day in enumerate(days)]


def day_shifts(community, day, kind=None, leader_id=None, page=1, per_page=PER_PAGE):
    """``(shifts, total)``: one page of the shifts starting on the local ``day`` (today: those that ended less
    than two hours ago or later), soonest first, with their post and leader loaded."""
    start, end = day_bounds(community, day)
    query = _filtered(select(Shift).where(Shift.starts_at >= start, Shift.starts_at < end,
                                          Shift.ends_at > now() - RECENT_END), community, kind, leader_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    shifts = db.session.scalars(query.options(joinedload(Shift.leader)).order_by(Shift.starts_at, Shift.id)
                                .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return shifts, total


def _waiting_for_confirmation(columns, community, leader_id, days):
    """A select of ``columns`` of the shifts started in the last ``days`` days (all, or those led by
    ``leader_id``) that have at least one pending record: read from the community's shifts by time (an index), each
    shift asked by ``EXISTS``, which stops at its first pending record. The cost follows the shifts of those days,
    not the community's backlog of pending hours; joining every attendance of a fortnight to its record and
    grouping took 4 ms for the bench community's thousand shifts, against 0.2–0.4 ms."""
    moment = now()
    return _filtered(select(*columns).select_from(Shift).where(
        Shift.starts_at >= moment - timedelta(days=days), Shift.starts_at < moment, _pending_of_shift().exists()),
        community, leader_id=leader_id)


def _pending_of_shift(*columns):
    """The pending records of the attendances of the shift of the enclosing statement (correlated)."""
    from timebank.ledger.models import ServiceRecord

    from .models import Attendance

    return select(*(columns or (Attendance.id,))).select_from(Attendance).join(
        ServiceRecord, ServiceRecord.id == Attendance.record_id).where(
        Attendance.shift_id == Shift.id, ServiceRecord.status == "pending")


def to_confirm(community, leader_id=None, days=CONFIRM_DAYS_BACK, limit=10):
    """``[(shift, pending)]``: the latest shifts of the last ``days`` days with ledger records still pending
    (only those led by ``leader_id`` when given), newest first. Two queries: the shifts newest first, each counting
    its pending records, until ``limit`` are found; then those shifts with their leaders."""
    pending = _pending_of_shift(func.count()).scalar_subquery()
    counts = db.session.execute(_waiting_for_confirmation((Shift.id, pending), community, leader_id, days)
                                .order_by(Shift.starts_at.desc(), Shift.id.desc()).limit(limit)).all()
    if not counts:
        return []
    shifts = {shift.id: shift for shift in db.session.scalars(
        select(Shift).options(joinedload(Shift.leader)).where(Shift.id.in_([shift_id for shift_id, _n in counts])))}
    return [(shifts[shift_id], number) for shift_id, number in counts]


def count_to_confirm(community, leader_id=None, days=CONFIRM_DAYS_BACK):
    """How many shifts ``to_confirm`` would list without its limit (the Tasks number). One query."""
    return db.session.scalar(_waiting_for_confirmation((func.count(),), community, leader_id, days))


def insurance_page(community, search="", page=1, per_page=INSURANCE_PER_PAGE):
    """``(rows, total)``: insurance on file, soonest expiry first, each with its person (one query for the rows and
    the people, one for the total); ``search`` finds a name or username ("%" and "_" taken literally)."""
    from timebank.identity.models import User

    query = (select(Insurance).join(User, User.id == Insurance.user_id)
             .where(Insurance.community_id == community.id))
    search = (search or "").strip()
    if search:
        query = query.where(or_(User.display_name.icontains(search, autoescape=True),
                                User.username.icontains(search, autoescape=True)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(contains_eager(Insurance.user)).order_by(Insurance.valid_until, Insurance.id)
                              .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return rows, total


def leader_choices(community):
    """``[(user id, name)]`` by name: the people offered as a shift's leader. Team leaders, coordinators and
    community admins, and the volunteers who led one of the community's shifts in the last 90 days; anybody else
    is named by username or volunteer number (a district's community has thousands of volunteers: a list of all of
    them is no choice on a phone). Active members only."""
    led_recently = select(Shift.leader_id).where(Shift.community_id == community.id,
                                                 Shift.starts_at >= now() - RECENT_LEADERS)
    leads = [role for role in roles.ROLES if roles.role_at_least(role, roles.TEAM_LEADER)]
    return db.session.execute(
        select(User.id, User.display_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.status == "active",
               Membership.role.in_([roles.VOLUNTEER, *leads]),
               or_(Membership.role.in_(leads), User.id.in_(led_recently)))
        .order_by(User.display_name, User.id)).all()
