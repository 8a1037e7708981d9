"""Work orders: submitting a request, who may see it, the lists of each role, cancelling, and the helpers every
step of the workflow shares (locking, the status history, notifications). Queries are scoped to the community in
SQL. Dispatch is in ``dispatch.py``, the visit and sign-off in ``workflow.py``, materials in ``materials.py``."""

import functools
import re
import secrets
from datetime import date, timedelta
from functools import wraps

from sqlalchemy import bindparam, func, or_, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Community, Grid
from timebank.communities.services import find_member, household_in, staff_of
from timebank.database import lock_row
from timebank.errors import NotFound, PermissionDenied, TimebankError, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _
from timebank.notifications.services import notify
from timebank.permissions import can, require
from timebank.validation import clean_text

from . import photos
from .models import RepairEvent, RepairOrder
from .policy import repair_policy
from .roster import local_day, qualification_problem, roster_entry
from .vocabulary import (
    ACTIVE,
    ASSIGNED,
    CANCELLED,
    CATEGORIES,
    CATEGORY_LABELS,
    DAY_PARTS,
    DONE,
    EMERGENCY,
    ON_THE_WAY,
    REOPENED,
    STATUS_LABELS,
    SUBMITTED,
    URGENCIES,
    WITH_VOLUNTEER,
)

PREFERRED_DAYS_AHEAD = 14
PHONE_RE = re.compile(r"^[0-9+\- ]{5,20}$")


# --- Shared helpers ---------------------------------------------------------------------------------------------


def undone_on_refusal(function):
    """Roll the transaction back when a step is refused (a ``TimebankError``): nothing is half-written, and the
    lock taken on the order is released before the page with the error is drawn."""

    @wraps(function)
    def step(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except TimebankError:
            db.session.rollback()
            raise

    return step


def order_link(community, order):
    return f"/c/{community.slug}/p/repair-team/orders/{order.id}"


def log_event(order, action, actor, note=""):
    """Add a step to the order's status history (in the caller's transaction)."""
    db.session.add(RepairEvent(order_id=order.id, action=action, status=order.status,
                               actor_id=getattr(actor, "id", None), note=(note or "")[:300], created_at=now()))


def lock_order(order):
    """Serialise writers on one order (double submissions, two volunteers claiming at once) and re-read it."""
    lock_row(RepairOrder, order.id)
    db.session.refresh(order)
    return order


def require_status(order, *allowed):
    if order.status not in allowed:
        raise ValidationFailed(_("This order is now “%(status)s”: this step is not possible any more.",
                                 status=STATUS_LABELS[order.status]))


def notify_requester(order, community, kind, message, **params):
    """Tell the resident (when they have an account) what happened to their order."""
    if order.requester is not None:
        notify(order.requester, f"repair_team.{kind}", message, community=community,
               link=order_link(community, order), number=order.number, **params)


def notify_volunteer(order, community, kind, message, **params):
    if order.volunteer is not None:
        notify(order.volunteer, f"repair_team.{kind}", message, community=community,
               link=order_link(community, order), number=order.number, **params)


def notify_coordinators(order, community, kind, message, **params):
    for person in staff_of(community):
        notify(person, f"repair_team.{kind}", message, community=community, link=order_link(community, order),
               number=order.number, **params)


# --- Submitting a request ---------------------------------------------------------------------------------------


def is_grid_worker(user, community):
    """Grid workers (网格员) take requests for the residents of their grids, like coordinators do."""
    return db.session.scalar(select(Grid.id).where(Grid.community_id == community.id,
                                                   Grid.grid_worker_id == user.id).limit(1)) is not None


def _preferred_days(community, days):
    today = local_day(community)
    chosen = set()
    for text in days or []:
        try:
            day = date.fromisoformat(str(text))
        except ValueError:
            raise ValidationFailed(_("Choose one of the options."), field="preferred_days") from None
        if not today <= day < today + timedelta(days=PREFERRED_DAYS_AHEAD):
            raise ValidationFailed(_("Choose days in the next two weeks."), field="preferred_days")
        chosen.add(day)
    return ",".join(day.isoformat() for day in sorted(chosen))


def _preferred_parts(parts):
    parts = set(parts or [])
    if parts - set(DAY_PARTS):
        raise ValidationFailed(_("Choose one of the options."), field="preferred_parts")
    return ",".join(part for part in DAY_PARTS if part in parts)


def _phone(value, required=False):
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("Enter a phone number so that the volunteer can call before coming."),
                               field="contact_phone")
    if value and not PHONE_RE.match(value):
        raise ValidationFailed(_("Enter a phone number (digits only)."), field="contact_phone")
    return value


