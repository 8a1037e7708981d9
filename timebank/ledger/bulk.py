"""Confirming many records at once (the coordinator's queue, "confirm all on-time attendances").

The same rules as ``records.confirm`` — nobody confirms their own hours, the daily limit needs a community admin,
credits by policy with the balance cap and the daily earning cap — but done with set-based statements: one
UPDATE ... RETURNING for the decisions, bulk inserts for new accounts, transactions, postings, audit events and one
message per volunteer, one executemany for the balances (balance = balance + total, per account, rows locked first),
one upsert for the service totals the leaderboard and the community's totals read.
Listeners hear ``timebank_hours_confirmed_batch`` once for the whole set. A thousand entries take a fixed number
of statements (about 25, plus what the listeners do for people who reach something new), not a few per entry.
"""

import json
from collections import defaultdict

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..audit.models import AuditEvent
from ..clock import now
from ..database import lock_rows
from ..events import after_commit
from ..extensions import db
from ..i18n import N_plural, _, format_minutes
from ..notifications.services import Minutes, notify_many
from ..permissions import can
from .accounts import MEMBER_KINDS, account
from .categories import ledger_categories
from .credits import earns_credits
from .models import (
    ACCOUNT_UNITS,
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
from .records import announce_confirmed, reload_records
from .totals import count_records

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
    """{(volunteer_id, day): credit minutes earned from service on that day}.

    From the records of those people on those days (an index) to their credit transactions and postings: starting
    from the people's credit accounts instead would read every credit they ever earned (PostgreSQL chose that)."""
    if not pairs:
        return {}
    volunteers = sorted({volunteer for volunteer, _day in pairs})
    days = sorted({day for _volunteer, day in pairs})
    day_of = {}
    for start in range(0, len(volunteers), CHUNK):
        day_of.update(db.session.execute(select(ServiceRecord.id, ServiceRecord.activity_date).where(
            ServiceRecord.community_id == community_id, ServiceRecord.volunteer_id.in_(volunteers[start:start + CHUNK]),
            ServiceRecord.activity_date.in_(days))).all())
    record_ids = sorted(day_of)
    totals = defaultdict(int)
    for start in range(0, len(record_ids), CHUNK):
        for owner, record_id, total in db.session.execute(
                select(Account.owner_id, LedgerTransaction.record_id, func.sum(Posting.amount))
                .join(Posting, Posting.transaction_id == LedgerTransaction.id)
                .join(Account, Account.id == Posting.account_id)
                .where(LedgerTransaction.record_id.in_(record_ids[start:start + CHUNK]),
                       LedgerTransaction.kind.in_(("credits_earned", "credits_reversed")),
                       Account.community_id == community_id, Account.kind == MEMBER_CREDITS)
                .group_by(Account.owner_id, LedgerTransaction.record_id)):
            totals[(owner, day_of[record_id])] += int(total or 0)
    return dict(totals)


def _existing_accounts(community_id, kinds, owners):
    found = {}
    for start in range(0, len(owners), CHUNK):
        for acc in db.session.scalars(select(Account).where(
                Account.community_id == community_id, Account.kind.in_(kinds),
                Account.owner_id.in_(owners[start:start + CHUNK]))):
            found[(acc.kind, acc.owner_id)] = acc
    return found


def _accounts(community_id, volunteer_ids):
    """Service and credit accounts of the volunteers (created if missing), locked, with the community's own.

    Set-based: one SELECT for the accounts that exist, one lock statement and one re-read, whatever the number of
    volunteers (a thousand entries used to take thousands of statements)."""
    wanted = [(kind, volunteer_id) for volunteer_id in sorted(volunteer_ids) for kind in MEMBER_KINDS]
    wanted += [(kind, 0) for kind in (SERVICE_ISSUED, CREDITS_ISSUED, DONATIONS)]
    kinds = {kind for kind, _owner in wanted}
    found = _existing_accounts(community_id, kinds, sorted({owner for _kind, owner in wanted}))
    missing = [key for key in wanted if key not in found]
    if missing:  # first confirmations: the volunteers' accounts in one INSERT (one by one if someone raced us)
        try:
            with db.session.begin_nested():
                db.session.execute(insert(Account), [dict(community_id=community_id, kind=kind, owner_id=owner,
                                                          unit=ACCOUNT_UNITS[kind], balance=0)
                                                     for kind, owner in missing])
        except IntegrityError:
            pass
        found.update(_existing_accounts(community_id, {kind for kind, _owner in missing},
                                        sorted({owner for _kind, owner in missing})))
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
    actor_id = actor.id  # (once: ``actor`` is often ``current_user``, a proxy)
    skipped, candidates = [], []
    for record in sorted(records, key=lambda r: (r.activity_date, r.id)):
        if record.community_id != community.id or record.status != PENDING:
            skipped.append((record, _("This entry has already been decided by someone else.")))
        elif record.volunteer_id == actor_id or not may_confirm:
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
        .values(status=CONFIRMED, decided_at=moment, decided_by_id=actor_id, decision_note=note or "")
        .returning(ServiceRecord.id).execution_options(synchronize_session=False)).all())
    for record in accepted:
        if record.id not in decided:
            skipped.append((record, _("This entry has already been decided by someone else.")))
    confirmed = [record for record in accepted if record.id in decided]
    _post(confirmed, community, actor_id, policy, moment)
    count_records([(record, 1) for record in confirmed])  # one upsert for all of them (no statement without rows)
    for record in confirmed:
        db.session.expire(record, ["status", "decided_at", "decided_by_id", "decision_note"])
    if confirmed:  # the commit expires them: read them back with their volunteers in a few queries, not 2 × N
        after_commit(lambda ids=[record.id for record in confirmed]: reload_records(ids, CHUNK))
        after_commit(lambda: announce_confirmed(community, confirmed))
    return confirmed, skipped


