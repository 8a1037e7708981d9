"""The QR check-in API: coming shifts, my shifts, sign-up, and the scan that checks in or out.

Mounted by the core at ``/api/v1/communities/<community>/p/qr-checkin``. Views parse input and call the plugin's
services (``attendance.scan``, ``services.sign_up``...), which hold every rule.
"""

from datetime import timedelta

from flask import g

from timebank.api import CHECK_IN, ApiBlueprint, ApiProblem, api_user, idempotent, scope
from timebank.clock import now
from timebank.i18n import _
from timebank.stored_text import shown_text

from . import attendance, codes, services, tokens
from .api_schemas import (
    MyShiftsSchema,
    ScanRequestSchema,
    ScanResultSchema,
    ShiftListSchema,
    ShiftQuerySchema,
    SignupSchema,
)

bp = ApiBlueprint("qr_checkin_api", __name__, description="Duty shifts and QR check-in.")

PROBLEM_TEXTS = {
    "expired": "This code has expired",
    "policy": "This post uses another kind of code",
    "withdrawn": "This poster is no longer valid",
    "invalid": "This is not a valid check-in code",
}


def post_data(post):
    return {"id": post.id, "name": post.name, "place": post.place, "kind": post.kind, "risky": post.risky}


def shifts_data(shifts, user):
    ids = [shift.id for shift in shifts]
    counts, mine = services.signup_counts(ids), services.my_signups(user, ids)
    return [{"id": shift.id, "post": post_data(shift.post), "starts_at": shift.starts_at, "ends_at": shift.ends_at,
             "capacity": shift.capacity, "confirmed": counts.get(shift.id, (0, 0))[0],
             "waiting": counts.get(shift.id, (0, 0))[1],
             "my_signup": mine[shift.id].status if shift.id in mine else None, "note": shift.note}
            for shift in shifts]


def attendance_data(found):
    if found is None:
        return None
    return {"id": found.id, "shift_id": found.shift_id, "post_name": found.shift.post.name,
            "checked_in_at": found.checked_in_at, "checked_out_at": found.checked_out_at, "minutes": found.minutes,
            "auto_closed": found.auto_closed, "record_id": found.record_id,
            "no_hours_reason": shown_text(found.no_hours_reason)}


@bp.route("/shifts", methods=["GET"])
@bp.etag
@bp.arguments(ShiftQuerySchema, location="query")
@bp.response(200, ShiftListSchema)
def list_shifts(query):
    """Coming shifts, with free places and my sign-up"""
    start = now() - timedelta(hours=2)
    shifts = services.shifts_between(g.community, start, start + timedelta(days=query["days"]))
    return {"items": shifts_data(shifts, api_user())}


@bp.route("/my-shifts", methods=["GET"])
@bp.etag
@bp.response(200, MyShiftsSchema)
def my_shifts():
    """My coming shifts and my latest check-ins"""
    user = api_user()
    return {"upcoming": shifts_data(services.upcoming_for(g.community, user), user),
            "recent_attendance": [attendance_data(found) for found in
                                  attendance.my_attendances(g.community, user, limit=20)]}


@bp.route("/shifts/<int:shift_id>/signup", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.response(201, SignupSchema)
def sign_up(shift_id):
    """Sign up for a shift (a place, or the waiting list when it is full)"""
    signup = services.sign_up(services.shift_in(g.community, shift_id), g.community, api_user())
    message = _("You are on duty: thank you!") if signup.status == "confirmed" else _(
        "The shift is full: you are on the waiting list.")
    return {"shift_id": shift_id, "status": signup.status, "message": message}


@bp.route("/shifts/<int:shift_id>/signup", methods=["DELETE"])
@scope(CHECK_IN)
@bp.response(204)
def leave(shift_id):
    """Give my place back (before the shift starts)"""
    services.cancel_signup(services.shift_in(g.community, shift_id), g.community, api_user())
    return None


def _token_from(value):
    """The token itself, also when the whole address of the QR code was sent (``.../scan/<token>``)."""
    value = value.strip()
    return value.rstrip("/").rsplit("/scan/", 1)[-1] if "/scan/" in value else value


def _post_for(body):
    if body.get("token"):
        try:
            post, _community, method = codes.post_for_token(_token_from(body["token"]), g.community)
        except tokens.InvalidToken as error:
            raise ApiProblem(422, _(PROBLEM_TEXTS.get(error.reason, PROBLEM_TEXTS["invalid"])),
                             code=f"code_{error.reason}", errors=[{"field": "token", "message": _(
                                 PROBLEM_TEXTS.get(error.reason, PROBLEM_TEXTS["invalid"]))}]) from None
        return post, method
    if body.get("code"):
        post = codes.post_for_fallback_code(g.community, body["code"])
        if post is None:
            message = _("This code is not valid (any more). Look at the screen again: the code changes every few "
                        "minutes.")
            raise ApiProblem(422, message, code="code_invalid", errors=[{"field": "code", "message": message}])
        return post, "fallback"
    message = _("Send the scanned code (token) or the six-digit code.")
    raise ApiProblem(422, message, code="validation_failed", errors=[{"field": "token", "message": message}])


@bp.route("/scans", methods=["POST"])
@scope(CHECK_IN)
@idempotent
@bp.arguments(ScanRequestSchema)
@bp.response(200, ScanResultSchema)
def scan(body):
    """Scan a post's code: check in, or check out when already in

    Send an `Idempotency-Key` with each scan: a retry over a bad connection then gets the first answer and
    changes nothing. A second scan within a minute (`repeated`) changes nothing either.
    """
    post, method = _post_for(body)
    result = attendance.scan(post, g.community, api_user(), method, body.get("latitude"), body.get("longitude"))
    if result.outcome == "not_volunteer":
        raise ApiProblem(403, _("Only registered volunteers check in"), code="not_volunteer")
    if result.outcome == "limit":
        raise ApiProblem(422, _("You have checked in at this post the most times allowed in one day. Please talk "
                                "to the leader."), code="checkin_limit")
    if result.outcome == "no_shift":
        detail = _("No shift is open now")
        if result.next_shift is not None:
            detail = f"{detail}. " + _("The next one starts %(when)s.", when=result.next_shift.starts_at.isoformat())
        raise ApiProblem(422, detail, code="no_open_shift")
    messages = {"checked_in": _("Checked in"), "checked_out": _("Checked out"), "repeated": _(
        "You scanned a moment ago; nothing more was recorded.")}
    return {"outcome": result.outcome, "message": messages[result.outcome], "post": post_data(post),
            "shift": shifts_data([result.shift], api_user())[0], "attendance": attendance_data(result.attendance)}
