"""Joining a community and the office's decisions: self-registration and applications, approval and rejection,
roles, accounts a coordinator makes, passwords a coordinator sets, and volunteer numbers. Every function commits.

Reading memberships and members is ``timebank.communities.services``.
"""

from sqlalchemy import func, select

from .. import roles
from ..audit.services import record_audit
from ..clock import now
from ..errors import PermissionDenied, ValidationFailed
from ..events import after_commit, commit
from ..extensions import db
from ..i18n import N_, _
from ..identity.services import new_user, reset_password
from ..notifications.services import notify
from ..permissions import require
from .models import Community, Membership
from .services import (
    ACTIVE,
    PENDING,
    REJECTED,
    forget_kept_memberships,
    household_in,
    membership_of,
    staff_of,
)


def next_volunteer_number(community):
    """The next free volunteer number of the community: V00001, V00002..."""
    highest = db.session.scalar(
        select(func.max(Membership.volunteer_number)).where(
            Membership.community_id == community.id, Membership.volunteer_number.like("V%")
        )
    )
    number = int(highest[1:]) + 1 if highest and highest[1:].isdigit() else 1
    return f"V{number:05d}"


def _give_volunteer_number(membership):
    if membership.volunteer_number is None and roles.role_at_least(membership.role, roles.VOLUNTEER):
        # Lock the community row so that two coordinators approving at once cannot hand out the same number
        # (PostgreSQL; SQLite serialises writers anyway).
        db.session.execute(select(Community.id).where(Community.id == membership.community_id).with_for_update())
        membership.volunteer_number = next_volunteer_number(membership.community)


def register(community, username, display_name, password, phone="", wants_to_volunteer=False, address_note="",
             application_note="", household_id=None, locale=None, elder_mode=False):
    """Self-registration: a new account with a membership waiting for a coordinator's approval. Commits.

    ``locale`` and ``elder_mode`` carry over what the person chose in this browser before registering."""
    if not community.self_registration:
        raise PermissionDenied("registration", _("This community does not accept registrations online."))
    household = household_in(community, household_id)
    user = new_user(username=username, display_name=display_name, password=password, phone=phone, locale=locale)
    user.elder_mode = bool(elder_mode)
    membership = _apply(user, community, wants_to_volunteer, address_note, application_note, household)
    record_audit("membership.applied", actor=user, community=community, target=("membership", membership.id))
    _notify_coordinators_of_application(community, user)
    commit()
    return membership


def apply_to_join(user, community, wants_to_volunteer=False, address_note="", application_note="",
                  household_id=None):
    """An existing account asks to join another community. Commits."""
    if not community.self_registration:
        raise PermissionDenied("registration", _("This community does not accept registrations online."))
    existing = membership_of(user, community)
    if existing is not None and existing.status in (PENDING, ACTIVE):
        raise ValidationFailed(_("You have already applied to this community."))
    household = household_in(community, household_id)
    if existing is not None:  # rejected or left before: apply again on the same row
        existing.status, existing.wants_to_volunteer = PENDING, wants_to_volunteer
        existing.address_note, existing.application_note = (address_note or "")[:120], application_note or ""
        existing.household_id = getattr(household, "id", None)
        existing.created_at, existing.decided_at, existing.decided_by_id = now(), None, None
        membership = existing
    else:
        membership = _apply(user, community, wants_to_volunteer, address_note, application_note, household)
    record_audit("membership.applied", actor=user, community=community, target=("membership", membership.id))
    _notify_coordinators_of_application(community, user)
    commit()
    forget_kept_memberships()
    return membership


