"""The morning-rush driver of the benchmarks (bench/rush.py): arrivals in the window, the phone's two steps, the
latencies and the errors it reports."""

import sys
from pathlib import Path

import pytest

from timebank.testing import StubHandler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import rush  # noqa: E402

pytestmark = pytest.mark.database_independent


class Gate(StubHandler):
    """Answers the confirmation page and the check-in; a check-in without the volunteer's token fails."""

    seen = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.seen.append(("GET", self.path, self.headers["Cookie"]))
        self.answer(200)

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.seen.append(("POST", self.path, self.headers["Cookie"]))
        self.answer(200 if body.startswith("csrf_token=") else 400)



@pytest.fixture
def gate(serve_http):
    Gate.seen = []
    return serve_http(Gate)


def volunteers(count, body="csrf_token=t"):
    return [dict(path=f"/p/qr-checkin/scan/post{i % 2}", cookie=f"session=v{i}", body=body) for i in range(count)]


def test_each_volunteer_opens_the_page_then_checks_in(gate, monkeypatch):
    monkeypatch.setattr(rush, "TAP_DELAY", (0.01, 0.02))
    result = rush.Rush("127.0.0.1", gate, volunteers(12), window=0.5, seed=1).run()
    assert result["errors"] == 0 and result["volunteers"] == 12 and result["late_arrivals"] == 0
    assert result["open"]["count"] == result["check_in"]["count"] == 12
    assert 0 < result["check_in"]["p50_ms"] <= result["check_in"]["p99_ms"] <= result["check_in"]["max_ms"]
    for i in range(12):  # the same phone (cookie) opens the page, then posts to the same address
        steps = [(method, path) for method, path, cookie in Gate.seen if cookie == f"session=v{i}"]
        assert steps == [("GET", f"/p/qr-checkin/scan/post{i % 2}"), ("POST", f"/p/qr-checkin/scan/post{i % 2}")]


def test_failed_check_ins_are_counted_as_errors(gate, monkeypatch):
    monkeypatch.setattr(rush, "TAP_DELAY", (0.0, 0.01))
    result = rush.Rush("127.0.0.1", gate, volunteers(4, body="x=1"), window=0.2, seed=1).run()
    assert result["errors"] == 4 and result["error_samples"] == ["check_in: HTTP 400"]


def test_arrivals_fall_in_the_window_and_repeat_with_the_seed():
    first = rush.Rush("127.0.0.1", 1, volunteers(200), window=30, seed=7)
    again = rush.Rush("127.0.0.1", 1, volunteers(200), window=30, seed=7)
    assert first.arrivals == again.arrivals == sorted(first.arrivals)
    assert first.arrivals[0] >= 0 and first.arrivals[-1] <= 30
    assert 10 < sum(1 for moment in first.arrivals if moment < 3) < 35  # about a tenth of them in a tenth of it


@pytest.mark.parametrize(("values", "share", "expected"), [
    ([5.0], 0.99, 5.0), (list(range(1, 101)), 0.5, 50), (list(range(1, 101)), 0.99, 99), ([], 0.5, None)])
def test_percentile_is_the_nearest_rank(values, share, expected):
    assert rush.percentile(values, share) == expected
