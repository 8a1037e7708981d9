"""The exchange's notifications read in the recipient's language, whoever sent them: the time of an agreement as
the community's local day and time, the time a completed exchange took as a duration; older messages still read."""

import json
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select
from timebank_plugins.mutual_aid import exchange, services

from timebank.extensions import db
from timebank.notifications.models import Notification
from timebank.notifications.services import render_text

from .conftest import NOW


def told(run, username, kind, locale):
    """The texts of ``username``'s notifications of ``kind`` in ``locale``, oldest first."""
    def read(c, u):
        rows = db.session.scalars(select(Notification).where(Notification.recipient_id == u[username].id,
                                                             Notification.kind == kind).order_by(Notification.id))
        with force_locale(locale):
            return [render_text(row) for row in rows]

    return run(read)


def agree(run, clock, minutes=90):
    """The daughter asks for a walk for her mother tomorrow at this time (Friday 10:00 in Shanghai, at first); the
    helper answers; she accepts. Everybody works in Chinese."""
    def steps(c, u):
        with force_locale("zh_CN"):
            listing = services.post_listing(c, u["daughter"], u["mother"], kind="request", category="companionship",
                                            title="陪妈妈散步", expected_minutes=minutes, when_text="周六上午")
            response = services.respond(listing, c, u["helper"], u["helper"], "我有空")
            return services.accept(listing, c, u["daughter"], response, clock.now() + timedelta(days=1)).id

    return run(steps)


def test_an_agreement_names_the_local_day_and_time_in_the_readers_language(run, clock):
    agree(run, clock)
    assert told(run, "helper", "mutual_aid.agreed", "en") == [
        "Agreed: “陪妈妈散步” on Nov 21, 2026 at 10:00. You can now see each other's contact details."]
    assert told(run, "helper", "mutual_aid.agreed", "zh_CN") == [
        "已约定：“陪妈妈散步”，时间2026年11月21日 10:00。双方现在可以看到彼此的联系方式。"]


def test_a_completed_exchange_gives_its_time_as_a_duration_in_the_readers_language(run, clock):
    first = agree(run, clock)
    clock.move(days=1, hours=2)

    def complete(agreement_id, minutes):
        def steps(c, u):
            with force_locale("zh_CN"):  # the daughter confirms in Chinese
                exchange.complete(services.agreement_in(c, agreement_id), c, u["daughter"], minutes, 5)
        run(steps)

    complete(first, 90)
    second = agree(run, clock, minutes=30)
    clock.move(days=1, hours=2)
    complete(second, 30)  # (the mother holds two credits)
    assert told(run, "helper", "mutual_aid.completed", "en") == [
        "“陪妈妈散步” is complete: 1 h 30 min. Thank you!", "“陪妈妈散步” is complete: 30 min. Thank you!"]
    assert told(run, "helper", "mutual_aid.completed", "zh_CN") == [
        "“陪妈妈散步”已完成：1小时30分。谢谢！", "“陪妈妈散步”已完成：30分钟。谢谢！"]
    stored = run(lambda c, u: json.loads(db.session.scalar(select(Notification.params_json).where(
        Notification.kind == "mutual_aid.completed").order_by(Notification.id).limit(1))))
    assert stored["hours"] == {"minutes": 90}


def test_messages_sent_before_still_read_translated(run, clock):
    """Older notifications: the minutes as a number, the day and time as one text."""
    def store(c, u):
        for message, params in (("“%(title)s” is complete: %(minutes)s minutes. Thank you!",
                                 {"title": "陪妈妈散步", "minutes": "90"}),
                                ("Agreed: “%(title)s” on %(when)s. You can now see each other's contact details.",
                                 {"title": "陪妈妈散步", "when": "2026-11-21 10:00"})):
            db.session.add(Notification(recipient_id=u["helper"].id, community_id=c.id, kind="mutual_aid.old",
                                        message=message, params_json=json.dumps(params, ensure_ascii=False),
                                        link="", created_at=NOW))
        db.session.commit()

    run(store)
    assert told(run, "helper", "mutual_aid.old", "zh_CN") == [
        "“陪妈妈散步”已完成：90分钟。谢谢！", "已约定：“陪妈妈散步”，时间2026-11-21 10:00。双方现在可以看到彼此的联系方式。"]
