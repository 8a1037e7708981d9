"""Errors of the JSON API as problem details (RFC 9457, ``application/problem+json``).

Every error the API returns has the same shape::

    {"type": "about:blank", "status": 422, "code": "validation_failed", "title": "...",
     "detail": "Enter a whole number.", "errors": [{"field": "minutes", "message": "Enter a whole number."}],
     "instance": "/api/v1/communities/maple/claims"}

``title``, ``detail`` and the field messages are translated into the language of the token's owner (Simplified
Chinese by default). ``code`` is stable and meant for programs; the texts are meant for people.
"""

import logging
import re

from flask import current_app, json, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..errors import NotFound, PermissionDenied, TimebankError, ValidationFailed
from ..extensions import db
from ..i18n import _, _l

logger = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"

#: The stable ``code`` of each status, when nothing more specific applies.
CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 412: "precondition_failed", 413: "too_large",
    415: "unsupported_media_type", 422: "validation_failed", 428: "precondition_required", 429: "rate_limited",
    500: "internal_error", 503: "unavailable",
}

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Authentication is needed"),
    403: _l("You do not have permission to do this"),
    404: _l("Not found"),
    405: _l("This method is not allowed here"),
    409: _l("Please try again"),
    413: _l("The request is too large"),
    415: _l("Send the request body as JSON"),
    422: _l("Some input is not valid"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}

DETAILS = {
    400: _l("The request could not be understood. Check its syntax."),
    401: _l("Send a valid access token in the Authorization header: Bearer <token>."),
    403: _l("If you think you should have access, ask your community's coordinator."),
    404: _l("It does not exist, or it belongs to a community you are not a member of."),
    405: _l("This method is not allowed for this address."),
    409: _l("Someone else was changing the same thing at this moment. Nothing was saved; please try again."),
    413: _l("The request is too large."),
    415: _l("Send the request body as JSON (Content-Type: application/json)."),
    422: _l("Some input is not valid; see the errors of each field."),
    429: _l("Please wait a few minutes before trying again."),
    500: _l("Nothing you sent was lost. Please try again in a moment."),
}

#: Marshmallow's own messages (English) → what people read, in their language.
FIELD_MESSAGES = [
    (re.compile(r"^Missing data for required field\.$"), lambda m: _("This field is required.")),
    (re.compile(r"^Field may not be null\.$"), lambda m: _("This field is required.")),
    (re.compile(r"^Unknown field\.$"), lambda m: _("This field is not known here.")),
    (re.compile(r"^Not a valid integer\.$"), lambda m: _("Enter a whole number.")),
    (re.compile(r"^Not a valid number\.$"), lambda m: _("Enter a number.")),
    (re.compile(r"^Not a valid string\.$"), lambda m: _("Enter text.")),
    (re.compile(r"^Not a valid boolean\.$"), lambda m: _("Enter true or false.")),
    (re.compile(r"^Not a valid date\.$"), lambda m: _("Enter a date as YYYY-MM-DD.")),
    (re.compile(r"^Not a valid datetime\.$"), lambda m: _("Enter a date and time as ISO 8601, e.g. "
                                                           "2026-05-01T08:00:00+08:00.")),
    (re.compile(r"^Not a valid list\.$"), lambda m: _("Enter a list.")),
    (re.compile(r"^Invalid input type\.$"), lambda m: _("This value has the wrong type.")),
    (re.compile(r"^Invalid value\.$"), lambda m: _("This value is not valid.")),
    (re.compile(r"^Not a valid mapping type\.$"), lambda m: _("Send a JSON object.")),
    (re.compile(r"^Invalid JSON body\.$"), lambda m: _("The request body is not valid JSON.")),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"),
     lambda m: _("Enter at least %(min)s characters.", min=m.group(1))),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), lambda m: _("At most %(max)d characters.",
                                                                      max=int(m.group(1)))),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
     lambda m: _("Enter between %(min)s and %(max)s items or characters.", min=m.group(1), max=m.group(2))),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     lambda m: _("Enter a number from %(min)s to %(max)s.", min=m.group(1), max=m.group(2))),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"),
     lambda m: _("Enter a number of at least %(min)s.", min=m.group(1))),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"),
     lambda m: _("Enter a number of at most %(max)s.", max=m.group(1))),
    (re.compile(r"^Must be one of: (.*)\.$"), lambda m: _("Choose one of: %(choices)s.", choices=m.group(1))),
]


