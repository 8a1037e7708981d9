"""Completing an exchange: the volunteer hours go to the ledger and the credits move in the same transaction.

The recipient (or someone acting for them) confirms that the help happened and how long it took, with a rating.
Then, at once (or after a coordinator's confirmation, by policy): the helper's time becomes a service record
(``mutual_aid:agreement-<id>``), and credits move from the recipient to the helper — or from the community's
donation pool for a priority elder. A double-submitted confirmation does all this exactly once.
"""

from datetime import date, timedelta

from sqlalchemy import select

from timebank.audit.services import record_audit
from timebank.clock import now
from timebank.database import lock_row
from timebank.errors import PermissionDenied, ValidationFailed
from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_, _, _l
from timebank.ledger.accounts import LedgerRejected, balances_of
from timebank.ledger.credits import transfer_credits
from timebank.ledger.models import MEMBER_CREDITS, LedgerTransaction, Posting
from timebank.ledger.records import auto_confirm, confirm, record_service
from timebank.notifications.services import Minutes, notify
from timebank.permissions import can
from timebank.stored_text import stored_text
from timebank.validation import clean_text

from .models import Agreement, Listing
from .policy import exchange_policy
from .services import may_act_for, profile_of

CATEGORY = "mutual_aid.service"
#: Why the hours of an exchange were confirmed: the record's decision note, stored untranslated
#: (``timebank.stored_text``) and shown in the reader's language.
CONFIRMED_BY_RECIPIENT = _l("Confirmed by the person who was helped")
CONFIRMED_BY_COORDINATOR = _l("Confirmed by the coordinator")


def _age(profile, day: date):
    return day.year - profile.birth_year if profile.birth_year else None


def may_spend(community, recipient, policy):
    """Credits may be spent from the policy's age on, or when a relative gave them (gifted credits)."""
    if not policy.spend_min_age:
        return True
    age = _age(profile_of(community, recipient), now().date())
    if age is not None and age >= policy.spend_min_age:
        return True
    from timebank.ledger.accounts import account

    own = account(community.id, MEMBER_CREDITS, recipient.id)
    received = db.session.scalar(select(LedgerTransaction.id).where(
        LedgerTransaction.community_id == community.id, LedgerTransaction.kind == "gift",
        LedgerTransaction.postings.any((Posting.account_id == own.id) & (Posting.amount > 0))).limit(1))
    return received is not None


def overdraft_for(community, recipient, policy):
    profile = profile_of(community, recipient)
    age = _age(profile, now().date())
    if profile.priority_elder or (age is not None and age >= 60):
        return policy.elder_overdraft_credits * 60
    return 0


def complete(agreement, community, actor, minutes, rating, comment=""):
    """The recipient's side confirms the help. Commits; returns the agreement (completed or awaiting)."""
    if not may_act_for(actor, agreement.recipient, community):
        raise PermissionDenied("mutual_aid.complete", _("Only the person who was helped (or someone acting for "
                                                        "them) confirms the help."))
    policy = exchange_policy(community)
    try:
        minutes, rating = int(minutes), int(rating)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="minutes") from None
    if not 5 <= minutes <= policy.max_minutes:
        raise ValidationFailed(_("Between 5 and %(max)d minutes.", max=policy.max_minutes), field="minutes")
    if not 1 <= rating <= 5:
        raise ValidationFailed(_("Choose one to five stars."), field="rating")
    comment = clean_text(comment, "comment", 1000)
    lock_row(Agreement, agreement.id)  # a double tap on "confirm" waits here, then finds it done
    db.session.refresh(agreement)
    if agreement.status != "agreed":
        raise ValidationFailed(_("This exchange has already been confirmed or cancelled."))
    started = agreement.agreed_for
    if started + timedelta(minutes=minutes) > now() + timedelta(minutes=5):
        raise ValidationFailed(_("The help can be confirmed once it has happened."), field="minutes")
    listing = db.session.get(Listing, agreement.listing_id)
    try:
        with db.session.begin_nested():
            record = record_service(
                community, agreement.helper, category=CATEGORY, activity_name=listing.title, started_at=started,
                ended_at=started + timedelta(minutes=minutes), minutes=minutes,
                content=listing.description, recipient=agreement.recipient.display_name,
                source=f"mutual_aid:agreement-{agreement.id}", actor=actor)
    except LedgerRejected as error:
        raise ValidationFailed(error.message, field="minutes") from None
    agreement.record_id, agreement.actual_minutes, agreement.rating, agreement.comment = (
        record.id, minutes, rating, comment)
    agreement.completed_at, agreement.completed_by_id = now(), actor.id
    if policy.needs_coordinator:
        agreement.status = "awaiting"
    else:
        _settle(agreement, community, record, policy, actor, basis=stored_text(CONFIRMED_BY_RECIPIENT))
    record_audit("mutual_aid.completed", actor=actor, community=community,
                 target=("mutual_aid_agreement", agreement.id), detail={"minutes": minutes, "rating": rating},
                 on_behalf_of=agreement.recipient if actor.id != agreement.recipient_id else None)
    listing.status, listing.closed_at = "closed", now()
    commit()
    return agreement


