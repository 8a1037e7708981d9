"""The elder meals API: the menu, the elders I may order for, their orders, ordering and cancelling.

Mounted at ``/api/v1/communities/<community>/p/elder-meals``. Who may order for whom (the elder, family with
permission, the grid worker, the canteen), the cut-off, capacity and prices are the rules of ``orders`` and
``services``; the views only parse and answer. Welfare status, age bracket and diet notes are never returned.
"""

from datetime import timedelta

from flask import g
from marshmallow import Schema, fields, validate

from timebank.api import CHECK_IN, ApiBlueprint, api_user, idempotent, scope

from . import menus, orders, services
from .policy import MODE_LABELS, ORDER_STATUS_LABELS, SLOT_LABELS, cutoff_for, meal_policy

bp = ApiBlueprint("elder_meals_api", __name__, description="Meals for elders: menu, orders, cancelling.")


class DishSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    price_fen = fields.Integer(required=True, metadata={"description": "Price of one portion, in fen (1/100 yuan)."})
    soft = fields.Boolean(required=True)
    low_salt = fields.Boolean(required=True)
    low_sugar = fields.Boolean(required=True)


class MenuSchema(Schema):
    id = fields.Integer(required=True)
    meal_date = fields.Date(required=True)
    slot = fields.String(required=True, validate=validate.OneOf(list(SLOT_LABELS)))
    slot_label = fields.String(required=True)
    note = fields.String(required=True)
    portions_left = fields.Integer(required=True)
    open = fields.Boolean(required=True, metadata={"description": "Orders can still be placed or changed."})
    cutoff = fields.DateTime(required=True)
    dishes = fields.List(fields.Nested(DishSchema), required=True)


class MenuListSchema(Schema):
    items = fields.List(fields.Nested(MenuSchema), required=True)


class DaysQuerySchema(Schema):
    days = fields.Integer(load_default=8, validate=validate.Range(min=1, max=31))


class ElderSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(["self", "family"]))


class ElderListSchema(Schema):
    items = fields.List(fields.Nested(ElderSchema), required=True)


class OrderSchema(Schema):
    id = fields.Integer(required=True)
    elder_id = fields.Integer(required=True)
    menu_id = fields.Integer(required=True)
    meal_date = fields.Date(required=True)
    slot = fields.String(required=True)
    dish = fields.String(required=True)
    mode = fields.String(required=True, validate=validate.OneOf(list(MODE_LABELS)))
    mode_label = fields.String(required=True)
    portions = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(list(ORDER_STATUS_LABELS)))
    status_label = fields.String(required=True)
    due_fen = fields.Integer(required=True, metadata={"description": "What the elder pays, subsidy deducted."})


class OrderListSchema(Schema):
    items = fields.List(fields.Nested(OrderSchema), required=True)


class NewOrderSchema(Schema):
    menu_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    dish_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    mode = fields.String(required=True, validate=validate.OneOf(list(MODE_LABELS)))
    portions = fields.Integer(load_default=1, validate=validate.Range(min=1, max=5))


def dish_data(dish):
    return {"id": dish.id, "name": dish.name, "description": dish.description, "price_fen": dish.price_fen,
            "soft": dish.soft, "low_salt": dish.low_salt, "low_sugar": dish.low_sugar}


def order_data(order):
    return {"id": order.id, "elder_id": order.elder_id, "menu_id": order.menu_id, "meal_date": order.meal_date,
            "slot": order.slot, "dish": order.dish.name if order.dish else "", "mode": order.mode,
            "mode_label": str(MODE_LABELS.get(order.mode, order.mode)), "portions": order.portions,
            "status": order.status, "status_label": str(ORDER_STATUS_LABELS.get(order.status, order.status)),
            "due_fen": order.due_fen}


def _elder_i_may_order_for(elder_id):
    elder = services.elder_in(g.community, elder_id)
    services.require_order_for(api_user(), elder, g.community)
    return elder


@bp.route("/menus", methods=["GET"])
@bp.etag
@bp.arguments(DaysQuerySchema, location="query")
@bp.response(200, MenuListSchema)
def list_menus(query):
    """The published menus from today on, with the portions left and the cut-off"""
    policy = meal_policy(g.community)
    today = services.local_today(g.community)
    found = menus.menus_between(g.community, today, today + timedelta(days=query["days"] - 1))
    taken = menus.ordered_portions([menu.id for menu in found])
    return {"items": [{
        "id": menu.id, "meal_date": menu.meal_date, "slot": menu.slot, "slot_label": str(SLOT_LABELS[menu.slot]),
        "note": menu.note, "portions_left": max(menu.capacity - taken.get(menu.id, 0), 0),
        "open": orders.is_open_for(g.community, policy, menu.meal_date),
        "cutoff": cutoff_for(policy, g.community, menu.meal_date),
        "dishes": [dish_data(dish) for dish in menu.dishes]} for menu in found]}


@bp.route("/elders", methods=["GET"])
@bp.etag
@bp.response(200, ElderListSchema)
def my_elders():
    """The elders I may order for: myself when enrolled, and relatives who allowed me"""
    user = api_user()
    items = []
    own = services.enrolment_of(user, g.community)
    if own is not None and own.status == "active":
        items.append({"id": own.id, "name": user.display_name, "relation": "self"})
    for link in services.family_links_of(user, g.community, ordering=True):
        items.append({"id": link.elder_id, "name": link.elder.user.display_name, "relation": "family"})
    return {"items": items}


@bp.route("/elders/<int:elder_id>/orders", methods=["GET"])
@bp.etag
@bp.arguments(DaysQuerySchema, location="query")
@bp.response(200, OrderListSchema)
def list_orders(query, elder_id):
    """An elder's orders from today on (cancelled ones too)"""
    elder = services.elder_in(g.community, elder_id)
    services.require_account_access(api_user(), elder, g.community)
    today = services.local_today(g.community)
    return {"items": [order_data(order) for order in
                      orders.orders_of(elder, today, today + timedelta(days=query["days"] - 1))]}


@bp.route("/elders/<int:elder_id>/orders", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.arguments(NewOrderSchema)
@bp.response(201, OrderSchema)
def place_order(body, elder_id):
    """Order a meal for an elder (before the cut-off; one order per elder, day and meal)"""
    elder = _elder_i_may_order_for(elder_id)
    menu = menus.menu_in(g.community, body["menu_id"])
    placed = orders.place_order(g.community, api_user(), elder, menu, body["dish_id"], body["mode"],
                                body["portions"])
    return order_data(placed)


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
@scope(CHECK_IN)
@bp.response(200, OrderSchema)
def cancel_order(order_id):
    """Cancel an order (before the cut-off)"""
    found = orders.order_in(g.community, order_id)
    return order_data(orders.cancel_order(g.community, api_user(), found))
