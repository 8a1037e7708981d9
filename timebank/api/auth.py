"""Who is calling the API, and what the call may do.

* The API authenticates **only** by ``Authorization: Bearer <token>``. API requests get an empty session that is
  never saved (:class:`ApiSessionInterface`): a browser's session cookie never authenticates an API call, and no
  API response sets a cookie. That is also why the API blueprints are exempt from CSRF.
* Every view needs a scope: ``read`` for GET by default; a view that changes something declares its scope with
  :func:`scope` (``check-in`` or ``coordinate``); :func:`public` marks a view anybody may call. The application
  refuses to start when a non-GET API view declares neither.
* Inside a community (``/api/v1/communities/<community>/...``) the caller must be an active member (or a district
  admin), and a plugin's endpoints answer 404 where the plugin is off: the rules of the web pages.
"""

import hashlib

from flask import current_app, g, request
from flask.sessions import SecureCookieSession, SessionInterface
from flask_babel import refresh as refresh_babel
from flask_limiter.util import get_remote_address

from ..communities.services import active_membership
from ..errors import NotFound
from ..extensions import login_manager
from ..i18n import _
from ..plugin_state import require_enabled
from .errors import ApiProblem
from .tokens import READ, SCOPES, token_for_secret

API_PATH = "/api/"
ANY_SCOPE = "any"
READ_METHODS = ("GET", "HEAD", "OPTIONS")
CHALLENGE = 'Bearer realm="timebank"'


def is_api_path(path):
    return path == API_PATH.rstrip("/") or path.startswith(API_PATH)


# --- Declaring what a view needs ---------------------------------------------------------------------------------


def scope(name):
    """The scope a view needs (``"read"``, ``"check-in"``, ``"coordinate"``, or ``"any"`` for any valid token)."""
    if name not in SCOPES and name != ANY_SCOPE:
        raise ValueError(f"unknown API scope {name!r}")

    def decorator(view):
        view.api_scope = name
        _document(view, {"security": [{"bearerAuth": []}], "x-required-scope": name})
        return view

    return decorator


def public(view):
    """Mark a view that needs no token (certificate verification, logging in)."""
    view.api_public = True
    _document(view, {"security": []})
    return view


def any_account(view):
    """Let the owner of any valid token call a view inside a community, not only its members (the web's rule for
    objecting to a public notice). The scope is still checked."""
    view.api_any_account = True
    return view


def _document(view, extra):
    apidoc = getattr(view, "_apidoc", None)
    if apidoc is None:
        apidoc = view._apidoc = {}
    manual = apidoc.setdefault("manual_doc", {})
    manual.update(extra)


def required_scope(view, method):
    """The scope ``view`` needs for ``method``, ``None`` for a public view; ``LookupError`` when undeclared."""
    if getattr(view, "api_public", False):
        return None
    declared = getattr(view, "api_scope", None)
    if declared is not None:
        return declared
    if method in READ_METHODS:
        return READ
    raise LookupError("an API view that changes something must declare @scope(...) or @public")


# --- Per request -------------------------------------------------------------------------------------------------


def _bearer_secret():
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(401, _("Send the token as: Authorization: Bearer <token>."), code="invalid_token",
                         headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_request"'})
    return secret.strip()


def authenticate_request():
    """``before_request`` of every API blueprint: find the token, check the scope and the community."""
    view = current_app.view_functions.get(request.endpoint)
    needed = required_scope(view, request.method) if view is not None else READ
    token = None
    if needed is not None:
        secret = _bearer_secret()
        if secret is None:
            raise ApiProblem(401, headers={"WWW-Authenticate": CHALLENGE})
        token = token_for_secret(secret)
        if token is None:
            raise ApiProblem(401, _("The access token is not valid: it is unknown, expired or revoked."),
                             code="invalid_token", headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'})
    g.api_token = token
    # Flask-Login's current_user is the token's owner (or anonymous): never the user of a session cookie.
    g._login_user = token.user if token is not None else login_manager.anonymous_user()
    refresh_babel()  # messages in the token owner's language
    if token is not None and needed != ANY_SCOPE and needed not in token.scope_list:
        raise ApiProblem(403, _("This token does not have the “%(scope)s” permission.", scope=needed),
                         code="insufficient_scope",
                         headers={"WWW-Authenticate": CHALLENGE + f', error="insufficient_scope", scope="{needed}"'})
    _check_community(token, view)


def _check_community(token, view):
    community = g.get("community")
    if community is None:
        return
    plugin = current_app.extensions["timebank_api"].blueprint_plugins.get(request.blueprint or "")
    if token is None:
        if plugin is not None:
            require_enabled(plugin, community)
        return
    user = token.user
    if not (user.is_district_admin or getattr(view, "api_any_account", False)) and \
            active_membership(user, community) is None:
        raise NotFound(community.slug)
    if plugin is not None:
        require_enabled(plugin, community)  # NotEnabled: 404, like the plugin's pages


def current_token():
    return g.get("api_token")


def api_user():
    """The owner of the token of this request."""
    token = g.get("api_token")
    return token.user if token is not None else None


def rate_limit_key():
    """Per credential when a token is sent (a hash: tokens never reach the limiter's log), else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:24]
    return "api-ip:" + (get_remote_address() or "")


# --- Sessions ------------------------------------------------------------------------------------------------------


class ApiSessionInterface(SessionInterface):
    """Wraps the application's session interface: API requests get a fresh, empty session that is never saved."""

    def __init__(self, inner):
        self.inner = inner

    def open_session(self, app, request):
        if is_api_path(request.path):
            return SecureCookieSession()
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response):
        if is_api_path(request.path):
            return None
        return self.inner.save_session(app, session, response)

    def make_null_session(self, app):
        return self.inner.make_null_session(app)

    def is_null_session(self, obj):
        return self.inner.is_null_session(obj)

    def __getattr__(self, name):
        return getattr(self.inner, name)
