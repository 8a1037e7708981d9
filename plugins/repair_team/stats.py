"""Monthly statistics by category: requests, completed, emergencies, cancelled, average time to completion,
average rating. The month is taken in the community's time zone."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from timebank.errors import ValidationFailed
from timebank.extensions import db
from timebank.i18n import _
from timebank.web import YEARS

from .models import RepairOrder
from .vocabulary import CANCELLED, CATEGORIES, EMERGENCY


@dataclass
class CategoryStats:
    category: str
    requests: int = 0
    emergencies: int = 0
    cancelled: int = 0
    completed: int = 0
    completion_minutes: list = field(default_factory=list)
    ratings: list = field(default_factory=list)

    @property
    def average_completion_minutes(self):
        """From the request to the work being finished (None when nothing was finished)."""
        if not self.completion_minutes:
            return None
        return round(sum(self.completion_minutes) / len(self.completion_minutes))

    @property
    def average_rating(self):
        return round(sum(self.ratings) / len(self.ratings), 1) if self.ratings else None

    def add(self, other):
        self.requests += other.requests
        self.emergencies += other.emergencies
        self.cancelled += other.cancelled
        self.completed += other.completed
        self.completion_minutes += other.completion_minutes
        self.ratings += other.ratings


def parse_month(text, today):
    """"2026-11" → date(2026, 11, 1); empty → this month. A month of a year no page shows (``timebank.web.YEARS``:
    the month after December 9999 does not exist) is refused like a malformed one."""
    if not text:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in str(text).split("-"))
        if year not in YEARS:
            raise ValueError(year)
        return date(year, month, 1)
    except ValueError:
        raise ValidationFailed(_("Choose a month like 2026-11."), field="month") from None


def month_bounds(community, first_day):
    zone = ZoneInfo(community.timezone)
    following = date(first_day.year + first_day.month // 12, first_day.month % 12 + 1, 1)
    return datetime.combine(first_day, time(0), zone), datetime.combine(following, time(0), zone)


def monthly_statistics(community, first_day):
    """``(rows per category in the usual order, total)`` for requests submitted in the month."""
    start, end = month_bounds(community, first_day)
    orders = db.session.execute(select(
        RepairOrder.category, RepairOrder.urgency, RepairOrder.status, RepairOrder.created_at,
        RepairOrder.finished_at, RepairOrder.rating).where(
        RepairOrder.community_id == community.id, RepairOrder.created_at >= start,
        RepairOrder.created_at < end)).all()
    rows = {category: CategoryStats(category) for category in CATEGORIES}
    for category, urgency, status, created_at, finished_at, rating in orders:
        row = rows.setdefault(category, CategoryStats(category))
        row.requests += 1
        row.emergencies += urgency == EMERGENCY
        row.cancelled += status == CANCELLED
        if finished_at is not None and status != CANCELLED:
            row.completed += 1
            row.completion_minutes.append(int((finished_at - created_at).total_seconds() // 60))
        if rating is not None:
            row.ratings.append(rating)
    total = CategoryStats("total")
    for row in rows.values():
        total.add(row)
    return [row for row in rows.values() if row.requests], total


def previous_months(first_day, count=12):
    """The month and the ``count - 1`` before it, newest first (for the month picker)."""
    months = []
    year, month = first_day.year, first_day.month
    for _index in range(count):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months
