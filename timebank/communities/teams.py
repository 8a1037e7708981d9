"""Volunteer teams (patrol team, repair team...) and their leaders."""

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from .. import roles
from ..audit.services import record_audit
from ..clock import now
from ..database import paged
from ..errors import NotFound, ValidationFailed
from ..events import commit
from ..extensions import db
from ..i18n import _, _l
from ..identity.models import User
from ..permissions import require
from .models import Membership, Team, TeamMember
from .services import member_matches

TEAM_KINDS = {
    "patrol": _l("Patrol and duty"),
    "repair": _l("Repairs"),
    "meals": _l("Meal delivery"),
    "care": _l("Elder care"),
    "party": _l("Party members"),
    "general": _l("General"),
}


def teams_in(community):
    return db.session.scalars(select(Team).where(Team.community_id == community.id).order_by(Team.name)).all()


def teams_with_sizes(community):
    """The community's teams by name, each with how many members it has: ``[(team, members)]``, one statement."""
    size = (select(func.count(TeamMember.id)).where(TeamMember.team_id == Team.id)
            .correlate(Team).scalar_subquery())
    return db.session.execute(
        select(Team, size).where(Team.community_id == community.id).order_by(Team.name)).all()


def team_in(community, team_id):
    team = db.session.scalar(select(Team).where(Team.id == team_id, Team.community_id == community.id))
    if team is None:
        raise NotFound(team_id)
    return team


def teams_of(user, community):
    """The teams of ``community`` that ``user`` belongs to, with the leader flag."""
    return db.session.execute(
        select(Team, TeamMember.is_leader).join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.community_id == community.id, TeamMember.user_id == user.id).order_by(Team.name)
    ).all()


def create_team(community, actor, name, kind="general", description=""):
    require(actor, "teams.manage", community)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationFailed(_("Enter a name of at most 60 characters."), field="name")
    if kind not in TEAM_KINDS:
        raise ValidationFailed(_("Choose one of the options."), field="kind")
    if db.session.scalar(select(Team.id).where(Team.community_id == community.id, Team.name == name)):
        raise ValidationFailed(_("A team with this name already exists."), field="name")
    team = Team(community_id=community.id, name=name, kind=kind, description=description or "", created_at=now())
    db.session.add(team)
    db.session.flush()
    record_audit("team.created", actor=actor, community=community, target=("team", team.id))
    commit()
    return team


def add_team_member(team, community, actor, user_id, is_leader=False):
    """Put an active member of the community into a team (as leader, who then needs the team-leader role)."""
    require(actor, "teams.manage", community)
    membership = db.session.scalar(
        select(Membership).where(Membership.community_id == community.id, Membership.user_id == user_id,
                                 Membership.status == "active")
    )
    if membership is None:
        raise ValidationFailed(_("Choose an active member of this community."), field="user_id")
    existing = db.session.scalar(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id)
    )
    if existing is None:
        existing = TeamMember(team_id=team.id, user_id=user_id, joined_at=now())
        db.session.add(existing)
    existing.is_leader = bool(is_leader)
    if is_leader and not roles.role_at_least(membership.role, roles.TEAM_LEADER):
        membership.role = roles.TEAM_LEADER
        if membership.volunteer_number is None:
            from .joining import next_volunteer_number

            membership.volunteer_number = next_volunteer_number(community)
    record_audit("team.member_added", actor=actor, community=community, target=("team", team.id),
                 detail={"user_id": user_id, "leader": bool(is_leader)})
    commit()
    return existing


def remove_team_member(team, community, actor, user_id):
    require(actor, "teams.manage", community)
    member = db.session.scalar(select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id))
    if member is None:
        raise NotFound(user_id)
    db.session.delete(member)
    record_audit("team.member_removed", actor=actor, community=community, target=("team", team.id),
                 detail={"user_id": user_id})
    commit()


TEAM_MEMBERS_PER_PAGE = 50


def team_members_page(team, search="", page=1, per_page=TEAM_MEMBERS_PER_PAGE):
    """One page of a team, leaders first, then by name: ``(members, total, page)``. ``search`` matches a part of
    the name, the username or the volunteer number ("%" and "_" as such). A page beyond the last shows the last.
    Two statements whatever the size of the team."""
    query = (select(TeamMember).join(User, TeamMember.user_id == User.id)
             .join(Membership, (Membership.user_id == User.id) & (Membership.community_id == team.community_id),
                   isouter=True)
             .where(TeamMember.team_id == team.id))
    search = (search or "").strip()
    if search:
        query = query.where(member_matches(search))
    return paged(query.options(contains_eager(TeamMember.user)), page, per_page,
                 (TeamMember.is_leader.desc(), User.display_name, User.id), count_on=TeamMember.id)
