"""Which plugins are on in which community: one database row per switch, read once per request.

Every installed plugin is always loaded; switching one off for a community hides its navigation, cards and
listeners and makes its pages answer 404 there, from the next request on, with no restart. Data is never deleted.
"""

import logging
from datetime import datetime

from flask import current_app, g, has_app_context
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from . import community_config
from .clock import now
from .db_types import UTCDateTime
from .extensions import db

logger = logging.getLogger(__name__)


class CommunityPlugin(db.Model):
    __tablename__ = "community_plugin"

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), primary_key=True)
    plugin_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    changed_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user_account.id"), nullable=True)


community_config.new_version_with(CommunityPlugin)  # each worker reads a community's switches again after a change


def _switches(community_id):
    """``{plugin_name: enabled}`` stored for the community, read with the request's settings (one statement for
    both, ``timebank.community_config``) and kept for the request."""
    from .settings import request_scope_keys

    if has_app_context() and community_id in g.get(community_config.SWITCHES, {}):
        return g.get(community_config.SWITCHES)[community_id]
    switches, _stored = community_config.read(community_id, request_scope_keys(community_id, missing_only=True))
    return switches


def enabled_plugin_names(community):
    """Names of the optional plugins that are on in ``community`` (cached for the request)."""
    cache = g.setdefault("_timebank_enabled", {}) if has_app_context() else {}
    if community.id in cache:
        return cache[community.id]
    switches = _switches(community.id)
    system = current_app.extensions["timebank"]
    names = {
        info.name
        for info in system.optional_plugins
        if switches.get(info.name, info.default_enabled)
    }
    cache[community.id] = frozenset(names)
    return cache[community.id]


def is_enabled(plugin_name, community):
    """Is the plugin on in ``community``? Core areas always are; unknown or blocked plugins never are; outside a
    community (``None``) only the core is."""
    system = current_app.extensions["timebank"]
    info = system.plugins.get(plugin_name)
    if info is None:
        return False
    if info.is_core:
        return True
    return community is not None and plugin_name in enabled_plugin_names(community)


def require_enabled(plugin_name, community):
    """Raise ``NotEnabled`` (a 404) unless the plugin is on in ``community``; for services and CLI commands."""
    from .errors import NotEnabled

    if not is_enabled(plugin_name, community):
        raise NotEnabled(plugin_name)


def set_plugin_enabled(community, plugin_name, enabled, actor=None):
    """Switch a plugin on or off for one community and record who did it. Commits. Returns the new state."""
    from .audit.services import record_audit
    from .errors import NotFound

    system = current_app.extensions["timebank"]
    info = system.plugins.get(plugin_name)
    if info is None or info.is_core:
        raise NotFound(plugin_name)
    row = db.session.get(CommunityPlugin, (community.id, plugin_name))
    if row is None:
        row = CommunityPlugin(community_id=community.id, plugin_name=plugin_name)
        db.session.add(row)
    row.enabled = bool(enabled)
    row.changed_at = now()
    row.changed_by_id = getattr(actor, "id", None)
    record_audit("plugin.enabled" if enabled else "plugin.disabled", actor=actor, community=community,
                 target=("plugin", plugin_name))
    db.session.commit()
    if has_app_context():
        g.pop("_timebank_enabled", None)
        g.pop("_timebank_switches", None)
        g.pop("_timebank_items", None)
    logger.info("plugin %s %s in community %s", plugin_name, "enabled" if enabled else "disabled", community.slug)
    return row.enabled
