"""Orders: per elder, day and slot; dine-in, pick-up or delivery; placed by the elder, family, the grid worker,
the canteen or a coordinator; changed or cancelled before the cut-off (after it, only by the canteen).

Placing, changing and cancelling lock the menu row, so that two people ordering the last meal, or the same
elder's order sent twice, are serialised; the unique (elder, day, slot) constraint is the last guard.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.database import lock_row
from timebank.errors import NotFound, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _, ngettext
from timebank.notifications.services import notify

from .menus import dish_of, ordered_portions
from .models import MODES, Menu, Order
from .policy import SLOT_LABELS, cutoff_for, format_yuan, meal_policy
from .pricing import apply_prices
from .services import is_kitchen, local_today, require_kitchen, require_order_for, zone


def order_in(community, order_id):
    order = db.session.scalar(select(Order).where(Order.id == order_id, Order.community_id == community.id))
    if order is None:
        raise NotFound(order_id)
    return order


def orders_of(elder, first, last):
    """The elder's orders (cancelled ones too) from ``first`` to ``last``, by day and slot."""
    return db.session.scalars(select(Order).where(Order.elder_id == elder.id, Order.meal_date >= first,
                                                  Order.meal_date <= last)
                              .order_by(Order.meal_date, Order.slot.desc())).all()


def is_open_for(community, policy, meal_date, moment=None):
    """Can ordinary people still order, change or cancel for ``meal_date``?"""
    return (moment or now()) < cutoff_for(policy, community, meal_date)


def _check_time(community, actor, policy, meal_date):
    """Before the cut-off anybody allowed may; after it only the canteen, and only until the meal's day ends.
    Returns True when this is a late change by the canteen."""
    if is_open_for(community, policy, meal_date):
        return False
    kitchen = is_kitchen(actor, community)
    if kitchen and meal_date >= local_today(community):
        return True
    deadline = cutoff_for(policy, community, meal_date).astimezone(zone(community))
    if kitchen:
        raise ValidationFailed(_("This meal day is over."))
    raise ValidationFailed(_("Orders for %(day)s closed at %(deadline)s. Please call the canteen: only the "
                             "canteen can change orders now.", day=meal_date.isoformat(),
                             deadline=deadline.strftime("%m-%d %H:%M")))


def _check_choice(policy, menu, dish_id, mode, portions):
    dish = dish_of(menu, dish_id)
    if mode not in MODES:
        raise ValidationFailed(_("Choose how the meal reaches the elder."), field="mode")
    try:
        portions = int(portions)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="portions") from None
    if not 1 <= portions <= policy.max_portions:
        raise ValidationFailed(ngettext("One portion per order.", "Between 1 and %(num)d portions.",
                                        policy.max_portions), field="portions")
    return dish, portions


def _check_capacity(menu, extra):
    if extra <= 0:
        return
    taken = ordered_portions([menu.id]).get(menu.id, 0)
    if taken + extra > menu.capacity:
        left = max(menu.capacity - taken, 0)
        raise ValidationFailed(_("Sorry, this meal is full (%(left)d left). Please choose another day.", left=left)
                               if left else _("Sorry, this meal is full. Please choose another day."),
                               field="portions")


def place_order(community, actor, elder, menu, dish_id, mode, portions=1):
    """Order a meal for ``elder`` from ``menu``. Commits. ``ValidationFailed``: closed, full, a second order for
    the same slot, a bad choice; ``PermissionDenied``: ``actor`` may not order for this elder."""
    placed_as = require_order_for(actor, elder, community)
    if elder.status != "active":
        raise ValidationFailed(_("%(name)s is not enrolled in the meal service.", name=elder.user.display_name))
    if menu.community_id != community.id or menu.published_at is None:
        raise NotFound(menu.id)
    policy = meal_policy(community)
    dish, portions = _check_choice(policy, menu, dish_id, mode, portions)
    late = _check_time(community, actor, policy, menu.meal_date)
    lock_row(Menu, menu.id)  # serialise orders of this meal: capacity and double orders
    order = db.session.scalar(select(Order).where(Order.elder_id == elder.id, Order.meal_date == menu.meal_date,
                                                  Order.slot == menu.slot))
    if order is not None and order.status != "cancelled":
        raise ValidationFailed(_("%(name)s already has %(slot)s on %(day)s. Change or cancel that order instead.",
                                 name=elder.user.display_name, slot=SLOT_LABELS[menu.slot],
                                 day=menu.meal_date.isoformat()))
    _check_capacity(menu, portions)
    if order is None:
        order = Order(community_id=community.id, elder_id=elder.id, meal_date=menu.meal_date, slot=menu.slot,
                      created_at=now())
        db.session.add(order)
    order.menu_id, order.dish, order.mode, order.portions = menu.id, dish, mode, portions
    order.status, order.price_fen, order.placed_by_id, order.placed_as = "placed", dish.price_fen, actor.id, placed_as
    order.late_change, order.updated_at = late, now()
    order.cancelled_at = order.cancelled_by_id = order.outcome_at = order.paid_at = order.round_id = None
    order.stop_number, order.paid_fen = None, 0
    apply_prices(order, policy, elder)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(_("This meal was just ordered by someone else for the same elder.")) from None
    record_audit("elder_meals.order_placed", actor=actor, community=community, target=("elder_meals_order", order.id),
                 detail={"day": menu.meal_date.isoformat(), "slot": menu.slot, "mode": mode, "as": placed_as,
                         "late": late})
    _tell_elder(community, actor, elder, order, N_("%(who)s ordered %(slot)s for %(day)s: %(dish)s. You pay "
                                                   "%(due)s."))
    commit()
    return order


