"""Counts on the administration pages and in their messages take their plural forms ("1 member", "2 members");
Chinese has one form. Each is read for 1 and for 2, in English and in Chinese."""

import importlib.util
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from timebank.communities.services import community_by_slug
from timebank.errors import ValidationFailed
from timebank.extensions import db
from timebank.identity.models import User

ROOT = Path(__file__).resolve().parent.parent


def users_by_name():
    return {user.username: user for user in db.session.scalars(db.select(User))}


@pytest.mark.parametrize("locale, one, two", [("en", "1 member", "2 members"), ("zh_CN", "1名成员", "2名成员")])
def test_the_teams_page_counts_members(app, client, community, make, reader, locale, one, two):
    from timebank.communities.teams import add_team_member, create_team

    make.member("maple", "vol2", role="volunteer")
    with app.test_request_context():
        maple, users = community_by_slug("maple"), users_by_name()
        small = create_team(maple, users["maple.coord"], "读报小组")
        add_team_member(small, maple, users["maple.coord"], users["maple.vol"].id)
        large = create_team(maple, users["maple.coord"], "巡逻队")
        for name in ("maple.vol", "vol2"):
            add_team_member(large, maple, users["maple.coord"], users[name].id)
    reader("maple.coord", locale)
    page = client.get("/c/maple/admin/teams").get_data(as_text=True)
    small_line = page[page.index("读报小组"):page.index("</li>", page.index("读报小组"))]
    large_line = page[page.index("巡逻队"):page.index("</li>", page.index("巡逻队"))]
    assert one in small_line and two in large_line


@pytest.mark.parametrize("locale, one, two", [("en", "1 stairwell", "2 stairwells"), ("zh_CN", "1个单元", "2个单元")])
def test_the_structure_page_counts_stairwells(app, client, community, reader, locale, one, two):
    from timebank.communities import structure

    with app.test_request_context():
        maple, users = community_by_slug("maple"), users_by_name()
        structure.add_building(maple, users["maple.coord"], "1号楼", stairwells=1)
        structure.add_building(maple, users["maple.coord"], "2号楼", stairwells=2)
    reader("maple.coord", locale)
    page = client.get("/c/maple/admin/structure").get_data(as_text=True)
    first = page[page.index("1号楼"):page.index("</li>", page.index("1号楼"))]
    second = page[page.index("2号楼"):page.index("</li>", page.index("2号楼"))]
    assert one in first and two in second


@pytest.mark.parametrize("locale, one, two", [("en", "1 active member", "2 active members"),
                                              ("zh_CN", "1名成员", "2名成员")])
def test_the_district_page_counts_active_members(client, make, reader, locale, one, two):
    make.community("oak", "橡树社区")
    make.member("oak", "oak.one", role="resident")
    make.community("pine", "松林社区")
    make.member("pine", "pine.one", role="resident")
    make.member("pine", "pine.two", role="volunteer")
    make.district_admin()
    reader("district", locale)
    page = client.get("/district/").get_data(as_text=True)
    oak = page[page.index("橡树社区"):page.index("</li>", page.index("橡树社区"))]
    pine = page[page.index("松林社区"):page.index("</li>", page.index("松林社区"))]
    assert one in oak and two in pine


@pytest.mark.parametrize("limit, english, chinese", [
    (1, "You have 1 active token, the most allowed. Revoke it if you no longer use it.",
     "您已有 1 个有效令牌，已达上限。请吊销一个不再使用的令牌。"),
    (2, "You have 2 active tokens, the most allowed. Revoke one you no longer use.",
     "您已有 2 个有效令牌，已达上限。请吊销一个不再使用的令牌。"),
])
def test_the_token_limit_counts_tokens(app, community, limit, english, chinese):
    from timebank.api.tokens import create_personal_token

    app.config["API_MAX_TOKENS_PER_USER"] = limit
    with app.test_request_context():
        volunteer = users_by_name()["maple.vol"]
        for number in range(limit):
            create_personal_token(volunteer, f"phone {number}", ["read"])
        for locale, expected in (("en", english), ("zh_CN", chinese)):
            with force_locale(locale), pytest.raises(ValidationFailed) as refused:
                create_personal_token(volunteer, "one more", ["read"])
            assert refused.value.message == expected


# --- No count without plural forms ----------------------------------------------------------------------------------

#: A count followed by a plural noun in an English msgid without plural forms reads wrong for 1 ("1 members"). These
#: few never count 1 (or never show in English), and keep one form.
ONE_FORM = {
    "At most %(max)d characters.": "text limits are never 1",
    "Enter a name of at most %(n)d characters.": "text limits are never 1",
    "Use at least %(n)d characters.": "the shortest password is 8 characters and more",
    "Enter between 0 and %(max)d minutes (the length of the activity).": "an activity of one minute is not entered",
    "%(start)d–%(end)d years": "age bands of elders",
    "%(start)d years and over": "age bands of elders",
    "%(age)d years": "the age of an elder",
    "Delivered %(delivered)d of %(stops)d meals to elders' homes.": "written in Chinese only (the service record)",
    "Please describe the deeds in at least %(n)d characters.": "a fixed minimum of several characters",
    "Please explain in at least %(n)d characters.": "a fixed minimum of several characters",
    "At most %(n)d photos.": "honor_awards: a fixed maximum of several photos",
    "“%(name)s”: 0 to %(max)d points.": "a criterion is worth several points",
    "%(n)d days": "a public notice lasts 3 to 7 days",
    "The notice shows the names as each candidate consented (masked otherwise). It runs for %(n)d days; anyone "
    "logged in may object.": "a public notice lasts 3 to 7 days",
    "The first %(shown)d of %(total)d candidates; every candidate is in the list below.": "shown when many",
    "One device: %(n)d votes between %(start)s and %(end)s": "a group of votes from one device has several",
    "Between 5 and %(max)d minutes.": "the maximum is never below 5",
    "Between 15 and %(max)d minutes.": "the maximum is never below 15",
    "The %(shown)d best of %(total)d volunteers with this skill. Search by name or phone number for anybody on the "
    "team.": "shown when there are more volunteers than suggestions",
    "Licence expires within %(days)d days": "a fixed 30 days",
}
COUNT_AND_NOUN = re.compile(r"%\(\w+\)d\)? (?:(?:more|new|active|open|forgotten|cancelled|delivery) )?([a-z-]+s)\b")


def _load_translation_tool():
    spec = importlib.util.spec_from_file_location("timebank_translations_tool_plurals",
                                                  ROOT / "tools" / "translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.database_independent
def test_every_count_of_a_noun_has_plural_forms():
    """A message like "%(n)d members" is written with ``ngettext`` / ``N_plural`` (a singular and a plural msgid),
    unless listed in ``ONE_FORM`` with the reason it never counts 1."""
    found = []
    for area, template in _load_translation_tool().extract().items():
        for message in template:
            if message.id and isinstance(message.id, str) and COUNT_AND_NOUN.search(message.id):
                found.append((area, message.id))
    assert [(area, msgid) for area, msgid in found if msgid not in ONE_FORM] == []
    assert sorted(set(ONE_FORM) - {msgid for _area, msgid in found}) == []  # (no stale entry)