def _settle(agreement, community, record, policy, actor, basis):
    """Confirm the hours and move the credits (inside the caller's transaction)."""
    if actor is not None and can(actor, "ledger.confirm", community) and actor.id != record.volunteer_id:
        confirm(record, community, actor, note=basis, within_transaction=True)
    elif not auto_confirm(record, community, basis):
        pass  # above the daily limit: stays in the coordinators' queue; the credits still move below
    listing = db.session.get(Listing, agreement.listing_id)
    if listing.category in policy.credit_categories:
        pool = profile_of(community, agreement.recipient).priority_elder
        if not pool and not may_spend(community, agreement.recipient, policy):
            raise ValidationFailed(_("%(name)s may not spend time-bank credits yet (community policy); ask the "
                                     "coordinator.", name=agreement.recipient.display_name))
        amount = agreement.actual_minutes
        try:
            transaction = transfer_credits(
                community, agreement.recipient, agreement.helper, amount, actor or agreement.recipient,
                source=f"mutual_aid:agreement-{agreement.id}", reason=listing.title, from_pool=pool,
                overdraft_minutes=overdraft_for(community, agreement.recipient, policy))
        except LedgerRejected as error:
            raise ValidationFailed(error.message) from None
        agreement.transaction_id, agreement.credits_minutes, agreement.paid_from_pool = (
            transaction.id, amount, pool)
    agreement.status = "completed"
    for person in (agreement.helper, agreement.recipient):
        notify(person, "mutual_aid.completed", N_("“%(title)s” is complete: %(hours)s. Thank you!"),
               community=community, link=f"/c/{community.slug}/p/mutual-aid/agreements/{agreement.id}",
               title=listing.title, hours=Minutes(agreement.actual_minutes))


def confirm_by_coordinator(agreement, community, actor):
    """With the "coordinator confirms" policy: confirm the hours and move the credits. Commits."""
    if not can(actor, "mutual_aid.manage", community):
        raise PermissionDenied("mutual_aid.manage")
    lock_row(Agreement, agreement.id)
    db.session.refresh(agreement)
    if agreement.status != "awaiting":
        raise ValidationFailed(_("This exchange is not waiting for a coordinator."))
    from timebank.ledger.models import ServiceRecord

    record = db.session.get(ServiceRecord, agreement.record_id)
    _settle(agreement, community, record, exchange_policy(community), actor, basis=stored_text(CONFIRMED_BY_COORDINATOR))
    record_audit("mutual_aid.settled", actor=actor, community=community,
                 target=("mutual_aid_agreement", agreement.id))
    commit()
    return agreement


def cancel(agreement, community, actor, reason):
    """Either side cancels before the help is confirmed; the post opens again. Commits."""
    if not (may_act_for(actor, agreement.helper, community) or may_act_for(actor, agreement.recipient, community)):
        raise PermissionDenied("mutual_aid.cancel")
    reason = clean_text(reason, "reason", 300, required=True, missing=_("Give a reason; the other side will see "
                                                                        "it."))
    lock_row(Agreement, agreement.id)
    db.session.refresh(agreement)
    if agreement.status != "agreed":
        raise ValidationFailed(_("This exchange has already been confirmed or cancelled."))
    agreement.status, agreement.cancel_reason = "cancelled", reason
    listing = db.session.get(Listing, agreement.listing_id)
    listing.status = "open"
    # The post opens again for a new match; the cancelled agreement is kept for the record.
    for person in (agreement.helper, agreement.recipient):
        if person.id != actor.id:
            notify(person, "mutual_aid.cancelled", N_("“%(title)s” was cancelled: %(reason)s"), community=community,
                   link=f"/c/{community.slug}/p/mutual-aid/", title=listing.title, reason=reason)
    record_audit("mutual_aid.cancelled", actor=actor, community=community,
                 target=("mutual_aid_agreement", agreement.id))
    commit()


def due_reminders(community, moment=None):
    """Agreements for tomorrow (local day) not yet reminded: remind both sides. Commits; returns how many."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(community.timezone)
    moment = moment or now()
    tomorrow = moment.astimezone(zone).date() + timedelta(days=1)
    count = 0
    for agreement in db.session.scalars(select(Agreement).where(
            Agreement.community_id == community.id, Agreement.status == "agreed",
            Agreement.reminded.is_(False))).all():
        if agreement.agreed_for.astimezone(zone).date() == tomorrow:
            for person in (agreement.helper, agreement.recipient):
                notify(person, "mutual_aid.reminder", N_("Reminder: “%(title)s” tomorrow at %(time)s."),
                       community=community, link=f"/c/{community.slug}/p/mutual-aid/agreements/{agreement.id}",
                       title=agreement.listing.title, time=agreement.agreed_for.astimezone(zone).strftime("%H:%M"))
            agreement.reminded = True
            count += 1
    commit()
    return count


def balances_for(community, people):
    """``{person id: credit balance}`` of the person and the relatives they act for, in one query."""
    return balances_of(community.id, MEMBER_CREDITS, [person.id for person in people])


#: The message of older "complete" notifications (a number of minutes, "90 minutes"): kept in the catalogue so
#: that they still read translated. Today's gives the time as a duration ("1 h 30 min").
LEGACY_MESSAGES = (N_("“%(title)s” is complete: %(minutes)s minutes. Thank you!"),)
