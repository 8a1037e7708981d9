"""Delivery rounds: the day's delivery orders grouped by grid (or building) into rounds that volunteers sign up for
(nobody is assigned). On the day the volunteer starts the round, then marks each stop in order "delivered" or
"no answer"; when the last stop is marked the round's time becomes a pending service record in the ledger
(category ``elder_meals.delivery``, source ``elder_meals:round-<id>``: credited once, whatever happens)."""

import functools
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import lazyload

from timebank import roles
from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Building, Grid, Household
from timebank.communities.services import active_membership, staff_of
from timebank.database import lock_row
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _, _l
from timebank.ledger.accounts import LedgerRejected
from timebank.ledger.records import record_service
from timebank.notifications.services import notify
from timebank.stored_text import stored_reason

from .alerts import raise_alert
from .models import NO_HOURS_REASON_LENGTH, Order, Round
from .policy import SLOT_LABELS, meal_policy
from .services import is_kitchen, local_today, require_kitchen, zone

CATEGORY = "elder_meals.delivery"


def round_in(community, round_id):
    found = db.session.scalar(select(Round).where(Round.id == round_id, Round.community_id == community.id))
    if found is None:
        raise NotFound(round_id)
    return found


def rounds_between(community, first, last, include_cancelled=False):
    query = select(Round).where(Round.community_id == community.id, Round.meal_date >= first,
                                Round.meal_date <= last)
    if not include_cancelled:
        query = query.where(Round.status != "cancelled")
    return db.session.scalars(query.order_by(Round.meal_date, Round.slot.desc(), Round.starts_at, Round.id)).all()


def stops_of(delivery_round):
    return db.session.scalars(select(Order).where(Order.round_id == delivery_round.id)
                              .order_by(Order.stop_number, Order.id)).all()


def stop_counts(round_ids):
    """``{round_id: (stops, marked)}`` in one query."""
    if not round_ids:
        return {}
    marked = func.sum(case((Order.status != "placed", 1), else_=0))
    rows = db.session.execute(select(Order.round_id, func.count(Order.id), marked)
                              .where(Order.round_id.in_(list(round_ids))).group_by(Order.round_id)).all()
    counts = {round_id: (0, 0) for round_id in round_ids}
    for round_id, stops, done in rows:
        counts[round_id] = (int(stops), int(done or 0))
    return counts


def round_title(delivery_round, lazy=False):
    """The round's name (its grid's or building's), or "Other addresses": translated now, or ``lazy`` for a
    notification (translated when it is read)."""
    return delivery_round.name or (_l("Other addresses") if lazy else _("Other addresses"))


# --- Planning ---------------------------------------------------------------------------------------------------


def _group_of(order, policy):
    """``(key, name, sort key)`` of the round an order belongs to."""
    household = db.session.get(Household, order.elder.household_id) if order.elder.household_id else None
    if household is None:
        return "other", "", (1, 0, "")
    building = db.session.get(Building, household.building_id)
    if policy.round_group == "grid" and building.grid_id:
        grid = db.session.get(Grid, building.grid_id)
        return f"grid:{grid.id}", grid.name, (0, len(grid.name), grid.name)
    return f"building:{building.id}", building.name, (0, len(building.name), building.name)


def _stop_key(order):
    household = order.elder.household
    if household is None:
        return (1, "", "", order.elder.address, order.elder.user.display_name)
    stairwell = household.stairwell.name if household.stairwell else ""
    return (0, f"{len(household.building.name):03d}{household.building.name}", stairwell, household.room,
            order.elder.user.display_name)


def _renumber(delivery_round):
    for number, order in enumerate(sorted(stops_of(delivery_round), key=_stop_key), start=1):
        order.stop_number = number


