"""The canteen: menus (write, publish, copy a week), the roster, counter marks and payments, the food-sample log,
monthly statements (on screen and XLSX) and the policy page."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from timebank_plugins.elder_meals import kitchen, menus, orders, statements
from timebank_plugins.elder_meals.models import Menu, Order, Sample

from timebank.audit.models import AuditEvent
from timebank.errors import ValidationFailed
from timebank.extensions import db

from .conftest import THURSDAY, TUESDAY, WEDNESDAY, at, order

BASE = "/c/maple/p/elder-meals"
FRIDAY = THURSDAY + timedelta(days=1)


def dish_form(**rows):
    data = {"capacity": "40", "note": ""}
    for index, (name, description, price) in rows.items():
        data.update({f"dishes-{index}-name": name, f"dishes-{index}-description": description,
                     f"dishes-{index}-price": price})
    return data


def test_the_canteen_writes_a_menu_and_bad_prices_are_refused_beside_the_field(app, client, meals, login):
    login("cook")
    page = client.post(f"{BASE}/menus/{FRIDAY.isoformat()}/lunch",
                       data=dish_form(**{"0": ("红烧鱼套餐", "红烧鱼、青菜", "abc")})).get_data(as_text=True)
    assert 'id="dishes-0-price-error"' in page and "Enter an amount in yuan" in page
    page = client.post(f"{BASE}/menus/{FRIDAY.isoformat()}/lunch",
                       data=dish_form(**{"0": ("", "", "")})).get_data(as_text=True)
    assert "Put at least one meal on the menu." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Menu.id)).where(Menu.meal_date == FRIDAY)) == 0
    data = dish_form(**{"0": ("红烧鱼套餐", "红烧鱼、青菜", "12.5"), "1": ("素食套餐", "豆腐、青菜", "9")})
    data["dishes-1-soft"] = "y"
    assert client.post(f"{BASE}/menus/{FRIDAY.isoformat()}/lunch", data=data).status_code == 302
    week = client.get(f"{BASE}/menu?week={FRIDAY.isoformat()}").get_data(as_text=True)
    assert "Draft" in week and "¥12.50" in week
    login("son")
    assert "红烧鱼套餐" not in client.get(f"{BASE}/menu?week={FRIDAY.isoformat()}").get_data(as_text=True)
    login("cook")
    client.post(BASE + "/menus/publish", data={"week": FRIDAY.isoformat()})
    login("son")
    assert "红烧鱼套餐" in client.get(f"{BASE}/menu?week={FRIDAY.isoformat()}").get_data(as_text=True)


def test_dinner_only_when_the_community_serves_it(app, ctx, meals):
    def write(c, users, elder):
        menus.save_menu(c, users["cook"], FRIDAY, "dinner", 10, [menus.DishInput("晚餐", "", "8")])

    with pytest.raises(ValidationFailed, match="does not serve"):
        ctx(write)
    ctx(lambda c, users, elder: __import__("timebank.settings", fromlist=["x"]).save_settings(
        "elder_meals", {"dinner_enabled": True}, c))
    ctx(write)


def test_a_dish_with_orders_stays_and_capacity_cannot_drop_below_the_orders(app, ctx, meals, clock):
    order(ctx, "son", TUESDAY, portions=2)

    def change(capacity, rows):
        return ctx(lambda c, users, elder: menus.save_menu(c, users["cook"], TUESDAY, "lunch", capacity, rows))

    with pytest.raises(ValidationFailed, match="2 meals are already ordered"):
        change(1, [menus.DishInput("套餐A", "", "13")])
    with pytest.raises(ValidationFailed, match="has orders"):
        change(5, [menus.DishInput(), menus.DishInput("软食套餐", "", "11")])
    change(5, [menus.DishInput("套餐A（加量）", "", "14"), menus.DishInput()])
    with app.app_context():
        placed = db.session.scalar(select(Order))
        assert (placed.dish.name, placed.price_fen) == ("套餐A（加量）", 1300)  # the order keeps its price


def test_copying_last_week_makes_drafts(app, ctx, meals, clock):
    count = ctx(lambda c, users, elder: menus.copy_week(c, users["cook"], menus.monday_of(TUESDAY),
                                                        menus.monday_of(TUESDAY) + timedelta(days=7)))
    assert count == 3
    with app.app_context():
        copies = db.session.scalars(select(Menu).where(Menu.meal_date > FRIDAY)).all()
        assert [menu.published_at for menu in copies] == [None, None, None]
        assert [len(menu.dishes) for menu in copies] == [2, 2, 2]
    with pytest.raises(ValidationFailed, match="Nothing to copy"):
        ctx(lambda c, users, elder: menus.copy_week(c, users["cook"], menus.monday_of(TUESDAY),
                                                    menus.monday_of(TUESDAY) + timedelta(days=7)))


def test_counter_marks_and_payments(app, client, ctx, meals, clock, login):
    order_id = order(ctx, "son", TUESDAY, mode="dine_in")
    at(clock, TUESDAY, 11, 30)
    login("cook")
    roster = client.get(f"{BASE}/roster?day={TUESDAY.isoformat()}").get_data(as_text=True)
    assert "data-print" in roster and "At the counter" in roster
    client.post(f"{BASE}/orders/{order_id}/collected", data={"value": "served"})
    client.post(f"{BASE}/orders/{order_id}/paid", data={"value": "1"})
    with app.app_context():
        row = db.session.get(Order, order_id)
        assert (row.status, row.paid_fen) == ("served", 1200)  # ¥13 − ¥1 subsidy, no delivery fee
    login("vol")
    assert client.post(f"{BASE}/orders/{order_id}/paid", data={"value": "0"}).status_code == 403


def test_deliveries_are_not_marked_at_the_counter(app, ctx, meals, clock):
    order_id = order(ctx, "son", TUESDAY, mode="delivery")
    at(clock, TUESDAY, 12)
    with pytest.raises(ValidationFailed, match="volunteer"):
        ctx(lambda c, users, elder: orders.mark_collected(c, users["cook"], db.session.get(Order, order_id),
                                                          "served"))


def test_food_samples_are_kept_48_hours(app, client, ctx, meals, clock, login):
    at(clock, TUESDAY, 10, 30)
    dish_id = meals["dishes"][TUESDAY][0]
    login("cook")
    page = client.post(f"{BASE}/samples?day={TUESDAY.isoformat()}", data={"dish_id": dish_id, "grams": "80"})
    assert "Keep at least 125 g" in page.get_data(as_text=True)
    assert "Food samples to keep today" in client.get("/c/maple/tasks").get_data(as_text=True)
    client.post(f"{BASE}/samples?day={TUESDAY.isoformat()}", data={"dish_id": dish_id, "grams": "150",
                                                                   "note": "留样柜第2格"})
    with app.app_context():
        sample = db.session.scalar(select(Sample))
        assert sample.keep_until - sample.taken_at == timedelta(hours=48)
    at(clock, THURSDAY, 10, 29)
    with pytest.raises(ValidationFailed, match="Keep this sample until 11-26 10:30"):
        ctx(lambda c, users, elder: kitchen.discard_sample(c, users["cook"], db.session.get(Sample, sample.id)))
    at(clock, THURSDAY, 10, 30)
    assert "Food samples that may be discarded" in client.get("/c/maple/tasks").get_data(as_text=True)
    client.post(f"{BASE}/samples/{sample.id}/discard")
    with app.app_context():
        assert db.session.get(Sample, sample.id).discarded_at is not None
    with pytest.raises(ValidationFailed, match="already recorded"):
        ctx(lambda c, users, elder: kitchen.record_sample(c, users["cook"], dish_id, 130))


def test_statements_per_elder_and_per_community(app, client, ctx, meals, clock, login):
    order(ctx, "son", TUESDAY, mode="pickup")  # 74: ¥1
    order(ctx, "son", WEDNESDAY, mode="delivery", portions=2)  # 75 on Wednesday: ¥5, second portion in full
    order(ctx, "coord", TUESDAY, elder="elder2", mode="pickup", dish_index=1)  # 86: ¥8
    missed = order(ctx, "coord", WEDNESDAY, elder="elder2", mode="pickup")
    at(clock, WEDNESDAY, 13)
    ctx(lambda c, users, elder: orders.mark_collected(c, users["cook"], db.session.get(Order, missed), "missed"))

    def totals(c, users, elder):
        rows, elder_totals = statements.elder_statement(c, elder, 2026, 11)
        lines, per_elder, all_totals = statements.community_statement(c, 2026, 11)
        return elder_totals, [(line.code, line.subsidy_per_meal_fen, line.totals.meals) for line in lines], all_totals

    elder_totals, lines, all_totals = ctx(totals)
    assert (elder_totals.meals, elder_totals.subsidy_fen, elder_totals.due_fen) == (2, 600, 1300 - 100 + 2600 + 200
                                                                                   - 500)
    assert lines == [("age:85", 800, 1), ("age:75", 500, 1), ("age:60", 100, 1)]
    assert (all_totals.meals, all_totals.subsidy_fen) == (3, 1400)

    login("son")
    page = client.get(f"{BASE}/elders/{meals['elder_id']}/statement?month=2026-11").get_data(as_text=True)
    assert "¥6.00" in page and "¥35.00" in page
    with client.get(f"{BASE}/elders/{meals['elder_id']}/statement.xlsx?month=2026-11") as download:
        sheet = load_workbook(io.BytesIO(download.data)).active
    assert [cell.value for cell in sheet[1]][:3] == ["日期", "餐次", "菜品"]
    assert sheet.max_row == 4  # header, two meals, the total row
    login("neighbour")
    assert client.get(f"{BASE}/elders/{meals['elder_id']}/statement").status_code == 403
    login("coord")
    page = client.get(f"{BASE}/statements?month=2026-11").get_data(as_text=True)
    assert "¥14.00" in page and "85 years and over" not in page and "85–94 years" in page
    with client.get(f"{BASE}/statements.xlsx?month=2026-11") as download:
        workbook = load_workbook(io.BytesIO(download.data))
    claim = workbook.worksheets[0]
    assert claim.title == "补贴申领" and claim.cell(claim.max_row, 4).value == 14
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "elder_meals.statement_exported")) == 2


def test_the_policy_page_checks_tables_and_saves(app, client, meals, login):
    login("coord")
    page = client.get(BASE + "/policy").get_data(as_text=True)
    assert "75–84 years" in page and "¥5.00" in page
    form = {"cutoff_days_before": "1", "cutoff_time": "17:30", "age_subsidies": "60:2, 60:3",
            "status_subsidies": "subsistence:8", "delivery_fee": "2", "free_delivery_statuses": "",
            "max_portions": "2", "default_capacity": "60", "round_group": "grid", "round_max_minutes": "120",
            "sample_hours": "48", "canteen_name": "幸福食堂"}
    page = client.post(BASE + "/policy", data=form).get_data(as_text=True)
    assert 'id="age_subsidies-error"' in page
    form["age_subsidies"] = "60:2, 80:6"
    assert client.post(BASE + "/policy", data=form).status_code == 302
    page = client.get(BASE + "/policy").get_data(as_text=True)
    assert "80 years and over" in page and "¥6.00" in page and "17:30" in page


def test_the_community_statement_adds_up_like_a_plain_loop_over_the_orders(app, make, ctx, meals):
    """Many orders of every kind (portions, delivery, subsidies above the price, payments, every state, other
    months, another community): the statement's figures, summed by the database, equal a plain loop over the
    orders with ``Order.total_fen``/``due_fen``/``billable``."""
    import random
    from dataclasses import asdict
    from datetime import date

    from timebank_plugins.elder_meals.models import ORDER_STATES, SLOTS

    from timebank.clock import now
    from timebank.communities.models import Community

    make.community("oak", "橡树社区")
    rng = random.Random(20261123)
    tiers = [("age:60", 100), ("age:75", 500), ("age:85", 800), ("status:subsistence", 1200), ("none", 0)]
    with app.app_context():
        oak = db.session.scalar(select(Community.id).where(Community.slug == "oak"))
        menu_id = meals["menus"][TUESDAY]
        dish_id = meals["dishes"][TUESDAY][0]
        for elder_id in (meals["elder_id"], meals["elder2_id"]):
            for day in [date(2026, 10, 31), date(2026, 12, 1)] + [date(2026, 11, d) for d in range(1, 31)]:
                for slot in SLOTS:
                    if rng.random() < 0.2:
                        continue
                    tier, subsidy = rng.choice(tiers)
                    price = rng.choice([300, 800, 1100, 1300])  # some subsidies are above the price
                    db.session.add(Order(
                        community_id=oak if rng.random() < 0.1 else meals["community"], elder_id=elder_id,
                        menu_id=menu_id, dish_id=dish_id, meal_date=day, slot=slot,
                        mode=rng.choice(["dine_in", "pickup", "delivery"]), portions=rng.choice([1, 1, 2, 3]),
                        status=rng.choice(ORDER_STATES), price_fen=price, subsidy_fen=subsidy, tier=tier,
                        delivery_fee_fen=rng.choice([0, 0, 200]), paid_fen=rng.choice([0, 0, 500, 1500]),
                        created_at=now(), updated_at=now()))
        db.session.commit()

    def compare(c, users, elder):
        lines, per_elder, totals = statements.community_statement(c, 2026, 11)
        expected_tiers, expected_elders, expected = {}, {}, statements.Totals()
        for item in db.session.scalars(select(Order)):
            if item.community_id != c.id or not date(2026, 11, 1) <= item.meal_date <= date(2026, 11, 30):
                continue
            if not item.billable:
                continue
            for bucket in (expected_tiers.setdefault((item.tier, item.total_fen - item.due_fen), statements.Totals()),
                           expected_elders.setdefault(item.elder_id, statements.Totals()), expected):
                bucket.meals += 1
                bucket.portions += item.portions
                bucket.total_fen += item.total_fen
                bucket.subsidy_fen += item.total_fen - item.due_fen
                bucket.due_fen += item.due_fen
                bucket.paid_fen += item.paid_fen
                bucket.delivery_fen += item.delivery_fee_fen
        assert expected.meals > 20 and len(expected_tiers) > 5  # the data covers the cases
        assert asdict(totals) == asdict(expected)
        assert {(line.code, line.subsidy_per_meal_fen): asdict(line.totals) for line in lines} == {
            key: asdict(value) for key, value in expected_tiers.items()}
        assert [line.subsidy_per_meal_fen for line in lines] == sorted(
            (line.subsidy_per_meal_fen for line in lines), reverse=True)
        assert {item.id: asdict(item_totals) for item, item_totals in per_elder} == {
            key: asdict(value) for key, value in expected_elders.items()}
        assert [item.user.display_name for item, _totals in per_elder] == ["李奶奶", "赵大爷"]
        # and each elder's own statement (every order listed) agrees with the community's line for them
        for item, item_totals in per_elder:
            assert asdict(statements.elder_statement(c, item, 2026, 11)[1]) == asdict(item_totals)

    ctx(compare)
