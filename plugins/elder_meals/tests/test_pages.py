"""The plugin over HTTP: the switch, navigation and cards, ordering pages, who sees what (diet notes, other
communities, residents), applications, the CLI."""

import pytest
from sqlalchemy import func, select
from timebank_plugins.elder_meals.models import Elder, FamilyLink, Order

from timebank.extensions import db
from timebank.plugin_state import set_plugin_enabled

from .conftest import TUESDAY, order

BASE = "/c/maple/p/elder-meals"


def switch(ctx, on):
    ctx(lambda c, users, elder: set_plugin_enabled(c, "elder_meals", on, users["coord"]))


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)).where(*where))


def test_routes_nav_and_card_follow_the_switch(app, client, ctx, meals, login):
    login("elder")
    assert client.get(BASE + "/").status_code == 200
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Elder meals" in home and "My meals" in home
    switch(ctx, False)
    for path in ("/", "/menu", f"/elders/{meals['elder_id']}/order", "/rounds", "/roster"):
        assert client.get(BASE + path).status_code == 404, path
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Elder meals" not in home and "My meals" not in home
    switch(ctx, True)
    assert client.get(BASE + "/menu").status_code == 200


def test_elder_mode_home_shows_the_meal_card(app, client, ctx, meals, login):
    login("elder")
    client.post("/account/elder-mode", data={"enabled": "1", "next": "/c/maple/"})
    home = client.get("/c/maple/").get_data(as_text=True)
    assert 'class="elder' in home and "Order meals" in home


def test_a_family_member_orders_over_http(app, client, meals, login):
    login("son")
    page = client.get(f"{BASE}/elders/{meals['elder_id']}/order").get_data(as_text=True)
    assert "Order meals for 赵大爷" in page and "套餐A" in page and "糖尿病" not in page
    dish = meals["dishes"][TUESDAY][1]
    response = client.post(f"{BASE}/elders/{meals['elder_id']}/menus/{meals['menus'][TUESDAY]}/order",
                           data={f"m{meals['menus'][TUESDAY]}-{key}": value for key, value in
                                 {"dish_id": dish, "mode": "delivery", "portions": "1"}.items()},
                           follow_redirects=True)
    assert "Ordered: 软食套餐 on 2026-11-24. To pay: ¥12.00." in response.get_data(as_text=True)
    with app.app_context():
        placed = db.session.scalar(select(Order))
        assert (placed.dish_id, placed.placed_as, placed.subsidy_fen) == (dish, "family", 100)


def test_an_order_without_a_meal_is_refused_beside_the_field(app, client, meals, login):
    login("son")
    menu = meals["menus"][TUESDAY]
    page = client.post(f"{BASE}/elders/{meals['elder_id']}/menus/{menu}/order",
                       data={f"m{menu}-mode": "delivery", f"m{menu}-portions": "1"}).get_data(as_text=True)
    assert "Choose a meal." in page
    assert count(app, Order) == 0


def test_an_unlinked_member_gets_403_and_nothing_is_written(app, client, meals, login):
    login("neighbour")
    assert client.get(f"{BASE}/elders/{meals['elder_id']}/order").status_code == 403
    menu = meals["menus"][TUESDAY]
    response = client.post(f"{BASE}/elders/{meals['elder_id']}/menus/{menu}/order",
                           data={f"m{menu}-dish_id": meals["dishes"][TUESDAY][0], f"m{menu}-mode": "pickup",
                                 f"m{menu}-portions": "1"})
    assert response.status_code == 403
    assert count(app, Order) == 0


