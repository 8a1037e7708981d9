"""Imports every core model, so that ``db.metadata`` is complete (Alembic, schema checks, tests)."""

from .audit.models import AuditEvent
from .communities.models import Building, Community, Grid, Household, Membership, Stairwell, Team, TeamMember
from .identity.models import User
from .notifications.models import Notification
from .plugin_state import CommunityPlugin
from .settings import PluginSetting

__all__ = ["AuditEvent", "Building", "Community", "CommunityPlugin", "Grid", "Household", "Membership",
           "Notification", "PluginSetting", "Stairwell", "Team", "TeamMember", "User"]
