"""The demo data (what each demo account sees) and the ``timebank repair-team`` commands."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from timebank_plugins.repair_team import board, services
from timebank_plugins.repair_team.models import RepairOrder

from timebank.clock import set_clock
from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank.plugin_state import set_plugin_enabled


@pytest.fixture
def demo_community(app, make):
    """A small copy of the core demo: the five demo accounts, twenty neighbours, buildings and households."""
    make.community("xingfuli", "幸福里社区")
    roles = {"admin": "community_admin", "coordinator": "coordinator", "volunteer": "volunteer",
             "resident": "resident", "elder": "resident"}
    for username, role in roles.items():
        make.member("xingfuli", username, role=role, display_name=username)
    for index in range(1, 21):
        make.member("xingfuli", f"neighbour{index:02d}", role="volunteer", display_name=f"邻居{index}")
    with app.test_request_context():
        from timebank.communities import structure
        from timebank.communities.models import Community, Membership
        from timebank.identity.models import User

        community = db.session.scalar(select(Community).where(Community.slug == "xingfuli"))
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        for number in range(1, 4):
            building = structure.add_building(community, admin, f"{number}号楼", stairwells=2)
            for stairwell in building.stairwells:
                for room in ("101", "102", "201", "202", "301", "302"):
                    structure.add_household(community, admin, building.id, room, stairwell_id=stairwell.id)
        homes = structure.households_in(community)
        for index, username in enumerate(roles):
            membership = db.session.scalar(select(Membership).join(User, User.id == Membership.user_id)
                                           .where(User.username == username))
            membership.household_id = homes[index * 7].id
        db.session.commit()
    return "xingfuli"


def test_demo_gives_every_account_something_to_see_quickly(app, demo_community):
    import time

    from timebank_plugins.repair_team.demo import load_demo

    from timebank.communities.models import Community
    from timebank.identity.models import User

    moment = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
    set_clock(app, lambda: moment)
    with app.test_request_context():
        community = db.session.scalar(select(Community).where(Community.slug == demo_community))
        users = {user.username: user for user in db.session.scalars(select(User))}
        started = time.process_time()
        load_demo(community, users)
        assert time.process_time() - started < 5
        assert app.extensions["timebank"].clock() == moment  # the clock is given back
        statuses = dict(db.session.execute(select(RepairOrder.status, func.count(RepairOrder.id))
                                           .group_by(RepairOrder.status)).all())
        assert statuses["closed"] >= 8 and statuses["cancelled"] == 1 and statuses["reopened"] == 1
        assert statuses["submitted"] == 3 and statuses["assigned"] == 1 and statuses["done"] == 1
        waiting, in_hand = board.board(community)
        assert [line.overdue for line in waiting][:2] == [True, True]  # the emergency, then yesterday's request
        assert waiting[0].order.urgency == "emergency"
        elder_orders = services.requests_of(community, users["elder"])
        assert [order.status for order in elder_orders] == ["done"]
        assert [order.status for order in services.jobs_of(community, users["volunteer"])] == ["assigned"]
        records = db.session.scalars(select(ServiceRecord).where(ServiceRecord.category == "repair_team.repair")).all()
        assert len(records) >= 10 and {record.status for record in records} == {"pending", "confirmed"}


def test_cli_board_stats_and_close_unrated(app, runner, ctx, order_for, advance, clock):
    order_id = order_for(urgency="emergency", description="水管爆裂")
    result = runner.invoke(args=["repair-team", "board", "--community", "maple"])
    assert result.exit_code == 0 and "WX20261120-001\temergency\tsubmitted" in result.output
    clock.at(31)
    assert "OVERDUE" in runner.invoke(args=["repair-team", "board", "--community", "maple"]).output
    advance(order_id, "signed_off")
    result = runner.invoke(args=["repair-team", "stats", "--community", "maple", "--month", "2026-11"])
    assert result.exit_code == 0 and "water\t1\t1\t1\t0" in result.output
    assert runner.invoke(args=["repair-team", "stats", "--community", "maple", "--month", "11/2026"]).exit_code == 1
    assert "0 orders closed" in runner.invoke(args=["repair-team", "close-unrated"]).output
    clock.at(3 * 24 * 60)
    result = runner.invoke(args=["repair-team", "close-unrated", "--community", "maple"])
    assert result.exit_code == 0 and "1 orders closed" in result.output
    with app.app_context():
        assert db.session.get(RepairOrder, order_id).status == "closed"


def test_cli_refuses_a_community_where_the_plugin_is_off(runner, ctx):
    ctx(lambda c, users: set_plugin_enabled(c, "repair_team", False, users["coord"]))
    result = runner.invoke(args=["repair-team", "board", "--community", "maple"])
    assert result.exit_code == 1 and "off in maple" in result.output
    assert "No community" in runner.invoke(args=["repair-team", "board", "--community", "nowhere"]).output
