"""Demo data: 幸福里社区's elder canteen over the past ten days and the coming week, written through the plugin's
services with the application's clock moved through time.

* 赵大爷 (the demo elder, elder mode) is enrolled and orders for himself; 刘洋 (the demo resident) is his family
  contact and orders for him too; four more elders (one turning 75 in three days, one on subsistence allowance, one
  aged 96, one living alone) and a pending application.
* Weekly menus with soft, low-salt and low-sugar set meals (and dinner); the past days cooked, sampled, served,
  delivered by volunteers and paid; the rounds' hours pending or confirmed in the ledger.
* Today: the demo volunteer has taken the 第一网格 round, the 第二网格 round needs a volunteer, food samples wait to
  be kept, and a "no answer" alert from yesterday is still open on the coordinator's home screen.
"""

import random
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from timebank.clock import set_clock
from timebank.communities.joining import create_member_account
from timebank.communities.models import Household, Membership
from timebank.extensions import db
from timebank.identity.models import User
from timebank.ledger.models import ServiceRecord
from timebank.ledger.records import confirm
from timebank.settings import save_settings

from . import alerts, enrolment, kitchen, menus, orders, rounds, services
from .models import FamilyLink, Order, Round

HISTORY_DAYS = 10
LUNCHES = [
    ("红烧肉套餐", "红烧肉、清炒小白菜、番茄蛋汤、米饭", "13", {}),
    ("清蒸鱼套餐", "清蒸鲈鱼、蒜蓉西兰花、紫菜汤、米饭", "11", {"low_salt": True}),
    ("软食套餐", "肉末蒸蛋、南瓜小米粥、豆腐羹", "9", {"soft": True, "low_salt": True}),
    ("低糖套餐", "白灼虾、凉拌木耳、杂粮饭", "11", {"low_sugar": True, "low_salt": True}),
]
MAINS = ["红烧肉", "宫保鸡丁", "土豆烧牛肉", "糖醋排骨（少糖）", "香菇炖鸡", "鱼香肉丝", "肉末茄子"]
DINNER = ("晚餐粥点", "皮蛋瘦肉粥、花卷、清炒时蔬", "8", {"soft": True})

#: username or new account → (name, age in years today (+ days until the birthday), status, delivery, notes, note)
ELDERS = [
    ("elder", None, 78, 40, "none", False, "高血压，饭菜少盐", "腿脚不便，楼下有台阶"),
    ("sun.guilan", "孙桂兰", 88, 100, "subsistence", True, "糖尿病，少糖，米饭减半", "6楼无电梯，敲门要大声"),
    ("zhou.deming", "周德明", 74, 3, "none", False, "", ""),
    ("wu.xiuying", "吴秀英", 96, 150, "extreme_poverty", True, "牙口不好，只能吃软食", "钥匙放在对门邻居家"),
    ("qian.shuzhen", "钱淑珍", 67, 200, "solo", False, "对花生过敏", ""),
]


def _birth_date(today, age, days_to_birthday):
    """Born so as to be ``age`` today and one year older in ``days_to_birthday`` days (0: today)."""
    birthday = today + timedelta(days=days_to_birthday)
    year = birthday.year - age - (1 if days_to_birthday else 0)
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February in a year without it
        return birthday.replace(year=year, day=28)


def _at(community, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), services.zone(community))


def load_demo(community, users):
    rng = random.Random(6)
    coordinator = users["coordinator"]
    today = services.local_today(community)
    neighbours = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.community_id == community.id, User.username.like("neighbour%")).order_by(User.id)).all()
    households = {household.label: household for household in db.session.scalars(
        select(Household).where(Household.community_id == community.id))}
    save_settings("elder_meals", {"dinner_enabled": True, "canteen_name": "幸福里社区长者食堂"}, community,
                  coordinator)
    previous_clock = current_app.extensions["timebank"].clock
    try:
        moment = {"now": _at(community, today - timedelta(days=HISTORY_DAYS + 2), 9)}
        set_clock(current_app, lambda: moment["now"])
        cook = neighbours[-1] if neighbours else coordinator  # coordinators do the canteen's work too
        if cook is not coordinator:
            services.add_canteen_staff(community, coordinator, cook)
        elders = _enrol(community, users, coordinator, households, today, neighbours)
        days = [today + timedelta(days=offset) for offset in range(-HISTORY_DAYS, 7)]
        for day in days:  # each menu two days ahead; the coming days' all yesterday morning (never in the future)
            moment["now"] = _at(community, min(day - timedelta(days=2), today - timedelta(days=1)), 9)
            _menu(community, cook, day, rng)
        for day in days[:HISTORY_DAYS]:
            _history_day(community, moment, today, day, elders, users, neighbours, cook, rng)
        _today_and_coming(community, moment, today, elders, users, neighbours, cook)
    finally:
        set_clock(current_app, previous_clock)


