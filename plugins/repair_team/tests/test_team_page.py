"""The coordinator's team roster at any size: one page at a time, search by name or phone, filters by skill and by
licence state, the counts on top (from SQL), a constant number of statements, and never a 500 for odd addresses."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from timebank_plugins.repair_team import roster
from timebank_plugins.repair_team.models import RepairSkill, RepairVolunteer

from timebank.extensions import db
from timebank.testing import page_statements

from .test_pages import login

BASE = "/c/maple/p/repair-team"
TODAY = date(2026, 11, 20)  # the clock of conftest.py


def names(page):
    """The volunteers listed on a team page, in order."""
    return re.findall(r'<a class="list-link" href="[^"]*/team/\d+">\s*<span class="grow"><strong>([^<]+)</strong>',
                      page)


@pytest.fixture
def big_team(app, make, ctx, repair):
    """28 more roster volunteers 队员01…队员28 (队员12's phone is 13700001212), every third one a plumber, every
    fourth one paused; 队员05's electrician licence runs out in 10 days, 队员06's ran out yesterday."""
    from timebank.identity.models import User

    ids = [make.member("maple", f"crew{n:02d}", role="volunteer", display_name=f"队员{n:02d}", password=None,
                       phone=f"1370000{n:02d}{n:02d}") for n in range(1, 29)]

    def fill(c, users):
        for n, user_id in enumerate(ids, start=1):
            entry = roster.add_to_roster(c, users["coord"], db.session.get(User, user_id))
            if n % 3 == 0:
                roster.save_skills(c, users["coord"], entry, ["water"])
            if n % 4 == 0:
                entry.taking_jobs = False
            if n in (5, 6):
                roster.save_skills(c, users["coord"], entry, ["electricity"] + (["water"] if n % 3 == 0 else []),
                                   f"E-{n}", TODAY + timedelta(days=10))
        db.session.commit()

    ctx(fill)
    with app.app_context():  # an expired licence cannot be saved through the service: it expired on file
        skill = db.session.scalar(select(RepairSkill).join(RepairVolunteer).join(User, User.id == RepairVolunteer.user_id)
                                  .where(User.username == "crew06", RepairSkill.category == "electricity"))
        skill.licence_valid_until = TODAY - timedelta(days=1)
        db.session.commit()
    return ids


def test_the_roster_is_paged_by_name_with_the_pager_keeping_the_filters(client, big_team):
    login(client, "coord")
    first = client.get(f"{BASE}/team").get_data(as_text=True)
    listed = names(first)
    assert len(listed) == roster.TEAM_PER_PAGE and listed == sorted(listed)
    assert "Page 1 of 2" in first and f'href="{BASE}/team?page=2"' in first
    second = names(client.get(f"{BASE}/team?page=2").get_data(as_text=True))
    assert len(listed) + len(second) == 30 and not set(listed) & set(second)
    page = client.get(f"{BASE}/team?skill=water&q=%E9%98%9F").get_data(as_text=True)  # 队: the crew
    assert names(page) == [f"队员{n:02d}" for n in range(3, 29, 3)]
    assert "9 volunteers found" in page and "Page 1 of" not in page


def test_search_by_part_of_the_name_or_of_the_phone_number(client, big_team):
    login(client, "coord")
    assert names(client.get(f"{BASE}/team?q=员07").get_data(as_text=True)) == ["队员07"]
    assert names(client.get(f"{BASE}/team?q=+刘电").get_data(as_text=True)) == ["刘电工"]
    page = client.get(f"{BASE}/team?q=137%200000-1212").get_data(as_text=True)  # typed with a space and a dash
    assert names(page) == ["队员12"] and "137****1212" in page  # the list shows the number masked
    page = client.get(f"{BASE}/team?q=%25").get_data(as_text=True)  # "%" is not a wildcard
    assert names(page) == [] and "No volunteer matches" in page


def test_filters_by_skill_and_by_licence_state(client, big_team):
    login(client, "coord")
    assert names(client.get(f"{BASE}/team?skill=electricity").get_data(as_text=True)) == ["刘电工", "队员05",
                                                                                           "队员06"]
    page = client.get(f"{BASE}/team?licence=expiring").get_data(as_text=True)
    assert names(page) == ["队员05"] and "licence expires" in page
    page = client.get(f"{BASE}/team?licence=expired").get_data(as_text=True)
    assert names(page) == ["队员06"] and "licence missing or expired" in page
    assert names(client.get(f"{BASE}/team?licence=expired&skill=water").get_data(as_text=True)) == ["队员06"]
    assert names(client.get(f"{BASE}/team?licence=expiring&skill=water").get_data(as_text=True)) == []


def test_the_counts_on_top_match_the_roster(ctx, big_team):
    def both(c, users):
        counts = roster.team_counts(c, TODAY)
        entries = roster.roster_in(c)
        licensed = [skill for entry in entries for skill in entry.skills if skill.category == "electricity"]
        expected = (len(entries), sum(entry.taking_jobs for entry in entries),
                    sum(TODAY <= skill.licence_valid_until <= TODAY + timedelta(days=30) for skill in licensed),
                    sum(skill.licence_valid_until < TODAY for skill in licensed))
        return (counts.active, counts.taking_jobs, counts.licence_expiring, counts.licence_problem), expected

    counts, expected = ctx(both)
    assert counts == expected == (30, 23, 1, 1)


def test_the_page_shows_the_counts_and_the_filters_in_chinese(client, big_team):
    login(client, "coord", english=False)
    page = client.get(f"{BASE}/team?licence=expiring").get_data(as_text=True)
    assert "维修队志愿者" in page and "证书30天内到期" in page and "找到1位志愿者" in page
    assert re.search(r'<p class="stat">30</p><p class="meta">维修队志愿者', page)
    assert re.search(r'<p class="stat">23</p><p class="meta">可接单', page)


def test_the_statement_count_does_not_grow_with_the_team(app, client, repair, make, ctx):
    login(client, "coord")

    def measured(path):
        return page_statements(app, client, path)

    small = measured(f"{BASE}/team")
    from timebank.identity.models import User

    ids = [make.member("maple", f"more{n:02d}", role="volunteer", password=None) for n in range(40)]

    def fill(c, users):
        for user_id in ids:
            roster.save_skills(c, users["coord"], roster.add_to_roster(c, users["coord"], db.session.get(User, user_id)),
                               ["water", "locks"])

    ctx(fill)
    assert measured(f"{BASE}/team") == small
    assert measured(f"{BASE}/team?page=2&skill=water&q=成员") == small


@pytest.mark.parametrize("query", [
    "page=abc", "page=-3", "page=0", "page=99999999999999999999999", "page=500",
    "skill=plumbing", "skill=%3Cscript%3E", "licence=soon", "licence=", "q=" + "长" * 500,
    "q=%25_%5C", "q=1' OR '1'='1", "skill=water&skill=locks", "licence[]=expired",
])
def test_odd_addresses_show_a_page_never_an_error(client, big_team, query):
    login(client, "coord")
    response = client.get(f"{BASE}/team?{query}")
    assert response.status_code == 200
    assert "<h1>Repair team</h1>" in response.get_data(as_text=True)


def test_a_page_beyond_the_last_shows_the_last_one(client, big_team):
    login(client, "coord")
    page = client.get(f"{BASE}/team?page=500").get_data(as_text=True)
    assert "Page 2 of 2" in page and len(names(page)) == 5


def test_the_roster_stays_in_its_community(client, big_team, make):
    login(client, "oak.coord")
    page = client.get("/c/oak/p/repair-team/team?q=队员").get_data(as_text=True)
    assert names(page) == [] and re.search(r'<p class="stat">0</p>', page)
    login(client, "vol")  # on the team, but not a coordinator
    assert client.get(f"{BASE}/team?q=队员").status_code == 403
