"""Confirming many records at once (the coordinator's queue, "confirm all on-time attendances").

The same rules as ``records.confirm`` — nobody confirms their own hours, the daily limit needs a community admin,
credits by policy with the balance cap and the daily earning cap — but done with set-based statements: one
UPDATE ... RETURNING for the decisions, bulk inserts for transactions, postings, audit events and one message per
volunteer, one balance UPDATE per account. Confirming a thousand entries takes about a second instead of tens.
"""

import json
from collections import defaultdict

from sqlalchemy import func, insert, select, update

from ..audit.models import AuditEvent
from ..clock import now
from ..database import lock_rows
from ..events import after_commit
from ..extensions import db
from ..hooks import dispatch_event
from ..i18n import N_, _, format_minutes
from ..notifications.services import notify
from ..permissions import can
from .accounts import MEMBER_KINDS, account
from .categories import ledger_category
from .credits import earns_credits
from .models import (
    CONFIRMED,
    CREDITS_ISSUED,
    DONATIONS,
    MEMBER_CREDITS,
    MEMBER_SERVICE,
    PENDING,
    SERVICE_ISSUED,
    Account,
    LedgerTransaction,
    Posting,
    ServiceRecord,
)
from .policy import ledger_policy

CHUNK = 500  # ids per IN (...) list


def _confirmed_per_day(community_id, pairs):
    """{(volunteer_id, day): confirmed minutes} for the pairs, live records only."""
    if not pairs:
        return {}
    volunteers = {volunteer for volunteer, _day in pairs}
    days = {day for _volunteer, day in pairs}
    superseded = select(ServiceRecord.corrects_id).where(ServiceRecord.corrects_id.is_not(None))
    rows = db.session.execute(
        select(ServiceRecord.volunteer_id, ServiceRecord.activity_date, func.sum(ServiceRecord.minutes))
        .where(ServiceRecord.community_id == community_id, ServiceRecord.status == CONFIRMED,
               ServiceRecord.volunteer_id.in_(volunteers), ServiceRecord.activity_date.in_(days),
               ServiceRecord.id.not_in(superseded))
        .group_by(ServiceRecord.volunteer_id, ServiceRecord.activity_date)).all()
    return {(volunteer, day): int(total or 0) for volunteer, day, total in rows}


def _credits_per_day(community_id, pairs):
    """{(volunteer_id, day): credit minutes earned from service on that day}."""
    if not pairs:
        return {}
    volunteers = {volunteer for volunteer, _day in pairs}
    days = {day for _volunteer, day in pairs}
    rows = db.session.execute(
        select(Account.owner_id, ServiceRecord.activity_date, func.sum(Posting.amount))
        .join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .join(ServiceRecord, LedgerTransaction.record_id == ServiceRecord.id)
        .join(Account, Account.id == Posting.account_id)
        .where(Account.community_id == community_id, Account.kind == MEMBER_CREDITS,
               Account.owner_id.in_(volunteers), ServiceRecord.activity_date.in_(days),
               LedgerTransaction.kind.in_(("credits_earned", "credits_reversed")))
        .group_by(Account.owner_id, ServiceRecord.activity_date)).all()
    return {(volunteer, day): int(total or 0) for volunteer, day, total in rows}


def _accounts(community_id, volunteer_ids):
    """Service and credit accounts of the volunteers (created if missing), locked, with the community's own.

    Set-based: one SELECT for the accounts that exist, one lock statement and one re-read, whatever the number of
    volunteers (a thousand entries used to take thousands of statements)."""
    wanted = [(kind, volunteer_id) for volunteer_id in sorted(volunteer_ids) for kind in MEMBER_KINDS]
    wanted += [(kind, 0) for kind in (SERVICE_ISSUED, CREDITS_ISSUED, DONATIONS)]
    kinds = {kind for kind, _owner in wanted}
    found = {}
    owners = sorted({owner for _kind, owner in wanted})
    for start in range(0, len(owners), CHUNK):
        for acc in db.session.scalars(select(Account).where(
                Account.community_id == community_id, Account.kind.in_(kinds),
                Account.owner_id.in_(owners[start:start + CHUNK]))):
            found[(acc.kind, acc.owner_id)] = acc
    found = {key: found.get(key) or account(community_id, *key) for key in wanted}
    member_ids = sorted(found[key].id for key in wanted if key[0] in MEMBER_KINDS)
    for start in range(0, len(member_ids), CHUNK):  # ascending ids: two bulk confirmations never deadlock
        lock_rows(Account, member_ids[start:start + CHUNK])
    ids = [acc.id for acc in found.values()]
    for start in range(0, len(ids), CHUNK):  # the balances as they are now that the rows are locked
        db.session.scalars(select(Account).where(Account.id.in_(ids[start:start + CHUNK]))
                           .execution_options(populate_existing=True)).all()
    return found


