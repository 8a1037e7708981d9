"""The breakdown of a page's cost in the benchmarks (bench/anatomy.py): its probe pages and its measurements."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import anatomy  # noqa: E402
import harness  # noqa: E402


def test_the_probe_pages_are_a_community_page_without_and_with_the_layout(app, client, auth, community):
    from timebank.testing import statements_during

    anatomy.add_probe_pages(app)  # before the app's first request
    auth.login("maple.vol")
    client.get("/c/maple/")  # the badges the layout shows are kept, as on a visit
    floor_statements = statements_during(lambda: client.get("/c/maple/bench-anatomy/floor"), app)
    floor = client.get("/c/maple/bench-anatomy/floor")
    assert floor.status_code == 200 and floor.text == "<p>陈志强</p>"
    layout = client.get("/c/maple/bench-anatomy/layout")
    assert layout.status_code == 200 and 'class="tab-bar"' in layout.text and "<main" in layout.text
    assert len(floor_statements) == 1  # the community with the person and their membership
    assert client.get("/c/oak/bench-anatomy/floor").status_code == 404  # still a community page, with its guard


def test_each_variant_gets_the_median_of_its_rounds_and_its_statements_per_request():
    counted = [0]
    costs = iter([1, 2, 3, 4, 5] * 100)

    def request(statements):
        def answer():
            counted[0] += statements
            sum(range(next(costs) * 1000))  # some work
            return SimpleNamespace(status_code=200)
        return answer

    measured = anatomy.measure({"one": request(1), "three": request(3)}, rounds=3, per_round=10, counted=counted)
    assert set(measured) == {"one", "three"}
    for name, statements in (("one", 1.0), ("three", 3.0)):
        cpu, wall, per_request = measured[name]
        assert cpu > 0 and wall > 0 and per_request == statements


def test_a_variant_that_fails_stops_the_measurement():
    with pytest.raises(harness.Failed):
        anatomy.measure({"broken": lambda: SimpleNamespace(status_code=500)}, rounds=1, per_round=1, counted=[0])
