"""Property-based tests: whatever sequence of credits, confirmations (one by one, in bulk, automatic), rejections,
corrections, gifts, donations and redemptions happens (many of them refused), the ledger sums to zero, every
balance equals the sum of its postings, no member's balance is negative or above the cap, the maintained service
totals equal a scan of the records (and so do the leaderboard and the community's totals), and ``verify`` finds
nothing."""

from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from timebank.communities.models import Membership
from timebank.errors import TimebankError
from timebank.extensions import db
from timebank.ledger import credits, reports
from timebank.ledger.accounts import atomic
from timebank.ledger.corrections import correct
from timebank.ledger.models import MEMBER_CREDITS, MEMBER_SERVICE, Account, Posting, ServiceRecord
from timebank.ledger.records import auto_confirm, confirm, decide_many, reject
from timebank.ledger.totals import differences
from timebank.ledger.verify import verify_ledger
from timebank.settings import save_settings

CATEGORIES = ["ledger.elder_care", "ledger.community_service", "ledger.staff_duty", "ledger.mutual_help"]

record_op = st.tuples(st.just("record"), st.integers(0, 2), st.integers(1, 2000),
                      st.one_of(st.integers(15, 300), st.integers(-10, 700)), st.sampled_from(CATEGORIES),
                      st.booleans())
operation = st.one_of(
    record_op, record_op, record_op,
    st.tuples(st.just("reject"), st.integers(0, 50)),
    st.tuples(st.just("bulk"), st.lists(st.integers(0, 50), min_size=1, max_size=6)),
    st.tuples(st.just("auto"), st.integers(0, 50)),
    st.tuples(st.just("correct"), st.integers(0, 50), st.integers(-5, 700)),
    st.tuples(st.just("gift"), st.integers(0, 2), st.integers(0, 2), st.integers(-30, 400)),
    st.tuples(st.just("gift"), st.integers(0, 2), st.integers(0, 2), st.integers(1, 60)),
    st.tuples(st.just("donate"), st.integers(0, 2), st.integers(-30, 400)),
    st.tuples(st.just("redeem"), st.integers(0, 2), st.integers(-30, 400)),
)

REDEMPTIONS = count()


def apply(ledger, people, op):
    kind = op[0]
    if kind == "record":
        _, who, hours_ago, minutes, category, confirm_it = op
        record = ledger.record(volunteer=people[who], hours_ago=hours_ago, minutes=minutes, category=category)
        if confirm_it:
            confirm(record, ledger.c, ledger.admin)
        return
    records = db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.id)).all()
    if kind == "bulk":
        if records:
            decide_many(ledger.c, ledger.coordinator, sorted({records[i % len(records)].id for i in op[1]}), "confirm")
        return
    if kind == "auto":
        if records:
            with atomic():
                auto_confirm(records[op[1] % len(records)], ledger.c, "测试自动确认")
        return
    if kind in ("reject", "correct"):
        if not records:
            return
        record = records[op[1] % len(records)]
        if kind == "reject":
            reject(record, ledger.c, ledger.admin, "测试拒绝")
        else:
            correct(record, ledger.c, ledger.admin, op[2], "测试更正")
    elif kind == "gift":
        credits.gift_credits(ledger.c, people[op[1]], people[op[2]], op[3], people[op[1]])
    elif kind == "donate":
        credits.donate_credits(ledger.c, people[op[1]], op[2], people[op[1]])
    else:
        with atomic():
            credits.redeem_credits(ledger.c, people[op[1]], op[2], people[op[1]], source=f"test:{next(REDEMPTIONS)}")


def check_invariants(ledger, cap_minutes):
    from .test_service_totals import scanned_leaderboard, scanned_totals

    assert verify_ledger() == []
    assert differences() == []
    for year in (None, 2026):
        assert reports.community_totals(ledger.c, year) == scanned_totals(ledger.c, year)
        assert reports.leaderboard(ledger.c, year=year, limit=2) == scanned_leaderboard(ledger.c, year, limit=2)
    for unit in ("service", "credits"):
        total = db.session.scalar(select(func.coalesce(func.sum(Account.balance), 0)).where(Account.unit == unit))
        assert total == 0
    for account in db.session.scalars(select(Account)):
        postings = db.session.scalar(select(func.coalesce(func.sum(Posting.amount), 0))
                                     .where(Posting.account_id == account.id))
        assert account.balance == postings
        if account.kind in (MEMBER_SERVICE, MEMBER_CREDITS):
            assert account.balance >= 0
        if account.kind == MEMBER_CREDITS:
            assert account.balance <= cap_minutes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=30))
def test_the_ledger_stays_consistent(ledger, make, operations):
    if not getattr(ledger, "people", None):
        save_settings("core_ledger", {"balance_cap_credits": 5, "gift_policy": "any_member"}, ledger.c, ledger.admin)
        extra = [db.session.get(type(ledger.volunteer), make.member("maple", f"person{i}", role="volunteer"))
                 for i in range(2)]
        ledger.people = [ledger.volunteer, *extra]
        for person in ledger.people[:2]:  # two of the three on the leaderboard
            db.session.scalar(select(Membership).where(Membership.user_id == person.id,
                                                       Membership.community_id == ledger.c.id)).public_consent = True
        db.session.commit()
    for op in operations:
        try:
            apply(ledger, ledger.people, op)
        except TimebankError:
            db.session.rollback()  # refused: nothing written, and the invariants must still hold
        check_invariants(ledger, cap_minutes=5 * 60)
