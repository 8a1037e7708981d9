"""Time-bank credits (earning, caps, gifts, donations, spending) and corrections of confirmed records."""

import pytest
from sqlalchemy import select

from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.extensions import db
from timebank.ledger import credits
from timebank.ledger.accounts import LedgerRejected, atomic, balance_of, member_balances
from timebank.ledger.corrections import correct, decline_request, request_correction
from timebank.ledger.models import DONATIONS, CorrectionRequest, ServiceRecord
from timebank.ledger.verify import verify_ledger
from timebank.settings import save_settings


def balances(ledger, user=None):
    return member_balances(ledger.c.id, (user or ledger.volunteer).id)


def policy(ledger, **values):
    save_settings("core_ledger", values, ledger.c, ledger.admin)


def confirmed_relative(ledger, member, relative):
    named = credits.name_relative(ledger.c, member, relative, "parent", member)
    credits.decide_relative(ledger.c, named, ledger.coordinator, True)
    return named


@pytest.fixture
def other_volunteer(ledger, make):
    return db.session.get(type(ledger.volunteer), make.member("maple", "mum", role="volunteer",
                                                              display_name="陈妈妈"))


def test_credits_follow_the_community_rate(ledger):
    policy(ledger, credit_rate_percent=50)
    ledger.confirmed(minutes=120)
    assert balances(ledger) == {"service": 120, "credits": 60}


def test_the_community_chooses_which_categories_earn(ledger):
    policy(ledger, credit_categories="ledger.community_service")
    ledger.confirmed(minutes=60, category="ledger.community_service")
    ledger.confirmed(hours_ago=60, minutes=60, category="ledger.elder_care")
    assert balances(ledger) == {"service": 120, "credits": 60}


def test_credits_above_the_cap_go_to_the_donation_pool(ledger):
    policy(ledger, balance_cap_credits=1)
    ledger.confirmed(minutes=90)
    assert balances(ledger)["credits"] == 60
    assert balance_of(ledger.c.id, DONATIONS, 0) == 30
    assert verify_ledger() == []


def test_daily_credit_cap(ledger):
    policy(ledger, daily_credit_cap=1)
    ledger.confirmed(hours_ago=40, minutes=60)
    ledger.confirmed(hours_ago=36, minutes=60)  # the same day in Shanghai
    assert balances(ledger) == {"service": 120, "credits": 60}


def test_bulk_confirmation_keeps_the_daily_credit_cap_with_earlier_and_corrected_entries(ledger, other_volunteer):
    """The queue's bulk confirmation counts what the volunteer already earned that day (after corrections) and
    what earlier entries of the same batch earn."""
    from timebank.ledger.records import decide_many

    policy(ledger, daily_credit_cap=2)
    first = ledger.confirmed(hours_ago=44, minutes=90)  # 90 credits that day
    correct(first, ledger.c, ledger.coordinator, 60, "实际一小时")  # now 60
    same_day = [ledger.record(hours_ago=40, minutes=60), ledger.record(hours_ago=36, minutes=60)]
    elsewhere = ledger.record(volunteer=other_volunteer, hours_ago=40, minutes=60)
    done, skipped = decide_many(ledger.c, ledger.coordinator, [r.id for r in [*same_day, elsewhere]], "confirm")
    assert (len(done), skipped) == (3, [])
    assert balances(ledger) == {"service": 180, "credits": 120}  # 60 + 60, then the cap: nothing for the last
    assert balances(ledger, other_volunteer) == {"service": 60, "credits": 60}
    assert verify_ledger() == []


def test_switching_credits_off(ledger):
    policy(ledger, credits_enabled=False)
    ledger.confirmed()
    assert balances(ledger) == {"service": 120, "credits": 0}


