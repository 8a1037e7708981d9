"""The maintained service totals (``ledger_service_total``): every way a record starts or stops counting keeps them
equal to a scan of the records, and the leaderboard and the community's totals that read them give what the scans
of the records gave."""

from datetime import date

import pytest
from sqlalchemy import func, select

from timebank.communities.models import Membership
from timebank.extensions import db
from timebank.identity.models import User
from timebank.ledger import reports
from timebank.ledger.accounts import atomic
from timebank.ledger.corrections import correct
from timebank.ledger.models import CONFIRMED, ServiceRecord, ServiceTotal
from timebank.ledger.records import auto_confirm, confirm, decide_many, reject
from timebank.ledger.totals import differences, rebuild_service_totals

YEAR_HOURS = 24 * 365  # a record this many hours before NOW (2026-11-20) falls in 2025


# --- The scans the reports did before the totals (the reference) -------------------------------------------------


def _live():
    return ServiceRecord.id.not_in(select(ServiceRecord.corrects_id).where(ServiceRecord.corrects_id.is_not(None)))


def _in_year(year):
    return [ServiceRecord.activity_date >= date(year, 1, 1), ServiceRecord.activity_date <= date(year, 12, 31)] \
        if year else []


def scanned_totals(community, year=None):
    query = select(ServiceRecord.category, func.sum(ServiceRecord.minutes), func.count(ServiceRecord.id)).where(
        ServiceRecord.community_id == community.id, ServiceRecord.status == CONFIRMED, _live(), *_in_year(year))
    per_category = [(category, int(minutes or 0), int(count)) for category, minutes, count in
                    db.session.execute(query.group_by(ServiceRecord.category).order_by(ServiceRecord.category))]
    volunteers = db.session.scalar(select(func.count(func.distinct(ServiceRecord.volunteer_id))).where(
        ServiceRecord.community_id == community.id, ServiceRecord.status == CONFIRMED, _live(), *_in_year(year)))
    return {"minutes": sum(row[1] for row in per_category), "records": sum(row[2] for row in per_category),
            "volunteers": int(volunteers or 0), "per_category": sorted(per_category, key=lambda row: -row[1])}


def scanned_leaderboard(community, year=None, limit=20):
    query = (select(User.display_name, func.sum(ServiceRecord.minutes))
             .join(User, User.id == ServiceRecord.volunteer_id)
             .join(Membership, (Membership.user_id == ServiceRecord.volunteer_id)
                   & (Membership.community_id == ServiceRecord.community_id))
             .where(ServiceRecord.community_id == community.id, ServiceRecord.status == CONFIRMED, _live(),
                    Membership.public_consent.is_(True), *_in_year(year)))
    rows = db.session.execute(query.group_by(User.id, User.display_name).order_by(
        func.sum(ServiceRecord.minutes).desc(), User.id).limit(limit)).all()
    return [(name, int(minutes)) for name, minutes in rows]


def assert_reports_match_the_scans(community):
    for year in (None, 2025, 2026, 2027):
        assert reports.community_totals(community, year) == scanned_totals(community, year), year
        for limit in (20, 2):
            assert reports.leaderboard(community, year=year, limit=limit) == scanned_leaderboard(
                community, year, limit), (year, limit)


def totals_rows():
    return {(row.community_id, row.year, row.volunteer_id, row.category): (row.minutes, row.records)
            for row in db.session.scalars(select(ServiceTotal))}


def set_consent(user, community, value):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                            Membership.community_id == community.id))
    membership.public_consent = value
    db.session.commit()


# --- Each path -----------------------------------------------------------------------------------------------------


