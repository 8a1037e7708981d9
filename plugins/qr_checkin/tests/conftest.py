"""Fixtures for the QR check-in tests: a community with a coordinator, a leader, volunteers, a post and a
shift, and a clock the tests move (Friday 2026-11-20, 07:00 in Shanghai)."""

from datetime import UTC, datetime, timedelta

import pytest

from timebank.clock import set_clock

START = datetime(2026, 11, 19, 23, 0, tzinfo=UTC)  # 07:00 on Friday 20 November in Shanghai


@pytest.fixture
def clock(app):
    state = {"now": START - timedelta(days=1)}
    set_clock(app, lambda: state["now"])

    class Clock:
        @staticmethod
        def set(moment):
            state["now"] = moment

        @staticmethod
        def at(minutes_from_start):
            state["now"] = START + timedelta(minutes=minutes_from_start)

        @staticmethod
        def now():
            return state["now"]

    return Clock


@pytest.fixture
def duty(app, make, clock):
    """Community "maple": coordinator, leader, two volunteers, a resident; a gate post with a 07:00–09:00 shift."""
    make.community("maple", "枫林社区")
    ids = {
        "coordinator": make.member("maple", "coord", role="coordinator", display_name="王芳"),
        "leader": make.member("maple", "leader", role="team_leader", display_name="李队长"),
        "volunteer": make.member("maple", "vol", role="volunteer", display_name="陈志强"),
        "volunteer2": make.member("maple", "vol2", role="volunteer", display_name="刘洋"),
        "resident": make.member("maple", "res", role="resident", display_name="赵大爷"),
    }
    with app.test_request_context():
        from timebank_plugins.qr_checkin import services

        from timebank.communities.models import Community
        from timebank.extensions import db
        from timebank.identity.models import User

        community = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, ids["coordinator"])
        post = services.save_post(community, coordinator, name="北门岗亭", kind="gate", place="北门",
                                  checkin_policy="static")
        shift = services.create_shift(community, coordinator, post, START, START + timedelta(hours=2), capacity=2,
                                      leader_id=ids["leader"])
        ids.update(post=post.id, shift=shift.id, community=community.id)
    return ids


@pytest.fixture
def ctx(app, duty):
    """Run service calls: ``ctx(lambda c, users, post, shift: ...)`` in a fresh request context."""
    from timebank_plugins.qr_checkin.models import DutyPost, Shift

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    def run(function):
        with app.test_request_context():
            community = db.session.get(Community, duty["community"])
            users = {user.username: user for user in db.session.scalars(db.select(User))}
            return function(community, users, db.session.get(DutyPost, duty["post"]),
                            db.session.get(Shift, duty["shift"]))

    return run
