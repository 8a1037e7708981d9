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


# --- Parameters read in the reader's language ---------------------------------------------------------------------


def _texts(app, user_id, locale):
    """The user's notifications rendered in ``locale``, oldest first."""
    from flask_babel import force_locale
    from sqlalchemy import select

    from timebank.notifications.services import render_text

    with app.test_request_context(), force_locale(locale):
        rows = db.session.scalars(select(Notification).where(Notification.recipient_id == user_id)
                                  .order_by(Notification.id)).all()
        return [render_text(row) for row in rows]


def test_durations_days_counts_and_texts_are_stored_raw_and_read_in_each_language(app, community):
    """Nothing that depends on the language is formatted when the message is sent (here in Chinese)."""
    import json
    from datetime import date

    from flask_babel import force_locale, lazy_ngettext

    from timebank.i18n import N_plural, _l
    from timebank.notifications.services import Minutes

    with app.test_request_context(), force_locale("zh_CN"):
        user = db.session.get(User, community["volunteer"])
        first = notify(user, "test.typed", N_("Your hours for “%(activity)s” were confirmed: %(hours)s."),
                       activity="巡逻", hours=Minutes(90))
        notify(user, "test.typed", N_("You are on the public notice of “%(title)s” until %(date)s."),
               title=_l("%(n)d-star volunteer", n=3), date=date(2026, 11, 24))
        for count in (1, 2):
            notify(user, "test.typed", N_plural("%(num)d star", "%(num)d stars"), num=count)
        notify(user, "test.typed", N_("Message %(n)s"), n=lazy_ngettext("%(num)d star", "%(num)d stars", 1))
        commit()
        assert json.loads(first.params_json) == {"activity": "巡逻", "hours": {"minutes": 90}}
    assert _texts(app, community["volunteer"], "en") == [
        "Your hours for “巡逻” were confirmed: 1 h 30 min.",
        "You are on the public notice of “3-star volunteer” until Nov 24, 2026.",
        "1 star", "2 stars", "Message 1 star"]
    assert _texts(app, community["volunteer"], "zh_CN") == [
        "您在“巡逻”的服务时长已确认：1小时30分。",
        "您已列入“3星级志愿者”公示，公示期至2026年11月24日。",
        "1星", "2星", "Message 1星"]


def test_a_plural_message_needs_its_count(app, community):
    from timebank.i18n import N_plural

    with app.app_context():
        user = db.session.get(User, community["volunteer"])
        with pytest.raises(ValueError, match="num"):
            notify(user, "test.plural", N_plural("%(num)d star", "%(num)d stars"))


def _stored(app, user_id, kind, message, **params):
    """A notification row as an older version wrote it (every parameter already text)."""
    import json

    from timebank.clock import now

    with app.app_context():
        row = Notification(recipient_id=user_id, kind=kind, message=message, created_at=now(),
                           params_json=json.dumps(params, ensure_ascii=False))
        db.session.add(row)
        db.session.commit()


def test_messages_stored_with_formatted_durations_read_in_each_language(app, community):
    """Messages sent before durations were kept as minutes: the duration is read back from the text (in any
    language), the old bulk-confirmation and gift messages get their plural forms; an unknown text stays."""
    volunteer = community["volunteer"]
    _stored(app, volunteer, "ledger.confirmed", "%(n)s of your entries were confirmed: %(hours)s.", n="1",
            hours="1小时30分")
    _stored(app, volunteer, "ledger.confirmed", "%(n)s of your entries were confirmed: %(hours)s.", n="3",
            hours="4 h")
    _stored(app, volunteer, "ledger.confirmed", "Your hours for “%(activity)s” were confirmed: %(hours)s.",
            activity="巡逻", hours="30分钟")
    _stored(app, volunteer, "ledger.corrected", "Your hours for “%(activity)s” were corrected to %(hours)s: "
            "%(reason)s", activity="巡逻", hours="2 h 15 min", reason="多算了")
    _stored(app, volunteer, "ledger.confirmed", "Your hours for “%(activity)s” were confirmed: %(hours)s.",
            activity="巡逻", hours="about an hour")
    _stored(app, volunteer, "ledger.gift", "%(name)s gave you %(credits)s time-bank credits.", name="王芳",
            credits="1")
    _stored(app, volunteer, "ledger.gift", "%(name)s gave you %(credits)s time-bank credits.", name="王芳",
            credits="1.5")
    assert _texts(app, volunteer, "en") == [
        "1 of your entries was confirmed: 1 h 30 min.",
        "3 of your entries were confirmed: 4 h.",
        "Your hours for “巡逻” were confirmed: 30 min.",
        "Your hours for “巡逻” were corrected to 2 h 15 min: 多算了",
        "Your hours for “巡逻” were confirmed: about an hour.",
        "王芳 gave you 1 time-bank credit.",
        "王芳 gave you 1.5 time-bank credits.",
    ]
    assert _texts(app, volunteer, "zh_CN")[:4] == [
        "您有1条服务记录已确认，共1小时30分。", "您有3条服务记录已确认，共4小时。", "您在“巡逻”的服务时长已确认：30分钟。",
        "您在“巡逻”的服务时长已更正为2小时15分：多算了"]


def test_channels_deliver_a_bulk_confirmation_in_each_recipients_language(app, community, make):
    """A coordinator working in Chinese confirms the entries of an English and a Chinese volunteer at once."""
    from datetime import timedelta

    from flask_babel import force_locale
    from sqlalchemy import select

    from timebank.clock import now
    from timebank.communities.models import Community
    from timebank.ledger.accounts import atomic
    from timebank.ledger.bulk import confirm_many
    from timebank.ledger.records import record_service
    from timebank.notifications.channels import NotificationChannel

    delivered = []
    app.extensions["timebank"].notification_channels["recording"] = NotificationChannel(
        "recording", "Recording", deliver=lambda notification, recipient, text: delivered.append(
            (recipient.username, text)))
    app.config["NOTIFICATION_CHANNELS"] = ["recording"]
    english = make.member("maple", "maple.en", role="volunteer", display_name="Anna", locale="en")
    with app.test_request_context(), force_locale("zh_CN"):
        maple = db.session.scalar(select(Community).where(Community.slug == "maple"))
        records = []
        for user_id, minutes in ((english, 60), (english, 30), (community["volunteer"], 60)):
            person = db.session.get(User, user_id)
            end = now() - timedelta(days=1, hours=len(records) * 3)
            with atomic():
                records.append(record_service(maple, person, category="ledger.elder_care", activity_name="巡逻",
                                              started_at=end - timedelta(minutes=minutes), ended_at=end,
                                              actor=person))
        confirm_many(records, maple, db.session.get(User, community["coordinator"]))
        commit()
    assert sorted(delivered) == [("maple.en", "2 of your entries were confirmed: 1 h 30 min."),
                                                   ("maple.vol", "您有1条服务记录已确认，共1小时。")]
