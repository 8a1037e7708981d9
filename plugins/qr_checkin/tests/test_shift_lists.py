"""The shift list day by day, the leader's page and the insurance list: bounded pages a phone can load.

The clock of the ``duty`` fixture stands on Thursday 19 November 2026, 07:00 in Shanghai; the fixture's gate shift
is on Friday 20 November, 07:00–09:00."""

import re
from datetime import date, timedelta

import pytest
from timebank_plugins.qr_checkin import schedule, services

from timebank.extensions import db
from timebank.testing import statements_during

from .conftest import START
from .test_pages import login, poster_url, serve_the_whole_shift

URL = "/c/maple/p/qr-checkin/"


def add_shifts(ctx, first_start, number, kind=None, leader=None):
    """``number`` shifts a quarter of an hour apart from ``first_start`` (at another post when ``kind``)."""

    def run(c, users, post, shift):
        if kind:
            post = services.save_post(c, users["coord"], name=f"{kind}岗", kind=kind)
        for n in range(number):
            start = first_start + timedelta(minutes=15 * n)
            services.create_shift(c, users["coord"], post, start, start + timedelta(hours=1), capacity=1,
                                  leader_id=users[leader].id if leader else None)

    ctx(run)


def text(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def shift_rows(page):
    return page.count('<li class="shift')


def test_today_is_shown_first_and_the_strip_says_which_days_need_people(client, duty, clock):
    login(client, "vol")
    page = text(client, URL)
    assert "Thursday, November 19, 2026" in page and "No shifts on this day." in page
    strip = page[page.index('class="day-strip"'):page.index("</nav>", page.index('class="day-strip"'))]
    assert strip.count("<a ") == schedule.SIGNUP_DAYS
    assert re.search(r'day=2026-11-19"[^>]*aria-current="date"', strip)
    friday = strip[strip.index("day=2026-11-20"):]
    assert "1 needs people" in friday[:friday.index("</a>")]
    page = text(client, URL + "?day=2026-11-20")
    assert "北门岗亭" in page and ">Sign up<" in page and "Friday, November 20, 2026" in page


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-45", "2026-11-20x", "20261120", "9" * 400, "-1",
                                   "2026-11-20T07:00"])
def test_a_day_that_cannot_be_read_shows_today_with_a_message(client, duty, clock, value):
    login(client, "vol")
    page = text(client, URL + "?day=" + value)
    assert "This date could not be read; here are the shifts of today." in page
    assert "Thursday, November 19, 2026" in page


@pytest.mark.parametrize("value", ["2026-11-18", "2026-12-03", "1900-01-01", "9999-12-31", "0001-01-01"])
def test_a_day_outside_the_two_weeks_shows_today_with_a_message(client, duty, clock, value):
    login(client, "vol")
    page = text(client, URL + "?day=" + value)
    assert "Pick a day between Nov 19, 2026 and Dec 2, 2026; here are the shifts of today." in page
    assert "Thursday, November 19, 2026" in page


def test_the_last_day_of_the_strip_can_be_chosen(client, duty, clock, ctx):
    add_shifts(ctx, START + timedelta(days=12), 1)  # 2 December, 07:00
    login(client, "vol")
    page = text(client, URL + "?day=2026-12-02")
    assert "Pick a day" not in page and shift_rows(page) == 1


def test_my_coming_shifts_are_on_top_whatever_the_day(client, duty, clock):
    login(client, "vol")
    response = client.post(URL + f"shifts/{duty['shift']}/signup")
    assert response.headers["Location"].endswith("?day=2026-11-20")  # back to the shift's day
    page = text(client, URL)  # today: Thursday, the shift is on Friday
    mine = page[page.index("My coming shifts"):page.index('id="day-title"')]
    assert "北门岗亭" in mine and "You are on duty" in mine and "Give back my place" in mine
    assert "No shifts on this day." in page
    client.post("/logout")
    login(client, "vol2")
    assert "My coming shifts" not in text(client, URL)


