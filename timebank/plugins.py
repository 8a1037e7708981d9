"""The plugin manager: built per application, never global.

Load order (``build_plugin_manager``):

1. the hookspecs of :mod:`timebank.hookspecs`;
2. plugins blocked instance-wide (``DISABLED_PLUGINS``) are refused;
3. the core's own areas, which use the same hooks as everybody else (always on);
4. bundled plugins: every package in ``timebank_plugins`` (the repository's ``plugins/`` folder) that has a
   ``plugin.py``, imported as ``timebank_plugins.<name>.plugin`` (``PLUGINS`` may list a subset);
5. third-party plugins from the entry-point group ``timebank.plugins`` (``LOAD_ENTRYPOINTS``);
6. ``EXTRA_PLUGINS``: import paths given in configuration (tests and local experiments);
7. ``timebank_addhooks`` (historic), then ``check_pending()`` so that a misspelled ``timebank_*`` hook fails here.

A name found twice is a start-up error that names both sources. A blocked plugin is never imported, so that
``DISABLED_PLUGINS`` can switch off a plugin that fails on import. A plugin that cannot be imported stops the start
in debug and test mode; in production it is logged and skipped, so that one broken add-on does not take the whole
site down. Hook validation errors (a misspelled hook, an unknown argument) always stop the start.
"""

import difflib
import importlib
import importlib.metadata
import importlib.util
import logging
import pkgutil
import sys
from dataclasses import dataclass, field, replace

import pluggy

from . import __version__, hookspecs
from .errors import PluginStartupError

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "timebank.plugins"

#: The core areas, registered as plugins so that they use the same hooks as everybody else.
CORE_PLUGINS = (
    ("core", "timebank.builtin.core"),
    ("core_identity", "timebank.identity.plugin"),
    ("core_communities", "timebank.communities.plugin"),
    ("core_notifications", "timebank.notifications.plugin"),
    ("core_admin", "timebank.admin.plugin"),
    ("core_ledger", "timebank.ledger.plugin"),
    ("core_api", "timebank.api.plugin"),
)


@dataclass
class PluginInfo:
    """What the core knows about one plugin. Plugins declare ``PLUGIN = PluginInfo(...)`` in ``plugin.py``.

    ``title`` and ``description`` are lazy translatable strings; ``default_enabled`` decides whether a community
    that never switched the plugin has it on.
    """

    title: object = ""
    description: object = ""
    default_enabled: bool = False
    version: str = ""
    name: str = ""
    source: str = ""  # "core", "bundled", "installed" or "extra"
    module_name: str = ""
    distribution: str = ""
    slug: str = ""

    @property
    def is_core(self):
        return self.source == "core"


@dataclass
class PluginSystem:
    """Per-application plugin state, stored in ``app.extensions["timebank"]``."""

    pm: pluggy.PluginManager
    plugins: dict = field(default_factory=dict)  # name -> PluginInfo, in load order
    clock: object = None
    settings: dict = field(default_factory=dict)  # (plugin, key) -> SettingSpec
    permissions: dict = field(default_factory=dict)  # name -> Permission
    ledger_categories: dict = field(default_factory=dict)  # code -> LedgerCategory
    notification_channels: dict = field(default_factory=dict)  # name -> NotificationChannel
    audit_actions: dict = field(default_factory=dict)  # code -> timebank.audit.vocabulary.AuditAction
    migration_dirs: list = field(default_factory=list)  # [(plugin, path)] Alembic version locations
    blueprint_plugins: dict = field(default_factory=dict)  # blueprint name -> plugin name (optional plugins)
    page_assets: list = field(default_factory=list)  # [(plugin, "css"|"js", Path, is_core)] joined into every page's bundle
    bundles: dict = field(default_factory=dict)  # (kind, plugin names) -> timebank.assets.Bundle, built on demand
    bundle_urls: dict = field(default_factory=dict)  # (kind, plugin names, digest, script root) -> address
    trace: bool = False

    @property
    def optional_plugins(self):
        """Plugins a community can switch on or off (everything but the core)."""
        return [info for info in self.plugins.values() if not info.is_core]

    def plugin_for_module(self, module_name):
        """The plugin whose package contains ``module_name`` (for attributing models and templates)."""
        best = None
        for info in self.plugins.values():
            package = info.module_name.rsplit(".", 1)[0] if info.module_name.endswith(".plugin") else info.module_name
            inside = module_name == package or module_name.startswith(package + ".")
            if inside and (best is None or len(package) > len(best[1])):
                best = (info, package)
        return best[0] if best else None


class HookValidationError(PluginStartupError, pluggy.PluginValidationError):
    """A plugin's hook implementation does not match any hookspec (misspelled name, unknown argument)."""

    def __init__(self, plugin, message):
        pluggy.PluginValidationError.__init__(self, plugin, message)


def _slug(name):
    return name.replace("_", "-")


def _extra_plugin_name(path):
    """``"pkg.plugin"`` -> ``"pkg"``; ``"my_plugin"`` -> ``"my_plugin"`` (the module path's last real part)."""
    parts = path.split(".")
    if len(parts) > 1 and parts[-1] == "plugin":
        parts.pop()
    return parts[-1]


