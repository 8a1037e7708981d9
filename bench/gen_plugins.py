"""The plugins' side of the district: repair work orders (with the ledger records the history made for them),
elders' meal enrolments, menus and orders, and the year's honour award campaign with its nominations."""

from collections import defaultdict
from datetime import date, timedelta

from names import DISHES, REPAIRS, person_name

MEAL_DAYS_BACK, MEAL_DAYS_AHEAD = 90, 6
ELDERS_PER_COMMUNITY = 60
NOMINATIONS_PER_COMMUNITY = 60


def make_plugin_data(district):
    make_repairs(district)
    make_meals(district)
    make_awards(district)


def make_repairs(district):
    """A closed (or signed-off, when the hours are still pending) work order behind every repair record, the
    repair volunteers with their skills, and a few new requests waiting in each community."""
    rng = district.rng
    per_day = defaultdict(int)
    orders, events, skills = [], [], defaultdict(set)
    volunteers = {}
    for job in district.repair_jobs:
        cid, person = job["community_id"], job["volunteer"]
        people = district.members[cid]
        requester = people[rng.randrange(len(people))]
        category, text = REPAIRS[rng.randrange(len(REPAIRS))]
        created = job["start"] - timedelta(days=rng.randrange(1, 4), hours=rng.randrange(0, 8))
        day = created.astimezone(district.zone).date()
        per_day[(cid, day)] += 1
        closed = job["status"] != "pending"
        finished = job["end"]
        orders.append(dict(
            id=job["order_id"], community_id=cid, number=f"WX{day:%Y%m%d}-{per_day[(cid, day)]:03d}",
            category=category, urgency="normal", description=text, household_id=requester["household"][0],
            requester_id=requester["user_id"], contact_phone=f"139{requester['user_id']:08d}",
            created_by_id=requester["user_id"], status="closed" if closed else "signed_off",
            volunteer_id=person["user_id"], scheduled_at=job["start"], assigned_at=created + timedelta(hours=2),
            started_at=job["start"], finished_at=finished, work_note="已修好，告知居民注意事项。",
            signoff_code=f"{rng.randrange(10**6):06d}", signed_off_at=finished + timedelta(minutes=3),
            signed_off_by_id=requester["user_id"], signoff_method="own_phone",
            rating=rng.choice((4, 5, 5, 5)) if closed else None, rating_comment="师傅很耐心，修得很好。" if closed else "",
            rated_at=finished + timedelta(hours=20) if closed else None,
            closed_at=finished + timedelta(hours=20) if closed else None, record_id=job["record_id"],
            created_at=created))
        for action, status, moment in (("submitted", "submitted", created),
                                       ("assigned", "assigned", created + timedelta(hours=2)),
                                       ("started", "in_progress", job["start"]), ("finished", "done", finished),
                                       ("signed_off", "signed_off", finished + timedelta(minutes=3))) + (
                                           (("rated", "closed", finished + timedelta(hours=20)),) if closed else ()):
            events.append(dict(order_id=job["order_id"], action=action, status=status, created_at=moment,
                               actor_id=person["user_id"] if action in ("started", "finished") else
                               requester["user_id"]))
        volunteers.setdefault((cid, person["user_id"]), job["start"] - timedelta(days=30))
        skills[(cid, person["user_id"])].add(category)
    for community in district.communities:  # new requests nobody has taken yet
        people = district.members[community["id"]]
        for number in range(1, 11):
            requester = people[rng.randrange(len(people))]
            category, text = REPAIRS[number % len(REPAIRS)]
            created = district.now - timedelta(hours=number * 5)
            orders.append(dict(
                id=district.ids("repair_team_order"), community_id=community["id"],
                number=f"WX{district.today:%Y%m%d}-{900 + number:03d}", category=category,
                urgency="emergency" if number == 1 else "normal", description=text,
                household_id=requester["household"][0], requester_id=requester["user_id"],
                created_by_id=requester["user_id"], preferred_parts="am,eve", status="submitted",
                signoff_code=f"{rng.randrange(10**6):06d}", created_at=created))
    district.add("repair_team_order", orders)
    district.add("repair_team_event", events)
    for (cid, user_id), joined in volunteers.items():
        volunteer_id = district.ids("repair_team_volunteer")
        district.add("repair_team_volunteer", [dict(id=volunteer_id, community_id=cid, user_id=user_id,
                                                    joined_at=joined)])
        district.add("repair_team_skill", [dict(volunteer_id=volunteer_id, category=category)
                                           for category in sorted(skills[(cid, user_id)])])