def plan_rounds(community, actor, day, slot, start_time):
    """Put the delivery orders of a day and slot that are in no round yet into rounds, one per grid (or building),
    stops in walking order; rounds that already have a volunteer keep them. Commits. Returns (rounds, stops)."""
    require_kitchen(actor, community)
    policy = meal_policy(community)
    if slot not in policy.slots():
        raise ValidationFailed(_("The canteen does not serve this meal."), field="slot")
    if day is None or day < local_today(community):
        raise ValidationFailed(_("Rounds can be planned for today and later days only."), field="meal_date")
    if start_time is None:
        raise ValidationFailed(_("Enter the time the round leaves the canteen."), field="start_time")
    orders = db.session.scalars(select(Order).where(
        Order.community_id == community.id, Order.meal_date == day, Order.slot == slot, Order.mode == "delivery",
        Order.status == "placed", Order.round_id.is_(None))).all()
    if not orders:
        raise ValidationFailed(_("No delivery order is waiting for a round on this day."))
    existing = {item.group_key: item for item in rounds_between(community, day, day) if item.slot == slot
                and item.status == "open"}
    touched, created = {}, 0
    for order in sorted(orders, key=lambda item: _group_of(item, policy)[2]):
        key, name, _sort = _group_of(order, policy)
        target = existing.get(key)
        if target is None:
            target = Round(community_id=community.id, meal_date=day, slot=slot, name=name, group_key=key,
                           starts_at=datetime.combine(day, start_time, zone(community)), created_by_id=actor.id,
                           created_at=now())
            db.session.add(target)
            db.session.flush()
            existing[key] = target
            created += 1
        order.round_id = target.id
        touched[target.id] = target
    db.session.flush()
    for target in touched.values():
        _renumber(target)
    record_audit("elder_meals.rounds_planned", actor=actor, community=community,
                 detail={"day": day.isoformat(), "slot": slot, "rounds": created, "stops": len(orders)})
    commit()
    return created, len(orders)


def drop_stop(community, order):
    """Take an order out of its (not yet started) round; an emptied round is cancelled and its volunteer told.
    In the caller's transaction."""
    delivery_round = order.round
    order.round_id = order.stop_number = None
    db.session.flush()
    if not stops_of(delivery_round):
        delivery_round.status = "cancelled"
        if delivery_round.volunteer is not None:
            notify(delivery_round.volunteer, "elder_meals.round_cancelled",
                   N_("The meal delivery round %(round)s on %(day)s is no longer needed: every order was "
                      "cancelled. Thank you!"), community=community, link=f"/c/{community.slug}/p/elder-meals/rounds",
                   round=round_title(delivery_round, lazy=True), day=delivery_round.meal_date)
    else:
        _renumber(delivery_round)


# --- The volunteer ----------------------------------------------------------------------------------------------


def _require_volunteer(user, community):
    membership = active_membership(user, community)
    if membership is None or not roles.role_at_least(membership.role, roles.VOLUNTEER):
        raise PermissionDenied("elder_meals.deliver", _("Only registered volunteers deliver meals."))


def sign_up(community, user, delivery_round):
    """A volunteer takes a round (one volunteer per round; never assigned by anyone else). Commits."""
    _require_volunteer(user, community)
    lock_row(Round, delivery_round.id)
    db.session.refresh(delivery_round)
    if delivery_round.status != "open" or delivery_round.meal_date < local_today(community):
        raise ValidationFailed(_("This round is not open for sign-up."))
    if delivery_round.volunteer_id == user.id:
        raise ValidationFailed(_("You have already taken this round."))
    if delivery_round.volunteer_id is not None:
        raise ValidationFailed(_("Someone else has just taken this round. Thank you all the same!"))
    clash = db.session.scalar(select(Round).where(
        Round.community_id == community.id, Round.volunteer_id == user.id, Round.meal_date == delivery_round.meal_date,
        Round.slot == delivery_round.slot, Round.status.in_(("open", "started"))).limit(1))
    if clash is not None:
        raise ValidationFailed(_("You already deliver the round %(round)s at that time.", round=round_title(clash)))
    delivery_round.volunteer_id, delivery_round.signed_up_at = user.id, now()
    record_audit("elder_meals.round_taken", actor=user, community=community, target=("elder_meals_round",
                                                                                     delivery_round.id))
    commit()
    return delivery_round


