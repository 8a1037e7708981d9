"""Tables of the QR check-in plugin (all prefixed ``qr_checkin_``)."""

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.db_types import UTCDateTime
from timebank.extensions import db

POST_KINDS = ("gate", "intersection", "patrol", "party_post", "other")
CHECKIN_POLICIES = ("static", "rotating", "leader_scan")
NO_HOURS_REASON_LENGTH = 200


class DutyPost(db.Model):
    """A place of duty: a gate, an intersection, a patrol route, a party-member model post."""

    __tablename__ = "qr_checkin_post"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="gate")
    place: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), nullable=True)
    # Risky duty (night patrol, traffic): a volunteer's hours are accepted only with insurance on file.
    risky: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    checkin_policy: Mapped[str] = mapped_column(String(12), nullable=False, default="static")
    rotate_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    # Optional location check: the phone reports inside/outside this circle; only that answer is stored.
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    radius_m: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Raising it invalidates every printed poster of this post (a poster was stolen or copied).
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    team = relationship("Team")


class ShiftSeries(db.Model):
    """A recurrence (every weekday 7:00–9:00 for a month) from which shifts were created."""

    __tablename__ = "qr_checkin_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("qr_checkin_post.id"), nullable=False)
    weekdays: Mapped[str] = mapped_column(String(13), nullable=False)  # "0,1,2,3,4" = Monday–Friday
    start_time: Mapped[time] = mapped_column(Time, nullable=False)
    end_time: Mapped[time] = mapped_column(Time, nullable=False)
    first_day: Mapped[date] = mapped_column(Date, nullable=False)
    last_day: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Shift(db.Model):
    __tablename__ = "qr_checkin_shift"
    __table_args__ = (Index("ix_qr_checkin_shift_post_time", "post_id", "starts_at"),
                      # leader_id too: the leaders of a span of shifts are read from the index alone
                      Index("ix_qr_checkin_shift_community_time", "community_id", "starts_at", "leader_id"),
                      Index("ix_qr_checkin_shift_leader", "leader_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    post_id: Mapped[int] = mapped_column(ForeignKey("qr_checkin_post.id"), nullable=False)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("qr_checkin_series.id"), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    post = relationship("DutyPost", lazy="joined")
    leader = relationship("User")


class Signup(db.Model):
    """A volunteer's own commitment to a shift (duty is never assigned: 条例 §25)."""

    __tablename__ = "qr_checkin_signup"
    __table_args__ = (UniqueConstraint("shift_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("qr_checkin_shift.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="confirmed")  # confirmed/waitlist/cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    shift = relationship("Shift")
    user = relationship("User", lazy="joined")


class Attendance(db.Model):
    """One check-in (and its check-out) of a volunteer on a shift."""

    __tablename__ = "qr_checkin_attendance"
    __table_args__ = (Index("ix_qr_checkin_attendance_user_shift", "user_id", "shift_id"),
                      Index("ix_qr_checkin_attendance_record", "record_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("qr_checkin_shift.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    method_in: Mapped[str] = mapped_column(String(12), nullable=False)  # static/rotating/fallback/leader_scan
    method_out: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    # Location check result only (never the position itself); None when not checked.
    location_inside: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # A forgotten check-out closed at the end of the shift: the leader should look at it.
    auto_closed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Why no hours were recorded (too short on post, or the ledger refused), a text stored by
    # ``timebank.stored_text`` (shown in the reader's language); empty when a record exists or is pending.
    no_hours_reason: Mapped[str] = mapped_column(String(NO_HOURS_REASON_LENGTH), nullable=False, default="")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_service_record.id"), nullable=True)
    scanned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    shift = relationship("Shift", lazy="joined")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    scanned_by = relationship("User", foreign_keys=[scanned_by_id])


class Insurance(db.Model):
    """Accident insurance on file for a volunteer (needed before hours on risky duty are accepted)."""

    __tablename__ = "qr_checkin_insurance"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    insurer: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    policy_number: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    user = relationship("User", foreign_keys=[user_id])
