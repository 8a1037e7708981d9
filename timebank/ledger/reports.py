"""Read side of the ledger: summaries, history, the confirmation queue, totals, leaderboard, monthly chart."""

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, extract, func, or_, select, true
from sqlalchemy.orm import lazyload

from ..clock import now
from ..communities.models import Membership
from ..extensions import db
from ..identity.models import User
from .models import (
    CONFIRMED,
    MEMBER_CREDITS,
    MEMBER_SERVICE,
    PENDING,
    Account,
    CorrectionRequest,
    Relative,
    ServiceRecord,
    ServiceTotal,
)
from .policy import ledger_policy, overdue_cutoff, star_level

PER_PAGE = 30


def local_today(community, moment=None):
    """The date in the community's time zone: today, or the day of ``moment`` (an aware datetime)."""
    return (moment or now()).astimezone(ZoneInfo(community.timezone)).date()


def _live():
    """Records that still count: not replaced by a correction."""
    return ServiceRecord.id.not_in(select(ServiceRecord.corrects_id).where(ServiceRecord.corrects_id.is_not(None)))


@dataclass
class HoursSummary:
    confirmed_minutes: int
    credit_minutes: int
    pending_minutes: int
    pending_count: int
    stars: int
    next_star_hours: int | None
    progress_percent: int

    @property
    def minutes_to_next_star(self):
        """Confirmed minutes still missing for the next star (``None`` at five stars)."""
        if self.next_star_hours is None:
            return None
        return max(0, self.next_star_hours * 60 - self.confirmed_minutes)


def summary_for(community, user):
    """What the "My hours" page and card show: confirmed total, credits, pending, stars and progress."""
    # One statement (each is a round trip to the database server): the cached balances and the pending sum.
    row = db.session.execute(_summary_statement(), {"community_id": community.id, "user_id": user.id}).one()
    return _summary(community, *row)


def _summary(community, pending_minutes, pending_count, service, credit):
    balances = {"service": int(service), "credits": int(credit)}
    policy = ledger_policy(community)
    stars, next_hours = star_level(balances["service"], policy)
    if next_hours is None:
        progress = 100
    else:
        previous = policy.star_thresholds_hours[stars - 1] if stars else 0
        progress = int(100 * (balances["service"] / 60 - previous) / (next_hours - previous))
    return HoursSummary(balances["service"], balances["credits"], int(pending_minutes), int(pending_count), stars,
                        next_hours, max(0, min(progress, 100)))


@functools.cache
def _summary_statement():
    """Built once (a built statement also keeps its cache key): "My hours" and the home page's card run it."""
    community_id, user_id = bindparam("community_id"), bindparam("user_id")
    pending = select(func.coalesce(func.sum(ServiceRecord.minutes), 0).label("minutes"),
                     func.count(ServiceRecord.id).label("count")).where(
        ServiceRecord.community_id == community_id, ServiceRecord.volunteer_id == user_id,
        ServiceRecord.status == PENDING).subquery()

    def balance(kind):
        return func.coalesce(select(Account.balance).where(
            Account.community_id == community_id, Account.kind == kind, Account.owner_id == user_id)
            .scalar_subquery(), 0)

    return select(pending.c.minutes, pending.c.count, balance(MEMBER_SERVICE), balance(MEMBER_CREDITS))


def hours_overview(community, user, months=12):
    """``(summary_for(community, user), months)`` in one statement, for "My hours", which shows both: the summary's
    one row with each month's total beside it (a round trip less). ``months``: the confirmed minutes of each of the
    last ``months`` months, oldest first, ``[(first day of the month, minutes)]``."""
    starts = _month_starts(community, months)
    rows = db.session.execute(_overview_statement(), {
        "community_id": community.id, "user_id": user.id, "since": starts[0]}).all()
    return _summary(community, *rows[0][:4]), _months(starts, [row[4:] for row in rows if row[4] is not None])


