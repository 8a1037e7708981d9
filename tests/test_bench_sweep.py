"""The page sweep of the benchmarks (bench/sweep.py): which pages it visits, what it measures, what it flags."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import sweep  # noqa: E402


def test_the_sweep_visits_the_community_pages_without_downloads(app):
    pages = sweep.community_pages(app)
    assert "/c/<community>/" in pages and "/c/<community>/hours/" in pages
    assert not [page for page in pages if page.endswith((".csv", ".xlsx", ".svg"))]
    assert not [page for page in pages if page.count("<") > 1]  # only pages that need nothing but the community


def test_a_page_is_measured_as_its_member_sees_it(app, client, auth, community):
    auth.login("maple.coord")
    cookie = client.get_cookie("session")
    row = sweep.measure(app, f"session={cookie.value}", "/c/maple/", repeat=2)
    assert row["status"] == 200
    assert row["statements"] > 0 and row["sql_ms"] >= 0 and row["cpu_ms"] > 0
    assert 0 < row["gzip_kb"] < row["html_kb"]


def _row(role="volunteer", page="/c/<community>/", **numbers):
    return dict(dict(role=role, page=page, status=200, cpu_ms=20.0, statements=10, sql_ms=1.0, html_kb=20.0,
                     gzip_kb=4.0), **numbers)


@pytest.mark.parametrize(("large", "small", "problems"), [
    (_row(), _row(), []),
    (_row(cpu_ms=18.0), _row(cpu_ms=10.0), []),  # 1.8 times, but 8 ms more: noise on a shared machine
    (_row(cpu_ms=25.0), _row(cpu_ms=10.0), ["grows 2.5× from 10k to 1M"]),
    (_row(cpu_ms=400.0, gzip_kb=90.0), _row(cpu_ms=20.0), ["90.0 KB gzip > 40", "400.0 ms CPU > 100",
                                                          "grows 20.0× from 10k to 1M"]),
    (_row(statements=1349), _row(statements=120), ["1349 statements (10k: 120)"]),
    (_row(status=500), _row(), ["status 500"]),
], ids=["same", "small-difference", "growth", "heavy", "query-per-row", "error"])
def test_pages_over_budget_or_growing_are_flagged(large, small, problems):
    [flagged] = sweep.flag([large], [small])
    assert flagged["problems"] == problems


def test_pages_with_an_id_are_visited_with_one_of_the_community(app, community):
    pages = dict(sweep.pages_with_ids(app))
    assert pages["/c/<community>/p/repair-team/orders/<int:order_id>"] == ("repair_team", "order_id")
    assert pages["/c/<community>/hours/certificates/<number>"] == ("ledger", "number")
    assert not [rule for rule in pages if "static" in rule or rule.endswith(".svg")]
    assert sweep.address("/c/<community>/p/qr-checkin/shifts/<int:shift_id>", "maple", ("qr_checkin", "shift_id"),
                         42) == "/c/maple/p/qr-checkin/shifts/42"
    assert sweep.address("/c/<community>/hours/certificates/<number>", "maple", ("ledger", "number"),
                         "ZY2026-1") == "/c/maple/hours/certificates/ZY2026-1"
    with app.app_context():  # every query runs on this database (SQLite or PostgreSQL); nothing there yet
        from timebank.communities.models import Community
        from timebank.extensions import db

        maple = db.session.scalar(db.select(Community).where(Community.slug == "maple"))
        values = sweep.address_values({"community_id": maple.id, "volunteer_id": community["volunteer"]})
    assert values[("communities", "user_id")] == community["volunteer"]
    assert values[("admin", "membership_id")] is not None
    assert values[("repair_team", "order_id")] is None and values[("qr_checkin", "shift_id")] is None
