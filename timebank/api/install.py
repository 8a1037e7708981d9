"""Building the API into an application: the OpenAPI document, the core's and the plugins' blueprints, CSRF
exemption, rate limits, token-only sessions.

Called once from ``timebank_startup`` (see ``timebank.api.plugin``), after the web pages and Flask-Limiter are set
up. flask-smorest generates the OpenAPI document from the blueprints' decorators and marshmallow schemas, so the
document cannot drift from the code.
"""

import http
import logging
import threading
from dataclasses import dataclass, field

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import json, request
from flask_smorest.utils import prepare_response

from ..errors import PluginStartupError
from ..extensions import csrf
from ..hooks import call_each
from .auth import ApiSessionInterface, rate_limit_key, required_scope
from .blueprint import ApiBlueprint
from .errors import PROBLEM_MIMETYPE
from .schemas import ProblemSchema

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
COMMUNITY_PREFIX = API_PREFIX + "/communities/<community>"

COMMUNITY_PARAMETER = {
    "in": "path", "name": "community", "required": True,
    "description": "The community's slug, as in its web address /c/<slug>/.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 40}, "example": "maple",
}

DESCRIPTION = """The JSON API of the Neighborhood Time Bank (邻里时间银行), for WeChat mini-programs, mobile apps and
district systems. Authenticate with `Authorization: Bearer <token>`: a personal access token made on the account
page (/account/api-tokens), or a short-lived token from `POST /api/v1/auth/token`. Errors are
`application/problem+json`. See docs/api.md for a walk-through with curl."""


def schema_name(schema):
    """The name of a schema in the document: ``OrderSchema`` → ``Order`` in the core, and with the plugin's name
    in front in a plugin (``ElderMealsOrder``, ``RepairTeamOrder``), so that plugins never clash."""
    resolved = resolve_schema_cls(schema)
    schema_cls = resolved[0] if isinstance(resolved, list) else resolved
    name = schema_cls.__name__.removesuffix("Schema") or schema_cls.__name__
    module = schema_cls.__module__ or ""
    if module == "timebank" or module.startswith("timebank."):
        return name
    package = module.removeprefix("timebank_plugins.").split(".")[0]
    prefix = "".join(part[:1].upper() + part[1:] for part in package.split("_"))
    return name if name.startswith(prefix) else prefix + name


class TimebankApi(flask_smorest.Api):
    """flask-smorest's ``Api`` without its app-wide error handler (the core renders HTML errors; API blueprints
    render problem+json) and without its doc blueprint (we serve the document and the docs page ourselves).

    It writes the error responses and the blueprints' operations into the OpenAPI document when the document is
    first asked for (``documented_spec()``), not at start-up: that is 0.1 s of marshmallow-to-JSON-schema work per
    application, paid by every start of a worker and by every test's app, and needed only by the docs."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, *args, **kwargs):
        self._documenting = threading.Lock()
        self._undocumented = []  # (blueprint, name, parameters) registered, not yet in the document
        self._responses_documented = False
        super().__init__(*args, **kwargs)

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def documented_spec(self):
        """The ``APISpec`` with every registered blueprint's operations and tag in it."""
        with self._documenting:  # two first requests for the docs at once (a threaded server) write it once
            if not self._responses_documented:
                self._document_responses()
                self._responses_documented = True
            undocumented = self._undocumented
            while undocumented:
                blp, name, parameters = undocumented.pop(0)
                blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
                self.spec.tag({"name": name, "description": blp.description})
        return self.spec

    def _register_error_handlers(self):
        pass

    def _register_doc_blueprint(self):
        pass

    def _register_responses(self):
        pass  # see _document_responses

    def _document_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


@dataclass
class ApiState:
    """The API of one application: ``app.extensions["timebank_api"]``."""

    api: TimebankApi
    blueprint_plugins: dict = field(default_factory=dict)  # API blueprint name -> plugin name
    blueprints: list = field(default_factory=list)
    _document: dict | None = None

    def document(self):
        """The OpenAPI document (built once: it depends only on the code)."""
        if self._document is None:
            self._document = self.api.documented_spec().to_dict()
        return self._document

    def document_json(self):
        return json.dumps(self.document(), ensure_ascii=False, indent=1)


