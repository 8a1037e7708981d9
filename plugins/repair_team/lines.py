"""Orders as the home page's cards and the Tasks number list them, read as plain columns.

A line of a list (``repair_team/_order_line.html``) shows an order's number, kind, urgency and status, the household
and who comes when. The order's full object comes with its household, building, stairwell and three people: for the
few lines the home page shows on every visit, reading those costs about four times what the line's columns do.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import aliased

from timebank.communities.models import Building, Household, Stairwell, household_label
from timebank.extensions import db
from timebank.identity.models import User
from timebank.ui import Shown

from .models import RepairOrder, RepairVolunteer
from .vocabulary import WITH_VOLUNTEER


@dataclass(frozen=True)
class OrderLine:
    """What ``repair_team/_order_line.html`` shows of an order, under the order's own attribute names."""

    id: int
    number: str
    category: str
    urgency: str
    status: str
    scheduled_at: datetime | None
    household: Shown
    volunteer: Shown | None


def request_states(community, user, limit):
    """The newest ``limit`` requests of ``user`` (``services.requests_of``) as rows of what the Tasks number asks of
    them: ``id``, ``number``, ``status``, ``signed_off_at`` and ``rating``."""
    return db.session.execute(_request_states_statement(limit), {"community_id": community.id,
                                                                 "user_id": user.id}).all()


def request_lines(community, user, statuses, limit):
    """``services.requests_of(community, user, limit, statuses)`` as lines: newest first."""
    return _lines(_requests_statement(tuple(statuses), limit), community, user)


def job_lines(community, user):
    """``services.jobs_of(community, user)`` as lines: by visit time."""
    return _lines(_jobs_statement(), community, user)


def roster_job_lines(community, user):
    """``None`` when ``user`` is not on the community's repair roster (``roster.on_roster``), else their jobs as
    ``job_lines`` shows them: one statement, the roster entry with its jobs left-joined (the home card asks both)."""
    rows = db.session.execute(_roster_jobs_statement(), {"community_id": community.id, "user_id": user.id}).all()
    if not rows:
        return None
    return [_line(*row[1:]) for row in rows if row[1] is not None]


def _lines(statement, community, user):
    return [_line(*row) for row in db.session.execute(statement, {"community_id": community.id, "user_id": user.id})]


def _line(order_id, number, category, urgency, status, scheduled_at, building, stairwell, room, volunteer):
    return OrderLine(order_id, number, category, urgency, status, scheduled_at,
                     Shown(label=household_label(building, stairwell, room)),
                     Shown(display_name=volunteer) if volunteer is not None else None)


def _line_columns(volunteer):
    return (RepairOrder.id, RepairOrder.number, RepairOrder.category, RepairOrder.urgency, RepairOrder.status,
            RepairOrder.scheduled_at, Building.name, Stairwell.name, Household.room, volunteer.display_name)


def _select_lines():
    volunteer = aliased(User)
    return select(*_line_columns(volunteer)).join(Household, Household.id == RepairOrder.household_id).join(
        Building, Building.id == Household.building_id).outerjoin(
        Stairwell, Stairwell.id == Household.stairwell_id).outerjoin(volunteer, volunteer.id == RepairOrder.volunteer_id)


@functools.cache
def _requests_statement(statuses, limit):
    """Built once per variant, like ``services._requests_statement``, with the same conditions and order."""
    user_id = bindparam("user_id")
    return _select_lines().where(
        RepairOrder.community_id == bindparam("community_id"),
        or_(RepairOrder.requester_id == user_id, RepairOrder.created_by_id == user_id),
        RepairOrder.status.in_(statuses)).order_by(RepairOrder.created_at.desc(), RepairOrder.id.desc()).limit(limit)


@functools.cache
def _request_states_statement(limit):
    """Built once per limit: ``services.requests_of``'s statement (every status), five columns of it."""
    from .services import requests_select

    return requests_select(bindparam("community_id"), bindparam("user_id"), None).with_only_columns(
        RepairOrder.id, RepairOrder.number, RepairOrder.status, RepairOrder.signed_off_at, RepairOrder.rating,
        maintain_column_froms=True).limit(limit)


@functools.cache
def _jobs_statement():
    """Built once, like ``services._jobs_statement``, with the same conditions and order."""
    return _select_lines().where(
        RepairOrder.community_id == bindparam("community_id"), RepairOrder.volunteer_id == bindparam("user_id"),
        RepairOrder.status.in_(WITH_VOLUNTEER)).order_by(RepairOrder.scheduled_at, RepairOrder.id)


@functools.cache
def _roster_jobs_statement():
    """Built once: the roster entry (``roster._roster_id_statement``), the jobs of ``_jobs_statement`` joined."""
    volunteer = aliased(User)
    held = and_(RepairOrder.community_id == RepairVolunteer.community_id,
                RepairOrder.volunteer_id == RepairVolunteer.user_id, RepairOrder.status.in_(WITH_VOLUNTEER))
    return select(RepairVolunteer.id, *_line_columns(volunteer)).select_from(RepairVolunteer).outerjoin(
        RepairOrder, held).outerjoin(Household, Household.id == RepairOrder.household_id).outerjoin(
        Building, Building.id == Household.building_id).outerjoin(
        Stairwell, Stairwell.id == Household.stairwell_id).outerjoin(
        volunteer, volunteer.id == RepairOrder.volunteer_id).where(
        RepairVolunteer.community_id == bindparam("community_id"),
        RepairVolunteer.user_id == bindparam("user_id")).order_by(RepairOrder.scheduled_at, RepairOrder.id)