def test_a_confirmation_counts_the_record_and_a_rejection_or_a_pending_one_nothing(ledger):
    confirmed = ledger.confirmed(minutes=120)
    ledger.record(hours_ago=60, minutes=90)  # pending
    rejected = ledger.record(hours_ago=90, minutes=60)
    reject(rejected, ledger.c, ledger.coordinator, "不符")
    old = ledger.confirmed(hours_ago=YEAR_HOURS, minutes=60, category="ledger.mutual_help")

    assert totals_rows() == {
        (ledger.c.id, 2026, ledger.volunteer.id, "ledger.elder_care"): (120, 1),
        (ledger.c.id, 2025, ledger.volunteer.id, "ledger.mutual_help"): (60, 1),
    }
    assert (confirmed.activity_date.year, old.activity_date.year) == (2026, 2025)
    assert differences() == []


def test_a_correction_replaces_the_record_and_a_void_keeps_it_counted_with_zero_minutes(ledger):
    record = ledger.confirmed(minutes=120)
    amended = correct(record, ledger.c, ledger.coordinator, 90, "少算")
    key = (ledger.c.id, 2026, ledger.volunteer.id, "ledger.elder_care")
    assert totals_rows() == {key: (90, 1)}
    correct(amended, ledger.c, ledger.coordinator, 0, "重复记录")  # a void: a confirmed record of 0 minutes
    assert totals_rows() == {key: (0, 1)}
    assert differences() == []
    assert reports.community_totals(ledger.c)["volunteers"] == scanned_totals(ledger.c)["volunteers"] == 1


def test_bulk_confirmation_counts_every_record_in_one_statement(ledger, make):
    from timebank.testing import statements_during

    other = db.session.get(User, make.member("maple", "bulk.sum", role="volunteer"))
    records = [ledger.record(hours_ago=hours, minutes=60) for hours in (30, 54, YEAR_HOURS)]
    records += [ledger.record(volunteer=other, hours_ago=hours, minutes=30, category="ledger.community_service")
                for hours in (30, 54)]
    seen = statements_during(lambda: decide_many(ledger.c, ledger.coordinator, [r.id for r in records], "confirm"))
    assert len([s for s in seen if s.startswith("INSERT INTO ledger_service_total")]) == 1
    assert totals_rows() == {
        (ledger.c.id, 2026, ledger.volunteer.id, "ledger.elder_care"): (120, 2),
        (ledger.c.id, 2025, ledger.volunteer.id, "ledger.elder_care"): (60, 1),
        (ledger.c.id, 2026, other.id, "ledger.community_service"): (60, 2),
    }
    assert differences() == []


def test_automatic_confirmation_counts_the_record(ledger):
    record = ledger.record(minutes=90)
    with atomic():
        assert auto_confirm(record, ledger.c, "受助人已确认")
    assert totals_rows() == {(ledger.c.id, 2026, ledger.volunteer.id, "ledger.elder_care"): (90, 1)}
    assert differences() == []


def test_a_refused_confirmation_or_correction_leaves_the_totals_alone(ledger):
    from timebank.errors import TimebankError

    record = ledger.confirmed(minutes=120)
    before = totals_rows()
    with pytest.raises(TimebankError):
        confirm(db.session.get(ServiceRecord, record.id), ledger.c, ledger.admin)  # decided already
    db.session.rollback()
    with pytest.raises(TimebankError):
        correct(record, ledger.c, ledger.volunteer, 60, "自己改")  # nobody corrects their own
    db.session.rollback()
    assert totals_rows() == before
    assert differences() == []


def test_the_rebuild_gives_what_was_maintained(ledger, make):
    """The migration's and the generator's INSERT ... SELECT ... GROUP BY equals the values kept on every path."""
    other = db.session.get(User, make.member("maple", "rebuild.sum", role="volunteer"))
    first = ledger.confirmed(minutes=120)
    correct(first, ledger.c, ledger.coordinator, 60, "少算")
    voided = ledger.confirmed(hours_ago=YEAR_HOURS, minutes=90)
    correct(voided, ledger.c, ledger.coordinator, 0, "作废")
    ledger.confirmed(volunteer=other, hours_ago=54, minutes=30, category="ledger.mutual_help")
    reject(ledger.record(volunteer=other, hours_ago=80), ledger.c, ledger.coordinator, "不符")
    ledger.record(volunteer=other, hours_ago=100)
    maintained = totals_rows()
    assert len(maintained) == 3

    rebuild_service_totals(db.session.connection())
    db.session.commit()
    db.session.expire_all()

    assert totals_rows() == maintained


