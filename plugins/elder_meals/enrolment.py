"""Enrolment of elders: by a coordinator, or asked for by the elder or a family member and approved by a
coordinator; the welfare status history; family members who may order and are told of "no answer" alerts; and the
separate consent that sensitive data (diet and health notes, welfare status) needs.

Nothing sensitive goes to the audit log or any other log: audit details name only what kind of change happened.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.services import active_membership, household_in, staff_of
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _, _l
from timebank.notifications.services import notify
from timebank.permissions import require
from timebank.validation import clean_text

from .models import Elder, FamilyLink, Order, StatusChange
from .policy import WELFARE_STATUSES, age_on
from .pricing import reprice_orders, status_on
from .services import MANAGE, can_manage, local_today

RELATIONS = {
    "child": _l("Son or daughter"), "spouse": _l("Husband or wife"), "grandchild": _l("Grandchild"),
    "relative": _l("Other relative"), "carer": _l("Carer or neighbour"),
}
MIN_AGE, MAX_AGE = 40, 120


@dataclass
class Details:
    """What an enrolment form says about the elder."""

    birth_date: date | None
    welfare_status: str = "none"
    diet_notes: str = ""
    consent: bool = False
    consent_note: str = ""
    household_id: int | None = None
    address: str = ""
    needs_delivery: bool = False
    delivery_note: str = ""


def _check(community, details):
    today = local_today(community)
    if details.birth_date is None:
        raise ValidationFailed(_("Enter the date of birth."), field="birth_date")
    if not MIN_AGE <= age_on(details.birth_date, today) <= MAX_AGE:
        raise ValidationFailed(_("Check the date of birth: the meal service is for elders."), field="birth_date")
    if details.welfare_status not in WELFARE_STATUSES:
        raise ValidationFailed(_("Choose one of the options."), field="welfare_status")
    notes = clean_text(details.diet_notes, "diet_notes", 1000)
    if (notes or details.welfare_status != "none") and not details.consent:
        raise ValidationFailed(_("Diet and health notes and a welfare status are recorded only with the elder's "
                                 "separate consent: tick the box, or leave them empty."), field="consent")
    household = household_in(community, details.household_id or None)
    return {
        "diet_notes": notes, "household_id": getattr(household, "id", None),
        "address": clean_text(details.address, "address", 120),
        "delivery_note": clean_text(details.delivery_note, "delivery_note", 200),
        "consent_note": clean_text(details.consent_note, "consent_note", 200),
    }


def _write(elder, details, cleaned, actor):
    elder.birth_date, elder.diet_notes = details.birth_date, cleaned["diet_notes"]
    elder.household_id, elder.address = cleaned["household_id"], cleaned["address"]
    elder.needs_delivery, elder.delivery_note = bool(details.needs_delivery), cleaned["delivery_note"]
    if details.consent and elder.consent_at is None:
        elder.consent_at, elder.consent_by_id = now(), actor.id
    if details.consent:
        elder.consent_note = cleaned["consent_note"] or elder.consent_note


def _require_member(community, user):
    if user is None or active_membership(user, community) is None:
        raise ValidationFailed(_("Choose an active member of this community."), field="member")


def _reusable_row(community, user):
    """The elder's earlier enrolment if it was rejected or ended; ``ValidationFailed`` if one is live."""
    existing = db.session.scalar(select(Elder).where(Elder.community_id == community.id, Elder.user_id == user.id))
    if existing is not None and existing.status in ("pending", "active"):
        if existing.status == "active":
            raise ValidationFailed(_("%(name)s is already enrolled.", name=user.display_name), field="member")
        raise ValidationFailed(_("An application for %(name)s is already waiting for a coordinator.",
                                 name=user.display_name), field="member")
    return existing


def _start_status(elder, status, actor, day):
    elder.welfare_status = status
    db.session.add(StatusChange(elder_id=elder.id, status=status, valid_from=day, recorded_by_id=actor.id,
                                recorded_at=now()))


def enrol(community, actor, user, details):
    """A coordinator enrols an elder directly (active at once). Commits."""
    require(actor, MANAGE, community)
    _require_member(community, user)
    cleaned = _check(community, details)
    elder = _reusable_row(community, user) or Elder(community_id=community.id, user_id=user.id, created_at=now())
    db.session.add(elder)
    elder.status, elder.applicant_relation, elder.applied_by_id = "active", "coordinator", actor.id
    elder.decided_by_id, elder.decided_at, elder.decision_note = actor.id, now(), ""
    _write(elder, details, cleaned, actor)
    db.session.flush()
    _start_status(elder, details.welfare_status, actor, local_today(community))
    record_audit("elder_meals.enrolled", actor=actor, community=community, target=("elder_meals_elder", elder.id))
    commit()
    return elder