def subsidy(age):
    """The default age brackets of the meal policy (DOMAIN.md): (fen, tier code)."""
    from timebank_plugins.elder_meals.policy import DEFAULT_AGE_SUBSIDIES, parse_age_subsidies

    fen, code = 0, "none"
    for from_age, amount in parse_age_subsidies(DEFAULT_AGE_SUBSIDIES):
        if age >= from_age:
            fen, code = amount, f"age:{from_age}"
    return fen, code


def make_meals(district):
    """Sixty enrolled elders per community, lunch menus for three months and the next week, and their orders."""
    rng = district.rng
    for community in district.communities:
        cid = community["id"]
        people = district.members[cid]
        residents = [p for p in people if p["role"] == "resident"][:ELDERS_PER_COMMUNITY]
        coordinator = people[1]
        elders = []
        for person in residents:
            elder_id = district.ids("elder_meals_elder")
            born = date(rng.randrange(1932, 1962), rng.randrange(1, 13), rng.randrange(1, 29))
            enrolled = district.now - timedelta(days=MEAL_DAYS_BACK + 30)
            district.add("elder_meals_elder", [dict(
                id=elder_id, community_id=cid, user_id=person["user_id"], status="active", birth_date=born,
                welfare_status="none", consent_at=enrolled, consent_by_id=person["user_id"],
                consent_note="本人签字同意", household_id=person["household"][0], address=person["household"][2],
                applied_by_id=person["user_id"], decided_by_id=coordinator["user_id"], decided_at=enrolled,
                created_at=enrolled)])
            district.add("elder_meals_status_change", [dict(elder_id=elder_id, status="none",
                                                            valid_from=born, recorded_at=enrolled)])
            elders.append((elder_id, born, person))
        orders = []
        for offset in range(-MEAL_DAYS_BACK, MEAL_DAYS_AHEAD + 1):
            day = district.today + timedelta(days=offset)
            menu_id = district.ids("elder_meals_menu")
            published = district.now + timedelta(days=min(offset, 0) - 7)
            district.add("elder_meals_menu", [dict(id=menu_id, community_id=cid, meal_date=day, slot="lunch",
                                                   capacity=80, published_at=published,
                                                   created_by_id=coordinator["user_id"], created_at=published)])
            dishes = []
            for position, (name, price) in enumerate(rng.sample(DISHES, 2)):
                dish_id = district.ids("elder_meals_dish")
                district.add("elder_meals_dish", [dict(id=dish_id, menu_id=menu_id, position=position, name=name,
                                                       description="两荤一素，米饭", price_fen=price,
                                                       soft=position == 1, low_salt=True)])
                dishes.append((dish_id, price))
            for elder_id, born, person in elders:
                if rng.random() > 0.6:
                    continue
                dish_id, price = dishes[rng.randrange(2)]
                age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
                fen, tier = subsidy(age)
                placed = district.now + timedelta(days=offset - 2)
                served = offset < 0
                orders.append(dict(
                    id=district.ids("elder_meals_order"), community_id=cid, elder_id=elder_id, menu_id=menu_id,
                    dish_id=dish_id, meal_date=day, slot="lunch", mode=rng.choice(("dine_in", "pickup")),
                    status="served" if served else "placed", price_fen=price, subsidy_fen=min(fen, price),
                    tier=tier, placed_by_id=person["user_id"], created_at=placed, updated_at=placed,
                    outcome_at=placed + timedelta(days=2) if served else None,
                    paid_fen=price - min(fen, price) if served else 0,
                    paid_at=placed + timedelta(days=2) if served else None))
        district.add("elder_meals_order", orders)


