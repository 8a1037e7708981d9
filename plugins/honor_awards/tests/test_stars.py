"""Star volunteers from ledger events: a candidate appears exactly once per level, goes on the day's notice for
five working days, and gets the star when it closes; corrections withdraw it; the policy switches it off."""

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from timebank_plugins.honor_awards import notices, stars
from timebank_plugins.honor_awards.models import Award, Nomination, Notice, NoticeItem

from timebank import hookimpl
from timebank.errors import ValidationFailed
from timebank.extensions import db
from timebank.hooks import dispatch_event
from timebank.ledger.accounts import atomic
from timebank.ledger.corrections import correct
from timebank.ledger.models import ServiceRecord
from timebank.ledger.records import confirm, record_service
from timebank.plugin_state import set_plugin_enabled
from timebank.settings import save_settings
from timebank.testing import statements_during

from .conftest import START


@pytest.fixture
def thresholds(ctx):
    """Stars at 2, 4, 6, 8 and 10 confirmed hours (ledger policy)."""
    ctx(lambda c, users: save_settings("core_ledger", {"star_thresholds_hours": "2,4,6,8,10"}, c, users["admin"]))


def serve(ctx, username, days_ago, hours, confirm_it=True):
    """A service record ``days_ago`` days before START, confirmed by the coordinator (fires the ledger event)."""
    def run(c, users):
        started = START - timedelta(days=days_ago)
        with atomic():
            record = record_service(c, users[username], category="ledger.community_service",
                                    activity_name="小区环境清洁", started_at=started,
                                    ended_at=started + timedelta(hours=hours), actor=users[username])
        if confirm_it:
            confirm(record, c, users["coord"])
        return record.id

    return ctx(run)


def candidacies(ctx):
    return ctx(lambda c, users: sorted((n.user.username, n.star_level, n.status)
                                       for n in db.session.scalars(select(Nomination))))


def test_hook_timebank_hours_confirmed_batch_makes_a_candidate_exactly_once(ctx, thresholds, clock):
    serve(ctx, "vol", 5, 1)
    assert candidacies(ctx) == []
    record_id = serve(ctx, "vol", 4, 1.5)
    assert candidacies(ctx) == [("vol", 1, "on_notice")]
    serve(ctx, "vol", 3, 0.5)
    # the same event delivered again (a retry), and a direct re-check: nothing new
    ctx(lambda c, users: dispatch_event("timebank_hours_confirmed_batch", c,
                                        entries=[db.session.get(ServiceRecord, record_id)]))
    ctx(lambda c, users: stars.check_volunteer(c, users["vol"]))
    assert candidacies(ctx) == [("vol", 1, "on_notice")]
    serve(ctx, "vol", 2, 1)  # 4 hours: the second star, on the same day's notice
    assert candidacies(ctx) == [("vol", 1, "on_notice"), ("vol", 2, "on_notice")]
    assert ctx(lambda c, users: (db.session.scalar(select(func.count(Notice.id))),
                                 [(i.label, i.detail.count("★")) for i in db.session.scalars(select(NoticeItem))])) \
        == (1, [("陈*强", 1), ("陈*强", 2)])