def apply(community, applicant, elder_user, relation, details):
    """The elder (``relation="self"``) or a family member asks for the meal service; a coordinator decides.
    Commits."""
    _require_member(community, applicant)
    _require_member(community, elder_user)
    if relation == "self" and applicant.id != elder_user.id:
        raise ValidationFailed(_("Choose how you are related to the elder."), field="relation")
    if relation != "self" and (relation not in RELATIONS or applicant.id == elder_user.id):
        raise ValidationFailed(_("Choose how you are related to the elder."), field="relation")
    cleaned = _check(community, details)
    elder = _reusable_row(community, elder_user) or Elder(community_id=community.id, user_id=elder_user.id,
                                                          created_at=now())
    db.session.add(elder)
    elder.status, elder.applicant_relation, elder.applied_by_id = "pending", relation, applicant.id
    elder.decided_by_id, elder.decided_at, elder.decision_note = None, None, ""
    _write(elder, details, cleaned, applicant)
    elder.welfare_status = details.welfare_status  # the history starts when a coordinator approves
    db.session.flush()
    record_audit("elder_meals.applied", actor=applicant, community=community,
                 target=("elder_meals_elder", elder.id), detail={"relation": relation})
    for coordinator in staff_of(community):
        notify(coordinator, "elder_meals.applied", N_("%(name)s asked to join the meal service."),
               community=community, link=f"/c/{community.slug}/p/elder-meals/elders/{elder.id}",
               name=elder_user.display_name)
    commit()
    return elder


def decide(community, actor, elder, approve, note=""):
    """Approve or turn down an application (a reason is required to turn it down). Commits."""
    require(actor, MANAGE, community)
    if elder.status != "pending":
        raise ValidationFailed(_("This application has already been decided."))
    note = clean_text(note, "note", 500, required=not approve,
                      missing=_("Give a reason; the applicant will see it."))
    elder.decided_by_id, elder.decided_at, elder.decision_note = actor.id, now(), note
    name = elder.user.display_name
    if approve:
        elder.status = "active"
        _start_status(elder, elder.welfare_status, actor, local_today(community))
        if elder.applied_by_id and elder.applicant_relation in RELATIONS and family_link_of(elder, elder.applied_by_id) \
                is None:
            db.session.add(FamilyLink(elder_id=elder.id, user_id=elder.applied_by_id,
                                      relation=elder.applicant_relation, can_order=True, alert_contact=True,
                                      added_by_id=actor.id, created_at=now()))
        message = N_("The meal service application for %(name)s was approved: meals can be ordered now.")
    else:
        elder.status = "rejected"
        message = N_("The meal service application for %(name)s was not approved: %(reason)s")
    record_audit("elder_meals.approved" if approve else "elder_meals.rejected", actor=actor, community=community,
                 target=("elder_meals_elder", elder.id))
    for person in {elder.applied_by, elder.user} - {None}:
        notify(person, "elder_meals.decided", message, community=community,
               link=f"/c/{community.slug}/p/elder-meals/", name=name, reason=note)
    commit()
    return elder


def update(community, actor, elder, details):
    """A coordinator corrects the enrolment; a new birth date re-prices the coming orders. Commits."""
    require(actor, MANAGE, community)
    if details.welfare_status != status_on(elder, local_today(community)):
        raise ValidationFailed(_("Change the welfare status with its own form: it needs the date it applies "
                                 "from."), field="welfare_status")
    cleaned = _check(community, details)
    birthday_changed = details.birth_date != elder.birth_date
    _write(elder, details, cleaned, actor)
    if birthday_changed:
        reprice_orders(community, elder, local_today(community))
    record_audit("elder_meals.updated", actor=actor, community=community, target=("elder_meals_elder", elder.id),
                 detail={"birth_date_changed": birthday_changed})
    commit()
    return elder


def change_status(community, actor, elder, status, valid_from):
    """Record a new welfare status from ``valid_from`` (up to a year back or ahead); the orders of the elder
    from that day on are re-priced. Commits. Returns how many orders changed."""
    require(actor, MANAGE, community)
    today = local_today(community)
    if status not in WELFARE_STATUSES:
        raise ValidationFailed(_("Choose one of the options."), field="status")
    if valid_from is None or abs((valid_from - today).days) > 366:
        raise ValidationFailed(_("Give a date within a year of today."), field="valid_from")
    if status != "none" and elder.consent_at is None:
        raise ValidationFailed(_("A welfare status is recorded only with the elder's separate consent. Record "
                                 "the consent on the enrolment first."), field="status")
    db.session.add(StatusChange(elder_id=elder.id, status=status, valid_from=valid_from, recorded_by_id=actor.id,
                                recorded_at=now()))
    db.session.flush()
    elder.welfare_status = status_on(elder, today)
    changed = reprice_orders(community, elder, valid_from)
    record_audit("elder_meals.status_changed", actor=actor, community=community,
                 target=("elder_meals_elder", elder.id), detail={"from": valid_from.isoformat(), "orders": changed})
    commit()
    return changed


