"""Every transition of a work order and who may make it, the ledger credit (exact and once), ratings, cancelling,
the overdue rules; service level with a frozen clock."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from timebank_plugins.repair_team import board, dispatch, services, workflow
from timebank_plugins.repair_team.models import RepairEvent, RepairOrder

from timebank.errors import PermissionDenied, ValidationFailed
from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank.notifications.models import Notification

from .conftest import START


def status_of(app, order_id):
    with app.app_context():
        return db.session.get(RepairOrder, order_id).status


def records(app):
    with app.app_context():
        return db.session.scalars(select(ServiceRecord)).all()


def step(ctx, order_id, function, *args, **kwargs):
    """Call ``function(order, community, *users_or_values)``; strings in args are usernames."""
    def run(c, users):
        order = services.order_in(c, order_id)
        values = [users[value] if isinstance(value, str) and value in users else value for value in args]
        return function(order, c, *values, **kwargs)

    return ctx(run)


def test_the_whole_visit_records_time_on_the_job_once(app, ctx, order_for, advance, clock):
    order_id = order_for()
    with app.app_context():
        order = db.session.get(RepairOrder, order_id)
        assert order.number == "WX20261120-001" and order.status == "submitted" and len(order.signoff_code) == 6
    advance(order_id, "done", minutes_on_job=50)
    assert records(app) == []  # nothing before the resident signs off
    step(ctx, order_id, workflow.sign_off, "res", "res")
    [record] = records(app)
    assert (record.status, record.category, record.source) == ("pending", "repair_team.repair",
                                                               f"repair_team:order-{order_id}")
    assert record.minutes == 60  # 50 minutes on the job (travel excluded), rounded to the half hour
    assert (record.ended_at - record.started_at) == timedelta(minutes=50)
    assert record.activity_name.startswith("上门维修 WX20261120-001")
    with app.app_context():
        order = db.session.get(RepairOrder, order_id)
        assert order.status == "signed_off" and order.record_id == record.id and order.signoff_method == "own_phone"
        actions = [event.action for event in db.session.scalars(
            select(RepairEvent).where(RepairEvent.order_id == order_id).order_by(RepairEvent.id))]
    assert actions == ["submitted", "assigned", "on_the_way", "started", "finished", "signed_off"]


def test_a_second_sign_off_is_refused_and_credits_nothing(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "done")
    step(ctx, order_id, workflow.sign_off, "res", "res")
    with pytest.raises(ValidationFailed, match="already signed off"):
        step(ctx, order_id, workflow.sign_off, "res", "res")
    with pytest.raises(ValidationFailed, match="already signed off"):
        step(ctx, order_id, workflow.sign_off, "vol", "vol", code="000000")
    assert len(records(app)) == 1


def test_the_ledger_accepts_a_visit_only_once_even_if_asked_again(app, ctx, order_for, advance):
    """Belt and braces: the (category, source) pair is unique, so recording the same visit again is refused."""
    order_id = order_for()
    advance(order_id, "signed_off")

    def again(c, users):
        order = services.order_in(c, order_id)
        # Another time of day, so that the overlap check does not answer first: the source itself is refused.
        order.started_at -= timedelta(days=1)
        order.finished_at -= timedelta(days=1)
        workflow._record_hours(order, c, users["res"])
        return order.no_hours_reason

    assert "already been recorded" in ctx(again)
    assert len(records(app)) == 1


def test_sign_off_on_the_volunteers_phone_needs_the_residents_code(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "done")
    with pytest.raises(ValidationFailed, match="not the resident's sign-off code"):
        step(ctx, order_id, workflow.sign_off, "vol", "vol", code="12345")
    with app.app_context():
        code = db.session.get(RepairOrder, order_id).signoff_code
        assert db.session.get(RepairOrder, order_id).signoff_failures == 1
    step(ctx, order_id, workflow.sign_off, "vol", "vol", code=code)
    with app.app_context():
        assert db.session.get(RepairOrder, order_id).signoff_method == "volunteer_phone"
    assert len(records(app)) == 1


def test_five_wrong_codes_lock_the_volunteers_phone(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "done")
    for _attempt in range(5):
        with pytest.raises(ValidationFailed):
            step(ctx, order_id, workflow.sign_off, "vol", "vol", code="999999")
    with app.app_context():
        code = db.session.get(RepairOrder, order_id).signoff_code
    with pytest.raises(ValidationFailed, match="Too many wrong codes"):
        step(ctx, order_id, workflow.sign_off, "vol", "vol", code=code)
    step(ctx, order_id, workflow.sign_off, "res", "res")  # the resident's own phone still works
    assert status_of(app, order_id) == "signed_off"


def test_sign_off_refuses_a_total_that_changed_while_the_page_was_open(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "done")
    with pytest.raises(ValidationFailed, match="materials changed"):
        step(ctx, order_id, workflow.sign_off, "res", "res", seen_total_fen=1250)
    step(ctx, order_id, workflow.sign_off, "res", "res", seen_total_fen=0)
    assert status_of(app, order_id) == "signed_off"


@pytest.mark.parametrize("who", ["res2", "vol2", "grid"])
def test_other_people_cannot_sign_off(ctx, order_for, advance, who):
    order_id = order_for()
    advance(order_id, "done")
    with pytest.raises(PermissionDenied):
        step(ctx, order_id, workflow.sign_off, who, who)


def test_for_a_caller_without_an_account_the_grid_worker_signs_off_after_calling(app, ctx, repair, advance):
    def submit(c, users):
        return services.submit_request(c, users["grid"], users["grid"], category="locks", description="门锁卡住",
                                       household_id=repair["other_home"], requester_name="钱奶奶",
                                       contact_phone="010-6543210").id

    order_id = ctx(submit)
    advance(order_id, "done")
    with pytest.raises(PermissionDenied):
        step(ctx, order_id, workflow.sign_off, "res", "res")
    step(ctx, order_id, workflow.sign_off, "grid", "grid")
    with app.app_context():
        assert db.session.get(RepairOrder, order_id).signoff_method == "staff"
    assert len(records(app)) == 1


def test_a_coordinator_acting_for_the_resident_signs_off_for_them(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "done")
    step(ctx, order_id, workflow.sign_off, "coord", "res")  # the proxy session: actor coordinator, subject elder
    with app.app_context():
        assert db.session.get(RepairOrder, order_id).signoff_method == "staff"


def test_only_the_assigned_volunteer_moves_the_visit_on(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "assigned")
    for who in ("elec", "res", "coord"):
        with pytest.raises(PermissionDenied):
            step(ctx, order_id, workflow.set_on_the_way, who)
        with pytest.raises(PermissionDenied):
            step(ctx, order_id, workflow.start_work, who)
    step(ctx, order_id, workflow.start_work, "vol")  # straight from "assigned" (lives next door)
    with pytest.raises(ValidationFailed, match="not possible"):
        step(ctx, order_id, workflow.set_on_the_way, "vol")
    with pytest.raises(PermissionDenied):
        step(ctx, order_id, workflow.finish_work, "elec", "修好了")
    with pytest.raises(ValidationFailed, match="what you did"):
        step(ctx, order_id, workflow.finish_work, "vol", "  ")
    step(ctx, order_id, workflow.finish_work, "vol", "修好了")
    assert status_of(app, order_id) == "done"


def test_steps_out_of_order_are_refused(app, ctx, order_for):
    order_id = order_for()
    with pytest.raises(PermissionDenied):  # nobody holds the job yet
        step(ctx, order_id, workflow.start_work, "vol")
    with pytest.raises(ValidationFailed, match="not possible"):
        step(ctx, order_id, workflow.sign_off, "res", "res")
    with pytest.raises(ValidationFailed, match="not possible"):
        step(ctx, order_id, workflow.rate, "res", "res", 5)
    assert status_of(app, order_id) == "submitted"


def test_a_gas_check_needs_the_finding_and_referral(app, ctx, order_for, advance):
    order_id = order_for(category="gas_check", description="闻到一点燃气味")
    advance(order_id, "in_progress")
    with pytest.raises(ValidationFailed) as error:
        step(ctx, order_id, workflow.finish_work, "vol", "检查了软管和阀门", "")
    assert error.value.field == "referral_note"
    step(ctx, order_id, workflow.finish_work, "vol", "检查了软管和阀门", "软管老化，已通知燃气公司上门更换")
    assert status_of(app, order_id) == "done"


def test_the_resident_sees_who_is_coming_and_is_told_at_each_step(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "signed_off")
    with app.app_context():
        from timebank.identity.models import User

        resident = db.session.scalar(select(User).where(User.username == "res"))
        kinds = [row.kind for row in db.session.scalars(select(Notification).where(
            Notification.recipient_id == resident.id).order_by(Notification.id))]
    assert kinds == ["repair_team.assigned", "repair_team.on_the_way", "repair_team.started", "repair_team.done",
                     "repair_team.rate"]


# --- Dispatch ---------------------------------------------------------------------------------------------------


def test_assign_needs_a_coordinator_and_a_qualified_volunteer(app, ctx, order_for, clock):
    order_id = order_for(category="electricity", description="客厅跳闸，合不上")
    when = clock.now() + timedelta(hours=2)
    with pytest.raises(PermissionDenied):
        step(ctx, order_id, dispatch.assign, "vol", "elec", when)
    with pytest.raises(ValidationFailed, match="cannot take this job: No skill on file"):
        step(ctx, order_id, dispatch.assign, "coord", "vol", when)  # a plumber, not an electrician
    with pytest.raises(ValidationFailed, match="Not on the repair team"):
        step(ctx, order_id, dispatch.assign, "coord", "vol2", when)
    step(ctx, order_id, dispatch.assign, "coord", "elec", when)
    with app.app_context():
        order = db.session.get(RepairOrder, order_id)
        assert order.status == "assigned" and order.volunteer.username == "elec" and order.scheduled_at == when


def test_an_expired_licence_stops_electrical_work(app, ctx, order_for, clock):
    order_id = order_for(category="electricity", description="插座没电")
    clock.at(60 * 24 * 365 * 2)  # two years later: the licence (until 2028-06-30) has expired
    with pytest.raises(ValidationFailed, match="valid licence"):
        step(ctx, order_id, dispatch.assign, "coord", "elec", clock.now() + timedelta(hours=1))


def test_volunteers_claim_open_requests_they_are_qualified_for(app, ctx, order_for, clock):
    water = order_for()
    electric = order_for(category="electricity", description="灯不亮")
    when = clock.now() + timedelta(hours=3)
    with pytest.raises(ValidationFailed, match="No skill on file"):
        step(ctx, electric, dispatch.claim, "vol", when)
    with pytest.raises(PermissionDenied):
        step(ctx, water, dispatch.claim, "vol2", when)  # not on the repair team
    step(ctx, water, dispatch.claim, "vol", when)
    with pytest.raises(ValidationFailed, match="just taken"):
        step(ctx, water, dispatch.claim, "vol", when)
    assert status_of(app, water) == "assigned"


def test_claims_stop_at_the_most_jobs_held(app, ctx, order_for, clock):
    orders = [order_for(description=f"水管问题{n}") for n in range(4)]
    when = clock.now() + timedelta(hours=3)
    for order_id in orders[:3]:
        step(ctx, order_id, dispatch.claim, "vol", when)
    with pytest.raises(ValidationFailed, match="already hold 3 jobs"):
        step(ctx, orders[3], dispatch.claim, "vol", when)


def test_claiming_can_be_switched_off_and_reopened_orders_are_for_the_coordinator(app, ctx, order_for, advance,
                                                                                  clock):
    from timebank.settings import save_settings

    order_id = order_for()
    ctx(lambda c, users: save_settings("repair_team", {"volunteers_may_claim": False}, c, users["coord"]))
    with pytest.raises(PermissionDenied, match="coordinator assigns"):
        step(ctx, order_id, dispatch.claim, "vol", clock.now() + timedelta(hours=1))


def test_a_volunteer_hands_a_job_back_with_a_reason(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "on_the_way")
    with pytest.raises(ValidationFailed, match="Say why"):
        step(ctx, order_id, dispatch.hand_back, "vol", "")
    step(ctx, order_id, dispatch.hand_back, "vol", "临时要加班，去不了")
    with app.app_context():
        order = db.session.get(RepairOrder, order_id)
        assert order.status == "submitted" and order.volunteer_id is None


def test_visit_times_must_be_sensible(ctx, order_for, clock):
    from datetime import date, time

    with pytest.raises(ValidationFailed, match="past"):
        ctx(lambda c, users: dispatch.visit_time(c, date(2026, 11, 19), time(9, 0)))
    with pytest.raises(ValidationFailed, match="30 days"):
        ctx(lambda c, users: dispatch.visit_time(c, date(2027, 3, 1), time(9, 0)))


def test_suggestions_put_the_qualified_available_and_least_busy_first(app, ctx, order_for, clock):
    from timebank_plugins.repair_team import matching

    order_id = order_for(category="appliances", description="电饭煲不加热")

    def names(search=""):
        def run(c, users):
            order = services.order_in(c, order_id)
            return [(item.entry.user.username, item.qualified)
                    for item in matching.suggestions_for(order, c, search=search)]
        return ctx(run)

    assert names() == [("elec", True)]  # only volunteers with the skill are weighed
    assert names("陈志") == [("vol", False)]  # a search finds anybody on the team, with the reason


# --- Rating, reopening, closing ---------------------------------------------------------------------------------


def test_a_good_rating_closes_the_order(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "signed_off")
    with pytest.raises(ValidationFailed, match="one to five"):
        step(ctx, order_id, workflow.rate, "res", "res", 6)
    with pytest.raises(PermissionDenied):
        step(ctx, order_id, workflow.rate, "vol", "vol", 5)
    step(ctx, order_id, workflow.rate, "res", "res", 5, "师傅很细心，谢谢！")
    assert status_of(app, order_id) == "closed"


def test_a_poor_rating_reopens_the_order_and_a_second_visit_earns_its_own_hours(app, ctx, order_for, advance,
                                                                                clock):
    order_id = order_for()
    advance(order_id, "signed_off")
    with pytest.raises(ValidationFailed, match="still wrong"):
        step(ctx, order_id, workflow.rate, "res", "res", 2)
    step(ctx, order_id, workflow.rate, "res", "res", 2, "第二天又开始滴水了")
    assert status_of(app, order_id) == "reopened"
    with app.app_context():
        coordinator_told = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "repair_team.reopened"))
    assert coordinator_told == 2  # the coordinator, and the resident's apology
    clock.at(60 * 5)
    advance(order_id, "signed_off")
    sources = sorted(record.source for record in records(app))
    assert sources == [f"repair_team:order-{order_id}", f"repair_team:order-{order_id}-visit-2"]


def test_the_coordinator_can_close_a_reopened_order(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "signed_off")
    step(ctx, order_id, workflow.rate, "res", "res", 1, "还是漏水")
    with pytest.raises(PermissionDenied):
        step(ctx, order_id, workflow.close_reopened, "vol", "电话沟通已解决")
    step(ctx, order_id, workflow.close_reopened, "coord", "电话沟通，居民自己拧紧了阀门")
    assert status_of(app, order_id) == "closed"


def test_rating_after_the_window_is_refused_and_cron_closes_unrated_orders(app, ctx, order_for, advance, clock):
    order_id = order_for()
    advance(order_id, "signed_off")
    signed = clock.now()
    clock.at((signed - START).total_seconds() / 60 + 25 * 60)
    assert ctx(lambda c, users: [order.id for order in workflow.followups_due(c)]) == [order_id]
    clock.at((signed - START).total_seconds() / 60 + 49 * 60)
    with pytest.raises(ValidationFailed, match="passed"):
        step(ctx, order_id, workflow.rate, "res", "res", 5)
    assert ctx(lambda c, users: workflow.close_unrated(c)) == 1
    assert status_of(app, order_id) == "closed"


def test_the_coordinator_enters_the_rating_from_a_follow_up_call(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "signed_off")
    step(ctx, order_id, workflow.rate, "coord", "coord", 4, "电话回访：满意")
    assert status_of(app, order_id) == "closed"


# --- Cancelling -------------------------------------------------------------------------------------------------


def test_the_resident_cancels_before_the_work_starts(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "assigned")
    with pytest.raises(ValidationFailed, match="Say why"):
        step(ctx, order_id, services.cancel_order, "res", "res", " ")
    with pytest.raises(PermissionDenied):
        step(ctx, order_id, services.cancel_order, "res2", "res2", "不需要了")
    step(ctx, order_id, services.cancel_order, "res", "res", "自己修好了")
    with app.app_context():
        order = db.session.get(RepairOrder, order_id)
        assert order.status == "cancelled" and order.cancel_reason == "自己修好了"
        told = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "repair_team.cancelled", Notification.recipient_id == order.volunteer_id))
    assert told == 1


def test_once_work_started_only_the_coordinator_cancels(app, ctx, order_for, advance):
    order_id = order_for()
    advance(order_id, "in_progress")
    with pytest.raises(ValidationFailed, match="not possible"):
        step(ctx, order_id, services.cancel_order, "res", "res", "不想修了")
    step(ctx, order_id, services.cancel_order, "coord", "coord", "需要专业公司更换整段水管")
    assert status_of(app, order_id) == "cancelled"


# --- The board --------------------------------------------------------------------------------------------------


def test_emergencies_first_and_overdue_after_thirty_minutes_or_a_day(app, ctx, order_for, clock):
    normal = order_for()
    clock.at(10)
    emergency = order_for(urgency="emergency", description="水管爆了，水漫到楼下")

    def waiting(c, users):
        lines, _in_hand = board.board(c)
        return [(line.order.id, line.overdue) for line in lines]

    assert ctx(waiting) == [(emergency, False), (normal, False)]
    clock.at(41)
    assert ctx(waiting) == [(emergency, True), (normal, False)]
    clock.at(24 * 60 + 1)
    assert ctx(waiting) == [(emergency, True), (normal, True)]

    def counts(c, users):  # the card, the tasks and the badge: the waiting requests only, in one statement
        from timebank.testing import statements_during

        found = board.waiting_counts(c)  # the policy is read once per request
        return found, len(statements_during(lambda: board.waiting_counts(c)))

    assert ctx(counts) == ((2, 2), 1)


def test_an_emergency_alerts_the_coordinators_and_qualified_volunteers(app, order_for):
    order_for(urgency="emergency", description="水管爆了")
    with app.app_context():
        from timebank.identity.models import User

        told = {user.username for user in db.session.scalars(select(User).join(
            Notification, Notification.recipient_id == User.id).where(Notification.kind == "repair_team.emergency"))}
    assert told == {"coord", "vol"}  # not the electrician (no water skill), not volunteers off the roster