def test_a_bulk_confirmation_checks_each_volunteer_once(ctx, thresholds, clock, register_plugin):
    """Several entries of one person confirmed together from the queue make one candidacy, at the level the total
    reaches (not one per level crossed on the way, nor one per entry); the others of the batch who reach a level go
    on the same day's notice, and the star check reads every person of the batch in a fixed number of queries."""
    from timebank.ledger.records import decide_many

    batches = []

    class Counter:  # runs after honor_awards' listener: sees the candidacies it made
        @hookimpl(trylast=True)
        def timebank_hours_confirmed_batch(self, entries):
            batches.append(len(entries))

    register_plugin(Counter(), "batch_counter")
    vol = [serve(ctx, "vol", days, 1.5, confirm_it=False) for days in (6, 5, 4, 3)]  # 6 h: the third star
    vol2 = [serve(ctx, "vol2", days, 1, confirm_it=False) for days in (6, 5)]  # 2 h: the first star
    done, skipped = ctx(lambda c, users: decide_many(c, users["coord"], vol + vol2, "confirm"))
    assert (len(done), skipped) == (6, [])
    assert batches == [6]
    assert candidacies(ctx) == [("vol", 3, "on_notice"), ("vol2", 1, "on_notice")]
    assert ctx(lambda c, users: (db.session.scalar(select(func.count(Notice.id))), [
        (i.label, i.detail.count("★")) for i in db.session.scalars(select(NoticeItem).order_by(NoticeItem.position))])) \
        == (1, [("陈*强", 3), ("刘*", 1)])  # in the order of the entries (the earliest service first)
    # the same batch heard again (a retry): nothing new
    ctx(lambda c, users: dispatch_event("timebank_hours_confirmed_batch", c, entries=[
        db.session.get(ServiceRecord, record_id) for record_id in vol + vol2]))
    assert candidacies(ctx) == [("vol", 3, "on_notice"), ("vol2", 1, "on_notice")]


def test_the_star_check_of_a_batch_does_not_grow_with_its_entries(app, ctx, thresholds, clock):
    """Everyone already a candidate at their level: the check is two queries (balances, candidacies) for the
    settings, however many entries and people the batch has."""

    serve(ctx, "vol", 6, 2)
    serve(ctx, "vol2", 6, 2)
    assert candidacies(ctx) == [("vol", 1, "on_notice"), ("vol2", 1, "on_notice")]
    ids = [serve(ctx, username, days, 0.5) for username in ("vol", "vol2") for days in (5, 4, 3)]

    def statements(record_ids):
        def run(c, users):
            entries = [db.session.get(ServiceRecord, record_id) for record_id in record_ids]
            stars.check_volunteers(c, {users["vol"].id})  # (settings read once, as in a request)
            return statements_during(lambda: stars.check_volunteers(c, {entry.volunteer_id for entry in entries}))

        return ctx(run)

    one, six = statements(ids[:1]), statements(ids)
    assert len(six) == len(one) <= 2
    assert candidacies(ctx) == [("vol", 1, "on_notice"), ("vol2", 1, "on_notice")]


def test_the_star_is_granted_after_five_working_days_without_objection(app, ctx, thresholds, clock,
                                                                       register_plugin):
    granted = []

    class Listener:
        @hookimpl
        def timebank_award_granted(self, award):
            granted.append((award.kind, award.star_level))

    register_plugin(Listener(), "star_listener")
    serve(ctx, "vol", 4, 2.5)  # Monday 2 March: the notice runs Tuesday 3 to Monday 9 March
    notice_id = ctx(lambda c, users: db.session.scalar(select(Notice.id)))
    clock.day(7, hour=23)
    with pytest.raises(ValidationFailed, match="not over yet"):
        ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, None))
    clock.day(8, hour=0)
    assert ctx(lambda c, users: [n.id for n in notices.due_notices(c)]) == [notice_id]
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, None))
    with app.test_request_context(), force_locale("zh_CN"):
        expected = gettext("%(n)d-star volunteer", n=1)
    assert ctx(lambda c, users: [(a.kind, a.star_level, a.title, a.user_id == users["vol"].id)
                                 for a in db.session.scalars(select(Award))]) == [("star", 1, expected, True)]
    assert candidacies(ctx) == [("vol", 1, "awarded")] and granted == [("star", 1)]
    serve(ctx, "vol", 1, 0.5)  # more hours at the same level: no second candidacy, no second award
    assert candidacies(ctx) == [("vol", 1, "awarded")]


