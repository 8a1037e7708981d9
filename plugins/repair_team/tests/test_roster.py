"""The repair team: skills, licences, availability, suggestions; the plugin's permission vote and ledger rule."""

from datetime import date, timedelta

import pytest
from timebank_plugins.repair_team import matching, roster, services

from timebank.errors import PermissionDenied, ValidationFailed
from timebank.permissions import can


def entry_of(c, users, username):
    return roster.roster_entry(c, users[username])


def test_licensed_work_needs_a_licence_number_and_a_future_expiry(ctx):
    def save(number, until):
        return ctx(lambda c, users: roster.save_skills(c, users["coord"], entry_of(c, users, "vol"),
                                                       ["water", "electricity"], number, until))

    with pytest.raises(ValidationFailed, match="licence number"):
        save("", None)
    with pytest.raises(ValidationFailed, match="valid"):
        save("T-1", None)
    with pytest.raises(ValidationFailed, match="expired"):
        save("T-1", date(2026, 1, 1))
    save("T-1", date(2027, 1, 1))
    skills = ctx(lambda c, users: {skill.category: skill.licence_number for skill in entry_of(c, users, "vol").skills})
    assert skills == {"water": "", "electricity": "T-1"}


def test_which_categories_need_a_licence_is_a_community_setting(ctx):
    from timebank.settings import save_settings

    ctx(lambda c, users: save_settings("repair_team", {"licensed_categories": "electricity,gas_check"}, c,
                                       users["coord"]))
    with pytest.raises(ValidationFailed, match="licence number"):
        ctx(lambda c, users: roster.save_skills(c, users["coord"], entry_of(c, users, "vol"), ["gas_check"]))


def test_only_coordinators_manage_the_team_and_only_volunteers_join(ctx):
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: roster.add_to_roster(c, users["vol"], users["vol2"]))
    with pytest.raises(ValidationFailed, match="Only registered volunteers"):
        ctx(lambda c, users: roster.add_to_roster(c, users["coord"], users["res"]))
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: roster.save_skills(c, users["vol"], entry_of(c, users, "vol"), ["heating"]))


def test_availability_is_set_by_the_volunteer_or_a_coordinator(ctx):
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: roster.set_availability(c, users["elec"], entry_of(c, users, "vol"), True, [0], ["am"]))
    with pytest.raises(ValidationFailed, match="at least one day"):
        ctx(lambda c, users: roster.set_availability(c, users["vol"], entry_of(c, users, "vol"), True, [], ["am"]))
    ctx(lambda c, users: roster.set_availability(c, users["vol"], entry_of(c, users, "vol"), False, [], [], "出差"))
    assert ctx(lambda c, users: entry_of(c, users, "vol").taking_jobs) is False


def test_suggestions_prefer_volunteers_available_when_the_resident_wants(ctx, order_for, clock):
    ctx(lambda c, users: roster.save_skills(c, users["coord"], entry_of(c, users, "elec"), ["water", "electricity"],
                                            "T3201-0042", date(2028, 6, 30)))
    ctx(lambda c, users: roster.set_availability(c, users["vol"], entry_of(c, users, "vol"), True, [5, 6], ["am"]))
    saturday = date(2026, 11, 21).isoformat()
    monday = date(2026, 11, 23).isoformat()

    def ranking(order_id):
        def run(c, users):
            order = services.order_in(c, order_id)
            return [(item.entry.user.username, item.available) for item in matching.suggestions_for(order, c)]
        return ctx(run)

    weekend = order_for(preferred_days=[saturday], preferred_parts=["am"])
    weekday = order_for(preferred_days=[monday], preferred_parts=["am"])
    assert ranking(weekend) == [("elec", True), ("vol", True)]  # both available: the names decide
    assert ranking(weekday) == [("elec", True), ("vol", False)]
    ctx(lambda c, users: roster.set_availability(c, users["elec"], entry_of(c, users, "elec"), False, [], []))
    assert ranking(weekend)[0] == ("vol", True)  # a paused volunteer is listed last, not qualified


def test_removing_a_volunteer_from_the_team(ctx):
    ctx(lambda c, users: roster.remove_from_roster(c, users["coord"], entry_of(c, users, "vol")))
    assert ctx(lambda c, users: entry_of(c, users, "vol")) is None


def test_grid_workers_may_request_for_others_residents_may_not(ctx):
    assert ctx(lambda c, users: can(users["grid"], "repair_team.request_for_others", c)) is True
    assert ctx(lambda c, users: can(users["res"], "repair_team.request_for_others", c)) is False
    assert ctx(lambda c, users: can(users["coord"], "repair_team.request_for_others", c)) is True


def test_repair_hours_cannot_be_claimed_by_hand(app, ctx, clock):
    from timebank.ledger.accounts import LedgerRejected, atomic
    from timebank.ledger.records import record_service

    def claim(c, users):
        with atomic():
            record_service(c, users["vol"], category="repair_team.repair", activity_name="修水管",
                           started_at=clock.now() - timedelta(hours=2), ended_at=clock.now() - timedelta(hours=1),
                           actor=users["vol"])

    with pytest.raises(LedgerRejected, match="signs off the work order"):
        ctx(claim)
