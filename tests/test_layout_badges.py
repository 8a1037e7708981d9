"""The Tasks tab's number and the plugins' navigation on every page (``timebank.layout``): kept per person for
``TASK_BADGE_SECONDS``, fresh after the person's own change and on the Tasks page, and never gathered by a page
marked ``quick_page`` (the check-in page a duty post's QR code opens at 7:00)."""

import re
import time

import pytest
from flask import render_template_string

from timebank import hookimpl
from timebank.layout import quick_page
from timebank.ui import NavItem, TaskItem


class CountingTasks:
    """A plugin whose tasks and navigation count how often they are gathered; ``count`` is the task's number."""

    def __init__(self):
        self.count, self.task_calls, self.nav_calls = 3, 0, 0

    @hookimpl
    def timebank_tasks(self, user, community):
        self.task_calls += 1
        return [TaskItem(label="Deliver meals", endpoint="home.dashboard", count=self.count)]

    @hookimpl
    def timebank_nav_items(self, user, community):
        self.nav_calls += 1
        return [NavItem(label="Counted nav", endpoint="home.dashboard", icon="list", badge=self.count)]


@pytest.fixture
def counting(app, community, register_plugin, auth):
    plugin = register_plugin(CountingTasks(), "counting")

    @app.route("/c/<community>/quick-test")
    def quick_test(community=None):
        quick_page()
        return render_template_string('{% extends "base.html" %}{% block content %}quick{% endblock %}')

    auth.login("maple.vol")
    return plugin


def tasks_badge(html):
    tab = re.search(r'<a href="/c/maple/tasks"[^>]*>.*?</a>', html, re.S).group(0)
    badge = re.search(r'<span class="badge">(\d+)</span>', tab)
    return int(badge.group(1)) if badge else 0


def test_the_number_is_kept_between_pages_and_fresh_on_the_tasks_page(app, client, counting):
    first = client.get("/c/maple/")
    assert tasks_badge(first.text) >= 3 and "Counted nav" in first.text
    calls = counting.task_calls, counting.nav_calls
    shown = tasks_badge(first.text)
    counting.count = 5  # somebody else's change: this person sees it within TASK_BADGE_SECONDS
    page = client.get("/c/maple/hours/").text
    assert (counting.task_calls, counting.nav_calls) == calls and tasks_badge(page) == shown
    assert tasks_badge(client.get("/c/maple/tasks").text) == shown + 2  # the Tasks page itself is always fresh
    assert tasks_badge(client.get("/c/maple/").text) == shown + 2  # ... and the pages after it show that number


def test_the_persons_own_change_shows_on_the_next_page(app, client, counting):
    shown = tasks_badge(client.get("/c/maple/").text)
    counting.count = 9
    client.post("/account/language", data={"locale": "zh_CN"})  # any change of their own: a POST
    assert tasks_badge(client.get("/c/maple/").text) == shown + 6


def test_the_kept_number_expires(app, client, counting, monkeypatch):
    shown = tasks_badge(client.get("/c/maple/").text)
    counting.count = 4
    later = time.monotonic() + app.config["TASK_BADGE_SECONDS"] + 1
    later_by_the_clock = time.time() + app.config["TASK_BADGE_SECONDS"] + 1
    monkeypatch.setattr("timebank.layout.time.monotonic", lambda: later)
    monkeypatch.setattr("timebank.layout.time.time", lambda: later_by_the_clock)
    assert tasks_badge(client.get("/c/maple/").text) == shown + 1


def test_a_quick_page_gathers_nothing_and_shows_what_is_known(app, client, counting):
    page = client.get("/c/maple/quick-test")
    assert page.status_code == 200 and "quick" in page.text
    assert (counting.task_calls, counting.nav_calls) == (0, 0)  # nothing known yet: no number, no navigation
    assert tasks_badge(page.text) == 0 and "Counted nav" not in page.text
    shown = tasks_badge(client.get("/c/maple/").text)  # an ordinary page gathers and keeps them
    calls = counting.task_calls, counting.nav_calls
    page = client.get("/c/maple/quick-test").text
    assert tasks_badge(page) == shown and "Counted nav" in page
    assert (counting.task_calls, counting.nav_calls) == calls


