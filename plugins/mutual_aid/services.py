"""Offers, requests, responses and matching; members' standing in the exchange; misconduct reports.

Completion and the movement of credits live in ``exchange.py``.
"""

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, or_, select

from timebank import roles
from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.communities.models import Grid, Membership
from timebank.communities.services import active_membership
from timebank.database import lock_row
from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _
from timebank.ledger.models import Relative
from timebank.notifications.services import notify
from timebank.permissions import can
from timebank.validation import clean_text

from .models import OFFER, REQUEST, Agreement, Listing, Profile, Report, Response
from .policy import exchange_policy

# --- who may act for whom ---------------------------------------------------------------------------------------


def is_grid_worker(user, community):
    return db.session.scalar(select(Grid.id).where(Grid.community_id == community.id,
                                                   Grid.grid_worker_id == user.id).limit(1)) is not None


def confirmed_relatives(community, user):
    """Members linked to ``user`` by a relation a coordinator confirmed (either direction)."""
    return db.session.scalars(_relatives_statement(), {"community_id": community.id, "user_id": user.id}).all()


@functools.cache
def _relatives_statement():
    """Built once (a built statement also keeps its cache key): the home card runs it."""
    from timebank.identity.models import User

    user_id = bindparam("user_id")
    linked = or_(and_(Relative.member_id == user_id, Relative.relative_id == User.id),
                 and_(Relative.relative_id == user_id, Relative.member_id == User.id))
    return select(User).join(Relative, linked).where(
        Relative.community_id == bindparam("community_id"), Relative.status == "confirmed").distinct().order_by(
        User.display_name, User.id)


def may_act_for(actor, person, community):
    """The person themself, a confirmed relative, a grid worker, or a coordinator."""
    if actor.id == person.id:
        return True
    if can(actor, "members.act_for", community) or is_grid_worker(actor, community):
        return True
    return any(relative.id == person.id for relative in confirmed_relatives(community, actor))


def _require_member(person, community):
    if active_membership(person, community) is None:
        raise ValidationFailed(_("Choose an active member of this community."), field="for_whom")
    if profile_of(community, person).suspended:
        raise PermissionDenied("mutual_aid.use", _("This member is suspended from the exchange; please talk to "
                                                   "the coordinator."))


# --- profiles ---------------------------------------------------------------------------------------------------


def profile_of(community, user, create=False):
    """The member's exchange profile (an unsaved default one when there is none and ``create`` is False)."""
    profile = db.session.scalar(select(Profile).where(Profile.community_id == community.id,
                                                      Profile.user_id == user.id))
    if profile is None:
        profile = Profile(community_id=community.id, user_id=user.id, priority_elder=False, verified=False,
                          suspended=False, note="", updated_at=now())
        if create:
            db.session.add(profile)
    return profile


def update_profile(community, actor, user, *, priority_elder=None, verified=None, suspended=None, birth_year=None,
                   note=None):
    """A coordinator marks priority elders, verified helpers and suspensions (with a reason). Commits."""
    if not can(actor, "mutual_aid.manage", community):
        raise PermissionDenied("mutual_aid.manage")
    if active_membership(user, community) is None:
        raise ValidationFailed(_("Choose an active member of this community."), field="member")
    profile = profile_of(community, user, create=True)
    if birth_year not in (None, ""):
        birth_year = int(birth_year)
        if not 1900 <= birth_year <= now().year:
            raise ValidationFailed(_("Enter a year between 1900 and this year."), field="birth_year")
        profile.birth_year = birth_year
    if suspended and not (note or "").strip():
        raise ValidationFailed(_("Give the reason for the suspension; the member will see it."), field="note")
    for attribute, value in (("priority_elder", priority_elder), ("verified", verified), ("suspended", suspended)):
        if value is not None:
            setattr(profile, attribute, bool(value))
    if note is not None:
        profile.note = clean_text(note, "note", 300)
    profile.updated_at, profile.updated_by_id = now(), actor.id
    record_audit("mutual_aid.profile_updated", actor=actor, community=community, target=("user", user.id),
                 detail={"priority_elder": profile.priority_elder, "verified": profile.verified,
                         "suspended": profile.suspended})
    if suspended:
        notify(user, "mutual_aid.suspended", N_("You are suspended from the neighbourhood exchange: %(reason)s"),
               community=community, reason=profile.note)
    commit()
    return profile


