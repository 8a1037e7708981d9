"""Figures for the district overview (one query per figure, grouped by community)."""

from sqlalchemy import func, select

from ..communities.models import Community, Membership
from ..extensions import db
from ..plugin_state import CommunityPlugin


def community_overview():
    """``[(community, active members, pending registrations)]`` for every community."""
    active = (select(Membership.community_id, func.count(Membership.id).label("n"))
              .where(Membership.status == "active").group_by(Membership.community_id).subquery())
    pending = (select(Membership.community_id, func.count(Membership.id).label("n"))
               .where(Membership.status == "pending").group_by(Membership.community_id).subquery())
    rows = db.session.execute(
        select(Community, func.coalesce(active.c.n, 0), func.coalesce(pending.c.n, 0))
        .outerjoin(active, active.c.community_id == Community.id)
        .outerjoin(pending, pending.c.community_id == Community.id)
        .order_by(Community.name)
    ).all()
    return rows


def plugin_switches():
    """``{(community_id, plugin): enabled}`` for every explicit switch."""
    rows = db.session.execute(select(CommunityPlugin.community_id, CommunityPlugin.plugin_name,
                                     CommunityPlugin.enabled))
    return {(community_id, plugin): enabled for community_id, plugin, enabled in rows}
