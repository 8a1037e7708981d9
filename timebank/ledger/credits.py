"""Time-bank credits (时间币): earning them from confirmed service, gifts to relatives, donations, spending.

Credits are counted in minutes (60 = one credit) in their own accounts; spending them never touches the
service record. The community's policy decides which categories earn, at what rate, the caps and who may
receive gifts.
"""

from datetime import date

from sqlalchemy import func, select

from ..audit.services import record_audit
from ..clock import now
from ..communities.services import active_membership
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..i18n import N_plural, _
from ..notifications.services import notify
from ..permissions import require
from .accounts import LedgerRejected, account, atomic, lock_member, post_transaction
from .categories import ledger_category
from .models import (
    CREDITS_ISSUED,
    DONATIONS,
    MEMBER_CREDITS,
    REDEEMED,
    Account,
    LedgerTransaction,
    Posting,
    Relative,
    ServiceRecord,
)
from .policy import ledger_policy

RELATIONS = ("spouse", "parent", "child", "grandparent", "grandchild", "sibling", "other")


def earns_credits(category_code, policy):
    if not policy.credits_enabled or policy.credit_rate_percent <= 0:
        return False
    if policy.credit_categories:
        return category_code in policy.credit_categories
    category = ledger_category(category_code)
    return bool(category and category.earns_credits)


def _credits_earned_on(community_id, user_id, day: date):
    """Credit minutes a member received from service on ``day`` (for the daily earning cap)."""
    member = account(community_id, MEMBER_CREDITS, user_id)
    total = db.session.scalar(
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .join(ServiceRecord, LedgerTransaction.record_id == ServiceRecord.id)
        .where(Posting.account_id == member.id, ServiceRecord.activity_date == day,
               LedgerTransaction.kind.in_(("credits_earned", "credits_reversed")))
    )
    return int(total or 0)


def earn_credits_for(record, policy, actor):
    """Post the credits a confirmed record earns (inside the caller's transaction). Returns minutes earned."""
    if not earns_credits(record.category, policy) or record.minutes <= 0:
        return 0
    earned = record.minutes * policy.credit_rate_percent // 100
    if policy.daily_credit_cap:
        room_today = policy.daily_credit_cap_minutes - _credits_earned_on(record.community_id, record.volunteer_id,
                                                                          record.activity_date)
        earned = max(0, min(earned, room_today))
    if earned <= 0:
        return 0
    member = account(record.community_id, MEMBER_CREDITS, record.volunteer_id)
    issued = account(record.community_id, CREDITS_ISSUED)
    to_member = max(0, min(earned, policy.balance_cap_minutes - member.balance))
    overflow = earned - to_member
    postings = [(issued, -earned), (member, to_member)]
    if overflow:
        postings.append((account(record.community_id, DONATIONS), overflow))
    post_transaction(record.community_id, "credits_earned", postings, record=record, actor=actor,
                     caps={member.id: policy.balance_cap_minutes},
                     reason="overflow to donations" if overflow else "")
    return to_member


def reverse_record_transactions(record, actor, reason, request=None):
    """Post reversals of every not yet reversed transaction of ``record`` (service minutes and credits).

    Credits already spent cannot be taken back: the reversal takes what the member still has and records the
    rest as written off in its reason.
    """
    originals = db.session.scalars(
        select(LedgerTransaction).where(
            LedgerTransaction.record_id == record.id,
            LedgerTransaction.kind.in_(("service_confirmed", "credits_earned")),
        ).order_by(LedgerTransaction.id)
    ).all()
    reversed_ids = set(db.session.scalars(
        select(LedgerTransaction.reverses_id).where(LedgerTransaction.reverses_id.in_([t.id for t in originals]))
    ).all()) if originals else set()
    for original in originals:
        if original.id in reversed_ids:
            continue
        postings = []
        written_off = 0
        for posting in original.postings:
            acc = posting.account
            amount = -posting.amount
            if acc.kind == MEMBER_CREDITS and amount < 0 and acc.balance + amount < 0:
                written_off = -(acc.balance + amount)
                amount = -acc.balance
            postings.append((acc, amount))
        if written_off:  # keep the transaction balanced: the issuer takes back only what is returned
            issued = next(acc for acc, _amount in postings if acc.kind == CREDITS_ISSUED)
            postings = [(acc, amount - written_off if acc is issued else amount) for acc, amount in postings]
        kind = "service_reversed" if original.kind == "service_confirmed" else "credits_reversed"
        note = reason if not written_off else f"{reason} (written off: {written_off} min already spent)"
        post_transaction(record.community_id, kind, postings, record=record, reverses=original, request=request,
                         actor=actor, reason=note)


