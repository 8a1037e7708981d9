"""Run work after the current transaction commits (events, notification delivery); drop it on rollback.

Services queue work with ``after_commit(callback)`` and finish with ``commit()``, which commits and then runs
the queued callbacks (SQLAlchemy cannot run SQL inside its own after-commit event). Work queued before a
plain ``db.session.commit()`` runs at the end of the request, or at the next ``commit()``.
"""

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

logger = logging.getLogger(__name__)

_QUEUED = "timebank_after_commit"
_READY = "timebank_ready"
_RUNNING = "timebank_running_ready"


def after_commit(callback):
    """Queue ``callback()`` to run once the current database transaction has committed.

    Work queued inside a savepoint (``begin_nested()``) is dropped if that savepoint rolls back, and otherwise
    waits for the real commit of the outer transaction.
    """
    session = db.session()
    session.info.setdefault(_QUEUED, []).append((session.get_nested_transaction(), callback))


def run_ready(session=None):
    """Run callbacks whose transaction has committed. Each runs on its own; failures are logged.

    A callback that commits (and so calls this again) does not start a nested loop: the loop already running
    takes the work that commit made ready. Otherwise a thousand events of one bulk confirmation, each listener
    committing, would nest a thousand calls deep and end in a RecursionError."""
    session = session or db.session()
    if session.info.get(_RUNNING):
        return
    session.info[_RUNNING] = True
    try:
        while session.info.get(_READY):
            callback = session.info[_READY].pop(0)
            try:
                callback()
            except Exception:  # an after-commit step must never break the request that committed
                logger.exception("after-commit step failed")
    finally:
        session.info.pop(_RUNNING, None)


def commit():
    """Commit the session, then run the work queued for after the commit."""
    db.session.commit()
    run_ready()


def _mark_ready(session):
    # SQLAlchemy also sends after_commit when a savepoint is released; the outer transaction may still roll back.
    if session.get_nested_transaction() is not None:
        return
    queued = session.info.pop(_QUEUED, [])
    if queued:
        session.info.setdefault(_READY, []).extend(callback for _savepoint, callback in queued)


def install(app):
    """Attach the session listeners (idempotent) and run leftover ready work at the end of each request."""
    if not event.contains(Session, "after_commit", _mark_ready):
        event.listen(Session, "after_commit", _mark_ready)
        event.listen(Session, "after_soft_rollback", _discard_rolled_back)

    @app.teardown_request
    def _run_leftovers(exc):
        session = db.session()
        if exc is None and session.info.get(_READY):
            run_ready(session)


def _discard_rolled_back(session, previous_transaction):
    """Drop the work of a transaction that rolled back: everything for the outer one, only what was queued inside
    it for a savepoint (SQLAlchemy reports both, and the internal sub-transactions of a flush, as rollbacks)."""
    if previous_transaction.parent is None:
        session.info.pop(_QUEUED, None)
    elif previous_transaction.nested and session.info.get(_QUEUED):
        session.info[_QUEUED] = [
            (savepoint, callback) for savepoint, callback in session.info[_QUEUED]
            if not _within(savepoint, previous_transaction)
        ]


def _within(transaction, savepoint):
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False