def test_the_day_is_paginated(client, duty, clock, ctx, monkeypatch):
    monkeypatch.setattr(schedule, "PER_PAGE", 4)
    add_shifts(ctx, START + timedelta(hours=1), 9)  # Friday 08:00, 08:15, ... and the 07:00 shift: 10 shifts
    login(client, "vol")
    first = text(client, URL + "?day=2026-11-20")
    assert shift_rows(first) == 4 and "Page 1 of 3" in first and 'rel="prev"' not in first
    assert re.search(r'href="/c/maple/p/qr-checkin/\?[^"]*page=2[^"]*" rel="next"', first)
    assert "day=2026-11-20" in re.search(r'href="([^"]*)" rel="next"', first).group(1)
    last = text(client, URL + "?day=2026-11-20&page=3")
    assert shift_rows(last) == 2 and "Page 3 of 3" in last and 'rel="next"' not in last
    beyond = text(client, URL + "?day=2026-11-20&page=99")
    assert shift_rows(beyond) == 0 and "No more shifts on this day." in beyond
    assert shift_rows(text(client, URL + "?day=2026-11-20&page=abc")) == 4


def test_the_list_can_show_one_kind_of_post(client, duty, clock, ctx):
    add_shifts(ctx, START + timedelta(hours=12), 2, kind="patrol")  # Friday 19:00 and 19:15 at a patrol post
    login(client, "vol")
    both = text(client, URL + "?day=2026-11-20")
    assert shift_rows(both) == 3 and "All kinds" in both and "Patrol route" in both
    patrols = text(client, URL + "?day=2026-11-20&kind=patrol")
    assert shift_rows(patrols) == 2 and "北门岗亭" not in patrols.split('id="day-title"')[1]
    friday = patrols[patrols.index("day=2026-11-20&amp;kind=patrol"):]
    assert "2 need people" in friday[:friday.index("</a>")]
    assert shift_rows(text(client, URL + "?day=2026-11-20&kind=volcano")) == 3  # unknown kind: all kinds


def test_the_leader_sees_the_shifts_they_lead_day_by_day(client, duty, clock, ctx, make):
    make.member("maple", "lead2", role="team_leader", display_name="孙队长")
    add_shifts(ctx, START + timedelta(hours=3), 2, leader="lead2")
    login(client, "leader")
    today = text(client, URL + "lead")
    assert "You lead no shifts on this day." in today
    friday = text(client, URL + "lead?day=2026-11-20")
    assert "北门岗亭" in friday and friday.count('class="list-link"') == 1
    assert "Pick a day between" not in text(client, URL + "lead?day=2026-11-12")  # a week back is on the strip
    assert "Pick a day between" in text(client, URL + "lead?day=2026-11-11")
    assert "could not be read" in text(client, URL + "lead?day=nonsense")
    client.post("/logout")
    login(client, "coord")  # coordinators lead every shift
    assert text(client, URL + "lead?day=2026-11-20").count('class="list-link"') == 3


def test_hours_to_confirm_stay_on_the_leaders_page(client, duty, clock, ctx):
    serve_the_whole_shift(client, ctx, clock)
    clock.set(START + timedelta(days=2))  # Sunday: the shift was two days ago
    login(client, "leader")
    page = text(client, URL + "lead")
    waiting = page[page.index("Hours to confirm"):page.index('id="day-title"')]
    assert "北门岗亭" in waiting and ">1</span>" in waiting


