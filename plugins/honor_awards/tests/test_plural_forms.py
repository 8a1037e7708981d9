"""Counts in the honours' pages and messages take their plural forms: each is read for 1 and for 2, in English
and in Chinese (one form)."""

import pytest

from timebank.testing import plural_readings

PLURALS = [
    ("At most %(num)d honour in this campaign.", "At most %(num)d honours in this campaign.", {},
     ("At most 1 honour in this campaign.", "At most 2 honours in this campaign."),
     ("本次评选最多表彰1个。", "本次评选最多表彰2个。")),
    ("Candidates must have lived in the community for at least %(num)d month.",
     "Candidates must have lived in the community for at least %(num)d months.", {},
     ("Candidates must have lived in the community for at least 1 month.",
      "Candidates must have lived in the community for at least 2 months."),
     ("候选对象须在本社区居住满1个月。", "候选对象须在本社区居住满2个月。")),
    ("%(num)d vote voided.", "%(num)d votes voided.", {}, ("1 vote voided.", "2 votes voided."),
     ("已作废1票。", "已作废2票。")),
    ("up to %(num)d honour", "up to %(num)d honours", {}, ("up to 1 honour", "up to 2 honours"),
     ("最多表彰1个", "最多表彰2个")),
    ("score %(score).1f (%(num)d member)", "score %(score).1f (%(num)d members)", {"score": 87.5},
     ("score 87.5 (1 member)", "score 87.5 (2 members)"), ("评分87.5（1位评委）", "评分87.5（2位评委）")),
    ("Average of %(num)d member: %(score).1f of 100", "Average of %(num)d members: %(score).1f of 100",
     {"score": 87.5}, ("Average of 1 member: 87.5 of 100", "Average of 2 members: 87.5 of 100"),
     ("1位评委平均：87.5分（满分100）", "2位评委平均：87.5分（满分100）")),
    ("%(num)d open objection", "%(num)d open objections", {}, ("1 open objection", "2 open objections"),
     ("1条异议待处理", "2条异议待处理")),
    ("%(num)d vote", "%(num)d votes", {}, ("1 vote", "2 votes"), ("1票", "2票")),
]


@pytest.mark.parametrize("singular, plural, params, english, chinese", PLURALS, ids=[item[0] for item in PLURALS])
def test_counts_read_for_one_and_two(app, singular, plural, params, english, chinese):
    assert plural_readings(app, singular, plural, params) == {"en": english, "zh_CN": chinese}
