"""Tables of the honour awards plugin (all prefixed ``honor_awards_``).

Campaigns, criteria, nominations (with photos, committee scores and public votes) and awards belong to the award
process; notices, notice items and objections are the reusable "public notice with objections" step
(``notices.py``), which names its owner so that other plugins can use it too.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.db_types import UTCDateTime
from timebank.extensions import db

CAMPAIGN_KINDS = ("household", "person", "building", "star")
LEVELS = ("community", "subdistrict", "district", "city", "province", "national")
NOMINATOR_KINDS = ("self", "neighbour", "grid_worker", "organisation", "ledger")
# nominated → shortlisted → on_notice → awarded; or disqualified (one veto), withdrawn (objection upheld, hours
# corrected), not_selected (the campaign ended without them).
NOMINATION_STATUSES = ("nominated", "shortlisted", "on_notice", "awarded", "disqualified", "withdrawn",
                       "not_selected")


class Campaign(db.Model):
    """One award round: "2026年度最美家庭", its kind, level, quota and schedule (dates in the community's zone)."""

    __tablename__ = "honor_awards_campaign"
    __table_args__ = (UniqueConstraint("community_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    title: Mapped[str] = mapped_column(String(80), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    level: Mapped[str] = mapped_column(String(12), nullable=False, default="community")
    criteria: Mapped[str] = mapped_column(Text, nullable=False, default="")
    quota: Mapped[int] = mapped_column(Integer, nullable=False, default=10)  # 0: no limit (star volunteers)
    nominations_open_on: Mapped[date] = mapped_column(Date, nullable=False)
    nominations_close_on: Mapped[date] = mapped_column(Date, nullable=False)
    review_until: Mapped[date] = mapped_column(Date, nullable=False)
    vote_opens_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # both None: no public vote
    vote_closes_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    award_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active")  # active/notice/final/cancelled
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("honor_awards_notice.id"), nullable=True)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    forwarded_to: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    criteria_items = relationship("Criterion", order_by="Criterion.position", lazy="selectin")
    notice = relationship("Notice", foreign_keys=[notice_id])

    @property
    def has_vote(self):
        return self.vote_opens_on is not None

    @property
    def rubric_total(self):
        return sum(item.max_points for item in self.criteria_items)


class Criterion(db.Model):
    """One line of a campaign's rubric: "家庭和睦, 30 points"."""

    __tablename__ = "honor_awards_criterion"
    __table_args__ = (UniqueConstraint("campaign_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_campaign.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(30), nullable=False)
    max_points: Mapped[int] = mapped_column(Integer, nullable=False)


class Nomination(db.Model):
    """A candidate of a campaign: a household, a person or a building (one of the three ids is set)."""

    __tablename__ = "honor_awards_nomination"
    __table_args__ = (
        # A nominee is a candidate once per campaign (for stars: once per star level).
        UniqueConstraint("campaign_id", "user_id", "star_level"),
        UniqueConstraint("campaign_id", "household_id"),
        UniqueConstraint("campaign_id", "building_id"),
        Index("ix_honor_awards_nomination_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_campaign.id"), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True, index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), nullable=True, index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), nullable=True)
    # The name the public label is made from: the person, or the household member the family is named after.
    nominee_name: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    star_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    nominator_kind: Mapped[str] = mapped_column(String(12), nullable=False)
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    organisation_name: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    statement: Mapped[str] = mapped_column(Text, nullable=False, default="")
    motto: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    # How the candidate agreed to be named in public: "full", "masked", or "undecided" (shown masked).
    name_consent: Mapped[str] = mapped_column(String(10), nullable=False, default="undecided")
    status: Mapped[str] = mapped_column(String(14), nullable=False, default="nominated")
    visited_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    visit_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # One-veto disqualifier: coordinators only, never on a public page, never shown to nominee or nominator.
    disqualified_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    campaign = relationship("Campaign", lazy="joined")
    user = relationship("User", foreign_keys=[user_id])
    household = relationship("Household")
    building = relationship("Building")
    nominated_by = relationship("User", foreign_keys=[nominated_by_id])


class Photo(db.Model):
    """A photo attached to a nomination, re-encoded as JPEG without metadata (no location leaks)."""

    __tablename__ = "honor_awards_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_nomination.id"), nullable=False,
                                               index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Score(db.Model):
    """One committee member's points for one criterion of one candidate."""

    __tablename__ = "honor_awards_score"
    __table_args__ = (UniqueConstraint("nomination_id", "criterion_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_nomination.id"), nullable=False,
                                               index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_criterion.id"), nullable=False)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Vote(db.Model):
    """A resident's vote for a shortlisted candidate. ``voter_key`` is the household (or the account) that the
    daily limit counts; ``device`` is a keyed hash of address and browser, never the address itself."""

    __tablename__ = "honor_awards_vote"
    __table_args__ = (
        UniqueConstraint("campaign_id", "voter_key", "vote_day"),
        Index("ix_honor_awards_vote_campaign_device", "campaign_id", "device", "cast_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_campaign.id"), nullable=False)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_nomination.id"), nullable=False,
                                               index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    voter_key: Mapped[str] = mapped_column(String(30), nullable=False)
    vote_day: Mapped[date] = mapped_column(Date, nullable=False)
    device: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    void_reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    voter = relationship("User", foreign_keys=[voter_id])
    nomination = relationship("Nomination")


class Award(db.Model):
    """An honour recorded on a household, a person or a building, with its certificate number."""

    __tablename__ = "honor_awards_award"
    __table_args__ = (UniqueConstraint("nomination_id"), UniqueConstraint("certificate_number"),
                      Index("ix_honor_awards_award_community_year", "community_id", "year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_campaign.id"), nullable=False)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_nomination.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True, index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), nullable=True, index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(80), nullable=False)
    level: Mapped[str] = mapped_column(String(12), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    star_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    awarded_on: Mapped[date] = mapped_column(Date, nullable=False)
    certificate_number: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    nomination = relationship("Nomination", lazy="joined")
    campaign = relationship("Campaign")


# --- The reusable public notice (公示) with objections ------------------------------------------------------------


class Notice(db.Model):
    """A public notice: a list published for a period in which anyone logged in may object.

    ``owner`` is the plugin that opened it and ``subject`` its own key ("campaign-3"); the owner is told through
    the hooks of ``hookspecs.py`` when an objection is upheld and when the notice closes."""

    __tablename__ = "honor_awards_notice"
    __table_args__ = (UniqueConstraint("owner", "subject"),
                      Index("ix_honor_awards_notice_community_status", "community_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    owner: Mapped[str] = mapped_column(String(60), nullable=False)
    subject: Mapped[str] = mapped_column(String(80), nullable=False)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="open")  # open / closed
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    items = relationship("NoticeItem", order_by="NoticeItem.position", lazy="selectin",
                         back_populates="notice")


class NoticeItem(db.Model):
    """One line of a notice: a public label (already masked as the candidate consented) and a short detail."""

    __tablename__ = "honor_awards_notice_item"
    __table_args__ = (UniqueConstraint("notice_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_notice.id"), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(60), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    label: Mapped[str] = mapped_column(String(120), nullable=False)
    detail: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    withdrawn: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    notice = relationship("Notice", back_populates="items")


class Objection(db.Model):
    """An objection lodged during a notice period; its author and reason are never public."""

    __tablename__ = "honor_awards_objection"
    __table_args__ = (Index("ix_honor_awards_objection_notice_status", "notice_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("honor_awards_notice.id"), nullable=False)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("honor_awards_notice_item.id"), nullable=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")  # open / upheld / dismissed
    resolution: Mapped[str] = mapped_column(Text, nullable=False, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    notice = relationship("Notice")
    item = relationship("NoticeItem")
    author = relationship("User", foreign_keys=[author_id])
