"""Ledger tables.

* ``ServiceRecord``: the legal record of one piece of volunteer service (national fields). Its content never
  changes; its status moves once, pending → confirmed or rejected. A correction is a new record that
  ``corrects`` the old one.
* ``Account``, ``LedgerTransaction``, ``Posting``: double-entry bookkeeping in integer minutes. Every transaction
  has postings in one unit that sum to zero; postings and transactions are never updated or deleted (database
  triggers refuse it). ``Account.balance`` is a cache of the sum of its postings, kept in the same transaction
  and re-checked by ``timebank ledger verify``.
* ``ServiceTotal``: confirmed, live minutes and record counts per (community, year, volunteer, category), kept in
  the same transaction as every confirmation and correction (``totals.py``); the leaderboard and the community's
  totals read it instead of the records.
* ``CorrectionRequest``, ``Relative``, ``Certificate``: workflows around the record.
"""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime
from ..extensions import db
from .guards import attach_to_metadata

# Units: a service account holds the permanent record of confirmed service minutes; a credits account holds
# spendable time-bank credits, also counted in minutes (60 = 1 credit).
SERVICE, CREDITS = "service", "credits"

# Account kinds. Members have "service" and "credits" accounts; each community has issuing and sink accounts so
# that every transaction balances.
MEMBER_SERVICE, MEMBER_CREDITS = "member_service", "member_credits"
SERVICE_ISSUED, CREDITS_ISSUED = "service_issued", "credits_issued"
DONATIONS, REDEEMED = "donations", "redeemed"
ACCOUNT_UNITS = {
    MEMBER_SERVICE: SERVICE, SERVICE_ISSUED: SERVICE,
    MEMBER_CREDITS: CREDITS, CREDITS_ISSUED: CREDITS, DONATIONS: CREDITS, REDEEMED: CREDITS,
}

PENDING, CONFIRMED, REJECTED = "pending", "confirmed", "rejected"


