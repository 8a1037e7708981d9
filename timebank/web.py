"""What every page shares: login manager, rate limits, security headers, error pages, template helpers."""

import logging
from datetime import date

from flask import abort, current_app, g, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from . import addresses, i18n, layout
from .communities import context as community_context
from .errors import NotFound, PermissionDenied, TimebankError, ValidationFailed
from .extensions import db, login_manager
from .hookspecs import TEMPLATE_SLOTS
from .i18n import _, _l
from .stored_text import shown_text

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; manifest-src 'self'"
)


#: PostgreSQL errors that mean "someone else was changing the same rows": serialization failure, deadlock, lock
#: timeout. Nothing was saved and trying again works.
BUSY_SQLSTATES = {"40001", "40P01", "55P03"}

#: Ids in URLs beyond a 64-bit integer cannot exist (and SQLite cannot even compare them): such pages are 404.
MAX_ID = 2**63 - 1
#: The highest page number a list accepts from the query string (offsets stay far below MAX_ID).
MAX_PAGE = 100_000


def install(app):
    _install_login(app)
    _install_rate_limits(app)
    app.before_request(_refuse_impossible_ids)
    app.before_request(_refuse_nul_bytes)
    community_context.install(app)
    _install_error_pages(app)
    _install_template_helpers(app)
    addresses.install(app)
    app.after_request(_security_headers)
    app.before_request(_remember_community)
    app.before_request(layout.mark_change)


# --- Login -----------------------------------------------------------------------------------------------------


def _install_login(app):
    login_manager.login_view = "identity.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)


def _load_user(session_id):
    from .identity.models import User

    user_id, _sep, version = str(session_id).partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.disabled or user.session_version != int(version):
        return None  # a changed password logs out every other session
    return user


