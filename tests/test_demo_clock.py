"""The demo loaded in the small hours of Beijing time: everything it tells as having happened (decisions,
confirmations, notifications, audit entries, menus saved...) happened before now. Only what is planned (shifts,
meals and visits of the coming days) lies ahead."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import DateTime, func, select

from timebank.clock import set_clock
from timebank.extensions import db

#: 17:52 UTC on Monday 23 November 2026 is 01:52 on Tuesday 24 November in Beijing: "today" began two hours ago,
#: and a fixed hour of today (06:00, 09:00...) is still to come.
NOW = datetime(2026, 11, 23, 17, 52, tzinfo=UTC)

#: Columns that say when something is planned to happen, or until when something holds, not when it happened.
PLANNED = {
    "qr_checkin_shift": {"starts_at", "ends_at"},
    "mutual_aid_agreement": {"agreed_for"},
    "repair_team_order": {"scheduled_at"},
    "elder_meals_round": {"starts_at"},  # (the departure planned; ``started_at`` is when it left)
    "elder_meals_sample": {"keep_until"},
    "honor_awards_notice": {"ends_at"},
}


@pytest.fixture
def app_config():
    return {"DEMO_MODE": True}


def _future_timestamps(now):
    """``{"table.column": latest value}`` of every date-and-time column holding a moment after ``now``."""
    found = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            kind = getattr(column.type, "impl", column.type)  # (``UTCDateTime`` decorates ``DateTime``)
            if not isinstance(kind, DateTime) or column.name in PLANNED.get(table.name, ()):
                continue
            latest = db.session.scalar(select(func.max(column)))
            if latest is not None and (latest if latest.tzinfo else latest.replace(tzinfo=UTC)) > now:
                found[f"{table.name}.{column.name}"] = latest
    return found


@pytest.mark.slow  # the demo's year of ledger entries takes many seconds to load
def test_the_demo_loaded_at_night_has_no_past_event_in_the_future(app, runner):
    set_clock(app, lambda: NOW)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        found = _future_timestamps(NOW)
        assert found == {}, "\n".join(f"{k}: {v}" for k, v in sorted(found.items()))
