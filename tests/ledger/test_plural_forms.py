"""Counts on the ledger's pages and in its messages take their plural forms: "1 entry", "2 entries" in English;
Chinese has one form (``msgstr[0]``). Each is read for 1 and for 2, in English and in Chinese."""

import pytest

from timebank.settings import save_settings


def decide(client, action, record_ids, **fields):
    return client.post("/c/maple/ledger/queue/decide", data={"action": action, "record": record_ids, **fields},
                       follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("locale, confirmed, rejected", [
    ("en", ("1 entry confirmed.", "2 entries confirmed."), ("1 entry rejected.", "2 entries rejected.")),
    ("zh_CN", ("已确认1条记录。", "已确认2条记录。"), ("已驳回1条记录。", "已驳回2条记录。")),
])
def test_the_queue_says_how_many_entries_were_decided(seed, client, reader, locale, confirmed, rejected):
    records = [seed.record(hours_ago=hours) for hours in (30, 60, 90, 120, 150, 180)]
    reader("maple.coord", locale)
    assert confirmed[0] in decide(client, "confirm", records[:1])
    assert confirmed[1] in decide(client, "confirm", records[1:3])
    assert rejected[0] in decide(client, "reject", records[3:4], reason="无此活动")
    assert rejected[1] in decide(client, "reject", records[4:], reason="无此活动")


@pytest.mark.parametrize("locale, one, two", [
    ("en", "Hours entered for 1 volunteer.", "Hours entered for 2 volunteers."),
    ("zh_CN", "已为1名志愿者录入时长。", "已为2名志愿者录入时长。"),
])
def test_a_back_entry_says_for_how_many_volunteers(seed, client, reader, make, locale, one, two):
    make.member("maple", "vol2", role="volunteer")
    reader("maple.coord", locale)
    data = {"activity_name": "植树", "category": "ledger.community_service", "start_time": "08:00",
            "end_time": "11:00", "evidence_note": "签到表", "team_id": "0"}
    for volunteers, day, expected in (("maple.vol", "2026-11-10", one), ("maple.vol\nvol2", "2026-11-11", two)):
        page = client.post("/c/maple/ledger/backfill", data={**data, "volunteers": volunteers, "service_date": day},
                           follow_redirects=True).get_data(as_text=True)
        assert expected in page


@pytest.mark.parametrize("locale, texts", [
    ("en", ("2 more hours to the next star (at 2 hours)", "1.5 more hours to the next star (at 2 hours)",
            "1 more hour to the next star (at 2 hours)")),
    ("zh_CN", ("距下一星级还差2小时（2小时）", "距下一星级还差1.5小时（2小时）", "距下一星级还差1小时（2小时）")),
])
def test_my_hours_says_how_many_hours_to_the_next_star(seed, client, reader, app, locale, texts):
    seed.call(lambda c, users: save_settings("core_ledger", {"star_thresholds_hours": "2,300,600,1000,1500"}, c,
                                             users["maple.admin"]))
    reader("maple.vol", locale)
    for minutes, hours_ago, expected in ((0, 0, texts[0]), (30, 30, texts[1]), (30, 60, texts[2])):
        if minutes:
            seed.record(hours_ago=hours_ago, minutes=minutes, confirm=True)
        assert expected in client.get("/c/maple/hours/").get_data(as_text=True)


@pytest.mark.parametrize("locale, texts", [
    ("en", ("Up to 1 day after the service.", "Up to 2 days after the service.",
            "This is too long ago to be entered here (more than 1 day).",
            "This is too long ago to be entered here (more than 2 days).")),
    ("zh_CN", ("服务结束后1天内可申报。", "服务结束后2天内可申报。", "时间过久，无法在此录入（超过1天）。",
               "时间过久，无法在此录入（超过2天）。")),
])
def test_the_claim_page_says_how_many_days_back_a_claim_may_go(seed, client, reader, locale, texts):
    data = {"activity_name": "巡逻", "category": "ledger.safety", "service_date": "2026-11-15", "start_time": "19:00",
            "end_time": "21:00", "evidence_note": "队长在场"}
    for days, page_text, refusal in ((1, texts[0], texts[2]), (2, texts[1], texts[3])):
        seed.call(lambda c, users, days=days: save_settings("core_ledger", {"max_claim_age_days": days}, c,
                                                            users["maple.admin"]))
        reader("maple.vol", locale)
        assert page_text in client.get("/c/maple/hours/claim").get_data(as_text=True)
        assert refusal in client.post("/c/maple/hours/claim", data=data).get_data(as_text=True)


def test_the_hours_count_filter_picks_the_plural_form_of_decimal_hours(app):
    """"1 hour", "2 hours", and "0.5 hours", "1.5 hours": a fraction takes the form of 0 (the plural in English)."""
    count = app.jinja_env.filters["hours_count"]
    assert [count(minutes) for minutes in (0, 30, 60, 90, 120)] == [0, 0, 1, 0, 2]
