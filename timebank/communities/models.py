"""A community (社区), its places (grids → buildings → stairwells → households), teams and members."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..community_config import new_config_version
from ..db_types import UTCDateTime
from ..extensions import db


class Community(db.Model):
    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    timezone: Mapped[str] = mapped_column(String(40), nullable=False, default="Asia/Shanghai")
    # The residents' committee or organisation that records the hours and issues certificates.
    organising_unit: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    self_registration: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # A random value, new with each change of the plugins' switches and stored settings that apply here (and for a
    # new community): a worker keeps what it read and reads again when the value has changed (``community_config``).
    config_version: Mapped[int] = mapped_column(Integer, nullable=False, default=new_config_version,
                                                server_default="0")

    def __repr__(self):
        return f"<Community {self.slug}>"


class Membership(db.Model):
    """A person's place in one community: role, status and (for volunteers) the community's volunteer number."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "community_id"),
        UniqueConstraint("community_id", "volunteer_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="resident")
    # pending (self-registered, waiting for a coordinator) → active; or rejected; left (kept for history)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    volunteer_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    wants_to_volunteer: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), nullable=True, index=True)
    address_note: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    application_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decision_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The member agreed to appear (with a masked name) on public lists such as the hours leaderboard.
    public_consent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    community = relationship("Community", lazy="joined")
    household = relationship("Household")


class Grid(db.Model):
    """网格: large → small → micro. A grid worker looks after it."""

    __tablename__ = "grid"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), nullable=True)
    level: Mapped[str] = mapped_column(String(10), nullable=False, default="small")  # large / small / micro
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    grid_worker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    parent = relationship("Grid", remote_side=[id])
    grid_worker = relationship("User")


class Building(db.Model):
    """楼栋."""

    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(40), nullable=False)

    grid = relationship("Grid")
    stairwells = relationship("Stairwell", back_populates="building", order_by="Stairwell.name")


class Stairwell(db.Model):
    """单元: an entrance of a building."""

    __tablename__ = "stairwell"
    __table_args__ = (UniqueConstraint("building_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(40), nullable=False)

    building = relationship("Building", back_populates="stairwells")


class Household(db.Model):
    """户: the unit for family awards, meals and repairs."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("building_id", "stairwell_id", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), nullable=False, index=True)
    stairwell_id: Mapped[int | None] = mapped_column(ForeignKey("stairwell.id"), nullable=True)
    room: Mapped[str] = mapped_column(String(20), nullable=False)
    head_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    building = relationship("Building", lazy="joined")
    stairwell = relationship("Stairwell", lazy="joined")
    head = relationship("User")

    @property
    def label(self):
        return household_label(self.building.name, self.stairwell.name if self.stairwell is not None else None,
                               self.room)


def household_label(building_name, stairwell_name, room):
    """How a household is named: "3号楼 2单元 501" (no stairwell: "3号楼 501")."""
    return " ".join(part for part in (building_name, stairwell_name, room) if part is not None)


class Team(db.Model):
    """A volunteer team (patrol team, repair team, meal delivery team...)."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="general")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    members = relationship("TeamMember", back_populates="team", cascade="all, delete-orphan")


class TeamMember(db.Model):
    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    is_leader: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    team = relationship("Team", back_populates="members")
    user = relationship("User", lazy="joined")
