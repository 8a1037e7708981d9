"""Fixtures for the honour awards tests: community "maple" with buildings, households and members (each member in
a household), a clock the tests move (Monday 2 March 2026, 10:00 in Shanghai), a ``ctx`` helper that runs
services in a fresh request context, and a campaign factory."""

from datetime import UTC, date, datetime, timedelta

import pytest

from timebank.clock import set_clock

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 on Monday 2 March 2026 in Shanghai
TODAY = date(2026, 3, 2)


@pytest.fixture
def clock(app):
    state = {"now": START}
    set_clock(app, lambda: state["now"])

    class Clock:
        @staticmethod
        def set(moment):
            state["now"] = moment

        @staticmethod
        def day(offset, hour=10):
            """Move to ``hour`` o'clock (Shanghai) ``offset`` days after TODAY."""
            state["now"] = START + timedelta(days=offset, hours=hour - 10)

        @staticmethod
        def now():
            return state["now"]

    return Clock


MEMBERS = [  # username, display name, role, (building index, room)
    ("coord", "王芳", "coordinator", (0, "101")),
    ("admin", "李主任", "community_admin", (0, "102")),
    ("leader", "张队长", "team_leader", (0, "201")),
    ("vol", "陈志强", "volunteer", (1, "101")),
    ("vol2", "刘洋", "volunteer", (1, "102")),
    ("res", "赵大爷", "resident", (1, "201")),
    ("res2", "孙桂兰", "resident", (1, "202")),
    ("res3", "周建国", "resident", (0, "301")),
]


@pytest.fixture
def maple(app, make, clock):
    """Community "maple": two buildings (1号楼, 2号楼), households, and the members above in their households."""
    make.community("maple", "枫林社区")
    ids = {username: make.member("maple", username, role=role, display_name=name)
           for username, name, role, _place in MEMBERS}
    with app.test_request_context():
        from sqlalchemy import select

        from timebank.communities.models import Community, Membership
        from timebank.communities.structure import add_building, add_household, assign_household
        from timebank.extensions import db
        from timebank.identity.models import User

        community = db.session.scalar(select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, ids["coord"])
        buildings = [add_building(community, coordinator, name) for name in ("1号楼", "2号楼")]
        households = {}
        for username, _name, _role, (building, room) in MEMBERS:
            household = add_household(community, coordinator, buildings[building].id, room)
            membership = db.session.scalar(select(Membership).where(Membership.user_id == ids[username]))
            assign_household(membership, coordinator, household.id)
            households[username] = household.id
        spare = add_household(community, coordinator, buildings[1].id, "601")
        ids.update(community=community.id, buildings=[b.id for b in buildings], households=households,
                   spare_household=spare.id)
    return ids


@pytest.fixture
def ctx(app, maple):
    """``ctx(lambda c, users: ...)``: run services in a fresh request context (English messages) with the
    community and the users by username."""
    from flask_babel import force_locale

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    def run(function):
        with app.test_request_context(), force_locale("en"):
            community = db.session.get(Community, maple["community"])
            users = {user.username: user for user in db.session.scalars(db.select(User))}
            return function(community, users)

    return run


def schedule(open_offset=0, close_offset=6, review_offset=9, vote=(10, 13), notice_days=7, award_offset=25):
    """A schedule relative to TODAY (days)."""
    from timebank_plugins.honor_awards.campaigns import Schedule

    def day(offset):
        return TODAY + timedelta(days=offset)

    return Schedule(day(open_offset), day(close_offset), day(review_offset), day(vote[0]) if vote else None,
                    day(vote[1]) if vote else None, notice_days, day(award_offset))


@pytest.fixture
def make_campaign(ctx):
    """``make_campaign(kind="household", vote=(10, 13), **overrides)`` → campaign id (created on TODAY)."""
    from timebank_plugins.honor_awards.campaigns import save_campaign

    def _make(kind="household", title=None, quota=3, level="community", rubric="家庭和睦 60\n邻里互助 40", **when):
        return ctx(lambda c, users: save_campaign(
            c, users["coord"], title=title or f"2026年度{kind}", kind=kind, year=2026, level=level,
            criteria="夫妻和睦、尊老爱幼、邻里互助。", quota=quota, rubric=rubric, schedule=schedule(**when)).id)

    return _make


def login(client, username, english=True):
    client.post("/login", data={"username": username, "password": "test-pass-123"})
    if english:
        client.post("/account/language", data={"locale": "en"})
