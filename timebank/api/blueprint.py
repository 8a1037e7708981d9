"""``ApiBlueprint``: a flask-smorest blueprint that authenticates by token and answers errors as problem+json.

The core's API and every plugin's API (``timebank_api_blueprints``) are made of these. Each one, wherever it is
mounted, runs :func:`timebank.api.auth.authenticate_request` before its views, refuses input with the NUL
character, renders every error with :func:`timebank.api.errors.handle_api_error` and marks its answers as private
to the caller.
"""

import flask_smorest
from flask import request

from ..errors import NotFound
from ..i18n import _
from .auth import authenticate_request
from .errors import ApiProblem, handle_api_error
from .schemas import MAX_ID


def _fields_with_nul(value, path=""):
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found += [name] if "\x00" in str(key) else []
            found += _fields_with_nul(item, name)
        return found
    if isinstance(value, list):
        return [name for item in value for name in _fields_with_nul(item, path)]
    return []


def refuse_nul_characters():
    """No field of the API takes the NUL character, and PostgreSQL cannot store it in text: a clear 422 up front
    instead of a database error deep inside a service. (The core answers 400 to NUL in a query string or a form;
    this covers JSON bodies and path parameters.)"""
    found = _fields_with_nul(request.get_json(silent=True)) if request.is_json else []
    found += [name for name, value in (request.view_args or {}).items() if "\x00" in str(value)]
    if found:
        message = _("Text cannot contain the NUL character (\\u0000).")
        raise ApiProblem(422, message, code="validation_failed",
                         errors=[{"field": name or None, "message": message} for name in dict.fromkeys(found)])


def refuse_impossible_ids():
    """An id in the path beyond what the database holds does not exist: 404, without asking the database (which
    would fail on PostgreSQL)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise NotFound(value)


def _private_answers(response):
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.vary.add("Authorization")
    return response


class ApiBlueprint(flask_smorest.Blueprint):
    """A blueprint of the JSON API. Declare scopes with ``timebank.api.scope`` and ``timebank.api.public``."""

    def __init__(self, name, import_name, **kwargs):
        super().__init__(name, import_name, **kwargs)
        self.before_request(authenticate_request)
        self.before_request(refuse_nul_characters)
        self.before_request(refuse_impossible_ids)
        self.register_error_handler(Exception, handle_api_error)
        self.after_request(_private_answers)
