"""Subsidy tiers: the age on the meal date (birthdays, leap days), welfare status changes, one subsidised portion,
the delivery fee, and the policy's parsing."""

from datetime import date

import pytest
from timebank_plugins.elder_meals import enrolment, orders, policy
from timebank_plugins.elder_meals.models import Order

from timebank.errors import ValidationFailed
from timebank.extensions import db
from timebank.settings import save_settings

from .conftest import THURSDAY, TUESDAY, WEDNESDAY, order


def test_age_on_counts_whole_years_and_leap_day_birthdays():
    assert policy.age_on(date(1951, 11, 25), date(2026, 11, 24)) == 74
    assert policy.age_on(date(1951, 11, 25), date(2026, 11, 25)) == 75
    assert policy.age_on(date(1952, 2, 29), date(2027, 2, 28)) == 74
    assert policy.age_on(date(1952, 2, 29), date(2027, 3, 1)) == 75


@pytest.mark.parametrize("age, status, expected", [
    (59, "none", (0, "none")),
    (59, "subsistence", (0, "none")),  # statuses count from the youngest bracket's age on
    (60, "none", (100, "age:60")),
    (74, "none", (100, "age:60")),
    (75, "none", (500, "age:75")),
    (84, "none", (500, "age:75")),
    (85, "none", (800, "age:85")),
    (94, "none", (800, "age:85")),
    (95, "none", (900, "age:95")),
    (62, "subsistence", (800, "status:subsistence")),
    (62, "extreme_poverty", (900, "status:extreme_poverty")),
    (62, "solo", (100, "age:60")),  # living alone is a priority for delivery, not a subsidy tier
    (85, "disabled", (800, "status:disabled")),  # a tie goes to the status
    (96, "subsistence", (900, "age:95")),
])
def test_default_tiers_of_domain_md(app, age, status, expected):
    with app.app_context():
        rules = policy.MealPolicy(
            dinner_enabled=False, cutoff_days_before=1, cutoff_time=policy.parse_clock_time("18:00"),
            age_subsidies=policy.parse_age_subsidies(policy.DEFAULT_AGE_SUBSIDIES),
            status_subsidies=policy.parse_status_subsidies(policy.DEFAULT_STATUS_SUBSIDIES), delivery_fee_fen=200,
            free_delivery_statuses=frozenset(), max_portions=2, default_capacity=60, round_group="grid",
            round_max_minutes=120, sample_hours=48, canteen_name="食堂")
    assert policy.subsidy_tier(rules, age, status) == expected


def test_the_new_tier_applies_from_the_75th_birthday(app, ctx, meals, clock):
    tuesday = order(ctx, "son", TUESDAY)
    wednesday = order(ctx, "son", WEDNESDAY)
    with app.app_context():
        before, on_birthday = db.session.get(Order, tuesday), db.session.get(Order, wednesday)
        assert (before.tier, before.subsidy_fen) == ("age:60", 100)
        assert (on_birthday.tier, on_birthday.subsidy_fen) == ("age:75", 500)
        # ¥13 meal, ¥2 delivery: ¥14 to pay on Tuesday, ¥10 from Wednesday
        assert (before.due_fen, on_birthday.due_fen) == (1400, 1000)


def test_a_status_change_reprices_the_orders_from_its_date_only(app, ctx, meals, clock):
    ids = [order(ctx, "son", day) for day in (TUESDAY, WEDNESDAY, THURSDAY)]
    changed = ctx(lambda c, users, elder: enrolment.change_status(c, users["coord"], elder, "extreme_poverty",
                                                                  WEDNESDAY))
    assert changed == 2
    with app.app_context():
        tiers = [(db.session.get(Order, i).tier, db.session.get(Order, i).subsidy_fen) for i in ids]
    assert tiers == [("age:60", 100), ("status:extreme_poverty", 900), ("status:extreme_poverty", 900)]
    # The history decides, not the order of entry: a change back dated Thursday keeps Wednesday's status.
    ctx(lambda c, users, elder: enrolment.change_status(c, users["coord"], elder, "none", THURSDAY))
    with app.app_context():
        assert [db.session.get(Order, i).subsidy_fen for i in ids] == [100, 900, 500]


def test_the_week_of_statuses_is_what_each_day_says(app, ctx, meals, clock):
    """``statuses_on`` (the order page's week, one read) gives each day what ``status_on`` gives it: before the
    first change, between changes, a change recorded later for an earlier date, and an elder with no change."""
    from datetime import timedelta

    from timebank_plugins.elder_meals import pricing

    days = [TUESDAY + timedelta(days=offset) for offset in range(-9, 12)]

    def both(c, users, elder):
        return [pricing.status_on(elder, day) for day in days], pricing.statuses_on(elder, days)

    sunday = TUESDAY + timedelta(days=5)
    # Enrolled on Monday with no status; then, in the order recorded (what each day says after each change):
    steps = (("subsistence", THURSDAY, lambda day: "subsistence" if day >= THURSDAY else "none"),
             ("extreme_poverty", sunday + timedelta(days=1), lambda day: "extreme_poverty" if day > sunday
              else "subsistence" if day >= THURSDAY else "none"),
             ("none", WEDNESDAY, lambda day: "none"),  # recorded last from Wednesday: it replaces both from then on
             ("disabled", TUESDAY - timedelta(days=3), lambda day: "disabled"))  # before every change: the earliest
    distinct = 0
    for status, valid_from, expected in steps:
        ctx(lambda c, users, elder, status=status, valid_from=valid_from: enrolment.change_status(
            c, users["coord"], elder, status, valid_from))
        each, week = ctx(both)
        assert [week[day] for day in days] == each == [expected(day) for day in days], status
        distinct = max(distinct, len(set(each)))
    assert distinct >= 3  # the week crossed several statuses

    def without_changes(c, users, elder):
        from timebank_plugins.elder_meals.models import StatusChange

        db.session.query(StatusChange).filter_by(elder_id=elder.id).delete()
        return pricing.status_on(elder, TUESDAY), pricing.statuses_on(elder, [TUESDAY])

    assert ctx(without_changes) == ("none", {TUESDAY: "none"})


