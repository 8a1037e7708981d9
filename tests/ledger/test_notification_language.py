"""The ledger's messages read in the recipient's language, whoever sent them and in whichever language: a
coordinator working in Chinese confirms the hours of a volunteer who reads English (and the reverse). Counts take
their plural forms; the star level on "My hours" too."""

import re

from flask_babel import force_locale
from sqlalchemy import select, update

from timebank.extensions import db
from timebank.identity.models import User
from timebank.notifications.models import Notification


def language(app, username, locale):
    """Set the account language of ``username`` (what the inbox and the delivery channels read in)."""
    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(locale=locale))
        db.session.commit()


def inbox(client, auth, username):
    """The texts of ``username``'s inbox, newest first."""
    auth.logout()
    auth.login(username)
    html = client.get("/inbox").get_data(as_text=True)
    auth.logout()
    return [re.sub(r"\s+", " ", text).strip()
            for text in re.findall(r'<span class="grow">(?:<span class="tag tag-on">[^<]*</span> )?(.*?)<br>', html, re.S)]


def confirm_in_queue(client, auth, coordinator, record_ids):
    auth.logout()
    auth.login(coordinator)
    response = client.post("/c/maple/ledger/queue/decide", data={"action": "confirm", "record": record_ids})
    assert response.status_code == 302
    auth.logout()


def test_a_chinese_coordinators_bulk_confirmation_reads_in_english_for_an_english_volunteer(seed, client, auth,
                                                                                           app):
    language(app, "maple.vol", "en")  # the coordinator keeps Chinese, the default
    confirm_in_queue(client, auth, "maple.coord", [seed.record(minutes=90)])
    assert inbox(client, auth, "maple.vol") == ["1 of your entries was confirmed: 1 h 30 min."]
    confirm_in_queue(client, auth, "maple.coord", [seed.record(hours_ago=60, minutes=120),
                                                   seed.record(hours_ago=90, minutes=30)])
    messages = inbox(client, auth, "maple.vol")
    assert messages[0] == "2 of your entries were confirmed: 2 h 30 min."
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(messages))  # not a Chinese character left


def test_an_english_coordinators_bulk_confirmation_reads_in_chinese_for_a_chinese_volunteer(seed, client, auth,
                                                                                           app):
    language(app, "maple.coord", "en")
    confirm_in_queue(client, auth, "maple.coord", [seed.record(minutes=90)])
    confirm_in_queue(client, auth, "maple.coord", [seed.record(hours_ago=60, minutes=60),
                                                   seed.record(hours_ago=90, minutes=60)])
    assert inbox(client, auth, "maple.vol") == ["您有2条服务记录已确认，共2小时。", "您有1条服务记录已确认，共1小时30分。"]


def test_the_recipients_language_is_the_one_they_use_when_reading(seed, client, auth, app):
    """The message is not fixed when it is sent: the volunteer who switches language reads it in the new one."""
    confirm_in_queue(client, auth, "maple.coord", [seed.record(minutes=30)])
    assert inbox(client, auth, "maple.vol") == ["您有1条服务记录已确认，共30分钟。"]
    language(app, "maple.vol", "en")
    assert inbox(client, auth, "maple.vol") == ["1 of your entries was confirmed: 30 min."]


def test_one_confirmation_and_a_correction_read_in_the_volunteers_language(seed, client, auth, app):
    from timebank.communities.models import Community
    from timebank.ledger.corrections import correct
    from timebank.ledger.records import confirm

    language(app, "maple.vol", "en")
    record_id = seed.record(minutes=90, activity_name="巡逻")
    with app.test_request_context(), force_locale("zh_CN"):  # the coordinator's Chinese page
        community = db.session.scalar(select(Community).where(Community.slug == "maple"))
        coordinator = db.session.get(User, seed.ids["coordinator"])
        from timebank.ledger.models import ServiceRecord

        record = confirm(db.session.get(ServiceRecord, record_id), community, coordinator)
        correct(record, community, coordinator, 45, "只服务了45分钟")
    assert inbox(client, auth, "maple.vol") == [
        "Your hours for “巡逻” were corrected to 45 min: 只服务了45分钟",  # (the activity and the reason as typed)
        "Your hours for “巡逻” were confirmed: 1 h 30 min.",
    ]
    language(app, "maple.vol", "zh_CN")
    assert inbox(client, auth, "maple.vol") == ["您在“巡逻”的服务时长已更正为45分钟：只服务了45分钟",
                                                "您在“巡逻”的服务时长已确认：1小时30分。"]


def test_a_gift_counts_its_credits_in_the_receivers_language(ledger, make):
    from timebank.ledger import credits
    from timebank.notifications.services import render_text
    from timebank.settings import save_settings

    receiver = db.session.get(User, make.member("maple", "mum", role="volunteer", display_name="陈妈妈"))
    save_settings("core_ledger", {"gift_policy": "any_member"}, ledger.c, ledger.admin)
    ledger.confirmed(minutes=180)
    with force_locale("zh_CN"):  # the giver's language
        for minutes in (60, 90, 30):
            credits.gift_credits(ledger.c, ledger.volunteer, receiver, minutes, ledger.volunteer)
    messages = db.session.scalars(select(Notification).where(Notification.recipient_id == receiver.id)
                                  .order_by(Notification.id)).all()
    with force_locale("en"):
        assert [render_text(message) for message in messages] == [
            "陈志强 gave you 1 time-bank credit.", "陈志强 gave you 1.5 time-bank credits.",
            "陈志强 gave you 0.5 time-bank credits."]
    with force_locale("zh_CN"):
        assert render_text(messages[0]) == "陈志强转赠给您1个时间币。"


def test_the_star_level_has_a_singular(seed, client, auth, app):
    from timebank.communities.models import Community
    from timebank.settings import save_settings

    with app.app_context():
        community = db.session.scalar(select(Community).where(Community.slug == "maple"))
        save_settings("core_ledger", {"star_thresholds_hours": "1,2,3,4,5"}, community,
                      db.session.get(User, seed.ids["admin"]))
    seed.record(confirm=True, minutes=90)
    auth.login("maple.vol")
    auth.use_language("en")
    page = client.get("/c/maple/hours/").get_data(as_text=True)
    assert "1 star<" in page and "1 stars" not in page
    assert 'aria-label="1 of 5 stars"' in page
    auth.use_language("zh_CN")
    assert "1星<" in client.get("/c/maple/hours/").get_data(as_text=True)
    seed.record(hours_ago=60, confirm=True, minutes=60)
    auth.use_language("en")
    assert "2 stars<" in client.get("/c/maple/hours/").get_data(as_text=True)
