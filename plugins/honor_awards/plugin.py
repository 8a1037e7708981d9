"""Hook implementations of the honour awards plugin (thin: each delegates to the services)."""

from pathlib import Path

from timebank import hookimpl, roles
from timebank.i18n import _l
from timebank.permissions import Permission
from timebank.plugins import PluginInfo
from timebank.settings import SettingSpec
from timebank.ui import Card, NavItem, Panel

PLUGIN = PluginInfo(
    title=_l("Honour awards"),
    description=_l("Model families, people and buildings of the year (最美家庭, 文明家庭, 道德模范, 最美楼院) and star "
                   "volunteers: nominations, home visits, committee scores, a public vote, a public notice with "
                   "objections, certificates and an honour wall."),
    default_enabled=True,
)

VOTE_LIMITS = [("household_day", _l("one vote per household per day")),
               ("account_day", _l("one vote per account per day"))]


@hookimpl
def timebank_addhooks(pluginmanager):
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def timebank_models():
    from . import models

    return [models.Notice, models.NoticeItem, models.Objection, models.Campaign, models.Criterion,
            models.Nomination, models.Photo, models.Score, models.Vote, models.Award]


@hookimpl
def timebank_migration_dirs():
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]


@hookimpl
def timebank_blueprints():
    from . import views, views_manage, views_public  # noqa: F401  (each adds routes)
    from .blueprints import bp

    return [bp]


@hookimpl
def timebank_page_assets():
    from timebank.ui import PageAsset

    return [PageAsset("static/honor_awards.css")]


@hookimpl
def timebank_api_blueprints():
    from .api import bp

    return [bp]


@hookimpl
def timebank_settings():
    return [
        SettingSpec("notice_days", "int", 7, _l("Public notice of a campaign's results (days)"), min=3, max=7),
        SettingSpec("star_notice_working_days", "int", 5, _l("Public notice of star volunteers (working days)"),
                    min=5, max=20),
        SettingSpec("stars_enabled", "bool", True, _l("Propose star volunteers when their confirmed hours reach a "
                                                      "star level")),
        SettingSpec("vote_limit", "choice", "household_day", _l("Public vote limit"), choices=VOTE_LIMITS),
        SettingSpec("vote_weight_percent", "int", 30, _l("Weight of the public vote in the result (%)"),
                    _l("The committee's score counts for the rest (default 30/70)."), min=0, max=100),
        SettingSpec("suspicious_votes", "int", 3, _l("Votes from one device that look suspicious"),
                    _l("This many votes or more from one phone or computer within the time below are flagged for "
                       "a coordinator."), min=2, max=100),
        SettingSpec("suspicious_minutes", "int", 10, _l("…within (minutes)"), min=1, max=1440),
        SettingSpec("min_residence_months", "int", 0, _l("Candidates must have lived here for (months)"),
                    _l("0: no minimum. Some places ask for 12 or 24 months."), min=0, max=120),
        SettingSpec("subdistrict_name", "str", "", _l("Sub-district office that receives the results"), max=80),
    ]


@hookimpl
def timebank_permissions():
    return [
        Permission("honor_awards.manage", _l("Run honour campaigns: shortlist, void votes, publish, finalise"),
                   roles.COORDINATOR),
        Permission("honor_awards.review", _l("Record home visits and committee scores"), roles.COORDINATOR),
        Permission("honor_awards.notice", _l("Resolve objections to public notices and close them"),
                   roles.COORDINATOR),
        Permission("honor_awards.nominate", _l("Nominate candidates for honours"), roles.RESIDENT),
        Permission("honor_awards.nominate_for_organisation", _l("Nominate on behalf of an organisation"),
                   roles.TEAM_LEADER),
        Permission("honor_awards.vote", _l("Vote for shortlisted candidates"), roles.RESIDENT),
    ]


@hookimpl
def timebank_audit_actions():
    from .audit_actions import audit_actions

    return audit_actions()


@hookimpl
def timebank_nav_items(user, community):
    return [NavItem(label=_l("Honours"), endpoint="honor_awards.index", icon="award", order=60)]


@hookimpl
def timebank_dashboard_cards(user, community):
    from .dashboard import card_context

    context = card_context(user, community)
    if context is None:
        return []
    return [Card(title=_l("Community honours"), template="honor_awards/card.html", context=context, order=60,
                 elder=True)]


@hookimpl
def timebank_profile_panels(profile_user, viewer, community):
    from .awards import awards_of, may_see_certificate

    awards = awards_of(community, profile_user)
    if not awards:
        return []
    return [Panel(title=_l("Honours"), template="honor_awards/panel.html", order=30,
                  context={"awards": [(award, may_see_certificate(award, community, viewer)) for award in awards]})]


@hookimpl
def timebank_tasks(user, community):
    from .dashboard import tasks_for

    return tasks_for(user, community)


@hookimpl
def timebank_hours_confirmed_batch(entries, community):
    from .stars import check_volunteers

    check_volunteers(community, [entry.volunteer_id for entry in entries])  # once per person, not per entry


@hookimpl
def timebank_hours_reversed(entry, reversal, community):
    from .stars import check_volunteer, recheck_after_correction

    recheck_after_correction(community, entry.volunteer)
    check_volunteer(community, entry.volunteer)


@hookimpl
def honor_awards_objection_upheld(notice, item, objection, community):
    from .awards import withdraw_after_objection

    withdraw_after_objection(notice, item, objection, community)


@hookimpl
def honor_awards_notice_closed(notice, items, actor, community):
    from .awards import grant_for_notice

    grant_for_notice(notice, items, actor, community)


@hookimpl
def timebank_demo_data(community, users):
    from .demo import load_demo

    load_demo(community, users)


@hookimpl
def timebank_cli_commands():
    from .cli import honor_awards_group

    return [honor_awards_group]