def test_hours_wait_on_the_leaders_page_and_in_the_tasks_for_the_confirmation_period(client, duty, clock, ctx):
    """Ten working days to confirm (DOMAIN.md): the leader's page and the Tasks number list a shift with pending
    hours for 14 days; after that its hours are the coordinators' overdue queue. Both count the same shifts."""
    from timebank_plugins.qr_checkin import tasks

    serve_the_whole_shift(client, ctx, clock)
    login(client, "leader")

    def waiting(c, users, post, shift):
        return (tasks.shifts_waiting(c, users["leader"]), tasks.shifts_waiting(c),
                [shift.id for shift, _n in schedule.to_confirm(c, leader_id=users["leader"].id)])

    for days, shown in ((1, True), (schedule.CONFIRM_DAYS_BACK - 1, True), (schedule.CONFIRM_DAYS_BACK + 1, False)):
        clock.set(START + timedelta(days=days))
        assert ctx(waiting) == ((1, 1, [duty["shift"]]) if shown else (0, 0, [])), days
        page = text(client, URL + "lead")
        assert ("Hours to confirm" in page) is shown, days
        tasks_page = text(client, "/c/maple/tasks")
        assert ("Shifts with hours to confirm" in tasks_page) is shown, days


def test_the_tasks_number_counts_a_shift_once_while_any_of_its_hours_wait(client, duty, clock, ctx):
    """Two volunteers serve the same shift: one shift waits, until the last of its two records is confirmed."""
    from sqlalchemy import select
    from timebank_plugins.qr_checkin import tasks
    from timebank_plugins.qr_checkin.models import Attendance

    from timebank.ledger.models import ServiceRecord
    from timebank.ledger.records import confirm

    url = poster_url(ctx)
    for minutes in (-3, 122):  # both check in, then both check out
        clock.at(minutes)
        for username in ("vol", "vol2"):
            login(client, username)
            assert client.post(url).status_code == 200
            client.post("/logout")
    clock.set(START + timedelta(days=1))

    def waiting(c, users, post, shift):
        return (tasks.shifts_waiting(c), tasks.shifts_waiting(c, users["leader"]),
                [(found.id, number) for found, number in schedule.to_confirm(c)])

    def confirm_one(c, users, post, shift):
        record = db.session.scalar(select(ServiceRecord).join(Attendance, Attendance.record_id == ServiceRecord.id)
                                   .where(ServiceRecord.status == "pending").order_by(ServiceRecord.id).limit(1))
        confirm(record, c, users["coord"])

    assert ctx(waiting) == (1, 1, [(duty["shift"], 2)])
    ctx(confirm_one)
    assert ctx(waiting) == (1, 1, [(duty["shift"], 1)])
    ctx(confirm_one)
    assert ctx(waiting) == (0, 0, [])


def test_the_leaders_page_lists_the_newest_shifts_with_waiting_hours_first(client, duty, clock, ctx):
    """Three daily shifts at the post, hours waiting on the first and the last: newest first, a shift whose hours
    are all confirmed left out, the limit counted in shifts that wait."""
    from sqlalchemy import select
    from timebank_plugins.qr_checkin import attendance

    from timebank.ledger.models import ServiceRecord
    from timebank.ledger.records import confirm

    starts = [START + timedelta(days=day) for day in (1, 2, 3)]

    def create(c, users, post, shift):
        return [services.create_shift(c, users["coord"], post, start, start + timedelta(hours=1), capacity=2).id
                for start in starts]

    ids = ctx(create)
    for start in starts:
        for moment in (start - timedelta(minutes=3), start + timedelta(minutes=62)):
            clock.set(moment)
            ctx(lambda c, users, post, shift: attendance.scan(post, c, users["vol"], "static"))

    def confirm_the_middle_one(c, users, post, shift):
        from timebank_plugins.qr_checkin.models import Attendance

        record = db.session.scalar(select(ServiceRecord).join(Attendance, Attendance.record_id == ServiceRecord.id)
                                   .where(Attendance.shift_id == ids[1]))
        confirm(record, c, users["coord"])

    ctx(confirm_the_middle_one)
    clock.set(starts[-1] + timedelta(hours=3))

    def listed(c, users, post, shift):
        return ([(found.id, number) for found, number in schedule.to_confirm(c)],
                [found.id for found, _n in schedule.to_confirm(c, limit=1)], schedule.count_to_confirm(c))

    assert ctx(listed) == ([(ids[2], 1), (ids[0], 1)], [ids[2]], 2)