def give_back(community, user, delivery_round):
    """The volunteer gives the round back before starting it; coordinators are told. Commits."""
    lock_row(Round, delivery_round.id)
    db.session.refresh(delivery_round)
    if delivery_round.volunteer_id != user.id:
        raise ValidationFailed(_("You have not taken this round."))
    if delivery_round.status != "open":
        raise ValidationFailed(_("The round has started; please tell the coordinator instead."))
    delivery_round.volunteer_id, delivery_round.signed_up_at = None, None
    for coordinator in staff_of(community):
        notify(coordinator, "elder_meals.round_free", N_("%(name)s gave back the meal delivery round %(round)s on "
                                                         "%(day)s: it needs a volunteer."), community=community,
               link=f"/c/{community.slug}/p/elder-meals/rounds/{delivery_round.id}", name=user.display_name,
               round=round_title(delivery_round, lazy=True), day=delivery_round.meal_date)
    record_audit("elder_meals.round_given_back", actor=user, community=community,
                 target=("elder_meals_round", delivery_round.id))
    commit()


def start_round(community, user, delivery_round):
    """The volunteer leaves the canteen with the meals: the service time starts now. Commits."""
    lock_row(Round, delivery_round.id)
    db.session.refresh(delivery_round)
    if delivery_round.volunteer_id != user.id:
        raise PermissionDenied("elder_meals.deliver", _("Only the volunteer who took this round can start it."))
    if delivery_round.status != "open":
        raise ValidationFailed(_("This round has already started."))
    if delivery_round.meal_date != local_today(community):
        raise ValidationFailed(_("A round can be started on its own day only."))
    if not stops_of(delivery_round):
        raise ValidationFailed(_("This round has no stops."))
    delivery_round.status, delivery_round.started_at = "started", now()
    record_audit("elder_meals.round_started", actor=user, community=community,
                 target=("elder_meals_round", delivery_round.id))
    commit()
    return delivery_round


def mark_stop(community, user, delivery_round, order, outcome):
    """Mark one stop "delivered" or "no answer" (which alerts the coordinators and the family at once). The last
    stop finishes the round and sends its time to the ledger. Commits. Returns the round."""
    if outcome not in ("delivered", "no_answer"):
        raise ValidationFailed(_("Choose one of the options."))
    if delivery_round.volunteer_id != user.id and not is_kitchen(user, community):
        raise PermissionDenied("elder_meals.deliver", _("Only the volunteer who took this round can mark its stops."))
    lock_row(Round, delivery_round.id)  # a double tap or two phones: the second one sees the first one's result
    db.session.refresh(delivery_round)
    db.session.refresh(order)
    if order.round_id != delivery_round.id:
        raise NotFound(order.id)
    if delivery_round.status != "started":
        raise ValidationFailed(_("Start the round first.") if delivery_round.status == "open"
                               else _("This round is finished."))
    if order.status != "placed":
        raise ValidationFailed(_("This stop is already marked."))
    order.status, order.outcome_at, order.updated_at = ("served" if outcome == "delivered" else "no_answer",
                                                        now(), now())
    record_audit("elder_meals.stop_" + outcome, actor=user, community=community,
                 target=("elder_meals_order", order.id))
    if outcome == "no_answer":
        raise_alert(community, delivery_round, order, user)
    db.session.flush()
    if all(stop.status != "placed" for stop in stops_of(delivery_round)):
        _finish(community, delivery_round, user)
    commit()
    return delivery_round


def _finish(community, delivery_round, actor):
    delivery_round.status, delivery_round.finished_at = "finished", now()
    record_audit("elder_meals.round_finished", actor=actor, community=community,
                 target=("elder_meals_round", delivery_round.id))
    _record_hours(community, delivery_round, actor)


