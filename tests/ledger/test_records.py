"""Service records: recording, confirming, rejecting, policy checks, append-only guarantees."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from timebank.errors import PermissionDenied, ValidationFailed
from timebank.extensions import db
from timebank.ledger.accounts import LedgerRejected, member_balances
from timebank.ledger.models import Account, LedgerTransaction, Posting, ServiceRecord
from timebank.ledger.records import MAX_OVERNIGHT_MINUTES, confirm, decide_many, reject
from timebank.ledger.verify import verify_ledger
from timebank.testing import statements_during

from .conftest import NOW


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_pending_hours_do_not_count_until_confirmed(ledger):
    record = ledger.record(minutes=120)
    assert record.status == "pending"
    assert member_balances(ledger.c.id, ledger.volunteer.id) == {"service": 0, "credits": 0}
    confirm(record, ledger.c, ledger.coordinator)
    assert record.status == "confirmed" and record.decided_by_id == ledger.coordinator.id
    assert member_balances(ledger.c.id, ledger.volunteer.id) == {"service": 120, "credits": 120}
    assert verify_ledger() == []


def test_every_transaction_balances_and_the_ledger_sums_to_zero(ledger):
    ledger.confirmed(minutes=90)
    ledger.confirmed(hours_ago=60, minutes=60, category="ledger.community_service")
    for transaction in db.session.scalars(select(LedgerTransaction)):
        assert sum(p.amount for p in transaction.postings) == 0
    for unit in ("service", "credits"):
        assert db.session.scalar(select(func.sum(Account.balance)).where(Account.unit == unit)) == 0
    # the community-service category earns no credits by default
    assert member_balances(ledger.c.id, ledger.volunteer.id) == {"service": 150, "credits": 90}


def test_nobody_confirms_their_own_hours(ledger):
    own = ledger.record(volunteer=ledger.coordinator)
    with pytest.raises(PermissionDenied):
        confirm(own, ledger.c, ledger.coordinator)
    with pytest.raises(PermissionDenied):
        confirm(ledger.record(hours_ago=60), ledger.c, ledger.volunteer)
    confirm(own, ledger.c, ledger.admin)
    assert own.status == "confirmed"


def test_a_team_leader_confirms_records_of_the_team_they_lead(ledger, make):
    from timebank.communities.teams import add_team_member, create_team

    team = create_team(ledger.c, ledger.coordinator, "平安巡逻队", "patrol")
    leader = db.session.get(type(ledger.volunteer), make.member("maple", "leader", role="volunteer"))
    add_team_member(team, ledger.c, ledger.coordinator, leader.id, is_leader=True)
    led = ledger.record(team=team)
    other = ledger.record(hours_ago=60)
    confirm(led, ledger.c, leader)
    assert led.status == "confirmed"
    with pytest.raises(PermissionDenied):
        confirm(other, ledger.c, leader)


def test_a_record_is_decided_once(ledger):
    record = ledger.record()
    confirm(record, ledger.c, ledger.coordinator)
    with pytest.raises(LedgerRejected, match="already been decided"):
        confirm(db.session.get(ServiceRecord, record.id), ledger.c, ledger.admin)
    with pytest.raises(LedgerRejected):
        reject(record, ledger.c, ledger.admin, "重复")
    assert member_balances(ledger.c.id, ledger.volunteer.id)["service"] == 120


def test_rejecting_needs_a_reason_and_counts_nothing(ledger):
    record = ledger.record()
    with pytest.raises(ValidationFailed):
        reject(record, ledger.c, ledger.coordinator, "  ")
    reject(record, ledger.c, ledger.coordinator, "当天没有这个活动")
    assert record.status == "rejected" and record.decision_note == "当天没有这个活动"
    assert member_balances(ledger.c.id, ledger.volunteer.id)["service"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": -30}, "minutes"),
        ({"minutes": 500}, "minutes"),  # longer than the activity
        ({"hours_ago": -2}, "ended_at"),  # in the future
        ({"minutes": 25 * 60, "hours_ago": 30}, "ended_at"),  # absurd length
        ({"category": "nope.unknown"}, "category"),
        ({"activity_name": "   "}, "activity_name"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(ledger, changes, field):
    from timebank.ledger.accounts import atomic
    from timebank.ledger.records import record_service

    before = count(ServiceRecord), count(Posting)
    hours_ago = changes.pop("hours_ago", 30)
    start = NOW - timedelta(hours=hours_ago)
    length = 120 if changes.get("minutes", 0) <= 0 or changes.get("minutes") == 500 else changes["minutes"]
    args = {"category": "ledger.elder_care", "activity_name": "陪伴老人", "minutes": None}
    args.update(changes)
    with pytest.raises(ValidationFailed) as error, atomic():
        record_service(ledger.c, ledger.volunteer, started_at=start, ended_at=start + timedelta(minutes=length),
                       actor=ledger.volunteer, **args)
    assert error.value.field == field
    assert error.value.message
    assert (count(ServiceRecord), count(Posting)) == before


def test_only_registered_volunteers_record_hours(ledger):
    with pytest.raises(ValidationFailed, match="not a registered volunteer"):
        ledger.record(volunteer=ledger.resident)


def test_claims_older_than_the_limit_are_refused(ledger):
    with pytest.raises(ValidationFailed) as error:
        ledger.record(hours_ago=24 * 100, is_backfill=True, evidence_note="签到表", limit_age=True)
    assert error.value.field == "started_at"


def test_back_entries_need_evidence(ledger):
    with pytest.raises(ValidationFailed) as error:
        ledger.record(is_backfill=True, evidence_note="")
    assert error.value.field == "evidence_note"


def shanghai(day, clock):
    """2026-11-``day`` at ``clock`` ("22:00") in the community's time zone."""
    hour, minute = map(int, clock.split(":"))
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


