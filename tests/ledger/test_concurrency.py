"""Races over real HTTP: the app serves requests in threads (separate database connections) and two clients
fire at the same moment. Exactly one wins; the other gets a clear answer; nothing is counted twice.

Runs on SQLite and, with TIMEBANK_TEST_DATABASE_URL, on PostgreSQL.
"""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from timebank.extensions import db
from timebank.identity.models import User
from timebank.ledger.accounts import member_balances
from timebank.ledger.models import LedgerTransaction, ServiceRecord
from timebank.testing import TEST_PASSWORD, LiveServer


@pytest.fixture
def live(app):
    with LiveServer(app) as server:
        yield server.url


class Browser:
    """A cookie-keeping HTTP client (one person on one phone)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def post(self, path, data):
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, username):
        status, _page = self.post("/login", {"username": username, "password": TEST_PASSWORD})
        assert status == 200  # followed the redirect to the home page
        self.post("/account/language", {"locale": "en"})
        return self


def race(*calls):
    """Run the calls at the same instant in threads; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_coordinators_confirm_the_same_entry(seed, live, app, make):
    make.member("maple", "coord2", role="coordinator")
    record = seed.record(minutes=120)
    first, second = Browser(live).login("maple.coord"), Browser(live).login("coord2")
    data = {"action": "confirm", "record": [record]}
    results = race(lambda: first.post("/c/maple/ledger/queue/decide", data),
                   lambda: second.post("/c/maple/ledger/queue/decide", data))
    pages = [page for _status, page in results]
    assert sum("1 entry confirmed" in page for page in pages) == 1
    loser = next(page for page in pages if "1 entry confirmed" not in page)
    assert "already been decided" in loser or "try again" in loser
    assert all(status in (200, 409) for status, _page in results)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LedgerTransaction).where(
            LedgerTransaction.kind == "service_confirmed")) == 1
        assert member_balances(1, seed.ids["volunteer"])["service"] == 120


def test_two_coordinators_bulk_confirm_the_same_entries(seed, live, app, make):
    """Two queues submitted at once with the same entries of several volunteers (their first confirmations, so
    their accounts are created by the racing batches): each entry is confirmed once, each balance counts it once."""
    from timebank.ledger.verify import verify_ledger

    make.member("maple", "coord2", role="coordinator")
    people = ["maple.vol"] + [f"racer{n}" for n in range(3)]
    for username in people[1:]:
        make.member("maple", username, role="volunteer")
    entries = [seed.record(username, hours_ago=hours_ago, minutes=60) for username in people for hours_ago in (30, 54)]
    first, second = Browser(live).login("maple.coord"), Browser(live).login("coord2")
    data = {"action": "confirm", "record": entries}
    results = race(lambda: first.post("/c/maple/ledger/queue/decide", data),
                   lambda: second.post("/c/maple/ledger/queue/decide", data))
    assert all(status in (200, 409) for status, _page in results)
    assert sum("8 entries confirmed" in page for _status, page in results) >= 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRecord).where(
            ServiceRecord.id.in_(entries), ServiceRecord.status == "confirmed")) == 8
        assert db.session.scalar(select(func.count()).select_from(LedgerTransaction).where(
            LedgerTransaction.kind == "service_confirmed")) == 8
        users = {user.username: user.id for user in db.session.scalars(select(User))}
        assert [member_balances(1, users[username])["service"] for username in people] == [120] * 4
        assert verify_ledger() == []


def test_a_double_submitted_claim_is_recorded_once(seed, live, app):
    phone = Browser(live).login("maple.vol")
    data = {"activity_name": "夜间巡逻", "category": "ledger.safety", "service_date": "2026-11-19",
            "start_time": "19:00", "end_time": "21:00", "evidence_note": "队长在场"}
    results = race(lambda: phone.post("/c/maple/hours/claim", data), lambda: phone.post("/c/maple/hours/claim", data))
    assert all(status in (200, 409) for status, _page in results)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 1


def test_two_gifts_racing_against_one_balance(seed, live, app, make):
    make.member("maple", "mum", role="volunteer")
    make.member("maple", "dad", role="volunteer")
    seed.record(confirm=True, minutes=60)  # one credit

    def setup(community, users):
        from timebank.ledger.credits import name_relative

        for name in ("mum", "dad"):
            named = name_relative(community, users["maple.vol"], users[name], "parent", users["maple.vol"])
            from timebank.ledger.credits import decide_relative

            decide_relative(community, named, users["maple.coord"], True)
        return users["mum"].id, users["dad"].id

    mum, dad = seed.call(setup)
    first, second = Browser(live).login("maple.vol"), Browser(live).login("maple.vol")
    results = race(
        lambda: first.post("/c/maple/hours/credits", {"action": "gift", "receiver": mum, "amount": "1"}),
        lambda: second.post("/c/maple/hours/credits", {"action": "gift", "receiver": dad, "amount": "1"}))
    assert sum("The credits were given" in page for _status, page in results) == 1
    assert all(status in (200, 409) for status, _page in results)
    with app.app_context():
        given = [member_balances(1, person)["credits"] for person in (mum, dad)]
        assert sorted(given) == [0, 60]
        assert member_balances(1, seed.ids["volunteer"])["credits"] == 0
