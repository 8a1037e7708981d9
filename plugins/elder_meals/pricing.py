"""What a meal costs and how much the subsidy pays: the status valid on the meal date, the tier, the delivery fee.

An order stores the price, subsidy, tier and delivery fee worked out when it was placed; a change of welfare
status or birth date re-prices the orders it affects (``reprice_orders``), so that statements always follow the
status and age on each meal's date.
"""

from sqlalchemy import select

from timebank.extensions import db

from .models import Order, StatusChange
from .policy import age_on, delivery_fee_for, meal_policy, subsidy_tier


def status_on(elder, day):
    """The welfare status valid on ``day``. A status recorded later replaces, from its date on, whatever was
    recorded before it: of the changes dated ``day`` or earlier, the last one recorded wins (the earliest dated
    one if ``day`` is before every change); ``"none"`` without any change."""
    return statuses_on(elder, [day])[day]


def statuses_on(elder, days):
    """``{day: status_on(elder, day)}`` for several days (the order page's week), from one read of the elder's
    recorded changes (a handful per elder)."""
    changes = db.session.execute(select(StatusChange.id, StatusChange.valid_from, StatusChange.status).where(
        StatusChange.elder_id == elder.id)).all()
    earliest = min(changes, key=lambda change: (change.valid_from, change.id), default=None)
    statuses = {}
    for day in days:
        latest = max((change for change in changes if change.valid_from <= day), key=lambda change: change.id,
                     default=earliest)
        statuses[day] = (latest.status if latest is not None else None) or "none"
    return statuses


def status_history(elder):
    return db.session.scalars(select(StatusChange).where(StatusChange.elder_id == elder.id)
                              .order_by(StatusChange.valid_from.desc(), StatusChange.id.desc())).all()


def quote(policy, elder, day, mode, price_fen):
    """``(subsidy_fen, tier, delivery_fee_fen)`` for a meal of ``elder`` on ``day``."""
    status = status_on(elder, day)
    subsidy, tier = subsidy_tier(policy, age_on(elder.birth_date, day), status)
    fee = delivery_fee_for(policy, status) if mode == "delivery" else 0
    return min(subsidy, price_fen), tier, fee


def apply_prices(order, policy, elder):
    order.subsidy_fen, order.tier, order.delivery_fee_fen = quote(policy, elder, order.meal_date, order.mode,
                                                                  order.price_fen)


def reprice_orders(community, elder, from_date):
    """Work out again the subsidy of the elder's live orders from ``from_date`` on (in the caller's transaction).
    Returns how many changed."""
    policy = meal_policy(community)
    changed = 0
    orders = db.session.scalars(select(Order).where(
        Order.community_id == community.id, Order.elder_id == elder.id, Order.meal_date >= from_date,
        Order.status != "cancelled")).all()
    for order in orders:
        before = (order.subsidy_fen, order.tier, order.delivery_fee_fen)
        apply_prices(order, policy, elder)
        changed += before != (order.subsidy_fen, order.tier, order.delivery_fee_fen)
    return changed