def _record_hours(community, delivery_round, actor):
    """Hand the round's time to the ledger as a pending record; a refusal is kept on the round to retry later."""
    policy = meal_policy(community)
    duration = int((delivery_round.finished_at - delivery_round.started_at).total_seconds() // 60)
    stops = stops_of(delivery_round)
    delivered = sum(1 for stop in stops if stop.status == "served")
    with force_locale("zh_CN"):  # the service record is an official document, kept in Chinese
        activity = _("Meal delivery to elders: %(round)s, %(slot)s", round=round_title(delivery_round),
                     slot=SLOT_LABELS[delivery_round.slot])
        content = _("Delivered %(delivered)d of %(stops)d meals to elders' homes.", delivered=delivered,
                    stops=len(stops))
    try:
        with db.session.begin_nested():
            record = record_service(
                community, delivery_round.volunteer, category=CATEGORY, activity_name=activity,
                started_at=delivery_round.started_at, ended_at=delivery_round.finished_at,
                minutes=policy.round_max_minutes if duration > policy.round_max_minutes else None,
                place=policy.canteen_name, content=content, source=f"elder_meals:round-{delivery_round.id}",
                actor=actor)
        delivery_round.record_id, delivery_round.no_hours_reason = record.id, ""
    except (LedgerRejected, ValidationFailed) as error:
        delivery_round.no_hours_reason = stored_reason(error, NO_HOURS_REASON_LENGTH)


def retry_hours(community, actor, delivery_round):
    """After fixing the cause, send a finished round's time to the ledger again. Commits."""
    require_kitchen(actor, community)
    lock_row(Round, delivery_round.id)
    db.session.refresh(delivery_round)
    if delivery_round.status != "finished" or delivery_round.record_id is not None:
        raise ValidationFailed(_("This round's time is already recorded, or the round is not finished."))
    _record_hours(community, delivery_round, actor)
    commit()
    return delivery_round


# --- Lists for pages and tasks ----------------------------------------------------------------------------------


def my_rounds(community, user, first, last):
    return db.session.scalars(select(Round).where(
        Round.community_id == community.id, Round.volunteer_id == user.id, Round.meal_date >= first,
        Round.meal_date <= last, Round.status != "cancelled").order_by(Round.meal_date, Round.starts_at)).all()


def rounds_needing_volunteers(community, first, last):
    return db.session.scalars(select(Round).where(
        Round.community_id == community.id, Round.volunteer_id.is_(None), Round.status == "open",
        Round.meal_date >= first, Round.meal_date <= last).order_by(Round.meal_date, Round.starts_at)).all()


def volunteer_rounds(community, user, first, last):
    """``(mine, needing)``: ``my_rounds`` and ``rounds_needing_volunteers`` of the same days in one statement (the
    home card and the Tasks number of every volunteer ask for both)."""
    found = db.session.scalars(_volunteer_rounds_statement(), {
        "community_id": community.id, "user_id": user.id, "first": first, "last": last}).all()
    return ([found_round for found_round in found if found_round.volunteer_id == user.id],
            [found_round for found_round in found if found_round.volunteer_id is None])


@functools.cache
def _volunteer_rounds_statement():
    """Built once (a built statement also keeps its cache key): the home card and the Tasks number run it."""
    return select(Round).where(
        Round.community_id == bindparam("community_id"), Round.meal_date >= bindparam("first"),
        Round.meal_date <= bindparam("last"),
        or_(and_(Round.volunteer_id == bindparam("user_id"), Round.status != "cancelled"),
            and_(Round.volunteer_id.is_(None), Round.status == "open"))).order_by(
        Round.meal_date, Round.starts_at).options(lazyload(Round.volunteer))  # the person or nobody: no join for it


def rounds_without_hours(community):
    return db.session.scalars(select(Round).where(
        Round.community_id == community.id, Round.status == "finished", Round.record_id.is_(None))
        .order_by(Round.meal_date.desc())).all()
