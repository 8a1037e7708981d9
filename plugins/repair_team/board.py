"""The coordinators' board: requests waiting for a volunteer, with their age and overdue flag (emergency not
assigned within 30 minutes, a normal request within 24 hours: policy), and the jobs volunteers hold."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from timebank.clock import now
from timebank.extensions import db

from .models import RepairOrder
from .policy import repair_policy
from .vocabulary import EMERGENCY, REOPENED, UNASSIGNED, WITH_VOLUNTEER

# --- The board --------------------------------------------------------------------------------------------------


@dataclass
class BoardLine:
    order: RepairOrder
    waiting_minutes: int
    overdue: bool


def waiting_since(order):
    """When the order started waiting for a volunteer: its submission, or the poor rating that reopened it."""
    return order.rated_at if order.status == REOPENED and order.rated_at else order.created_at


def is_overdue(order, policy, moment):
    """Emergencies not assigned within 30 minutes, normal requests within 24 hours (policy)."""
    if order.status not in UNASSIGNED:
        return False
    limit = (timedelta(minutes=policy.emergency_assign_minutes) if order.urgency == EMERGENCY
             else timedelta(hours=policy.normal_assign_hours))
    return moment - waiting_since(order) > limit


def waiting_lines(community, moment=None):
    """Requests without a volunteer, emergencies first, then the longest waiting, with age and overdue flag."""
    moment = moment or now()
    policy = repair_policy(community)
    waiting = db.session.scalars(select(RepairOrder).where(RepairOrder.community_id == community.id,
                                                           RepairOrder.status.in_(UNASSIGNED))).all()
    lines = [BoardLine(order, int((moment - waiting_since(order)).total_seconds() // 60),
                       is_overdue(order, policy, moment)) for order in waiting]
    lines.sort(key=lambda line: (line.order.urgency != EMERGENCY, not line.overdue, -line.waiting_minutes))
    return lines


def board(community, moment=None):
    """``(waiting, in_hand)``: ``waiting_lines`` and the orders a volunteer holds (by visit time)."""
    in_hand = db.session.scalars(select(RepairOrder).where(
        RepairOrder.community_id == community.id, RepairOrder.status.in_(WITH_VOLUNTEER))
        .order_by(RepairOrder.scheduled_at, RepairOrder.id)).all()
    return waiting_lines(community, moment), in_hand


def waiting_counts(community, moment=None):
    """``(waiting, overdue)`` for the coordinators' card, tasks and nav badge (the orders in hand are not read)."""
    lines = waiting_lines(community, moment)
    return len(lines), sum(1 for line in lines if line.overdue)
