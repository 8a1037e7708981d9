"""The exchange over HTTP: contact details only after acceptance, the switch, other communities."""

from datetime import timedelta

from timebank_plugins.mutual_aid import services

from timebank.plugin_state import set_plugin_enabled

from .conftest import NOW


def login(client, username):
    client.post("/login", data={"username": username, "password": "test-pass-123"})
    client.post("/account/language", data={"locale": "en"})


def test_contact_details_only_after_acceptance(client, run, clock):
    listing_id = run(lambda c, u: services.post_listing(c, u["daughter"], u["mother"], kind="request",
                                                        category="companionship", title="陪妈妈散步",
                                                        expected_minutes=60).id)
    login(client, "helper")
    page = client.get(f"/c/maple/p/mutual-aid/listings/{listing_id}").get_data(as_text=True)
    assert "13900000002" not in page and "刘*奶" in page
    client.post(f"/c/maple/p/mutual-aid/listings/{listing_id}", data={"action": "respond",
                                                                      "respond-for_whom": "0", "respond-message": "我来"})
    client.post("/logout")
    login(client, "daughter")
    page = client.get(f"/c/maple/p/mutual-aid/listings/{listing_id}").get_data(as_text=True)
    assert "陈志强" in page and "13800000003" not in page
    response_id = run(lambda c, u: services.responses_to(services.listing_in(c, listing_id))[0].id)
    tomorrow = (NOW + timedelta(days=1)).date().isoformat()
    accepted = client.post(f"/c/maple/p/mutual-aid/listings/{listing_id}/accept/{response_id}",
                           data={"accept-agreed_date": tomorrow, "accept-agreed_time": "09:00"})
    assert accepted.status_code == 302 and "/agreements/" in accepted.headers["Location"]
    page = client.get(accepted.headers["Location"]).get_data(as_text=True)
    assert "13800000003" in page and "13900000002" in page


def test_the_switch_hides_pages_nav_and_cards(client, run):
    login(client, "helper")
    assert client.get("/c/maple/p/mutual-aid/").status_code == 200
    assert "Mutual aid" in client.get("/c/maple/").get_data(as_text=True)
    run(lambda c, u: set_plugin_enabled(c, "mutual_aid", False, u["coordinator"]))
    assert client.get("/c/maple/p/mutual-aid/").status_code == 404
    assert "Mutual aid" not in client.get("/c/maple/").get_data(as_text=True)


def test_other_communities_cannot_see_or_answer(client, run, make):
    listing_id = run(lambda c, u: services.post_listing(c, u["daughter"], u["mother"], kind="request",
                                                        category="errands", title="买米", expected_minutes=30).id)
    make.community("oak", "橡树社区")
    make.member("oak", "oakvol", role="volunteer")
    login(client, "oakvol")
    assert client.get(f"/c/maple/p/mutual-aid/listings/{listing_id}").status_code == 404
    assert client.post(f"/c/maple/p/mutual-aid/listings/{listing_id}", data={"action": "respond"}).status_code == 404
    assert client.get(f"/c/oak/p/mutual-aid/listings/{listing_id}").status_code == 404


def test_a_bad_post_shows_errors_and_writes_nothing(client, run):
    login(client, "daughter")
    page = client.post("/c/maple/p/mutual-aid/new", data={"kind": "request", "for_whom": "0", "category": "nope",
                                                          "title": "", "expected_minutes": "5"}).get_data(as_text=True)
    assert 'id="title-error"' in page
    from timebank_plugins.mutual_aid.models import Listing

    from timebank.extensions import db

    assert run(lambda c, u: db.session.query(Listing).count()) == 0


def test_coordinator_page(client, run):
    login(client, "coord")
    page = client.get("/c/maple/p/mutual-aid/manage")
    assert page.status_code == 200
    saved = client.post("/c/maple/p/mutual-aid/manage", data={"member": "mother", "priority_elder": "1",
                                                              "verified": "", "suspended": "", "note": ""})
    assert saved.status_code == 302
    assert run(lambda c, u: services.profile_of(c, u["mother"]).priority_elder)
    client.post("/logout")
    login(client, "helper")
    assert client.get("/c/maple/p/mutual-aid/manage").status_code == 403


def test_browse_filters_by_kind_category_grid_and_day(client, run):
    from datetime import timedelta

    from timebank.communities import structure

    def setup(c, u):
        grid = structure.add_grid(c, u["coordinator"], "第一网格")
        building = structure.add_building(c, u["coordinator"], "3号楼", grid_id=grid.id)
        services.post_listing(c, u["daughter"], u["mother"], kind="request", category="errands", title="买米",
                              expected_minutes=30, wanted_on=(NOW + timedelta(days=1)).date())
        services.post_listing(c, u["helper"], u["helper"], kind="offer", category="teaching", title="教手机",
                              expected_minutes=60)
        return grid.id, building.id

    grid_id, _building_id = run(setup)
    login(client, "stranger")
    everything = client.get("/c/maple/p/mutual-aid/").get_data(as_text=True)
    assert "买米" in everything and "教手机" in everything
    offers = client.get("/c/maple/p/mutual-aid/?kind=offer").get_data(as_text=True)
    assert "教手机" in offers and "买米" not in offers
    later = client.get("/c/maple/p/mutual-aid/?day=" + (NOW + timedelta(days=5)).date().isoformat())
    assert "买米" not in later.get_data(as_text=True) and "教手机" in later.get_data(as_text=True)
    in_grid = client.get(f"/c/maple/p/mutual-aid/?grid={grid_id}").get_data(as_text=True)
    assert "买米" not in in_grid  # nobody of the grid's buildings posted


def test_the_home_card_shows_requests_from_the_neighbours_building_only(client, run):
    """"Needs near me": open requests of other people in the building of the person's household, newest first;
    not their own, not another building's; nobody without a household gets the card."""
    from timebank.communities import structure
    from timebank.communities.services import active_membership

    def setup(c, u):
        building = structure.add_building(c, u["coordinator"], "3号楼")
        other = structure.add_building(c, u["coordinator"], "5号楼")
        homes = {name: structure.add_household(c, u["coordinator"], where.id, room)
                 for name, where, room in (("mother", building, "101"), ("helper", building, "202"),
                                           ("stranger", other, "303"))}
        for name, household in homes.items():
            structure.assign_household(active_membership(u[name], c), u["coordinator"], household.id)
        for owner, title in (("mother", "买米"), ("stranger", "修自行车"), ("helper", "借梯子")):
            services.post_listing(c, u[owner], u[owner], kind="request", category="errands", title=title,
                                  expected_minutes=30)

    run(setup)
    login(client, "helper")
    home = client.get("/c/maple/").get_data(as_text=True)
    assert "Needs near me" in home
    card = home[home.index("Needs near me"):]
    card = card[:card.index("</section>")]
    assert "买米" in card and "3号楼" in card
    assert "修自行车" not in card and "借梯子" not in card  # another building; their own
    client.post("/logout")
    login(client, "daughter")  # no household
    assert "Needs near me" not in client.get("/c/maple/").get_data(as_text=True)
