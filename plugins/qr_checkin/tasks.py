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
    waiting = shifts_waiting(community, None if can(user, "qr_checkin.manage", community) else user)
    if waiting:
        items.append(TaskItem(label=_l("Shifts with hours to confirm"), endpoint="qr_checkin.lead", count=waiting,
                              order=21))
    return items


def shifts_waiting(community, leader=None):
    """How many shifts (all, or those ``leader`` leads) have attendances whose hours wait for confirmation.

    Asked on every page for the Tasks badge, so it starts from the community's pending records (an index) and
    reaches the shifts through the attendance's record (an index); never from the years of past shifts."""
    query = (select(func.count(func.distinct(Attendance.shift_id)))
             .select_from(ServiceRecord).join(Attendance, Attendance.record_id == ServiceRecord.id)
             .where(ServiceRecord.community_id == community.id, ServiceRecord.status == "pending"))
    if leader is not None:
        leads = db.session.scalar(select(Shift.id).where(Shift.leader_id == leader.id).limit(1))
        if leads is None:  # most people lead no shift at all
            return 0
        query = query.join(Shift, Shift.id == Attendance.shift_id).where(Shift.leader_id == leader.id)
    return db.session.scalar(query)
