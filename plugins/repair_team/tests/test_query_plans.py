"""A person's own repair requests are found through indexes, never by reading every order of the community: they
are asked for on the home card and for the Tasks number of every page, and a community keeps years of orders."""

from types import SimpleNamespace

import pytest
from timebank_plugins.repair_team.services import requests_query

from timebank.testing import sqlite_plan_at_district_scale


def test_a_persons_requests_are_found_through_indexes(app):
    with app.app_context():
        plan = sqlite_plan_at_district_scale(  # 15,356 orders in 20 communities
            "repair_team_order", requests_query(SimpleNamespace(id=3), SimpleNamespace(id=206)).limit(20),
            rows=15_356, per_value={"community_id": 768})
    if plan is None:
        pytest.skip("PostgreSQL plans with its own statistics")
    assert "ix_repair_team_order_requester_id" in plan and "ix_repair_team_order_created_by_id" in plan, plan
    assert "SCAN repair_team_order" not in plan
