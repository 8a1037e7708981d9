"""Delivery rounds: planning by grid/building, sign-up, the stops, "no answer" alerts, and the round's time in the
ledger: exact, pending, credited exactly once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from timebank_plugins.elder_meals import alerts, orders, rounds
from timebank_plugins.elder_meals.models import Alert, Order, Round

from timebank.errors import PermissionDenied, ValidationFailed
from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank.notifications.models import Notification

from .conftest import TUESDAY, at, order, shanghai


def plan(ctx, who="cook", day=TUESDAY):
    from datetime import time

    return ctx(lambda c, users, elder: rounds.plan_rounds(c, users[who], day, "lunch", time(11, 0)))


def round_of(ctx, elder_key="elder"):
    """The id of the round holding the elder's Tuesday order."""
    def find(c, users, elder):
        from timebank_plugins.elder_meals.models import Elder

        target = elder if elder_key == "elder" else db.session.scalar(
            select(Elder).where(Elder.user_id == users[elder_key].id))
        return db.session.scalar(select(Order.round_id).where(Order.elder_id == target.id,
                                                              Order.meal_date == TUESDAY))

    return ctx(find)


def act(ctx, function_name, username, round_id, *args):
    def run(c, users, elder):
        return getattr(rounds, function_name)(c, users[username], db.session.get(Round, round_id), *args)

    return ctx(run)


def mark(ctx, username, round_id, order_id, outcome):
    return ctx(lambda c, users, elder: rounds.mark_stop(c, users[username], db.session.get(Round, round_id),
                                                        db.session.get(Order, order_id), outcome).id)


def records(app):
    with app.app_context():
        return db.session.scalars(select(ServiceRecord)).all()


@pytest.fixture
def deliveries(ctx, meals, clock):
    """Tuesday deliveries for both elders, planned into rounds."""
    ids = {"order": order(ctx, "son", TUESDAY), "order2": order(ctx, "coord", TUESDAY, elder="elder2")}
    ids["planned"] = plan(ctx)
    ids["round"], ids["round2"] = round_of(ctx), round_of(ctx, "elder2")
    return ids


def test_rounds_are_grouped_by_grid_then_building(app, deliveries):
    assert deliveries["planned"] == (2, 2)
    with app.app_context():
        names = {item.id: item.name for item in db.session.scalars(select(Round))}
    assert names == {deliveries["round"]: "第一网格", deliveries["round2"]: "2号楼"}


def test_planning_again_adds_only_new_deliveries(app, ctx, deliveries):
    with pytest.raises(ValidationFailed, match="No delivery order"):
        plan(ctx)


def test_only_volunteers_sign_up_and_only_one_takes_a_round(app, ctx, deliveries):
    with pytest.raises(PermissionDenied):
        act(ctx, "sign_up", "neighbour", deliveries["round"])
    act(ctx, "sign_up", "vol", deliveries["round"])
    with pytest.raises(ValidationFailed, match="Someone else"):
        act(ctx, "sign_up", "vol2", deliveries["round"])
    with app.app_context():
        assert db.session.get(Round, deliveries["round"]).volunteer.username == "vol"


def test_a_volunteers_rounds_and_the_rounds_needing_one_are_read_together(app, ctx, deliveries):
    act(ctx, "sign_up", "vol", deliveries["round"])

    def read(username, first=TUESDAY, last=TUESDAY):
        def run(c, users, elder):
            mine, needing = rounds.volunteer_rounds(c, users[username], first, last)
            assert [r.id for r in mine] == [r.id for r in rounds.my_rounds(c, users[username], first, last)]
            assert [r.id for r in needing] == [r.id for r in rounds.rounds_needing_volunteers(c, first, last)]
            return [r.id for r in mine], [r.id for r in needing]

        return ctx(run)

    assert read("vol") == ([deliveries["round"]], [deliveries["round2"]])
    assert read("vol2") == ([], [deliveries["round2"]])  # another's round is neither
    assert read("vol", TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=2)) == ([], [])  # other days