def profiles_in(community):
    return db.session.scalars(select(Profile).where(Profile.community_id == community.id)
                              .order_by(Profile.updated_at.desc())).all()


# --- listings ---------------------------------------------------------------------------------------------------


def post_listing(community, actor, owner, *, kind, category, title, description="", expected_minutes,
                 when_text="", wanted_on=None):
    """Post an offer or a request (for oneself, or for an elder one may act for). Commits."""
    if kind not in (OFFER, REQUEST):
        raise ValidationFailed(_("Choose one of the options."), field="kind")
    if not may_act_for(actor, owner, community):
        raise PermissionDenied("mutual_aid.act_for", _("You can post only for yourself or a relative the "
                                                       "coordinator confirmed."))
    _require_member(owner, community)
    policy = exchange_policy(community)
    if category not in policy.categories:
        raise ValidationFailed(_("Choose one of the options."), field="category")
    if kind == OFFER:
        membership = active_membership(owner, community)
        if not roles.role_at_least(membership.role, roles.VOLUNTEER):
            raise ValidationFailed(_("Only registered volunteers offer help; ask the coordinator to register you "
                                     "as a volunteer."), field="kind")
    try:
        expected_minutes = int(expected_minutes)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="expected_minutes") from None
    if not 15 <= expected_minutes <= policy.max_minutes:
        raise ValidationFailed(_("Between 15 and %(max)d minutes.", max=policy.max_minutes), field="expected_minutes")
    if wanted_on is not None and wanted_on < now().date():
        raise ValidationFailed(_("This date has passed."), field="wanted_on")
    membership = active_membership(owner, community)
    household = membership.household if membership else None
    listing = Listing(community_id=community.id, kind=kind, owner_id=owner.id, posted_by_id=actor.id,
                      category=category, title=clean_text(title, "title", 80, required=True),
                      description=clean_text(description, "description", 2000),
                      expected_minutes=expected_minutes, when_text=clean_text(when_text, "when_text", 80),
                      wanted_on=wanted_on, building_id=household.building_id if household else None,
                      status="open", created_at=now())
    db.session.add(listing)
    db.session.flush()
    record_audit("mutual_aid.posted", actor=actor, community=community, target=("mutual_aid_listing", listing.id),
                 on_behalf_of=owner if owner.id != actor.id else None)
    commit()
    return listing


def listing_in(community, listing_id):
    listing = db.session.scalar(select(Listing).where(Listing.id == listing_id, Listing.community_id == community.id))
    if listing is None:
        raise NotFound(listing_id)
    return listing


def open_listings(community, kind=None, category=None, building_id=None, grid_id=None, from_day=None,
                  not_owned_by=None, limit=100, near_household_id=None):
    """Open posts, newest first. ``near_household_id``: in the building of that household (the home card)."""
    values = {"near_household_id": near_household_id or None, "not_owned_by": getattr(not_owned_by, "id", None),
              "kind": kind if kind in (OFFER, REQUEST) else None, "category": category or None,
              "building_id": building_id or None, "grid_id": grid_id or None, "from_day": from_day or None}
    filters = tuple(name for name, value in values.items() if value is not None)
    return db.session.scalars(listings_statement(filters, limit), {**values, "community_id": community.id}).all()


@functools.cache
def listings_statement(filters, limit):
    """``open_listings`` with the ``filters`` it was given, built once per combination (the home card runs one;
    a built statement also keeps its cache key)."""
    from timebank.communities.models import Building, Household

    query = select(Listing).where(Listing.community_id == bindparam("community_id"), Listing.status == "open")
    if "near_household_id" in filters:
        query = query.where(Listing.building_id == select(Household.building_id).where(
            Household.id == bindparam("near_household_id")).scalar_subquery())
    if "not_owned_by" in filters:
        query = query.where(Listing.owner_id != bindparam("not_owned_by"))
    for name in ("kind", "category", "building_id"):
        if name in filters:
            query = query.where(getattr(Listing, name) == bindparam(name))
    if "grid_id" in filters:
        query = query.where(Listing.building_id.in_(select(Building.id).where(Building.grid_id == bindparam("grid_id"))))
    if "from_day" in filters:  # posts for a day from then on, and posts without a particular day ("every Tuesday")
        query = query.where(or_(Listing.wanted_on.is_(None), Listing.wanted_on >= bindparam("from_day")))
    return query.order_by(Listing.created_at.desc()).limit(limit)


