"""The plugin over HTTP: switching on and off, sign-up, rotas, the scan address, posters, the CLI."""

import re
from datetime import timedelta

from sqlalchemy import func, select
from timebank_plugins.qr_checkin import tokens
from timebank_plugins.qr_checkin.models import Attendance, Shift, Signup

from timebank import hookimpl
from timebank.communities.models import Membership
from timebank.extensions import db
from timebank.plugin_state import set_plugin_enabled

from .conftest import START


def login(client, username, english=True):
    client.post("/login", data={"username": username, "password": "test-pass-123"})
    if english:
        client.post("/account/language", data={"locale": "en"})


def poster_url(ctx):
    return ctx(lambda c, users, post, shift: "/p/qr-checkin/scan/" + tokens.poster_token(post))


def serve_the_whole_shift(client, ctx, clock):
    """The volunteer "vol" scans the poster 3 minutes before the fixture's shift and 2 minutes after it, then
    logs out: a whole shift's hours wait for the leader."""
    url = poster_url(ctx)
    login(client, "vol")
    clock.at(-3)
    client.post(url)
    clock.at(122)
    client.post(url)
    client.post("/logout")


def switch(ctx, on):
    ctx(lambda c, users, post, shift: set_plugin_enabled(c, "qr_checkin", on, users["coord"]))


def test_routes_nav_and_card_follow_the_switch(client, ctx, duty, clock):
    login(client, "vol")
    assert client.get("/c/maple/p/qr-checkin/").status_code == 200
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Duty shifts" in home and "My next shift" in home
    assert client.get(poster_url(ctx)).status_code == 200  # the worker keeps the community's switches ...
    switch(ctx, False)  # ... until they change
    assert client.get("/c/maple/p/qr-checkin/").status_code == 404
    assert client.get(poster_url(ctx)).status_code == 404
    client.post("/logout")
    assert "/login" in client.get(poster_url(ctx)).headers["Location"]  # logging in comes first, as before
    login(client, "vol")
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Duty shifts" not in home and "My next shift" not in home
    switch(ctx, True)
    assert client.get("/c/maple/p/qr-checkin/").status_code == 200


def test_sign_up_waiting_list_and_promotion(app, client, ctx, duty, make, clock):
    make.member("maple", "vol3", role="volunteer", display_name="周三")
    url = f"/c/maple/p/qr-checkin/shifts/{duty['shift']}"
    for name in ("vol", "vol2", "vol3"):
        client.post("/logout")
        login(client, name)
        client.post(url + "/signup")
    with app.app_context():
        statuses = dict(db.session.execute(select(Signup.user_id, Signup.status)).all())
    assert sorted(statuses.values()) == ["confirmed", "confirmed", "waitlist"]
    client.post("/logout")
    login(client, "vol")
    client.post(url + "/leave")
    with app.app_context():
        statuses = dict(db.session.execute(select(Signup.user_id, Signup.status)).all())
        assert sorted(statuses.values()) == ["cancelled", "confirmed", "confirmed"]
    client.post("/logout")
    login(client, "vol3")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "A place became free" in inbox


def test_residents_cannot_sign_up(app, client, duty, clock):
    login(client, "res")
    page = client.post(f"/c/maple/p/qr-checkin/shifts/{duty['shift']}/signup", follow_redirects=True)
    assert page.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Signup.id))) == 0


def test_a_weekday_rota_creates_shifts(app, client, duty, clock):
    login(client, "coord")
    response = client.post("/c/maple/p/qr-checkin/shifts/new", data={
        "post_id": duty["post"], "service_date": "2026-11-23", "start_time": "07:00", "end_time": "09:00",
        "capacity": "3", "leader_id": "0", "repeat": "y", "weekdays": ["0", "2", "4"], "last_day": "2026-12-06"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Shift.id)).where(Shift.series_id.is_not(None))) == 6
    page = client.post("/c/maple/p/qr-checkin/shifts/new", data={
        "post_id": duty["post"], "service_date": "2026-11-23", "start_time": "07:00", "end_time": "09:00",
        "capacity": "3", "leader_id": "0", "repeat": "y", "weekdays": ["0"], "last_day": "2027-06-01"})
    assert 'id="last_day-error"' in page.get_data(as_text=True)


def test_scanning_asks_first_and_changes_nothing_on_get(app, client, ctx, clock):
    url = poster_url(ctx)
    first = client.get(url)
    assert first.status_code == 302 and "/login" in first.headers["Location"]  # log in, then come back
    login(client, "vol")
    clock.at(0)
    page = client.get(url).get_data(as_text=True)
    assert "北门岗亭" in page and ">Check in<" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0
    result = client.post(url).get_data(as_text=True)
    assert "Checked in" in result
    clock.at(121)
    assert ">Check out<" in client.get(url).get_data(as_text=True)
    assert "Checked out" in client.post(url).get_data(as_text=True)


