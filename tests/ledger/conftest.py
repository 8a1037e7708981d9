"""Helpers for ledger tests: a community with volunteers, and a shortcut to record service at a given time."""

from datetime import UTC, datetime, timedelta

import pytest

from timebank.clock import set_clock

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday, 20:00 in Shanghai


@pytest.fixture
def frozen(app):
    """Freeze the application's clock at ``NOW``; returns a setter to move it."""
    state = {"now": NOW}
    set_clock(app, lambda: state["now"])

    def move(value):
        state["now"] = value

    move.now = lambda: state["now"]
    return move


@pytest.fixture
def ledger(app, community, frozen):
    """Objects and shortcuts for the ledger tests (run inside an app context)."""
    from flask_babel import force_locale

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    # Service-level tests read messages in English; the Chinese catalogue is tested on its own.
    with app.test_request_context(), force_locale("en"):
        class Ledger:
            c = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
            coordinator = db.session.get(User, community["coordinator"])
            admin = db.session.get(User, community["admin"])
            volunteer = db.session.get(User, community["volunteer"])
            resident = db.session.get(User, community["resident"])

            @staticmethod
            def record(volunteer=None, hours_ago=30, minutes=120, category="ledger.elder_care", **kwargs):
                from timebank.ledger.accounts import atomic
                from timebank.ledger.records import record_service

                start = NOW - timedelta(hours=hours_ago)
                kwargs.setdefault("activity_name", "陪伴老人")
                with atomic():
                    return record_service(Ledger.c, volunteer or Ledger.volunteer, category=category,
                                          started_at=start, ended_at=start + timedelta(minutes=minutes),
                                          actor=volunteer or Ledger.volunteer, **kwargs)

            @staticmethod
            def confirmed(volunteer=None, **kwargs):
                from timebank.ledger.records import confirm

                record = Ledger.record(volunteer, **kwargs)
                return confirm(record, Ledger.c, Ledger.coordinator)

        yield Ledger


@pytest.fixture
def seed(app, community, frozen):
    """For HTTP tests: create ledger data in a short-lived app context (the test client must not share one)."""
    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    class Seed:
        ids = community

        @staticmethod
        def record(username="maple.vol", hours_ago=30, minutes=120, category="ledger.elder_care", confirm=False,
                   **kwargs):
            from timebank.ledger.accounts import atomic
            from timebank.ledger.records import confirm as confirm_record
            from timebank.ledger.records import record_service

            with app.test_request_context():
                c = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
                volunteer = db.session.scalar(db.select(User).where(User.username == username))
                start = NOW - timedelta(hours=hours_ago)
                kwargs.setdefault("activity_name", "陪伴老人")
                with atomic():
                    record = record_service(c, volunteer, category=category, started_at=start,
                                            ended_at=start + timedelta(minutes=minutes), actor=volunteer, **kwargs)
                if confirm:
                    confirm_record(record, c, db.session.get(User, community["coordinator"]))
                return record.id

        @staticmethod
        def call(function):
            """Run ``function(community, users)`` in a fresh context; ``users`` maps usernames to User."""
            with app.test_request_context():
                c = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
                users = {user.username: user for user in db.session.scalars(db.select(User))}
                return function(c, users)

    return Seed