def test_a_status_needs_consent(app, ctx, meals, clock):
    def without_consent(c, users, elder):
        from timebank_plugins.elder_meals.models import Elder

        other = db.session.get(Elder, meals["elder2_id"])
        enrolment.change_status(c, users["coord"], other, "subsistence", TUESDAY)

    with pytest.raises(ValidationFailed, match="consent"):
        ctx(without_consent)


def test_withdrawing_consent_erases_notes_and_drops_the_status_from_today(app, ctx, meals, clock):
    ctx(lambda c, users, elder: enrolment.change_status(c, users["coord"], elder, "subsistence", date(2026, 11, 1)))
    tuesday = order(ctx, "son", TUESDAY)
    with app.app_context():
        assert db.session.get(Order, tuesday).tier == "status:subsistence"
    ctx(lambda c, users, elder: enrolment.withdraw_consent(c, users["elder"], elder))

    def check(c, users, elder):
        assert elder.diet_notes == "" and elder.consent_at is None
        assert db.session.get(Order, tuesday).tier == "age:60"

    ctx(check)


def test_only_the_first_portion_is_subsidised_and_free_delivery_statuses(app, ctx, meals, clock):
    two = order(ctx, "son", TUESDAY, portions=2)
    with app.app_context():
        placed = db.session.get(Order, two)
        assert (placed.total_fen, placed.due_fen) == (13 * 2 * 100 + 200, 13 * 2 * 100 + 200 - 100)
    ctx(lambda c, users, elder: save_settings("elder_meals", {"free_delivery_statuses": "extreme_poverty"}, c))
    ctx(lambda c, users, elder: enrolment.change_status(c, users["coord"], elder, "extreme_poverty", WEDNESDAY))
    wednesday = order(ctx, "son", WEDNESDAY)
    with app.app_context():
        assert db.session.get(Order, wednesday).delivery_fee_fen == 0


def test_subsidy_never_exceeds_the_price(app, ctx, meals, clock):
    ctx(lambda c, users, elder: save_settings("elder_meals", {"age_subsidies": "60:20"}, c))
    placed = order(ctx, "son", TUESDAY, mode="pickup")
    with app.app_context():
        assert db.session.get(Order, placed).due_fen == 0


@pytest.mark.parametrize("text, field", [
    ("60:1, 60:5", "age_subsidies"), ("sixty:1", "age_subsidies"), ("60:-1", "age_subsidies"),
    ("60:1.234", "age_subsidies"), ("", "age_subsidies"), ("30:1", "age_subsidies"),
])
def test_malformed_age_tables_are_refused(text, field):
    with pytest.raises(ValidationFailed) as error:
        policy.check_policy_values({field: text})
    assert error.value.field == field


def test_tables_accept_full_width_punctuation_and_decimals():
    assert policy.parse_age_subsidies("60：1.5，75：5") == ((60, 150), (75, 500))
    assert policy.parse_status_subsidies("subsistence:8") == {"subsistence": 800}
    with pytest.raises(ValidationFailed):
        policy.parse_status_subsidies("rich:1")


def test_the_generic_settings_page_refuses_a_malformed_table_too(app, ctx, meals):
    """Features → Settings stores through ``save_settings``: the setting's own check refuses the table there."""
    def save(c, users, elder):
        with pytest.raises(ValidationFailed) as error:
            save_settings("elder_meals", {"age_subsidies": "60:1, 60:5"}, c)
        db.session.rollback()
        return error.value.field, policy.meal_policy(c).age_subsidies

    assert ctx(save) == ("age_subsidies", ((60, 100), (75, 500), (85, 800), (95, 900)))


def test_a_malformed_stored_table_falls_back_to_the_default(app, ctx, meals, caplog):
    def store(c, users, elder):
        from timebank.settings import PluginSetting, _scope_key

        db.session.add(PluginSetting(plugin_name="elder_meals", scope_key=_scope_key(c), community_id=c.id,
                                     key="age_subsidies", value_json='"nonsense"'))
        db.session.commit()
        return policy.meal_policy(c).age_subsidies

    assert ctx(store) == ((60, 100), (75, 500), (85, 800), (95, 900))
    assert "setting elder_meals.age_subsidies: invalid community maple value ignored" in caplog.text


def test_cut_off_is_in_the_community_time_zone(app, ctx, meals):
    def deadline(c, users, elder):
        return policy.cutoff_for(policy.meal_policy(c), c, TUESDAY)

    moment = ctx(deadline)
    assert moment.isoformat() == "2026-11-23T18:00:00+08:00"
    assert orders  # the module is imported for the cut-off helpers used elsewhere
