"""The configuration nearly every page reads: which plugins are on in the community (``timebank.plugin_state``)
and the plugins' stored settings (``timebank.settings``), in one statement per request.

On PostgreSQL a statement costs a worker about a millisecond (the round trip and the driver), and a page needs
both tables. Whichever of the two modules asks first reads both with one ``UNION ALL``: the switches of the
community and the settings stored for the instance and the communities in question. Each module then finds its
part in the request's cache on ``g`` and clears its own part when it changes it (``set_plugin_enabled``,
``save_settings``).

A page's own community needs no statement at all in most requests: each worker keeps the configuration it read for
a community with the community's ``config_version``, which the page's first statement reads with the community
(``note_version``). Every change of a switch or a stored setting gives that version a new random value in the same
transaction (``new_version_with``: ORM inserts, updates and deletes; an instance setting changes every community's),
so each worker and node reads the configuration again on its next page there. A random value rather than a count:
a database restored from a backup cannot bring back a number a worker keeps with other values. A change made with
a bulk statement instead of the ORM must change ``Community.config_version`` itself, in the same transaction.
"""

import functools
import json
import secrets

from flask import current_app, g, has_app_context
from sqlalchemy import bindparam, case, event, literal_column, select, union_all, update

from .extensions import db

#: ``g`` key: ``{community_id: {plugin_name: enabled}}``, the stored switches (absent: the plugin's default).
SWITCHES = "_timebank_switches"
#: ``g`` key shared with ``timebank.settings``: ``("stored", scope_key)`` → ``{plugin: {key: value}}``.
SETTINGS = "_timebank_settings"
#: ``g`` key: ``{community_id: config_version}`` as read with the page's community (``note_version``).
VERSIONS = "_timebank_config_versions"
#: ``app.extensions`` key: ``{community_id: (config_version, switches, stored)}``, what this worker keeps (read
#: only: every request of the community gets the same dictionaries).
KEPT = "timebank_config"


def read(community_id, scope_keys):
    """Read the plugin switches of ``community_id`` (``None``: none) and the settings stored at ``scope_keys``
    ("instance", "community:<id>") in one statement, and keep them for the request when there is one.

    Returns ``(switches, stored)``: ``{plugin_name: enabled}`` (``None`` without a community) and
    ``{scope_key: {plugin: {key: value}}}`` with an entry for every scope asked for. The page's own community's
    come from what this worker keeps while its version holds."""
    kept = _kept_for_the_page(community_id, scope_keys)
    switches, stored = kept if kept is not None else _read(community_id, scope_keys)
    if has_app_context():
        if switches is not None:
            g.setdefault(SWITCHES, {})[community_id] = switches
        g.setdefault(SETTINGS, {}).update({("stored", scope_key): values for scope_key, values in stored.items()})
    return switches, stored


def _read(community_id, scope_keys):
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
    return switches, stored


def note_version(community):
    """Note the ``config_version`` read with the page's community, the first statement of a page."""
    if has_app_context():
        g.setdefault(VERSIONS, {})[community.id] = community.config_version


def _kept_for_the_page(community_id, scope_keys):
    """``(switches, stored)`` of the request's community as this worker keeps them, read again when the version
    noted with the community is not the one kept; ``None`` for anything else (another community, a command).
    The request's community is the one asked for, else the page's (``g.community``)."""
    if not has_app_context():
        return None
    wanted = community_id if community_id is not None else getattr(g.get("community"), "id", None)
    version = g.get(VERSIONS, {}).get(wanted)
    scopes = {"instance", f"community:{wanted}"}
    if version is None or not set(scope_keys) <= scopes:
        return None
    kept = current_app.extensions.setdefault(KEPT, {})
    entry = kept.get(wanted)
    if entry is None or entry[0] != version:
        entry = kept[wanted] = (version, *_read(wanted, scopes))
    _version, switches, stored = entry
    return (dict(switches) if community_id is not None else None), {key: stored[key] for key in scope_keys}


def new_config_version():
    """A random version (1 … 2³¹ − 1): a restored backup or a new community cannot meet a version a worker keeps."""
    return secrets.randbelow(2**31 - 1) + 1


def new_version_with(model):
    """Give the version a new random value with each insert, update and delete of ``model`` (a switch or a stored
    setting) that the ORM flushes: the row's community's, or every community's for a row whose ``scope_key`` is
    "instance"."""
    from .communities.models import Community

    def changed(mapper, connection, target):
        statement = update(Community).values(config_version=new_config_version())
        if getattr(target, "scope_key", None) != "instance":
            statement = statement.where(Community.id == target.community_id)
        connection.execute(statement)
        if has_app_context():
            g.pop(VERSIONS, None)

    for name in ("after_insert", "after_update", "after_delete"):
        event.listen(model, name, changed)


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