def make_insured(ctx, make, number, prefix):
    ids = [make.member("maple", f"{prefix}{n}", display_name=f"{prefix}姓名{n}") for n in range(number)]

    def run(c, users, post, shift):
        from timebank.identity.models import User

        for user_id in ids:
            services.record_insurance(c, users["coord"], db.session.get(User, user_id), "人保", f"P-{user_id}",
                                      date(2027, 1, 1))

    ctx(run)


def test_insurance_list_is_paginated_searchable_and_costs_the_same_for_any_page_size(
        app, client, duty, clock, ctx, make, monkeypatch):
    make_insured(ctx, make, 5, "ins")
    login(client, "coord")

    def statements(path):
        pages = []
        seen = statements_during(lambda: pages.append(text(client, path)), app)
        return pages[0], len(seen)

    statements(URL + "insurance")  # once-per-process reads (settings, catalogues) out of the way
    monkeypatch.setattr(schedule, "INSURANCE_PER_PAGE", 2)
    small, few = statements(URL + "insurance")
    assert small.count("ins姓名") == 2 and "Page 1 of 3" in small
    monkeypatch.setattr(schedule, "INSURANCE_PER_PAGE", 30)
    full, many = statements(URL + "insurance")
    assert full.count("ins姓名") == 5 and "Page 1 of" not in full
    assert few == many
    found = text(client, URL + "insurance?q=姓名3")
    assert found.count("ins姓名") == 1 and "ins姓名3" in found
    assert "Nobody matches." in text(client, URL + "insurance?q=%25")  # "%" is not a wildcard
    assert text(client, URL + "insurance?page=7").count("ins姓名") == 0


def test_the_strip_counts_each_local_day_and_its_shifts_with_room(ctx, duty):
    """Days are local days (a shift at 23:45 in Shanghai is on that day, not the next one in UTC); a shift counts
    as needing people when it has not started and has a free place; cancelled shifts and shifts outside the
    window do not count. The fixture's gate shift (Friday 07:00, two places) is there too."""
    thursday_0645 = START - timedelta(days=1, minutes=15)  # already started at 07:00
    thursday_2345 = START - timedelta(hours=7, minutes=15)
    friday_0000 = START - timedelta(hours=7)

    def run(c, users, post, shift):
        def add(start, capacity=1):
            return services.create_shift(c, users["coord"], post, start, start + timedelta(hours=1), capacity)

        add(thursday_0645)
        add(thursday_2345)
        full = add(friday_0000)
        services.sign_up(full, c, users["vol"])
        services.cancel_shift(add(friday_0000 + timedelta(hours=2)), c, users["coord"], "下雨")
        add(START + timedelta(days=13))  # Thursday 3 December: the window's last day
        add(START + timedelta(days=14))  # Friday 4 December: after the window
        days = schedule.day_summaries(c, date(2026, 11, 19), date(2026, 12, 3))
        assert len(days) == 15 and days[0].day == date(2026, 11, 19) and days[-1].day == date(2026, 12, 3)
        assert (days[0].shifts, days[0].open) == (2, 1)  # 06:45 has started; 23:45 has room
        assert (days[1].shifts, days[1].open) == (2, 1)  # midnight is full; the gate shift has room
        assert (days[-1].shifts, days[-1].open) == (1, 1)
        assert sum(day.shifts for day in days) == 5
        assert schedule.day_summaries(c, date(2026, 11, 20), date(2026, 11, 20)) == [
            schedule.DaySummary(date(2026, 11, 20), 2, 1)]
        assert sum(day.shifts for day in schedule.day_summaries(c, date(2026, 11, 19), date(2026, 12, 3),
                                                                kind="patrol")) == 0

    ctx(run)
