"""Tables of the repair-team plugin (all prefixed ``repair_team_``)."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.db_types import UTCDateTime
from timebank.extensions import db

NO_HOURS_REASON_LENGTH = 200


class RepairVolunteer(db.Model):
    """A volunteer on the community's repair roster, with availability; skills are ``RepairSkill`` rows."""

    __tablename__ = "repair_team_volunteer"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    # Off while on holiday or unwell: not suggested, cannot take jobs; the skills stay on file.
    taking_jobs: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    weekdays: Mapped[str] = mapped_column(String(13), nullable=False, default="0,1,2,3,4,5,6")  # 0 = Monday
    day_parts: Mapped[str] = mapped_column(String(20), nullable=False, default="am,pm,eve")
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    user = relationship("User", lazy="joined")
    skills = relationship("RepairSkill", back_populates="volunteer", order_by="RepairSkill.category",
                          cascade="all, delete-orphan", lazy="selectin")

    @property
    def weekday_set(self):
        return weekday_set_of(self.weekdays)

    @property
    def day_part_set(self):
        return day_part_set_of(self.day_parts)


def weekday_set_of(weekdays):
    """The stored weekdays ("0,1,2", 0 = Monday) as a set of numbers."""
    return {int(day) for day in weekdays.split(",") if day.strip().isdigit()}


def day_part_set_of(day_parts):
    """The stored parts of the day ("am,pm") as a set."""
    return {part for part in day_parts.split(",") if part}


class RepairSkill(db.Model):
    """What a roster volunteer may repair; a licence (number, valid until) where the category needs one."""

    __tablename__ = "repair_team_skill"
    __table_args__ = (UniqueConstraint("volunteer_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("repair_team_volunteer.id"), nullable=False, index=True)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    licence_number: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    licence_valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The coordinator who saw the licence: "on file" means somebody looked at it.
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    volunteer = relationship("RepairVolunteer", back_populates="skills")


class RepairOrder(db.Model):
    """A work order: one household's request, from submission to the follow-up rating."""

    __tablename__ = "repair_team_order"
    __table_args__ = (UniqueConstraint("community_id", "number"),
                      Index("ix_repair_team_order_board", "community_id", "status", "created_at"),
                      Index("ix_repair_team_order_volunteer", "volunteer_id", "status"),
                      CheckConstraint("rating is null or (rating between 1 and 5)", name="rating_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    number: Mapped[str] = mapped_column(String(20), nullable=False)  # WX20261120-003
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    urgency: Mapped[str] = mapped_column(String(10), nullable=False, default="normal")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), nullable=False)
    # The resident it is for; None for a caller without an account (then ``requester_name`` says who).
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True, index=True)
    requester_name: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    preferred_days: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # "2026-11-20,2026-11-21"
    preferred_parts: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # "am,eve"; empty: any
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="submitted")
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A poor rating reopens the order; the next visit is a new job with hours of its own.
    visit: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Time on the job (travel excluded): from "start work" to "work finished" of the current visit.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    work_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    referral_note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Typed on the volunteer's phone by the resident to sign off there; shown only to the resident and staff.
    signoff_code: Mapped[str] = mapped_column(String(6), nullable=False)
    signoff_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    signoff_method: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The pending ledger record of the latest visit; or why there is none (a text stored by
    # ``timebank.stored_text``, shown in the reader's language).
    record_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_service_record.id"), nullable=True)
    no_hours_reason: Mapped[str] = mapped_column(String(NO_HOURS_REASON_LENGTH), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    household = relationship("Household", lazy="joined")
    requester = relationship("User", foreign_keys=[requester_id], lazy="joined")
    volunteer = relationship("User", foreign_keys=[volunteer_id], lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def requester_label(self):
        return self.requester.display_name if self.requester is not None else self.requester_name

    @property
    def preferred_day_list(self):
        return [day for day in self.preferred_days.split(",") if day]

    @property
    def preferred_dates(self):
        dates = []
        for text in self.preferred_day_list:
            try:
                dates.append(date.fromisoformat(text))
            except ValueError:
                continue
        return dates

    @property
    def preferred_part_list(self):
        return [part for part in self.preferred_parts.split(",") if part]


class RepairEvent(db.Model):
    """One step of an order's status history (who did what, when, and why)."""

    __tablename__ = "repair_team_event"
    __table_args__ = (Index("ix_repair_team_event_order", "order_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_team_order.id"), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)  # the order's status afterwards
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    actor = relationship("User", lazy="joined")


class RepairPhoto(db.Model):
    """A checked, re-encoded photo (request, receipt or finished work) stored under the instance folder."""

    __tablename__ = "repair_team_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_team_order.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # request / receipt / work
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class RepairMaterial(db.Model):
    """Material used on a visit, at cost (in fen). There is no labour line: labour is always free."""

    __tablename__ = "repair_team_material"
    __table_args__ = (CheckConstraint("cost_fen >= 0", name="cost_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_team_order.id"), nullable=False, index=True)
    visit: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    quantity: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    cost_fen: Mapped[int] = mapped_column(Integer, nullable=False)
    receipt_photo_id: Mapped[int | None] = mapped_column(ForeignKey("repair_team_photo.id"), nullable=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


MODELS = [RepairVolunteer, RepairSkill, RepairOrder, RepairEvent, RepairPhoto, RepairMaterial]
