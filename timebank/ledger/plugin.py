"""Hook implementations of the ledger area (always on): pages, policy settings, permissions, categories,
the "My hours" card, tasks for coordinators, the profile panel and the ``ledger`` commands."""

from .. import hookimpl, roles
from ..i18n import _l
from ..permissions import Permission, can
from ..ui import Card, NavItem, Panel, TaskItem
from .categories import LedgerCategory


@hookimpl
def timebank_blueprints():
    from .views_coordinator import bp as coordinator_bp
    from .views_public import bp as public_bp
    from .views_volunteer import bp as volunteer_bp

    return [volunteer_bp, coordinator_bp, public_bp]


@hookimpl
def timebank_models():
    from . import models

    return [models.Account, models.ServiceRecord, models.LedgerTransaction, models.Posting,
            models.CorrectionRequest, models.Relative, models.Certificate]


@hookimpl
def timebank_settings():
    from .policy import setting_specs

    return setting_specs()


@hookimpl
def timebank_permissions():
    return [
        Permission("ledger.confirm", _l("Confirm or reject volunteer hours"), roles.COORDINATOR),
        Permission("ledger.correct", _l("Correct confirmed hours"), roles.COORDINATOR),
        Permission("ledger.backfill", _l("Enter hours after the fact for volunteers"), roles.COORDINATOR),
        Permission("ledger.approve_over_cap", _l("Confirm hours above the daily limit"), roles.COMMUNITY_ADMIN),
        Permission("ledger.export", _l("Export service records"), roles.COORDINATOR),
        Permission("ledger.relatives", _l("Confirm relatives who may receive credits"), roles.COORDINATOR),
        Permission("ledger.policy", _l("Change the hours policy"), roles.COMMUNITY_ADMIN),
        Permission("ledger.certify", _l("Issue certificates for volunteers"), roles.COORDINATOR),
    ]


@hookimpl
def timebank_ledger_categories():
    return [
        LedgerCategory("ledger.elder_care", _l("Elder care and companionship"), earns_credits=True),
        LedgerCategory("ledger.mutual_help", _l("Help for neighbours"), earns_credits=True),
        LedgerCategory("ledger.community_service", _l("Community public service")),
        LedgerCategory("ledger.safety", _l("Safety patrols and duty"), risky=True),
        LedgerCategory("ledger.culture_education", _l("Culture, education and publicity")),
        LedgerCategory("ledger.emergency", _l("Emergency response")),
        LedgerCategory("ledger.other", _l("Other volunteer service")),
        LedgerCategory("ledger.staff_duty", _l("Staff or grid-worker duty in working hours (no hours)"),
                       counts_hours=False),
        LedgerCategory("ledger.meeting_training", _l("Internal meetings and training (no hours)"),
                       counts_hours=False),
    ]


@hookimpl
def timebank_nav_items(user, community):
    items = []
    if can(user, "ledger.confirm", community):
        items.append(NavItem(label=_l("Confirm hours"), endpoint="ledger_admin.queue", icon="check", order=800))
    return items


def is_volunteer(user, community):
    from ..communities.services import active_membership

    membership = active_membership(user, community)
    return membership is not None and roles.role_at_least(membership.role, roles.VOLUNTEER)


@hookimpl
def timebank_dashboard_cards(user, community):
    from .reports import summary_for

    summary = summary_for(community, user)
    volunteer = is_volunteer(user, community)
    if not volunteer and not (summary.confirmed_minutes or summary.credit_minutes):
        return []  # residents see the card once they have hours or received credits
    return [Card(title=_l("My volunteer hours"), template="ledger/card_hours.html",
                 context={"summary": summary, "volunteer": volunteer}, order=10, elder=True)]


@hookimpl
def timebank_tasks(user, community):
    from .reports import open_request_count, pending_relative_count, queue_counts

    tasks = []
    if can(user, "ledger.confirm", community):
        pending, overdue = queue_counts(community)
        if pending:
            tasks.append(TaskItem(label=_l("Hours waiting for confirmation"), endpoint="ledger_admin.queue",
                                  count=pending, urgent=bool(overdue), order=20,
                                  detail=_l("Some are overdue (older than the confirmation deadline).")
                                  if overdue else ""))
    if can(user, "ledger.correct", community):
        requests = open_request_count(community)
        if requests:
            tasks.append(TaskItem(label=_l("Correction requests"), endpoint="ledger_admin.corrections",
                                  count=requests, order=25))
    if can(user, "ledger.relatives", community):
        relatives = pending_relative_count(community)
        if relatives:
            tasks.append(TaskItem(label=_l("Relatives to confirm"), endpoint="ledger_admin.relatives",
                                  count=relatives, order=30))
    return tasks


@hookimpl
def timebank_profile_panels(profile_user, viewer, community):
    from .reports import summary_for

    if viewer.id != profile_user.id and not can(viewer, "ledger.confirm", community):
        return []
    return [Panel(title=_l("Volunteer hours"), template="ledger/panel_hours.html",
                  context={"summary": summary_for(community, profile_user), "member": profile_user}, order=10)]


@hookimpl
def timebank_cli_commands():
    from .cli import ledger_group

    return [ledger_group]


@hookimpl
def timebank_startup(app):
    from .categories import decision_note_text
    from .chart import chart_html, monthly_bars
    from .credits import credits_count, format_credits
    from .forms import RELATION_LABELS

    app.jinja_env.filters["credits"] = format_credits
    app.jinja_env.filters["hours"] = format_credits  # minutes as decimal hours: 90 → "1.5"
    app.jinja_env.filters["hours_count"] = credits_count  # the count for ngettext of such hours: 60 → 1, 90 → 0
    app.jinja_env.globals["relation_label"] = lambda relation: RELATION_LABELS.get(relation, relation)
    app.jinja_env.globals["decision_note_text"] = decision_note_text  # a note code in the reader's language
    app.jinja_env.globals["monthly_bars"] = monthly_bars
    app.jinja_env.globals["monthly_chart"] = chart_html  # the drawing, kept per worker