def _enrol(community, users, coordinator, households, today, neighbours):
    labels = sorted(households, key=lambda label: (len(label), label))
    found = []
    for index, (username, name, age, to_birthday, status, delivery, notes, note) in enumerate(ELDERS):
        if username in users:
            person = users[username]
            home = db.session.scalar(select(Membership.household_id).where(
                Membership.user_id == person.id, Membership.community_id == community.id))
        else:
            home = households[labels[20 + index * 23]].id
            person = create_member_account(community, coordinator, username, name, household_id=home).user
        elder = enrolment.enrol(community, coordinator, person, enrolment.Details(
            birth_date=_birth_date(today, age, to_birthday), welfare_status=status, diet_notes=notes,
            consent=bool(notes) or status != "none", consent_note="签署《个人信息使用同意书》，原件存社区",
            household_id=home, needs_delivery=delivery, delivery_note=note))
        found.append(elder)
    enrolment.add_family(community, coordinator, found[0], users["resident"], "relative")
    if len(neighbours) > 11:  # the ledger's demo made thirty neighbours: some are family of the elders
        enrolment.add_family(community, coordinator, found[1], neighbours[3], "child")
        enrolment.add_family(community, coordinator, found[3], neighbours[4], "grandchild")
    applicant = neighbours[11] if len(neighbours) > 11 else users["resident"]
    father = create_member_account(community, coordinator, "zheng.changjiang", "郑长江",
                                   household_id=households[labels[90]].id).user
    enrolment.apply(community, applicant, father, "child", enrolment.Details(
        birth_date=_birth_date(today, 81, 60), welfare_status="disabled", diet_notes="中风后吞咽困难，需要流食",
        consent=True, consent_note="女儿代父亲签字同意", household_id=households[labels[90]].id,
        needs_delivery=True, delivery_note="家里白天没人，请按门铃等一会儿"))
    return found


def _menu(community, cook, day, rng):
    main = MAINS[day.toordinal() % len(MAINS)]
    dishes = [menus.DishInput(f"{name}", description.replace("红烧肉", main) if index == 0 else description, price,
                              **marks) for index, (name, description, price, marks) in enumerate(LUNCHES)]
    dishes[0].name = f"{main}套餐"
    menus.save_menu(community, cook, day, "lunch", 60, dishes, publish=True)
    if day.weekday() < 5:
        menus.save_menu(community, cook, day, "dinner", 20, [menus.DishInput(*DINNER[:3], **DINNER[3])],
                        publish=True)


def _orderer(elder, users, neighbours):
    """Who orders for this elder in the demo: themself, their family contact or the coordinator."""
    if elder.user.username == "elder":
        return users["elder"]
    link = db.session.scalar(select(FamilyLink).where(FamilyLink.elder_id == elder.id))
    return link.user if link else users["coordinator"]


def _place_orders(community, day, elders, users, neighbours, rng, skip=()):
    menu = menus.menu_for(community, day, "lunch")
    for index, elder in enumerate(elders):
        if index in skip:
            continue
        mode = "delivery" if elder.needs_delivery else rng.choice(["dine_in", "dine_in", "pickup", "delivery"])
        dish = menu.dishes[2 if elder.diet_notes and ("软" in elder.diet_notes or "牙" in elder.diet_notes)
                           else 3 if "糖" in elder.diet_notes else rng.randrange(2)]
        orders.place_order(community, _orderer(elder, users, neighbours), elder, menu, dish.id, mode)


