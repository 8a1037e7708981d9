"""Hook implementations of the elder meal service (thin: each delegates to the plugin's modules)."""

from pathlib import Path

from timebank import hookimpl, roles
from timebank.i18n import _l
from timebank.ledger.categories import LedgerCategory
from timebank.permissions import Permission
from timebank.plugins import PluginInfo

PLUGIN = PluginInfo(
    title=_l("Elder meals"),
    description=_l("The community canteen for elders: enrolment, subsidies by age and welfare status, weekly menus, "
                   "orders with a cut-off, the kitchen roster, volunteer delivery rounds with alerts when nobody "
                   "answers the door, and monthly statements."),
    default_enabled=True,
)


@hookimpl
def timebank_models():
    from .models import ALL_MODELS

    return list(ALL_MODELS)


@hookimpl
def timebank_migration_dirs():
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]


@hookimpl
def timebank_blueprints():
    from . import views, views_kitchen, views_orders, views_rounds, views_statements  # noqa: F401  (add routes)
    from .blueprints import bp

    return [bp]


@hookimpl
def timebank_page_assets():
    from timebank.ui import PageAsset

    return [PageAsset("static/elder_meals.css")]


@hookimpl
def timebank_api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def timebank_settings():
    from .policy import setting_specs

    return setting_specs()


@hookimpl
def timebank_permissions():
    return [
        Permission("elder_meals.manage", _l("Run the meal service: enrolments, family links, canteen staff, "
                                            "delivery rounds, subsidy policy"), roles.COORDINATOR),
        Permission("elder_meals.kitchen", _l("Canteen work: menus, roster, late order changes, food samples; sees "
                                             "diet and health notes and welfare status"), roles.COORDINATOR),
    ]


@hookimpl
def timebank_permission_allowed(user, permission, community, resource):
    """Members named as canteen staff get the canteen's permission."""
    if permission != "elder_meals.kitchen" or community is None:
        return None
    from .services import is_canteen_staff

    return True if is_canteen_staff(user, community) else None


@hookimpl
def timebank_ledger_categories():
    return [LedgerCategory("elder_meals.delivery", _l("Meal delivery to elders"),
                           _l("Delivery rounds of the community canteen"), earns_credits=True)]


@hookimpl
def timebank_audit_actions():
    from .audit_actions import audit_actions

    return audit_actions()


@hookimpl
def timebank_nav_items(user, community):
    from .ui_items import nav_items

    return nav_items(user, community)


@hookimpl
def timebank_dashboard_cards(user, community):
    from .ui_items import dashboard_cards

    return dashboard_cards(user, community)


@hookimpl
def timebank_tasks(user, community):
    from .ui_items import tasks

    return tasks(user, community)


@hookimpl
def timebank_template_slot(slot, context):
    from .ui_items import home_alerts

    return home_alerts(slot, context)


@hookimpl
def timebank_profile_panels(profile_user, viewer, community):
    from .ui_items import profile_panels

    return profile_panels(profile_user, viewer, community)


@hookimpl
def timebank_startup(app):
    from .labels import template_labels
    from .policy import format_yuan

    app.jinja_env.filters["elder_meals_yuan"] = format_yuan
    app.jinja_env.globals["elder_meals_labels"] = template_labels()


@hookimpl
def timebank_demo_data(community, users):
    from .demo import load_demo

    load_demo(community, users)


@hookimpl
def timebank_cli_commands():
    from .cli import elder_meals_group

    return [elder_meals_group]
