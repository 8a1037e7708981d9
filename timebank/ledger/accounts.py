"""Accounts and postings: the double-entry core. Only this module writes postings and balances.

Every transaction moves an integer number of minutes between accounts of one unit; its postings sum to zero.
Balances are cached on the account and changed with conditional UPDATEs in the same transaction, so a member's
balance can never go below zero or above a cap even when two requests race: the losing UPDATE matches no row
and the transaction is refused with a clear message.
"""

import functools

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import now
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import _
from .models import ACCOUNT_UNITS, MEMBER_CREDITS, MEMBER_SERVICE, Account, LedgerTransaction, Posting


class LedgerRejected(ValidationFailed):
    """The ledger refused a posting (balance, cap, policy or a plugin's validator); nothing was written."""


MEMBER_KINDS = (MEMBER_SERVICE, MEMBER_CREDITS)


def account(community_id, kind, owner_id=0):
    """The account of ``kind`` for ``owner_id`` (0 = the community's own), created on first use."""
    found = db.session.scalar(
        select(Account).where(Account.community_id == community_id, Account.kind == kind, Account.owner_id == owner_id)
    )
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = Account(community_id=community_id, kind=kind, owner_id=owner_id, unit=ACCOUNT_UNITS[kind],
                            balance=0)
            db.session.add(found)
    except IntegrityError:  # created by a concurrent request a moment ago
        found = db.session.scalar(
            select(Account).where(Account.community_id == community_id, Account.kind == kind,
                                  Account.owner_id == owner_id)
        )
    return found


def lock_member(community_id, user_id):
    """Serialise ledger writes for one member (overlap checks, caps): lock their service account row.

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite: a no-op UPDATE that takes the database write lock now. One
    statement when the account exists (every check-in locks it); it is created first otherwise.
    """
    from ..database import lock_row, run_lock

    statement = _member_lock(db.session.get_bind().dialect.name)
    if not run_lock(statement, {"locked_community": community_id, "locked_user": user_id}):
        lock_row(Account, account(community_id, MEMBER_SERVICE, user_id).id)


@functools.cache
def _member_lock(dialect_name):
    """Built once per database kind (a built statement also keeps its cache key): every scan runs it."""
    from ..database import lock_statement

    return lock_statement(dialect_name, Account, Account.community_id == bindparam("locked_community"),
                          Account.kind == MEMBER_SERVICE, Account.owner_id == bindparam("locked_user"))


def post_transaction(community_id, kind, postings, *, record=None, reverses=None, request=None, source=None,
                     reason="", actor=None, on_behalf_of=None, caps=None, floors=None):
    """Write one balanced transaction.

    :param postings: ``[(account, amount), ...]``; amounts are non-zero integers summing to zero, one unit.
    :param caps: ``{account_id: maximum balance}`` checked atomically for accounts that receive minutes.
    :param floors: ``{account_id: lowest balance}`` for member credit accounts allowed an overdraft (negative);
        every other member account stops at zero. Service minutes never go below zero.
    :raises LedgerRejected: a member account would go below its floor or above its cap.
    """
    postings = [(acc, int(amount)) for acc, amount in postings if int(amount) != 0]
    if not postings:
        return None
    units = {acc.unit for acc, _amount in postings}
    if len(units) != 1 or sum(amount for _acc, amount in postings) != 0:
        raise ValueError("a ledger transaction must balance in one unit")
    transaction = LedgerTransaction(
        community_id=community_id, kind=kind, unit=units.pop(), record_id=getattr(record, "id", None),
        reverses_id=getattr(reverses, "id", None), request_id=getattr(request, "id", None), source=source,
        reason=reason or "", created_at=now(), actor_id=getattr(actor, "id", None),
        on_behalf_of_id=getattr(on_behalf_of, "id", None),
    )
    try:
        with db.session.begin_nested():  # a source (plugin object) is paid or credited once
            db.session.add(transaction)
    except IntegrityError:
        raise LedgerRejected(_("This has already been recorded.")) from None
    caps = caps or {}
    for acc, amount in postings:
        db.session.add(Posting(transaction_id=transaction.id, account_id=acc.id, amount=amount))
        statement = update(Account).where(Account.id == acc.id).values(balance=Account.balance + amount)
        if acc.kind in MEMBER_KINDS and amount < 0:
            floor = min(0, (floors or {}).get(acc.id, 0)) if acc.kind == MEMBER_CREDITS else 0
            statement = statement.where(Account.balance + amount >= floor)
        if acc.id in caps and amount > 0:
            statement = statement.where(Account.balance + amount <= caps[acc.id])
        result = db.session.execute(statement.execution_options(synchronize_session=False))
        if result.rowcount != 1:
            if amount < 0:
                raise LedgerRejected(_("The balance is not enough for this."))
            raise LedgerRejected(_("This would go above the most credits one person may hold."))
    db.session.flush()
    for acc, _amount in postings:
        db.session.refresh(acc)
    return transaction


def balance_of(community_id, kind, owner_id):
    """A cached balance in minutes (0 when the account was never used)."""
    value = db.session.scalar(
        select(Account.balance).where(Account.community_id == community_id, Account.kind == kind,
                                      Account.owner_id == owner_id)
    )
    return int(value or 0)


def balances_of(community_id, kind, owner_ids, chunk=500):
    """``{owner id: cached balance in minutes}`` of many owners' accounts of one kind (0 for unused accounts), in
    one query per ``chunk`` owners."""
    owner_ids = sorted(set(owner_ids))
    found = {}
    for start in range(0, len(owner_ids), chunk):
        found.update(db.session.execute(_balances_statement(), {
            "community_id": community_id, "kind": kind, "owners": owner_ids[start:start + chunk]}).all())
    return {owner_id: int(found.get(owner_id) or 0) for owner_id in owner_ids}


@functools.cache
def _balances_statement():
    """Built once (a built statement also keeps its cache key): home cards run it."""
    return select(Account.owner_id, Account.balance).where(
        Account.community_id == bindparam("community_id"), Account.kind == bindparam("kind"),
        Account.owner_id.in_(bindparam("owners", expanding=True)))


def member_balances(community_id, user_id):
    """``{"service": minutes, "credits": minutes}`` for one member, from the cached balances."""
    rows = db.session.execute(
        select(Account.kind, Account.balance).where(
            Account.community_id == community_id, Account.owner_id == user_id, Account.kind.in_(MEMBER_KINDS)
        )
    ).all()
    found = dict(rows)
    return {"service": int(found.get(MEMBER_SERVICE, 0)), "credits": int(found.get(MEMBER_CREDITS, 0))}


class atomic:
    """``with atomic(): ...`` commits at the end (running after-commit work) or rolls back on any error."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from ..events import commit

        if exc_type is None:
            commit()
        else:
            db.session.rollback()
        return False
