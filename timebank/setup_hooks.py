"""Start-up work driven by setup hooks: collecting declarations, registering blueprints and commands."""

import logging
from pathlib import Path

from .assets import collect_page_assets
from .errors import PluginStartupError
from .hooks import call_each

logger = logging.getLogger(__name__)


def _register_unique(target, items, plugin, key, what):
    for item in items:
        item.plugin = plugin
        name = getattr(item, key)
        if name in target:
            raise PluginStartupError(f"{what} {name!r} declared twice: by {target[name].plugin} and {plugin}")
        target[name] = item


def _check_models(system, plugin, models):
    """Tables of an optional plugin carry its prefix; its foreign keys never point at another plugin's tables."""
    info = system.plugins[plugin]
    if info.is_core:
        return
    others = [other.name for other in system.optional_plugins if other.name != plugin]
    for model in models:
        table = model.__tablename__
        if not table.startswith(plugin + "_"):
            raise PluginStartupError(f"plugin {plugin}: table {table!r} must start with {plugin + '_'!r}")
        for foreign_key in getattr(getattr(model, "__table__", None), "foreign_keys", ()):
            target = foreign_key.target_fullname.rsplit(".", 1)[0]
            owner = next((other for other in others if target.startswith(other + "_")), None)
            if owner is not None and not target.startswith(plugin + "_"):
                raise PluginStartupError(
                    f"plugin {plugin}: table {table!r} points at {target!r} of plugin {owner}; "
                    "plugins talk to each other through hooks, not foreign keys"
                )


def _check_audit_actions(system, plugin, actions):
    """An optional plugin describes its own actions (``"<plugin>.<...>"``), each detail with a known kind."""
    from .audit.vocabulary import DETAIL_KINDS

    for action in actions:
        if not system.plugins[plugin].is_core and not action.code.startswith(plugin + "."):
            raise PluginStartupError(f"plugin {plugin}: audit action {action.code!r} must start with {plugin + '.'!r}")
        for detail in action.details:
            if detail.kind not in DETAIL_KINDS:
                raise PluginStartupError(f"audit action {action.code}: detail {detail.key!r} has the unknown kind "
                                         f"{detail.kind!r}")


SETTING_TYPES = ("bool", "int", "minutes", "str", "choice")


def _check_setting(plugin, spec):
    if spec.type not in SETTING_TYPES:
        raise PluginStartupError(f"setting {plugin}.{spec.key}: unknown type {spec.type!r}")
    if spec.scope not in ("community", "instance"):
        raise PluginStartupError(f"setting {plugin}.{spec.key}: scope must be 'community' or 'instance'")
    try:
        spec.parse(spec.default)
    except Exception as error:
        raise PluginStartupError(f"setting {plugin}.{spec.key}: the default {spec.default!r} is not valid") from error


def collect_setup_hooks(app, system):
    """Ask every plugin for its models, settings, permissions, categories, channels, audit actions and
    translations."""
    for plugin, models in call_each("timebank_models"):
        _check_models(system, plugin, models)
    for plugin, specs in call_each("timebank_settings"):
        for spec in specs:
            spec.plugin = plugin
            _check_setting(plugin, spec)
            if (plugin, spec.key) in system.settings:
                raise PluginStartupError(f"setting {plugin}.{spec.key} declared twice")
            system.settings[(plugin, spec.key)] = spec
    for plugin, permissions in call_each("timebank_permissions"):
        _register_unique(system.permissions, permissions, plugin, "name", "permission")
    for plugin, categories in call_each("timebank_ledger_categories"):
        _register_unique(system.ledger_categories, categories, plugin, "code", "ledger category")
    for plugin, channels in call_each("timebank_notification_channels"):
        _register_unique(system.notification_channels, channels, plugin, "name", "notification channel")
    for plugin, actions in call_each("timebank_audit_actions"):
        _check_audit_actions(system, plugin, actions)
        _register_unique(system.audit_actions, actions, plugin, "code", "audit action")

    # Flask-Babel merges the catalogues in this order, later ones winning for the same msgid: the core comes last,
    # so a plugin can add strings but never change the translation of a core string (e.g. the tab bar's "Home").
    directories = []
    for info in system.plugins.values():
        if info.is_core:
            continue
        module_file = getattr(system.pm.get_plugin(info.name), "__file__", None)
        folder = Path(module_file).resolve().parent / "translations" if module_file else None
        if folder is not None and folder.is_dir():
            directories.append(str(folder))
    directories.append(str(Path(app.root_path) / "translations"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)

    system.migration_dirs = [
        (plugin, str(Path(path))) for plugin, paths in call_each("timebank_migration_dirs") for path in paths
    ]
    collect_page_assets(system)


def register_blueprints(app, system):
    """Register the blueprints every plugin provides; mount optional plugins under their community prefix."""
    for plugin, blueprints in call_each("timebank_blueprints"):
        info = system.plugins[plugin]
        for blueprint in blueprints:
            options = {}
            if not info.is_core:
                if not (blueprint.name == plugin or blueprint.name.startswith(plugin + "_")):
                    raise PluginStartupError(
                        f"plugin {plugin}: blueprint {blueprint.name!r} must be named after the plugin"
                    )
                own = f"/p/{info.slug}"
                if blueprint.url_prefix is None:
                    options["url_prefix"] = f"/c/<community>{own}"
                elif not (blueprint.url_prefix.rstrip("/") == own or blueprint.url_prefix.startswith(own + "/")):
                    raise PluginStartupError(f"plugin {plugin}: url_prefix must start with {own}")
                # Nested blueprints answer under "parent.child": gate them like their parent.
                for name in _blueprint_names(blueprint):
                    system.blueprint_plugins[name] = plugin
            app.register_blueprint(blueprint, **options)


def _blueprint_names(blueprint, name=None):
    name = name or blueprint.name
    yield name
    for child, options in blueprint._blueprints:
        yield from _blueprint_names(child, f"{name}.{options.get('name', child.name)}")


def register_commands(app):
    from . import cli

    cli.register_core_commands(app)
    owners = {name: "core" for name in app.cli.commands}
    for plugin, commands in call_each("timebank_cli_commands", _app=app):
        for command in commands:
            if command.name in owners:  # click would silently replace the earlier command
                raise PluginStartupError(
                    f"plugin {plugin}: command {command.name!r} is already provided by {owners[command.name]}"
                )
            owners[command.name] = plugin
            app.cli.add_command(command)