def translate_field_message(message):
    text = str(message)
    for pattern, translated in FIELD_MESSAGES:
        match = pattern.match(text)
        if match:
            return translated(match)
    return text


def flatten_field_errors(messages, prefix=""):
    """webargs/marshmallow's nested ``{"json": {"minutes": ["..."]}}`` → ``[{"field": "minutes", ...}]``."""
    found = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in ("json", "query", "headers", "form", "path", "view_args"):
                found += flatten_field_errors(value, "")
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            found += flatten_field_errors(value, name)
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(item, (str, bytes)) or hasattr(item, "__html__") or type(item).__name__ == "LazyString"
               for item in messages):
            found += [{"field": prefix or None, "message": translate_field_message(item)} for item in messages]
        else:
            for item in messages:
                found += flatten_field_errors(item, prefix)
    else:
        found.append({"field": prefix or None, "message": translate_field_message(messages)})
    return found


def problem(status, detail=None, code=None, errors=None, headers=None, title=None):
    """A ``application/problem+json`` response."""
    body = {
        "type": "about:blank",
        "status": status,
        "code": code or CODES.get(status, "error"),
        "title": str(title or TITLES.get(status, TITLES[400])),
        "detail": str(detail or DETAILS.get(status, DETAILS[400])),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM_MIMETYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ApiProblem(Exception):
    """Raised by API code for an answer that is not a domain error: a missing token, a wrong scope, a reused
    idempotency key."""

    def __init__(self, status, detail=None, code=None, headers=None, errors=None):
        super().__init__(code or CODES.get(status))
        self.status, self.detail, self.code, self.headers, self.errors = status, detail, code, headers, errors


def _http_problem(error):
    if error.code is None or error.code < 400:
        return error  # 304 Not Modified and redirects pass through
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if error.code == 405:
        headers.update({key: value for key, value in error.get_headers() if key == "Allow"})
    if error.code == 429:
        headers["Retry-After"] = str(_retry_after_seconds(error))
    messages = data.get("messages") or data.get("errors")
    if messages:
        return problem(error.code, errors=flatten_field_errors(messages), headers=headers)
    if error.code == 400 and isinstance(getattr(error, "description", None), str) and "JSON" in error.description:
        return problem(400, _("The request body is not valid JSON."), code="invalid_json", headers=headers)
    return problem(error.code, headers=headers)


def _retry_after_seconds(error):
    limit = getattr(error, "limit", None)
    try:
        return max(1, int(limit.limit.get_expiry()))
    except (AttributeError, TypeError, ValueError):
        return 60


def handle_api_error(error):
    """The error handler of every API blueprint (and of unmatched /api/ addresses)."""
    if isinstance(error, ApiProblem):
        return problem(error.status, error.detail, error.code, error.errors, error.headers)
    if isinstance(error, HTTPException):
        return _http_problem(error)
    db.session.rollback()
    if isinstance(error, ValidationFailed):
        code = "ledger_rejected" if type(error).__name__ == "LedgerRejected" else "validation_failed"
        errors = [{"field": error.field, "message": str(error.message)}] if error.field else None
        return problem(422, error.message, code=code, errors=errors)
    if isinstance(error, PermissionDenied):
        message = error.message if error.message and error.message != error.permission else None
        return problem(403, message)
    if isinstance(error, NotFound):
        return problem(404)
    if isinstance(error, TimebankError):
        return problem(error.status_code, error.message or None)
    if isinstance(error, OperationalError) and any(
            word in str(error.orig).lower() for word in ("locked", "could not serialize", "deadlock")):
        logger.warning("database busy on %s %s", request.method, request.path)
        return problem(409, code="busy", headers={"Retry-After": "1"})
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500)