def test_gift_to_a_confirmed_relative(ledger, other_volunteer):
    ledger.confirmed(minutes=120)
    with pytest.raises(ValidationFailed, match="confirmed"):
        credits.gift_credits(ledger.c, ledger.volunteer, other_volunteer, 60, ledger.volunteer)
    confirmed_relative(ledger, ledger.volunteer, other_volunteer)
    credits.gift_credits(ledger.c, ledger.volunteer, other_volunteer, 60, ledger.volunteer)
    assert balances(ledger) == {"service": 120, "credits": 60}  # service hours are never spent
    assert balances(ledger, other_volunteer) == {"service": 0, "credits": 60}
    assert verify_ledger() == []


@pytest.mark.parametrize("amount", [0, -60, "x", 10**9])
def test_bad_gift_amounts(ledger, other_volunteer, amount):
    ledger.confirmed()
    confirmed_relative(ledger, ledger.volunteer, other_volunteer)
    with pytest.raises(ValidationFailed):
        credits.gift_credits(ledger.c, ledger.volunteer, other_volunteer, amount, ledger.volunteer)
    assert balances(ledger)["credits"] == 120


def test_a_gift_beyond_the_balance_writes_nothing(ledger, other_volunteer):
    ledger.confirmed(minutes=60)
    confirmed_relative(ledger, ledger.volunteer, other_volunteer)
    with pytest.raises(LedgerRejected, match="not enough"):
        credits.gift_credits(ledger.c, ledger.volunteer, other_volunteer, 61, ledger.volunteer)
    assert balances(ledger)["credits"] == 60 and balances(ledger, other_volunteer)["credits"] == 0
    assert verify_ledger() == []


def test_a_gift_may_not_push_the_receiver_above_the_cap(ledger, other_volunteer):
    policy(ledger, balance_cap_credits=2)
    ledger.confirmed(minutes=120)
    ledger.confirmed(volunteer=other_volunteer, minutes=120)
    confirmed_relative(ledger, ledger.volunteer, other_volunteer)
    with pytest.raises(LedgerRejected, match="most credits"):
        credits.gift_credits(ledger.c, ledger.volunteer, other_volunteer, 30, ledger.volunteer)


def test_no_gift_to_oneself(ledger):
    ledger.confirmed()
    with pytest.raises(ValidationFailed):
        credits.gift_credits(ledger.c, ledger.volunteer, ledger.volunteer, 30, ledger.volunteer)


def test_any_member_gift_policy_and_gifts_switched_off(ledger, other_volunteer):
    ledger.confirmed()
    policy(ledger, gift_policy="any_member")
    credits.gift_credits(ledger.c, ledger.volunteer, other_volunteer, 30, ledger.volunteer)
    policy(ledger, gift_policy="off")
    with pytest.raises(PermissionDenied):
        credits.gift_credits(ledger.c, ledger.volunteer, other_volunteer, 30, ledger.volunteer)


def test_a_gift_to_another_communitys_member_is_refused(ledger, other_community):
    ledger.confirmed()
    policy(ledger, gift_policy="any_member")
    stranger = db.session.get(type(ledger.volunteer), other_community["resident"])
    with pytest.raises(ValidationFailed):
        credits.gift_credits(ledger.c, ledger.volunteer, stranger, 30, ledger.volunteer)


def test_naming_relatives(ledger, other_volunteer):
    with pytest.raises(ValidationFailed):
        credits.name_relative(ledger.c, ledger.volunteer, ledger.volunteer, "parent", ledger.volunteer)
    with pytest.raises(ValidationFailed):
        credits.name_relative(ledger.c, ledger.volunteer, other_volunteer, "cousin-in-law", ledger.volunteer)
    named = credits.name_relative(ledger.c, ledger.volunteer, other_volunteer, "parent", ledger.volunteer)
    with pytest.raises(ValidationFailed):
        credits.name_relative(ledger.c, ledger.volunteer, other_volunteer, "parent", ledger.volunteer)
    with pytest.raises(PermissionDenied):
        credits.decide_relative(ledger.c, named, ledger.volunteer, True)
    credits.decide_relative(ledger.c, named, ledger.coordinator, False)
    assert named.status == "rejected"


