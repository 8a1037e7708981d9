"""Calling hooks: per community, attributed to plugins, and isolated for events.

* ``hooks_for(community)``: a proxy whose attributes are pluggy hook callers that skip plugins switched off
  in that community (``hooks_for(c).timebank_authenticate(...)``).
* ``call_each(name, community=..., **kwargs)``: ``[(plugin name, result), ...]``, used where results must be
  tied to the plugin that produced them (setup hooks, UI items).
* ``collect_items(name, community, **kwargs)``: flattened list results with ``item.plugin`` set, sorted by
  ``(order, plugin)``.
* ``dispatch_event(name, community, **kwargs)``: every listener runs on its own; a failing one is logged with
  its plugin's name and never re-raised. ``dispatch_events(name, community, calls)`` does it for many calls of
  one hook (a bulk confirmation's entries) with the listeners looked up once.

Only setup code calls ``pm.hook`` directly.
"""

import logging
import sys

from flask import current_app, g, has_request_context

from .plugin_state import enabled_plugin_names

logger = logging.getLogger(__name__)


def plugin_system(app=None):
    return (app or current_app).extensions["timebank"]


def disabled_plugin_names(community, app=None):
    """Optional plugins that are off for ``community`` (all optional plugins when ``community`` is None)."""
    system = plugin_system(app)
    optional = {info.name for info in system.optional_plugins}
    if community is None:
        return optional
    return optional - enabled_plugin_names(community)


class CommunityHooks:
    """Attribute access returns a hook caller restricted to the plugins on in one community."""

    def __init__(self, system, disabled):
        self._system = system
        self._disabled = disabled

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        pm = self._system.pm
        remove = [pm.get_plugin(plugin) for plugin in self._disabled if pm.get_plugin(plugin) is not None]
        return pm.subset_hook_caller(name, remove_plugins=remove)


def hooks_for(community):
    """Hook callers for ``community``: plugins switched off there are skipped."""
    return CommunityHooks(plugin_system(), disabled_plugin_names(community))


def _call_rank(impl):
    return 0 if impl.tryfirst else 2 if impl.trylast else 1


def _impls(system, hook_name, community, app=None):
    """The implementations to call, in load order, ``tryfirst`` ones first and ``trylast`` ones last.

    pluggy calls the last registered plugin first; results here must not depend on that, so we call in load order
    (``get_hookimpls()`` lists trylast, normal, tryfirst, each group in load order). Wrappers are left out: they
    make no sense for hooks that return lists or run as isolated listeners.
    """
    disabled = disabled_plugin_names(community, app) if community is not False else set()
    hook = getattr(system.pm.hook, hook_name)
    impls = [
        impl for impl in hook.get_hookimpls()
        if impl.plugin_name not in disabled and not (impl.hookwrapper or impl.wrapper)
    ]
    return sorted(impls, key=_call_rank)  # stable: load order is kept inside each group


def call_each(hook_name, community=False, _app=None, **kwargs):
    """Call every implementation of ``hook_name`` and return ``[(plugin_name, result)]`` (``None`` results dropped).

    ``community=False`` calls every registered plugin (setup hooks); a community (or ``None``) skips plugins that
    are off there. ``_app`` selects the application outside an app context (``app`` itself is passed on to hooks
    that take it, such as ``timebank_startup``). Exceptions propagate.
    """
    app = _app
    system = plugin_system(app)
    if community is not False:
        kwargs["community"] = community
    results = []
    for impl in _impls(system, hook_name, community, app):
        args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
        if system.trace:
            sys.stderr.write(f"[hook] {hook_name} -> {impl.plugin_name}\n")
        result = impl.function(**args)
        if result is not None:
            results.append((impl.plugin_name, result))
    return results


def collect_items(hook_name, community, **kwargs):
    """Flatten list results of a UI hook, tag each item with its plugin and sort by ``(order, plugin)``."""
    cache_key = None
    if has_request_context() and hook_name in CACHEABLE:
        cache_key = (hook_name, getattr(community, "id", None), getattr(kwargs.get("user"), "id", None))
        cache = g.setdefault("_timebank_items", {})
        if cache_key in cache:
            return cache[cache_key]
    items = []
    for plugin_name, result in call_each(hook_name, community=community, **kwargs):
        for item in result:
            item.plugin = plugin_name
            items.append(item)
    items.sort(key=lambda item: (item.order, item.plugin))
    if cache_key is not None:
        g._timebank_items[cache_key] = items
    return items


#: UI hooks asked more than once per page (the tab badge and the task list); cached for the request.
CACHEABLE = {"timebank_nav_items", "timebank_tasks", "timebank_asset_urls"}


def dispatch_event(hook_name, community, **kwargs):
    """Run every listener of an event hook on its own; a failure is logged with the plugin name, not raised.

    Call this after the transaction commits (see ``timebank.events.after_commit``).
    """
    dispatch_events(hook_name, community, [kwargs])


def dispatch_events(hook_name, community, calls):
    """``dispatch_event`` once per keyword-argument dict in ``calls`` (a bulk confirmation's thousand entries),
    with the listeners looked up once. Returns the number of listeners (0: nothing was called)."""
    from .extensions import db

    system = plugin_system()
    impls = _impls(system, hook_name, community)
    for kwargs in calls if impls else ():
        kwargs = {**kwargs, "community": community}
        for impl in impls:
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            if system.trace:
                sys.stderr.write(f"[hook] {hook_name} -> {impl.plugin_name}\n")
            try:
                impl.function(**args)
            except Exception:
                logger.exception("plugin %s failed while handling %s", impl.plugin_name, hook_name)
                # A failed flush leaves the session unusable; without this the next listener would fail too.
                if not db.session.is_active:
                    db.session.rollback()
    return len(impls)
