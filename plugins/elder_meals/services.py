"""Shared lookups and the access rules of the meal service.

Who may do what:

* **coordinators** (``elder_meals.manage``): enrolments, family links, canteen staff, delivery rounds, policy;
* **the canteen** (``elder_meals.kitchen``): coordinators, plus the members a coordinator names as canteen staff
  (voted in through ``timebank_permission_allowed``): menus, the roster, orders after the cut-off, food samples,
  and the sensitive data (diet and health notes, welfare status);
* **ordering for an elder**: the elder, a linked family member allowed to order, the grid worker of the elder's
  grid, the canteen and coordinators.

Every query is scoped to the community in SQL.
"""

import functools
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import g, has_request_context
from sqlalchemy import bindparam, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Building, Grid, Household, Membership
from timebank.communities.services import active_membership
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _
from timebank.permissions import can, require

from .models import CanteenStaff, Elder, FamilyLink

PLUGIN = "elder_meals"
MANAGE, KITCHEN = "elder_meals.manage", "elder_meals.kitchen"


def zone(community):
    return ZoneInfo(community.timezone)


def local_today(community, moment=None):
    return (moment or now()).astimezone(zone(community)).date()


def local_time(community, moment):
    return moment.astimezone(zone(community)).strftime("%H:%M") if moment else ""


# --- Roles ------------------------------------------------------------------------------------------------------


def can_manage(user, community):
    return can(user, MANAGE, community)


def is_kitchen(user, community):
    return can(user, KITCHEN, community)


def require_kitchen(user, community):
    require(user, KITCHEN, community)


def is_canteen_staff(user, community):
    """Named canteen staff with an active membership (cached for the request: permission checks ask often)."""
    if community is None or not getattr(user, "is_authenticated", False):
        return False
    cache = g.setdefault("_elder_meals_staff", {}) if has_request_context() else {}
    key = (user.id, community.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(CanteenStaff.id).join(Membership, (Membership.user_id == CanteenStaff.user_id)
                                         & (Membership.community_id == CanteenStaff.community_id))
            .where(CanteenStaff.community_id == community.id, CanteenStaff.user_id == user.id,
                   Membership.status == "active")) is not None
    return cache[key]


def canteen_staff(community):
    return db.session.scalars(select(CanteenStaff).where(CanteenStaff.community_id == community.id)
                              .order_by(CanteenStaff.created_at)).all()


def add_canteen_staff(community, actor, user):
    """Name a member as canteen staff (they then see diet notes and run the kitchen pages). Commits."""
    require(actor, MANAGE, community)
    if active_membership(user, community) is None:
        raise ValidationFailed(_("Choose an active member of this community."), field="member")
    if db.session.scalar(select(CanteenStaff.id).where(CanteenStaff.community_id == community.id,
                                                       CanteenStaff.user_id == user.id)):
        raise ValidationFailed(_("%(name)s is already canteen staff.", name=user.display_name), field="member")
    staff = CanteenStaff(community_id=community.id, user_id=user.id, added_by_id=actor.id, created_at=now())
    db.session.add(staff)
    db.session.flush()
    record_audit("elder_meals.canteen_staff_added", actor=actor, community=community, target=("user", user.id))
    commit()
    _forget_staff_cache()
    return staff


def remove_canteen_staff(community, actor, staff_id):
    require(actor, MANAGE, community)
    staff = db.session.scalar(select(CanteenStaff).where(CanteenStaff.id == staff_id,
                                                         CanteenStaff.community_id == community.id))
    if staff is None:
        raise NotFound(staff_id)
    record_audit("elder_meals.canteen_staff_removed", actor=actor, community=community,
                 target=("user", staff.user_id))
    db.session.delete(staff)
    commit()
    _forget_staff_cache()


def _forget_staff_cache():
    if has_request_context():
        g.pop("_elder_meals_staff", None)


# --- Elders -----------------------------------------------------------------------------------------------------


def elder_in(community, elder_id):
    """An enrolment of ``community`` by id; another community's is ``NotFound``."""
    elder = db.session.scalar(select(Elder).where(Elder.id == elder_id, Elder.community_id == community.id))
    if elder is None:
        raise NotFound(elder_id)
    return elder


