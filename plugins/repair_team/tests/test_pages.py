"""The plugin over HTTP: switching on and off, who sees what (403 for low roles, 404 for other communities and
other people's orders), the request form, the visit steps, materials, sign-off double submission, ratings."""

import re

import pytest
from sqlalchemy import func, select
from timebank_plugins.repair_team import services
from timebank_plugins.repair_team.models import RepairMaterial, RepairOrder

from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank.plugin_state import set_plugin_enabled

from .conftest import jpeg_bytes, post_form

BASE = "/c/maple/p/repair-team"


def login(client, username, english=True):
    client.post("/logout")
    client.post("/login", data={"username": username, "password": "test-pass-123"})
    if english:
        client.post("/account/language", data={"locale": "en"})


def switch(ctx, on):
    ctx(lambda c, users: set_plugin_enabled(c, "repair_team", on, users["coord"]))


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_routes_nav_and_cards_follow_the_switch(client, ctx, repair):
    login(client, "res")
    assert client.get(f"{BASE}/").status_code == 200
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Repairs" in home and "My repair requests" in home and "Request a repair" in home
    switch(ctx, False)
    for path in ("/", "/new", "/jobs", "/board"):
        assert client.get(BASE + path).status_code == 404
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Repairs" not in home and "My repair requests" not in home
    switch(ctx, True)
    assert client.get(f"{BASE}/new").status_code == 200


def test_each_role_sees_its_own_entries(client, repair):
    login(client, "vol")
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "My repair jobs" in home and "Repair board" not in home
    login(client, "coord")
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Repair board" in home and "Repair requests" in home
    login(client, "vol2")  # a volunteer who is not on the repair team
    assert "My repair jobs" not in client.get("/c/maple/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/board", "/team", "/stats", "/orders/1/assign", "/team/1"])
def test_residents_and_volunteers_get_403_on_coordinator_pages(client, repair, order_for, path):
    order_for()
    for username in ("res", "vol"):
        login(client, username)
        assert client.get(BASE + path).status_code == 403


def test_another_communitys_coordinator_gets_404_everywhere(client, repair, order_for, advance):
    order_id = order_for()
    advance(order_id, "done")
    login(client, "oak.coord")
    for path in ("/", "/board", f"/orders/{order_id}", f"/orders/{order_id}/assign", "/stats"):
        assert client.get(BASE + path).status_code == 404
    assert client.post(f"{BASE}/orders/{order_id}/signoff").status_code == 404
    assert client.post(f"{BASE}/orders/{order_id}/cancel", data={"reason": "x"}).status_code == 404
    # ...and in their own community, maple's order does not exist either.
    assert client.get(f"/c/oak/p/repair-team/orders/{order_id}").status_code == 404


def test_other_residents_orders_do_not_exist_for_a_resident(client, repair, order_for):
    order_id = order_for()
    login(client, "res2")
    assert client.get(f"{BASE}/orders/{order_id}").status_code == 404
    login(client, "vol")  # on the team, but not on this job: sees it only in "open requests"
    assert client.get(f"{BASE}/orders/{order_id}").status_code == 404
    assert "厨房水龙头一直滴水" in client.get(f"{BASE}/jobs").get_data(as_text=True)


def test_a_resident_requests_a_repair_and_sees_who_comes(app, client, ctx, repair, advance):
    login(client, "res")
    page = client.get(f"{BASE}/new").get_data(as_text=True)
    assert "Gas is inspection and referral only" in page
    assert f'<option selected value="{repair["home"]}">' in page  # the resident's own home, preselected
    response = post_form(client, f"{BASE}/new", {
        "category": "water", "description": "卫生间水管接头漏水", "urgency": "normal",
        "household_id": str(repair["home"]), "preferred_days": ["2026-11-21", "2026-11-22"],
        "preferred_parts": ["pm"], "contact_phone": "13912345678"}, [("photos", jpeg_bytes(), "leak.jpg")])
    assert response.status_code == 302
    order_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"{BASE}/orders/{order_id}").get_data(as_text=True)
    assert "WX20261120-001" in page and "Waiting for a volunteer" in page and "Sign-off code" in page
    advance(order_id, "assigned")
    page = client.get(f"{BASE}/orders/{order_id}").get_data(as_text=True)
    assert "陈志强 from the repair team will come on" in page
    assert "I will take it" not in page and "Start work" not in page  # no volunteer buttons for the resident
    assert "陈志强 from the repair team will come" in client.get("/inbox").get_data(as_text=True)


