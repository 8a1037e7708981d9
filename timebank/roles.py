"""Roles in a community, lowest first. A member has one role per community; each role includes the ones below."""

from .i18n import _l

RESIDENT = "resident"
VOLUNTEER = "volunteer"
TEAM_LEADER = "team_leader"
COORDINATOR = "coordinator"
COMMUNITY_ADMIN = "community_admin"

ROLES = (RESIDENT, VOLUNTEER, TEAM_LEADER, COORDINATOR, COMMUNITY_ADMIN)
RANK = {role: rank for rank, role in enumerate(ROLES)}

ROLE_LABELS = {
    RESIDENT: _l("Resident"),
    VOLUNTEER: _l("Volunteer"),
    TEAM_LEADER: _l("Team leader"),
    COORDINATOR: _l("Coordinator"),
    COMMUNITY_ADMIN: _l("Community admin"),
}


def role_at_least(role, minimum):
    """True when ``role`` ranks at or above ``minimum``."""
    return role in RANK and RANK[role] >= RANK[minimum]


def role_choices():
    return [(role, ROLE_LABELS[role]) for role in ROLES]
