"""Query plans that must hold with a district's statistics. SQLite's ANALYZE (and PRAGMA optimize) counts the NULLs
of an index as one shared value: with 400,000 records and a handful of corrections, the unique index on
``corrects_id`` looks useless and "which record corrected this one" scanned the table (70 ms)."""

import pytest
from sqlalchemy import select

from timebank.ledger.models import ServiceRecord
from timebank.testing import sqlite_plan_at_district_scale


def test_the_correction_of_a_record_is_found_through_an_index(app):
    with app.app_context():
        plan = sqlite_plan_at_district_scale(  # the statement of corrections.corrected_by
            "ledger_service_record", select(ServiceRecord).where(ServiceRecord.corrects_id == 12345), "corrects_id")
    if plan is None:
        pytest.skip("PostgreSQL's statistics know the share of NULLs")
    assert "ix_ledger_service_record_corrects" in plan and "SCAN ledger_service_record" not in plan