def install(app):
    api = TimebankApi(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "title": "Neighborhood Time Bank API", "version": "1", "openapi_version": "3.0.3",
        "info": {"description": DESCRIPTION, "license": {"name": "AGPL-3.0-or-later"}},
        "security": [{"bearerAuth": []}],
    })
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token (tb_...) or a token from POST /api/v1/auth/token."})
    state = ApiState(api)
    app.extensions["timebank_api"] = state

    for blueprint, in_community in core_blueprints():
        _register(app, state, blueprint, parameters=[COMMUNITY_PARAMETER] if in_community else None)
    for plugin, blueprints in call_each("timebank_api_blueprints", _app=app):
        info = app.extensions["timebank"].plugins[plugin]
        for blueprint in blueprints:
            _check_plugin_blueprint(plugin, blueprint)
            state.blueprint_plugins[blueprint.name] = plugin
            _register(app, state, blueprint, url_prefix=f"{COMMUNITY_PREFIX}/p/{info.slug}",
                      parameters=[COMMUNITY_PARAMETER])

    from .views_docs import bp as docs_bp

    app.register_blueprint(docs_bp)
    app.session_interface = ApiSessionInterface(app.session_interface)
    _install_rate_limits(app, state)


def core_blueprints():
    """The core's API blueprints, each with whether it lives under /api/v1/communities/<community>."""
    from . import views_auth, views_certificates, views_credits, views_me, views_queue, views_records

    return [(views_auth.bp, False), (views_me.bp, False), (views_records.bp, True), (views_credits.bp, True),
            (views_certificates.bp, True), (views_certificates.public_bp, False), (views_queue.bp, True),
            (views_me.community_bp, True)]


def _check_plugin_blueprint(plugin, blueprint):
    if not isinstance(blueprint, ApiBlueprint):
        raise PluginStartupError(f"plugin {plugin}: API blueprint {blueprint.name!r} must be a "
                                 "timebank.api.ApiBlueprint")
    if not (blueprint.name == plugin + "_api" or blueprint.name.startswith(plugin + "_api_")):
        raise PluginStartupError(f"plugin {plugin}: API blueprint {blueprint.name!r} must be named "
                                 f"{plugin + '_api'!r}")
    if blueprint.url_prefix is not None:
        raise PluginStartupError(f"plugin {plugin}: API blueprint {blueprint.name!r} must not set url_prefix; "
                                 "the core mounts it at /api/v1/communities/<community>/p/<plugin-slug>")


def _register(app, state, blueprint, **options):
    options = {key: value for key, value in options.items() if value is not None}
    state.api.register_blueprint(blueprint, **options)
    csrf.exempt(blueprint)  # bearer tokens only, never cookies: nothing for a forged form to ride on
    state.blueprints.append(blueprint)
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(blueprint.name + "."):
            view = app.view_functions[rule.endpoint]
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                try:
                    required_scope(view, method)
                except LookupError as error:
                    raise PluginStartupError(f"API view {rule.endpoint} ({method} {rule.rule}): {error}") from None


def _install_rate_limits(app, state):
    limiter = app.extensions.get("timebank.limiter")  # set up by timebank.web
    if limiter is None:  # pragma: no cover - the core always sets one up
        logger.warning("Flask-Limiter is not set up: the API has no rate limits")
        return
    from flask_limiter.util import get_remote_address

    for blueprint in state.blueprints:
        limiter.limit(lambda: app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(blueprint)
        limiter.limit(lambda: app.config["API_RATE_LIMIT_PER_IP"], key_func=get_remote_address)(blueprint)

    # Logging in for a token counts against the same limits as the web login form (the same buckets: scope
    # "identity.login", the same keys), so that the API is no way around them.
    from ..identity.services import normalise_username

    def failed_login(response):
        return response.status_code != 201

    def account_key():
        body = request.get_json(silent=True)
        username = body.get("username") if isinstance(body, dict) and isinstance(body.get("username"), str) else ""
        return "login-account:" + normalise_username(username)

    endpoint = "api_auth.create_token"
    view = app.view_functions[endpoint]
    view = limiter.shared_limit(lambda: app.config["LOGIN_LIMIT_PER_IP"], scope="identity.login",
                                deduct_when=failed_login)(view)
    view = limiter.shared_limit(lambda: app.config["LOGIN_LIMIT_PER_ACCOUNT"], scope="identity.login",
                                key_func=account_key, deduct_when=failed_login)(view)
    app.view_functions[endpoint] = view
