"""Fixtures: community "maple" with a coordinator, a helper (volunteer), a daughter and her mother (confirmed
relatives; the mother holds two credits her daughter gave her), and a clock the tests move."""

from datetime import UTC, datetime, timedelta

import pytest

from timebank.clock import set_clock

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


@pytest.fixture
def clock(app):
    state = {"now": NOW}
    set_clock(app, lambda: state["now"])

    class Clock:
        @staticmethod
        def move(**delta):
            state["now"] = state["now"] + timedelta(**delta)

        @staticmethod
        def now():
            return state["now"]

    return Clock


@pytest.fixture
def people(app, make, clock):
    make.community("maple", "枫林社区")
    ids = {
        "coordinator": make.member("maple", "coord", role="coordinator", display_name="王芳"),
        "helper": make.member("maple", "helper", role="volunteer", display_name="陈志强", phone="13800000003"),
        "daughter": make.member("maple", "daughter", role="volunteer", display_name="刘丽", phone="13900000001"),
        "mother": make.member("maple", "mother", role="resident", display_name="刘奶奶", phone="13900000002"),
        "stranger": make.member("maple", "stranger", role="volunteer", display_name="周三"),
    }
    with app.test_request_context():
        from timebank.communities.models import Community
        from timebank.extensions import db
        from timebank.identity.models import User
        from timebank.ledger import credits
        from timebank.ledger.accounts import atomic
        from timebank.ledger.records import confirm, record_service

        c = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        users = {name: db.session.get(User, user_id) for name, user_id in ids.items()}
        start = NOW - timedelta(days=3)
        with atomic():
            record = record_service(c, users["daughter"], category="ledger.elder_care", activity_name="陪伴老人",
                                    started_at=start, ended_at=start + timedelta(hours=3), actor=users["daughter"])
        confirm(record, c, users["coordinator"])
        named = credits.name_relative(c, users["daughter"], users["mother"], "parent", users["daughter"])
        credits.decide_relative(c, named, users["coordinator"], True)
        credits.gift_credits(c, users["daughter"], users["mother"], 120, users["daughter"])
    return ids


@pytest.fixture
def run(app, people):
    """``run(lambda c, u: ...)`` in a fresh request context; ``u`` maps the fixture's names to users."""
    from flask_babel import force_locale

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    def _run(function):
        with app.test_request_context(), force_locale("en"):
            c = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
            return function(c, {name: db.session.get(User, user_id) for name, user_id in people.items()})

    return _run
