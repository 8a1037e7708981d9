"""The repair team: who is on it, what each volunteer may repair (with licences), availability, current load,
and the suggestions a coordinator sees when dispatching. Every query is scoped to the community in SQL."""

import functools
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, exists, func, or_, select

from timebank import roles
from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Membership
from timebank.communities.services import active_membership
from timebank.database import paged
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _
from timebank.identity.models import User
from timebank.permissions import can, require
from timebank.validation import clean_text

from .models import RepairOrder, RepairSkill, RepairVolunteer, day_part_set_of, weekday_set_of
from .policy import repair_policy
from .vocabulary import CATEGORIES, DAY_PARTS, EMERGENCY, WITH_VOLUNTEER, day_part_of


def local_day(community, moment=None):
    return (moment or now()).astimezone(ZoneInfo(community.timezone)).date()


# --- Who is on the team -----------------------------------------------------------------------------------------


#: A licence that runs out within this many days is "expiring soon" on the team page.
LICENCE_SOON_DAYS = 30
#: The team page's licence filter: expiring soon (still valid), or missing or expired.
LICENCE_EXPIRING, LICENCE_PROBLEM = "expiring", "expired"
LICENCE_FILTERS = (LICENCE_EXPIRING, LICENCE_PROBLEM)
TEAM_PER_PAGE = 25


def active_roster(community):
    """Roster entries of ``community`` whose volunteer is an active member (``User`` joined for names)."""
    return (select(RepairVolunteer).join(User, User.id == RepairVolunteer.user_id)
            .join(Membership, (Membership.user_id == RepairVolunteer.user_id)
                  & (Membership.community_id == RepairVolunteer.community_id))
            .where(RepairVolunteer.community_id == community.id, Membership.status == "active"))


def roster_in(community, taking_jobs_only=False):
    """Roster entries of active volunteers of ``community``, by name."""
    query = active_roster(community)
    if taking_jobs_only:
        query = query.where(RepairVolunteer.taking_jobs.is_(True))
    return db.session.scalars(query.order_by(User.display_name, User.id)).all()


def _licence_condition(licensed, kind, today):
    """``EXISTS``: the volunteer has a skill needing a licence whose licence is expiring soon, or missing or
    expired (as ``qualification_problem`` judges it: a number and a date not before today)."""
    if kind == LICENCE_EXPIRING:
        state = and_(RepairSkill.licence_number != "", RepairSkill.licence_valid_until >= today,
                     RepairSkill.licence_valid_until <= today + timedelta(days=LICENCE_SOON_DAYS))
    else:
        state = or_(RepairSkill.licence_number == "", RepairSkill.licence_valid_until.is_(None),
                    RepairSkill.licence_valid_until < today)
    return exists().where(RepairSkill.volunteer_id == RepairVolunteer.id,
                          RepairSkill.category.in_(sorted(licensed)), state)


def search_digits(text):
    """The digits of a search that looks like (part of) a phone number ("139 1234-5678"), else ``""``."""
    compact = "".join(text.replace("-", " ").split())
    return compact if compact.isdigit() else ""


def name_or_phone(search):
    """A part of the name, or of the phone number when the search is digits ("%" and "_" are searched for as
    such, not used as wildcards)."""
    matches = [User.display_name.icontains(search, autoescape=True)]
    digits = search_digits(search)
    if digits:
        matches.append(User.phone.contains(digits, autoescape=True))
    return or_(*matches)


def roster_page(community, search="", category=None, licence=None, page=1, per_page=TEAM_PER_PAGE, today=None):
    """One page of the roster, by name: ``(entries, total, page)``. ``search`` matches a part of the name or of
    the phone number; ``category`` keeps volunteers with that skill; ``licence`` (``LICENCE_FILTERS``) those with
    a licence expiring soon, or missing or expired. Unknown filter values are ignored; a page beyond the last
    one shows the last. Three statements whatever the size of the team (count, entries, their skills)."""
    query = active_roster(community)
    search = (search or "").strip()
    if search:
        query = query.where(name_or_phone(search))
    if category in CATEGORIES:
        query = query.where(exists().where(RepairSkill.volunteer_id == RepairVolunteer.id,
                                           RepairSkill.category == category))
    if licence in LICENCE_FILTERS:
        query = query.where(_licence_condition(repair_policy(community).licensed_categories, licence,
                                               today or local_day(community)))
    return paged(query, page, per_page, (User.display_name, User.id), count_on=RepairVolunteer.id)


@dataclass(frozen=True)
class TeamCounts:
    active: int
    taking_jobs: int
    licence_expiring: int
    licence_problem: int


