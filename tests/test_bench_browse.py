"""The browsing driver of the benchmarks (bench/browse.py): each person's pages in order, the session cookie each
answer sets carried to the next page as a browser does, the latencies per page and the errors."""

import sys
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from timebank.testing import StubHandler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import browse  # noqa: E402

pytestmark = pytest.mark.database_independent


class Site(StubHandler):
    """Every page answers 200 and sets a new session cookie counting the person's pages; /missing answers 404."""

    seen = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        cookie = self.headers["Cookie"]
        self.seen.append((self.path, cookie))
        person, _, count = cookie.partition("=")[2].partition(".")
        self.answer(404 if self.path == "/missing" else 200, [
            ("Set-Cookie", "theme=dark; Path=/"),
            ("Set-Cookie", f"session={person}.{int(count or 0) + 1}; Expires=Wed, 01 Jan 2031 00:00:00 GMT; "
                           "HttpOnly; Path=/")])


@pytest.fixture
def site(monkeypatch, serve_http):
    monkeypatch.setattr(browse, "THINK", (0.01, 0.02))
    Site.seen = []
    return serve_http(Site)


def test_each_person_opens_the_pages_in_order_with_the_cookie_the_last_answer_set(site):
    people = [dict(cookie=f"session=p{n}", pages=["/c/x/", "/c/x/hours/", "/c/x/tasks"]) for n in range(5)]
    result = browse.Browse("127.0.0.1", site, people, window=0.3, seed=1).run()
    assert result["errors"] == 0 and result["late_arrivals"] == 0 and result["people"] == 5
    assert result["pages"]["count"] == 15
    assert set(result["per_page"]) == {"/c/x/", "/c/x/hours/", "/c/x/tasks"}
    assert all(numbers["count"] == 5 for numbers in result["per_page"].values())
    for n in range(5):
        visit = [(path, cookie) for path, cookie in Site.seen if cookie.startswith(f"session=p{n}")]
        assert visit == [("/c/x/", f"session=p{n}"), ("/c/x/hours/", f"session=p{n}.1"),
                         ("/c/x/tasks", f"session=p{n}.2")]


def test_an_answer_other_than_200_is_an_error_and_the_visit_goes_on(site):
    result = browse.Browse("127.0.0.1", site, [dict(cookie="session=a", pages=["/missing", "/c/x/"])],
                           window=0.1, seed=1).run()
    assert result["errors"] == 1 and result["error_samples"] == ["/missing: HTTP 404"]
    assert result["pages"]["count"] == 2


def test_a_closed_port_is_reported_not_raised():
    closed = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    port = closed.server_address[1]
    closed.server_close()
    result = browse.Browse("127.0.0.1", port, [dict(cookie="session=a", pages=["/c/x/"])], window=0.05,
                           seed=1).run()
    assert result["errors"] == 1 and "ConnectionRefusedError" in result["error_samples"][0]


def test_the_session_cookie_is_the_one_the_answer_set_and_others_are_ignored():
    assert browse.session_cookie("session=a", ["theme=dark; Path=/", "session=b; HttpOnly"]) == "session=b"
    assert browse.session_cookie("session=a", None) == "session=a"
    assert browse.session_cookie("session=a", ["sessionid=x"]) == "session=a"
