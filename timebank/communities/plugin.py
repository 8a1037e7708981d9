"""Hook implementations of the communities area (always on)."""

from .. import hookimpl
from ..i18n import _l
from ..permissions import can
from ..ui import Card, TaskItem


@hookimpl
def timebank_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def timebank_tasks(user, community):
    from .joining import count_pending_registrations

    if not can(user, "members.approve", community):
        return []
    pending = count_pending_registrations(community)
    if not pending:
        return []
    return [TaskItem(label=_l("Registrations waiting for approval"), endpoint="admin.registrations",
                     count=pending, urgent=True, order=10)]


@hookimpl
def timebank_dashboard_cards(user, community):
    from .services import active_membership

    membership = active_membership(user, community)
    return [Card(title=_l("My community"), template="communities/card_community.html",
                 context={"membership": membership}, order=90, elder=True)]
