"""The current community of a request, taken from the URL (``/c/<community>/...``).

The core loads the community named in the URL before any view runs (``g.community``), fills the slug into
``url_for`` calls for the same community, and guards every community page:

* the page needs a logged-in, active member of that community (or a district admin), unless the view is
  marked ``@public``; anybody else gets 404 (the page "does not exist" for other communities), a pending
  applicant gets a page saying the registration waits for approval;
* a plugin's page answers 404 when the plugin is off for that community.
"""

from flask import current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import NotFound
from .services import PENDING, active_membership, community_by_slug, membership_of


def public(view):
    """Mark a community view as open to anybody (e.g. a public notice board, a registration form)."""
    view.timebank_public = True
    return view


def current_community():
    return g.get("community")


def current_membership():
    community = g.get("community")
    return active_membership(current_user, community) if community is not None else None


def _load_community(endpoint, values):
    if values and "community" in values:
        g.community = community_by_slug(values.pop("community"))


def _add_community_slug(endpoint, values):
    if "community" in values or g.get("community") is None:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "community"):
        values["community"] = g.community.slug


def _guard_community_pages():
    community = g.get("community")
    if community is None or request.endpoint is None:
        return None
    if request.path.startswith("/api/"):
        return None  # the API checks its bearer token, the membership and the plugin itself (timebank.api.auth)
    view = current_app.view_functions.get(request.endpoint)
    system = current_app.extensions["timebank"]
    plugin = system.blueprint_plugins.get(request.blueprint or "")
    if plugin is not None:
        from ..plugin_state import is_enabled

        if not is_enabled(plugin, community):
            raise NotFound(plugin)
    if getattr(view, "timebank_public", False) or request.endpoint.endswith(".static"):
        return None  # a plugin's stylesheet must reach public pages too (still 404 when the plugin is off)
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return redirect(url_for("identity.login", next=request.full_path.rstrip("?")))
    if user.is_district_admin or active_membership(user, community) is not None:
        return None
    membership = membership_of(user, community)
    if membership is not None and membership.status == PENDING:
        return render_template("communities/pending.html", membership=membership), 403
    raise NotFound(community.slug)


def install(app):
    app.url_value_preprocessor(_load_community)
    app.url_defaults(_add_community_slug)
    app.before_request(_guard_community_pages)
