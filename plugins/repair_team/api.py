"""The repair team's API: a resident's requests (make one, follow it, cancel, sign off, rate) and a volunteer's
jobs (on the way, start, finish, hand back). Mounted at ``/api/v1/communities/<community>/p/repair-team``.

Views parse input and call the plugin's services (``services``, ``workflow``, ``dispatch``), which hold every
rule: who may do what, in which status, with which message.
"""

from flask import g, url_for
from marshmallow import Schema, fields, validate

from timebank.api import CHECK_IN, ApiBlueprint, PersonSchema, api_user, idempotent, person, scope
from timebank.communities.services import active_membership

from . import dispatch, services, workflow
from .vocabulary import CATEGORIES, CATEGORY_LABELS, STATUS_LABELS, STATUSES, URGENCIES

bp = ApiBlueprint("repair_team_api", __name__, description="Repair requests and the volunteers' jobs.")

ACTIONS = ("cancel", "sign_off", "rate", "on_the_way", "start", "finish", "hand_back")


class EventSchema(Schema):
    action = fields.String(required=True)
    note = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class OrderSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"example": "WX20261120-003"})
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    category_label = fields.String(required=True)
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    description = fields.String(required=True)
    address = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_label = fields.String(required=True)
    volunteer = fields.Nested(PersonSchema, allow_none=True)
    scheduled_at = fields.DateTime(allow_none=True)
    work_note = fields.String(required=True)
    rating = fields.Integer(allow_none=True)
    signoff_code = fields.String(allow_none=True, metadata={
        "description": "Only for the resident: the code to type on the volunteer's phone to sign off."})
    created_at = fields.DateTime(required=True)
    history = fields.List(fields.Nested(EventSchema))


class OrderListSchema(Schema):
    items = fields.List(fields.Nested(OrderSchema), required=True)


class NewRequestSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    description = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    urgency = fields.String(load_default="normal", validate=validate.OneOf(URGENCIES))
    household_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata={
        "description": "The home; leave out for the home on my membership."})
    preferred_days = fields.List(fields.Date(), load_default=list, validate=validate.Length(max=7))
    preferred_parts = fields.List(fields.String(validate=validate.OneOf(["am", "pm", "eve"])), load_default=list,
                                  validate=validate.Length(max=3))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=20))


class StatusChangeSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS), metadata={
        "description": "Resident: cancel, sign_off, rate. Volunteer: on_the_way, start, finish, hand_back."})
    reason = fields.String(load_default="", validate=validate.Length(max=200),
                           metadata={"description": "For cancel and hand_back."})
    work_note = fields.String(load_default="", validate=validate.Length(max=1000), metadata={"description": "finish"})
    referral_note = fields.String(load_default="", validate=validate.Length(max=200),
                                  metadata={"description": "finish (a gas check)"})
    code = fields.String(load_default="", validate=validate.Length(max=12),
                         metadata={"description": "sign_off on the volunteer's phone: the resident's code"})
    rating = fields.Integer(validate=validate.Range(min=1, max=5), metadata={"description": "rate"})
    comment = fields.String(load_default="", validate=validate.Length(max=500), metadata={"description": "rate"})


def order_data(order, user, with_history=False):
    data = {
        "id": order.id, "number": order.number, "category": order.category,
        "category_label": str(CATEGORY_LABELS.get(order.category, order.category)), "urgency": order.urgency,
        "description": order.description, "address": order.household.label, "status": order.status,
        "status_label": str(STATUS_LABELS.get(order.status, order.status)), "volunteer": person(order.volunteer),
        "scheduled_at": order.scheduled_at, "work_note": order.work_note, "rating": order.rating,
        "signoff_code": order.signoff_code if services.is_requester(order, user) else None,
        "created_at": order.created_at,
    }
    if with_history:
        data["history"] = [{"action": event.action, "note": event.note, "created_at": event.created_at}
                           for event in services.history_of(order)]
    return data


@bp.route("/requests", methods=["GET"])
@bp.etag
@bp.response(200, OrderListSchema)
def my_requests():
    """My repair requests, newest first"""
    user = api_user()
    return {"items": [order_data(order, user) for order in services.requests_of(g.community, user)]}


@bp.route("/requests", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.arguments(NewRequestSchema)
@bp.response(201, OrderSchema)
def create_request(body):
    """Ask for a repair (photos can be added on the web page)"""
    user = api_user()
    household_id = body.get("household_id") or getattr(active_membership(user, g.community), "household_id", None)
    order = services.submit_request(
        g.community, user, user, category=body["category"], description=body["description"],
        household_id=household_id, urgency=body["urgency"],
        preferred_days=[day.isoformat() for day in body["preferred_days"]], preferred_parts=body["preferred_parts"],
        contact_phone=body["contact_phone"])
    return order_data(order, user, True), 201, {"Location": url_for("repair_team_api.show_request",
                                                                     order_id=order.id)}


@bp.route("/requests/<int:order_id>", methods=["GET"])
@bp.etag
@bp.response(200, OrderSchema)
def show_request(order_id):
    """One request I made, or a job I do, with its history"""
    user = api_user()
    return order_data(services.visible_order(g.community, order_id, user), user, True)


@bp.route("/jobs", methods=["GET"])
@bp.etag
@bp.response(200, OrderListSchema)
def my_jobs():
    """The jobs I hold as a repair volunteer, by visit time"""
    user = api_user()
    return {"items": [order_data(order, user) for order in services.jobs_of(g.community, user)]}


@bp.route("/requests/<int:order_id>/status", methods=["POST"])
@scope(CHECK_IN)
@bp.arguments(StatusChangeSchema)
@bp.response(200, OrderSchema)
def change_status(body, order_id):
    """Move a request on: cancel, sign off or rate it (resident); on the way, start, finish or hand back (volunteer)

    The same rules as on the web pages: only the resident signs off and rates, only the volunteer doing the job
    moves it on, and each step only from the status it follows.
    """
    user = api_user()
    order = services.visible_order(g.community, order_id, user)
    action = body["action"]
    if action == "cancel":
        services.cancel_order(order, g.community, user, user, body["reason"])
    elif action == "sign_off":
        workflow.sign_off(order, g.community, user, user, code=body["code"])
    elif action == "rate":
        workflow.rate(order, g.community, user, user, body.get("rating"), body["comment"])
    elif action == "on_the_way":
        workflow.set_on_the_way(order, g.community, user)
    elif action == "start":
        workflow.start_work(order, g.community, user)
    elif action == "finish":
        workflow.finish_work(order, g.community, user, body["work_note"], body["referral_note"])
    else:
        dispatch.hand_back(order, g.community, user, body["reason"])
    return order_data(services.order_in(g.community, order_id), user, True)
