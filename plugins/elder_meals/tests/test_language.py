"""The meal service's messages in the reader's language: days and round names in notifications (stored raw, not
in the sender's language), why a round gave no hours (kept untranslated), and counts with plural forms (for 1
and for 2, in English and in Chinese)."""

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from timebank_plugins.elder_meals import orders, rounds
from timebank_plugins.elder_meals.models import Order, Round

from timebank.extensions import db
from timebank.notifications.models import Notification
from timebank.testing import notification_texts, plural_readings

from .conftest import TUESDAY, WEDNESDAY, at, order

BASE = "/c/maple/p/elder-meals"


def planned(ctx, day=TUESDAY):
    """Plan the day's lunch rounds; the id of the round of each elder's order, by the elder's username."""
    from datetime import time

    ctx(lambda c, users, elder: rounds.plan_rounds(c, users["cook"], day, "lunch", time(11, 0)))
    return ctx(lambda c, users, elder: {order.elder.user.username: order.round_id for order in db.session.scalars(
        select(Order).where(Order.meal_date == day))})


def in_chinese(function):
    """``function`` for ``ctx``, run by someone whose app is in Chinese."""
    def run(c, users, elder):
        with force_locale("zh_CN"):
            return function(c, users, elder)
    return run


def test_a_round_given_back_names_its_day_in_the_readers_language(app, ctx, meals, clock):
    order(ctx, "son", TUESDAY)
    round_id = planned(ctx)["elder"]
    ctx(lambda c, users, elder: rounds.sign_up(c, users["vol"], db.session.get(Round, round_id)))
    ctx(in_chinese(lambda c, users, elder: rounds.give_back(c, users["vol"], db.session.get(Round, round_id))))
    with app.app_context():
        stored = json.loads(db.session.scalar(select(Notification.params_json).where(
            Notification.kind == "elder_meals.round_free")))
    assert stored["day"] == {"date": "2026-11-24"} and stored["round"] == "第一网格"
    assert notification_texts(app, "elder_meals.round_free", "en") == [
        "陈志强 gave back the meal delivery round 第一网格 on Nov 24, 2026: it needs a volunteer."]
    assert notification_texts(app, "elder_meals.round_free", "zh_CN") == ["陈志强退出了2026年11月24日的送餐路线“第一网格”，需要另找志愿者。"]


def test_a_round_without_a_name_is_named_in_the_readers_language(app, ctx, meals, clock):
    order(ctx, "coord", TUESDAY, elder="elder2")
    round_id = planned(ctx)["elder2"]

    def unnamed(c, users, elder):
        db.session.get(Round, round_id).name = ""  # "Other addresses": elders without a household
        db.session.commit()
        rounds.sign_up(c, users["vol2"], db.session.get(Round, round_id))

    ctx(unnamed)
    ctx(in_chinese(lambda c, users, elder: orders.cancel_order(c, users["coord"], db.session.scalar(select(Order)))))
    assert notification_texts(app, "elder_meals.round_cancelled", "en") == [
        "The meal delivery round Other addresses on Nov 24, 2026 is no longer needed: every order was cancelled. "
        "Thank you!"]
    assert notification_texts(app, "elder_meals.round_cancelled", "zh_CN") == [
        "2026年11月24日的送餐路线“其他地址”的订单都已取消，不需要送餐了。谢谢您！"]


def test_the_elder_reads_the_day_of_an_order_in_chinese_too(app, ctx, meals, clock):
    order(ctx, "son", TUESDAY)  # the son's app is in English
    assert notification_texts(app, "elder_meals.order", "zh_CN") == ["赵小明为您订了2026年11月24日的午餐：套餐A，自付¥14.00。"]


def test_why_a_round_gave_no_hours_reads_in_each_readers_language(app, ctx, meals, clock, client, login):
    order(ctx, "son", TUESDAY)
    round_id = planned(ctx)["elder"]
    ctx(lambda c, users, elder: rounds.sign_up(c, users["vol"], db.session.get(Round, round_id)))
    at(clock, TUESDAY, 11, 0)
    ctx(lambda c, users, elder: rounds.start_round(c, users["vol"], db.session.get(Round, round_id)))
    order_id = ctx(lambda c, users, elder: db.session.scalar(select(Order.id)))
    ctx(lambda c, users, elder: rounds.mark_stop(c, users["vol"], db.session.get(Round, round_id),
                                                 db.session.get(Order, order_id), "delivered"))  # no time passed
    login("cook")
    assert "No hours were recorded: The end must be after the start." in client.get(
        f"{BASE}/rounds/{round_id}").get_data(as_text=True)
    login("cook", english=False)
    client.post("/account/language", data={"locale": "zh_CN"})
    assert "未能记录服务时长：结束时间必须晚于开始时间。" in client.get(f"{BASE}/rounds/{round_id}").get_data(as_text=True)
    with app.app_context():  # a reason written before, in its writer's language: shown as it is
        db.session.get(Round, round_id).no_hours_reason = "结束时间必须晚于开始时间。"
        db.session.commit()
    login("cook")
    assert "No hours were recorded: 结束时间必须晚于开始时间。" in client.get(f"{BASE}/rounds/{round_id}").get_data(
        as_text=True)


