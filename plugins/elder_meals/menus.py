"""Weekly menus: per day and slot, a few set meals (dishes) with a price and marks (soft, low-salt, low-sugar), and
the number of meals the canteen can cook. Drafts are seen by the canteen only until they are published."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.errors import NotFound, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _, ngettext
from timebank.validation import clean_text
from timebank.web import parse_day

from .models import SLOTS, Dish, Menu, Order
from .policy import meal_policy, parse_yuan
from .services import local_today, require_kitchen

MAX_DISHES = 4
MAX_PRICE_FEN = 200_00


@dataclass
class DishInput:
    name: str = ""
    description: str = ""
    price: str = ""
    soft: bool = False
    low_salt: bool = False
    low_sugar: bool = False


def monday_of(day):
    return day - timedelta(days=day.weekday())


def menus_between(community, first, last, published_only=True):
    """Menus from ``first`` to ``last`` (inclusive), by day and slot."""
    query = select(Menu).where(Menu.community_id == community.id, Menu.meal_date >= first, Menu.meal_date <= last)
    if published_only:
        query = query.where(Menu.published_at.is_not(None))
    return db.session.scalars(query.order_by(Menu.meal_date, Menu.slot.desc())).all()  # lunch before dinner


def menu_in(community, menu_id):
    menu = db.session.scalar(select(Menu).where(Menu.id == menu_id, Menu.community_id == community.id))
    if menu is None:
        raise NotFound(menu_id)
    return menu


def menu_for(community, day, slot):
    return db.session.scalar(select(Menu).where(Menu.community_id == community.id, Menu.meal_date == day,
                                                Menu.slot == slot))


def dish_of(menu, dish_id):
    for dish in menu.dishes:
        if dish.id == dish_id:
            return dish
    raise ValidationFailed(_("Choose one of the meals on the menu."), field="dish_id")


def ordered_portions(menu_ids):
    """``{menu_id: portions ordered}`` (cancelled orders do not count)."""
    if not menu_ids:
        return {}
    rows = db.session.execute(select(Order.menu_id, func.coalesce(func.sum(Order.portions), 0)).where(
        Order.menu_id.in_(list(menu_ids)), Order.status != "cancelled").group_by(Order.menu_id)).all()
    return {menu_id: int(total) for menu_id, total in rows}


def _check_dishes(dishes):
    cleaned = []
    for index, dish in enumerate(dishes):
        prefix = f"dishes-{index}-"
        name = clean_text(dish.name, prefix + "name", 60)
        if not name:
            if (dish.description or "").strip() or (str(dish.price or "")).strip():
                raise ValidationFailed(_("Give this meal a name, or clear the row."), field=prefix + "name")
            cleaned.append(None)
            continue
        if not str(dish.price or "").strip():
            raise ValidationFailed(_("Enter the price."), field=prefix + "price")
        price = parse_yuan(dish.price, prefix + "price")
        if not 0 < price <= MAX_PRICE_FEN:
            raise ValidationFailed(_("A price between ¥0.01 and ¥200."), field=prefix + "price")
        cleaned.append({"name": name, "description": clean_text(dish.description, prefix + "description", 200),
                        "price_fen": price, "soft": bool(dish.soft), "low_salt": bool(dish.low_salt),
                        "low_sugar": bool(dish.low_sugar)})
    if not any(cleaned):
        raise ValidationFailed(_("Put at least one meal on the menu."), field="dishes-0-name")
    return cleaned[:MAX_DISHES]


def save_menu(community, actor, day, slot, capacity, dishes, note="", publish=False):
    """Create or change the menu of a day and slot. A meal that has orders keeps its place (its price and name
    may still be corrected; orders keep the price they were placed at). Commits."""
    require_kitchen(actor, community)
    policy = meal_policy(community)
    if slot not in SLOTS or slot not in policy.slots():
        raise ValidationFailed(_("The canteen does not serve this meal."), field="slot")
    if day is None or day < local_today(community):
        raise ValidationFailed(_("Menus can be written for today and later days only."), field="meal_date")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="capacity") from None
    if not 1 <= capacity <= 2000:
        raise ValidationFailed(_("Between 1 and 2000 meals."), field="capacity")
    cleaned = _check_dishes(dishes)
    menu = menu_for(community, day, slot)
    if menu is None:
        menu = Menu(community_id=community.id, meal_date=day, slot=slot, capacity=capacity, created_by_id=actor.id,
                    created_at=now())
        db.session.add(menu)
        db.session.flush()
    ordered = ordered_portions([menu.id]).get(menu.id, 0)
    if capacity < ordered:
        raise ValidationFailed(ngettext("%(num)d meal is already ordered: the capacity cannot be lower.",
                                        "%(num)d meals are already ordered: the capacity cannot be lower.", ordered),
                               field="capacity")
    menu.capacity, menu.note = capacity, clean_text(note, "note", 200)
    existing = {dish.position: dish for dish in menu.dishes}
    with_orders = set(db.session.scalars(select(Order.dish_id).where(Order.menu_id == menu.id,
                                                                     Order.status != "cancelled")))
    for position, values in enumerate(cleaned):
        dish = existing.get(position)
        if values is None:
            if dish is not None and dish.id in with_orders:
                raise ValidationFailed(_("“%(name)s” has orders and cannot be removed.", name=dish.name),
                                       field=f"dishes-{position}-name")
            if dish is not None:
                menu.dishes.remove(dish)
            continue
        if dish is None:
            dish = Dish(position=position, **values)
            menu.dishes.append(dish)
        else:
            for key, value in values.items():
                setattr(dish, key, value)
    if publish and menu.published_at is None:
        menu.published_at = now()
    db.session.flush()
    record_audit("elder_meals.menu_saved", actor=actor, community=community, target=("elder_meals_menu", menu.id))
    commit()
    return menu


def publish_week(community, actor, monday):
    """Publish every draft menu of the week starting ``monday``. Commits. Returns how many were published."""
    require_kitchen(actor, community)
    drafts = [menu for menu in menus_between(community, monday, monday + timedelta(days=6), published_only=False)
              if menu.published_at is None]
    if not drafts:
        raise ValidationFailed(_("There is no draft menu in this week."))
    for menu in drafts:
        menu.published_at = now()
    record_audit("elder_meals.week_published", actor=actor, community=community,
                 detail={"week": monday.isoformat(), "menus": len(drafts)})
    commit()
    return len(drafts)


def copy_week(community, actor, source_monday, target_monday):
    """Copy the menus of one week into another as drafts (days that already have a menu are kept). Commits.
    Returns how many menus were copied."""
    require_kitchen(actor, community)
    today = local_today(community)
    shift = target_monday - source_monday
    copied = 0
    for menu in menus_between(community, source_monday, source_monday + timedelta(days=6), published_only=False):
        day = menu.meal_date + shift
        if day < today or menu_for(community, day, menu.slot) is not None:
            continue
        copy = Menu(community_id=community.id, meal_date=day, slot=menu.slot, capacity=menu.capacity,
                    note=menu.note, created_by_id=actor.id, created_at=now())
        copy.dishes = [Dish(position=dish.position, name=dish.name, description=dish.description,
                            price_fen=dish.price_fen, soft=dish.soft, low_salt=dish.low_salt,
                            low_sugar=dish.low_sugar) for dish in menu.dishes]
        db.session.add(copy)
        copied += 1
    if not copied:
        raise ValidationFailed(_("Nothing to copy: the week has no menus, or every day already has one."))
    record_audit("elder_meals.week_copied", actor=actor, community=community,
                 detail={"from": source_monday.isoformat(), "to": target_monday.isoformat(), "menus": copied})
    commit()
    return copied


def week_of(community, monday, published_only=True):
    """``[(day, {slot: menu})]`` for the seven days from ``monday``."""
    menus = menus_between(community, monday, monday + timedelta(days=6), published_only)
    by_day = {monday + timedelta(days=offset): {} for offset in range(7)}
    for menu in menus:
        by_day[menu.meal_date][menu.slot] = menu
    return list(by_day.items())


def parse_week(text, community):
    """``?week=2026-11-23`` → that week's Monday; anything else (missing, malformed, or a year no page shows: see
    ``timebank.web.parse_day``) → this week's."""
    return monday_of(parse_day(text) or local_today(community))