def test_with_keeping_off_every_page_is_fresh_and_a_quick_page_still_gathers_nothing(app, client, counting):
    app.config["TASK_BADGE_SECONDS"] = 0
    client.get("/c/maple/")
    client.get("/c/maple/")
    assert counting.task_calls == 2
    client.get("/c/maple/quick-test")
    assert counting.task_calls == 2


def bell_number(html):
    bell = re.search(r'<a class="app-bar-action" href="[^"]*inbox"[^>]*>.*?</a>', html, re.S)
    assert bell is not None, "every page has the bell"
    badge = re.search(r'<span class="badge"[^>]*>(\d+)</span>', bell.group(0))
    return int(badge.group(1)) if badge else 0


def send_messages(app, username, number):
    """``number`` new messages in ``username``'s inbox, committed as another person's request would."""
    from timebank.extensions import db
    from timebank.identity.models import User
    from timebank.notifications.services import notify_many

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        notify_many("test.hello", "Hello", [(user, {}) for _ in range(number)])
        db.session.commit()


def test_the_bell_is_fresh_on_every_page_without_a_statement_of_its_own(app, client, counting):
    """A community page reads the unread count with its first statement (community, person, membership): fresh on
    every page, a quick page too, and no statement asks for it on its own."""
    from tests.test_database_requests import Statements

    send_messages(app, "maple.vol", 2)
    assert bell_number(client.get("/c/maple/quick-test").text) == 2
    send_messages(app, "maple.vol", 1)
    for path in ("/c/maple/", "/c/maple/hours/", "/c/maple/quick-test"):
        with Statements(app) as statements:
            assert bell_number(client.get(path).text) == 3
        counts = [s for s in statements if "FROM notification" in s]
        assert len(counts) == 1 and "FROM community" in counts[0], path


@pytest.fixture
def read_then_show(app):
    """A page that shows the bell's number, marks the messages read, sends the person one and renders."""
    from flask_login import current_user

    from timebank.extensions import db
    from timebank.notifications.services import mark_read, notify

    @app.route("/c/<community>/read-then-show", methods=["POST"])
    def read_then_show(community=None):
        before = render_template_string("{{ layout.unread_notifications() }}")
        mark_read(current_user)
        notify(current_user, "test.hello", "Hello")
        db.session.commit()
        return render_template_string('{% extends "base.html" %}{% block content %}' + before + "{% endblock %}")


def test_a_page_that_changes_the_messages_shows_the_new_number(app, read_then_show, client, counting):
    """What the first statement read is forgotten when the request marks messages read or sends the person one."""
    app.config["WTF_CSRF_ENABLED"] = False
    send_messages(app, "maple.vol", 4)
    page = client.post("/c/maple/read-then-show").text
    assert re.search(r"<main[^>]*>\s*4\s*</main>", page) and bell_number(page) == 1


def test_another_worker_finds_the_number_in_the_persons_session(app, client, counting, monkeypatch):
    """gunicorn gives a person's next page to whichever worker is free: the number counted by one worker travels in
    the person's signed session, so the next worker shows it without gathering the plugins' tasks again."""
    shown = tasks_badge(client.get("/c/maple/").text)
    calls = counting.task_calls
    counting.count = 7  # somebody else's change: shown after TASK_BADGE_SECONDS at the latest
    app.extensions["timebank_kept"].clear()  # the next page on another worker: nothing kept in its memory
    assert tasks_badge(client.get("/c/maple/hours/").text) == shown and counting.task_calls == calls
    app.extensions["timebank_kept"].clear()
    assert tasks_badge(client.get("/c/maple/quick-test").text) == shown  # a quick page finds it there too
    assert counting.task_calls == calls
    app.extensions["timebank_kept"].clear()
    client.post("/account/language", data={"locale": "zh_CN"})  # the person's own change: counted again
    assert tasks_badge(client.get("/c/maple/").text) == shown + 4 and counting.task_calls == calls + 1
    later_by_the_clock = time.time() + app.config["TASK_BADGE_SECONDS"] + 1
    monkeypatch.setattr("timebank.layout.time.time", lambda: later_by_the_clock)
    counting.count = 8
    app.extensions["timebank_kept"].clear()
    assert tasks_badge(client.get("/c/maple/").text) == shown + 5  # expired in the session too


