"""The home page's lines (``lines.py``) read plain columns: they must show what the full objects show."""

from datetime import timedelta

from timebank_plugins.mutual_aid import exchange, lines, services

from .conftest import NOW


def agreement_shown(agreement):
    """What ``mutual_aid/_agreement_line.html`` shows of an agreement (or of a line)."""
    return (agreement.id, agreement.status, agreement.agreed_for, agreement.listing.title,
            agreement.helper.display_name, agreement.recipient.display_name)


def need_shown(listing):
    """What ``mutual_aid/card_needs.html`` shows of a post (or of a line)."""
    return listing.id, listing.title, listing.when_text, listing.building.name if listing.building else None


def test_agreement_and_need_lines_show_what_the_objects_show(run, clock):
    def homes(c, u):
        from timebank.communities import structure
        from timebank.communities.services import active_membership
        from timebank.extensions import db

        building = structure.add_building(c, u["coordinator"], "7号楼")
        other = structure.add_building(c, u["coordinator"], "8号楼")
        for room, (name, where) in enumerate((("mother", building), ("daughter", building), ("helper", building),
                                              ("stranger", other)), start=101):
            active_membership(u[name], c).household_id = structure.add_household(
                c, u["coordinator"], where.id, str(room)).id
        db.session.commit()

    run(homes)

    def steps(c, u):
        made = []
        for days, title, owner in ((1, "陪妈妈散步", "mother"), (3, "帮忙取药", "mother"), (2, "教用手机", "daughter")):
            listing = services.post_listing(c, u["daughter"], u[owner], kind="request", category="companionship",
                                            title=title, expected_minutes=60, when_text="周二上午")
            response = services.respond(listing, c, u["helper"], u["helper"], "我有空")
            made.append(services.accept(listing, c, u["daughter"], response, NOW + timedelta(days=days)).id)
        return made

    first, *_others = run(steps)
    clock.move(days=2)
    run(lambda c, u: exchange.complete(services.agreement_in(c, first), c, u["daughter"], 60, 5))  # not active now

    def posts(c, u):
        for title, owner in (("修自行车", "mother"), ("读报纸", "stranger"), ("买菜", "helper"), ("换灯泡", "mother")):
            clock.move(minutes=1)  # newest first: one after the other
            services.post_listing(c, u[owner], u[owner], kind="request", category="companionship", title=title,
                                  expected_minutes=30)

    run(posts)

    def compare(c, u):
        from timebank.communities.services import active_membership

        people = [u["daughter"], u["mother"]]
        for active_only, limit in ((True, 3), (True, 1), (False, 50)):
            assert [agreement_shown(line) for line in lines.agreement_lines(c, people, active_only, limit)] == \
                [agreement_shown(a) for a in services.agreements_of(c, people, active_only=active_only, limit=limit)]
        household = active_membership(u["helper"], c).household_id
        for limit in (1, 3):
            full = services.open_listings(c, kind="request", near_household_id=household, not_owned_by=u["helper"],
                                          limit=limit)
            assert [need_shown(line) for line in lines.need_lines(c, household, u["helper"], limit)] == \
                [need_shown(listing) for listing in full]
        return (len(lines.agreement_lines(c, people, True, 3)),
                [line.title for line in lines.need_lines(c, household, u["helper"], 3)])

    active, needs = run(compare)
    assert active == 2
    assert needs == ["换灯泡", "修自行车"]  # in the helper's building, not the helper's own, newest first


def test_people_lines_show_the_person_and_their_confirmed_relatives_with_their_credits(run):
    """What the card showed from ``confirmed_relatives`` and ``balances_for``: the person first, then each relative
    (found either way round, once) by name, with their credit balance; a relation still pending shows nobody."""
    from timebank.ledger import credits

    def relatives(c, u):
        named = credits.name_relative(c, u["helper"], u["daughter"], "other", u["helper"])
        credits.decide_relative(c, named, u["coordinator"], True)  # the daughter now also acts for the helper
        credits.name_relative(c, u["stranger"], u["daughter"], "other", u["stranger"])  # pending: not shown

    run(relatives)

    def compare(c, u):
        shown = []
        for person in ("daughter", "mother", "helper", "stranger"):
            people = [u[person], *services.confirmed_relatives(c, u[person])]
            balances = exchange.balances_for(c, people)
            expected = [(p.id, p.display_name, balances[p.id]) for p in people]
            found = [(line.id, line.display_name, line.credits) for line in lines.people_lines(c, u[person])]
            assert found == expected, person
            shown.append((person, found))
        return dict(shown)

    shown = run(compare)
    assert len(shown["daughter"]) == 3 and len(shown["stranger"]) == 1  # herself, her mother and the helper
    assert shown["mother"][0][2] == 120  # the two credits her daughter gave her
