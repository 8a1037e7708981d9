"""A delivery round's orders are found through an index even when nearly every order has no round (eaten in or
picked up): SQLite's statistics count the NULLs of a full index as one value shared by every order."""

import pytest
from sqlalchemy import select
from timebank_plugins.elder_meals.models import Order

from timebank.testing import sqlite_plan_at_district_scale


def test_the_orders_of_a_round_are_found_through_an_index(app):
    with app.app_context():
        plan = sqlite_plan_at_district_scale(  # the statement of rounds.stops_of
            "elder_meals_order", select(Order).where(Order.round_id == 12), "round_id", rows=70_149)
    if plan is None:
        pytest.skip("PostgreSQL's statistics know the share of NULLs")
    assert "ix_elder_meals_order_round_id" in plan and "SCAN elder_meals_order" not in plan