def _info_for(module, name, source, distribution=None):
    declared = getattr(module, "PLUGIN", None)
    if declared is None:
        declared = PluginInfo(title=name)
    elif not isinstance(declared, PluginInfo):
        raise PluginStartupError(f"plugin {name!r}: PLUGIN must be a timebank.plugins.PluginInfo")
    # A copy per application: the module (and its PLUGIN) is shared by every app built in this process.
    info = replace(declared)
    info.name, info.source, info.module_name, info.slug = name, source, module.__name__, _slug(name)
    if distribution is not None:
        info.distribution = distribution.metadata["Name"]
        info.version = info.version or distribution.version
    info.version = info.version or (__version__ if source in ("core", "bundled") else "")
    return info


def bundled_plugin_names():
    """Names of the plugin packages in ``timebank_plugins`` that have a ``plugin.py``."""
    try:
        package = importlib.import_module("timebank_plugins")
    except ImportError:  # running from a checkout that was never installed
        return []
    names = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.ispkg and importlib.util.find_spec(f"timebank_plugins.{module.name}.plugin") is not None:
            names.append(module.name)
    return sorted(names)


def _warn_forgotten_decorators(module, name):
    for attr, value in vars(module).items():
        if attr.startswith("timebank_") and callable(value) and not hasattr(value, "timebank_impl"):
            logger.warning("plugin %s: %s looks like a hook but has no @hookimpl", name, attr)


def _validation_error(pm, error, name=None):
    """Turn pluggy's error into one that names the plugin and, for a misspelled hook, the likely hook."""
    if name is None and error.plugin is not None and pm.is_registered(error.plugin):
        name = pm.get_name(error.plugin)
    message = f"plugin {name or error.plugin!r}: {error}"
    unknown = [attr for attr in dir(error.plugin) if attr.startswith("timebank_") and attr in str(error)]
    known = [hook for hook, caller in vars(pm.hook).items() if caller.has_spec()]
    for attr in unknown:
        close = difflib.get_close_matches(attr, known, n=1)
        if close and close[0] != attr:
            message += f" (did you mean {close[0]}?)"
    return HookValidationError(error.plugin, message)


def build_plugin_manager(config):
    """Create the plugin manager and load every plugin (see the module docstring). Returns a PluginSystem."""
    pm = pluggy.PluginManager("timebank")
    pm.add_hookspecs(hookspecs)
    system = PluginSystem(pm=pm, trace=bool(config.get("TRACE_HOOKS")))
    blocked = set(config.get("DISABLED_PLUGINS") or [])
    strict = bool(config.get("TESTING") or config.get("DEBUG"))
    for name in blocked:
        pm.set_blocked(name)
    sources = {}

    def register(name, source, module_name, load, distribution=None):
        where = f"{source} ({module_name})"
        if name in sources:
            raise PluginStartupError(f"plugin name {name!r} is used twice: by {sources[name]} and by {where}")
        sources[name] = where
        if name in blocked and source == "core":
            raise PluginStartupError(f"DISABLED_PLUGINS lists {name!r}, a core area: core areas cannot be switched off")
        if name in blocked:
            logger.info("plugin %s is blocked instance-wide (DISABLED_PLUGINS); not imported", name)
            return
        try:
            module = load()
        except Exception as error:
            if strict or source == "core":
                raise PluginStartupError(f"plugin {name!r} from {where} could not be imported: {error}") from error
            logger.exception("plugin %s from %s could not be imported; skipped", name, where)
            return
        info = _info_for(module, name, source, distribution)
        _warn_forgotten_decorators(module, name)
        try:
            pm.register(module, name=name)
        except pluggy.PluginValidationError as error:
            raise _validation_error(pm, error, name) from error
        except ValueError as error:  # the same module object under two names
            raise PluginStartupError(f"plugin {name!r} from {where}: {error}") from error
        system.plugins[name] = info
        logger.info("loaded plugin %s %s (%s)", name, info.version, source)

    def importer(module_name):
        return lambda: sys.modules.get(module_name) or importlib.import_module(module_name)

    for name, module_name in CORE_PLUGINS:
        register(name, "core", module_name, importer(module_name))

    wanted = config.get("PLUGINS")
    bundled = bundled_plugin_names()
    if wanted is not None:
        missing = set(wanted) - set(bundled)
        if missing:
            raise PluginStartupError(f"PLUGINS lists unknown bundled plugins: {', '.join(sorted(missing))}")
    for name in bundled:
        if wanted is None or name in wanted:
            module_name = f"timebank_plugins.{name}.plugin"
            register(name, "bundled", module_name, importer(module_name))

    if config.get("LOAD_ENTRYPOINTS", True):
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            register(entry_point.name, "installed", entry_point.value, entry_point.load, entry_point.dist)

    for path in config.get("EXTRA_PLUGINS") or []:
        register(_extra_plugin_name(path), "extra", path, importer(path))

    try:
        pm.hook.timebank_addhooks.call_historic(kwargs={"pluginmanager": pm})
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        raise _validation_error(pm, error) from error
    if system.trace:
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    return system
