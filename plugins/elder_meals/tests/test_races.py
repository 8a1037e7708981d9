"""Races over real HTTP (threads, separate database connections): a double tap on the last stop credits the round
once; two people ordering the same elder's lunch, or the last portions, at the same instant."""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import time

import pytest
from sqlalchemy import func, select
from timebank_plugins.elder_meals import rounds
from timebank_plugins.elder_meals.models import Order, Round

from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank.testing import TEST_PASSWORD, LiveServer

from .conftest import TUESDAY, at, order

BASE = "/c/maple/p/elder-meals"


@pytest.fixture
def live(app):
    with LiveServer(app) as server:
        yield server.url


class Phone:
    """One person's browser session (cookies kept)."""

    def __init__(self, base, username):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.post("/login", {"username": username, "password": TEST_PASSWORD})
        self.post("/account/language", {"locale": "en"})

    def post(self, path, data):
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_a_double_tap_on_the_last_stop_credits_the_round_once(app, ctx, meals, clock, live):
    order_id = order(ctx, "son", TUESDAY)
    ctx(lambda c, users, elder: rounds.plan_rounds(c, users["cook"], TUESDAY, "lunch", time(11)))
    round_id = ctx(lambda c, users, elder: db.session.scalar(select(Round.id)))
    ctx(lambda c, users, elder: rounds.sign_up(c, users["vol"], db.session.get(Round, round_id)))
    at(clock, TUESDAY, 11)
    ctx(lambda c, users, elder: rounds.start_round(c, users["vol"], db.session.get(Round, round_id)))
    at(clock, TUESDAY, 11, 40)
    first, second = Phone(live, "vol"), Phone(live, "vol")
    path = f"{BASE}/rounds/{round_id}/stops/{order_id}"
    results = race(lambda: first.post(path, {"value": "delivered"}), lambda: second.post(path, {"value": "delivered"}))
    assert all(status in (200, 409) for status, _page in results)
    with app.app_context():
        assert db.session.scalar(select(func.count(ServiceRecord.id))) == 1
        assert db.session.get(Round, round_id).status == "finished"


def test_two_people_ordering_the_same_lunch_at_once_make_one_order(app, meals, clock, live):
    menu, dish = meals["menus"][TUESDAY], meals["dishes"][TUESDAY][0]
    data = {f"m{menu}-dish_id": dish, f"m{menu}-mode": "delivery", f"m{menu}-portions": "1"}
    son, elder = Phone(live, "son"), Phone(live, "elder")
    path = f"{BASE}/elders/{meals['elder_id']}/menus/{menu}/order"
    race(lambda: son.post(path, data), lambda: elder.post(path, data))
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 1


def test_the_last_portions_go_to_one_of_two_at_once(app, meals, clock, live):
    menu, dish = meals["menus"][TUESDAY], meals["dishes"][TUESDAY][0]  # capacity 3
    data = {f"m{menu}-dish_id": dish, f"m{menu}-mode": "pickup", f"m{menu}-portions": "2"}
    son, coordinator = Phone(live, "son"), Phone(live, "coord")
    race(lambda: son.post(f"{BASE}/elders/{meals['elder_id']}/menus/{menu}/order", data),
         lambda: coordinator.post(f"{BASE}/elders/{meals['elder2_id']}/menus/{menu}/order", data))
    with app.app_context():
        assert db.session.scalar(select(func.sum(Order.portions))) == 2