def test_start_only_on_the_day_and_only_by_the_volunteer(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol", deliveries["round"])
    with pytest.raises(ValidationFailed, match="own day"):
        act(ctx, "start_round", "vol", deliveries["round"])
    at(clock, TUESDAY, 11)
    with pytest.raises(PermissionDenied):
        act(ctx, "start_round", "vol2", deliveries["round"])
    with pytest.raises(ValidationFailed, match="Start the round first"):
        mark(ctx, "vol", deliveries["round"], deliveries["order"], "delivered")


def test_the_round_is_credited_once_as_a_pending_record_of_its_time(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol", deliveries["round"])
    at(clock, TUESDAY, 11, 0)
    act(ctx, "start_round", "vol", deliveries["round"])
    at(clock, TUESDAY, 11, 25)
    mark(ctx, "vol", deliveries["round"], deliveries["order"], "delivered")
    [record] = records(app)
    assert (record.status, record.category, record.source) == ("pending", "elder_meals.delivery",
                                                               f"elder_meals:round-{deliveries['round']}")
    assert (record.started_at, record.ended_at) == (shanghai(TUESDAY, 11), shanghai(TUESDAY, 11, 25))
    assert record.minutes == 30  # 25 minutes, rounded to the half hour by the community's hours policy
    assert record.activity_name == "助餐送餐：第一网格（午餐）"
    # A second tap on the last stop, a retry, and the ledger itself: never a second record.
    with pytest.raises(ValidationFailed, match="finished"):
        mark(ctx, "vol", deliveries["round"], deliveries["order"], "delivered")
    with pytest.raises(ValidationFailed, match="already recorded"):
        act(ctx, "retry_hours", "cook", deliveries["round"])

    def record_again(c, users, elder):
        item = db.session.get(Round, deliveries["round"])
        item.record_id = None
        rounds._record_hours(c, item, users["vol"])
        return item.no_hours_reason

    assert "overlaps" in ctx(record_again)

    def same_source_other_time(c, users, elder):
        from timebank.ledger.accounts import LedgerRejected
        from timebank.ledger.records import record_service

        with pytest.raises(LedgerRejected, match="already been recorded"):
            record_service(c, users["vol"], category="elder_meals.delivery", activity_name="x",
                           started_at=shanghai(TUESDAY, 9), ended_at=shanghai(TUESDAY, 9, 30),
                           source=f"elder_meals:round-{deliveries['round']}")

    ctx(same_source_other_time)
    assert len(records(app)) == 1
    with app.app_context():
        assert db.session.get(Order, deliveries["order"]).status == "served"


def test_a_long_round_is_capped_by_the_policy(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol", deliveries["round"])
    at(clock, TUESDAY, 10, 0)
    act(ctx, "start_round", "vol", deliveries["round"])
    at(clock, TUESDAY, 15, 0)
    mark(ctx, "vol", deliveries["round"], deliveries["order"], "delivered")
    [record] = records(app)
    assert record.minutes == 120


def test_a_round_without_duration_gets_no_hours_and_says_why(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol", deliveries["round"])
    at(clock, TUESDAY, 11, 0)
    act(ctx, "start_round", "vol", deliveries["round"])
    mark(ctx, "vol", deliveries["round"], deliveries["order"], "delivered")  # no time passed at all
    assert records(app) == []
    with app.app_context():
        assert db.session.get(Round, deliveries["round"]).no_hours_reason  # the ledger's reason, kept to show
    with pytest.raises(PermissionDenied):
        act(ctx, "retry_hours", "vol", deliveries["round"])  # the canteen or a coordinator retries
    act(ctx, "retry_hours", "coord", deliveries["round"])
    assert records(app) == []


def test_no_answer_alerts_the_coordinator_and_the_family_at_once(app, ctx, deliveries, clock, client, login):
    act(ctx, "sign_up", "vol", deliveries["round"])
    at(clock, TUESDAY, 11, 0)
    act(ctx, "start_round", "vol", deliveries["round"])
    at(clock, TUESDAY, 11, 20)
    mark(ctx, "vol", deliveries["round"], deliveries["order"], "no_answer")
    with app.app_context():
        told = {n.recipient_id for n in db.session.scalars(select(Notification).where(
            Notification.kind == "elder_meals.no_answer"))}
        assert db.session.get(Order, deliveries["order"]).status == "no_answer"
        assert db.session.scalar(select(func.count(Alert.id)).where(Alert.resolved_at.is_(None))) == 1
    assert told == {meals_id(app, "son"), meals_id(app, "coord")}

    def followed(c, users, elder):
        from timebank_plugins.elder_meals.services import meal_roles_of

        return {name: (meal_roles_of(users[name], c).open_alerts, alerts.open_alert_count(users[name], c))
                for name in ("son", "coord", "vol", "neighbour")}

    # the home page counts them with the person's meal roles (one statement): the same numbers
    assert ctx(followed) == {"son": (1, 1), "coord": (1, 1), "vol": (0, 0), "neighbour": (0, 0)}
    for username in ("son", "coord"):
        login(username)
        home = client.get("/c/maple/").get_data(as_text=True)
        assert "Did not answer the door" in home and "赵大爷" in home
    login("vol")
    assert "Did not answer the door" not in client.get("/c/maple/").get_data(as_text=True)
    login("neighbour")
    assert "Did not answer the door" not in client.get("/c/maple/").get_data(as_text=True)
    assert len(records(app)) == 1  # the round still counts: the volunteer went there


def test_the_family_resolves_an_alert_and_the_coordinator_hears_of_it(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol", deliveries["round"])
    at(clock, TUESDAY, 11, 0)
    act(ctx, "start_round", "vol", deliveries["round"])
    mark(ctx, "vol", deliveries["round"], deliveries["order"], "no_answer")

    def resolve(username, resolution, note=""):
        def run(c, users, elder):
            alert = db.session.scalar(select(Alert))
            return alerts.resolve_alert(c, users[username], alert, resolution, note).id

        return ctx(run)

    with pytest.raises(PermissionDenied):
        resolve("neighbour", "safe")
    with pytest.raises(ValidationFailed, match="what happened"):
        resolve("son", "other")
    resolve("son", "delivered_later")
    with app.app_context():
        assert db.session.get(Order, deliveries["order"]).status == "served"
        kinds = [(n.recipient_id, n.kind) for n in db.session.scalars(select(Notification).where(
            Notification.kind == "elder_meals.alert_resolved"))]
    assert kinds == [(meals_id(app, "coord"), "elder_meals.alert_resolved")]
    with pytest.raises(ValidationFailed, match="already checked"):
        resolve("coord", "safe")


def test_cancelling_the_only_stop_cancels_the_round_and_tells_its_volunteer(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol2", deliveries["round2"])
    ctx(lambda c, users, elder: orders.cancel_order(c, users["coord"], db.session.get(Order, deliveries["order2"])))
    with app.app_context():
        assert db.session.get(Round, deliveries["round2"]).status == "cancelled"
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "elder_meals.round_cancelled")) == 1


def test_a_started_round_freezes_its_orders(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol", deliveries["round"])
    at(clock, TUESDAY, 11, 0)
    act(ctx, "start_round", "vol", deliveries["round"])
    with pytest.raises(ValidationFailed, match="has started"):
        ctx(lambda c, users, elder: orders.cancel_order(c, users["cook"], db.session.get(Order, deliveries["order"])))


def test_giving_a_round_back_tells_the_coordinators(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol", deliveries["round"])
    act(ctx, "give_back", "vol", deliveries["round"])
    with app.app_context():
        assert db.session.get(Round, deliveries["round"]).volunteer_id is None
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "elder_meals.round_free")) == 1


def test_the_coordinator_confirms_the_round_and_the_hours_count(app, ctx, deliveries, clock):
    act(ctx, "sign_up", "vol", deliveries["round"])
    at(clock, TUESDAY, 11, 0)
    act(ctx, "start_round", "vol", deliveries["round"])
    at(clock, TUESDAY, 12, 0)
    mark(ctx, "vol", deliveries["round"], deliveries["order"], "delivered")

    def confirm(c, users, elder):
        from timebank.ledger.accounts import member_balances
        from timebank.ledger.records import confirm as confirm_record

        record = db.session.scalar(select(ServiceRecord))
        confirm_record(record, c, users["coord"])
        return member_balances(c.id, users["vol"].id)

    assert ctx(confirm)["service"] == 60


def meals_id(app, username):
    from timebank.identity.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))
