"""The repair team's messages in the reader's language: the day of a visit in notifications (stored as a date, not
as text), why a visit gave no hours (kept untranslated), and counts with plural forms (for 1 and for 2, in English
and in Chinese)."""

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from timebank_plugins.repair_team import services, workflow
from timebank_plugins.repair_team.models import RepairOrder

from timebank.extensions import db
from timebank.notifications.models import Notification
from timebank.testing import notification_texts, plural_readings


def test_an_assigned_visit_names_its_day_in_the_readers_language(app, order_for, advance):
    order_id = order_for()
    advance(order_id, "assigned")  # by the coordinator, for Friday 20 November at 10:00 (Shanghai)
    with app.app_context():
        order = db.session.get(RepairOrder, order_id)
        number, address = order.number, order.household.label
        params = [json.loads(text) for text in db.session.scalars(select(Notification.params_json).where(
            Notification.kind == "repair_team.assigned"))]
    assert {(item["day"]["date"], item["time"]) for item in params} == {("2026-11-20", "10:00")}  # a date, a time
    assert notification_texts(app, "repair_team.assigned", "en") == [
        f"New repair job {number}: {address}, Nov 20, 2026 at 10:00.",
        f"陈志强 from the repair team will come for {number} on Nov 20, 2026 at 10:00."]
    assert notification_texts(app, "repair_team.assigned", "zh_CN") == [
        f"新的维修单{number}：{address}，2026年11月20日 10:00。", f"维修队的陈志强将于2026年11月20日 10:00上门处理工单{number}。"]


def test_why_a_visit_gave_no_hours_reads_in_each_readers_language(app, ctx, client, order_for, advance, reader):
    order_id = order_for()
    advance(order_id, "signed_off")

    def again(c, users):  # the ledger refuses the same visit a second time (it overlaps the first), in English
        with force_locale("en"):
            order = services.order_in(c, order_id)
            workflow._record_hours(order, c, users["res"])
            db.session.commit()
            return order.number

    number = ctx(again)
    activity = f"上门维修 {number}：水管水龙头"
    reader("coord", "en")
    page = client.get(f"/c/maple/p/repair-team/orders/{order_id}").get_data(as_text=True)
    assert f"Not recorded: This overlaps with “{activity}” on Nov 20, 2026 already recorded for 陈志强." in page
    reader("coord", "zh_CN")
    page = client.get(f"/c/maple/p/repair-team/orders/{order_id}").get_data(as_text=True)
    assert f"未记录：与已为陈志强记录的2026年11月20日“{activity}”时间重叠。" in page
    with app.app_context():  # a reason written before, in its writer's language: shown as it is
        db.session.get(RepairOrder, order_id).no_hours_reason = "These hours have already been recorded."
        db.session.commit()
    assert "未记录：These hours have already been recorded." in client.get(
        f"/c/maple/p/repair-team/orders/{order_id}").get_data(as_text=True)


PLURALS = [
    ("You already hold %(num)d job: finish it first.", "You already hold %(num)d jobs: finish one first.", {},
     ("You already hold 1 job: finish it first.", "You already hold 2 jobs: finish one first."),
     ("您手头已有1单，请先完成一单。", "您手头已有2单，请先完成一单。")),
    ("At most %(num)d photo.", "At most %(num)d photos.", {}, ("At most 1 photo.", "At most 2 photos."),
     ("最多1张照片。", "最多2张照片。")),
    ("Up to %(num)d photo of up to %(mb)d MB. Location data is removed before it is stored.",
     "Up to %(num)d photos, each up to %(mb)d MB. Location data is removed before they are stored.", {"mb": 5},
     ("Up to 1 photo of up to 5 MB. Location data is removed before it is stored.",
      "Up to 2 photos, each up to 5 MB. Location data is removed before they are stored."),
     ("最多1张照片，每张不超过5 MB。保存前会去除位置信息。", "最多2张照片，每张不超过5 MB。保存前会去除位置信息。")),
    ("%(num)d job in hand", "%(num)d jobs in hand", {}, ("1 job in hand", "2 jobs in hand"), ("手头1单", "手头2单")),
    ("Overdue: an emergency without a volunteer after %(minutes)d minutes, a normal request after %(num)d hour.",
     "Overdue: an emergency without a volunteer after %(minutes)d minutes, a normal request after %(num)d hours.",
     {"minutes": 30},
     ("Overdue: an emergency without a volunteer after 30 minutes, a normal request after 1 hour.",
      "Overdue: an emergency without a volunteer after 30 minutes, a normal request after 2 hours."),
     ("逾期：紧急工单30分钟、普通工单1小时内仍未派人。", "逾期：紧急工单30分钟、普通工单2小时内仍未派人。")),
    ("Materials so far: ¥%(total)s (%(num)d item). You can still add materials until the resident signs off.",
     "Materials so far: ¥%(total)s (%(num)d items). You can still add materials until the resident signs off.",
     {"total": "12.50"},
     ("Materials so far: ¥12.50 (1 item). You can still add materials until the resident signs off.",
      "Materials so far: ¥12.50 (2 items). You can still add materials until the resident signs off."),
     ("目前材料费：¥12.50（1项）。居民签收前还可以添加材料。", "目前材料费：¥12.50（2项）。居民签收前还可以添加材料。")),
    ("%(num)d rating", "%(num)d ratings", {}, ("1 rating", "2 ratings"), ("1条评价", "2条评价")),
    ("Together the photos were larger than this form accepts: at most %(num)d photo of up to %(mb)d MB.",
     "Together the photos were larger than this form accepts: at most %(num)d photos of up to %(mb)d MB each.",
     {"mb": 5},
     ("Together the photos were larger than this form accepts: at most 1 photo of up to 5 MB.",
      "Together the photos were larger than this form accepts: at most 2 photos of up to 5 MB each."),
     ("照片加起来超过了表单的上限：最多1张，每张不超过5 MB。", "照片加起来超过了表单的上限：最多2张，每张不超过5 MB。")),
]


@pytest.mark.parametrize("singular, plural, params, english, chinese", PLURALS, ids=[item[0] for item in PLURALS])
def test_counts_read_for_one_and_two(app, singular, plural, params, english, chinese):
    assert plural_readings(app, singular, plural, params) == {"en": english, "zh_CN": chinese}
