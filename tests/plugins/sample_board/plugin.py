"""Wiring of the sample notice board: every hook implementation, each a few lines that delegate to services.

Loaded in tests with ``EXTRA_PLUGINS = ["sample_board.plugin"]`` (the plugin's name is then ``sample_board``).
"""

from pathlib import Path

from timebank import hookimpl, roles
from timebank.errors import ValidationFailed
from timebank.i18n import _, _l
from timebank.ledger.categories import LedgerCategory
from timebank.notifications.channels import NotificationChannel
from timebank.permissions import Permission
from timebank.plugins import PluginInfo
from timebank.settings import SettingSpec, get_setting
from timebank.ui import Card, NavItem, Panel, TaskItem

from . import hookspecs, services

PLUGIN = PluginInfo(title=_l("Notice board"), description=_l("Short notes pinned for the whole community."),
                    default_enabled=False)


# --- Setup --------------------------------------------------------------------------------------------------


@hookimpl
def timebank_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def timebank_models():
    from .models import SampleBoardNote

    return [SampleBoardNote]


@hookimpl
def timebank_migration_dirs():
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]


@hookimpl
def timebank_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def timebank_api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def timebank_cli_commands():
    from .cli import group

    return [group]


def _no_links(greeting):
    if "://" in greeting:
        raise ValidationFailed(_("No web links on the notice board."), field="greeting")


@hookimpl
def timebank_settings():
    return [
        SettingSpec("max_notes", "int", 20, _l("Most notes on the board"), min=1, max=100),
        SettingSpec("greeting", "str", "", _l("Greeting on the card"), max=40, check=_no_links),
        SettingSpec("show_card", "bool", True, _l("Show the board on the home page")),
        SettingSpec("sms_sender", "str", "TIMEBANK", _l("SMS sender name"), scope="instance", max=11),
    ]


@hookimpl
def timebank_permissions():
    return [Permission("sample_board.moderate", _l("Take notes off the board"), roles.COORDINATOR)]


@hookimpl
def timebank_ledger_categories():
    return [LedgerCategory("sample_board.notice_delivery", _l("Delivering printed notices"))]


@hookimpl
def timebank_notification_channels():
    return [NotificationChannel("sample_board_sms", _l("SMS (sample)"), deliver=services.deliver_sms)]


@hookimpl
def timebank_startup(app):
    app.jinja_env.filters["sample_board_excerpt"] = services.excerpt


# --- UI -----------------------------------------------------------------------------------------------------


@hookimpl
def timebank_nav_items(user, community):
    return [NavItem(label=_l("Notice board"), endpoint="sample_board.index", icon="grid", order=40)]


@hookimpl
def timebank_dashboard_cards(user, community):
    if not get_setting("sample_board", "show_card", community):
        return []
    context = {"count": services.note_count(community),
               "greeting": get_setting("sample_board", "greeting", community)}
    return [Card(title=_l("On the notice board"), template="sample_board/card.html", context=context, order=30)]


@hookimpl
def timebank_profile_panels(profile_user, viewer, community):
    return [Panel(title=_l("Notes pinned"), template="sample_board/panel.html",
                  context={"count": services.note_count(community, author=profile_user)})]


@hookimpl
def timebank_tasks(user, community):
    count = services.note_count(community)
    if not count:
        return []
    return [TaskItem(label=_l("Read the notice board"), endpoint="sample_board.index", count=count)]


# --- Events -------------------------------------------------------------------------------------------------


@hookimpl
def timebank_member_joined(user, community, membership):
    services.record_event("member_joined", user=user.id, community=community.slug, role=membership.role)


@hookimpl
def timebank_hours_confirmed(entry, community):
    services.record_event("hours_confirmed", entry=entry, community=community.slug)


@hookimpl
def timebank_hours_reversed(entry, reversal, community):
    services.record_event("hours_reversed", entry=entry, reversal=reversal, community=community.slug)
