"""Hook implementations of the QR check-in plugin (thin: each delegates to services)."""

from pathlib import Path

from timebank import hookimpl, roles
from timebank.i18n import _l
from timebank.ledger.categories import LedgerCategory
from timebank.permissions import Permission, can
from timebank.plugins import PluginInfo
from timebank.settings import SettingSpec
from timebank.ui import Card, NavItem

PLUGIN = PluginInfo(
    title=_l("Duty shifts and QR check-in"),
    description=_l("Gate duty, patrols and party-member posts: rotas, sign-up, check-in and check-out by QR code, "
                   "hours sent to the coordinators for confirmation."),
    default_enabled=True,
)


@hookimpl
def timebank_models():
    from . import models

    return [models.DutyPost, models.ShiftSeries, models.Shift, models.Signup, models.Attendance, models.Insurance]


@hookimpl
def timebank_migration_dirs():
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]


@hookimpl
def timebank_blueprints():
    from . import views, views_leader  # noqa: F401  (both add routes)
    from .blueprints import bp, scan_bp

    return [bp, scan_bp]


@hookimpl
def timebank_page_assets():
    from timebank.ui import PageAsset

    return [PageAsset("static/qr_checkin.css"), PageAsset("static/qr_checkin.js", kind="js")]


@hookimpl
def timebank_api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def timebank_settings():
    return [
        SettingSpec("checkin_early_minutes", "int", 15, _l("Check-in opens (minutes before the shift)"), min=0,
                    max=120),
        SettingSpec("checkout_grace_minutes", "int", 30, _l("Check-out accepted until (minutes after the shift)"),
                    _l("After this a forgotten check-out is closed at the end of the shift and flagged."),
                    min=0, max=240),
        SettingSpec("late_after_minutes", "int", 5, _l("Late after (minutes)"), min=0, max=60),
        SettingSpec("rotate_grace_windows", "int", 1, _l("A rotating code stays valid for (extra periods)"),
                    min=0, max=5),
        SettingSpec("fallback_seconds", "int", 120, _l("The six-digit fallback code changes every (seconds)"),
                    min=30, max=900),
        SettingSpec("repeat_scan_seconds", "int", 60, _l("A second scan within (seconds) does nothing"), min=5,
                    max=600),
        SettingSpec("default_capacity", "int", 2, _l("Volunteers per shift by default"), min=1, max=200),
    ]


@hookimpl
def timebank_permissions():
    return [Permission("qr_checkin.manage", _l("Manage duty posts, shifts and insurance"), roles.COORDINATOR)]


@hookimpl
def timebank_ledger_categories():
    return [
        LedgerCategory("qr_checkin.duty", _l("Duty shifts (gate, post)")),
        LedgerCategory("qr_checkin.risky_duty", _l("Risky duty (night patrol, traffic)"), risky=True),
    ]


@hookimpl
def timebank_validate_credit(draft, community):
    """Hours of risky duty are accepted only with accident insurance on file (条例 §17)."""
    if draft.category != "qr_checkin.risky_duty":
        return []
    from zoneinfo import ZoneInfo

    from .services import insured_on

    day = draft.started_at.astimezone(ZoneInfo(community.timezone)).date()
    if insured_on(community.id, draft.volunteer_id, day):
        return []
    return [_l("Risky duty: accident insurance must be on file before these hours can be recorded. Ask the "
               "coordinator to record it.")]


@hookimpl
def timebank_audit_actions():
    from .audit_actions import audit_actions

    return audit_actions()


@hookimpl
def timebank_nav_items(user, community):
    items = [NavItem(label=_l("Duty shifts"), endpoint="qr_checkin.index", icon="qr", order=20)]
    if can(user, "qr_checkin.manage", community):
        items.append(NavItem(label=_l("Duty posts"), endpoint="qr_checkin.posts", icon="building", order=810))
    return items


@hookimpl
def timebank_dashboard_cards(user, community):
    from .lines import upcoming_lines

    if not roles.role_at_least(_role(user, community), roles.VOLUNTEER):
        return []
    shifts = upcoming_lines(community, user, days=14, limit=3)
    return [Card(title=_l("My next shift"), template="qr_checkin/card_next_shift.html",
                 context={"shifts": shifts}, order=20, elder=True)]


def _role(user, community):
    from timebank.communities.services import active_membership

    membership = active_membership(user, community)
    return membership.role if membership else "none"


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
    from .cli import qr_checkin_group

    return [qr_checkin_group]