def claim(ledger, start, end, **kwargs):
    from timebank.ledger.claims import claim_hours

    return claim_hours(ledger.c, ledger.volunteer, ledger.volunteer, category="ledger.safety", activity_name="夜间巡逻",
                       started_at=start, ended_at=end, evidence_note="队长在场", **kwargs)


@pytest.mark.parametrize(("start", "end", "minutes"), [
    ((17, "22:00"), (18, "06:00"), 480),  # a night patrol
    ((17, "20:00"), (18, "08:00"), MAX_OVERNIGHT_MINUTES),  # the longest overnight service
    ((17, "07:00"), (17, "21:00"), 840),  # a long day, not past midnight: only the 24-hour limit
    ((17, "08:00"), (18, "00:00"), 960),  # ends at midnight, not past it
])
def test_a_claim_may_go_on_past_midnight_for_a_night_service(ledger, start, end, minutes):
    record = claim(ledger, shanghai(*start), shanghai(*end))
    assert (record.minutes, record.activity_date.isoformat()) == (minutes, f"2026-11-{start[0]}")


@pytest.mark.parametrize(("start", "end"), [
    ((17, "10:00"), (18, "09:00")),  # 10:00–09:00 typed: would be 23 hours
    ((17, "20:00"), (18, "08:01")),  # a minute more than the overnight limit
    ((20, "10:00"), (21, "09:00")),  # today's claim: the typing error, not "in the future", is the reason given
])
def test_an_implausible_span_past_midnight_is_refused_and_nothing_is_written(ledger, start, end):
    before = count(ServiceRecord)
    with pytest.raises(ValidationFailed) as error:
        claim(ledger, shanghai(*start), shanghai(*end), minutes=60)
    assert error.value.field == "ended_at"
    assert error.value.message == ("The end time is before the start time. A service that goes on past midnight, "
                                   "such as a night patrol from 22:00 to 06:00, can last at most 12 h.")
    assert count(ServiceRecord) == before


def test_the_overnight_limit_is_for_typed_times_only(ledger):
    """Check-in, delivery rounds and repair orders take both times from clocks: only the 24-hour limit."""
    record = ledger.record(hours_ago=40, minutes=23 * 60)
    assert record.minutes == 23 * 60


def test_overlapping_time_ranges_are_refused(ledger):
    ledger.record(hours_ago=30, minutes=120)
    with pytest.raises(LedgerRejected, match="overlaps"):
        ledger.record(hours_ago=29, minutes=60)
    ledger.record(hours_ago=28, minutes=60)  # starts when the first ends: no overlap
    assert count(ServiceRecord) == 2


