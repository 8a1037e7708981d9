"""Tables of the mutual-aid plugin (all prefixed ``mutual_aid_``)."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.db_types import UTCDateTime
from timebank.extensions import db

OFFER, REQUEST = "offer", "request"


class Listing(db.Model):
    """An offer ("I can teach smartphone use") or a request ("someone to walk with my mother on Tuesdays")."""

    __tablename__ = "mutual_aid_listing"
    __table_args__ = (Index("ix_mutual_aid_listing_open", "community_id", "status", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # offer / request
    # Whose offer or need it is (the elder, for a request a daughter posted for her mother).
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    category: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(80), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    expected_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    when_text: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    wanted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Where, at building level only until a match (the room is never shown to strangers).
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")  # open/matched/closed/withdrawn
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")
    posted_by = relationship("User", foreign_keys=[posted_by_id])
    building = relationship("Building", lazy="joined")


class Response(db.Model):
    """Someone answers a listing: offers help (to a request) or asks for the offered help (to an offer)."""

    __tablename__ = "mutual_aid_response"
    __table_args__ = (UniqueConstraint("listing_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("mutual_aid_listing.id"), nullable=False, index=True)
    # The helper (answering a request) or the person to be helped (answering an offer).
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")  # pending/accepted/declined
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    listing = relationship("Listing")
    person = relationship("User", foreign_keys=[person_id], lazy="joined")


class Agreement(db.Model):
    """Helper and recipient agreed on a time; completed when the recipient confirms it happened."""

    __tablename__ = "mutual_aid_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    # One active agreement per post (enforced under a row lock); a cancelled one stays for the record.
    listing_id: Mapped[int] = mapped_column(ForeignKey("mutual_aid_listing.id"), nullable=False, index=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    agreed_for: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expected_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    # agreed → completed (or awaiting: the community wants a coordinator to confirm) ; or cancelled
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="agreed")
    actual_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_service_record.id"), nullable=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id"), nullable=True)
    credits_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    paid_from_pool: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    cancel_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    reminded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    listing = relationship("Listing", lazy="joined")
    helper = relationship("User", foreign_keys=[helper_id], lazy="joined")
    recipient = relationship("User", foreign_keys=[recipient_id], lazy="joined")


class Profile(db.Model):
    """A member's standing in the exchange, kept by coordinators: priority elder, verification, suspension."""

    __tablename__ = "mutual_aid_profile"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # 重点空巢独居老人: help for them may be paid from the community's donation pool.
    priority_elder: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Identity checked by the community (shown to people who let a helper into their home).
    verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    suspended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class Report(db.Model):
    """A report of misconduct, for the coordinators."""

    __tablename__ = "mutual_aid_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    about_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("mutual_aid_agreement.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")  # open / resolved
    resolution: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    reporter = relationship("User", foreign_keys=[reporter_id])
    about = relationship("User", foreign_keys=[about_id])
