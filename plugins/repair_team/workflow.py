"""The visit and after: on the way → in progress → done → signed off by the resident (hours to the ledger) →
follow-up rating (a poor one reopens the order) → closed. Each step checks who may take it and the status,
under a lock on the order, so that a double submission does nothing twice."""

import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.teams import teams_in
from timebank.errors import PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _, mask_name
from timebank.ledger.accounts import LedgerRejected
from timebank.ledger.records import record_service
from timebank.permissions import can
from timebank.stored_text import stored_reason
from timebank.validation import clean_text

from . import photos
from .materials import total_fen, yuan
from .models import NO_HOURS_REASON_LENGTH, RepairOrder
from .policy import repair_policy
from .services import (
    is_requester,
    lock_order,
    log_event,
    notify_coordinators,
    notify_requester,
    notify_volunteer,
    require_manage,
    require_status,
    undone_on_refusal,
)
from .vocabulary import (
    ASSIGNED,
    CATEGORY_LABELS,
    CLOSED,
    DONE,
    GAS_CHECK,
    IN_PROGRESS,
    ON_THE_WAY,
    REOPENED,
    SIGNED_OFF,
    SIGNOFF_BY_STAFF,
    SIGNOFF_ON_OWN_PHONE,
    SIGNOFF_ON_VOLUNTEER_PHONE,
)

CATEGORY = "repair_team.repair"
MAX_CODE_FAILURES = 5


def _require_volunteer(order, volunteer):
    if order.volunteer_id is None or order.volunteer_id != getattr(volunteer, "id", None):
        raise PermissionDenied("repair_team.job", _("Only the volunteer doing this job can do this."))


@undone_on_refusal
def set_on_the_way(order, community, volunteer):
    """The volunteer leaves for the home; the resident is told. Travel time is never counted. Commits."""
    lock_order(order)
    _require_volunteer(order, volunteer)
    require_status(order, ASSIGNED)
    order.status = ON_THE_WAY
    log_event(order, "on_the_way", volunteer)
    notify_requester(order, community, "on_the_way", N_("%(name)s is on the way for repair %(number)s."),
                     name=volunteer.display_name)
    commit()
    return order


@undone_on_refusal
def start_work(order, community, volunteer):
    """At the home: the time on the job starts now. Commits."""
    lock_order(order)
    _require_volunteer(order, volunteer)
    require_status(order, ASSIGNED, ON_THE_WAY)
    order.status, order.started_at = IN_PROGRESS, now()
    log_event(order, "started", volunteer)
    notify_requester(order, community, "started", N_("%(name)s has started work on repair %(number)s."),
                     name=volunteer.display_name)
    commit()
    return order


@undone_on_refusal
def finish_work(order, community, volunteer, work_note, referral_note="", photo_files=()):
    """The work is done: say what was done (for a gas check, what was found and whom it was referred to), with
    optional photos. The resident is asked to check and sign off. Commits."""
    lock_order(order)
    _require_volunteer(order, volunteer)
    require_status(order, IN_PROGRESS)
    work_note = clean_text(work_note, "work_note", 1000, required=True, missing=_("Say briefly what you did."))
    referral_note = clean_text(referral_note, "referral_note", 200, required=order.category == GAS_CHECK,
                               missing=_("Say what you found and whether the gas company must come."))
    policy = repair_policy(community)
    checked = photos.check_photos(photo_files, policy.max_photo_bytes, policy.max_photos, "photos")
    written = []
    try:
        photos.store_photos(order, checked, "work", volunteer, written)
        order.status, order.finished_at = DONE, now()
        order.work_note, order.referral_note = work_note, referral_note
        log_event(order, "finished", volunteer, work_note[:200])
        notify_requester(order, community, "done", N_("Repair %(number)s is done. Materials: ¥%(total)s. Please "
                                                      "check the work and sign off."), total=yuan(total_fen(order)))
        commit()
    except Exception:
        db.session.rollback()
        photos.remove_files(written)
        raise
    return order


# --- Sign-off and hours -----------------------------------------------------------------------------------------