class TaskCalls:
    calls = 0

    @hookimpl
    def timebank_tasks(self, user, community):
        self.calls += 1
        return []


def test_the_pages_a_poster_opens_gather_no_tasks(app, client, ctx, clock, register_plugin):
    """At 7:00 each volunteer opens the scan page once: its tab bar must not gather every plugin's tasks (three
    times the check-in's own cost) for a number nobody reads there (``timebank.layout.quick_page``)."""
    tasks = register_plugin(TaskCalls(), "task_calls")
    url = poster_url(ctx)
    login(client, "vol")
    clock.at(0)
    assert ">Check in<" in client.get(url).text
    assert "Checked in" in client.post(url).text
    assert client.get("/c/maple/p/qr-checkin/code").status_code == 200
    assert tasks.calls == 0
    client.get("/c/maple/")
    assert tasks.calls == 1


def test_a_check_in_from_the_cookie_to_the_answer_page_is_six_statements(app, client, ctx, clock):
    """The hot path of the morning rush, whole: the post with its community, the person and their membership (one
    statement, read before the login check asks for the person), the row lock, the person's attendances, the open
    shifts, the new attendance and its audit event. The plugins on and the settings are the ones the worker keeps
    for the community (``timebank.community_config``). The answer page asks nothing
    more (the Tasks number is the one kept, ``quick_page``; the bell's was read with the post)."""
    from timebank.testing import statements_during

    def with_an_account(c, users, post, shift):  # a volunteer's account exists from their first hours on
        from timebank.ledger.accounts import account
        from timebank.ledger.models import MEMBER_SERVICE

        account(c.id, MEMBER_SERVICE, users["vol"].id)
        db.session.commit()

    ctx(with_an_account)
    url = poster_url(ctx)
    login(client, "vol")
    clock.at(0)
    client.get("/c/maple/")  # a page before: what the tab bar and the bell show is kept
    assert ">Check in<" in client.get(url).text
    responses = []
    statements = statements_during(lambda: responses.append(client.post(url)), app)
    assert "Checked in" in responses[0].text
    assert len(statements) <= 6, "\n".join(s[:150] for s in statements)
    assert not [statement for statement in statements if statement.startswith("SELECT user_account.")]
    counts = [statement for statement in statements if "FROM notification" in statement]
    assert len(counts) == 1 and "FROM qr_checkin_post" in counts[0]  # the bell: read with the post, fresh


def test_forged_expired_and_withdrawn_codes_get_clear_pages(client, ctx, clock):
    login(client, "vol")
    assert "not a valid check-in code" in client.get("/p/qr-checkin/scan/forged.token").get_data(as_text=True)
    url = poster_url(ctx)
    ctx(lambda c, users, post, shift: __import__("timebank_plugins.qr_checkin.services", fromlist=["x"])
        .withdraw_posters(post, c, users["coord"]))
    response = client.get(url)
    assert response.status_code == 400 and "no longer valid" in response.get_data(as_text=True)
    clock.at(0)

    def rotating(c, users, post, shift):
        post.checkin_policy = "rotating"
        db.session.commit()
        return "/p/qr-checkin/scan/" + tokens.rotating_token(post)

    old = ctx(rotating)
    clock.set(clock.now() + timedelta(minutes=5))
    assert "has expired" in client.post(old).get_data(as_text=True)


def test_a_member_of_another_community_gets_nothing(client, ctx, make, clock):
    make.community("oak", "橡树社区")
    make.member("oak", "oakvol", role="volunteer")
    login(client, "oakvol")
    clock.at(0)
    assert "Only registered volunteers" in client.post(poster_url(ctx)).get_data(as_text=True)
    assert client.get("/c/maple/p/qr-checkin/").status_code == 404


def test_fallback_code_page(client, ctx, clock, app):
    def make_rotating(c, users, post, shift):
        post.checkin_policy = "rotating"
        db.session.commit()
        return tokens.fallback_code(post, 120)

    clock.at(0)
    code = ctx(make_rotating)
    login(client, "vol")
    wrong = client.post("/c/maple/p/qr-checkin/code", data={"code": "000000" if code != "000000" else "111111"})
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    assert "Checked in" in client.post("/c/maple/p/qr-checkin/code", data={"code": code}).get_data(as_text=True)