def test_a_number_in_a_session_does_not_serve_another_person_or_a_forged_expiry(app, client, counting, auth):
    client.get("/c/maple/")
    with client.session_transaction() as kept:
        digest, expires, number = kept["_tk"]
        kept["_tk"] = [digest, expires + 3600, number + 50]  # kept longer than TASK_BADGE_SECONDS: not trusted
    app.extensions["timebank_kept"].clear()
    calls = counting.task_calls
    client.get("/c/maple/")
    assert counting.task_calls == calls + 1
    with client.session_transaction() as kept:
        stolen = kept["_tk"]
    client.post("/logout")
    auth.login("maple.coord")
    with client.session_transaction() as kept:
        kept["_tk"] = stolen  # another person's number: another key
    app.extensions["timebank_kept"].clear()
    calls = counting.task_calls
    client.get("/c/maple/")
    assert counting.task_calls == calls + 1


def tab_bar(html):
    return re.search(r'<nav class="tab-bar".*?</nav>', html, re.S).group(0)


def side_nav(html):
    found = re.search(r'<nav class="side-nav".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def test_a_worker_renders_the_tab_bar_once_for_each_thing_it_shows(app, client, counting):
    """The tab bar is rendered once per worker for each combination of what it shows (``layout._fragment``): the
    active tab, the two numbers, the language and the address the app is served under."""
    home = tab_bar(client.get("/c/maple/").text)
    assert re.search(r'href="/c/maple/"[^>]*aria-current="page"', home)
    hours = tab_bar(client.get("/c/maple/hours/").text)
    assert re.search(r'href="/c/maple/hours/"[^>]*aria-current="page"', hours) and 'href="/c/maple/" class="tab"' in hours
    assert tab_bar(client.get("/c/maple/").text) == home
    client.post("/account/language", data={"locale": "en"})
    english = tab_bar(client.get("/c/maple/").text)
    assert "<span>Home</span>" in english and "<span>My hours</span>" in english
    client.post("/account/language", data={"locale": "zh_CN"})
    chinese = tab_bar(client.get("/c/maple/").text)
    assert "<span>首页</span>" in chinese and "<span>我的时长</span>" in chinese
    served_under = tab_bar(client.get("/c/maple/", base_url="http://localhost/tb/").text)
    assert 'href="/tb/c/maple/hours/"' in served_under and 'href="/c/maple/hours/"' not in served_under
    assert 'href="/c/maple/hours/"' in tab_bar(client.get("/c/maple/").text)


def test_the_tab_bar_shows_each_number_as_counted(app, client, counting):
    send_messages(app, "maple.vol", 2)
    page = client.get("/c/maple/").text
    assert bell_number(page) == 2 and 'class="badge">2</span></a>\n    \n  </nav>' in tab_bar(page)
    send_messages(app, "maple.vol", 118)
    page = client.get("/c/maple/hours/").text
    bell = re.search(r'<a class="app-bar-action".*?</a>', page, re.S).group(0)
    assert "120" in bell and ">99+</span>" in bell and '<span class="badge">99+</span>' in tab_bar(page)
    shown = tasks_badge(page)
    counting.count = 11
    client.post("/account/language", data={"locale": "zh_CN"})  # the person's own change
    assert tasks_badge(client.get("/c/maple/").text) == shown + 8


def test_the_side_navigation_is_rendered_with_the_items_it_is_kept_with(app, client, counting):
    first = side_nav(client.get("/c/maple/").text)
    assert "Counted nav" in first and '<span class="badge">3</span>' in first
    counting.count = 6  # somebody else's change: the kept navigation, as rendered, until the person's own change
    assert side_nav(client.get("/c/maple/hours/").text) == first
    client.post("/account/language", data={"locale": "zh_CN"})
    assert '<span class="badge">6</span>' in side_nav(client.get("/c/maple/hours/").text)
    assert side_nav(client.get("/c/maple/quick-test").text) != ""  # a quick page shows the kept one
    app.extensions["timebank_kept"].clear()
    assert side_nav(client.get("/c/maple/quick-test").text) == ""  # ... and none when this worker knows none