def test_diet_notes_are_hidden_from_volunteers_and_family(app, client, ctx, meals, login, clock):
    from datetime import time

    from timebank_plugins.elder_meals import rounds

    order(ctx, "son", TUESDAY)
    ctx(lambda c, users, elder: rounds.plan_rounds(c, users["cook"], TUESDAY, "lunch", time(11)))
    round_id = count(app, Order) and ctx(lambda c, users, elder: db.session.scalar(select(Order.round_id)))
    ctx(lambda c, users, elder: rounds.sign_up(c, users["vol"], db.session.get(rounds.Round, round_id)))
    login("vol")
    page = client.get(f"{BASE}/rounds/{round_id}").get_data(as_text=True)
    assert "赵大爷" in page and "门铃坏了，请敲门" in page  # what the volunteer needs at the door
    assert "糖尿病" not in page and "Welfare" not in page
    for path in ("/roster", f"/elders/{meals['elder_id']}", "/elders", "/statements"):
        assert client.get(BASE + path).status_code == 403, path
    login("son")
    assert client.get(f"{BASE}/elders/{meals['elder_id']}").status_code == 403
    login("cook")
    roster = client.get(f"{BASE}/roster?day=2026-11-24&slot=lunch").get_data(as_text=True)
    assert "糖尿病，少糖" in roster and "Portions to cook: 1" in roster
    login("elder")
    assert "糖尿病，少糖" in client.get(f"{BASE}/elders/{meals['elder_id']}").get_data(as_text=True)


def test_removing_canteen_staff_takes_the_kitchen_away(app, client, ctx, meals, login):
    login("coord")
    page = client.get(BASE + "/staff").get_data(as_text=True)
    assert "周师傅" in page
    with app.app_context():
        from timebank_plugins.elder_meals.models import CanteenStaff

        staff_id = db.session.scalar(select(CanteenStaff.id))
    client.post(f"{BASE}/staff/{staff_id}/remove")
    login("cook")
    assert client.get(BASE + "/roster").status_code == 403
    login("coord")
    client.post(BASE + "/staff", data={"member": "cook"})
    login("cook")
    assert client.get(BASE + "/roster").status_code == 200


def test_another_communitys_coordinator_gets_404(app, client, ctx, meals, make, login, clock):
    make.community("oak", "橡树社区")
    make.member("oak", "oak.coord", role="coordinator")
    order_id = order(ctx, "son", TUESDAY)
    login("oak.coord")
    for path in (f"/elders/{meals['elder_id']}", f"/elders/{meals['elder_id']}/order",
                 f"/elders/{meals['elder_id']}/statement", f"/elders/{meals['elder_id']}/edit"):
        assert client.get("/c/oak/p/elder-meals" + path).status_code == 404, path
    assert client.post(f"/c/oak/p/elder-meals/orders/{order_id}/cancel").status_code == 404
    assert client.get(f"{BASE}/elders/{meals['elder_id']}").status_code == 404
    with app.app_context():
        assert db.session.get(Order, order_id).status == "placed"


@pytest.mark.parametrize("path", ["/roster", "/rounds", "/elders", "/policy", "/staff", "/elders/new", "/samples",
                                  "/statements", "/menus/2026-11-27/lunch"])
def test_a_resident_gets_403_where_the_role_is_too_low(client, meals, login, path):
    login("neighbour")
    assert client.get(BASE + path).status_code == 403


def test_a_volunteer_cannot_enrol_or_change_the_policy(client, meals, login):
    login("vol")
    assert client.get(BASE + "/elders/new").status_code == 403
    assert client.post(BASE + "/policy", data={"age_subsidies": "60:100"}).status_code == 403


