"""Hook implementations of the repair-team plugin (thin: each delegates to a service module)."""

from pathlib import Path

from timebank import hookimpl, roles
from timebank.i18n import _l
from timebank.ledger.categories import LedgerCategory
from timebank.permissions import Permission
from timebank.plugins import PluginInfo

PLUGIN = PluginInfo(
    title=_l("Repair team bookings"),
    description=_l("Residents ask for help with a dripping tap, a tripped switch or a stuck lock; the volunteer "
                   "repair team comes to the home. Labour is free, materials at cost; hours go to the ledger when "
                   "the resident signs off."),
    default_enabled=True,
)


@hookimpl
def timebank_models():
    from .models import MODELS

    return MODELS


@hookimpl
def timebank_migration_dirs():
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]


@hookimpl
def timebank_blueprints():
    from . import views, views_coordinator, views_volunteer  # noqa: F401  (each adds routes)
    from .blueprints import bp

    return [bp]


@hookimpl
def timebank_page_assets():
    from timebank.ui import PageAsset

    return [PageAsset("static/repair_team.css")]


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
        Permission("repair_team.manage", _l("Dispatch repairs, manage the repair team, see repair statistics"),
                   roles.COORDINATOR),
        Permission("repair_team.request_for_others", _l("Ask for a repair on a resident's behalf"),
                   roles.COORDINATOR),
    ]


@hookimpl
def timebank_audit_actions():
    from .audit_actions import audit_actions

    return audit_actions()


@hookimpl
def timebank_permission_allowed(user, permission, community, resource):
    """Grid workers take repair requests for the residents of their grids, like coordinators."""
    if permission != "repair_team.request_for_others" or community is None:
        return None
    from .services import is_grid_worker

    return True if is_grid_worker(user, community) else None


@hookimpl
def timebank_ledger_categories():
    return [LedgerCategory("repair_team.repair", _l("Home repairs (repair team)"),
                           _l("Time on the job at the resident's home, travel excluded, from signed-off work orders."),
                           earns_credits=True, risky=True)]


@hookimpl
def timebank_validate_credit(draft, community):
    """Repair hours come only from a signed-off work order, never from a claim typed by hand."""
    if draft.category == "repair_team.repair" and not (draft.source or "").startswith("repair_team:order-"):
        return [_l("Repair hours are recorded when the resident signs off the work order.")]
    return []


@hookimpl
def timebank_nav_items(user, community):
    from .dashboard import nav_items_for

    return nav_items_for(user, community)


@hookimpl
def timebank_dashboard_cards(user, community):
    from .dashboard import cards_for

    return cards_for(user, community)


@hookimpl
def timebank_tasks(user, community):
    from .dashboard import tasks_for

    return tasks_for(user, community)


@hookimpl
def timebank_profile_panels(profile_user, viewer, community):
    from .dashboard import profile_panels_for

    return profile_panels_for(profile_user, viewer, community)


@hookimpl
def timebank_demo_data(community, users):
    from .demo import load_demo

    load_demo(community, users)


@hookimpl
def timebank_cli_commands():
    from .cli import repair_team_group

    return [repair_team_group]