# --- Relatives and gifts ---------------------------------------------------------------------------------------


def relatives_of(community, member):
    return db.session.scalars(
        select(Relative).where(Relative.community_id == community.id, Relative.member_id == member.id)
        .order_by(Relative.created_at)
    ).all()


def name_relative(community, member, relative_user, relation, actor):
    """A member names a relative who may receive their credits; a coordinator confirms it. Commits."""
    if relation not in RELATIONS:
        raise ValidationFailed(_("Choose one of the options."), field="relation")
    if relative_user.id == member.id:
        raise ValidationFailed(_("You cannot name yourself."), field="relative")
    if active_membership(relative_user, community) is None:
        raise ValidationFailed(_("No active member with this username or volunteer number."), field="relative")
    existing = db.session.scalar(select(Relative).where(
        Relative.community_id == community.id, Relative.member_id == member.id,
        Relative.relative_id == relative_user.id))
    if existing is not None:
        raise ValidationFailed(_("You have already named this person."), field="relative")
    with atomic():
        relative = Relative(community_id=community.id, member_id=member.id, relative_id=relative_user.id,
                            relation=relation, status="pending", created_at=now())
        db.session.add(relative)
        db.session.flush()
        record_audit("ledger.relative_named", actor=actor, community=community, target=("relative", relative.id))
    return relative


def pending_relatives(community):
    return db.session.scalars(
        select(Relative).where(Relative.community_id == community.id, Relative.status == "pending")
        .order_by(Relative.created_at)
    ).all()


def relative_in(community, relative_id):
    relative = db.session.scalar(select(Relative).where(Relative.id == relative_id,
                                                        Relative.community_id == community.id))
    if relative is None:
        raise NotFound(relative_id)
    return relative


def decide_relative(community, relative, actor, confirm):
    """A coordinator confirms (or refuses) a named relative. Commits."""
    require(actor, "ledger.relatives", community)
    if relative.status != "pending":
        raise ValidationFailed(_("This has already been decided."))
    with atomic():
        relative.status = "confirmed" if confirm else "rejected"
        relative.decided_at, relative.decided_by_id = now(), actor.id
        record_audit("ledger.relative_" + relative.status, actor=actor, community=community,
                     target=("relative", relative.id))


def gift_credits(community, giver, receiver, minutes, actor, note=""):
    """Give credits to a relative (or any member, by policy). Commits. Raises LedgerRejected/ValidationFailed."""
    policy = ledger_policy(community)
    minutes = _positive_minutes(minutes)
    if policy.gift_policy == "off" or not policy.credits_enabled:
        raise PermissionDenied("ledger.gift", _("This community does not allow gifts of credits."))
    if receiver.id == giver.id:
        raise ValidationFailed(_("You cannot give credits to yourself."), field="receiver")
    if active_membership(receiver, community) is None:
        raise ValidationFailed(_("No active member with this username or volunteer number."), field="receiver")
    if policy.gift_policy == "confirmed_relatives":
        allowed = db.session.scalar(select(Relative.id).where(
            Relative.community_id == community.id, Relative.member_id == giver.id,
            Relative.relative_id == receiver.id, Relative.status == "confirmed"))
        if allowed is None:
            raise ValidationFailed(
                _("You can give credits only to relatives a coordinator has confirmed."), field="receiver")
    with atomic():
        lock_member(community.id, giver.id)
        source = account(community.id, MEMBER_CREDITS, giver.id)
        target = account(community.id, MEMBER_CREDITS, receiver.id)
        post_transaction(community.id, "gift", [(source, -minutes), (target, minutes)], actor=actor,
                         on_behalf_of=giver if actor.id != giver.id else None, reason=note[:500],
                         caps={target.id: policy.balance_cap_minutes})
        record_audit("ledger.gift", actor=actor, community=community, target=("user", receiver.id),
                     detail={"minutes": minutes})
        notify(receiver, "ledger.gift", CREDITS_GIVEN, community=community,
               link=f"/c/{community.slug}/hours/credits", name=giver.display_name, credits=format_credits(minutes),
               num=credits_count(minutes))