def test_donations_go_to_the_pool(ledger):
    ledger.confirmed(minutes=120)
    credits.donate_credits(ledger.c, ledger.volunteer, 90, ledger.volunteer)
    assert balances(ledger)["credits"] == 30
    assert credits.community_pool_balance(ledger.c) == 90


def test_spending_credits_for_a_service_is_recorded_once(ledger):
    ledger.confirmed(minutes=120)
    with atomic():
        credits.redeem_credits(ledger.c, ledger.volunteer, 60, ledger.volunteer, source="mutual_aid:agreement-1")
    with pytest.raises(LedgerRejected, match="already been recorded"), atomic():
        credits.redeem_credits(ledger.c, ledger.volunteer, 60, ledger.volunteer, source="mutual_aid:agreement-1")
    assert balances(ledger) == {"service": 120, "credits": 60}


# --- corrections ------------------------------------------------------------------------------------------------


def test_a_correction_reverses_and_replaces(ledger):
    record = ledger.confirmed(minutes=120)
    amended = correct(record, ledger.c, ledger.coordinator, 60, "签退时间记错")
    assert amended.corrects_id == record.id and amended.status == "confirmed"
    assert db.session.get(ServiceRecord, record.id).minutes == 120  # the original is never changed
    assert balances(ledger) == {"service": 60, "credits": 60}
    assert verify_ledger() == []


def test_voiding_frees_the_time_and_counts_nothing(ledger):
    record = ledger.confirmed(minutes=120)
    correct(record, ledger.c, ledger.coordinator, 0, "重复记录")
    assert balances(ledger) == {"service": 0, "credits": 0}
    ledger.record(minutes=120)  # the time range is free again


def test_a_record_is_corrected_once(ledger):
    record = ledger.confirmed(minutes=120)
    amended = correct(record, ledger.c, ledger.coordinator, 90, "第一次更正")
    with pytest.raises(ValidationFailed):
        correct(db.session.get(ServiceRecord, record.id), ledger.c, ledger.coordinator, 60, "又一次")
    correct(amended, ledger.c, ledger.coordinator, 60, "更正的更正")
    assert balances(ledger)["service"] == 60


@pytest.mark.parametrize(("minutes", "reason"), [(-1, "x"), (121 + 60, "x"), (120, "x"), (60, " ")])
def test_bad_corrections(ledger, minutes, reason):
    record = ledger.confirmed(minutes=120)
    with pytest.raises(ValidationFailed):
        correct(record, ledger.c, ledger.coordinator, minutes, reason)
    assert balances(ledger)["service"] == 120


def test_only_staff_correct_and_not_their_own(ledger):
    record = ledger.confirmed(minutes=120)
    with pytest.raises(PermissionDenied):
        correct(record, ledger.c, ledger.volunteer, 60, "我自己改")
    from timebank.ledger.records import confirm

    own = confirm(ledger.record(volunteer=ledger.coordinator, hours_ago=60), ledger.c, ledger.admin)
    with pytest.raises(PermissionDenied):
        correct(own, ledger.c, ledger.coordinator, 60, "改自己的")


def test_spent_credits_are_written_off_not_driven_below_zero(ledger, other_volunteer):
    record = ledger.confirmed(minutes=120)
    confirmed_relative(ledger, ledger.volunteer, other_volunteer)
    credits.gift_credits(ledger.c, ledger.volunteer, other_volunteer, 100, ledger.volunteer)
    correct(record, ledger.c, ledger.coordinator, 30, "实际半小时")
    assert balances(ledger) == {"service": 30, "credits": 30}
    assert verify_ledger() == []