def confirm_many(records, community, actor, note=""):
    """Confirm pending ``records`` of ``community`` in one transaction (the caller commits).

    Returns ``(confirmed, skipped)`` where skipped is ``[(record, reason)]``: the actor's own records, those that
    would pass the daily limit without a community admin, and those someone else decided meanwhile.
    """
    policy = ledger_policy(community)
    may_confirm = can(actor, "ledger.confirm", community)
    over_cap_allowed = can(actor, "ledger.approve_over_cap", community)
    skipped, candidates = [], []
    for record in sorted(records, key=lambda r: (r.activity_date, r.id)):
        if record.community_id != community.id or record.status != PENDING:
            skipped.append((record, _("This entry has already been decided by someone else.")))
        elif record.volunteer_id == actor.id or not may_confirm:
            skipped.append((record, _("You cannot confirm this entry.")))
        else:
            candidates.append(record)
    per_day = _confirmed_per_day(community.id, {(r.volunteer_id, r.activity_date) for r in candidates})
    accepted = []
    for record in candidates:
        key = (record.volunteer_id, record.activity_date)
        if per_day.get(key, 0) + record.minutes > policy.daily_cap_minutes and not over_cap_allowed:
            skipped.append((record, _("With this entry %(name)s would have more than %(limit)s on %(date)s; a "
                                      "community admin must confirm it.", name=record.volunteer.display_name,
                                      limit=format_minutes(policy.daily_cap_minutes),
                                      date=record.activity_date.isoformat())))
            continue
        per_day[key] = per_day.get(key, 0) + record.minutes
        accepted.append(record)
    if not accepted:
        return [], skipped
    moment = now()
    decided = set(db.session.scalars(
        update(ServiceRecord).where(ServiceRecord.id.in_([r.id for r in accepted]), ServiceRecord.status == PENDING)
        .values(status=CONFIRMED, decided_at=moment, decided_by_id=actor.id, decision_note=note or "")
        .returning(ServiceRecord.id).execution_options(synchronize_session=False)).all())
    for record in accepted:
        if record.id not in decided:
            skipped.append((record, _("This entry has already been decided by someone else.")))
    confirmed = [record for record in accepted if record.id in decided]
    _post(confirmed, community, actor, policy, moment)
    for record in confirmed:
        db.session.expire(record, ["status", "decided_at", "decided_by_id", "decision_note"])
    if confirmed:  # the commit expires them: read them back with their volunteers in a few queries, not 2 × N
        after_commit(lambda ids=[record.id for record in confirmed]: _reload(ids))
    for record in confirmed:
        after_commit(lambda record=record: dispatch_event("timebank_hours_confirmed", community, entry=record))
    return confirmed, skipped


def _reload(ids):
    for start in range(0, len(ids), CHUNK):
        db.session.scalars(select(ServiceRecord).where(  # (the volunteer comes joined)
            ServiceRecord.id.in_(ids[start:start + CHUNK]))).all()


def _post(records, community, actor, policy, moment):
    """Transactions, postings, balances, audit events and one message per volunteer for confirmed records."""
    if not records:
        return  # (an executemany INSERT with no rows would insert one row of defaults)
    counting = [r for r in records if (ledger_category(r.category) is not None
                                       and ledger_category(r.category).counts_hours and r.minutes > 0)]
    accounts = _accounts(community.id, {r.volunteer_id for r in counting})
    earned_today = _credits_per_day(community.id, {(r.volunteer_id, r.activity_date) for r in counting})
    balance = {key: acc.balance for key, acc in accounts.items()}
    transactions, plans = [], []
    for record in counting:
        transactions.append(dict(community_id=community.id, kind="service_confirmed", unit="service",
                                 record_id=record.id, reason="", created_at=moment, actor_id=actor.id))
        plans.append([((SERVICE_ISSUED, 0), -record.minutes), ((MEMBER_SERVICE, record.volunteer_id), record.minutes)])
        if not earns_credits(record.category, policy):
            continue
        earned = record.minutes * policy.credit_rate_percent // 100
        key = (record.volunteer_id, record.activity_date)
        if policy.daily_credit_cap:
            earned = max(0, min(earned, policy.daily_credit_cap_minutes - earned_today.get(key, 0)))
        if earned <= 0:
            continue
        member = (MEMBER_CREDITS, record.volunteer_id)
        to_member = max(0, min(earned, policy.balance_cap_minutes - balance[member]))
        overflow = earned - to_member
        balance[member] += to_member
        earned_today[key] = earned_today.get(key, 0) + to_member
        transactions.append(dict(community_id=community.id, kind="credits_earned", unit="credits",
                                 record_id=record.id, reason="overflow to donations" if overflow else "",
                                 created_at=moment, actor_id=actor.id))
        plan = [((CREDITS_ISSUED, 0), -earned), (member, to_member)]
        if overflow:
            plan.append(((DONATIONS, 0), overflow))
        plans.append(plan)
    if transactions:
        ids = db.session.scalars(insert(LedgerTransaction).returning(LedgerTransaction.id, sort_by_parameter_order=True),
                                 transactions).all()
        postings, totals = [], defaultdict(int)
        for transaction_id, plan in zip(ids, plans, strict=True):
            for key, amount in plan:
                if amount:
                    postings.append(dict(transaction_id=transaction_id, account_id=accounts[key].id, amount=amount))
                    totals[accounts[key].id] += amount
        db.session.execute(insert(Posting), postings)
        for account_id, total in totals.items():
            db.session.execute(update(Account).where(Account.id == account_id)
                               .values(balance=Account.balance + total).execution_options(synchronize_session=False))
        for acc in accounts.values():
            db.session.expire(acc, ["balance"])
    db.session.execute(insert(AuditEvent), [
        dict(created_at=moment, community_id=community.id, actor_id=actor.id, action="ledger.confirmed",
             target_type="record", target_id=str(record.id),
             detail_json=json.dumps({"minutes": record.minutes, "bulk": True}), ip="") for record in records])
    _notify_volunteers(records, community, moment)


def _notify_volunteers(records, community, moment):
    """One message per volunteer ("3 of your entries were confirmed: 4 h 30 min"), not one per entry."""
    per_person = defaultdict(list)
    for record in records:
        per_person[record.volunteer_id].append(record)
    for own in per_person.values():
        notify(own[0].volunteer, "ledger.confirmed", N_("%(n)s of your entries were confirmed: %(hours)s."),
               community=community, link=f"/c/{community.slug}/hours/", n=len(own),
               hours=format_minutes(sum(record.minutes for record in own)))