def signoff_method(order, community, actor, subject, code):
    """How this person may sign off, or ``PermissionDenied`` / ``ValidationFailed`` (a wrong code is counted)."""
    if order.requester_id is not None and subject.id == order.requester_id:
        return SIGNOFF_ON_OWN_PHONE if subject.id == actor.id else SIGNOFF_BY_STAFF
    if actor.id == order.volunteer_id:
        if order.signoff_failures >= MAX_CODE_FAILURES:
            raise ValidationFailed(_("Too many wrong codes. The resident can sign off on their own phone, or the "
                                     "coordinator can help."), field="code")
        if not hmac.compare_digest((code or "").strip().encode(), order.signoff_code.encode()):
            order.signoff_failures += 1
            commit()  # the failed attempt counts even though nothing else is saved
            raise ValidationFailed(_("This is not the resident's sign-off code. Ask them to look at the order in "
                                     "their app, or at the paper the coordinator gave them."), field="code")
        return SIGNOFF_ON_VOLUNTEER_PHONE
    if can(actor, "repair_team.manage", community) or (order.requester_id is None and actor.id ==
                                                        order.created_by_id):
        return SIGNOFF_BY_STAFF  # after a phone call with a resident who has no account
    raise PermissionDenied("repair_team.signoff", _("Only the resident signs off a repair."))


@undone_on_refusal
def sign_off(order, community, actor, subject=None, code="", seen_total_fen=None):
    """The resident confirms the work and the materials total. The volunteer's time on the job becomes a pending
    service record (once: a second submission is refused, and the ledger accepts each visit once). Commits."""
    subject = subject or actor
    lock_order(order)
    if order.status == SIGNED_OFF or (order.status == CLOSED and order.signed_off_at is not None):
        raise ValidationFailed(_("This repair is already signed off. Thank you!"))
    require_status(order, DONE)
    method = signoff_method(order, community, actor, subject, code)
    if seen_total_fen is not None and int(seen_total_fen) != total_fen(order):
        raise ValidationFailed(_("The materials changed while the page was open: check the new total (¥%(total)s) "
                                 "and sign off again.", total=yuan(total_fen(order))), field="code")
    order.status, order.signed_off_at, order.signed_off_by_id = SIGNED_OFF, now(), actor.id
    order.signoff_method = method
    # On the volunteer's phone it is the resident who signs (with their code), whoever is logged in there.
    log_event(order, "signed_off", order.requester if method == SIGNOFF_ON_VOLUNTEER_PHONE and order.requester
              else actor)
    record_audit("repair_team.signed_off", actor=actor, community=community, target=("repair_order", order.id),
                 detail={"method": method, "materials_fen": total_fen(order)})
    _record_hours(order, community, actor)
    notify_volunteer(order, community, "signed_off", N_("Repair %(number)s was signed off. Your time on the job was "
                                                        "sent for confirmation. Thank you!"))
    notify_requester(order, community, "rate", N_("Thank you for signing off repair %(number)s. How was it? "
                                                  "Please rate it in the app."))
    commit()
    return order


def hours_source(order):
    """The ledger source of the current visit: the work order (and the visit, after a reopening)."""
    return f"repair_team:order-{order.id}" if order.visit == 1 else f"repair_team:order-{order.id}-visit-{order.visit}"


def _record_hours(order, community, actor):
    """Hand the time on the job (start to finish; travel excluded) to the ledger as a pending record. A refusal
    (overlap, no longer a volunteer...) is noted on the order for the coordinator; the sign-off stands."""
    # Records are official documents: written in the installation's default language (Chinese), whoever signs.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        activity = _("Home repair %(number)s: %(category)s", number=order.number,
                     category=CATEGORY_LABELS[order.category])
    team = next((team for team in teams_in(community) if team.kind == "repair"), None)
    try:
        with db.session.begin_nested():
            record = record_service(
                community, order.volunteer, category=CATEGORY, activity_name=activity[:120],
                started_at=order.started_at, ended_at=order.finished_at, place=order.household.label,
                content=order.work_note, recipient=mask_name(order.requester_label), team=team,
                source=hours_source(order), actor=actor)
        order.record_id, order.no_hours_reason = record.id, ""
    except (LedgerRejected, ValidationFailed) as error:
        order.record_id, order.no_hours_reason = None, stored_reason(error, NO_HOURS_REASON_LENGTH)


