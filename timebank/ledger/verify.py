"""``timebank ledger verify``: recompute every balance from the postings and compare with the cached balances, and
the maintained service totals from the records."""

from sqlalchemy import func, select

from ..extensions import db
from .models import Account, LedgerTransaction, Posting
from .totals import differences


def verify_ledger():
    """Return a list of problems (empty when the ledger is consistent)."""
    problems = []
    sums = dict(db.session.execute(
        select(Posting.account_id, func.coalesce(func.sum(Posting.amount), 0)).group_by(Posting.account_id)).all())
    for account_id, community_id, kind, owner_id, balance in db.session.execute(
            select(Account.id, Account.community_id, Account.kind, Account.owner_id, Account.balance)):
        expected = int(sums.get(account_id, 0))
        if int(balance) != expected:
            problems.append(f"account {account_id} ({kind}, community {community_id}, owner {owner_id}): "
                            f"cached balance {balance} but postings sum to {expected}")
        if kind == "member_service" and expected < 0:  # credits may be overdrawn by policy; service never
            problems.append(f"account {account_id} ({kind}) is below zero: {expected}")
    unbalanced = db.session.execute(
        select(Posting.transaction_id, func.sum(Posting.amount)).group_by(Posting.transaction_id)
        .having(func.sum(Posting.amount) != 0)).all()
    for transaction_id, total in unbalanced:
        problems.append(f"transaction {transaction_id} does not balance: postings sum to {total}")
    mixed = db.session.execute(
        select(Posting.transaction_id).join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(Account.unit != LedgerTransaction.unit)).all()
    for (transaction_id,) in mixed:
        problems.append(f"transaction {transaction_id} mixes units")
    for unit, total in db.session.execute(
            select(Account.unit, func.sum(Account.balance)).group_by(Account.unit)).all():
        if int(total or 0) != 0:
            problems.append(f"the {unit} accounts do not sum to zero: {total}")
    for (community_id, year, volunteer_id, category), maintained, computed in differences():
        problems.append(f"service totals of volunteer {volunteer_id} (community {community_id}, {year}, {category}): "
                        f"maintained (minutes, records) {maintained} but the records say {computed}")
    return problems