def test_bad_input_gets_messages_beside_the_fields_and_writes_nothing(app, client, repair):
    login(client, "res")
    page = client.post(f"{BASE}/new", data={"category": "plumbing", "description": " ", "urgency": "normal",
                                           "household_id": "0", "preferred_days": ["1999-01-01"]})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="category-error"' in text and 'id="description-error"' in text
    page = client.post(f"{BASE}/new", data={"category": "water", "description": "漏水", "urgency": "normal",
                                           "household_id": "0"})
    assert 'id="household_id-error"' in page.get_data(as_text=True)
    page = client.post(f"{BASE}/new", data={"category": "water", "description": "漏水", "urgency": "normal",
                                           "household_id": str(repair["home"]), "preferred_days": ["2027-05-01"]})
    assert "Choose days in the next two weeks." in page.get_data(as_text=True)
    page = client.post(f"{BASE}/new", data={"category": "water", "description": "漏水", "urgency": "normal",
                                           "household_id": str(repair["home"]), "contact_phone": "call me"})
    assert 'id="contact_phone-error"' in page.get_data(as_text=True)
    assert count(app, RepairOrder) == 0


def test_a_grid_worker_requests_for_a_caller_without_an_account(app, client, repair):
    login(client, "grid")
    page = client.get(f"{BASE}/new").get_data(as_text=True)
    assert "For someone else" in page
    page = client.post(f"{BASE}/new", data={"category": "locks", "description": "门锁卡住打不开", "urgency": "normal",
                                           "household_id": str(repair["other_home"]), "requester_name": "钱奶奶"})
    assert "Enter a phone number" in page.get_data(as_text=True)
    response = client.post(f"{BASE}/new", data={
        "category": "locks", "description": "门锁卡住打不开", "urgency": "normal",
        "household_id": str(repair["other_home"]), "requester_name": "钱奶奶", "contact_phone": "010-6543210"})
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalar(select(RepairOrder))
        assert (order.requester_id, order.requester_name, order.created_by.username) == (None, "钱奶奶", "grid")


def test_a_resident_cannot_request_in_someone_elses_name(app, ctx, repair):
    from timebank.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: services.submit_request(
            c, users["res"], users["res"], category="water", description="漏水", household_id=repair["home"],
            for_member="res2"))


def test_a_coordinator_acting_for_an_elder_requests_in_the_elders_name(app, client, ctx, repair):
    login(client, "coord")
    with app.app_context():
        from timebank.communities.models import Membership
        from timebank.identity.models import User

        membership_id = db.session.scalar(select(Membership.id).join(User, User.id == Membership.user_id)
                                          .where(User.username == "res"))
    client.post(f"/c/maple/admin/members/{membership_id}/act-for")
    client.post(f"{BASE}/new", data={"category": "drains", "description": "厨房下水道堵了", "urgency": "normal",
                                    "household_id": str(repair["home"])})
    with app.app_context():
        order = db.session.scalar(select(RepairOrder))
        assert (order.requester.username, order.created_by.username) == ("res", "coord")