def team_counts(community, today=None):
    """The figures on top of the team page, counted in one SQL statement: volunteers on the roster (active
    members), those taking jobs, those with a licence expiring soon, those with one missing or expired."""
    today = today or local_day(community)
    licensed = repair_policy(community).licensed_categories

    def how_many(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(active_roster(community).with_only_columns(
        func.count(RepairVolunteer.id), how_many(RepairVolunteer.taking_jobs.is_(True)),
        how_many(_licence_condition(licensed, LICENCE_EXPIRING, today)),
        how_many(_licence_condition(licensed, LICENCE_PROBLEM, today)))).one()
    return TeamCounts(*(int(value) for value in row))


def roster_entry(community, user):
    """The roster entry of ``user`` in ``community``, or ``None``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(RepairVolunteer).where(RepairVolunteer.community_id == community.id,
                                                           RepairVolunteer.user_id == user.id))


def on_roster(community, user):
    """Is ``user`` on the community's repair roster? (One indexed lookup, no skills loaded.)"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(_roster_id_statement(), {"community_id": community.id, "user_id": user.id}) is not None


@functools.cache
def _roster_id_statement():
    """Built once (a built statement also keeps its cache key): the home card and the navigation run it."""
    return select(RepairVolunteer.id).where(RepairVolunteer.community_id == bindparam("community_id"),
                                            RepairVolunteer.user_id == bindparam("user_id"))


def roster_entry_in(community, entry_id):
    entry = db.session.scalar(select(RepairVolunteer).where(RepairVolunteer.id == entry_id,
                                                            RepairVolunteer.community_id == community.id))
    if entry is None:
        raise NotFound(entry_id)
    return entry


def roster_entry_user(community, user_id):
    """The ``User`` of a roster volunteer chosen in a form; ``ValidationFailed`` for anybody else."""
    entry = db.session.scalar(select(RepairVolunteer).where(RepairVolunteer.community_id == community.id,
                                                            RepairVolunteer.user_id == user_id))
    if entry is None:
        raise ValidationFailed(_("Choose a volunteer of the repair team."), field="volunteer_id")
    return entry.user


def add_to_roster(community, actor, user):
    """Put an active volunteer on the repair team (skills are added next). Commits."""
    require(actor, "repair_team.manage", community)
    membership = active_membership(user, community)
    if membership is None or not roles.role_at_least(membership.role, roles.VOLUNTEER):
        raise ValidationFailed(_("Only registered volunteers can join the repair team."), field="member")
    if roster_entry(community, user) is not None:
        raise ValidationFailed(_("%(name)s is already on the repair team.", name=user.display_name), field="member")
    entry = RepairVolunteer(community_id=community.id, user_id=user.id, joined_at=now())
    db.session.add(entry)
    db.session.flush()
    record_audit("repair_team.member_added", actor=actor, community=community, target=("user", user.id))
    commit()
    return entry


def remove_from_roster(community, actor, entry):
    """Take a volunteer off the team (jobs they hold stay theirs until handed back). Commits."""
    require(actor, "repair_team.manage", community)
    user_id = entry.user_id
    db.session.delete(entry)
    record_audit("repair_team.member_removed", actor=actor, community=community, target=("user", user_id))
    commit()


def save_skills(community, actor, entry, categories, licence_number="", licence_valid_until=None):
    """Set what a roster volunteer may repair. Categories that need a licence (policy) need the licence's number
    and expiry date, which the coordinator has seen. Commits."""
    require(actor, "repair_team.manage", community)
    chosen = set(categories or [])
    if chosen - set(CATEGORIES):
        raise ValidationFailed(_("Choose one of the options."), field="categories")
    licensed = chosen & repair_policy(community).licensed_categories
    licence_number = clean_text(licence_number, "licence_number", 60)
    if licensed and not licence_number:
        raise ValidationFailed(_("This work needs a licence on file: enter the licence number."),
                               field="licence_number")
    if licensed and licence_valid_until is None:
        raise ValidationFailed(_("Enter the date until which the licence is valid."), field="licence_valid_until")
    if licensed and licence_valid_until < local_day(community):
        raise ValidationFailed(_("This licence has expired."), field="licence_valid_until")
    existing = {skill.category: skill for skill in entry.skills}
    for category in set(existing) - chosen:
        entry.skills.remove(existing[category])
    for category in chosen:
        skill = existing.get(category)
        if skill is None:
            skill = RepairSkill(category=category)
            entry.skills.append(skill)
        if category in licensed:
            skill.licence_number, skill.licence_valid_until = licence_number, licence_valid_until
            skill.checked_by_id, skill.checked_at = actor.id, now()
    record_audit("repair_team.skills_saved", actor=actor, community=community, target=("user", entry.user_id),
                 detail={"categories": sorted(chosen)})
    commit()
    return entry


def set_availability(community, actor, entry, taking_jobs, weekdays, day_parts, note=""):
    """The volunteer (or a coordinator) says when they can come. Commits."""
    if actor.id != entry.user_id and not can(actor, "repair_team.manage", community):
        raise PermissionDenied("repair_team.manage")
    try:
        days = sorted({int(day) for day in weekdays or []})
    except (TypeError, ValueError):
        raise ValidationFailed(_("Choose one of the options."), field="weekdays") from None
    if any(day not in range(7) for day in days):
        raise ValidationFailed(_("Choose one of the options."), field="weekdays")
    parts = [part for part in DAY_PARTS if part in set(day_parts or [])]
    if set(day_parts or []) - set(DAY_PARTS):
        raise ValidationFailed(_("Choose one of the options."), field="day_parts")
    if taking_jobs and (not days or not parts):
        raise ValidationFailed(_("Choose at least one day and one part of the day, or pause taking jobs."),
                               field="weekdays")
    entry.taking_jobs = bool(taking_jobs)
    entry.weekdays, entry.day_parts = ",".join(map(str, days)), ",".join(parts)
    entry.note = clean_text(note, "note", 200)
    record_audit("repair_team.availability_saved", actor=actor, community=community, target=("user", entry.user_id))
    commit()
    return entry


# --- Qualification and load -------------------------------------------------------------------------------------


def skill_for(entry, category):
    return next((skill for skill in entry.skills if skill.category == category), None)


def qualification_problem(entry, category, licensed_categories, day):
    """Why ``entry`` may not do ``category`` work on ``day`` (a translated sentence), or ``None`` if they may."""
    if entry is None:
        return _("Not on the repair team.")
    skill = skill_for(entry, category)
    if skill is None:
        return _("No skill on file for this kind of repair.")
    if licence_problem(category, licensed_categories, skill.licence_number, skill.licence_valid_until, day):
        return _("This work needs a valid licence on file.")
    return None


def active_member_volunteer(community, user):
    membership = active_membership(user, community)
    return membership is not None and roles.role_at_least(membership.role, roles.VOLUNTEER)


@functools.cache
def _open_jobs_statement():
    """Built once (a built statement also keeps its cache key): the Tasks number and the assign page run it."""
    return select(RepairOrder.volunteer_id, func.count(RepairOrder.id)).where(
        RepairOrder.community_id == bindparam("community_id"),
        RepairOrder.volunteer_id.in_(bindparam("volunteers", expanding=True)),
        RepairOrder.status.in_(WITH_VOLUNTEER)).group_by(RepairOrder.volunteer_id)


def open_jobs(community, user_ids):
    """``{user_id: number of jobs held}`` (assigned, on the way, in progress, done but not signed off)."""
    if not user_ids:
        return {}
    rows = db.session.execute(_open_jobs_statement(), {"community_id": community.id,
                                                       "volunteers": list(user_ids)}).all()
    counts = dict.fromkeys(user_ids, 0)
    counts.update(dict(rows))
    return counts


def visit_days(order, community, moment):
    """The local days (and parts of day) the resident asked for; an emergency means today, now."""
    zone = ZoneInfo(community.timezone)
    if order.urgency == EMERGENCY:
        local = moment.astimezone(zone)
        return [local.date()], [day_part_of(local)]
    return order.preferred_dates, order.preferred_part_list


def available_for(entry, days, parts):
    """Does the volunteer's usual availability meet the resident's wishes (no wishes: any time)?"""
    return available_on(entry.taking_jobs, entry.weekdays, entry.day_parts, days, parts)


def available_on(taking_jobs, weekdays, day_parts, days, parts):
    """``available_for`` on the stored columns (``weekdays`` "0,1,2", ``day_parts`` "am,pm")."""
    if not taking_jobs:
        return False
    weekday_set = weekday_set_of(weekdays)
    day_ok = not days or any(day.weekday() in weekday_set for day in days)
    part_ok = not parts or bool(set(parts) & day_part_set_of(day_parts))
    return day_ok and part_ok


def licence_problem(category, licensed_categories, licence_number, valid_until, day):
    """Does ``category`` work need a licence that is missing or expired on ``day``?"""
    return category in licensed_categories and (not licence_number or valid_until is None or valid_until < day)


def qualified_volunteers(community, category, moment=None):
    """Users on the roster, taking jobs, who may do ``category`` work today (for emergency alerts)."""
    policy = repair_policy(community)
    today = local_day(community, moment)
    with_skill = exists().where(RepairSkill.volunteer_id == RepairVolunteer.id, RepairSkill.category == category)
    entries = db.session.scalars(active_roster(community).where(RepairVolunteer.taking_jobs.is_(True), with_skill)
                                 .order_by(User.display_name, User.id)).all()
    return [entry.user for entry in entries
            if qualification_problem(entry, category, policy.licensed_categories, today) is None]

