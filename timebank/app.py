"""The application factory.

``create_app(test_config=None)`` reads configuration, builds the plugin manager, collects what plugins
declare (models, settings, permissions, ledger categories, channels, blueprints, commands), initialises the
extensions and returns the app. Nothing is global: tests build a fresh app each time.
"""

import importlib.util
import logging
import os
import secrets
from pathlib import Path

from flask import Flask

from . import events, garbage, web
from .clock import system_clock
from .extensions import babel, csrf, db, login_manager, migrate
from .hooks import call_each
from .plugins import build_plugin_manager
from .setup_hooks import collect_setup_hooks, register_blueprints, register_commands

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent


def _package_dir(name, fallback):
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.submodule_search_locations:
        return str(next(iter(spec.submodule_search_locations)))
    return str(PACKAGE_DIR.parent / fallback)


def _instance_path(test_config):
    configured = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("TIMEBANK_INSTANCE_PATH")
    if configured:
        return str(Path(configured).resolve())
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").exists() and (checkout / "instance").is_dir():
        return str(checkout / "instance")
    return None  # Flask's default: <prefix>/var/timebank-instance


def _configure(app, test_config):
    from .config import DefaultConfig

    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("TIMEBANK")
    else:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'timebank.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _stored_secret_key(Path(app.instance_path))


def _stored_secret_key(instance):
    """A random key created on first start and kept in the instance folder (readable by the owner only)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def create_app(test_config=None):
    """Create the timebank Flask application.

    :param test_config: a mapping that replaces ``instance/config.py`` and environment variables (tests).
    """
    app = Flask(
        "timebank",
        root_path=str(PACKAGE_DIR),
        instance_path=_instance_path(test_config),
        instance_relative_config=True,
        template_folder=_package_dir("timebank_templates", "templates"),
        static_folder="static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    _configure(app, test_config)

    proxies = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    system = build_plugin_manager(app.config)
    system.clock = system_clock
    app.extensions["timebank"] = system

    with app.app_context():
        collect_setup_hooks(app, system)

    db.init_app(app)
    from . import database

    database.install(app)
    migrate.init_app(app, db, directory=_package_dir("timebank_migrations", "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=_locale_selector, timezone_selector=_timezone_selector)
    login_manager.init_app(app)
    csrf.init_app(app)
    events.install(app)

    with app.app_context():
        register_blueprints(app, system)
    web.install(app)
    register_commands(app)

    with app.app_context():
        call_each("timebank_startup", app=app)
    if test_config is None:
        garbage.install(app)
    return app


@migrate.configure
def _plugin_migration_branches(config):
    """Alembic looks for revisions in the core folder and in every plugin's own branch folder."""
    from flask import current_app

    core = str(Path(config.get_main_option("script_location")) / "versions")
    plugin_dirs = [path for _plugin, path in current_app.extensions["timebank"].migration_dirs]
    config.set_main_option("version_locations", os.pathsep.join([core, *plugin_dirs]))
    return config


def _locale_selector():
    from .i18n import select_locale

    return select_locale()


def _timezone_selector():
    from .i18n import select_timezone

    return select_timezone()