def test_application_by_family_then_approval_links_them(app, client, make, meals, login):
    make.member("maple", "elder3", role="resident", display_name="周奶奶")
    login("son")
    page = client.post(BASE + "/apply", data={"relation": "child", "member": "elder3", "birth_date": "1944-05-06",
                                              "household_id": "0", "welfare_status": "subsistence",
                                              "diet_notes": "高血压"})
    assert "separate consent" in page.get_data(as_text=True)
    assert count(app, Elder, Elder.status == "pending") == 0
    response = client.post(BASE + "/apply", data={"relation": "child", "member": "elder3",
                                                  "birth_date": "1944-05-06", "household_id": "0",
                                                  "welfare_status": "subsistence", "diet_notes": "高血压",
                                                  "consent": "y", "consent_note": "本人口头同意"})
    assert response.status_code == 302
    with app.app_context():
        pending = db.session.scalar(select(Elder).where(Elder.status == "pending"))
    login("coord")
    assert "Meal service applications" in client.get("/c/maple/tasks").get_data(as_text=True)
    page = client.post(f"{BASE}/elders/{pending.id}/decide", data={"decision": "reject", "note": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "Give a reason" in page
    client.post(f"{BASE}/elders/{pending.id}/decide", data={"decision": "approve", "note": ""})
    with app.app_context():
        assert db.session.get(Elder, pending.id).status == "active"
        assert db.session.scalar(select(FamilyLink.relation).where(FamilyLink.elder_id == pending.id)) == "child"
    login("son")
    assert client.get(f"{BASE}/elders/{pending.id}/order").status_code == 200


def test_a_coordinator_enrols_and_links_family(app, client, make, meals, login):
    make.member("maple", "elder4", role="resident", display_name="吴爷爷")
    login("coord")
    response = client.post(BASE + "/elders/new", data={"member": "elder4", "birth_date": "1950-01-02",
                                                       "household_id": str(meals["home2"]), "needs_delivery": "y",
                                                       "welfare_status": "none"})
    assert response.status_code == 302
    elder_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = client.post(f"{BASE}/elders/{elder_id}/family", data={"member": "nobody", "relation": "child"},
                       follow_redirects=True).get_data(as_text=True)
    assert "No active member" in page
    client.post(f"{BASE}/elders/{elder_id}/family", data={"member": "neighbour", "relation": "carer",
                                                          "can_order": "y"})
    with app.app_context():
        link = db.session.scalar(select(FamilyLink).where(FamilyLink.elder_id == elder_id))
        assert (link.relation, link.can_order, link.alert_contact) == ("carer", True, False)
    duplicate = client.post(BASE + "/elders/new", data={"member": "elder4", "birth_date": "1950-01-02",
                                                        "household_id": "0", "welfare_status": "none"})
    assert "already enrolled" in duplicate.get_data(as_text=True)


def test_a_status_change_over_http_needs_a_date(app, client, meals, login):
    login("coord")
    page = client.post(f"{BASE}/elders/{meals['elder_id']}/status", data={"status": "subsistence"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Enter the status and the date" in page
    page = client.post(f"{BASE}/elders/{meals['elder_id']}/status",
                       data={"status": "subsistence", "valid_from": "2026-11-25"},
                       follow_redirects=True).get_data(as_text=True)
    assert "0 orders were priced again" in page and "Subsistence allowance" in page


def test_tasks_for_volunteers_and_the_canteen(app, client, ctx, meals, login, clock):
    from datetime import time

    from timebank_plugins.elder_meals import rounds

    order(ctx, "son", TUESDAY)
    ctx(lambda c, users, elder: rounds.plan_rounds(c, users["cook"], TUESDAY, "lunch", time(11)))
    login("vol")
    assert "Meal delivery rounds need a volunteer" in client.get("/c/maple/tasks").get_data(as_text=True)
    login("neighbour")
    assert "Meal delivery rounds need a volunteer" not in client.get("/c/maple/tasks").get_data(as_text=True)


def test_cli_roster_plan_rounds_statement_and_refusal_where_off(app, runner, ctx, meals, clock, tmp_path):
    order(ctx, "son", TUESDAY)
    result = runner.invoke(args=["elder-meals", "roster", "--community", "maple", "--date", "2026-11-24"])
    assert result.exit_code == 0 and "套餐A\t1\t(canteen 0, pick-up 0, delivery 1)" in result.output
    assert "糖尿病" not in result.output
    result = runner.invoke(args=["elder-meals", "plan-rounds", "--community", "maple", "--date", "2026-11-24",
                                 "--as", "vol"])
    assert result.exit_code != 0 and "not allowed" in result.output
    result = runner.invoke(args=["elder-meals", "plan-rounds", "--community", "maple", "--date", "2026-11-24",
                                 "--as", "cook", "--start", "10:45"])
    assert result.exit_code == 0 and "1 deliveries in rounds (1 new rounds)" in result.output
    out = tmp_path / "claim.xlsx"
    result = runner.invoke(args=["elder-meals", "statement", "--community", "maple", "--month", "2026-11", "--out",
                                 str(out)])
    assert result.exit_code == 0 and "1 meals, subsidy ¥1.00" in result.output
    from openpyxl import load_workbook

    assert load_workbook(out).worksheets[0].cell(2, 3).value == 1
    result = runner.invoke(args=["elder-meals", "statement", "--community", "maple", "--month", "November",
                                 "--out", str(out)])
    assert result.exit_code != 0 and "YYYY-MM" in result.output
    switch(ctx, False)
    result = runner.invoke(args=["elder-meals", "roster", "--community", "maple"])
    assert result.exit_code != 0 and "off in maple" in result.output
    result = runner.invoke(args=["elder-meals", "roster", "--community", "nowhere"])
    assert result.exit_code != 0 and "No community" in result.output


def test_profile_panel_and_the_coming_tier_change_for_coordinators(client, meals, login, clock):
    login("coord")
    assert "Meal service" in client.get(f"/c/maple/members/{meals['elder']}").get_data(as_text=True)
    assert "turns 75 on Nov 25, 2026: new subsidy" in client.get(BASE + "/elders").get_data(as_text=True)
    login("elder")
    assert "Meal service" in client.get("/c/maple/me").get_data(as_text=True)
    login("vol")
    assert "Meal service" not in client.get("/c/maple/me").get_data(as_text=True)


def test_a_coordinator_acting_for_the_elder_orders_as_the_elder(app, client, meals, login):
    from timebank.audit.models import AuditEvent
    from timebank.communities.models import Membership

    with app.app_context():
        membership_id = db.session.scalar(select(Membership.id).where(Membership.user_id == meals["elder"]))
    login("coord")
    client.post(f"/c/maple/admin/members/{membership_id}/act-for")
    page = client.get(BASE + "/").get_data(as_text=True)
    assert "My meals" in page and "Coordination" not in page
    menu = meals["menus"][TUESDAY]
    client.post(f"{BASE}/elders/{meals['elder_id']}/menus/{menu}/order",
                data={f"m{menu}-dish_id": meals["dishes"][TUESDAY][0], f"m{menu}-mode": "dine_in",
                      f"m{menu}-portions": "1"})
    with app.app_context():
        placed = db.session.scalar(select(Order))
        assert (placed.placed_as, placed.placed_by_id) == ("self", meals["elder"])
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "elder_meals.order_placed"))
        assert (event.actor_id, event.on_behalf_of_id) == (meals["coordinator"], meals["elder"])


def test_the_home_page_asks_first_whether_the_person_eats_or_orders_here(ctx):
    """``meal_roles_of``: one light statement says whether the home page needs the elder's own card or the family's
    (and how many open alerts the person follows: none here)."""
    from timebank_plugins.elder_meals.services import enrolment_of, family_links_of, meal_roles_of

    from timebank.extensions import db

    def roles(c, users, elder):
        found = {}
        for name in ("elder", "son", "neighbour", "vol", "elder2"):
            person = users[name]
            own = enrolment_of(person, c)
            found[name] = meal_roles_of(person, c)
            assert found[name] == (own is not None and own.status == "active",
                                   bool(family_links_of(person, c, ordering=True)), 0)
        return found

    assert ctx(roles) == {"elder": (True, False, 0), "son": (False, True, 0), "neighbour": (False, False, 0),
                          "vol": (False, False, 0), "elder2": (True, False, 0)}

    def no_ordering(c, users, elder):
        for link in family_links_of(users["son"], c):
            link.can_order = False
        elder.status = "paused"
        db.session.commit()
        return meal_roles_of(users["son"], c), meal_roles_of(users["elder"], c)

    assert ctx(no_ordering) == ((False, False, 0), (False, False, 0))