def test_correction_requests(ledger):
    record = ledger.confirmed(minutes=120)
    pending = ledger.record(hours_ago=60)
    with pytest.raises(ValidationFailed):
        request_correction(pending, ledger.c, ledger.volunteer, "还没确认")
    request = request_correction(record, ledger.c, ledger.volunteer, "我服务了三个小时", 180)
    with pytest.raises(ValidationFailed):
        request_correction(record, ledger.c, ledger.volunteer, "再问一次")
    with pytest.raises(NotFound):
        request_correction(record, ledger.c, ledger.coordinator, "不是我的记录")
    decline_request(request, ledger.c, ledger.coordinator, "签到表显示两小时")
    assert request.status == "declined"
    again = request_correction(record, ledger.c, ledger.volunteer, "有照片为证", 90)
    correct(record, ledger.c, ledger.coordinator, 90, "按照片更正", request=again)
    assert db.session.scalar(select(CorrectionRequest.status).where(CorrectionRequest.id == again.id)) == "corrected"
    assert balances(ledger)["service"] == 90


# --- transfers between neighbours (mutual aid) and automatic confirmation ----------------------------------------


def test_a_transfer_moves_credits_from_the_recipient_to_the_helper_once(ledger, other_volunteer):
    ledger.confirmed(volunteer=other_volunteer, minutes=120)  # the recipient has two credits
    with atomic():
        credits.transfer_credits(ledger.c, other_volunteer, ledger.volunteer, 90, other_volunteer,
                                 source="mutual_aid:agreement-1")
    assert balances(ledger, other_volunteer)["credits"] == 30 and balances(ledger)["credits"] == 90
    with pytest.raises(LedgerRejected, match="already been recorded"), atomic():
        credits.transfer_credits(ledger.c, other_volunteer, ledger.volunteer, 30, other_volunteer,
                                 source="mutual_aid:agreement-1")
    assert verify_ledger() == []


def test_a_transfer_beyond_the_balance_is_refused_unless_an_overdraft_is_allowed(ledger, other_volunteer):
    ledger.confirmed(volunteer=other_volunteer, minutes=60)
    with pytest.raises(LedgerRejected, match="not enough"), atomic():
        credits.transfer_credits(ledger.c, other_volunteer, ledger.volunteer, 90, other_volunteer, source="x:1")
    assert balances(ledger, other_volunteer)["credits"] == 60
    with atomic():
        credits.transfer_credits(ledger.c, other_volunteer, ledger.volunteer, 90, other_volunteer, source="x:2",
                                 overdraft_minutes=60)
    assert balances(ledger, other_volunteer)["credits"] == -30
    assert verify_ledger() == []  # an overdraft the policy allows is not an inconsistency


def test_the_donation_pool_pays_for_a_priority_elder(ledger, other_volunteer):
    ledger.confirmed(minutes=120)
    credits.donate_credits(ledger.c, ledger.volunteer, 120, ledger.volunteer)
    with atomic():
        credits.transfer_credits(ledger.c, None, other_volunteer, 60, ledger.coordinator, source="x:pool-1",
                                 from_pool=True)
    assert credits.community_pool_balance(ledger.c) == 60
    assert balances(ledger, other_volunteer)["credits"] == 60
    with pytest.raises(LedgerRejected, match="pool"), atomic():
        credits.transfer_credits(ledger.c, None, other_volunteer, 61, ledger.coordinator, source="x:pool-2",
                                 from_pool=True)


def test_auto_confirmation_by_policy(ledger):
    from timebank.ledger.records import auto_confirm

    record = ledger.record(minutes=60, category="ledger.mutual_help")
    with atomic():
        assert auto_confirm(record, ledger.c, "the recipient confirmed the service")
    assert record.status == "confirmed" and record.decided_by_id is None
    assert balances(ledger) == {"service": 60, "credits": 60}
    big = ledger.record(hours_ago=60, minutes=600)
    with atomic():
        assert auto_confirm(big, ledger.c, "policy") is False  # above the daily limit: a person decides
    assert big.status == "pending"