def _history_day(community, moment, today, day, elders, users, neighbours, cook, rng):
    """One past day: orders the day before, rounds after the cut-off, cooking, delivery, the counter, samples."""
    moment["now"] = _at(community, day - timedelta(days=1), 10)
    skip = {4} if day.weekday() == 6 else set()  # 钱淑珍 eats with her daughter on Sundays
    _place_orders(community, day, elders, users, neighbours, rng, skip)
    moment["now"] = _at(community, day - timedelta(days=1), 18, 30)
    rounds.plan_rounds(community, cook, day, "lunch", time(11, 0))
    deliverers = [users["volunteer"], *(neighbours[:6] or [users["coordinator"], users["admin"]])]
    for index, delivery_round in enumerate(rounds.rounds_between(community, day, day)):
        moment["now"] += timedelta(minutes=20)
        rounds.sign_up(community, deliverers[(day.toordinal() + index) % len(deliverers)], delivery_round)
    moment["now"] = _at(community, day, 10, 30)
    for dish in menus.menu_for(community, day, "lunch").dishes:
        kitchen.record_sample(community, cook, dish.id, 150, "留样柜第2层")
    yesterday_alert = day == today - timedelta(days=1)
    for delivery_round in rounds.rounds_between(community, day, day):
        moment["now"] = _at(community, day, 11, rng.randrange(0, 6))
        rounds.start_round(community, delivery_round.volunteer, delivery_round)
        for stop in rounds.stops_of(delivery_round):
            moment["now"] += timedelta(minutes=rng.randrange(8, 16))
            nobody = stop.elder.user.display_name == "吴秀英" and (yesterday_alert or day.day % 9 == 0)
            rounds.mark_stop(community, delivery_round.volunteer, delivery_round, stop,
                             "no_answer" if nobody else "delivered")
    moment["now"] = _at(community, day, 12, 30)
    for order in db.session.scalars(select(Order).where(Order.community_id == community.id,
                                                        Order.meal_date == day, Order.status != "cancelled")):
        if order.mode != "delivery":
            orders.mark_collected(community, cook, order, "served")
        if order.billable:
            orders.record_payment(community, cook, order, True)
    for alert in alerts.visible_alerts(users["coordinator"], community):
        if alert.raised_at.astimezone(services.zone(community)).date() == day and not yesterday_alert:
            moment["now"] = _at(community, day, 13)
            alerts.resolve_alert(community, users["coordinator"], alert, "delivered_later",
                                 "老人去医院复查了，下午由网格员补送")
    if day + timedelta(days=2) < today:  # never act in the future: the last samples are still kept
        moment["now"] = _at(community, day + timedelta(days=2), 11)
        for sample in kitchen.samples_to_discard(community):
            kitchen.discard_sample(community, cook, sample)
    if day < today - timedelta(days=3):  # the last few rounds wait in the coordinator's queue
        moment["now"] = _at(community, day + timedelta(days=3), 9)
        _confirm_rounds(community, users["coordinator"], day)


def _confirm_rounds(community, coordinator, day):
    for delivery_round in db.session.scalars(select(Round).where(
            Round.community_id == community.id, Round.meal_date == day, Round.record_id.is_not(None))):
        record = db.session.get(ServiceRecord, delivery_round.record_id)
        if record.status == "pending" and record.volunteer_id != coordinator.id:
            confirm(record, community, coordinator)


def _today_and_coming(community, moment, today, elders, users, neighbours, cook):
    """Today's orders and rounds (the demo volunteer has one, one needs a volunteer); orders for the coming
    days placed yesterday, before the cut-off; a dinner order."""
    rng = random.Random(7)
    moment["now"] = _at(community, today - timedelta(days=1), 10)
    _place_orders(community, today, elders, users, neighbours, rng)
    for day in (today + timedelta(days=1), today + timedelta(days=2)):
        _place_orders(community, day, elders, users, neighbours, rng, skip={2})
    tomorrow = today + timedelta(days=1)
    dinner = menus.menu_for(community, tomorrow, "dinner")
    if dinner is not None:
        orders.place_order(community, users["elder"], elders[0], dinner, dinner.dishes[0].id, "pickup")
    moment["now"] = _at(community, today - timedelta(days=1), 18, 30)
    rounds.plan_rounds(community, cook, today, "lunch", time(11, 0))
    grid_one = next((item for item in rounds.rounds_between(community, today, today) if item.name == "第一网格"),
                    None)
    if grid_one is not None:
        rounds.sign_up(community, users["volunteer"], grid_one)
