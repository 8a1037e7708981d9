"""Whom to send: the volunteers a coordinator weighs for one repair order, best first.

A community's team can hold a thousand volunteers. The ranking reads plain columns for every candidate (skill,
licence, availability, jobs in hand) and loads the roster entries, with their skills, only for the shortlist the
assign page shows; a search by name or phone finds anybody else on the team.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased

from timebank.clock import now
from timebank.extensions import db
from timebank.i18n import _
from timebank.identity.models import User

from .models import RepairSkill, RepairVolunteer
from .policy import repair_policy
from .roster import (
    active_roster,
    available_for,
    available_on,
    licence_problem,
    local_day,
    name_or_phone,
    open_jobs,
    qualification_problem,
    skill_for,
    visit_days,
)

#: The assign page shows this many candidates.
SUGGESTION_LIMIT = 20


@dataclass
class Suggestion:
    """A roster volunteer as a candidate for one order, with the facts the coordinator weighs."""

    entry: RepairVolunteer
    problem: str | None  # why they may not take it; None when qualified
    available: bool
    load: int
    licence_until: date | None = None
    reasons: list = field(default_factory=list)

    @property
    def qualified(self):
        return self.problem is None


class Suggestions(list):
    """Suggestions, best first; ``weighed``: how many volunteers were ranked to choose them."""

    weighed = 0


def _candidates(order, community, search=""):
    """The roster entries worth weighing for ``order``: with a ``search``, anybody on the team whose name or phone
    matches; without, those with a skill for the order's kind of repair, and the volunteer it is assigned to."""
    query = active_roster(community)
    search = (search or "").strip()
    if search:
        return query.where(name_or_phone(search))
    has_skill = exists().where(RepairSkill.volunteer_id == RepairVolunteer.id, RepairSkill.category == order.category)
    return query.where(or_(has_skill, RepairVolunteer.user_id == order.volunteer_id) if order.volunteer_id
                       else has_skill)


def _ranked(order, community, search, licensed, today, days, parts):
    """``([user id], {user id: jobs in hand})`` of every candidate, best first: qualified, available when the
    resident wants, fewest jobs in hand, then by name. One statement for the candidates' columns, one for jobs."""
    skill = aliased(RepairSkill)
    rows = db.session.execute(_candidates(order, community, search).outerjoin(
        skill, (skill.volunteer_id == RepairVolunteer.id) & (skill.category == order.category)).with_only_columns(
        RepairVolunteer.user_id, RepairVolunteer.taking_jobs, RepairVolunteer.weekdays, RepairVolunteer.day_parts,
        User.display_name, skill.id, skill.licence_number, skill.licence_valid_until)
        .order_by(User.display_name, User.id)).all()
    loads = open_jobs(community, [row.user_id for row in rows])

    def rank(row):
        qualified = row.id is not None and row.taking_jobs and not licence_problem(
            order.category, licensed, row.licence_number, row.licence_valid_until, today)
        available = available_on(row.taking_jobs, row.weekdays, row.day_parts, days, parts)
        return (not qualified, not available, loads[row.user_id], row.display_name)

    return [row.user_id for row in sorted(rows, key=rank)], loads


def suggestions_for(order, community, moment=None, search="", limit=None):
    """The best ``limit`` candidates for ``order`` (``None``: all), as ``Suggestions``: the qualified first, then
    those available when the resident wants, then the least busy; those who may not take it (licence, paused, no
    such skill) last, with the reason. The volunteer the order is assigned to stays in the list (to change the
    time). Without a ``search`` only volunteers with a skill for this kind of repair are weighed."""
    moment = moment or now()
    policy = repair_policy(community)
    today = local_day(community, moment)
    days, parts = visit_days(order, community, moment)
    ranked, loads = _ranked(order, community, search, policy.licensed_categories, today, days, parts)
    chosen = ranked if limit is None else ranked[:limit]
    if limit is not None and order.volunteer_id in ranked[limit:]:
        chosen = chosen[:limit - 1] + [order.volunteer_id]
    entries = {entry.user_id: entry for entry in db.session.scalars(
        select(RepairVolunteer).where(RepairVolunteer.community_id == community.id,
                                      RepairVolunteer.user_id.in_(chosen)))} if chosen else {}
    found = Suggestions()
    found.weighed = len(ranked)
    for user_id in chosen:
        entry = entries[user_id]
        problem = qualification_problem(entry, order.category, policy.licensed_categories, today)
        if problem is None and not entry.taking_jobs:
            problem = _("Not taking jobs at the moment.")
        skill = skill_for(entry, order.category)
        found.append(Suggestion(entry, problem, available_for(entry, days, parts), loads[user_id],
                                skill.licence_valid_until if skill else None))
    return found