def test_a_rejected_record_frees_its_time_range(ledger):
    first = ledger.record(hours_ago=30, minutes=120)
    reject(first, ledger.c, ledger.coordinator, "记错了时间")
    ledger.record(hours_ago=30, minutes=120)
    assert count(ServiceRecord) == 2


def test_a_source_is_recorded_once_per_category(ledger):
    ledger.record(source="qr_checkin:shift-1:user-3")
    with pytest.raises(LedgerRejected, match="already been recorded"):
        ledger.record(hours_ago=60, source="qr_checkin:shift-1:user-3")
    ledger.record(hours_ago=90, source="qr_checkin:shift-1:user-3", category="ledger.safety")


def test_rounding_uses_the_community_unit(ledger):
    from timebank.ledger.accounts import atomic
    from timebank.ledger.records import record_service
    from timebank.settings import save_settings

    start = NOW - timedelta(hours=30)
    with atomic():
        record = record_service(ledger.c, ledger.volunteer, category="ledger.safety", activity_name="巡逻",
                                started_at=start, ended_at=start + timedelta(minutes=100), actor=ledger.volunteer)
    assert record.minutes == 90  # nearest half hour
    save_settings("core_ledger", {"rounding_minutes": 0}, ledger.c, ledger.admin)
    with atomic():
        exact = record_service(ledger.c, ledger.volunteer, category="ledger.safety", activity_name="巡逻",
                               started_at=start - timedelta(hours=5), ended_at=start - timedelta(hours=5, minutes=-100),
                               actor=ledger.volunteer)
    assert exact.minutes == 100


def test_hours_above_the_daily_limit_need_a_community_admin(ledger):
    morning = ledger.record(hours_ago=40, minutes=300)
    evening = ledger.record(hours_ago=34, minutes=240)
    confirm(morning, ledger.c, ledger.coordinator)
    with pytest.raises(PermissionDenied, match="community admin"):
        confirm(evening, ledger.c, ledger.coordinator)
    assert evening.status == "pending"
    confirm(evening, ledger.c, ledger.admin)
    assert member_balances(ledger.c.id, ledger.volunteer.id)["service"] == 540


def test_categories_that_record_no_hours_credit_nothing(ledger):
    record = ledger.confirmed(category="ledger.staff_duty")
    assert record.status == "confirmed"
    assert member_balances(ledger.c.id, ledger.volunteer.id) == {"service": 0, "credits": 0}


def test_decide_many_skips_what_the_actor_may_not_decide(ledger):
    own = ledger.record(volunteer=ledger.coordinator, hours_ago=30)
    first = ledger.record(hours_ago=30)
    second = ledger.record(hours_ago=60)
    done, skipped = decide_many(ledger.c, ledger.coordinator, [own.id, first.id, second.id], "confirm")
    assert {r.id for r in done} == {first.id, second.id}
    assert [r.id for r, _why in skipped] == [own.id]
    with pytest.raises(ValidationFailed):
        decide_many(ledger.c, ledger.coordinator, [own.id], "reject", "")


def test_decide_many_ignores_other_communities_records(ledger, other_community, make):
    record = ledger.record()
    from timebank.communities.models import Community

    oak = db.session.scalar(select(Community).where(Community.slug == "oak"))
    oak_coordinator = db.session.get(type(ledger.volunteer), other_community["coordinator"])
    done, skipped = decide_many(oak, oak_coordinator, [record.id], "confirm")
    assert done == [] and skipped == []
    assert db.session.get(ServiceRecord, record.id).status == "pending"


@pytest.mark.parametrize("table", ["ledger_posting", "ledger_transaction"])
def test_postings_and_transactions_cannot_be_changed_or_deleted(ledger, table):
    ledger.confirmed()
    db.session.commit()
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert verify_ledger() == []


def test_a_record_says_forever_what_it_said(ledger):
    record = ledger.confirmed()
    db.session.commit()
    for statement in ("UPDATE ledger_service_record SET minutes = 600",
                      "UPDATE ledger_service_record SET status = 'pending'",
                      "UPDATE ledger_service_record SET activity_name = 'x'",
                      "DELETE FROM ledger_service_record"):
        with pytest.raises(DatabaseError):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.get(ServiceRecord, record.id).minutes == 120


