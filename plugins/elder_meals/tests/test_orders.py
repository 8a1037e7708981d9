"""Orders: who may order, the cut-off at its edges (in the community's time zone), capacity, double orders,
cancelling and the canteen's late changes."""

import pytest
from sqlalchemy import func, select
from timebank_plugins.elder_meals import menus, orders
from timebank_plugins.elder_meals.models import Order

from timebank.errors import PermissionDenied, ValidationFailed
from timebank.extensions import db
from timebank.settings import save_settings

from .conftest import TUESDAY, WEDNESDAY, at, order


def order_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Order.id)).where(Order.status != "cancelled"))


@pytest.mark.parametrize("who, placed_as", [("elder", "self"), ("son", "family"), ("gridw", "grid_worker"),
                                            ("coord", "coordinator"), ("cook", "canteen")])
def test_the_elder_family_grid_worker_canteen_and_coordinator_may_order(app, ctx, meals, clock, who, placed_as):
    order_id = order(ctx, who, TUESDAY)
    with app.app_context():
        assert db.session.get(Order, order_id).placed_as == placed_as


@pytest.mark.parametrize("who", ["neighbour", "vol"])
def test_a_member_not_linked_to_the_elder_is_refused_and_nothing_is_written(app, ctx, meals, clock, who):
    with pytest.raises(PermissionDenied, match="not linked"):
        order(ctx, who, TUESDAY)
    assert order_count(app) == 0


def test_a_family_member_of_one_elder_cannot_order_for_another(app, ctx, meals, clock):
    with pytest.raises(PermissionDenied):
        order(ctx, "son", TUESDAY, elder="elder2")
    assert order_count(app) == 0


def test_a_family_link_without_ordering_rights_is_refused(app, ctx, meals, clock):
    def restrict(c, users, elder):
        from timebank_plugins.elder_meals.enrolment import family_link_of

        family_link_of(elder, users["son"].id).can_order = False
        db.session.commit()

    ctx(restrict)
    with pytest.raises(PermissionDenied):
        order(ctx, "son", TUESDAY)


def test_cut_off_edge_one_second_before_and_at_18_00_the_day_before(app, ctx, meals, clock):
    at(clock, TUESDAY.replace(day=23), 17, 59, 59)
    order(ctx, "son", TUESDAY)
    at(clock, TUESDAY.replace(day=24), 18, 0, 0)  # Tuesday 18:00: Wednesday's lunch closes now
    with pytest.raises(ValidationFailed, match="closed at 11-24 18:00"):
        order(ctx, "son", WEDNESDAY)
    assert order_count(app) == 1


def test_cut_off_follows_the_community_time_zone(app, ctx, meals, clock):
    def move_to_urumqi(c, users, elder):
        c.timezone = "Asia/Urumqi"  # UTC+6: 18:00 there is 20:00 in Shanghai
        db.session.commit()

    ctx(move_to_urumqi)
    at(clock, TUESDAY.replace(day=23), 19, 59)  # 17:59 in Urumqi
    order(ctx, "son", TUESDAY)
    at(clock, TUESDAY.replace(day=24), 20, 0)  # 18:00 in Urumqi
    with pytest.raises(ValidationFailed, match="closed"):
        order(ctx, "son", WEDNESDAY)


def test_the_cut_off_is_a_community_setting(app, ctx, meals, clock):
    ctx(lambda c, users, elder: save_settings("elder_meals", {"cutoff_days_before": 0, "cutoff_time": "09:30"}, c))
    at(clock, TUESDAY, 9, 29)
    order(ctx, "son", TUESDAY)
    at(clock, WEDNESDAY, 9, 30)
    with pytest.raises(ValidationFailed, match="closed"):
        order(ctx, "son", WEDNESDAY)