def change_order(community, actor, order, dish_id, mode, portions):
    """Change the meal, the way it arrives or the portions. Commits."""
    elder = order.elder
    require_order_for(actor, elder, community)
    if order.status != "placed":
        raise ValidationFailed(_("This order can no longer be changed."))
    menu = db.session.get(Menu, order.menu_id)
    policy = meal_policy(community)
    dish, portions = _check_choice(policy, menu, dish_id, mode, portions)
    late = _check_time(community, actor, policy, order.meal_date)
    lock_row(Menu, menu.id)
    _check_capacity(menu, portions - order.portions)
    if order.round_id is not None:
        if order.round.status != "open":
            raise ValidationFailed(_("The delivery round has started: this order can no longer be changed."))
        if mode != "delivery":
            from .rounds import drop_stop

            drop_stop(community, order)
    order.dish, order.mode, order.portions, order.price_fen = dish, mode, portions, dish.price_fen
    order.late_change, order.updated_at = order.late_change or late, now()
    apply_prices(order, policy, elder)
    record_audit("elder_meals.order_changed", actor=actor, community=community,
                 target=("elder_meals_order", order.id), detail={"mode": mode, "portions": portions, "late": late})
    commit()
    return order


def cancel_order(community, actor, order):
    """Cancel before the cut-off (the canteen also after it). Commits."""
    elder = order.elder
    require_order_for(actor, elder, community)
    if order.status != "placed":
        raise ValidationFailed(_("This order can no longer be cancelled."))
    policy = meal_policy(community)
    late = _check_time(community, actor, policy, order.meal_date)
    lock_row(Menu, order.menu_id)
    if order.round_id is not None:
        if order.round.status != "open":
            raise ValidationFailed(_("The delivery round has started: this order can no longer be cancelled."))
        from .rounds import drop_stop

        drop_stop(community, order)
    order.status, order.cancelled_at, order.cancelled_by_id, order.updated_at = "cancelled", now(), actor.id, now()
    record_audit("elder_meals.order_cancelled", actor=actor, community=community,
                 target=("elder_meals_order", order.id), detail={"late": late})
    _tell_elder(community, actor, elder, order, N_("%(who)s cancelled %(slot)s for %(day)s."))
    commit()
    return order


def _tell_elder(community, actor, elder, order, message):
    """When someone else orders or cancels, the elder (if they use the app) hears of it."""
    if actor.id == elder.user_id or not elder.user.can_log_in:
        return
    notify(elder.user, "elder_meals.order", message, community=community,
           link=f"/c/{community.slug}/p/elder-meals/elders/{elder.id}/order", who=actor.display_name,
           slot=SLOT_LABELS[order.slot], day=order.meal_date,  # the slot and the day: in the reader's language
           dish=order.dish.name if order.dish else "", due=format_yuan(order.due_fen))


# --- The canteen at the counter ---------------------------------------------------------------------------------


def mark_collected(community, actor, order, outcome):
    """Dine-in and pick-up: "served" (eaten or collected) or "missed" (did not come). Commits."""
    require_kitchen(actor, community)
    if outcome not in ("served", "missed"):
        raise ValidationFailed(_("Choose one of the options."))
    if order.mode == "delivery":
        raise ValidationFailed(_("Deliveries are marked by the volunteer on the round."))
    if order.status not in ("placed", "served", "missed"):
        raise ValidationFailed(_("This order was cancelled."))
    if order.meal_date > local_today(community):
        raise ValidationFailed(_("This meal is not served yet."))
    order.status, order.outcome_at, order.updated_at = outcome, now(), now()
    record_audit("elder_meals.order_" + outcome, actor=actor, community=community,
                 target=("elder_meals_order", order.id))
    commit()
    return order


def record_payment(community, actor, order, paid):
    """The canteen records that the elder paid their share of this order (or undoes it). Commits."""
    require_kitchen(actor, community)
    if paid and not order.billable:
        raise ValidationFailed(_("Nothing is due for this order."))
    order.paid_fen, order.paid_at = (order.due_fen, now()) if paid else (0, None)
    record_audit("elder_meals.payment_recorded", actor=actor, community=community,
                 target=("elder_meals_order", order.id), detail={"paid": bool(paid)})
    commit()
    return order
