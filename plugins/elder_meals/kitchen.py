"""The kitchen's pages: the roster of a day and slot (counts per meal, lists for the counter and per delivery
round, with the diet notes the cooks need) and the food-sample retention log (留样, kept at least 48 hours)."""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.errors import NotFound, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import _
from timebank.validation import clean_text

from .menus import menu_for, menus_between
from .models import Dish, Menu, Order, Sample
from .policy import meal_policy
from .rounds import rounds_between, stops_of
from .services import local_today, require_kitchen, zone

MIN_SAMPLE_GRAMS = 125  # national food-safety practice: at least 125 g of every dish


@dataclass
class DishCount:
    dish: Dish
    dine_in: int = 0
    pickup: int = 0
    delivery: int = 0

    @property
    def total(self):
        return self.dine_in + self.pickup + self.delivery


@dataclass
class Roster:
    menu: Menu | None
    counts: list = field(default_factory=list)
    counter: list = field(default_factory=list)  # dine-in and pick-up orders
    rounds: list = field(default_factory=list)  # [(round, [orders])]
    unplanned: list = field(default_factory=list)  # delivery orders in no round yet
    cancelled: int = 0

    @property
    def total(self):
        return sum(count.total for count in self.counts)


def roster(community, actor, day, slot):
    """Everything the kitchen needs for one day and slot. Only the canteen (and coordinators) may see it: it
    shows diet and health notes."""
    require_kitchen(actor, community)
    menu = menu_for(community, day, slot)
    result = Roster(menu=menu)
    if menu is None:
        return result
    counts = {dish.id: DishCount(dish) for dish in menu.dishes}
    orders = db.session.scalars(select(Order).where(Order.menu_id == menu.id).order_by(Order.id)).all()
    for order in orders:
        if order.status == "cancelled":
            result.cancelled += 1
            continue
        count = counts.get(order.dish_id)
        if count is not None:
            setattr(count, order.mode, getattr(count, order.mode) + order.portions)
        if order.mode != "delivery":
            result.counter.append(order)
        elif order.round_id is None:
            result.unplanned.append(order)
    result.counter.sort(key=lambda order: (order.mode, order.elder.user.display_name))
    result.counts = list(counts.values())
    result.rounds = [(item, stops_of(item)) for item in rounds_between(community, day, day) if item.slot == slot]
    return result


# --- Food samples -----------------------------------------------------------------------------------------------


def _dish_in(community, dish_id):
    dish = db.session.scalar(select(Dish).join(Menu, Menu.id == Dish.menu_id).where(
        Dish.id == dish_id, Menu.community_id == community.id))
    if dish is None:
        raise NotFound(dish_id)
    return dish


def sample_sheet(community, actor, day):
    """``[(menu, dish, sample or None)]`` for every dish of the day's menus (drafts too: the kitchen cooks them)."""
    require_kitchen(actor, community)
    menus = menus_between(community, day, day, published_only=False)
    dish_ids = [dish.id for menu in menus for dish in menu.dishes]
    samples = {sample.dish_id: sample for sample in db.session.scalars(
        select(Sample).where(Sample.community_id == community.id, Sample.dish_id.in_(dish_ids)))} if dish_ids else {}
    return [(menu, dish, samples.get(dish.id)) for menu in menus for dish in menu.dishes]


def record_sample(community, actor, dish_id, grams, note=""):
    """A sample of one dish was put in the sample fridge now; it must be kept for the policy's hours. Commits."""
    require_kitchen(actor, community)
    dish = _dish_in(community, dish_id)
    try:
        grams = int(grams)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="grams") from None
    if not MIN_SAMPLE_GRAMS <= grams <= 2000:
        raise ValidationFailed(_("Keep at least %(n)d g of every dish.", n=MIN_SAMPLE_GRAMS), field="grams")
    if db.session.scalar(select(Sample.id).where(Sample.dish_id == dish.id)):
        raise ValidationFailed(_("A sample of this dish is already recorded."))
    menu = db.session.get(Menu, dish.menu_id)
    if menu.meal_date > local_today(community):
        raise ValidationFailed(_("Record the sample on the day the dish is cooked."))
    moment = now()
    sample = Sample(community_id=community.id, dish_id=dish.id, taken_at=moment, grams=grams,
                    keep_until=moment + timedelta(hours=meal_policy(community).sample_hours), taken_by_id=actor.id,
                    note=clean_text(note, "note", 120))
    db.session.add(sample)
    db.session.flush()
    record_audit("elder_meals.sample_taken", actor=actor, community=community, target=("elder_meals_sample", sample.id))
    commit()
    return sample


def sample_in(community, sample_id):
    sample = db.session.scalar(select(Sample).where(Sample.id == sample_id, Sample.community_id == community.id))
    if sample is None:
        raise NotFound(sample_id)
    return sample


def discard_sample(community, actor, sample):
    """Throw a sample away, never before its retention time is over. Commits."""
    require_kitchen(actor, community)
    if sample.discarded_at is not None:
        raise ValidationFailed(_("This sample was already discarded."))
    if now() < sample.keep_until:
        raise ValidationFailed(_("Keep this sample until %(until)s.",
                                 until=sample.keep_until.astimezone(zone(community)).strftime("%m-%d %H:%M")))
    sample.discarded_at, sample.discarded_by_id = now(), actor.id
    record_audit("elder_meals.sample_discarded", actor=actor, community=community,
                 target=("elder_meals_sample", sample.id))
    commit()
    return sample


def samples_to_discard(community):
    return db.session.scalars(select(Sample).where(Sample.community_id == community.id,
                                                   Sample.discarded_at.is_(None), Sample.keep_until <= now())
                              .order_by(Sample.keep_until)).all()


def dishes_without_sample_today(community):
    """How many dishes of today's published menus have no sample yet."""
    today = local_today(community)
    return db.session.scalar(select(func.count(Dish.id)).join(Menu, Menu.id == Dish.menu_id)
                             .outerjoin(Sample, Sample.dish_id == Dish.id)
                             .where(Menu.community_id == community.id, Menu.meal_date == today,
                                    Menu.published_at.is_not(None), Sample.id.is_(None)))
