"""The elder meals API: menus, the elders I may order for, ordering (once, even when retried), cancelling, the
cut-off, and who may see and do what (other elders, other communities, scopes, the plugin switched off)."""

import pytest

from timebank.extensions import db

from .conftest import TUESDAY, WEDNESDAY, at

BASE = "/api/v1/communities/maple/p/elder-meals"


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "10000 per minute", "API_RATE_LIMIT_PER_IP": "10000 per minute"}


@pytest.fixture
def token(app, meals):
    from timebank.api.tokens import create_personal_token
    from timebank.identity.models import User

    def make(username, scopes=("read", "check-in")):
        with app.app_context():
            user = db.session.scalar(db.select(User).where(User.username == username))
            return create_personal_token(user, "test", list(scopes), 30)[1]

    return make


def call(client, method, path, secret, **kwargs):
    headers = {"Authorization": f"Bearer {secret}", **kwargs.pop("headers", {})}
    return client.open(BASE + path, method=method, headers=headers, **kwargs)


def test_menus_show_dishes_portions_left_and_the_cut_off(client, meals, token):
    menus = call(client, "GET", "/menus", token("neighbour"))
    assert menus.status_code == 200, menus.json
    items = menus.json["items"]
    assert [item["meal_date"] for item in items] == [TUESDAY.isoformat(), WEDNESDAY.isoformat(), "2026-11-26"]
    tuesday = items[0]
    assert tuesday["slot"] == "lunch" and tuesday["open"] is True and tuesday["portions_left"] == 3
    assert [dish["name"] for dish in tuesday["dishes"]] == ["套餐A", "软食套餐"]
    assert tuesday["dishes"][0]["price_fen"] == 1300 and tuesday["dishes"][1]["soft"] is True
    assert tuesday["cutoff"] == "2026-11-23T18:00:00+08:00"  # 18:00 the day before, Shanghai time
    assert call(client, "GET", "/menus?days=1", token("neighbour")).json["items"] == []  # today has no menu
    assert call(client, "GET", "/menus?days=99", token("neighbour")).status_code == 422
    etag = menus.headers["ETag"]
    again = call(client, "GET", "/menus", token("neighbour"), headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_family_orders_once_sees_it_and_cancels_it(app, client, meals, token):
    son = token("son")
    elders = call(client, "GET", "/elders", son).json["items"]
    assert elders == [{"id": meals["elder_id"], "name": "赵大爷", "relation": "family"}]
    assert call(client, "GET", "/elders", token("elder")).json["items"][0]["relation"] == "self"
    body = {"menu_id": meals["menus"][TUESDAY], "dish_id": meals["dishes"][TUESDAY][1], "mode": "delivery"}
    path = f"/elders/{meals['elder_id']}/orders"
    placed = call(client, "POST", path, son, json=body, headers={"Idempotency-Key": "meal-1"})
    assert placed.status_code == 201, placed.json
    order = placed.json
    assert order["dish"] == "软食套餐" and order["status"] == "placed" and order["portions"] == 1
    assert order["mode_label"] == "送餐上门"  # in the son's language
    from timebank_plugins.elder_meals.models import Order

    with app.app_context():
        assert order["due_fen"] == db.session.get(Order, order["id"]).due_fen > 0  # the service's price
    assert "diet_notes" not in order and "welfare" not in str(order)
    retried = call(client, "POST", path, son, json=body, headers={"Idempotency-Key": "meal-1"})
    assert retried.status_code == 201 and retried.json == order
    assert retried.headers["Idempotent-Replayed"] == "true"
    second = call(client, "POST", path, son, json=body, headers={"Idempotency-Key": "meal-2"})
    assert second.status_code == 422 and second.json["code"] == "validation_failed"  # already has lunch that day
    listed = call(client, "GET", path, son).json["items"]
    assert [item["id"] for item in listed] == [order["id"]]
    menus = call(client, "GET", "/menus", son).json["items"]
    assert menus[0]["portions_left"] == 2

    cancelled = call(client, "POST", f"/orders/{order['id']}/cancel", son)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    again = call(client, "POST", f"/orders/{order['id']}/cancel", son)
    assert again.status_code == 422 and again.json["detail"]
    assert call(client, "GET", "/menus", son).json["items"][0]["portions_left"] == 3


def test_the_cut_off_and_bad_input_get_clear_answers(client, clock, meals, token):
    elder = token("elder")
    path = f"/elders/{meals['elder_id']}/orders"
    missing = call(client, "POST", path, elder, json={"menu_id": meals["menus"][TUESDAY]})
    assert missing.status_code == 422
    assert {error["field"] for error in missing.json["errors"]} == {"dish_id", "mode"}
    bad_mode = call(client, "POST", path, elder, json={"menu_id": meals["menus"][TUESDAY], "mode": "drone",
                                                       "dish_id": meals["dishes"][TUESDAY][0]})
    assert bad_mode.status_code == 422 and bad_mode.json["errors"][0]["field"] == "mode"
    unknown_menu = call(client, "POST", path, elder, json={"menu_id": 999999, "mode": "pickup",
                                                           "dish_id": meals["dishes"][TUESDAY][0]})
    assert unknown_menu.status_code == 404
    other_dish = call(client, "POST", path, elder, json={"menu_id": meals["menus"][TUESDAY], "mode": "pickup",
                                                         "dish_id": meals["dishes"][WEDNESDAY][0]})
    assert other_dish.status_code in (404, 422)
    at(clock, TUESDAY, 8)  # after 18:00 on Monday: Tuesday's orders are closed
    late = call(client, "POST", path, elder, json={"menu_id": meals["menus"][TUESDAY], "mode": "pickup",
                                                   "dish_id": meals["dishes"][TUESDAY][0]})
    assert late.status_code == 422 and "18:00" in late.json["detail"]
    assert call(client, "GET", "/menus", elder).json["items"][0]["open"] is False


def test_other_elders_communities_scopes_and_a_switched_off_plugin(app, client, make, meals, token):
    path = f"/elders/{meals['elder_id']}/orders"
    body = {"menu_id": meals["menus"][TUESDAY], "dish_id": meals["dishes"][TUESDAY][0], "mode": "dine_in"}
    neighbour = token("neighbour")
    refused = call(client, "POST", path, neighbour, json=body)
    assert refused.status_code == 403 and refused.json["code"] == "forbidden" and "赵大爷" in refused.json["detail"]
    assert call(client, "GET", path, neighbour).status_code == 403
    assert call(client, "POST", path, token("son", scopes=("read",)), json=body).json["code"] == "insufficient_scope"
    order_id = call(client, "POST", path, token("son"), json=body).json["id"]
    assert call(client, "POST", f"/orders/{order_id}/cancel", neighbour).status_code == 403
    assert call(client, "GET", f"/elders/{meals['elder_id']}/orders", token("gridw")).status_code == 200

    make.community("oak", "橡树社区")
    make.member("oak", "oakie", role="coordinator", display_name="周强")
    outsider = token("oakie")
    assert call(client, "GET", "/menus", outsider).status_code == 404
    assert call(client, "POST", f"/orders/{order_id}/cancel", outsider).status_code == 404
    oak_path = f"/api/v1/communities/oak/p/elder-meals/elders/{meals['elder_id']}/orders"
    assert client.get(oak_path, headers={"Authorization": f"Bearer {outsider}"}).status_code == 404

    from timebank.communities.models import Community
    from timebank.plugin_state import set_plugin_enabled

    with app.app_context():
        set_plugin_enabled(db.session.get(Community, meals["community"]), "elder_meals", False)
    off = call(client, "GET", "/menus", token("son"))
    assert off.status_code == 404 and off.headers["Content-Type"] == "application/problem+json"