def test_the_volunteer_works_through_the_visit_and_the_resident_signs_off_once(app, client, ctx, repair, order_for,
                                                                               clock):
    order_id = order_for()
    login(client, "vol")
    jobs = client.get(f"{BASE}/jobs").get_data(as_text=True)
    assert "Open requests you can take" in jobs and "WX20261120-001" in jobs
    response = client.post(f"{BASE}/orders/{order_id}/claim", data={
        f"o{order_id}-visit_date": "2026-11-20", f"o{order_id}-visit_time": "14:00"})
    assert response.status_code == 302
    assert "Today" in client.get(f"{BASE}/jobs").get_data(as_text=True)
    clock.at(4 * 60 + 40)
    client.post(f"{BASE}/orders/{order_id}/on-the-way")
    clock.at(5 * 60)
    client.post(f"{BASE}/orders/{order_id}/start")
    page = client.get(f"{BASE}/orders/{order_id}").get_data(as_text=True)
    assert "Add a material" in page and "labour" in page.lower()
    assert not re.search(r'name="(labour|fee|labor)', page)  # the form cannot record a labour fee
    post_form(client, f"{BASE}/orders/{order_id}/materials", {"name": "水龙头密封圈", "quantity": "2个",
                                                             "cost": "6.50"}, [("receipt", jpeg_bytes(), "receipt.jpg")])
    clock.at(5 * 60 + 45)
    response = client.post(f"{BASE}/orders/{order_id}/finish", data={"work_note": "更换了两个密封圈，试水不漏"})
    assert response.status_code == 302
    login(client, "res")
    page = client.get(f"{BASE}/orders/{order_id}").get_data(as_text=True)
    assert "Materials total: ¥6.50" in page and "The work is done: sign off" in page
    first = client.post(f"{BASE}/orders/{order_id}/signoff", data={"seen_total": "650"}, follow_redirects=True)
    assert "Signed off. Thank you!" in first.get_data(as_text=True)
    second = client.post(f"{BASE}/orders/{order_id}/signoff", data={"seen_total": "650"}, follow_redirects=True)
    assert "This repair is already signed off." in second.get_data(as_text=True)
    with app.app_context():
        [record] = db.session.scalars(select(ServiceRecord)).all()
        assert record.minutes == 60 and record.volunteer.username == "vol"  # 45 minutes on the job, rounded
    page = client.post(f"{BASE}/orders/{order_id}/rate", data={"rating": "5", "comment": "很及时"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Thank you for your rating." in page and "Closed" in page


def test_sign_off_on_the_volunteers_phone_with_the_code(app, client, ctx, repair, order_for, advance):
    order_id = order_for()
    advance(order_id, "done")
    code = ctx(lambda c, users: services.order_in(c, order_id).signoff_code)
    login(client, "vol")
    page = client.post(f"{BASE}/orders/{order_id}/signoff", data={"code": "000000", "seen_total": "0"})
    assert page.status_code == 400 and 'id="code-error"' in page.get_data(as_text=True)
    assert client.post(f"{BASE}/orders/{order_id}/signoff", data={"code": code, "seen_total": "0"}).status_code == 302
    assert count(app, ServiceRecord) == 1


def test_materials_rules_over_http(app, client, repair, order_for, advance):
    order_id = order_for()
    advance(order_id, "in_progress")
    url = f"{BASE}/orders/{order_id}/materials"
    login(client, "vol")
    page = client.post(url, data={"name": "人工费", "cost": "50"}).get_data(as_text=True)
    assert "Labour is always free" in page
    page = client.post(url, data={"name": "空气开关", "cost": "35"}).get_data(as_text=True)
    assert 'id="receipt-error"' in page and "photo of the receipt" in page
    page = client.post(url, data={"name": "生料带", "cost": "-3"}).get_data(as_text=True)
    assert "cannot be negative" in page
    page = client.post(url, data={"name": "生料带", "cost": "1.234"}).get_data(as_text=True)
    assert "e.g. 12.50" in page
    assert count(app, RepairMaterial) == 0
    assert client.post(url, data={"name": "旧水龙头上拆下的垫片", "cost": "0"}).status_code == 302  # free: no receipt
    login(client, "elec")  # not the volunteer on this job
    assert client.post(url, data={"name": "生料带", "cost": "0"}).status_code == 404
    assert count(app, RepairMaterial) == 1


def test_materials_are_locked_after_sign_off(ctx, order_for, advance):
    from timebank_plugins.repair_team import materials

    from timebank.errors import ValidationFailed

    order_id = order_for()
    advance(order_id, "signed_off")
    with pytest.raises(ValidationFailed, match="not possible"):
        ctx(lambda c, users: materials.add_material(services.order_in(c, order_id), c, users["vol"], "胶带", "",
                                                    "0"))


def test_the_coordinator_assigns_from_the_board(app, client, repair, order_for, clock):
    emergency = order_for(urgency="emergency", description="水管爆裂")
    login(client, "coord")
    board = client.get(f"{BASE}/board").get_data(as_text=True)
    assert "WX20261120-001" in board and "Emergency" in board
    clock.at(45)
    board = client.get(f"{BASE}/board").get_data(as_text=True)
    assert "overdue" in board and "waiting 45 min" in board
    page = client.get(f"{BASE}/orders/{emergency}/assign").get_data(as_text=True)
    assert "陈志强" in page and "刘电工" not in page  # the suggestions: volunteers with a plumbing skill
    page = client.get(f"{BASE}/orders/{emergency}/assign?q=刘").get_data(as_text=True)
    assert "刘电工" in page and "No skill on file" in page and "1 volunteer found" in page
    response = client.post(f"{BASE}/orders/{emergency}/assign", data={
        "volunteer_id": str(repair["electrician"]), "visit_date": "2026-11-20", "visit_time": "10:00"})
    assert "cannot take this job" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/orders/{emergency}/assign", data={
        "volunteer_id": str(repair["volunteer"]), "visit_date": "2026-11-20", "visit_time": "10:00"})
    assert response.status_code == 302
    assert "Every request has a volunteer." in client.get(f"{BASE}/board").get_data(as_text=True)


