"""Start-up work driven by setup hooks: collecting declarations, registering blueprints and commands."""

import logging
from pathlib import Path

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
    info = system.plugins[plugin]
    for model in models:
        table = model.__tablename__
        if not info.is_core and not table.startswith(plugin + "_"):
            raise PluginStartupError(f"plugin {plugin}: table {table!r} must start with {plugin + '_'!r}")


def collect_setup_hooks(app, system):
    """Ask every plugin for its models, settings, permissions, categories, channels and translations."""
    for plugin, models in call_each("timebank_models"):
        _check_models(system, plugin, models)
    for plugin, specs in call_each("timebank_settings"):
        for spec in specs:
            spec.plugin = plugin
            if (plugin, spec.key) in system.settings:
                raise PluginStartupError(f"setting {plugin}.{spec.key} declared twice")
            system.settings[(plugin, spec.key)] = spec
    for plugin, permissions in call_each("timebank_permissions"):
        _register_unique(system.permissions, permissions, plugin, "name", "permission")
    for plugin, categories in call_each("timebank_ledger_categories"):
        _register_unique(system.ledger_categories, categories, plugin, "code", "ledger category")
    for plugin, channels in call_each("timebank_notification_channels"):
        _register_unique(system.notification_channels, channels, plugin, "name", "notification channel")

    directories = [str(Path(app.root_path) / "translations")]
    for info in system.plugins.values():
        if info.is_core:
            continue
        module = system.pm.get_plugin(info.name)
        folder = Path(module.__file__).resolve().parent / "translations"
        if folder.is_dir():
            directories.append(str(folder))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)

    system.migration_dirs = [
        (plugin, str(Path(path))) for plugin, paths in call_each("timebank_migration_dirs") for path in paths
    ]


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
                if blueprint.url_prefix is None:
                    options["url_prefix"] = f"/c/<community>/p/{info.slug}"
                elif not blueprint.url_prefix.startswith(f"/p/{info.slug}"):
                    raise PluginStartupError(f"plugin {plugin}: url_prefix must start with /p/{info.slug}")
                system.blueprint_plugins[blueprint.name] = plugin
            app.register_blueprint(blueprint, **options)


def register_commands(app):
    from . import cli

    cli.register_core_commands(app)
    for _plugin, commands in call_each("timebank_cli_commands", app=app):
        for command in commands:
            app.cli.add_command(command)