def _install_rate_limits(app):
    from .identity.services import normalise_username

    limiter = Limiter(key_func=get_remote_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    # Flask-Limiter registers itself in app.extensions only when enabled, and decorated views hold it weakly: with
    # RATELIMIT_ENABLED = False it would be collected and every decorated view would fail. The app keeps it.
    app.extensions["timebank.limiter"] = limiter

    def failed_login(response):
        return response.status_code != 302

    def account_key():
        return "login-account:" + normalise_username(request.form.get("username", ""))

    view = app.view_functions["identity.login"]
    view = limiter.limit(lambda: app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=failed_login)(view)
    view = limiter.limit(lambda: app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=account_key, methods=["POST"],
                         deduct_when=failed_login)(view)
    app.view_functions["identity.login"] = view

    # Certificate numbers are unguessable, and a run of wrong ones from one address is somebody trying: only the
    # misses count, so a real check (a 200) is never slowed down.
    verify_limit = limiter.shared_limit(lambda: app.config["VERIFY_MISSES_PER_IP"], scope="certificate-verify",
                                        deduct_when=lambda response: response.status_code == 404)
    for endpoint in ("ledger_public.verify", "ledger_public.verify_number"):
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = verify_limit(app.view_functions[endpoint])


def _refuse_impossible_ids():
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            raise NotFound(value)


def _refuse_nul_bytes():
    """A NUL character is never meaningful input, and PostgreSQL cannot store one in text: such requests are 400."""
    sources = [request.args] + ([request.form] if request.method in ("POST", "PUT", "PATCH") else [])
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                abort(400)


def page_arg():
    """The ``?page=`` number of a list: 1 when missing or malformed, never beyond ``MAX_PAGE``."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


#: Years a report or a filter can be about (``date`` itself stops at 9999; the ledger starts long after 1949).
YEARS = range(1949, 2200)


def year_arg(name="year"):
    """A ``?year=`` filter: an int in ``YEARS``, else ``None`` (missing, malformed, or out of any calendar)."""
    value = (request.args.get(name) or "").strip()
    if not (value.isdigit() and len(value) == 4):
        return None
    year = int(value)
    return year if year in YEARS else None


#: The days a ``?day=`` or ``?week=`` may name: those of ``YEARS``. A page also shows the day's neighbours (the day
#: before, next week), and ``date`` holds neither the day before 0001-01-01 nor the day after 9999-12-31.
FIRST_DAY, LAST_DAY = date(YEARS.start, 1, 1), date(YEARS.stop - 1, 12, 31)


def parse_day(text, first=FIRST_DAY, last=LAST_DAY):
    """An ISO date (``2026-11-23``) from the address as a ``date`` between ``first`` and ``last``, else ``None``
    (missing, malformed, or out of range). The page then shows another day (today) and says why, or answers 404."""
    text = (text or "").strip()
    if len(text) != 10:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if first <= day <= last else None


def as_id(value):
    """An id from a form or a URL as an int that can exist in the database, else ``None`` (text, huge numbers,
    negative numbers and digit strings longer than Python converts are all ``None``)."""
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _remember_community():
    community = g.get("community")
    if community is not None and current_user.is_authenticated and session.get("community") != community.slug:
        session["community"] = community.slug


# --- Headers and errors ----------------------------------------------------------------------------------------


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_user.is_authenticated and response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have permission to do this"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("The upload is too large"),
    409: _l("Please try again"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}

ERROR_TEXTS = {
    400: _l("Please go back and try again."),
    403: _l("If you think you should have access, ask your community's coordinator."),
    404: _l("The page does not exist, or it belongs to a community you are not a member of."),
    405: _l("Please go back and use the buttons on the page."),
    413: _l("Choose a smaller file and try again."),
    429: _l("Please wait a few minutes before trying again."),
    500: _l("Nothing you entered was lost. Please try again in a moment; if it keeps happening, tell your "
            "coordinator."),
}


def render_error(code, message=None):
    if code >= 500:
        db.session.rollback()
    body = render_template(
        "errors/error.html", code=code, title=ERROR_TITLES.get(code, ERROR_TITLES[400]),
        message=message or ERROR_TEXTS.get(code, ERROR_TEXTS[400]),
    )
    return body, code


def _install_error_pages(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form was open too long or came from another page. Please try again."))

    @app.errorhandler(ValidationFailed)
    def validation_failed(error):
        db.session.rollback()
        return render_error(400, error.message)

    @app.errorhandler(PermissionDenied)
    def permission_denied(error):
        db.session.rollback()
        message = error.message if error.message and error.message != error.permission else None
        return render_error(403, message)

    @app.errorhandler(NotFound)
    def not_found(error):
        db.session.rollback()
        return render_error(404)

    @app.errorhandler(TimebankError)
    def domain_error(error):
        db.session.rollback()
        return render_error(error.status_code, error.message or None)

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/static/") or request.path == "/healthz":
            return error
        if request.path.startswith("/api/"):  # addresses no API view matched: answered as problem+json too
            from .api.errors import handle_api_error

            return handle_api_error(error)
        return render_error(error.code)

    @app.errorhandler(OperationalError)
    def database_busy(error):
        # SQLite refuses a write when another request changed the database after this one started reading:
        # the change was not made, and trying again will see the other request's result.
        # SQLite "database is locked"; PostgreSQL serialization failure, deadlock, lock timeout (SQLSTATE).
        if "locked" in str(error.orig).lower() or getattr(error.orig, "sqlstate", None) in BUSY_SQLSTATES:
            db.session.rollback()
            logger.warning("database busy on %s %s", request.method, request.path)
            return render_error(409, _("Someone else was changing the same thing at this moment. Nothing was "
                                       "saved; please try again."))
        return unexpected_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        if isinstance(error, HTTPException):
            return http_error(error)
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


# --- Template helpers ------------------------------------------------------------------------------------------


def _install_template_helpers(app):
    app.jinja_env.filters.update(
        minutes=i18n.format_minutes,
        datetime=i18n.format_local_datetime,
        date=i18n.format_local_date,
        time_only=i18n.format_local_time,
        mask_phone=i18n.mask_phone,
        mask_name=i18n.mask_name,
        stored_text=shown_text,  # a message kept on a row (``timebank.stored_text``), in the reader's language
    )
    app.context_processor(_template_context)
    app.jinja_env.globals["icon_sprite"] = _icon_sprite


def _icon_sprite():
    """The address of the SVG icon sprite, used by every ``icon()`` of a page (two dozen): built once per request."""
    if "_timebank_sprite" not in g:
        g._timebank_sprite = url_for("static", filename="icons.svg")
    return g._timebank_sprite


def _template_context():
    from . import layout
    from .communities.structure import GRID_LEVELS
    from .permissions import can
    from .roles import ROLE_LABELS

    return {
        "role_label": lambda role: ROLE_LABELS.get(role, role),
        "grid_level": lambda level: GRID_LEVELS.get(level, level),
        "source_label": lambda source: SOURCE_LABELS.get(source, source),
        "can": lambda name, resource=None: can(current_user, name, g.get("community"), resource),
        "current_community": g.get("community"),
        "html_lang": i18n.html_lang,
        "elder_mode": layout.elder_mode_on,
        "layout": layout,
        "slot": _render_slot,
        "languages": current_app.config["LANGUAGES"],
    }


SOURCE_LABELS = {
    "core": _l("core"),
    "bundled": _l("bundled"),
    "installed": _l("installed"),
    "extra": _l("configured"),
}


def _render_slot(name, **context):
    """Render the fragments plugins return for a declared template slot."""
    from .hooks import call_each
    from .ui import Snippet

    if name not in TEMPLATE_SLOTS:
        if current_app.debug or current_app.testing:
            raise KeyError(f"unknown template slot {name!r}; declared: {', '.join(TEMPLATE_SLOTS)}")
        return Markup("")
    community = g.get("community")
    # The user object itself, not the request-bound proxy: a plugin may keep what it is given.
    context.setdefault("user", current_user._get_current_object())
    context.setdefault("community", community)
    snippets = []
    for plugin, result in call_each("timebank_template_slot", community=community, slot=name, context=context):
        if isinstance(result, Snippet):
            snippet = result
        elif isinstance(result, Markup):
            snippet = Snippet(str(result), markup=True)
        else:
            snippet = Snippet(str(result), markup=False)
        snippet.plugin = plugin
        snippets.append(snippet)
    snippets.sort(key=lambda item: (item.order, item.plugin))
    return Markup("").join(snippet.render() for snippet in snippets)
