"""Hook implementations of the administration area (always on)."""

from .. import hookimpl
from ..i18n import _l
from ..permissions import can
from ..ui import NavItem


@hookimpl
def timebank_blueprints():
    from ..district.views import bp as district_bp
    from . import views, views_setup  # noqa: F401  (both add routes to the blueprint)
    from .blueprint import bp

    return [bp, district_bp]


@hookimpl
def timebank_nav_items(user, community):
    if not can(user, "members.approve", community):
        return []
    return [NavItem(label=_l("Community admin"), endpoint="admin.overview", icon="settings", order=900)]