def enrolment_of(user, community):
    """The user's own enrolment (any state) in ``community``, or ``None``."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(_enrolment_statement(), {"community_id": community.id, "user_id": user.id})


@functools.cache
def _enrolment_statement():
    """Built once (a built statement also keeps its cache key): the home card runs it."""
    return select(Elder).where(Elder.community_id == bindparam("community_id"), Elder.user_id == bindparam("user_id"))


class MealRoles(NamedTuple):
    elder: bool  # enrolled and active
    orders_for_family: bool  # has a link allowing them to order for an active elder
    open_alerts: int  # open "no answer" alerts they follow (``alerts.open_alert_count``)


def meal_roles_of(user, community):
    """``MealRoles`` of ``user`` in ``community``, in one light statement: most people of a community are no elder,
    order for nobody and follow no alert, and the home page asks on every visit (``enrolment_of``,
    ``family_links_of`` and ``alerts.visible_alerts`` then read the rows). Kept for the request: the home page's
    cards ask first, its alerts after them."""
    if not getattr(user, "is_authenticated", False):
        return MealRoles(False, False, 0)
    kept = g.setdefault("_elder_meals_roles", {}) if has_request_context() else {}
    key = (user.id, community.id)
    if key not in kept:
        enrolled, family, open_alerts = db.session.execute(_meal_roles_statement(can_manage(user, community)), {
            "community_id": community.id, "user_id": user.id}).one()
        kept[key] = MealRoles(bool(enrolled), bool(family), int(open_alerts))
    return kept[key]


@functools.cache
def _meal_roles_statement(manager):
    from .alerts import open_count_statement  # it imports this module

    community_id, user_id = bindparam("community_id"), bindparam("user_id")
    enrolled = select(Elder.id).where(Elder.community_id == community_id, Elder.user_id == user_id,
                                      Elder.status == "active").exists()
    family = select(FamilyLink.id).join(Elder, Elder.id == FamilyLink.elder_id).where(
        Elder.community_id == community_id, Elder.status == "active", FamilyLink.user_id == user_id,
        FamilyLink.can_order.is_(True)).exists()
    return select(enrolled, family, open_count_statement(manager).scalar_subquery())


def family_links_of(user, community, ordering=False):
    """Links of ``user`` to active elders of ``community`` (only those allowed to order if ``ordering``)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return db.session.scalars(_family_links_statement(ordering), {"community_id": community.id,
                                                                  "user_id": user.id}).all()


@functools.cache
def _family_links_statement(ordering):
    """Built once per variant: the home card runs one."""
    query = select(FamilyLink).join(Elder, Elder.id == FamilyLink.elder_id).where(
        Elder.community_id == bindparam("community_id"), Elder.status == "active",
        FamilyLink.user_id == bindparam("user_id"))
    if ordering:
        query = query.where(FamilyLink.can_order.is_(True))
    return query.order_by(FamilyLink.id)


def family_link(elder, user):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(FamilyLink).where(FamilyLink.elder_id == elder.id,
                                                      FamilyLink.user_id == user.id))


def grid_worker_ids(elder):
    """Grid workers of the elder's building's grid and of the grids above it."""
    if elder.household_id is None:
        return set()
    grid_id = db.session.scalar(select(Building.grid_id).join(Household, Household.building_id == Building.id)
                                .where(Household.id == elder.household_id))
    found, seen = set(), set()
    while grid_id is not None and grid_id not in seen:
        seen.add(grid_id)
        grid = db.session.get(Grid, grid_id)
        if grid is None:
            break
        if grid.grid_worker_id:
            found.add(grid.grid_worker_id)
        grid_id = grid.parent_id
    return found


def ordering_role(user, elder, community):
    """How ``user`` may order for ``elder``: "self", "family", "grid_worker", "canteen", "coordinator" or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if active_membership(user, community) is None and not user.is_district_admin:
        return None
    if user.id == elder.user_id:
        return "self"
    link = family_link(elder, user)
    if link is not None and link.can_order:
        return "family"
    if user.id in grid_worker_ids(elder):
        return "grid_worker"
    if can_manage(user, community):
        return "coordinator"
    if is_kitchen(user, community):
        return "canteen"
    return None


def require_order_for(user, elder, community):
    role = ordering_role(user, elder, community)
    if role is None:
        raise PermissionDenied("elder_meals.order",
                               _("You are not linked to %(name)s: only the elder, their family, their grid worker "
                                 "and the canteen can order for them.", name=elder.user.display_name))
    return role


def can_see_sensitive(user, elder, community):
    """Diet and health notes and the welfare status: the canteen, coordinators and the elder themself only."""
    return getattr(user, "id", None) == elder.user_id or is_kitchen(user, community)


def can_see_account(user, elder, community):
    """Orders and monthly statements: the elder, linked family, grid worker, canteen and coordinators."""
    return getattr(user, "id", None) == elder.user_id or family_link(elder, user) is not None or \
        ordering_role(user, elder, community) is not None


def require_account_access(user, elder, community):
    if not can_see_account(user, elder, community):
        raise PermissionDenied("elder_meals.account")