@pytest.mark.parametrize("locale, one, two", [
    ("en", "1 delivery put into rounds (1 new round).", "2 deliveries put into rounds (2 new rounds)."),
    ("zh_CN", "已将1份送餐排入路线（新建1条）", "已将2份送餐排入路线（新建2条）"),
])
def test_planning_counts_deliveries_and_rounds(ctx, meals, clock, client, login, locale, one, two):
    order(ctx, "son", TUESDAY)
    order(ctx, "son", WEDNESDAY)
    order(ctx, "coord", WEDNESDAY, elder="elder2")
    login("cook")
    client.post("/account/language", data={"locale": locale})
    for day, expected in ((TUESDAY, one), (WEDNESDAY, two)):
        page = client.post(f"{BASE}/rounds/plan", data={"meal_date": day.isoformat(), "slot": "lunch",
                                                         "start_time": "11:00"}, follow_redirects=True)
        assert expected in page.get_data(as_text=True)


PLURALS = [
    ("%(num)d meal is already ordered: the capacity cannot be lower.",
     "%(num)d meals are already ordered: the capacity cannot be lower.", {},
     ("1 meal is already ordered: the capacity cannot be lower.",
      "2 meals are already ordered: the capacity cannot be lower."),
     ("已订1份，供餐量不能低于这个数。", "已订2份，供餐量不能低于这个数。")),
    ("Saved. %(num)d order was priced again.", "Saved. %(num)d orders were priced again.", {},
     ("Saved. 1 order was priced again.", "Saved. 2 orders were priced again."),
     ("已保存，1份订单已重新计价。", "已保存，2份订单已重新计价。")),
    ("%(num)d menu published: elders and families can order now.",
     "%(num)d menus published: elders and families can order now.", {},
     ("1 menu published: elders and families can order now.", "2 menus published: elders and families can order now."),
     ("已发布1份菜单，老人和家属现在可以订餐了。", "已发布2份菜单，老人和家属现在可以订餐了。")),
    ("%(num)d menu copied as a draft: check it and publish.", "%(num)d menus copied as drafts: check them and publish.",
     {}, ("1 menu copied as a draft: check it and publish.", "2 menus copied as drafts: check them and publish."),
     ("已复制1份菜单为草稿，请核对后发布。", "已复制2份菜单为草稿，请核对后发布。")),
    ("%(num)d new round", "%(num)d new rounds", {}, ("1 new round", "2 new rounds"), ("新建1条", "新建2条")),
    ("%(num)d delivery round still needs a volunteer.", "%(num)d delivery rounds still need a volunteer.", {},
     ("1 delivery round still needs a volunteer.", "2 delivery rounds still need a volunteer."),
     ("还有1条送餐路线需要志愿者。", "还有2条送餐路线需要志愿者。")),
    ("%(num)d elder did not answer the door. Please check on them.",
     "%(num)d elders did not answer the door. Please check on them.", {},
     ("1 elder did not answer the door. Please check on them.",
      "2 elders did not answer the door. Please check on them."),
     ("有1位老人送餐时无人应答，请尽快联系确认。", "有2位老人送餐时无人应答，请尽快联系确认。")),
    ("Order or cancel until %(time)s, %(num)d day before the meal. After that, please call the canteen.",
     "Order or cancel until %(time)s, %(num)d days before the meal. After that, please call the canteen.",
     {"time": "18:00"},
     ("Order or cancel until 18:00, 1 day before the meal. After that, please call the canteen.",
      "Order or cancel until 18:00, 2 days before the meal. After that, please call the canteen."),
     ("请在用餐前1天的18:00前订餐或取消，之后请打电话给食堂。", "请在用餐前2天的18:00前订餐或取消，之后请打电话给食堂。")),
    ("Delivery fee %(fee)s per order · orders close %(num)d day before at %(time)s",
     "Delivery fee %(fee)s per order · orders close %(num)d days before at %(time)s",
     {"fee": "¥3.00", "time": "18:00"},
     ("Delivery fee ¥3.00 per order · orders close 1 day before at 18:00",
      "Delivery fee ¥3.00 per order · orders close 2 days before at 18:00"),
     ("送餐费每单¥3.00 · 提前1天18:00截止订餐", "送餐费每单¥3.00 · 提前2天18:00截止订餐")),
    ("%(num)d cancelled order is not counted.", "%(num)d cancelled orders are not counted.", {},
     ("1 cancelled order is not counted.", "2 cancelled orders are not counted."),
     ("另有1份已取消的订单不计入。", "另有2份已取消的订单不计入。")),
    ("%(done)d of %(num)d stop done. If nobody opens the door, tap “No answer”: the coordinator and the family are "
     "alerted at once.", "%(done)d of %(num)d stops done. If nobody opens the door, tap “No answer”: the coordinator "
     "and the family are alerted at once.", {"done": 0},
     ("0 of 1 stop done. If nobody opens the door, tap “No answer”: the coordinator and the family are alerted at once.",
      "0 of 2 stops done. If nobody opens the door, tap “No answer”: the coordinator and the family are alerted at "
      "once."),
     ("已送0/1户。如果敲门无人应答，请点“无人应答”：协调员和家属会立即收到提醒。",
      "已送0/2户。如果敲门无人应答，请点“无人应答”：协调员和家属会立即收到提醒。")),
    ("%(left)d of %(num)d meal left", "%(left)d of %(num)d meals left", {"left": 1},
     ("1 of 1 meal left", "1 of 2 meals left"), ("共1份，还剩1份", "共2份，还剩1份")),
    ("One portion per order.", "Between 1 and %(num)d portions.", {},
     ("One portion per order.", "Between 1 and 2 portions."), ("每次最多订1份。", "每次最多订2份。")),
]


@pytest.mark.parametrize("singular, plural, params, english, chinese", PLURALS, ids=[item[0] for item in PLURALS])
def test_counts_read_for_one_and_two(app, singular, plural, params, english, chinese):
    assert plural_readings(app, singular, plural, params) == {"en": english, "zh_CN": chinese}
