"""``ApiBlueprint``: a flask-smorest blueprint that authenticates by token and answers errors as problem+json.

The core's API and every plugin's API (``timebank_api_blueprints``) are made of these. Each one, wherever it is
mounted, runs :func:`timebank.api.auth.authenticate_request` before its views, renders every error with
:func:`timebank.api.errors.handle_api_error` and marks its answers as private to the caller.
"""

import flask_smorest

from .auth import authenticate_request
from .errors import handle_api_error


def _private_answers(response):
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.vary.add("Authorization")
    return response


class ApiBlueprint(flask_smorest.Blueprint):
    """A blueprint of the JSON API. Declare scopes with ``timebank.api.scope`` and ``timebank.api.public``."""

    def __init__(self, name, import_name, **kwargs):
        super().__init__(name, import_name, **kwargs)
        self.before_request(authenticate_request)
        self.register_error_handler(Exception, handle_api_error)
        self.after_request(_private_answers)