def _month_starts(community, months):
    today = local_today(community)
    first = date(today.year, today.month, 1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    starts.reverse()
    return starts


def _months(starts, rows):
    found = {(int(year), int(month)): int(total or 0) for year, month, total in rows}
    return [(start, found.get((start.year, start.month), 0)) for start in starts]


@functools.cache
def _monthly_statement():
    """The confirmed minutes per month since ``since`` (records a correction replaced do not count)."""
    year = extract("year", ServiceRecord.activity_date).label("year")
    month = extract("month", ServiceRecord.activity_date).label("month")
    return select(year, month, func.sum(ServiceRecord.minutes).label("minutes")).where(
        ServiceRecord.community_id == bindparam("community_id"), ServiceRecord.volunteer_id == bindparam("user_id"),
        ServiceRecord.status == CONFIRMED, _live(), ServiceRecord.activity_date >= bindparam("since")).group_by(
        year, month)


@functools.cache
def _overview_statement():
    """Built once: the summary (one row) left-joined to the months that have confirmed minutes (none: one row)."""
    summary, months = _summary_statement().subquery(), _monthly_statement().subquery()
    return select(summary, months.c.year, months.c.month, months.c.minutes).select_from(summary).outerjoin(
        months, true())


def _history_query(community, user, status=None, category=None, year=None):
    query = select(ServiceRecord).where(ServiceRecord.community_id == community.id,
                                        ServiceRecord.volunteer_id == user.id).options(
        lazyload(ServiceRecord.volunteer))  # ``user``, in the session already: no join for it
    if status in ("pending", "confirmed", "rejected"):
        query = query.where(ServiceRecord.status == status)
    if category:
        query = query.where(ServiceRecord.category == category)
    if year:
        query = query.where(ServiceRecord.activity_date >= date(year, 1, 1),
                            ServiceRecord.activity_date <= date(year, 12, 31))
    return query.order_by(ServiceRecord.activity_date.desc(), ServiceRecord.id.desc())


def history_page(community, user, status=None, category=None, year=None, page=1, per_page=PER_PAGE):
    """``(records, total)``: one page of the person's records, newest first, and how many match in all."""
    query = _history_query(community, user, status, category, year)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return rows, total


def newest_records(community, user, status=None, limit=PER_PAGE):
    """The person's newest records (of ``status``), without counting them all ("My hours")."""
    return db.session.scalars(_newest_statement(status, limit), {"community_id": community.id,
                                                                  "user_id": user.id}).all()


@functools.cache
def _newest_statement(status, limit):
    """Built once per status and limit: "My hours" runs it."""
    query = select(ServiceRecord).where(ServiceRecord.community_id == bindparam("community_id"),
                                        ServiceRecord.volunteer_id == bindparam("user_id"))
    if status is not None:
        query = query.where(ServiceRecord.status == status)
    return query.order_by(ServiceRecord.activity_date.desc(), ServiceRecord.id.desc()).limit(limit).options(
        lazyload(ServiceRecord.volunteer))  # the person themself, in the session already: no join for it


def superseded_ids(records):
    """Ids among ``records`` that a later correction replaced."""
    ids = [record.id for record in records]
    if not ids:
        return set()
    return set(db.session.scalars(select(ServiceRecord.corrects_id).where(ServiceRecord.corrects_id.in_(ids))).all())


def queue_query(community, search="", team_id=None, category=None, date_from=None, date_to=None):
    query = select(ServiceRecord).where(ServiceRecord.community_id == community.id, ServiceRecord.status == PENDING)
    if search:
        like = f"%{search.strip()}%"
        query = query.join(User, User.id == ServiceRecord.volunteer_id).where(
            or_(ServiceRecord.activity_name.ilike(like), User.display_name.ilike(like)))
    if team_id:
        query = query.where(ServiceRecord.team_id == team_id)
    if category:
        query = query.where(ServiceRecord.category == category)
    if date_from:
        query = query.where(ServiceRecord.activity_date >= date_from)
    if date_to:
        query = query.where(ServiceRecord.activity_date <= date_to)
    return query


def queue_page(community, page=1, per_page=50, **filters):
    """Pending records, oldest activity first (so overdue ones lead), with the total and the overdue cutoff."""
    query = queue_query(community, **filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(ServiceRecord.activity_date, ServiceRecord.id)
                              .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    cutoff = overdue_cutoff(local_today(community), ledger_policy(community))
    return rows, total, cutoff


def queue_counts(community):
    """(pending, overdue) counts for the Tasks tab."""
    cutoff = overdue_cutoff(local_today(community), ledger_policy(community))
    pending, overdue = db.session.execute(
        select(func.count(ServiceRecord.id),
               func.count(ServiceRecord.id).filter(ServiceRecord.activity_date <= cutoff))
        .where(ServiceRecord.community_id == community.id, ServiceRecord.status == PENDING)
    ).one()
    return int(pending), int(overdue)


def open_requests(community):
    return db.session.scalars(
        select(CorrectionRequest).where(CorrectionRequest.community_id == community.id,
                                        CorrectionRequest.status == "open").order_by(CorrectionRequest.created_at)
    ).all()


def open_request_count(community):
    return int(db.session.scalar(select(func.count(CorrectionRequest.id)).where(
        CorrectionRequest.community_id == community.id, CorrectionRequest.status == "open")) or 0)


def pending_relative_count(community):
    return int(db.session.scalar(select(func.count(Relative.id)).where(
        Relative.community_id == community.id, Relative.status == "pending")) or 0)


def _counted(community, year):
    """The maintained totals' rows of ``community`` (of one year, or of every year) that hold records."""
    conditions = [ServiceTotal.community_id == community.id, ServiceTotal.records > 0]
    if year:
        conditions.append(ServiceTotal.year == year)
    return conditions


def community_totals(community, year=None):
    """Confirmed minutes, volunteers and records, for a year (or all time), and per category.

    From the maintained totals (``ledger_service_total``), never from the records: a few hundred rows per year in
    the largest community instead of a hundred thousand records."""
    per_category = [(category, int(minutes or 0), int(count)) for category, minutes, count in db.session.execute(
        select(ServiceTotal.category, func.sum(ServiceTotal.minutes), func.sum(ServiceTotal.records))
        .where(*_counted(community, year)).group_by(ServiceTotal.category).order_by(ServiceTotal.category)).all()]
    volunteers = db.session.scalar(
        select(func.count(func.distinct(ServiceTotal.volunteer_id))).where(*_counted(community, year)))
    return {
        "minutes": sum(minutes for _c, minutes, _n in per_category),
        "records": sum(count for _c, _m, count in per_category),
        "volunteers": int(volunteers or 0),
        "per_category": sorted(per_category, key=lambda row: -row[1]),
    }


def leaderboard(community, year=None, limit=20):
    """Top volunteers by confirmed hours, only those who agreed to be shown: [(display name, minutes)].

    From the maintained totals (``ledger_service_total``), summed per person first (a few thousand rows), then
    joined to the people; ties in the order of the volunteers' ids."""
    per_person = (select(ServiceTotal.volunteer_id, func.sum(ServiceTotal.minutes).label("minutes"))
                  .where(*_counted(community, year)).group_by(ServiceTotal.volunteer_id).subquery())
    rows = db.session.execute(
        select(User.display_name, per_person.c.minutes)
        .join(User, User.id == per_person.c.volunteer_id)
        .join(Membership, (Membership.user_id == per_person.c.volunteer_id)
              & (Membership.community_id == community.id))
        .where(Membership.public_consent.is_(True))
        .order_by(per_person.c.minutes.desc(), User.id).limit(limit)).all()
    return [(name, int(minutes)) for name, minutes in rows]
