""""No answer" alerts: an elder not answering the door is a welfare concern. The coordinators and the elder's family
contacts are told at once (inbox, and a notice on their home screen until somebody says what happened)."""

import functools

from sqlalchemy import bindparam, func, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Membership
from timebank.communities.services import staff_of
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _, _l
from timebank.notifications.services import notify
from timebank.validation import clean_text

from .models import Alert, Elder, FamilyLink
from .services import can_manage, local_time

RESOLUTIONS = {
    "delivered_later": _l("Reached: the meal was handed over later"),
    "safe": _l("Reached and safe: no meal needed"),
    "other": _l("Something else (say what in the note)"),
}
RESOLUTION_MESSAGES = {
    "delivered_later": N_("%(who)s checked on %(name)s: reached, the meal was handed over later."),
    "safe": N_("%(who)s checked on %(name)s: reached and safe, no meal needed."),
    "other": N_("%(who)s checked on %(name)s: %(note)s"),
}


def _alert_contacts(elder):
    """Family members told of alerts (with an active membership in the elder's community)."""
    return [link.user for link in db.session.scalars(
        select(FamilyLink).join(Membership, (Membership.user_id == FamilyLink.user_id)
                                & (Membership.community_id == elder.community_id))
        .where(FamilyLink.elder_id == elder.id, FamilyLink.alert_contact.is_(True), Membership.status == "active"))]


def _address_of(elder):
    return elder.household.label if elder.household else elder.address


def raise_alert(community, delivery_round, order, volunteer):
    """Record the alert and tell coordinators and family contacts (in the caller's transaction)."""
    elder = order.elder
    alert = Alert(community_id=community.id, elder_id=elder.id, order_id=order.id,
                  round_id=getattr(delivery_round, "id", None), raised_by_id=volunteer.id, raised_at=now())
    db.session.add(alert)
    db.session.flush()
    recipients = {person.id: person for person in [*staff_of(community), *_alert_contacts(elder)]}
    recipients.pop(volunteer.id, None)
    for person in recipients.values():
        notify(person, "elder_meals.no_answer",
               N_("%(name)s did not answer the door when the meal was delivered at %(time)s (%(address)s). Please "
                  "check on them now."), community=community,
               link=f"/c/{community.slug}/p/elder-meals/alerts", name=elder.user.display_name,
               time=local_time(community, alert.raised_at), address=_address_of(elder))
    record_audit("elder_meals.no_answer", actor=volunteer, community=community, target=("elder_meals_alert", alert.id))
    return alert


def alert_in(community, alert_id):
    alert = db.session.scalar(select(Alert).where(Alert.id == alert_id, Alert.community_id == community.id))
    if alert is None:
        raise NotFound(alert_id)
    return alert


def _contact_elder_ids():
    """The elders whose alerts the person (``bindparam`` user_id) is a family contact for."""
    return select(FamilyLink.elder_id).join(Elder, Elder.id == FamilyLink.elder_id).where(
        Elder.community_id == bindparam("community_id"), FamilyLink.user_id == bindparam("user_id"),
        FamilyLink.alert_contact.is_(True))


def visible_alerts(user, community, open_only=True, limit=50):
    """Alerts ``user`` follows: every one for coordinators, their elders' for family contacts."""
    if not getattr(user, "is_authenticated", False):
        return []
    return db.session.scalars(_alerts_statement(open_only, can_manage(user, community), limit),
                              {"community_id": community.id, "user_id": user.id}).all()


def open_alert_count(user, community):
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(open_count_statement(can_manage(user, community)),
                             {"community_id": community.id, "user_id": user.id})


# Built once per variant (a built statement also keeps its cache key): the home page of every family contact and
# coordinator runs them.


def _followed(open_only, manager):
    query = select(Alert).where(Alert.community_id == bindparam("community_id"))
    if open_only:
        query = query.where(Alert.resolved_at.is_(None))
    if not manager:
        query = query.where(Alert.elder_id.in_(_contact_elder_ids()))
    return query


@functools.cache
def _alerts_statement(open_only, manager, limit):
    return _followed(open_only, manager).order_by(Alert.raised_at.desc()).limit(limit)


@functools.cache
def open_count_statement(manager):
    """The number of open alerts a manager (every one) or a family contact (their elders') follows; also a column
    of ``services.meal_roles_of``."""
    return _followed(True, manager).with_only_columns(func.count(Alert.id))


def can_resolve(user, alert, community):
    if can_manage(user, community):
        return True
    return db.session.scalar(select(FamilyLink.id).where(
        FamilyLink.elder_id == alert.elder_id, FamilyLink.user_id == getattr(user, "id", None),
        FamilyLink.alert_contact.is_(True))) is not None


def resolve_alert(community, actor, alert, resolution, note=""):
    """Say what happened. "Handed over later" counts the meal as served. The others who were alerted are told.
    Commits."""
    if not can_resolve(actor, alert, community):
        raise PermissionDenied("elder_meals.alerts")
    if alert.resolved_at is not None:
        raise ValidationFailed(_("Somebody has already checked on this."))
    if resolution not in RESOLUTIONS:
        raise ValidationFailed(_("Choose one of the options."), field="resolution")
    note = clean_text(note, "note", 200, required=resolution == "other",
                      missing=_("Say in a few words what happened."))
    alert.resolved_at, alert.resolved_by_id, alert.resolution, alert.resolution_note = now(), actor.id, resolution, note
    if resolution == "delivered_later":
        from .models import Order

        order = db.session.get(Order, alert.order_id)
        if order.status == "no_answer":
            order.status, order.outcome_at = "served", now()
    elder = alert.elder
    recipients = {person.id: person for person in [*staff_of(community), *_alert_contacts(elder)]}
    recipients.pop(actor.id, None)
    for person in recipients.values():
        notify(person, "elder_meals.alert_resolved", RESOLUTION_MESSAGES[resolution], community=community,
               link=f"/c/{community.slug}/p/elder-meals/alerts", who=actor.display_name,
               name=elder.user.display_name, note=note)
    record_audit("elder_meals.alert_resolved", actor=actor, community=community,
                 target=("elder_meals_alert", alert.id), detail={"resolution": resolution})
    commit()
    return alert
