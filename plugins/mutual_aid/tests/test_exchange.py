"""The exchange's state machine, who may do what, and the credits moving exactly once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from timebank_plugins.mutual_aid import exchange, services

from timebank.errors import NotFound, PermissionDenied, ValidationFailed
from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank.ledger.verify import verify_ledger
from timebank.settings import save_settings

from .conftest import NOW


def credits(run, name):
    from timebank.ledger.accounts import member_balances

    return run(lambda c, u: member_balances(c.id, u[name].id)["credits"])


def agreed(run, when=NOW + timedelta(days=1), category="companionship", minutes=60, for_whom="mother"):
    """The daughter asks for a walk for her mother; the helper answers; the daughter accepts."""
    def steps(c, u):
        listing = services.post_listing(c, u["daughter"], u[for_whom], kind="request", category=category,
                                        title="陪妈妈散步", expected_minutes=minutes, when_text="周二上午")
        response = services.respond(listing, c, u["helper"], u["helper"], "我有空")
        return services.accept(listing, c, u["daughter"], response, when).id

    return run(steps)


def complete(run, agreement_id, actor="daughter", minutes=60, rating=5):
    return run(lambda c, u: exchange.complete(services.agreement_in(c, agreement_id), c, u[actor], minutes,
                                              rating).status)


def test_request_for_a_relative_answer_accept_complete(run, clock):
    agreement_id = agreed(run)
    clock.move(days=1, hours=2)
    assert complete(run, agreement_id) == "completed"
    assert credits(run, "mother") == 60 and credits(run, "helper") == 60
    assert run(lambda c, u: db.session.scalar(select(ServiceRecord.status).where(
        ServiceRecord.source == f"mutual_aid:agreement-{agreement_id}"))) == "confirmed"
    assert run(lambda c, u: verify_ledger()) == []


def test_a_double_submitted_confirmation_moves_credits_once(run, clock):
    agreement_id = agreed(run)
    clock.move(days=1, hours=2)
    complete(run, agreement_id)
    with pytest.raises(ValidationFailed, match="already been confirmed"):
        complete(run, agreement_id)
    assert credits(run, "mother") == 60 and credits(run, "helper") == 60
    assert run(lambda c, u: db.session.scalar(select(func.count(ServiceRecord.id)).where(
        ServiceRecord.category == "mutual_aid.service"))) == 1


def test_not_enough_credits_is_refused_and_nothing_is_written(run, clock):
    agreement_id = agreed(run, minutes=180)
    clock.move(days=1, hours=4)
    with pytest.raises(ValidationFailed, match="not enough"):
        complete(run, agreement_id, minutes=180)
    assert credits(run, "mother") == 120
    assert run(lambda c, u: services.agreement_in(c, agreement_id).status) == "agreed"
    assert run(lambda c, u: db.session.scalar(select(func.count(ServiceRecord.id)).where(
        ServiceRecord.category == "mutual_aid.service"))) == 0


def test_a_priority_elder_is_paid_for_by_the_donation_pool(run, clock):
    from timebank.ledger.credits import community_pool_balance, donate_credits

    run(lambda c, u: donate_credits(c, u["daughter"], 60, u["daughter"]))
    run(lambda c, u: services.update_profile(c, u["coordinator"], u["mother"], priority_elder=True))
    agreement_id = agreed(run)
    clock.move(days=1, hours=2)
    complete(run, agreement_id)
    assert credits(run, "mother") == 120  # her own credits untouched
    assert run(lambda c, u: community_pool_balance(c)) == 0
    assert run(lambda c, u: services.agreement_in(c, agreement_id).paid_from_pool)


def test_the_pool_never_pays_for_others(run, clock):
    from timebank.ledger.credits import community_pool_balance, donate_credits

    run(lambda c, u: donate_credits(c, u["daughter"], 60, u["daughter"]))
    agreement_id = agreed(run)
    clock.move(days=1, hours=2)
    complete(run, agreement_id)
    assert run(lambda c, u: community_pool_balance(c)) == 60 and credits(run, "mother") == 60


def test_only_the_side_helped_confirms(run, clock):
    agreement_id = agreed(run)
    clock.move(days=1, hours=2)
    with pytest.raises(PermissionDenied):
        complete(run, agreement_id, actor="helper")
    with pytest.raises(PermissionDenied):
        complete(run, agreement_id, actor="stranger")
    assert complete(run, agreement_id, actor="mother") == "completed"


def test_help_cannot_be_confirmed_before_it_happened(run, clock):
    agreement_id = agreed(run)
    with pytest.raises(ValidationFailed, match="once it has happened"):
        complete(run, agreement_id)


def test_strangers_cannot_post_or_accept_for_someone(run):
    with pytest.raises(PermissionDenied):
        run(lambda c, u: services.post_listing(c, u["stranger"], u["mother"], kind="request", category="errands",
                                               title="代买菜", expected_minutes=30))


def test_only_volunteers_offer_help(run):
    with pytest.raises(ValidationFailed):
        run(lambda c, u: services.post_listing(c, u["mother"], u["mother"], kind="offer", category="culture",
                                               title="教剪纸", expected_minutes=60))


def test_a_suspended_member_is_kept_out(run):
    run(lambda c, u: services.update_profile(c, u["coordinator"], u["stranger"], suspended=True, note="多次爽约"))
    with pytest.raises(PermissionDenied):
        run(lambda c, u: services.post_listing(c, u["stranger"], u["stranger"], kind="request", category="errands",
                                               title="买菜", expected_minutes=30))
    with pytest.raises(ValidationFailed):
        run(lambda c, u: services.update_profile(c, u["coordinator"], u["helper"], suspended=True, note=""))


def test_cancelling_opens_the_post_again(run, clock):
    agreement_id = agreed(run)
    run(lambda c, u: exchange.cancel(services.agreement_in(c, agreement_id), c, u["helper"], "临时有事"))
    assert run(lambda c, u: services.agreement_in(c, agreement_id).listing.status) == "open"
    with pytest.raises(ValidationFailed):
        complete(run, agreement_id)


def test_with_the_coordinator_policy_credits_move_when_the_coordinator_confirms(run, clock):
    run(lambda c, u: save_settings("mutual_aid", {"needs_coordinator": True}, c, u["coordinator"]))
    agreement_id = agreed(run)
    clock.move(days=1, hours=2)
    assert complete(run, agreement_id) == "awaiting"
    assert credits(run, "helper") == 0
    run(lambda c, u: exchange.confirm_by_coordinator(services.agreement_in(c, agreement_id), c, u["coordinator"]))
    assert credits(run, "helper") == 60 and credits(run, "mother") == 60


def test_spending_age_policy(run, clock):
    run(lambda c, u: save_settings("mutual_aid", {"spend_min_age": 60}, c, u["coordinator"]))
    agreement_id = agreed(run, for_whom="daughter")  # the daughter has no gifted credits and no birth year
    clock.move(days=1, hours=2)
    with pytest.raises(ValidationFailed, match="may not spend"):
        complete(run, agreement_id, actor="daughter")
    # The mother spends credits her daughter gave her, whatever her age.
    second = agreed(run, when=NOW + timedelta(days=3))
    clock.move(days=3)
    assert complete(run, second) == "completed"


def test_categories_outside_the_paid_list_record_hours_but_move_no_credits(run, clock):
    run(lambda c, u: save_settings("mutual_aid", {"credit_categories": "teaching"}, c, u["coordinator"]))
    agreement_id = agreed(run)
    clock.move(days=1, hours=2)
    complete(run, agreement_id)
    assert credits(run, "mother") == 120 and credits(run, "helper") == 0
    from timebank.ledger.accounts import member_balances

    assert run(lambda c, u: member_balances(c.id, u["helper"].id)["service"]) == 60


def test_reminders_the_day_before(run, clock, runner):
    agreed(run, when=NOW + timedelta(days=1))
    result = runner.invoke(args=["mutual-aid", "remind"])
    assert result.exit_code == 0 and "1 exchanges reminded" in result.output
    assert "0 exchanges" in runner.invoke(args=["mutual-aid", "remind"]).output


def test_another_communitys_agreement_is_not_found(run, make):
    agreement_id = agreed(run)
    make.community("oak", "橡树社区")

    def look(c, u):
        from timebank.communities.models import Community

        oak = db.session.scalar(select(Community).where(Community.slug == "oak"))
        services.agreement_in(oak, agreement_id)

    with pytest.raises(NotFound):
        run(look)


def test_confirmed_relatives_either_way_round_in_name_order(run):
    """The person acts for members linked to them by a confirmed relation, whichever of the two named the other;
    a relation still waiting for the coordinator does not count."""
    from timebank_plugins.mutual_aid.services import confirmed_relatives

    from timebank.ledger import credits

    def link(c, u):
        named = credits.name_relative(c, u["helper"], u["daughter"], "child", u["helper"])  # the daughter is named
        credits.decide_relative(c, named, u["coordinator"], True)
        credits.name_relative(c, u["stranger"], u["daughter"], "other", u["stranger"])  # not confirmed
        return ([p.username for p in confirmed_relatives(c, u["daughter"])],
                [p.username for p in confirmed_relatives(c, u["mother"])],
                [p.username for p in confirmed_relatives(c, u["stranger"])])

    daughters, mothers, strangers = run(link)
    assert daughters == ["mother", "helper"]  # by name: 刘奶奶 before 陈志强
    assert mothers == ["daughter"]
    assert strangers == []