def _who_requests(community, actor, subject, for_member, requester_name, contact_phone):
    """``(requester user or None, name for a caller without an account, phone)``; checks who may ask for whom."""
    for_member = (for_member or "").strip()
    requester_name = (requester_name or "").strip()
    if not for_member and not requester_name:
        return subject, "", _phone(contact_phone)
    if not can(actor, "repair_team.request_for_others", community):
        raise PermissionDenied("repair_team.request_for_others",
                               _("Only coordinators and grid workers can ask for a repair on someone's behalf."))
    if for_member:
        try:
            member = find_member(community, for_member)
        except ValidationFailed as error:
            raise ValidationFailed(error.message, field="for_member") from None
        return member, "", _phone(contact_phone)
    name = clean_text(requester_name, "requester_name", 60)
    return None, name, _phone(contact_phone, required=True)


def _next_number(community):
    """``WX20261120-003``: the community's requests of that (local) day, counted; serialised on the community."""
    lock_row(Community, community.id)
    prefix = f"WX{local_day(community):%Y%m%d}-"
    taken = db.session.scalar(select(func.count(RepairOrder.id)).where(
        RepairOrder.community_id == community.id, RepairOrder.number.like(prefix + "%")))
    return f"{prefix}{taken + 1:03d}"


@undone_on_refusal
def submit_request(community, actor, subject=None, *, category, description, household_id, urgency="normal",
                   preferred_days=(), preferred_parts=(), contact_phone="", photo_files=(), for_member="",
                   requester_name=""):
    """A resident asks for a repair (``subject``: whom the request acts for, e.g. the elder a coordinator works
    for); coordinators and grid workers may name another member (``for_member``) or a caller without an account
    (``requester_name`` and a phone). Photos are checked before anything is written. Commits; returns the order."""
    subject = subject or actor
    if category not in CATEGORIES:
        raise ValidationFailed(_("Choose what needs repairing."), field="category")
    if urgency not in URGENCIES:
        raise ValidationFailed(_("Choose one of the options."), field="urgency")
    description = clean_text(description, "description", 1000, required=True,
                             missing=_("Say in a few words what is wrong."))
    requester, requester_name, phone = _who_requests(community, actor, subject, for_member, requester_name,
                                                     contact_phone)
    household = household_in(community, household_id)
    if household is None:
        raise ValidationFailed(_("Choose the home where the repair is needed."), field="household_id")
    days, parts = _preferred_days(community, preferred_days), _preferred_parts(preferred_parts)
    policy = repair_policy(community)
    checked = photos.check_photos(photo_files, policy.max_photo_bytes, policy.max_photos, "photos")
    order = RepairOrder(
        community_id=community.id, number=_next_number(community), category=category, urgency=urgency,
        description=description, household_id=household.id, requester_id=getattr(requester, "id", None),
        requester_name=requester_name, contact_phone=phone, created_by_id=actor.id, preferred_days=days,
        preferred_parts=parts, status=SUBMITTED, signoff_code=f"{secrets.randbelow(10**6):06d}", created_at=now())
    db.session.add(order)
    db.session.flush()
    written = []
    try:
        photos.store_photos(order, checked, "request", actor, written)
        log_event(order, "submitted", actor)
        record_audit("repair_team.submitted", actor=actor, community=community, target=("repair_order", order.id),
                     detail={"category": category, "urgency": urgency, "photos": len(checked)})
        _announce(order, community, actor)
        commit()
    except Exception:
        db.session.rollback()
        photos.remove_files(written)
        raise
    return order