def test_hook_timebank_validate_credit(ledger, register_plugin):
    from timebank import hookimpl

    seen = []

    class CapPerDelivery:
        @hookimpl
        def timebank_validate_credit(self, draft, community):
            seen.append((draft.volunteer_id, draft.minutes, community.slug))
            return ["送餐每次最多记 60 分钟"] if draft.minutes > 60 else []

    register_plugin(CapPerDelivery(), "meal_cap")
    with pytest.raises(LedgerRejected, match="最多记 60 分钟"):
        ledger.record(minutes=90)
    assert count(ServiceRecord) == 0
    ledger.record(minutes=60)
    assert seen == [(ledger.volunteer.id, 90, "maple"), (ledger.volunteer.id, 60, "maple")]


def test_hook_timebank_hours_confirmed(ledger, register_plugin, caplog):
    from timebank import hookimpl

    received = []

    class Listener:
        @hookimpl
        def timebank_hours_confirmed(self, entry, community):
            received.append((entry.id, entry.minutes, community.slug))

    class Broken:
        @hookimpl
        def timebank_hours_confirmed(self, entry):
            raise RuntimeError("boom")

    register_plugin(Listener(), "listener")
    register_plugin(Broken(), "broken")
    record = ledger.confirmed()
    assert received == [(record.id, 120, "maple")]
    assert record.status == "confirmed"  # the failing listener did not undo the confirmation
    assert "broken" in caplog.text


def test_hook_timebank_hours_reversed(ledger, register_plugin):
    from timebank import hookimpl
    from timebank.ledger.corrections import correct

    received = []

    class Listener:
        @hookimpl
        def timebank_hours_reversed(self, entry, reversal, community):
            received.append((entry.minutes, reversal.minutes, reversal.corrects_id == entry.id))

    register_plugin(Listener(), "listener")
    record = ledger.confirmed()
    correct(record, ledger.c, ledger.coordinator, 60, "实际一小时")
    assert received == [(120, 60, True)]


def test_bulk_confirmation_follows_the_same_rules(ledger, register_plugin, make):
    """decide_many confirms in one set-based transaction with the per-record rules: caps within the batch,
    credits up to the balance cap (overflow to the pool), one message per volunteer, one event per record."""
    from timebank import hookimpl
    from timebank.ledger.credits import community_pool_balance
    from timebank.notifications.models import Notification
    from timebank.settings import save_settings

    save_settings("core_ledger", {"balance_cap_credits": 3}, ledger.c, ledger.admin)
    heard = []

    class Listener:
        @hookimpl
        def timebank_hours_confirmed(self, entry):
            heard.append(entry.id)

    register_plugin(Listener(), "listener")
    other = db.session.get(type(ledger.volunteer), make.member("maple", "vol2", role="volunteer"))
    same_day = [ledger.record(hours_ago=40, minutes=240), ledger.record(hours_ago=36, minutes=240),
                ledger.record(hours_ago=32, minutes=60)]  # 9 h on one day: the last one needs an admin
    elsewhere = [ledger.record(volunteer=other, hours_ago=60, minutes=120)]
    own = ledger.record(volunteer=ledger.coordinator, hours_ago=80)
    done, skipped = decide_many(ledger.c, ledger.coordinator, [r.id for r in same_day + elsewhere + [own]], "confirm")
    assert sorted(r.id for r in done) == sorted([same_day[0].id, same_day[1].id, elsewhere[0].id])
    assert {r.id for r, _why in skipped} == {same_day[2].id, own.id}
    assert member_balances(ledger.c.id, ledger.volunteer.id) == {"service": 480, "credits": 180}
    assert community_pool_balance(ledger.c) == 300  # 8 credits earned, 3 kept (the cap), 5 to the pool
    assert sorted(heard) == sorted(r.id for r in done)
    messages = db.session.scalars(select(Notification).where(Notification.kind == "ledger.confirmed")).all()
    assert len(messages) == 2  # one per volunteer
    assert verify_ledger() == []
    done, skipped = decide_many(ledger.c, ledger.admin, [same_day[2].id], "confirm")
    assert [r.id for r in done] == [same_day[2].id]  # a community admin may go above the daily limit


