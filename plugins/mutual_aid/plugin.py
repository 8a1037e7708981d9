"""Hook implementations of the mutual-aid exchange (thin: each delegates to the services)."""

from pathlib import Path

from timebank import hookimpl, roles
from timebank.i18n import _l
from timebank.ledger.categories import LedgerCategory
from timebank.permissions import Permission, can
from timebank.plugins import PluginInfo
from timebank.ui import Card, NavItem

PLUGIN = PluginInfo(
    title=_l("Neighbourhood mutual aid"),
    description=_l("Neighbours offer what they can do and ask for what they need; time-bank credits move from the "
                   "person helped to the helper."),
    default_enabled=True,
)


@hookimpl
def timebank_models():
    from . import models

    return [models.Listing, models.Response, models.Agreement, models.Profile, models.Report]


@hookimpl
def timebank_migration_dirs():
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]


@hookimpl
def timebank_blueprints():
    from . import views, views_manage  # noqa: F401  (both add routes)
    from .blueprints import bp

    return [bp]


@hookimpl
def timebank_page_assets():
    from timebank.ui import PageAsset

    return [PageAsset("static/mutual_aid.css")]


@hookimpl
def timebank_settings():
    from .policy import setting_specs

    return setting_specs()


@hookimpl
def timebank_permissions():
    return [Permission("mutual_aid.manage", _l("Run the neighbourhood exchange: priority elders, suspensions, "
                                               "reports"), roles.COORDINATOR)]


@hookimpl
def timebank_ledger_categories():
    # Credits for this help come from the person helped (or the pool), never from the community: earns_credits
    # stays False so that confirming the hours does not pay the helper twice.
    from .exchange import CATEGORY, CONFIRMED_BY_COORDINATOR, CONFIRMED_BY_RECIPIENT

    return [LedgerCategory(
        CATEGORY, _l("Help between neighbours (mutual aid)"),
        # Records confirmed by older versions hold these English words (the ledger is never rewritten).
        legacy_notes={"confirmed by the person helped": CONFIRMED_BY_RECIPIENT,
                      "coordinator": CONFIRMED_BY_COORDINATOR})]


@hookimpl
def timebank_audit_actions():
    from .audit_actions import audit_actions

    return audit_actions()


@hookimpl
def timebank_nav_items(user, community):
    items = [NavItem(label=_l("Mutual aid"), endpoint="mutual_aid.index", icon="heart", order=30)]
    if can(user, "mutual_aid.manage", community):
        items.append(NavItem(label=_l("Exchange admin"), endpoint="mutual_aid.manage", icon="users", order=820))
    return items


@hookimpl
def timebank_dashboard_cards(user, community):
    from .views import cards_context

    context = cards_context(user, community)
    cards = [Card(title=_l("My agreements"), template="mutual_aid/card_agreements.html", context=context, order=25,
                  elder=True)]
    if context["needs"]:
        cards.append(Card(title=_l("Needs near me"), template="mutual_aid/card_needs.html", context=context,
                          order=26, size="half"))
    return cards


@hookimpl
def timebank_tasks(user, community):
    from .tasks import tasks_for

    return tasks_for(user, community)


@hookimpl
def timebank_demo_data(community, users):
    from .demo import load_demo

    load_demo(community, users)


@hookimpl
def timebank_personal_data(user):
    from .privacy import personal_data

    return personal_data(user)


@hookimpl
def timebank_member_erased(user, community):
    from .privacy import erase

    erase(user, community)


@hookimpl
def timebank_cli_commands():
    from .cli import mutual_aid_group

    return [mutual_aid_group]