# --- Rating, reopening, closing ---------------------------------------------------------------------------------


def rating_open(order, policy, moment):
    return order.status == SIGNED_OFF and moment <= order.signed_off_at + timedelta(hours=policy.rating_window_hours)


@undone_on_refusal
def rate(order, community, actor, subject=None, rating=None, comment=""):
    """The resident (or a coordinator on the follow-up call) rates the repair within the window (policy, 48 h).
    A poor rating (policy, 2 stars or fewer) reopens the order for the coordinator. Commits."""
    subject = subject or actor
    lock_order(order)
    policy = repair_policy(community)
    if not (is_requester(order, subject) or can(actor, "repair_team.manage", community)):
        raise PermissionDenied("repair_team.rate", _("Only the resident rates a repair."))
    require_status(order, SIGNED_OFF)
    if not rating_open(order, policy, now()):
        raise ValidationFailed(_("The time for rating this repair has passed."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationFailed(_("Choose from one to five stars."), field="rating")
    comment = clean_text(comment, "comment", 500)
    if rating <= policy.poor_rating_at_most and not comment:
        raise ValidationFailed(_("Please say what is still wrong, so that the coordinator can help."),
                               field="comment")
    order.rating, order.rating_comment, order.rated_at = rating, comment, now()
    log_event(order, "rated", actor, f"{rating}★ {comment}".strip())
    notify_volunteer(order, community, "rated", N_("Repair %(number)s was rated %(stars)s of 5."), stars=rating)
    if rating <= policy.poor_rating_at_most:
        order.status = REOPENED
        log_event(order, "reopened", actor, comment)
        notify_coordinators(order, community, "reopened", N_("Repair %(number)s was rated %(stars)s of 5 and is "
                                                             "open again: %(comment)s"), stars=rating,
                            comment=comment)
        notify_requester(order, community, "reopened", N_("Sorry that repair %(number)s did not go well. The "
                                                          "coordinator will be in touch."))
    else:
        order.status, order.closed_at = CLOSED, now()
        log_event(order, "closed", actor)
    record_audit("repair_team.rated", actor=actor, community=community, target=("repair_order", order.id),
                 detail={"rating": rating})
    commit()
    return order


@undone_on_refusal
def close_reopened(order, community, actor, note):
    """The coordinator closes a reopened order without another visit (e.g. solved on the phone). Commits."""
    require_manage(actor, community)
    note = clean_text(note, "note", 200, required=True, missing=_("Say how the problem was settled."))
    lock_order(order)
    require_status(order, REOPENED)
    order.status, order.closed_at = CLOSED, now()
    log_event(order, "closed", actor, note)
    record_audit("repair_team.closed", actor=actor, community=community, target=("repair_order", order.id))
    notify_requester(order, community, "closed", N_("Repair %(number)s is closed: %(note)s"), note=note)
    commit()
    return order


def close_unrated(community, moment=None):
    """Close signed-off orders whose rating window has passed (run from cron; also safe to run any time).
    Returns how many were closed. Commits."""
    moment = moment or now()
    window = timedelta(hours=repair_policy(community).rating_window_hours)
    orders = db.session.scalars(select(RepairOrder).where(RepairOrder.community_id == community.id,
                                                          RepairOrder.status == SIGNED_OFF)).all()
    closed = 0
    for order in orders:
        if order.signed_off_at + window < moment:
            order.status, order.closed_at = CLOSED, moment
            log_event(order, "expired", None)
            closed += 1
    commit()
    return closed


def followups_due(community, moment=None):
    """Signed-off orders without a rating, past the follow-up time (policy, 24 h) and still within the window:
    the coordinators call the resident."""
    moment = moment or now()
    policy = repair_policy(community)
    orders = db.session.scalars(select(RepairOrder).where(RepairOrder.community_id == community.id,
                                                          RepairOrder.status == SIGNED_OFF)
                                .order_by(RepairOrder.signed_off_at)).all()
    due = timedelta(hours=policy.followup_after_hours)
    return [order for order in orders if order.signed_off_at + due <= moment and rating_open(order, policy, moment)]