class Account(db.Model):
    __tablename__ = "ledger_account"
    __table_args__ = (UniqueConstraint("community_id", "kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # 0 for the community's own accounts, so that the unique constraint also holds for them.
    owner_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unit: Mapped[str] = mapped_column(String(10), nullable=False)
    balance: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class ServiceRecord(db.Model):
    __tablename__ = "ledger_service_record"
    __table_args__ = (
        # A source (plugin object) can be recorded once per category: nothing is credited twice.
        UniqueConstraint("category", "source"),
        # A record is corrected at most once (corrections of corrections chain through the newer record).
        UniqueConstraint("corrects_id"),
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        CheckConstraint("status in ('pending', 'confirmed', 'rejected')", name="status_known"),
        Index("ix_ledger_service_record_queue", "community_id", "status", "activity_date"),
        Index("ix_ledger_service_record_volunteer", "volunteer_id", "community_id", "activity_date"),
        # The few corrections, for "which record corrected this one": SQLite's statistics count the NULLs of the
        # unique constraint's index as one value shared by every record, and then scan the table instead.
        Index("ix_ledger_service_record_corrects", "corrects_id", sqlite_where=text("corrects_id IS NOT NULL"),
              postgresql_where=text("corrects_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    category: Mapped[str] = mapped_column(String(60), nullable=False)
    # "<plugin>:<object id>" for records created by a plugin (e.g. "qr_checkin:shift-12:user-3"); None for claims.
    source: Mapped[str | None] = mapped_column(String(120), nullable=True)
    activity_name: Mapped[str] = mapped_column(String(120), nullable=False)
    activity_date: Mapped[date] = mapped_column(Date, nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    place: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    organising_unit: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    activity_leader: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), nullable=True)
    recipient: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    # 补录: entered after the fact by a coordinator, or claimed by the volunteer; needs an evidence note.
    is_backfill: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    evidence_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_service_record.id"), nullable=True)
    correction_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # The only columns that change, once: the decision.
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=PENDING)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    volunteer = relationship("User", foreign_keys=[volunteer_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    corrects = relationship("ServiceRecord", remote_side=[id], foreign_keys=[corrects_id])
    team = relationship("Team")


class ServiceTotal(db.Model):
    """Confirmed minutes and records of one volunteer in one community, year (of the activity date) and category.

    Only records that still count: confirmed and not replaced by a correction (a correction moves the minutes of
    the record it replaces to the new one). Maintained by ``totals.count_records`` in the transaction that
    confirms or corrects; rebuilt from the records by ``totals.rebuild_service_totals`` (the migration, the
    benchmark's generator); checked by ``timebank ledger verify``.
    """

    __tablename__ = "ledger_service_total"
    # SQLite: the rows stored in the primary key's order, so a community's (and a year's) rows are read in one
    # range with their sums, without a second lookup per row. (PostgreSQL has no such option; the key's index.)
    __table_args__ = {"sqlite_with_rowid": False}

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(60), primary_key=True)
    minutes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    records: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class LedgerTransaction(db.Model):
    __tablename__ = "ledger_transaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    # service_confirmed, service_reversed, credits_earned, credits_reversed, credits_overflow, gift, donation,
    # redemption, transfer
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    unit: Mapped[str] = mapped_column(String(10), nullable=False)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_service_record.id"), nullable=True, index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transaction.id"), nullable=True, unique=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_correction_request.id"), nullable=True)
    # "<plugin>:<object>" for transfers a plugin makes (e.g. a mutual-aid agreement), unique per kind.
    source: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    __table_args__ = (UniqueConstraint("kind", "source"),)

    postings = relationship("Posting", back_populates="transaction", order_by="Posting.id")


class Posting(db.Model):
    __tablename__ = "ledger_posting"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id"), nullable=False, index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), nullable=False, index=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (CheckConstraint("amount <> 0", name="amount_not_zero"),)

    transaction = relationship("LedgerTransaction", back_populates="postings")
    account = relationship("Account")


class CorrectionRequest(db.Model):
    """A volunteer asks for a record to be corrected; a coordinator answers with a correction or a reason."""

    __tablename__ = "ledger_correction_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("ledger_service_record.id"), nullable=False, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    requested_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")  # open, corrected, declined
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    resolution_note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    record = relationship("ServiceRecord")
    requested_by = relationship("User", foreign_keys=[requested_by_id])


class Relative(db.Model):
    """A relative a member named as a possible receiver of gifted credits; a coordinator confirms it."""

    __tablename__ = "ledger_relative"
    __table_args__ = (UniqueConstraint("community_id", "member_id", "relative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    relative_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    relation: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")  # pending/confirmed/rejected
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    member = relationship("User", foreign_keys=[member_id])
    relative = relationship("User", foreign_keys=[relative_id])


class Certificate(db.Model):
    """志愿服务记录证明: an immutable snapshot of what the certificate says, verifiable by its number."""

    __tablename__ = "ledger_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), nullable=False, unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    volunteer_name: Mapped[str] = mapped_column(String(60), nullable=False)
    volunteer_number: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    total_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    record_count: Mapped[int] = mapped_column(Integer, nullable=False)
    service_content: Mapped[str] = mapped_column(Text, nullable=False)
    star_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    issuing_unit: Mapped[str] = mapped_column(String(120), nullable=False)
    person_in_charge: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    handler: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    contact: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    community = relationship("Community")
    volunteer = relationship("User", foreign_keys=[volunteer_id])

    @property
    def volunteer_erased(self):
        """The volunteer had their personal data erased: the stored name is no longer shown."""
        return self.volunteer is not None and self.volunteer.username.startswith("erased-")

    @property
    def issued_on(self):
        """The date of issue, wherever the certificate is printed, listed or verified: the day ``issued_at`` (UTC)
        falls on in the issuing community's time zone (a certificate issued at 01:52 in Beijing is of that day)."""
        from .reports import local_today

        return local_today(self.community, self.issued_at)


attach_to_metadata(db.metadata)