def test_leader_scans_a_personal_code(client, ctx, clock, app):
    clock.at(0)
    token = ctx(lambda c, users, post, shift: tokens.personal_token(users["vol"], c))
    login(client, "leader")
    page = client.get("/c/maple/p/qr-checkin/scan").get_data(as_text=True)
    assert "北门岗亭" in page
    result = client.post("/c/maple/p/qr-checkin/scan", data={"post_id": ctx(lambda c, u, post, s: post.id),
                                                              "token": token}).get_data(as_text=True)
    assert "checked in" in result
    with app.app_context():
        row = db.session.scalar(select(Attendance))
        assert row.method_in == "leader_scan" and row.scanned_by.username == "leader"


def test_roster_and_bulk_confirmation(client, ctx, clock, app):
    serve_the_whole_shift(client, ctx, clock)
    login(client, "leader")
    roster = client.get(f"/c/maple/p/qr-checkin/shifts/{ctx(lambda c, u, p, shift: shift.id)}")
    text = roster.get_data(as_text=True)
    assert "陈志强" in text and "1 volunteer was on time" in text
    client.post(f"/c/maple/p/qr-checkin/shifts/{ctx(lambda c, u, p, shift: shift.id)}/confirm")
    client.post("/logout")
    login(client, "vol")
    hours = client.get("/c/maple/hours/").get_data(as_text=True)
    assert "2<small>h</small>" in hours


def test_poster_page_and_svg(client, ctx):
    login(client, "coord")
    post_id = ctx(lambda c, u, post, s: post.id)
    page = client.get(f"/c/maple/p/qr-checkin/posts/{post_id}/poster").get_data(as_text=True)
    assert "北门岗亭" in page and re.search(r"http://localhost/p/qr-checkin/scan/[\w.-]+", page)
    svg = client.get(f"/c/maple/p/qr-checkin/posts/{post_id}/poster.svg")
    assert svg.mimetype == "image/svg+xml"
    client.post("/logout")
    login(client, "vol")
    assert client.get(f"/c/maple/p/qr-checkin/posts/{post_id}/poster").status_code == 403


def test_cli_posters_today_and_close(runner, duty, clock, tmp_path, app):
    result = runner.invoke(args=["qr-checkin", "posters", "--community", "maple", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "BASE_URL" in result.output
    result = runner.invoke(args=["qr-checkin", "posters", "--community", "maple", "--out", str(tmp_path),
                                 "--base-url", "https://tb.example.org"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / f"post-{duty['post']}-a4.html").read_text()
    assert "北门岗亭" in html and "https://tb.example.org/p/qr-checkin/scan/" in html and "<svg" in html
    clock.set(START - timedelta(hours=1))
    result = runner.invoke(args=["qr-checkin", "today", "--community", "maple"])
    assert "北门岗亭" in result.output and "0/2 signed up" in result.output
    result = runner.invoke(args=["qr-checkin", "close-shifts"])
    assert result.exit_code == 0 and "0 forgotten" in result.output
    assert runner.invoke(args=["qr-checkin", "today", "--community", "nope"]).exit_code == 1


def _leader_options(client):
    page = client.get("/c/maple/p/qr-checkin/shifts/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="leader_id".*?</select>', page, re.S).group(0)
    return set(re.findall(r'<option value="[1-9]\d*"[^>]*>([^<]+)</option>', select))


def _new_shift(client, duty, **fields):
    return client.post("/c/maple/p/qr-checkin/shifts/new", data={
        "post_id": duty["post"], "service_date": "2026-11-25", "start_time": "19:00", "end_time": "21:00",
        "capacity": "2", "leader_id": "0", **fields})


def test_leaders_are_picked_from_the_leads_or_named_by_username_or_number(app, client, duty, clock):
    """The leader list holds team leaders, coordinators and who led lately (not every volunteer of a district);
    anybody else is named by username or volunteer number."""
    login(client, "coord")
    assert _leader_options(client) == {"王芳", "李队长"}
    with app.app_context():
        before = db.session.scalar(select(func.count(Shift.id)))
    for typed, message in (("nobody", "No active member with this username or volunteer number."),
                           ("res", "Choose an active volunteer of this community.")):
        page = _new_shift(client, duty, leader_other=typed).get_data(as_text=True)
        assert 'id="leader_other-error"' in page and message in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Shift.id))) == before  # nothing written
        number = db.session.scalar(select(Membership.volunteer_number).where(
            Membership.user_id == duty["volunteer"]))
    assert _new_shift(client, duty, leader_other=number.lower()).status_code == 302
    assert _new_shift(client, duty, leader_id=str(duty["leader"]), leader_other=" vol2 ").status_code == 302
    with app.app_context():
        leaders = db.session.scalars(select(Shift.leader_id).where(Shift.id > duty["shift"]).order_by(Shift.id))
        assert list(leaders) == [duty["volunteer"], duty["volunteer2"]]  # the name typed wins over the pick
    assert _leader_options(client) == {"王芳", "李队长", "陈志强", "刘洋"}  # they led lately