def _post(records, community, actor_id, policy, moment):
    """Transactions, postings, balances, audit events and one message per volunteer for confirmed records."""
    if not records:
        return  # (an executemany INSERT with no rows would insert one row of defaults)
    categories = ledger_categories()
    counting = [r for r in records if (categories.get(r.category) is not None
                                       and categories[r.category].counts_hours and r.minutes > 0)]
    earning = {code: earns_credits(code, policy) for code in {r.category for r in counting}}
    accounts = _accounts(community.id, {r.volunteer_id for r in counting})
    earned_today = _credits_per_day(community.id, {(r.volunteer_id, r.activity_date) for r in counting})
    balance = {key: acc.balance for key, acc in accounts.items()}
    transactions, plans = [], []
    for record in counting:
        transactions.append(dict(community_id=community.id, kind="service_confirmed", unit="service",
                                 record_id=record.id, reason="", created_at=moment, actor_id=actor_id))
        plans.append([((SERVICE_ISSUED, 0), -record.minutes), ((MEMBER_SERVICE, record.volunteer_id), record.minutes)])
        if not earning[record.category]:
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
                                 created_at=moment, actor_id=actor_id))
        plan = [((CREDITS_ISSUED, 0), -earned), (member, to_member)]
        if overflow:
            plan.append(((DONATIONS, 0), overflow))
        plans.append(plan)
    if transactions:
        # Each confirmed record has at most one transaction of each kind here, so (record, kind) names the new id:
        # the RETURNING rows need no order, and the INSERT goes in batches (asking SQLAlchemy for the parameters'
        # order makes it insert row by row on SQLite).
        ids = {(record_id, kind): transaction_id for transaction_id, record_id, kind in db.session.execute(
            insert(LedgerTransaction).returning(LedgerTransaction.id, LedgerTransaction.record_id,
                                                LedgerTransaction.kind), transactions)}
        postings, totals = [], defaultdict(int)
        for transaction, plan in zip(transactions, plans, strict=True):
            transaction_id = ids[(transaction["record_id"], transaction["kind"])]
            for key, amount in plan:
                if amount:
                    postings.append(dict(transaction_id=transaction_id, account_id=accounts[key].id, amount=amount))
                    totals[accounts[key].id] += amount
        db.session.execute(insert(Posting), postings)
        table = Account.__table__  # one executemany: balance = balance + total, per account (rows locked above)
        db.session.execute(update(table).where(table.c.id == bindparam("account_id"))
                           .values(balance=table.c.balance + bindparam("total")),
                           [dict(account_id=account_id, total=total) for account_id, total in sorted(totals.items())])
        for acc in accounts.values():
            db.session.expire(acc, ["balance"])
    db.session.execute(insert(AuditEvent), [
        dict(created_at=moment, community_id=community.id, actor_id=actor_id, action="ledger.confirmed",
             target_type="record", target_id=str(record.id),
             detail_json=json.dumps({"minutes": record.minutes, "bulk": True}), ip="") for record in records])
    _notify_volunteers(records, community, moment)


#: The message of a bulk confirmation, in the volunteer's language when they read it: the count is ``num``, the
#: total ``hours`` (``Minutes``). (Older messages, "%(n)s of your entries were confirmed", are read as this one.)
ENTRIES_CONFIRMED = N_plural("%(num)d of your entries was confirmed: %(hours)s.",
                             "%(num)d of your entries were confirmed: %(hours)s.")


def _notify_volunteers(records, community, moment):
    """One message per volunteer ("3 of your entries were confirmed: 4 h 30 min"), not one per entry."""
    per_person = defaultdict(list)
    for record in records:
        per_person[record.volunteer_id].append(record)
    notify_many("ledger.confirmed", ENTRIES_CONFIRMED, [
        (own[0].volunteer, dict(num=len(own), hours=Minutes(sum(record.minutes for record in own))))
        for own in per_person.values()], community=community, link=f"/c/{community.slug}/hours/")
