"""Items for the Tasks tab: today's duty for volunteers, rosters waiting for confirmation for leaders."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from timebank.extensions import db
from timebank.i18n import _l
from timebank.ledger.models import ServiceRecord
from timebank.permissions import can
from timebank.ui import TaskItem

from .models import Attendance, Shift
from .services import _zone, local_day, upcoming_for


def tasks_for(user, community):
    items = []
    zone = _zone(community)
    today = local_day(community)
    start = datetime.combine(today, time(0), zone)
    for shift in upcoming_for(community, user, days=2):
        if shift.starts_at < start + timedelta(days=1):
            items.append(TaskItem(label=_l("Duty today"), endpoint="qr_checkin.index",
                                  detail=f"{shift.starts_at.astimezone(zone):%H:%M} {shift.post.name}", order=5,
                                  urgent=True))
    leader_filter = [] if can(user, "qr_checkin.manage", community) else [Shift.leader_id == user.id]
    waiting = db.session.scalar(
        select(func.count(func.distinct(Shift.id))).join(Attendance, Attendance.shift_id == Shift.id)
        .join(ServiceRecord, ServiceRecord.id == Attendance.record_id)
        .where(Shift.community_id == community.id, ServiceRecord.status == "pending", *leader_filter))
    if waiting:
        items.append(TaskItem(label=_l("Shifts with hours to confirm"), endpoint="qr_checkin.lead", count=waiting,
                              order=21))
    return items