def test_hook_timebank_hours_confirmed_batch(ledger, register_plugin, make, caplog):
    """One call per confirming transaction, with every entry it confirmed, after the per-entry calls; a failing
    listener undoes nothing."""
    from timebank import hookimpl

    heard = []

    class PerEntry:
        @hookimpl
        def timebank_hours_confirmed(self, entry):
            heard.append(("entry", entry.id))

    class Batch:
        @hookimpl
        def timebank_hours_confirmed_batch(self, entries, community):
            heard.append(("batch", sorted(entry.id for entry in entries), community.slug,
                          sorted({entry.volunteer_id for entry in entries})))

    class Broken:
        @hookimpl(tryfirst=True)
        def timebank_hours_confirmed_batch(self, entries):
            raise RuntimeError("boom")

    register_plugin(PerEntry(), "per_entry")
    register_plugin(Batch(), "batch")
    register_plugin(Broken(), "broken_batch")
    single = ledger.confirmed()
    assert heard == [("entry", single.id), ("batch", [single.id], "maple", [ledger.volunteer.id])]
    heard.clear()
    other = db.session.get(type(ledger.volunteer), make.member("maple", "vol2", role="volunteer"))
    entries = [ledger.record(hours_ago=60, minutes=60), ledger.record(hours_ago=90, minutes=60),
               ledger.record(volunteer=other, hours_ago=60, minutes=60)]
    done, _skipped = decide_many(ledger.c, ledger.coordinator, [r.id for r in entries], "confirm")
    ids = sorted(r.id for r in entries)
    assert sorted(r.id for r in done) == ids
    assert sorted(heard[:3]) == [("entry", i) for i in ids]
    assert heard[3:] == [("batch", ids, "maple", sorted([ledger.volunteer.id, other.id]))]
    assert "plugin broken_batch failed while handling timebank_hours_confirmed_batch" in caplog.text
    assert all(db.session.get(ServiceRecord, i).status == "confirmed" for i in ids)
    assert verify_ledger() == []


def test_a_bulk_confirmation_sends_the_same_statements_for_four_entries_as_for_twenty(ledger, make):
    """Set-based: the decisions, transactions, postings, balances, audit events, messages and every plugin's
    confirmation listener cost a fixed number of statements, whatever the number of entries and volunteers (new
    volunteers' accounts included)."""
    from timebank.plugin_state import set_plugin_enabled
    from timebank.plugins import bundled_plugin_names

    for name in bundled_plugin_names():  # every bundled listener on
        set_plugin_enabled(ledger.c, name, True, ledger.admin)
    people = [db.session.get(type(ledger.volunteer), make.member("maple", f"bulk{n}", role="volunteer"))
              for n in range(10)]
    few = [ledger.record(volunteer=person, hours_ago=30, minutes=60) for person in people[:2]]
    few += [ledger.record(volunteer=person, hours_ago=54, minutes=60) for person in people[:2]]
    many = [ledger.record(volunteer=person, hours_ago=hours_ago, minutes=60)
            for person in people[2:] for hours_ago in (30, 54)]
    many += [ledger.record(volunteer=person, hours_ago=78, minutes=60) for person in people[2:6]]
    assert (len(few), len(many)) == (4, 20)
    results = []
    warm_up = ledger.record(hours_ago=30, minutes=60)  # (settings read once per request, as in the queue's POST)
    assert decide_many(ledger.c, ledger.coordinator, [warm_up.id], "confirm")[1] == []
    counts = [len(statements_during(lambda ids=ids: results.append(
        decide_many(ledger.c, ledger.coordinator, ids, "confirm")))) for ids in ([r.id for r in few],
                                                                                [r.id for r in many])]
    assert [(len(done), skipped) for done, skipped in results] == [(4, []), (20, [])]
    assert counts[0] == counts[1], counts
    assert member_balances(ledger.c.id, people[3].id) == {"service": 180, "credits": 180}
    assert verify_ledger() == []
