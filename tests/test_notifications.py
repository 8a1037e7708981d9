"""The inbox over HTTP: listing, the unread badge, opening a message, marking everything read."""

import re

import pytest

from timebank.events import commit
from timebank.extensions import db
from timebank.i18n import N_
from timebank.identity.models import User
from timebank.notifications.models import Notification
from timebank.notifications.services import notify

WELCOME = N_("Welcome! You are now a member of %(community_name)s.")


def _notify(app, user_id, message=WELCOME, link="/c/maple/", kind="membership.approved", **params):
    params.setdefault("community_name", "枫林社区")
    with app.app_context():
        notification = notify(db.session.get(User, user_id), kind, message, link=link, **params)
        commit()
        return notification.id


def _read_at(app, notification_id):
    with app.app_context():
        return db.session.get(Notification, notification_id).read_at


def _badges(html):
    """The numbers in the app bar's bell badge and in the tab bar."""
    return re.findall(r'<span class="badge"[^>]*>([^<]+)</span>', html)


def test_inbox_needs_login(client):
    response = client.get("/inbox")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_empty_inbox(client, auth, community):
    auth.login("maple.vol")
    auth.use_language("en")
    response = client.get("/inbox")
    assert response.status_code == 200
    assert "No messages yet." in response.get_data(as_text=True)


def test_inbox_lists_messages_in_the_readers_language(client, auth, app, community):
    _notify(app, community["volunteer"])
    auth.login("maple.vol")
    auth.use_language("en")
    html = client.get("/inbox").get_data(as_text=True)
    assert "Welcome! You are now a member of 枫林社区." in html
    assert 'class="tag tag-on">New</span>' in html


def test_a_translatable_parameter_is_read_in_each_readers_language(client, auth, app, community):
    """A parameter marked with ``_l()`` is kept as its msgid: the sender's language does not freeze it."""
    from flask_babel import force_locale

    from timebank.i18n import _l

    with app.test_request_context(), force_locale("en"):  # the sender works in English
        _notify(app, community["volunteer"], message=N_("See %(where)s."), where=_l("Messages"))
        _notify(app, community["resident"], message=N_("See %(where)s."), where=_l("Messages"))
    auth.login("maple.vol")
    assert "See 消息." in client.get("/inbox").get_data(as_text=True)  # the volunteer reads Chinese
    auth.logout()
    auth.login("maple.res")
    auth.use_language("en")
    assert "See Messages." in client.get("/inbox").get_data(as_text=True)


def test_inbox_shows_only_ones_own_messages(client, auth, app, community):
    _notify(app, community["resident"], community_name="只给刘洋")
    auth.login("maple.vol")
    assert "只给刘洋" not in client.get("/inbox").get_data(as_text=True)


def test_message_parameters_are_escaped(client, auth, app, community):
    _notify(app, community["volunteer"], community_name="<script>alert(1)</script>")
    auth.login("maple.vol")
    html = client.get("/inbox").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_broken_message_does_not_break_the_inbox(client, auth, app, community):
    _notify(app, community["volunteer"], message="%(missing)s and 100% wrong", community_name="x")
    auth.login("maple.vol")
    response = client.get("/inbox")
    assert response.status_code == 200
    assert "%(missing)s and 100% wrong" in response.get_data(as_text=True)


def test_unread_badge_counts_unread_messages(client, auth, app, community):
    auth.login("maple.vol")
    assert _badges(client.get("/c/maple/").get_data(as_text=True)) == []
    for _ in range(3):
        _notify(app, community["volunteer"])
    _notify(app, community["resident"])  # someone else's
    auth.use_language("en")
    html = client.get("/c/maple/").get_data(as_text=True)
    assert 'aria-label="3 unread">3</span>' in html
    assert _badges(html) == ["3", "3"]  # the bell and the "Me" tab
    client.post("/inbox/read-all")
    assert _badges(client.get("/c/maple/").get_data(as_text=True)) == []


def test_unread_badge_caps_at_99(client, auth, app, community):
    with app.app_context():
        user = db.session.get(User, community["volunteer"])
        for _ in range(120):
            notify(user, "test.many", N_("Hello"))
        commit()
    auth.login("maple.vol")
    assert _badges(client.get("/account").get_data(as_text=True))[0] == "99+"


def test_opening_a_message_marks_it_read_and_follows_its_link(client, auth, app, community):
    first = _notify(app, community["volunteer"], link="/c/maple/me")
    second = _notify(app, community["volunteer"])
    auth.login("maple.vol")
    response = client.post(f"/inbox/{first}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/maple/me"
    assert _read_at(app, first) is not None
    assert _read_at(app, second) is None
    assert _badges(client.get("/c/maple/").get_data(as_text=True)) == ["1", "1"]
    # Opening it again still works (and keeps the first reading time).
    read_at = _read_at(app, first)
    assert client.post(f"/inbox/{first}/open").status_code == 302
    assert _read_at(app, first) == read_at


@pytest.mark.parametrize("link", ["", "//evil.com", "https://evil.com/", "javascript:alert(1)", "/\\evil.com",
                                  "/\t/evil.com", "evil.com"])
def test_opening_follows_only_local_links(client, auth, app, community, link):
    notification_id = _notify(app, community["volunteer"], link=link)
    auth.login("maple.vol")
    response = client.post(f"/inbox/{notification_id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"
    assert _read_at(app, notification_id) is not None


def test_opening_needs_post(client, auth, app, community):
    notification_id = _notify(app, community["volunteer"])
    auth.login("maple.vol")
    assert client.get(f"/inbox/{notification_id}/open").status_code == 405
    assert _read_at(app, notification_id) is None


def test_another_users_notification_is_404(client, auth, app, community, other_community):
    theirs = _notify(app, other_community["resident"], link="/c/oak/")
    auth.login("maple.vol")
    assert client.post(f"/inbox/{theirs}/open").status_code == 404
    assert client.post("/inbox/999999/open").status_code == 404
    assert _read_at(app, theirs) is None


def test_mark_all_read_touches_only_ones_own_messages(client, auth, app, community):
    mine = [_notify(app, community["volunteer"]) for _ in range(2)]
    theirs = _notify(app, community["resident"])
    auth.login("maple.vol")
    response = client.post("/inbox/read-all")
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"
    assert all(_read_at(app, notification_id) is not None for notification_id in mine)
    assert _read_at(app, theirs) is None
    html = client.get("/inbox").get_data(as_text=True)
    assert "tag tag-on" not in html


def test_inbox_pages(client, auth, app, community):
    with app.app_context():
        user = db.session.get(User, community["volunteer"])
        for number in range(35):
            notify(user, "test.many", N_("Message %(n)s"), n=number)
        commit()
    auth.login("maple.vol")
    auth.use_language("en")
    first = client.get("/inbox").get_data(as_text=True)
    assert first.count('action="/inbox/') == 30 + 1  # 30 messages and "mark all read"
    assert "Page 1 of 2" in first
    second = client.get("/inbox?page=2").get_data(as_text=True)
    assert second.count('/open"') == 5
    for page in ("0", "-5", "x", "999999999999"):
        response = client.get(f"/inbox?page={page}")
        assert response.status_code == 200, page
    assert "Page 1 of 2" in client.get("/inbox?page=-5").get_data(as_text=True)


def test_notification_in_another_community_keeps_its_link(client, auth, app, community, other_community):
    notification_id = _notify(app, community["volunteer"], link="/c/oak/")
    auth.login("maple.vol")
    response = client.post(f"/inbox/{notification_id}/open")
    assert response.headers["Location"] == "/c/oak/"
    assert client.get("/c/oak/").status_code == 404  # the link does not open the community
