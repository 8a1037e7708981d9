"""The configuration nearly every page reads: which plugins are on in the community (``timebank.plugin_state``)
and the plugins' stored settings (``timebank.settings``), in one statement per request.

On PostgreSQL a statement costs a worker about a millisecond (the round trip and the driver), and a page needs
both tables. Whichever of the two modules asks first reads both with one ``UNION ALL``: the switches of the
community and the settings stored for the instance and the communities in question. Each module then finds its
part in the request's cache on ``g`` and clears its own part when it changes it (``set_plugin_enabled``,
``save_settings``).
"""

import functools
import json

from flask import g, has_app_context
from sqlalchemy import bindparam, case, literal_column, select, union_all

from .extensions import db

#: ``g`` key: ``{community_id: {plugin_name: enabled}}``, the stored switches (absent: the plugin's default).
SWITCHES = "_timebank_switches"
#: ``g`` key shared with ``timebank.settings``: ``("stored", scope_key)`` → ``{plugin: {key: value}}``.
SETTINGS = "_timebank_settings"


def read(community_id, scope_keys):
    """Read the plugin switches of ``community_id`` (``None``: none) and the settings stored at ``scope_keys``
    ("instance", "community:<id>") in one statement, and keep them for the request when there is one.

    Returns ``(switches, stored)``: ``{plugin_name: enabled}`` (``None`` without a community) and
    ``{scope_key: {plugin: {key: value}}}`` with an entry for every scope asked for."""
    if community_id is not None and scope_keys:
        statement = _switches_and_settings()  # what a community page asks
    elif community_id is not None or scope_keys:
        statement = _switches() if community_id is not None else _settings()
    else:
        statement = None
    parameters = {"community_id": community_id, "scope_keys": sorted(scope_keys)}
    switches = {} if community_id is not None else None
    stored = {scope_key: {} for scope_key in scope_keys}
    if statement is not None:
        for kind, plugin, scope_key, key, value in db.session.execute(statement, parameters):
            if kind == "switch":
                switches[plugin] = value == "1"
            else:
                stored[scope_key].setdefault(plugin, {})[key] = json.loads(value)
    if has_app_context():
        if switches is not None:
            g.setdefault(SWITCHES, {})[community_id] = switches
        g.setdefault(SETTINGS, {}).update({("stored", scope_key): values for scope_key, values in stored.items()})
    return switches, stored


# Built once each (a built statement also keeps its cache key): nearly every request runs one of them.


@functools.cache
def _switches():
    from .plugin_state import CommunityPlugin

    return select(literal_column("'switch'").label("kind"), CommunityPlugin.plugin_name.label("plugin"),
                  literal_column("''").label("scope_key"), literal_column("''").label("key"),
                  case((CommunityPlugin.enabled.is_(True), literal_column("'1'")), else_=literal_column("'0'"))
                  .label("value")).where(CommunityPlugin.community_id == bindparam("community_id"))


@functools.cache
def _settings():
    from .settings import PluginSetting

    return select(literal_column("'setting'"), PluginSetting.plugin_name, PluginSetting.scope_key, PluginSetting.key,
                  PluginSetting.value_json).where(PluginSetting.scope_key.in_(bindparam("scope_keys", expanding=True)))


@functools.cache
def _switches_and_settings():
    return union_all(_switches(), _settings())