def donate_credits(community, giver, minutes, actor):
    """Give credits to the community's pool for elders in need. Commits."""
    minutes = _positive_minutes(minutes)
    with atomic():
        lock_member(community.id, giver.id)
        source = account(community.id, MEMBER_CREDITS, giver.id)
        post_transaction(community.id, "donation", [(source, -minutes), (account(community.id, DONATIONS), minutes)],
                         actor=actor, on_behalf_of=giver if actor.id != giver.id else None)
        record_audit("ledger.donation", actor=actor, community=community, detail={"minutes": minutes})


def redeem_credits(community, member, minutes, actor, source, reason=""):
    """Spend a member's credits on a service (used by plugins; ``source`` like "mutual_aid:agreement-7" is
    unique, so the same service is never paid twice). Inside the caller's transaction."""
    minutes = _positive_minutes(minutes)
    lock_member(community.id, member.id)
    payer = account(community.id, MEMBER_CREDITS, member.id)
    return post_transaction(community.id, "redemption", [(payer, -minutes), (account(community.id, REDEEMED), minutes)],
                            actor=actor, source=source, reason=reason)


def transfer_credits(community, payer, payee, minutes, actor, source, reason="", from_pool=False,
                     overdraft_minutes=0):
    """Move credits for a service between neighbours in one transaction (inside the caller's transaction).

    :param payer: the member who received the service (ignored when ``from_pool``: the community's donation pool
        pays, e.g. for a priority elder).
    :param payee: the member who gave it; their balance cap applies.
    :param source: ``"<plugin>:<object>"``, unique: the same agreement is never paid twice.
    :param overdraft_minutes: how far below zero the payer may go (community policy for elders; default none).
    :raises LedgerRejected: not enough credits (or pool), above the payee's cap, or already paid.
    """
    minutes = _positive_minutes(minutes)
    policy = ledger_policy(community)
    if not from_pool and payer.id == payee.id:
        raise ValidationFailed(_("You cannot give credits to yourself."), field="receiver")
    lock_member(community.id, payee.id)
    if from_pool:
        source_account = account(community.id, DONATIONS)
        if source_account.balance < minutes:
            raise LedgerRejected(_("The community's donation pool does not hold enough credits for this."))
    else:
        lock_member(community.id, payer.id)
        source_account = account(community.id, MEMBER_CREDITS, payer.id)
    target = account(community.id, MEMBER_CREDITS, payee.id)
    return post_transaction(community.id, "transfer", [(source_account, -minutes), (target, minutes)], actor=actor,
                            source=source, reason=reason, on_behalf_of=None if from_pool or actor.id == payer.id
                            else payer, caps={target.id: policy.balance_cap_minutes},
                            floors={source_account.id: -int(overdraft_minutes or 0)})


def _positive_minutes(minutes):
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="amount") from None
    if minutes <= 0:
        raise ValidationFailed(_("Enter an amount above zero."), field="amount")
    if minutes > 10_000_000:
        raise ValidationFailed(_("This amount is not possible."), field="amount")
    return minutes


#: The message of a gift; ``num`` (``credits_count``) picks the plural form. (Older messages, "%(name)s gave you
#: %(credits)s time-bank credits.", are read as this one.)
CREDITS_GIVEN = N_plural("%(name)s gave you %(credits)s time-bank credit.",
                         "%(name)s gave you %(credits)s time-bank credits.")


def credits_count(minutes):
    """The count that picks the plural form for an amount of credits (or of hours as ``format_credits`` writes
    them): the whole number, or 0 for a fraction ("1.5 credits": 0 takes the same form as a fraction in English
    and Chinese)."""
    return minutes // 60 if minutes % 60 == 0 else 0


def format_credits(minutes):
    """Credits with up to two decimals: 90 minutes → "1.5"."""
    value = minutes / 60
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def community_pool_balance(community):
    return int(db.session.scalar(select(Account.balance).where(
        Account.community_id == community.id, Account.kind == DONATIONS, Account.owner_id == 0)) or 0)


__all__ = ["LedgerRejected", "earn_credits_for", "gift_credits", "donate_credits", "redeem_credits",
           "transfer_credits"]
