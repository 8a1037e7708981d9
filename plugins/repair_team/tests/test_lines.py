"""The home page's order lines (``lines.py``) read plain columns: they must show what the full orders show."""

from timebank_plugins.repair_team import lines, services
from timebank_plugins.repair_team.vocabulary import ACTIVE


def shown(order):
    """What ``repair_team/_order_line.html`` shows of an order (or of a line)."""
    return (order.id, order.number, order.category, order.urgency, order.status, order.scheduled_at,
            order.household.label, order.volunteer.display_name if order.volunteer else None)


def test_lines_show_what_the_orders_show(ctx, repair, order_for, advance):
    def no_stairwell_home(c, users):
        from timebank.communities import structure

        building = structure.add_building(c, users["coord"], "5号楼")
        return structure.add_household(c, users["coord"], building.id, "101").id

    plain_home = ctx(no_stairwell_home)
    first = order_for("water")
    second = order_for("locks", urgency="emergency", household_id=plain_home)
    third = order_for("drains")
    order_for("water", requester="res2")  # somebody else's
    advance(first, to="in_progress")
    advance(third, to="done")
    advance(order_for("drains"), to="signed_off")  # no longer active

    def compare(c, users):
        resident, volunteer = users["res"], users["vol"]
        for limit in (2, 3, 50):
            full = services.requests_of(c, resident, limit=limit, statuses=ACTIVE)
            assert [shown(line) for line in lines.request_lines(c, resident, ACTIVE, limit)] == \
                [shown(order) for order in full]
        assert [shown(line) for line in lines.job_lines(c, volunteer)] == \
            [shown(order) for order in services.jobs_of(c, volunteer)]
        # the home card asks the roster and the jobs at once: None off the roster, [] on it with no jobs
        assert lines.roster_job_lines(c, volunteer) == lines.job_lines(c, volunteer) != []
        assert lines.roster_job_lines(c, users["elec"]) == [] and lines.roster_job_lines(c, users["vol2"]) is None
        assert lines.roster_job_lines(c, resident) is None
        return (services.requests_of(c, resident, statuses=ACTIVE), services.jobs_of(c, volunteer))

    requests, jobs = ctx(compare)
    assert {order.id for order in requests} == {first, second, third}
    assert any(order.volunteer is None for order in requests) and any(order.volunteer for order in requests)
    assert {order.household.label for order in requests} == {"3号楼 1单元 402", "5号楼 101"}
    assert {order.id for order in jobs} >= {first, third}
