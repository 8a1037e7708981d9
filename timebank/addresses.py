"""The addresses templates build with ``url_for``, kept per worker.

A page builds fourteen to twenty addresses (the manifest and icons, the cards' and lists' links), each about 8 µs
of Werkzeug's URL building. Without ``_external``, ``_scheme``, ``_anchor`` or ``_method``, an address follows only
from the endpoint, its values, the community the page is in (``communities.context`` fills its slug in), the blueprint
(for ``.name`` endpoints) and the address the app is served under, so each worker builds a combination once and
reuses it. Anything else, and any app whose URL defaults are not just the community's, goes to Flask's ``url_for``.
"""

from flask import current_app, g, request

from .kept import app_store, remembered

#: Addresses a worker keeps; past this it forgets them all at once rather than growing.
MAX_KEPT = 10_000


def install(app):
    app.jinja_env.globals["url_for"] = kept_url_for


def kept_url_for(endpoint, **values):
    """``url_for`` for templates, from what this worker keeps when the address can only be the same."""
    app = current_app._get_current_object()
    if app.debug or not _only_community_defaults(app) or any(name[:1] == "_" for name in values):
        return app.url_for(endpoint, **values)
    community = g.get("community")
    key = (endpoint, request.blueprint if endpoint[:1] == "." else None, request.script_root,
           request.environ.get("HTTP_HOST"), getattr(community, "slug", None), *values.items())
    return remembered(app_store("timebank_addresses"), key, lambda: app.url_for(endpoint, **values), MAX_KEPT)


def _only_community_defaults(app):
    """The URL defaults are only ``communities.context``'s (which fills in the page's community)."""
    plain = app.extensions.get("timebank_addresses_plain")
    if plain is None:
        from .communities.context import _add_community_slug

        registered = {name: functions for name, functions in app.url_default_functions.items() if functions}
        plain = app.extensions["timebank_addresses_plain"] = registered == {None: [_add_community_slug]}
    return plain