def make_awards(district):
    """Last year's 最美家庭 campaign, final: households nominated, ten awarded with certificates."""
    rng = district.rng
    year = district.today.year - 1
    for community in district.communities:
        cid = community["id"]
        people = district.members[cid]
        campaign_id = district.ids("honor_awards_campaign")
        opened = date(year, 3, 1)
        district.add("honor_awards_campaign", [dict(
            id=campaign_id, community_id=cid, kind="household", title=f"{year}年度最美家庭", year=year,
            criteria="家庭和睦、邻里互助、热心公益。", quota=10, nominations_open_on=opened,
            nominations_close_on=date(year, 3, 31), review_until=date(year, 4, 20), notice_days=7,
            award_on=date(year, 5, 4), status="final", created_by_id=people[0]["user_id"],
            created_at=district.now - timedelta(days=400), finalised_at=district.now - timedelta(days=360))])
        homes = rng.sample(district.households[cid], min(NOMINATIONS_PER_COMMUNITY, len(district.households[cid])))
        nominations, awards = [], []
        for index, (household_id, _building, label) in enumerate(homes):
            nomination_id = district.ids("honor_awards_nomination")
            awarded = index < 10
            nominator = people[rng.randrange(len(people))]
            nominations.append(dict(
                id=nomination_id, community_id=cid, campaign_id=campaign_id, household_id=household_id,
                nominee_name=f"{label} {person_name(rng)}家", nominator_kind=rng.choice(("self", "neighbour",
                                                                                          "grid_worker")),
                nominated_by_id=nominator["user_id"], statement="一家人孝老爱亲，常年照顾独居邻居，热心社区公益。",
                name_consent="masked", status="awarded" if awarded else "not_selected",
                visited_on=date(year, 4, 10), visit_note="入户走访，情况属实。", visited_by_id=people[1]["user_id"],
                decided_by_id=people[0]["user_id"], created_at=district.now - timedelta(days=390)))
            if awarded:
                awards.append(dict(
                    community_id=cid, campaign_id=campaign_id, nomination_id=nomination_id, kind="household",
                    household_id=household_id, title=f"{year}年度最美家庭", level="community", year=year,
                    awarded_on=date(year, 5, 4), certificate_number=f"ZM{year}-{cid:02d}-{index + 1:03d}",
                    created_at=district.now - timedelta(days=360)))
        district.add("honor_awards_nomination", nominations)
        district.add("honor_awards_award", awards)
        make_star_round(district, community)


def make_star_round(district, community):
    """This year's star volunteers (星级志愿者): everybody whose confirmed hours reach a level holds it, granted
    after its public notice, as the honour awards plugin leaves it (so a new confirmation finds them there)."""
    cid, year = community["id"], district.today.year
    people = {p["user_id"]: p for p in district.members[cid]}
    campaign_id = district.ids("honor_awards_campaign")
    district.add("honor_awards_campaign", [dict(
        id=campaign_id, community_id=cid, kind="star", title=f"{year}年星级志愿者", year=year, level="community",
        criteria="确认服务时长达到星级标准的志愿者，经公示后授予星级。", quota=0,
        nominations_open_on=date(year, 1, 1), nominations_close_on=date(year, 12, 31),
        review_until=date(year, 12, 31), notice_days=5, award_on=date(year, 12, 31), status="active",
        created_at=district.now - timedelta(days=300))])
    nominations, awards = [], []
    for user_id, level in sorted(district.star_levels.get(cid, {}).items()):
        nomination_id = district.ids("honor_awards_nomination")
        person = people[user_id]
        granted = district.now - timedelta(days=district.rng.randrange(40, 300))
        nominations.append(dict(id=nomination_id, community_id=cid, campaign_id=campaign_id, user_id=user_id,
                                nominee_name=person["name"], star_level=level, nominator_kind="ledger",
                                status="awarded", created_at=granted - timedelta(days=8)))
        awards.append(dict(community_id=cid, campaign_id=campaign_id, nomination_id=nomination_id, kind="star",
                           user_id=user_id, title=f"{level}星级志愿者", level="community", year=year,
                           star_level=level, awarded_on=granted.date(),
                           certificate_number=f"XJ{year}-{cid:02d}-{user_id:06d}", created_at=granted))
    district.add("honor_awards_nomination", nominations)
    district.add("honor_awards_award", awards)