def test_after_the_cut_off_only_the_canteen_changes_orders(app, ctx, meals, clock):
    order_id = order(ctx, "son", TUESDAY)
    at(clock, TUESDAY, 8)

    def cancel(username):
        return ctx(lambda c, users, elder: orders.cancel_order(c, users[username], db.session.get(Order, order_id)))

    with pytest.raises(ValidationFailed, match="only the canteen"):
        cancel("son")
    late = order(ctx, "cook", TUESDAY, elder="elder2")
    cancel("cook")
    with app.app_context():
        assert db.session.get(Order, late).late_change is True
        assert db.session.get(Order, order_id).status == "cancelled"
    at(clock, WEDNESDAY, 8)  # the day is over: not even the canteen
    with pytest.raises(ValidationFailed, match="over"):
        order(ctx, "cook", TUESDAY)


def test_a_full_meal_refuses_the_next_order_and_writes_nothing(app, ctx, meals, clock):
    order(ctx, "son", TUESDAY, portions=2)  # capacity 3
    with pytest.raises(ValidationFailed, match="full \\(1 left\\)"):
        order(ctx, "coord", TUESDAY, elder="elder2", portions=2)
    order(ctx, "coord", TUESDAY, elder="elder2", portions=1)
    with app.app_context():
        assert db.session.scalar(select(func.sum(Order.portions))) == 3


def test_a_second_order_for_the_same_slot_is_refused(app, ctx, meals, clock):
    order(ctx, "son", TUESDAY)
    with pytest.raises(ValidationFailed, match="already has"):
        order(ctx, "elder", TUESDAY, dish_index=1)
    assert order_count(app) == 1


def test_cancel_then_order_again_reuses_the_row(app, ctx, meals, clock):
    first = order(ctx, "son", TUESDAY)
    ctx(lambda c, users, elder: orders.cancel_order(c, users["son"], db.session.get(Order, first)))
    second = order(ctx, "son", TUESDAY, dish_index=1, mode="pickup")
    assert first == second
    with app.app_context():
        row = db.session.get(Order, second)
        assert (row.status, row.mode, row.price_fen, row.delivery_fee_fen) == ("placed", "pickup", 1100, 0)


def test_changing_an_order_keeps_capacity_right(app, ctx, meals, clock):
    first = order(ctx, "son", TUESDAY, portions=1)
    order(ctx, "coord", TUESDAY, elder="elder2", portions=2)

    def grow(c, users, elder):
        row = db.session.get(Order, first)
        menu = menus.menu_for(c, TUESDAY, "lunch")
        orders.change_order(c, users["son"], row, menu.dishes[1].id, "dine_in", 2)

    with pytest.raises(ValidationFailed, match="full"):
        ctx(grow)


def test_bad_choices_get_clear_messages(app, ctx, meals, clock):
    def place(c, users, elder, **kwargs):
        menu = menus.menu_for(c, TUESDAY, "lunch")
        values = {"dish_id": menu.dishes[0].id, "mode": "delivery", "portions": 1, **kwargs}
        return orders.place_order(c, users["son"], elder, menu, **values)

    for kwargs, field in (({"dish_id": 999}, "dish_id"), ({"mode": "drone"}, "mode"), ({"portions": 9}, "portions"),
                          ({"portions": "two"}, "portions")):
        with pytest.raises(ValidationFailed) as error:
            ctx(lambda c, users, elder, kw=kwargs: place(c, users, elder, **kw))
        assert error.value.field == field
    assert order_count(app) == 0


def test_an_unpublished_menu_cannot_be_ordered(app, ctx, meals, clock):
    def draft_and_order(c, users, elder):
        from timebank.errors import NotFound

        menu = menus.save_menu(c, users["cook"], WEDNESDAY.replace(day=27), "lunch", 5,
                               [menus.DishInput("套餐A", "", "12")])
        with pytest.raises(NotFound):
            orders.place_order(c, users["son"], elder, menu, menu.dishes[0].id, "pickup")

    ctx(draft_and_order)


def test_the_elder_hears_when_family_orders(app, ctx, meals, clock, login, client):
    login("elder")  # reads the app in English: the message and its parameters (the slot, the day) are in English
    order(ctx, "son", TUESDAY)
    assert "赵小明 ordered Lunch for Nov 24, 2026: 套餐A. You pay ¥14.00." in client.get("/inbox").get_data(as_text=True)
