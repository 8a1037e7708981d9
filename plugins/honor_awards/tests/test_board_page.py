"""The review board of a campaign with hundreds of candidates (a star campaign of a large community): one page of
nominations at a time, filtered by status with the count of each, the standings cut after the places to award."""

from datetime import UTC, datetime, timedelta

from timebank_plugins.honor_awards import nominations
from timebank_plugins.honor_awards.models import Nomination

from timebank.extensions import db
from timebank.testing import page_statements

from .conftest import login


def _fill(ctx, campaign_id, count=70):
    statuses = ["nominated"] * 40 + ["shortlisted"] * 20 + ["disqualified"] * 10
    if count < len(statuses):  # a few of each
        statuses = ["nominated", "shortlisted", "disqualified"] * count

    def add(c, users):
        start = datetime(2026, 3, 1, tzinfo=UTC)
        for n in range(count):
            db.session.add(Nomination(community_id=c.id, campaign_id=campaign_id, nominee_name=f"候选人{n:02d}",
                                      nominator_kind="self", status=statuses[n], statement="热心公益。",
                                      created_at=start + timedelta(minutes=n)))
        db.session.commit()

    ctx(add)


def test_the_board_shows_a_page_of_nominations_with_status_filters(client, ctx, make_campaign):
    campaign_id = make_campaign()
    _fill(ctx, campaign_id)
    login(client, "coord")
    base = f"/c/maple/p/honor-awards/manage/campaigns/{campaign_id}"
    page = client.get(base).get_data(as_text=True)
    assert page.count('class="list-link"') == nominations.BOARD_PER_PAGE
    assert "候选人00" in page and "候选人30" not in page and "Page 1 of 3" in page
    assert "All (70)" in page and "Nominated (40)" in page and "Shortlisted (20)" in page
    assert "Not eligible (10)" in page and "Awarded (" not in page  # only the statuses there are
    last = client.get(base + "?page=3").get_data(as_text=True)
    assert "候选人69" in last and last.count('class="list-link"') == 10
    shortlisted = client.get(base + "?status=shortlisted").get_data(as_text=True)
    assert shortlisted.count('class="list-link"') == 20 and "候选人40" in shortlisted and "候选人00" not in shortlisted
    assert 'aria-current="page">Shortlisted (20)' in shortlisted
    for odd in ("?page=99", "?page=abc", "?status=nonsense", "?status=", "?page=-3&status=x"):
        response = client.get(base + odd)
        assert response.status_code == 200, odd
    assert "候选人69" in client.get(base + "?page=99").get_data(as_text=True)  # beyond the last: the last page


def test_the_standings_list_the_places_to_award_and_as_many_again(client, ctx, make_campaign):
    campaign_id = make_campaign(quota=3)
    _fill(ctx, campaign_id)
    login(client, "coord")
    page = client.get(f"/c/maple/p/honor-awards/manage/campaigns/{campaign_id}").get_data(as_text=True)
    assert "The first 20 of 20 candidates" not in page  # the 20 shortlisted fit: no note
    assert page.count("<tr><td><a href=") == 20


def test_the_board_costs_the_same_with_many_candidates(app, client, ctx, make_campaign):
    few, many = make_campaign(title="少"), make_campaign(title="多")
    _fill(ctx, few, count=3)
    _fill(ctx, many)
    login(client, "coord")

    def measured(campaign_id):
        return page_statements(app, client, f"/c/maple/p/honor-awards/manage/campaigns/{campaign_id}")

    assert measured(few) == measured(many)


def test_the_first_standings_are_those_of_the_whole_ranking(ctx, make_campaign):
    """The board ranks every candidate from their ids and loads only those it shows: the same rows, in the same
    order, as the whole ranking, with scores that differ, tie and are missing."""
    from timebank_plugins.honor_awards import review
    from timebank_plugins.honor_awards.models import Score
    from timebank_plugins.honor_awards.services import campaign_in

    campaign_id = make_campaign(quota=2)
    _fill(ctx, campaign_id, count=30)

    def score(c, users):
        campaign = campaign_in(c, campaign_id)
        criterion = campaign.criteria_items[0]
        shortlisted = db.session.scalars(db.select(Nomination).where(Nomination.campaign_id == campaign_id,
                                                                      Nomination.status == "shortlisted")).all()
        for n, nomination in enumerate(shortlisted[:-2]):  # the last two unscored
            db.session.add(Score(nomination_id=nomination.id, reviewer_id=users["coord"].id,
                                 criterion_id=criterion.id, points=(n * 7) % 5,
                                 scored_at=datetime(2026, 3, 2, tzinfo=UTC)))
        db.session.commit()

    ctx(score)

    def compare(c, users):
        campaign = campaign_in(c, campaign_id)
        whole = review.standings(campaign, c)
        first, total = review.top_standings(campaign, c, 4)
        none, nobody = review.top_standings(campaign, c, 4, statuses=("awarded",))
        shown = [(row.nomination.id, row.committee, row.final) for row in first]
        return shown, [(row.nomination.id, row.committee, row.final) for row in whole[:4]], total, len(whole), none, nobody

    shown, expected, total, everybody, none, nobody = ctx(compare)
    assert shown == expected and total == everybody == 10 and (none, nobody) == ([], 0)
    assert [final for _id, _committee, final in expected] == sorted(
        (final for _id, _committee, final in expected), reverse=True)  # best first, scored before unscored