def test_verify_reports_totals_that_drifted(ledger):
    from timebank.ledger.verify import verify_ledger

    ledger.confirmed(minutes=120)
    assert verify_ledger() == []
    row = db.session.scalar(select(ServiceTotal))
    row.minutes = 100
    db.session.commit()
    problems = verify_ledger()
    assert len(problems) == 1 and "service totals" in problems[0] and "(100, 1)" in problems[0]


# --- The reports -------------------------------------------------------------------------------------------------


def test_leaderboard_and_totals_give_what_the_scans_of_the_records_gave(ledger, make):
    people = [ledger.volunteer] + [
        db.session.get(User, make.member("maple", f"board{n}", role="volunteer", display_name=f"志愿者{n}"))
        for n in range(4)]
    categories = ["ledger.elder_care", "ledger.community_service", "ledger.mutual_help"]
    for n, person in enumerate(people):
        for k, hours in enumerate((30, 60, YEAR_HOURS + 10, YEAR_HOURS + 40)):
            record = ledger.confirmed(volunteer=person, hours_ago=hours + n, minutes=30 + 15 * ((n + k) % 4),
                                      category=categories[(n + k) % 3])
            if (n + k) % 3 == 0:
                correct(record, ledger.c, ledger.admin, 20, "更正")
            elif (n + k) % 5 == 0:
                correct(record, ledger.c, ledger.admin, 0, "作废")
    ledger.confirmed(volunteer=people[4], hours_ago=200, minutes=60)  # ties, broken by the person
    ledger.record(volunteer=people[2], hours_ago=300, minutes=120)  # pending
    reject(ledger.record(volunteer=people[3], hours_ago=400), ledger.c, ledger.coordinator, "不符")
    assert differences() == []

    assert_reports_match_the_scans(ledger.c)  # nobody agreed to be shown: an empty leaderboard
    assert reports.leaderboard(ledger.c) == []
    for person in people[1:4]:
        set_consent(person, ledger.c, True)
    assert_reports_match_the_scans(ledger.c)
    assert len(reports.leaderboard(ledger.c)) == 3
    for person in people:
        set_consent(person, ledger.c, True)
    assert_reports_match_the_scans(ledger.c)
    set_consent(people[2], ledger.c, False)
    assert_reports_match_the_scans(ledger.c)
    assert reports.community_totals(ledger.c, 2025)["records"] == 10


def test_reports_of_one_community_leave_out_the_others(ledger, make, other_community):
    from timebank.communities.models import Community

    ledger.confirmed(minutes=120)
    oak = db.session.scalar(select(Community).where(Community.slug == "oak"))
    helper = db.session.get(User, make.member("oak", "oak.vol", role="volunteer"))
    set_consent(helper, oak, True)
    with atomic():
        from timebank.ledger.records import record_service

        from .conftest import NOW

        record = record_service(oak, helper, category="ledger.elder_care", activity_name="帮忙",
                                started_at=NOW.replace(hour=1), ended_at=NOW.replace(hour=2), actor=helper)
    confirm(record, oak, db.session.get(User, other_community["coordinator"]))
    assert reports.community_totals(ledger.c)["minutes"] == 120
    assert reports.community_totals(oak) == scanned_totals(oak) == {
        "minutes": 60, "records": 1, "volunteers": 1, "per_category": [("ledger.elder_care", 60, 1)]}
    assert reports.leaderboard(oak) == scanned_leaderboard(oak) == [(helper.display_name, 60)]
    assert differences() == []