def withdraw_listing(listing, community, actor):
    if not may_act_for(actor, listing.owner, community):
        raise PermissionDenied("mutual_aid.act_for")
    if listing.status != "open":
        raise ValidationFailed(_("Only open posts can be withdrawn."))
    listing.status, listing.closed_at = "withdrawn", now()
    record_audit("mutual_aid.withdrawn", actor=actor, community=community, target=("mutual_aid_listing", listing.id))
    commit()


def my_listings(community, people):
    ids = [person.id for person in people]
    return db.session.scalars(select(Listing).where(Listing.community_id == community.id, Listing.owner_id.in_(ids))
                              .order_by(Listing.created_at.desc()).limit(50)).all()


# --- responses and acceptance -----------------------------------------------------------------------------------


def respond(listing, community, actor, person, message=""):
    """Offer help to a request, or ask for an offered help (for oneself or an elder one acts for). Commits."""
    if not may_act_for(actor, person, community):
        raise PermissionDenied("mutual_aid.act_for")
    _require_member(person, community)
    if listing.status != "open":
        raise ValidationFailed(_("This post is no longer open."))
    if person.id == listing.owner_id:
        raise ValidationFailed(_("This is your own post."))
    if listing.kind == REQUEST:
        membership = active_membership(person, community)
        if not roles.role_at_least(membership.role, roles.VOLUNTEER):
            raise ValidationFailed(_("Only registered volunteers offer help; ask the coordinator to register you "
                                     "as a volunteer."))
    if db.session.scalar(select(Response.id).where(Response.listing_id == listing.id,
                                                   Response.person_id == person.id)):
        raise ValidationFailed(_("You have already answered this post."))
    response = Response(listing_id=listing.id, person_id=person.id, posted_by_id=actor.id,
                        message=clean_text(message, "message", 1000), created_at=now())
    db.session.add(response)
    db.session.flush()
    notify(listing.owner, "mutual_aid.response",
           N_("%(name)s answered your post “%(title)s”.") if listing.kind == OFFER
           else N_("%(name)s offers to help with “%(title)s”."), community=community,
           link=f"/c/{community.slug}/p/mutual-aid/listings/{listing.id}", name=person.display_name,
           title=listing.title)
    if listing.posted_by_id != listing.owner_id:
        notify(listing.posted_by, "mutual_aid.response", N_("%(name)s offers to help with “%(title)s”."),
               community=community, link=f"/c/{community.slug}/p/mutual-aid/listings/{listing.id}",
               name=person.display_name, title=listing.title)
    record_audit("mutual_aid.responded", actor=actor, community=community, target=("mutual_aid_listing", listing.id))
    commit()
    return response


def responses_to(listing):
    return db.session.scalars(select(Response).where(Response.listing_id == listing.id)
                              .order_by(Response.created_at)).all()


def response_in(listing, response_id):
    response = db.session.scalar(select(Response).where(Response.id == response_id,
                                                        Response.listing_id == listing.id))
    if response is None:
        raise NotFound(response_id)
    return response


def accept(listing, community, actor, response, agreed_for: datetime):
    """The poster accepts one answer: an agreement with a time; the other answers are declined. Commits."""
    if not may_act_for(actor, listing.owner, community):
        raise PermissionDenied("mutual_aid.act_for")
    lock_row(Listing, listing.id)
    db.session.refresh(listing)
    if listing.status != "open":
        raise ValidationFailed(_("This post is no longer open."))
    if agreed_for is None or agreed_for.tzinfo is None:
        raise ValidationFailed(_("Enter the agreed date and time."), field="agreed_date")
    if agreed_for < now():
        raise ValidationFailed(_("The agreed time must be in the future."), field="agreed_date")
    helper, recipient = (listing.owner, response.person) if listing.kind == OFFER else (response.person, listing.owner)
    _require_member(helper, community)
    _require_member(recipient, community)
    agreement = Agreement(community_id=community.id, listing_id=listing.id, helper_id=helper.id,
                          recipient_id=recipient.id, agreed_for=agreed_for, expected_minutes=listing.expected_minutes,
                          status="agreed", created_at=now())
    db.session.add(agreement)
    listing.status = "matched"
    for other in responses_to(listing):
        other.status = "accepted" if other.id == response.id else "declined"
    db.session.flush()
    local = agreed_for.astimezone(ZoneInfo(community.timezone))  # (the day in the reader's language)
    for person in {helper, recipient, response.person}:
        notify(person, "mutual_aid.agreed", N_("Agreed: “%(title)s” on %(day)s at %(time)s. You can now see each "
                                               "other's contact details."), community=community,
               link=f"/c/{community.slug}/p/mutual-aid/agreements/{agreement.id}", title=listing.title,
               day=local.date(), time=f"{local:%H:%M}")
    record_audit("mutual_aid.agreed", actor=actor, community=community, target=("mutual_aid_agreement", agreement.id))
    commit()
    return agreement


