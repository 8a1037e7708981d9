""""My hours" reads its summary and its monthly chart in one statement (``reports.hours_overview``): they must be
what the summary (``summary_for``) and the confirmed records of each month say."""

from collections import Counter
from datetime import date

from timebank.ledger import reports
from timebank.ledger.corrections import correct
from timebank.ledger.models import ServiceRecord
from timebank.testing import statements_during


def months_from_the_records(ledger, volunteer, starts):
    """The confirmed minutes per month, from the records themselves (a correction replaces what it corrects)."""
    from timebank.extensions import db

    records = db.session.scalars(db.select(ServiceRecord).where(ServiceRecord.volunteer_id == volunteer.id)).all()
    replaced = {record.corrects_id for record in records if record.corrects_id}
    totals = Counter()
    for record in records:
        if record.status == "confirmed" and record.id not in replaced and record.activity_date >= starts[0]:
            totals[date(record.activity_date.year, record.activity_date.month, 1)] += record.minutes
    return [(start, totals[start]) for start in starts]


def test_the_overview_is_the_summary_and_the_months_of_the_records(app, ledger):
    for days_ago, minutes in ((1, 120), (2, 45), (40, 90), (75, 30), (400, 300)):  # the last one: over a year ago
        ledger.confirmed(hours_ago=24 * days_ago, minutes=minutes)
    ledger.record(hours_ago=24 * 3, minutes=60)  # pending: in the summary, not in the chart
    corrected = ledger.confirmed(hours_ago=24 * 50, minutes=100)
    correct(corrected, ledger.c, ledger.coordinator, 70, "Left earlier")

    seen = statements_during(lambda: reports.hours_overview(ledger.c, ledger.volunteer), app)
    summary, months = reports.hours_overview(ledger.c, ledger.volunteer)
    assert len(seen) == 1
    assert summary == reports.summary_for(ledger.c, ledger.volunteer)
    assert summary.pending_minutes == 60 and summary.pending_count == 1
    assert len(months) == 12 and months == months_from_the_records(ledger, ledger.volunteer,
                                                                    [start for start, _ in months])
    assert len([minutes for _start, minutes in months if minutes]) == 3  # this month, last month, 75 days ago


def test_a_person_without_confirmed_hours_still_gets_a_summary_and_twelve_empty_months(app, ledger):
    ledger.record(volunteer=ledger.coordinator, hours_ago=24, minutes=30)  # pending only
    summary, months = reports.hours_overview(ledger.c, ledger.coordinator)
    assert summary == reports.summary_for(ledger.c, ledger.coordinator) and summary.pending_minutes == 30
    assert [minutes for _start, minutes in months] == [0] * 12
    assert months[-1][0] == date(reports.local_today(ledger.c).year, reports.local_today(ledger.c).month, 1)