def test_the_star_message_names_the_level_in_the_readers_language(app, ctx, thresholds, clock):
    """The award keeps its name in the installation's language; the message says it in the volunteer's."""
    from timebank.notifications.models import Notification
    from timebank.notifications.services import render_text

    serve(ctx, "vol", 4, 2.5)
    notice_id = ctx(lambda c, users: db.session.scalar(select(Notice.id)))
    clock.day(8, hour=0)
    ctx(lambda c, users: notices.close_notice(notices.notice_in(c, notice_id), c, None))

    def told(locale):
        def read(c, users):
            message = db.session.scalar(select(Notification).where(Notification.kind == "honor_awards.awarded",
                                                                   Notification.recipient_id == users["vol"].id))
            with force_locale(locale):
                return render_text(message)
        return ctx(read)

    assert told("en") == "Congratulations: “1-star volunteer” is now final."
    with app.test_request_context(), force_locale("zh_CN"):
        assert told("zh_CN") == gettext("Congratulations: “%(title)s” is now final.",
                                        title=gettext("%(n)d-star volunteer", n=1))


def test_hook_timebank_hours_reversed_withdraws_and_recrossing_reinstates(ctx, thresholds, clock):
    first = serve(ctx, "vol", 4, 1)
    serve(ctx, "vol", 3, 1)
    assert candidacies(ctx) == [("vol", 1, "on_notice")]
    ctx(lambda c, users: correct(db.session.get(ServiceRecord, first), c, users["coord"], 30, "签到时间有误"))
    assert candidacies(ctx) == [("vol", 1, "withdrawn")]
    assert ctx(lambda c, users: [i.withdrawn for i in db.session.scalars(select(NoticeItem))]) == [True]
    clock.day(1)
    serve(ctx, "vol", 2, 1)
    assert candidacies(ctx) == [("vol", 1, "on_notice")]
    assert ctx(lambda c, users: sorted((i.notice.subject[-8:], i.withdrawn)
                                       for i in db.session.scalars(select(NoticeItem)))) == [
        ("20260302", True), ("20260303", False)]


def test_an_upheld_objection_keeps_the_star_candidacy_withdrawn(ctx, thresholds, clock):
    serve(ctx, "vol", 4, 2)
    objection_id = ctx(lambda c, users: notices.lodge_objection(
        db.session.scalar(select(Notice)), c, users["res"], "这些时长里有一次活动他根本没去。",
        db.session.scalar(select(NoticeItem.id))).id)
    ctx(lambda c, users: notices.resolve_objection(notices.objection_in(c, objection_id), c, users["coord"],
                                                   upheld=True, resolution="核实有误，撤销候选。"))
    serve(ctx, "vol", 3, 1)
    assert candidacies(ctx) == [("vol", 1, "withdrawn")]


def test_stars_are_a_policy_and_follow_the_plugin_switch(ctx, thresholds, clock, runner):
    ctx(lambda c, users: save_settings("honor_awards", {"stars_enabled": False}, c, users["admin"]))
    serve(ctx, "vol", 4, 3)
    assert candidacies(ctx) == []
    ctx(lambda c, users: save_settings("honor_awards", {"stars_enabled": True}, c, users["admin"]))
    ctx(lambda c, users: set_plugin_enabled(c, "honor_awards", False, users["admin"]))
    serve(ctx, "vol2", 4, 3)
    assert candidacies(ctx) == []
    ctx(lambda c, users: set_plugin_enabled(c, "honor_awards", True, users["admin"]))
    result = runner.invoke(args=["honor-awards", "scan-stars", "--community", "maple"])
    assert result.exit_code == 0 and "2 new star candidates" in result.output
    assert candidacies(ctx) == [("vol", 1, "on_notice"), ("vol2", 1, "on_notice")]
    assert "0 new" in runner.invoke(args=["honor-awards", "scan-stars", "--community", "maple"]).output


def test_pending_hours_do_not_count(ctx, thresholds, clock):
    serve(ctx, "vol", 4, 3, confirm_it=False)
    ctx(lambda c, users: stars.check_volunteer(c, users["vol"]))
    assert candidacies(ctx) == []


def test_a_failing_neighbour_does_not_silence_the_star_listener(ctx, thresholds, clock, register_plugin):
    class Broken:
        @hookimpl
        def timebank_hours_confirmed(self, entry):
            raise RuntimeError("boom")

    register_plugin(Broken(), "broken_neighbour")
    serve(ctx, "vol", 4, 2)
    assert candidacies(ctx) == [("vol", 1, "on_notice")]
