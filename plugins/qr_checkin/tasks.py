"""Items for the Tasks tab: today's duty for volunteers, rosters waiting for confirmation for leaders."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from timebank.extensions import db
from timebank.i18n import _l
from timebank.permissions import can
from timebank.ui import TaskItem

from . import schedule
from .models import Shift
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
    """How many shifts (all, or those ``leader`` leads) of the confirmation period have attendances whose hours
    wait for confirmation: the shifts the leader's page lists (``schedule.to_confirm``).

    Asked for the Tasks number, so it reads the shifts of those days (an index), not the community's backlog of
    pending hours; most people lead no shift at all, which one lookup of an index answers."""
    if leader is not None:
        leads = db.session.scalar(select(Shift.id).where(Shift.leader_id == leader.id).limit(1))
        if leads is None:
            return 0
    return schedule.count_to_confirm(community, leader_id=getattr(leader, "id", None))
