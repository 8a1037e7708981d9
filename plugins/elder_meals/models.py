"""Tables of the elder meal service (all prefixed ``elder_meals_``). Money is stored in fen (分, 1/100 yuan).

Sensitive columns (``diet_notes``, ``welfare_status`` and the status history) are read only through the access
checks in ``services.py``: canteen staff and coordinators, and the elder themself.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timebank.db_types import UTCDateTime
from timebank.extensions import db

ENROLMENT_STATES = ("pending", "active", "rejected", "ended")
SLOTS = ("lunch", "dinner")
MODES = ("dine_in", "pickup", "delivery")
# placed → served (eaten, collected or delivered) | no_answer (delivery: nobody opened) | missed (did not come)
# | cancelled (before the cut-off, or by the canteen)
ORDER_STATES = ("placed", "served", "no_answer", "missed", "cancelled")
BILLABLE_STATES = ("placed", "served")
NO_HOURS_REASON_LENGTH = 200
ROUND_STATES = ("open", "started", "finished", "cancelled")


class Elder(db.Model):
    """An elder's enrolment in the community's meal service."""

    __tablename__ = "elder_meals_elder"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    # Sensitive (separate consent, need to know): the current welfare status and diet/health notes.
    welfare_status: Mapped[str] = mapped_column(String(20), nullable=False, default="none")
    diet_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    consent_note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), nullable=True)
    address: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    needs_delivery: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Not sensitive: what a delivery volunteer needs at the door ("6th floor, no lift; knock loudly").
    delivery_note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    applicant_relation: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    household = relationship("Household", lazy="joined")
    applied_by = relationship("User", foreign_keys=[applied_by_id])


class StatusChange(db.Model):
    """Welfare status history: the subsidy of a meal follows the status valid on the meal date."""

    __tablename__ = "elder_meals_status_change"
    __table_args__ = (Index("ix_elder_meals_status_change_elder_day", "elder_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_elder.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class FamilyLink(db.Model):
    """A member who may order for an elder and/or is told when the elder does not answer the door."""

    __tablename__ = "elder_meals_family"
    __table_args__ = (UniqueConstraint("elder_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_elder.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False, index=True)
    relation: Mapped[str] = mapped_column(String(12), nullable=False, default="child")
    can_order: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    alert_contact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    elder = relationship("Elder")


class CanteenStaff(db.Model):
    """Members named by a coordinator as canteen staff: they see diet notes and run the kitchen pages."""

    __tablename__ = "elder_meals_canteen_staff"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class Menu(db.Model):
    """What the canteen cooks for one day and slot, and how many meals it can serve."""

    __tablename__ = "elder_meals_menu"
    __table_args__ = (UniqueConstraint("community_id", "meal_date", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    meal_date: Mapped[date] = mapped_column(Date, nullable=False)
    slot: Mapped[str] = mapped_column(String(10), nullable=False, default="lunch")
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    dishes = relationship("Dish", order_by="Dish.position", cascade="all, delete-orphan", lazy="selectin")


class Dish(db.Model):
    """One choice on a menu: a set meal with its price and marks."""

    __tablename__ = "elder_meals_dish"

    id: Mapped[int] = mapped_column(primary_key=True)
    menu_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_menu.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    price_fen: Mapped[int] = mapped_column(Integer, nullable=False)
    soft: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    low_salt: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    low_sugar: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Round(db.Model):
    """A delivery round: the delivery orders of one group of buildings, a volunteer task."""

    __tablename__ = "elder_meals_round"
    __table_args__ = (Index("ix_elder_meals_round_day", "community_id", "meal_date", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    meal_date: Mapped[date] = mapped_column(Date, nullable=False)
    slot: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    group_key: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    signed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_service_record.id"), nullable=True)
    # Why no hours were recorded (the ledger refused), a text stored by ``timebank.stored_text`` (shown in the
    # reader's language); empty when a record exists.
    no_hours_reason: Mapped[str] = mapped_column(String(NO_HOURS_REASON_LENGTH), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    volunteer = relationship("User", foreign_keys=[volunteer_id], lazy="joined")


class Order(db.Model):
    """One elder's meal for one day and slot. A cancelled order keeps its row and is reused if ordered again,
    so that the unique constraint stops double orders even when two requests race."""

    __tablename__ = "elder_meals_order"
    __table_args__ = (UniqueConstraint("elder_id", "meal_date", "slot"),
                      Index("ix_elder_meals_order_day", "community_id", "meal_date", "slot"),
                      # Only the delivered orders have a round: SQLite's statistics would count the NULLs of a
                      # full index as one value shared by every order and scan the table for a round's orders.
                      Index("ix_elder_meals_order_round_id", "round_id", sqlite_where=text("round_id IS NOT NULL"),
                            postgresql_where=text("round_id IS NOT NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_elder.id"), nullable=False)
    menu_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_menu.id"), nullable=False, index=True)
    dish_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_dish.id"), nullable=False)
    meal_date: Mapped[date] = mapped_column(Date, nullable=False)
    slot: Mapped[str] = mapped_column(String(10), nullable=False)
    mode: Mapped[str] = mapped_column(String(10), nullable=False)
    portions: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="placed")
    price_fen: Mapped[int] = mapped_column(Integer, nullable=False)  # per portion
    subsidy_fen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # for the first portion only
    tier: Mapped[str] = mapped_column(String(40), nullable=False, default="none")
    delivery_fee_fen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    placed_as: Mapped[str] = mapped_column(String(12), nullable=False, default="self")
    # Changed by the canteen after the cut-off.
    late_change: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_fen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("elder_meals_round.id"), nullable=True)
    stop_number: Mapped[int | None] = mapped_column(Integer, nullable=True)

    elder = relationship("Elder", lazy="joined")
    dish = relationship("Dish", lazy="joined")
    round = relationship("Round")
    placed_by = relationship("User", foreign_keys=[placed_by_id])

    @property
    def total_fen(self):
        """What the meal costs before the subsidy: every portion, plus delivery."""
        return self.price_fen * self.portions + self.delivery_fee_fen

    @property
    def due_fen(self):
        """What the elder pays: one portion subsidised (never below zero), the others and delivery in full."""
        return self.total_fen - min(self.subsidy_fen, self.price_fen)

    @property
    def billable(self):
        return self.status in BILLABLE_STATES


class Alert(db.Model):
    """An elder did not answer the door: open until a coordinator or family contact says what happened."""

    __tablename__ = "elder_meals_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_elder.id"), nullable=False, index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_order.id"), nullable=False)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("elder_meals_round.id"), nullable=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    resolution: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    resolution_note: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    elder = relationship("Elder", lazy="joined")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])


class Sample(db.Model):
    """Food-sample retention (留样): a sample of each dish kept for at least 48 hours, then discarded."""

    __tablename__ = "elder_meals_sample"
    __table_args__ = (UniqueConstraint("dish_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), nullable=False, index=True)
    dish_id: Mapped[int] = mapped_column(ForeignKey("elder_meals_dish.id"), nullable=False)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    grams: Mapped[int] = mapped_column(Integer, nullable=False)
    keep_until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    discarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    taken_by = relationship("User", foreign_keys=[taken_by_id])
    discarded_by = relationship("User", foreign_keys=[discarded_by_id])


ALL_MODELS = [Elder, StatusChange, FamilyLink, CanteenStaff, Menu, Dish, Round, Order, Alert, Sample]

__all__ = [model.__name__ for model in ALL_MODELS] + ["ALL_MODELS", "SLOTS", "MODES", "ORDER_STATES"]