def test_team_skills_licences_and_availability_pages(app, client, repair):
    login(client, "coord")
    page = client.get(f"{BASE}/team").get_data(as_text=True)
    assert "刘电工" in page and "licence until" in page
    assert "already on the repair team" in client.post(f"{BASE}/team", data={"member": "vol"}).get_data(as_text=True)
    response = client.post(f"{BASE}/team", data={"member": "vol2"})
    assert response.status_code == 302
    entry_url = response.headers["Location"]
    page = client.post(entry_url, data={"categories": ["electricity"]}).get_data(as_text=True)
    assert "needs a licence on file" in page
    assert client.post(entry_url, data={"categories": ["electricity"], "licence_number": "T-1",
                                        "licence_valid_until": "2029-01-31"}).status_code == 302
    login(client, "vol2")
    assert client.get(f"{BASE}/availability").status_code == 200
    page = client.post(f"{BASE}/availability", data={"taking_jobs": "y"}).get_data(as_text=True)
    assert "Choose at least one day" in page
    assert client.post(f"{BASE}/availability", data={"taking_jobs": "y", "weekdays": ["5", "6"],
                                                     "day_parts": ["am"]}).status_code == 302


def test_statistics_by_category(app, client, ctx, repair, order_for, advance):
    from timebank_plugins.repair_team import workflow

    first = order_for()
    advance(first, "signed_off")
    ctx(lambda c, users: workflow.rate(services.order_in(c, first), c, users["res"], users["res"], 4))
    cancelled = order_for(category="locks", description="门关不上")
    ctx(lambda c, users: services.cancel_order(services.order_in(c, cancelled), c, users["res"], users["res"],
                                               "不用修了"))
    login(client, "coord")
    page = client.get(f"{BASE}/stats?month=2026-11").get_data(as_text=True)
    assert "Water and taps" in page and "Locks and doors" in page and "4.0" in page
    assert client.get(f"{BASE}/stats?month=nonsense").status_code == 200


def test_tasks_tell_each_person_what_waits(client, ctx, repair, order_for, advance):
    order_id = order_for()
    login(client, "coord")
    assert "Repair requests waiting for a volunteer" in client.get("/c/maple/tasks").get_data(as_text=True)
    advance(order_id, "done")
    login(client, "res")
    assert "Check and sign off a repair" in client.get("/c/maple/tasks").get_data(as_text=True)
    login(client, "vol")
    assert "Repair jobs today" not in client.get("/c/maple/tasks").get_data(as_text=True)  # done: nothing to do
    from timebank_plugins.repair_team import workflow

    ctx(lambda c, users: workflow.sign_off(services.order_in(c, order_id), c, users["res"], users["res"]))
    login(client, "res")
    page = client.get("/c/maple/tasks").get_data(as_text=True)
    assert "Rate a repair" in page and "Check and sign off a repair" not in page
    client.post(f"{BASE}/orders/{order_id}/rate", data={"rating": "5"})
    assert "Rate a repair" not in client.get("/c/maple/tasks").get_data(as_text=True)  # rated: nothing left


def test_pages_render_in_chinese(client, repair, order_for, advance):
    order_id = order_for()
    advance(order_id, "done")
    login(client, "res", english=False)
    page = client.get(f"{BASE}/orders/{order_id}").get_data(as_text=True)
    assert "签收" in page and "材料" in page


def test_cancel_and_hand_back_need_a_reason_shown_beside_the_field(app, client, repair, order_for, advance):
    order_id = order_for()
    advance(order_id, "assigned")
    login(client, "vol")
    page = client.post(f"{BASE}/orders/{order_id}/hand-back", data={"reason": ""})
    assert page.status_code == 400 and 'id="reason-error"' in page.get_data(as_text=True)
    response = client.post(f"{BASE}/orders/{order_id}/hand-back", data={"reason": "家里有急事"})
    assert response.status_code == 302
    login(client, "res")
    page = client.post(f"{BASE}/orders/{order_id}/cancel", data={"reason": ""})
    assert page.status_code == 400 and 'id="reason-error"' in page.get_data(as_text=True)
    page = client.post(f"{BASE}/orders/{order_id}/cancel", data={"reason": "自己修好了"}, follow_redirects=True)
    assert "The request WX20261120-001 is cancelled." in page.get_data(as_text=True)
    page = client.post(f"{BASE}/orders/{order_id}/cancel", data={"reason": "再取消一次"}, follow_redirects=True)
    assert "not possible any more" in page.get_data(as_text=True)  # a refusal without a field: at the top


