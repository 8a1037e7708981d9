"""The people, agreements and needs as the home page's cards list them, read as plain columns.

An agreement's full object comes with its post, the post's owner and building, the helper and the recipient: for the
three lines the home card shows on every visit, reading those costs several times what the lines' columns do. The
lines keep the objects' attribute names, so ``mutual_aid/_agreement_line.html`` shows either. The people the card
shows credits for (the person and their confirmed relatives) come with their balances in one statement.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, case, func, or_, select, union
from sqlalchemy.orm import aliased

from timebank.communities.models import Building
from timebank.extensions import db
from timebank.identity.models import User
from timebank.ledger.models import MEMBER_CREDITS, Account, Relative
from timebank.ui import Shown

from . import services
from .models import REQUEST, Agreement, Listing


@dataclass(frozen=True)
class PersonLine:
    id: int
    display_name: str
    credits: int  # their cached credit balance, in minutes


@dataclass(frozen=True)
class AgreementLine:
    id: int
    status: str
    agreed_for: datetime
    listing: Shown
    helper: Shown
    recipient: Shown


@dataclass(frozen=True)
class NeedLine:
    id: int
    title: str
    when_text: str
    building: Shown | None


def people_lines(community, user):
    """``user`` and the members linked to them by a confirmed relation (``services.confirmed_relatives``, names
    sorted), each with their credit balance (``exchange.balances_for``): ``user`` first."""
    rows = db.session.execute(_people_statement(), {"community_id": community.id, "user_id": user.id})
    return [PersonLine(person_id, display_name, int(credits)) for person_id, display_name, credits in rows]


def agreement_lines(community, people, active_only=True, limit=3):
    """``services.agreements_of(community, people, active_only, limit)`` as lines: latest date first."""
    rows = db.session.execute(_agreements_statement(active_only, limit), {
        "community_id": community.id, "people": [person.id for person in people]})
    return [AgreementLine(agreement_id, status, agreed_for, Shown(title=title), Shown(display_name=helper),
                          Shown(display_name=recipient))
            for agreement_id, status, agreed_for, title, helper, recipient in rows]


def need_lines(community, near_household_id, not_owned_by, limit=3):
    """The open requests in the building of ``near_household_id`` that are not ``not_owned_by``'s, newest first:
    ``services.open_listings(community, kind="request", near_household_id=..., not_owned_by=..., limit=...)``."""
    rows = db.session.execute(_needs_statement(limit), {
        "community_id": community.id, "kind": REQUEST, "near_household_id": near_household_id,
        "not_owned_by": not_owned_by.id})
    return [NeedLine(listing_id, title, when_text, Shown(name=building) if building is not None else None)
            for listing_id, title, when_text, building in rows]


@functools.cache
def _people_statement():
    """Built once: the person's id and their relatives' both ways round (each found by an index) joined to the
    users, the balance a scalar subquery. (``id = :user OR id IN (...)`` would make PostgreSQL read every user.)"""
    community_id, user_id = bindparam("community_id"), bindparam("user_id", type_=Integer)
    confirmed = (Relative.community_id == community_id, Relative.status == "confirmed")
    ids = union(select(user_id.label("id")),
                select(Relative.relative_id).where(Relative.member_id == user_id, *confirmed),
                select(Relative.member_id).where(Relative.relative_id == user_id, *confirmed)).subquery()
    credits = select(Account.balance).where(Account.community_id == community_id, Account.kind == MEMBER_CREDITS,
                                            Account.owner_id == User.id).scalar_subquery()
    return select(User.id, User.display_name, func.coalesce(credits, 0)).join(ids, ids.c.id == User.id).order_by(
        case((User.id == user_id, 0), else_=1), User.display_name, User.id)


@functools.cache
def _agreements_statement(active_only, limit):
    """Built once per variant, with the conditions and order of ``services.agreements_of``."""
    helper, recipient = aliased(User), aliased(User)
    ids = bindparam("people", expanding=True)
    query = select(Agreement.id, Agreement.status, Agreement.agreed_for, Listing.title, helper.display_name,
                   recipient.display_name).join(Listing, Listing.id == Agreement.listing_id).join(
        helper, helper.id == Agreement.helper_id).join(recipient, recipient.id == Agreement.recipient_id).where(
        Agreement.community_id == bindparam("community_id"),
        or_(Agreement.helper_id.in_(ids), Agreement.recipient_id.in_(ids)))
    if active_only:
        query = query.where(Agreement.status.in_(("agreed", "awaiting")))
    return query.order_by(Agreement.agreed_for.desc()).limit(limit)


@functools.cache
def _needs_statement(limit):
    """Built once: ``services.open_listings``' statement for the home card, with the line's columns."""
    listings = services.listings_statement(("near_household_id", "not_owned_by", "kind"), limit)
    return listings.with_only_columns(Listing.id, Listing.title, Listing.when_text, Building.name).outerjoin(
        Building, Building.id == Listing.building_id)
