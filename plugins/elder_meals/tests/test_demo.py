"""The demo data: every demo account sees the meal service working at once (the ledger's year of history is
replaced by a dozen neighbours: it takes many seconds and is not what is tested here)."""

from datetime import date

import pytest
from sqlalchemy import func, select
from timebank_plugins.elder_meals.models import Alert, Elder, Order, Round

from timebank.clock import now, set_clock
from timebank.extensions import db
from timebank.ledger.models import ServiceRecord

from .conftest import MONDAY_9AM


def _neighbours(community, users):
    from timebank.communities.models import Membership
    from timebank.identity.models import User

    for index in range(12):
        person = User(username=f"neighbour{index + 1:02d}", display_name=f"邻居{index + 1}", locale="zh_CN",
                      created_at=now())
        db.session.add(person)
        db.session.flush()
        db.session.add(Membership(user_id=person.id, community_id=community.id, role="volunteer", status="active",
                                  volunteer_number=f"V{index + 10:05d}", created_at=now(), decided_at=now()))
    db.session.commit()


@pytest.fixture
def app_config():
    """Only this plugin: the other plugins' demo data is theirs to test."""
    return {"PLUGINS": ["elder_meals"]}


@pytest.fixture
def demo(app, runner, monkeypatch):
    import timebank.ledger.demo

    set_clock(app, lambda: MONDAY_9AM)
    app.config["DEMO_MODE"] = True

    def load(with_neighbours=True):
        monkeypatch.setattr(timebank.ledger.demo, "load_demo_ledger",
                            _neighbours if with_neighbours else lambda community, users: None)
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output

    return load


def page(client, username, path):
    client.post("/logout")
    client.post("/login", data={"username": username, "password": "demo-password"})
    client.post("/account/language", data={"locale": "en"})
    return client.get(path).get_data(as_text=True)


def test_every_demo_account_sees_the_meal_service_working(app, client, demo):
    demo()
    with app.app_context():
        assert db.session.scalar(select(func.count(Elder.id)).where(Elder.status == "active")) == 5
        assert db.session.scalar(select(func.count(Elder.id)).where(Elder.status == "pending")) == 1
        statuses = dict(db.session.execute(select(ServiceRecord.status, func.count(ServiceRecord.id)).where(
            ServiceRecord.category == "elder_meals.delivery").group_by(ServiceRecord.status)).all())
        assert statuses.get("confirmed") and statuses.get("pending")
        assert db.session.scalar(select(func.count(Alert.id)).where(Alert.resolved_at.is_(None))) == 1
        today_rounds = db.session.scalars(select(Round).where(Round.meal_date == date(2026, 11, 23))).all()
        assert sorted(item.volunteer.username if item.volunteer else "" for item in today_rounds) == ["",
                                                                                                      "volunteer"]
        assert db.session.scalar(select(func.max(Order.meal_date))).isoformat() == "2026-11-25"

    home = page(client, "elder", "/c/xingfuli/")
    assert "My meals" in home and "Order meals" in home and 'class="elder' in home
    assert "Meals for my family" in page(client, "resident", "/c/xingfuli/")
    tasks = page(client, "volunteer", "/c/xingfuli/tasks")
    assert "Meal delivery today" in tasks and "Meal delivery rounds need a volunteer" in tasks
    home = page(client, "coordinator", "/c/xingfuli/")
    assert "Did not answer the door" in home and "吴秀英" in home
    assert "Meal service applications" in page(client, "coordinator", "/c/xingfuli/tasks")
    roster = page(client, "coordinator", "/c/xingfuli/p/elder-meals/roster")
    assert "Portions to cook" in roster and "糖尿病" in roster
    assert "Canteen" in page(client, "admin", "/c/xingfuli/p/elder-meals/")
    assert "低糖套餐" in page(client, "resident", "/c/xingfuli/p/elder-meals/menu")


def test_the_demo_also_loads_without_the_ledgers_neighbours(app, demo):
    demo(with_neighbours=False)
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) > 30