def test_a_poor_rating_reaches_the_board_and_the_coordinator_closes_it(app, client, repair, order_for, advance):
    order_id = order_for()
    advance(order_id, "signed_off")
    login(client, "res")
    page = client.post(f"{BASE}/orders/{order_id}/rate", data={"rating": "1"})
    assert page.status_code == 400 and 'id="comment-error"' in page.get_data(as_text=True)
    page = client.post(f"{BASE}/orders/{order_id}/rate", data={"rating": "1", "comment": "还在漏"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The order is open again" in page
    login(client, "coord")
    board = client.get(f"{BASE}/board").get_data(as_text=True)
    assert "Reopened" in board
    assert "Repairs reopened after a poor rating" in client.get("/c/maple/tasks").get_data(as_text=True)
    page = client.post(f"{BASE}/orders/{order_id}/close", data={"note": ""})
    assert page.status_code == 400 and 'id="note-error"' in page.get_data(as_text=True)
    assert client.post(f"{BASE}/orders/{order_id}/close", data={"note": "电话回访，已解决"}).status_code == 302
    with app.app_context():
        assert db.session.get(RepairOrder, order_id).status == "closed"


def test_the_profile_shows_the_repair_team_panel_to_the_volunteer(client, repair):
    login(client, "vol")
    page = client.get("/c/maple/me").get_data(as_text=True)
    assert "Repair team" in page and "Water and taps" in page
    login(client, "vol2")
    assert "Water and taps" not in client.get("/c/maple/me").get_data(as_text=True)


def test_the_request_form_says_the_photo_limits_and_shows_no_fee_fields(client, repair):
    login(client, "res")
    page = client.get(f"{BASE}/new").get_data(as_text=True)
    assert "Up to 3 photos, each up to 8 MB." in page and 'enctype="multipart/form-data"' in page
    assert "For someone else" not in page  # residents request for themselves


def test_two_sign_offs_at_the_same_moment_credit_the_hours_once(app, ctx, repair, order_for, advance):
    """The resident taps on her phone while the volunteer submits her code on his: one wins, one record."""
    import threading

    order_id = order_for()
    advance(order_id, "done")
    code = ctx(lambda c, users: services.order_in(c, order_id).signoff_code)
    resident, volunteer = app.test_client(), app.test_client()
    login(resident, "res")
    login(volunteer, "vol")
    barrier = threading.Barrier(2)
    answers = []

    def submit(client, data):
        barrier.wait()
        response = client.post(f"{BASE}/orders/{order_id}/signoff", data=data)
        answers.append((response.status_code, response.headers.get("Location", "")))

    threads = [threading.Thread(target=submit, args=(resident, {"seen_total": "0"})),
               threading.Thread(target=submit, args=(volunteer, {"code": code, "seen_total": "0"}))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 2 and all(status in (302, 409) for status, _location in answers)
    assert count(app, ServiceRecord) == 1
    with app.app_context():
        assert db.session.get(RepairOrder, order_id).status == "signed_off"


def test_qualified_volunteers_are_told_of_emergencies_nobody_has_taken(client, ctx, repair, order_for, advance):
    """The Tasks number asks only for the emergencies among the requests a volunteer may take."""
    from timebank_plugins.repair_team.vocabulary import EMERGENCY

    order_for(category="water")  # not an emergency: on the volunteers' list, not a task
    login(client, "vol")
    assert "Emergency repairs nobody has taken" not in client.get("/c/maple/tasks").text
    burst = order_for(category="water", urgency="emergency", description="水管爆了")
    assert "Emergency repairs nobody has taken" in client.get("/c/maple/tasks").text
    login(client, "elec")  # not a plumber
    assert "Emergency repairs nobody has taken" not in client.get("/c/maple/tasks").text

    def claimable(c, users):
        everything = services.claimable_for(c, users["vol"])
        emergencies = services.claimable_for(c, users["vol"], urgency=EMERGENCY)
        return [order.id for order in everything if order.urgency == EMERGENCY], [order.id for order in emergencies]

    from_all, asked = ctx(claimable)
    assert from_all == asked == [burst]
    advance(burst, "assigned", volunteer="vol")
    login(client, "vol")
    assert "Emergency repairs nobody has taken" not in client.get("/c/maple/tasks").text