def _announce(order, community, actor):
    category = CATEGORY_LABELS[order.category]
    if order.urgency == EMERGENCY:
        notify_coordinators(order, community, "emergency", N_("Emergency repair %(number)s: %(category)s at "
                                                               "%(address)s. Please send someone now."),
                            category=category, address=order.household.label)
        from .roster import qualified_volunteers

        for person in qualified_volunteers(community, order.category):
            notify(person, "repair_team.emergency", N_("Emergency repair %(number)s: %(category)s at %(address)s. "
                                                        "Can you go?"), community=community,
                   link=f"/c/{community.slug}/p/repair-team/jobs", number=order.number, category=category,
                   address=order.household.label)
    else:
        notify_coordinators(order, community, "submitted", N_("New repair request %(number)s: %(category)s."),
                            category=category)
    if order.requester is not None and order.requester_id != actor.id:
        notify_requester(order, community, "submitted", N_("A repair request %(number)s was made for you. You can "
                                                           "follow it in the app."))


# --- Finding orders and who may see them ------------------------------------------------------------------------


def can_view(order, user, community):
    """Staff, the resident, whoever entered it, and the volunteer doing the job."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.id in (order.requester_id, order.created_by_id, order.volunteer_id) or can(
        user, "repair_team.manage", community)


def order_in(community, order_id):
    """An order of ``community`` by id (another community's order is ``NotFound``); no visibility check."""
    order = db.session.scalar(select(RepairOrder).where(RepairOrder.id == order_id,
                                                        RepairOrder.community_id == community.id))
    if order is None:
        raise NotFound(order_id)
    return order


def visible_order(community, order_id, *people):
    """The order if any of ``people`` (the logged-in user, the person they act for) may see it, else
    ``NotFound``: other people's repairs do not exist for a resident."""
    order = order_in(community, order_id)
    if not any(can_view(order, person, community) for person in people):
        raise NotFound(order_id)
    return order


def is_requester(order, user):
    return user is not None and user.id in (order.requester_id, order.created_by_id)


def requests_of(community, user, limit=50, statuses=None):
    """The requests a resident made or that were made for them (in ``statuses`` when given), newest first."""
    statuses = tuple(statuses) if statuses is not None else None
    return db.session.scalars(_requests_statement(statuses, limit), {"community_id": community.id,
                                                                     "user_id": user.id}).all()


def requests_query(community, user, statuses=None):
    """The statement of ``requests_of``: through the indexes on the requester and on who entered the order."""
    return requests_select(community.id, user.id, statuses)


def requests_select(community_id, user_id, statuses):
    """``requests_query`` for ids or bound parameters (a statement built once)."""
    query = select(RepairOrder).where(
        RepairOrder.community_id == community_id,
        or_(RepairOrder.requester_id == user_id, RepairOrder.created_by_id == user_id))
    if statuses is not None:
        query = query.where(RepairOrder.status.in_(statuses))
    return query.order_by(RepairOrder.created_at.desc(), RepairOrder.id.desc())


@functools.cache
def _requests_statement(statuses, limit):
    """Built once per variant (a built statement also keeps its cache key): the home card runs one."""
    return requests_select(bindparam("community_id"), bindparam("user_id"), statuses).limit(limit)


def jobs_of(community, user):
    """Jobs a volunteer holds, by visit time."""
    return db.session.scalars(_jobs_statement(), {"community_id": community.id, "user_id": user.id}).all()


@functools.cache
def _jobs_statement():
    """Built once (a built statement also keeps its cache key): the home card and the jobs page run it."""
    return select(RepairOrder).where(
        RepairOrder.community_id == bindparam("community_id"), RepairOrder.volunteer_id == bindparam("user_id"),
        RepairOrder.status.in_(WITH_VOLUNTEER)).order_by(RepairOrder.scheduled_at, RepairOrder.id)


def open_job_count(community, user, before):
    """How many jobs ``user`` holds that are still to do and due before ``before`` (or have no visit time yet):
    one count, for the navigation badge on every page."""
    return db.session.scalar(select(func.count(RepairOrder.id)).where(
        RepairOrder.community_id == community.id, RepairOrder.volunteer_id == user.id,
        RepairOrder.status.in_([status for status in WITH_VOLUNTEER if status != DONE]),
        or_(RepairOrder.scheduled_at.is_(None), RepairOrder.scheduled_at < before))) or 0


def claimable_for(community, user, moment=None, urgency=None):
    """Submitted requests the volunteer is qualified for (of ``urgency`` only, when given), emergencies first, oldest
    first."""
    entry = roster_entry(community, user)
    if entry is None or not entry.taking_jobs or not repair_policy(community).volunteers_may_claim:
        return []
    categories = [skill.category for skill in entry.skills]
    query = select(RepairOrder).where(RepairOrder.community_id == community.id, RepairOrder.status == SUBMITTED,
                                      RepairOrder.category.in_(categories))
    orders = db.session.scalars(query if urgency is None else query.where(RepairOrder.urgency == urgency)).all()
    policy = repair_policy(community)
    today = local_day(community, moment)
    return sorted((order for order in orders if qualification_problem(
        entry, order.category, policy.licensed_categories, today) is None),
        key=lambda order: (order.urgency != EMERGENCY, order.created_at))


def history_of(order):
    return db.session.scalars(select(RepairEvent).where(RepairEvent.order_id == order.id)
                              .order_by(RepairEvent.created_at, RepairEvent.id)).all()


def photos_of(order, kind=None):
    from .models import RepairPhoto

    query = select(RepairPhoto).where(RepairPhoto.order_id == order.id, RepairPhoto.community_id == order.community_id)
    if kind:
        query = query.where(RepairPhoto.kind == kind)
    return db.session.scalars(query.order_by(RepairPhoto.id)).all()


def visible_photo(community, order_id, photo_id, *people):
    """A photo of an order that one of ``people`` may see, with its file path; otherwise ``NotFound``."""
    from .models import RepairPhoto

    order = visible_order(community, order_id, *people)
    photo = db.session.scalar(select(RepairPhoto).where(RepairPhoto.id == photo_id, RepairPhoto.order_id == order.id,
                                                        RepairPhoto.community_id == community.id))
    if photo is None or not photos.photo_path(photo).is_file():
        raise NotFound(photo_id)
    return photo, photos.photo_path(photo)


# --- Cancelling -------------------------------------------------------------------------------------------------


@undone_on_refusal
def cancel_order(order, community, actor, subject, reason):
    """Cancel with a reason: the resident before the work starts, a coordinator at any time before sign-off.
    The volunteer (and the resident, when staff cancel) are told. Commits."""
    reason = clean_text(reason, "reason", 200, required=True, missing=_("Say why the request is cancelled."))
    lock_order(order)
    staff = can(actor, "repair_team.manage", community)
    if not staff:
        if not (is_requester(order, actor) or is_requester(order, subject)):
            raise PermissionDenied("repair_team.cancel", _("Only the resident or a coordinator can cancel."))
        require_status(order, SUBMITTED, ASSIGNED, ON_THE_WAY, REOPENED)
    else:
        require_status(order, *ACTIVE)
    order.status, order.cancel_reason, order.closed_at = CANCELLED, reason, now()
    log_event(order, "cancelled", actor, reason)
    record_audit("repair_team.cancelled", actor=actor, community=community, target=("repair_order", order.id))
    notify_volunteer(order, community, "cancelled", N_("Repair %(number)s was cancelled: %(reason)s"), reason=reason)
    if staff and not is_requester(order, actor):
        notify_requester(order, community, "cancelled", N_("Your repair request %(number)s was cancelled: "
                                                           "%(reason)s"), reason=reason)
    commit()
    return order


def require_manage(actor, community):
    require(actor, "repair_team.manage", community)
