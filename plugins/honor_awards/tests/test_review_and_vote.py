"""Review and public vote: home visits, committee scores, the shortlist, one vote per household per day inside
the window (frozen clock), suspicious votes voided with a reason, and the 30/70 weighting."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from timebank_plugins.honor_awards import nominations, review, voting
from timebank_plugins.honor_awards.models import Score, Vote
from timebank_plugins.honor_awards.services import campaign_in, nomination_in

from timebank.errors import PermissionDenied, ValidationFailed
from timebank.extensions import db
from timebank.settings import save_settings

from .conftest import START, TODAY

STORY = "热心帮助邻居，常年照顾楼里的独居老人，邻里评价很好。"


@pytest.fixture
def shortlisted(ctx, make_campaign, clock):
    """A household campaign (vote on days 10–13) with three shortlisted families and one merely nominated."""
    campaign_id = make_campaign()

    def build(c, users):
        campaign = campaign_in(c, campaign_id)
        ids = []
        for username in ("vol", "res", "res2", "res3"):
            ids.append(nominations.nominate(campaign, c, users[username], nominator_kind="self", statement=STORY).id)
        return ids

    ids = ctx(build)
    clock.day(8)
    for nomination_id, points in zip(ids[:3], (90, 70, 50), strict=True):
        ctx(lambda c, users, n=nomination_id, p=points: _review(c, users, n, p))
    return {"campaign": campaign_id, "nominations": ids}


def _review(c, users, nomination_id, points):
    nomination = nomination_in(c, nomination_id)
    review.record_visit(nomination, c, users["coord"], TODAY + timedelta(days=7), "入户走访，情况属实。")
    first, second = nomination.campaign.criteria_items
    review.save_scores(nomination, c, users["coord"], {first.id: points * 60 // 100, second.id: points * 40 // 100})
    review.set_shortlisted(nomination, c, users["coord"])


def vote(ctx, campaign_id, username, nomination_id, device=""):
    return ctx(lambda c, users: voting.cast_vote(campaign_in(c, campaign_id), c, users[username],
                                                 nomination_in(c, nomination_id), device=device).id)


def test_scores_are_checked_per_criterion_and_replace_earlier_ones(ctx, shortlisted):
    nomination_id = shortlisted["nominations"][0]

    def score(points):
        def run(c, users):
            nomination = nomination_in(c, nomination_id)
            first, second = nomination.campaign.criteria_items
            review.save_scores(nomination, c, users["admin"], {first.id: points[0], second.id: points[1]})
        return run

    with pytest.raises(ValidationFailed, match="0 to 60") as error:
        ctx(score((61, 10)))
    assert error.value.field.startswith("criterion_")
    with pytest.raises(ValidationFailed, match="Give points"):
        ctx(score(("", 10)))
    ctx(score((30, 10)))
    ctx(score((40, 20)))
    # coordinator 54+36=90, admin 40+20=60: the average of the members' totals, out of 100
    assert ctx(lambda c, users: review.committee_scores(campaign_in(c, shortlisted["campaign"]))[nomination_id]) \
        == (75.0, 2)
    assert ctx(lambda c, users: db.session.scalar(select(func.count(Score.id)))) == 3 * 2 + 2


def test_residents_cannot_review(ctx, shortlisted):
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: review.record_visit(nomination_in(c, shortlisted["nominations"][3]), c, users["vol"],
                                                 TODAY, "看过了"))


def test_shortlist_needs_a_visit_and_scores_and_freezes_when_the_vote_starts(ctx, shortlisted, clock):
    waiting = shortlisted["nominations"][3]
    with pytest.raises(ValidationFailed, match="home visit first"):
        ctx(lambda c, users: review.set_shortlisted(nomination_in(c, waiting), c, users["coord"]))
    ctx(lambda c, users: review.record_visit(nomination_in(c, waiting), c, users["coord"], TODAY, "入户走访。"))
    with pytest.raises(ValidationFailed, match="not scored"):
        ctx(lambda c, users: review.set_shortlisted(nomination_in(c, waiting), c, users["coord"]))
    with pytest.raises(ValidationFailed, match="future"):
        ctx(lambda c, users: review.record_visit(nomination_in(c, waiting), c, users["coord"],
                                                 TODAY + timedelta(days=9), "入户走访。"))
    clock.day(10)
    with pytest.raises(ValidationFailed, match="vote has started"):
        ctx(lambda c, users: review.set_shortlisted(nomination_in(c, shortlisted["nominations"][0]), c,
                                                    users["coord"], False))


def test_one_vote_per_household_per_day_inside_the_window(ctx, shortlisted, clock, maple):
    campaign_id, (first, second, third, waiting) = shortlisted["campaign"], shortlisted["nominations"]
    with pytest.raises(ValidationFailed, match="not open"):
        vote(ctx, campaign_id, "vol", first)
    clock.day(10, hour=8)
    vote(ctx, campaign_id, "vol", first)
    with pytest.raises(ValidationFailed, match="already voted in this campaign today"):
        vote(ctx, campaign_id, "vol", second)

    def join_household(c, users):  # 刘洋 moves in with 陈志强: one household, one vote a day
        from timebank.communities.models import Membership
        from timebank.communities.structure import assign_household

        membership = db.session.scalar(select(Membership).where(Membership.user_id == users["vol2"].id))
        assign_household(membership, users["coord"], maple["households"]["vol"])

    ctx(join_household)
    with pytest.raises(ValidationFailed, match="household has already voted"):
        vote(ctx, campaign_id, "vol2", second)
    vote(ctx, campaign_id, "res", second)
    with pytest.raises(ValidationFailed, match="only for a candidate on the shortlist"):
        vote(ctx, campaign_id, "res2", waiting)
    clock.day(11, hour=0)  # midnight in Shanghai: a new day
    vote(ctx, campaign_id, "vol2", third)
    clock.day(13, hour=23)
    vote(ctx, campaign_id, "vol", first)
    clock.day(14, hour=0)
    with pytest.raises(ValidationFailed, match="not open"):
        vote(ctx, campaign_id, "res", first)
    assert ctx(lambda c, users: voting.tally(campaign_in(c, campaign_id))) == {
        first: (2, 0), second: (1, 0), third: (1, 0)}


def test_per_account_limit_is_a_policy(ctx, shortlisted, clock, maple):
    campaign_id, (first, second, *_rest) = shortlisted["campaign"], shortlisted["nominations"]
    ctx(lambda c, users: save_settings("honor_awards", {"vote_limit": "account_day"}, c, users["admin"]))

    def join_household(c, users):
        from timebank.communities.models import Membership
        from timebank.communities.structure import assign_household

        membership = db.session.scalar(select(Membership).where(Membership.user_id == users["vol2"].id))
        assign_household(membership, users["coord"], maple["households"]["vol"])

    ctx(join_household)
    clock.day(10)
    vote(ctx, campaign_id, "vol", first)
    vote(ctx, campaign_id, "vol2", second)
    with pytest.raises(ValidationFailed, match="You have already voted"):
        vote(ctx, campaign_id, "vol2", first)


def test_suspicious_votes_are_flagged_and_voided_with_a_reason(ctx, shortlisted, clock, make):
    campaign_id, (first, second, *_rest) = shortlisted["campaign"], shortlisted["nominations"]
    for index in range(5):
        make.member("maple", f"extra{index}", role="resident", display_name=f"路人{index}")
    clock.day(10, hour=21)
    for index in range(4):
        clock.set(START + timedelta(days=10, hours=11, seconds=40 * index))
        vote(ctx, campaign_id, f"extra{index}", second, device="same-phone")
    clock.set(START + timedelta(days=10, hours=12))
    vote(ctx, campaign_id, "extra4", second, device="same-phone")  # an hour later: not part of the burst
    vote(ctx, campaign_id, "vol", first, device="own-phone")

    groups = ctx(lambda c, users: [[v.id for v in group.votes]
                                   for group in voting.suspicious_groups(campaign_in(c, campaign_id), c)])
    assert len(groups) == 1 and len(groups[0]) == 4
    with pytest.raises(ValidationFailed, match="Give a reason"):
        ctx(lambda c, users: voting.void_votes(campaign_in(c, campaign_id), c, users["coord"], groups[0], ""))
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: voting.void_votes(campaign_in(c, campaign_id), c, users["leader"], groups[0], "刷票"))
    assert ctx(lambda c, users: voting.void_votes(campaign_in(c, campaign_id), c, users["coord"], groups[0],
                                                  "同一手机三分钟内四票，疑似刷票")) == 4
    with pytest.raises(ValidationFailed, match="already void"):
        ctx(lambda c, users: voting.void_votes(campaign_in(c, campaign_id), c, users["coord"], groups[0][:1], "x"))
    assert ctx(lambda c, users: voting.tally(campaign_in(c, campaign_id))) == {first: (1, 0), second: (1, 4)}
    assert ctx(lambda c, users: voting.suspicious_groups(campaign_in(c, campaign_id), c)) == []


def test_the_result_weights_votes_and_committee_30_70(ctx, shortlisted, clock, make):
    campaign_id, (first, second, third, _waiting) = shortlisted["campaign"], shortlisted["nominations"]
    for index in range(4):
        make.member("maple", f"fan{index}", role="resident", display_name=f"邻居{index}")
    clock.day(11)
    for index in range(4):
        vote(ctx, campaign_id, f"fan{index}", third)
    vote(ctx, campaign_id, "vol", second)
    rows = ctx(lambda c, users: [(row.nomination.id, round(row.committee, 1), row.votes, round(row.final, 1))
                                 for row in review.standings(campaign_in(c, campaign_id), c)])
    # committee 90/70/50; vote shares 0/25/100 → 63.0, 56.5, 65.0
    assert rows == [(third, 50.0, 4, 65.0), (first, 90.0, 0, 63.0), (second, 70.0, 1, 56.5)]
    ctx(lambda c, users: save_settings("honor_awards", {"vote_weight_percent": 0}, c, users["admin"]))
    assert ctx(lambda c, users: [row.nomination.id for row in review.standings(campaign_in(c, campaign_id), c)]) \
        == [first, second, third]


def test_double_votes_are_refused_by_the_database_too(ctx, shortlisted, clock):
    campaign_id, (first, *_rest) = shortlisted["campaign"], shortlisted["nominations"]
    clock.day(10)
    vote(ctx, campaign_id, "vol", first)

    def second_row(c, users):
        existing = db.session.scalar(select(Vote))
        db.session.add(Vote(campaign_id=campaign_id, nomination_id=first, voter_id=users["vol"].id,
                            voter_key=existing.voter_key, vote_day=existing.vote_day, cast_at=existing.cast_at))
        with pytest.raises(Exception, match="UNIQUE|unique"):
            db.session.flush()
        db.session.rollback()

    ctx(second_row)


def test_a_running_campaign_can_change_but_not_its_rubric_once_scored_nor_its_kind(ctx, shortlisted):
    from timebank_plugins.honor_awards.campaigns import cancel_campaign, save_campaign

    from .conftest import schedule

    def change(**overrides):
        def run(c, users):
            campaign = campaign_in(c, shortlisted["campaign"])
            values = dict(title=campaign.title, kind=campaign.kind, year=2026, quota=5,
                          rubric="家庭和睦 60\n邻里互助 40", schedule=schedule())
            values.update(overrides)
            save_campaign(c, users["coord"], campaign, **values)
            return campaign.quota
        return run

    assert ctx(change()) == 5  # the quota may change; the same rubric is kept as it is
    with pytest.raises(ValidationFailed, match="started scoring"):
        ctx(change(rubric="家庭和睦 50\n邻里互助 50"))
    with pytest.raises(ValidationFailed, match="kind cannot change"):
        ctx(change(kind="person"))
    with pytest.raises(PermissionDenied):
        ctx(lambda c, users: cancel_campaign(campaign_in(c, shortlisted["campaign"]), c, users["leader"], "停办"))
    with pytest.raises(ValidationFailed, match="Give a reason"):
        ctx(lambda c, users: cancel_campaign(campaign_in(c, shortlisted["campaign"]), c, users["coord"], ""))
    ctx(lambda c, users: cancel_campaign(campaign_in(c, shortlisted["campaign"]), c, users["coord"], "上级通知停办"))
    with pytest.raises(ValidationFailed, match="not been published can be changed"):
        ctx(change())
    with pytest.raises(ValidationFailed, match="closed|not open"):
        vote(ctx, shortlisted["campaign"], "vol", shortlisted["nominations"][0])