def withdraw_consent(community, actor, elder):
    """The elder withdraws consent: diet notes are erased and no welfare status applies from today (the history
    stays, as the basis of subsidies already claimed). Commits."""
    if actor.id != elder.user_id and not can_manage(actor, community):
        raise PermissionDenied(MANAGE)
    today = local_today(community)
    elder.diet_notes, elder.consent_at, elder.consent_by_id, elder.consent_note = "", None, None, ""
    if status_on(elder, today) != "none":
        db.session.add(StatusChange(elder_id=elder.id, status="none", valid_from=today, recorded_by_id=actor.id,
                                    recorded_at=now()))
        db.session.flush()
        elder.welfare_status = "none"
        reprice_orders(community, elder, today)
    record_audit("elder_meals.consent_withdrawn", actor=actor, community=community,
                 target=("elder_meals_elder", elder.id))
    commit()


def end_enrolment(community, actor, elder, note=""):
    """End the service (moved away, in care, passed away); coming orders are cancelled. Commits."""
    require(actor, MANAGE, community)
    if elder.status != "active":
        raise ValidationFailed(_("Only an active enrolment can be ended."))
    elder.status, elder.decision_note = "ended", clean_text(note, "note", 500)
    today = local_today(community)
    for order in db.session.scalars(select(Order).where(Order.elder_id == elder.id, Order.meal_date > today,
                                                        Order.status == "placed")):
        order.status, order.cancelled_at, order.cancelled_by_id, order.round_id = "cancelled", now(), actor.id, None
    record_audit("elder_meals.ended", actor=actor, community=community, target=("elder_meals_elder", elder.id))
    commit()


# --- Family -----------------------------------------------------------------------------------------------------


def family_link_of(elder, user_id):
    return db.session.scalar(select(FamilyLink).where(FamilyLink.elder_id == elder.id, FamilyLink.user_id == user_id))


def family_of(elder):
    return db.session.scalars(select(FamilyLink).where(FamilyLink.elder_id == elder.id).order_by(FamilyLink.id)).all()


def add_family(community, actor, elder, user, relation, can_order=True, alert_contact=True):
    """Link a member to an elder (may order; is told when the elder does not answer the door). Commits."""
    require(actor, MANAGE, community)
    _require_member(community, user)
    if user.id == elder.user_id:
        raise ValidationFailed(_("The elder cannot be their own family contact."), field="member")
    if relation not in RELATIONS:
        raise ValidationFailed(_("Choose one of the options."), field="relation")
    if family_link_of(elder, user.id) is not None:
        raise ValidationFailed(_("%(name)s is already linked to this elder.", name=user.display_name), field="member")
    link = FamilyLink(elder_id=elder.id, user_id=user.id, relation=relation, can_order=bool(can_order),
                      alert_contact=bool(alert_contact), added_by_id=actor.id, created_at=now())
    db.session.add(link)
    db.session.flush()
    record_audit("elder_meals.family_added", actor=actor, community=community,
                 target=("elder_meals_elder", elder.id), detail={"user_id": user.id, "relation": relation})
    commit()
    return link


def remove_family(community, actor, elder, link_id):
    require(actor, MANAGE, community)
    link = db.session.scalar(select(FamilyLink).where(FamilyLink.id == link_id, FamilyLink.elder_id == elder.id))
    if link is None:
        raise NotFound(link_id)
    record_audit("elder_meals.family_removed", actor=actor, community=community,
                 target=("elder_meals_elder", elder.id), detail={"user_id": link.user_id})
    db.session.delete(link)
    commit()


# --- Lists ------------------------------------------------------------------------------------------------------


def elders_in(community, status=None):
    query = select(Elder).where(Elder.community_id == community.id)
    if status:
        query = query.where(Elder.status == status)
    return db.session.scalars(query.order_by(Elder.status, Elder.id)).all()


def pending_count(community):
    from sqlalchemy import func

    return db.session.scalar(select(func.count(Elder.id)).where(Elder.community_id == community.id,
                                                                Elder.status == "pending"))


def new_tiers_soon(community, policy, elders, days=14):
    """``{elder id: (day, age)}`` for elders who reach an age bracket of the policy within ``days``: their
    subsidy changes on that day (shown to coordinators so nobody is surprised)."""
    today = local_today(community)
    starts = {age for age, _fen in policy.age_subsidies}
    found = {}
    for elder in elders:
        age = age_on(elder.birth_date, today)
        if age + 1 not in starts:
            continue
        for offset in range(1, days + 1):
            day = today + timedelta(days=offset)
            if age_on(elder.birth_date, day) == age + 1:
                found[elder.id] = (day, age + 1)
                break
    return found
