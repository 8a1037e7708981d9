"""The core's own hook implementations: permissions, the audit log's words, the password check, the log channel,
home pages."""

from .. import hookimpl, roles
from ..i18n import _l
from ..notifications.channels import LOG_CHANNEL
from ..permissions import Permission
from ..plugins import PluginInfo

PLUGIN = PluginInfo(title=_l("Core"), description=_l("Accounts, communities, navigation and administration."))


@hookimpl
def timebank_permissions():
    return [
        Permission("community.manage", _l("Edit the community's details"), roles.COMMUNITY_ADMIN),
        Permission("plugins.manage", _l("Switch features on or off and change their settings"),
                   roles.COMMUNITY_ADMIN),
        Permission("audit.view", _l("Read the audit log"), roles.COMMUNITY_ADMIN),
        Permission("members.grant_staff", _l("Name coordinators and admins"), roles.COMMUNITY_ADMIN),
        Permission("members.erase", _l("Erase a member's personal data at their request"), roles.COMMUNITY_ADMIN),
        Permission("members.approve", _l("Approve registrations"), roles.COORDINATOR),
        Permission("members.manage", _l("Create accounts and change roles"), roles.COORDINATOR),
        Permission("members.view", _l("See the member list and members' phone numbers"), roles.COORDINATOR),
        Permission("members.act_for", _l("Act on behalf of a member without a phone"), roles.COORDINATOR),
        Permission("structure.manage", _l("Edit grids, buildings and households"), roles.COORDINATOR),
        Permission("teams.manage", _l("Create teams and name team leaders"), roles.COORDINATOR),
        Permission("district.manage", _l("Administer every community of the installation"),
                   roles.COMMUNITY_ADMIN),
    ]


@hookimpl
def timebank_audit_actions():
    from ..audit.core_actions import core_audit_actions

    return core_audit_actions()


@hookimpl(trylast=True)
def timebank_authenticate(username, password):
    from ..identity.services import password_login

    return password_login(username, password)


@hookimpl
def timebank_notification_channels():
    return [LOG_CHANNEL]


@hookimpl
def timebank_blueprints():
    from ..assets import bp as assets
    from ..home.views import bp

    return [bp, assets]


@hookimpl
def timebank_page_assets():
    from pathlib import Path

    from ..ui import PageAsset

    static = Path(__file__).resolve().parent.parent / "static"
    return [PageAsset(static / "app.css"), PageAsset(static / "app.js", kind="js")]


@hookimpl
def timebank_models():
    from .. import models

    return [getattr(models, name) for name in models.__all__]