def _apply(user, community, wants_to_volunteer, address_note, application_note, household):
    membership = Membership(
        user=user, community=community, role=roles.RESIDENT, status=PENDING,
        wants_to_volunteer=bool(wants_to_volunteer), address_note=(address_note or "")[:120],
        application_note=application_note or "", household_id=getattr(household, "id", None), created_at=now(),
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def _notify_coordinators_of_application(community, applicant):
    for coordinator in staff_of(community):
        notify(coordinator, "membership.applied",
               N_("%(name)s asked to join %(community_name)s."), community=community,
               link=f"/c/{community.slug}/admin/registrations", name=applicant.display_name,
               community_name=community.name)


def pending_registrations(community):
    return db.session.scalars(
        select(Membership).where(Membership.community_id == community.id, Membership.status == PENDING)
        .order_by(Membership.created_at)
    ).all()


def count_pending_registrations(community):
    return db.session.scalar(
        select(func.count(Membership.id)).where(Membership.community_id == community.id, Membership.status == PENDING)
    )


def approve(membership, actor, role=None):
    """Approve a pending registration (as volunteer if they asked and no role is given). Commits."""
    require(actor, "members.approve", membership.community)
    if membership.status != PENDING:
        raise ValidationFailed(_("This registration has already been decided."))
    role = role or (roles.VOLUNTEER if membership.wants_to_volunteer else roles.RESIDENT)
    _check_role_change(actor, membership.community, role)
    membership.status, membership.role = ACTIVE, role
    membership.decided_at, membership.decided_by_id = now(), actor.id
    _give_volunteer_number(membership)
    record_audit("membership.approved", actor=actor, community=membership.community,
                 target=("membership", membership.id), detail={"role": role})
    notify(membership.user, "membership.approved", N_("Welcome! You are now a member of %(community_name)s."),
           community=membership.community, link=f"/c/{membership.community.slug}/",
           community_name=membership.community.name)
    _fire_member_joined(membership)
    commit()
    forget_kept_memberships()
    return membership


def reject(membership, actor, reason):
    """Turn down a pending registration with a reason the applicant can read. Commits."""
    require(actor, "members.approve", membership.community)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason; the applicant will see it."), field="reason")
    if membership.status != PENDING:
        raise ValidationFailed(_("This registration has already been decided."))
    membership.status, membership.decision_note = REJECTED, reason
    membership.decided_at, membership.decided_by_id = now(), actor.id
    record_audit("membership.rejected", actor=actor, community=membership.community,
                 target=("membership", membership.id))
    notify(membership.user, "membership.rejected",
           N_("Your registration in %(community_name)s was not approved: %(reason)s"), community=membership.community,
           community_name=membership.community.name, reason=reason)
    commit()
    return membership


def _check_role_change(actor, community, role):
    if role not in roles.ROLES:
        raise ValidationFailed(_("Unknown role."), field="role")
    if roles.role_at_least(role, roles.COORDINATOR):
        require(actor, "members.grant_staff", community)


def change_role(membership, actor, role):
    """Give an active member another role; coordinators and admins can only be named by a community admin."""
    require(actor, "members.manage", membership.community)
    if membership.status != ACTIVE:
        raise ValidationFailed(_("Only active members can change role."))
    _check_role_change(actor, membership.community, role)
    if roles.role_at_least(membership.role, roles.COORDINATOR):
        require(actor, "members.grant_staff", membership.community)
    if membership.role == roles.COMMUNITY_ADMIN and role != roles.COMMUNITY_ADMIN and db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.community_id == membership.community_id, Membership.status == ACTIVE,
                Membership.role == roles.COMMUNITY_ADMIN)) <= 1:
        raise ValidationFailed(_("A community needs at least one community admin: name another one first."),
                               field="role")
    old = membership.role
    membership.role = role
    _give_volunteer_number(membership)
    record_audit("membership.role_changed", actor=actor, community=membership.community,
                 target=("membership", membership.id), detail={"from": old, "to": role})
    commit()
    forget_kept_memberships()
    return membership


def create_member_account(community, actor, username, display_name, role=roles.RESIDENT, phone="", password=None,
                          household_id=None):
    """A coordinator creates an active member (e.g. an elder without a phone; ``password=None``: no own login)."""
    require(actor, "members.manage", community)
    _check_role_change(actor, community, role)
    household = household_in(community, household_id)
    user = new_user(username=username, display_name=display_name, password=password, phone=phone,
                    created_by=actor, allow_no_password=True)
    membership = Membership(user=user, community=community, role=role, status=ACTIVE, created_at=now(),
                            decided_at=now(), decided_by_id=actor.id, household_id=getattr(household, "id", None))
    db.session.add(membership)
    db.session.flush()
    _give_volunteer_number(membership)
    record_audit("membership.created", actor=actor, community=community, target=("membership", membership.id),
                 detail={"role": role, "own_login": password is not None})
    _fire_member_joined(membership)
    commit()
    return membership


def _fire_member_joined(membership):
    from ..hooks import dispatch_event

    user, community = membership.user, membership.community
    after_commit(lambda: dispatch_event("timebank_member_joined", community, user=user, membership=membership))


def set_member_password(membership, actor, new_password):
    """A coordinator sets a member's password (an elder's family takes over, a forgotten password). Staff
    accounts can only be reset by a community admin, and nobody resets their own password this way."""
    community = membership.community
    require(actor, "members.manage", community)
    if membership.user_id == actor.id:
        raise PermissionDenied("members.manage", _("Change your own password on your account page."))
    if roles.role_at_least(membership.role, roles.COORDINATOR) or membership.user.is_district_admin:
        require(actor, "members.grant_staff", community)
    reset_password(membership.user, new_password)
    record_audit("auth.password_set", actor=actor, community=community, target=("user", membership.user_id))
    commit()