def agreement_in(community, agreement_id):
    agreement = db.session.scalar(select(Agreement).where(Agreement.id == agreement_id,
                                                          Agreement.community_id == community.id))
    if agreement is None:
        raise NotFound(agreement_id)
    return agreement


def party_to(agreement, user, community):
    """May ``user`` see this agreement (a party, someone acting for a party, or a coordinator)?"""
    return (may_act_for(user, agreement.helper, community) or may_act_for(user, agreement.recipient, community))


def agreements_of(community, people, active_only=False, limit=50):
    return db.session.scalars(_agreements_statement(active_only, limit), {
        "community_id": community.id, "people": [person.id for person in people]}).all()


@functools.cache
def _agreements_statement(active_only, limit):
    """Built once per variant (a built statement also keeps its cache key): the home card runs one."""
    ids = bindparam("people", expanding=True)
    query = select(Agreement).where(Agreement.community_id == bindparam("community_id"),
                                    or_(Agreement.helper_id.in_(ids), Agreement.recipient_id.in_(ids)))
    if active_only:
        query = query.where(Agreement.status.in_(("agreed", "awaiting")))
    return query.order_by(Agreement.agreed_for.desc()).limit(limit)


# --- reports ----------------------------------------------------------------------------------------------------


def report(community, reporter, about, text, agreement=None):
    """Report misconduct to the coordinators. Commits."""
    if active_membership(about, community) is None:
        raise NotFound(about.id)
    report_row = Report(community_id=community.id, reporter_id=reporter.id, about_id=about.id,
                        agreement_id=getattr(agreement, "id", None),
                        text=clean_text(text, "text", 2000, required=True), created_at=now())
    db.session.add(report_row)
    db.session.flush()
    from timebank.communities.services import staff_of

    for coordinator in staff_of(community):
        notify(coordinator, "mutual_aid.report", N_("A report about %(name)s in the neighbourhood exchange."),
               community=community, link=f"/c/{community.slug}/p/mutual-aid/manage", name=about.display_name)
    record_audit("mutual_aid.reported", actor=reporter, community=community, target=("user", about.id))
    commit()
    return report_row


def open_reports(community):
    return db.session.scalars(select(Report).where(Report.community_id == community.id, Report.status == "open")
                              .order_by(Report.created_at)).all()


def resolve_report(community, actor, report_id, resolution):
    if not can(actor, "mutual_aid.manage", community):
        raise PermissionDenied("mutual_aid.manage")
    row = db.session.scalar(select(Report).where(Report.id == report_id, Report.community_id == community.id))
    if row is None:
        raise NotFound(report_id)
    row.status, row.resolution = "resolved", clean_text(resolution, "resolution", 1000, required=True)
    row.resolved_at = now()
    record_audit("mutual_aid.report_resolved", actor=actor, community=community, target=("user", row.about_id))
    commit()


def members_for_choice(community):
    """(id, name) of active members, for the coordinator's profile form."""
    from timebank.identity.models import User

    return db.session.execute(select(User.id, User.display_name).join(Membership, Membership.user_id == User.id)
                              .where(Membership.community_id == community.id, Membership.status == "active")
                              .order_by(User.display_name)).all()


#: The message of older "agreed" notifications (the day and time as one text, "2026-11-24 09:00"): kept in the
#: catalogue so that they still read translated.
LEGACY_MESSAGES = (N_("Agreed: “%(title)s” on %(when)s. You can now see each other's contact details."),)
