"""Years of duty shifts and the hour ledger: posts, shifts, attendances, service records, transactions, postings,
accounts with their cached balances, gifts between relatives and certificates."""

from collections import defaultdict
from datetime import timedelta

from names import CLAIMS, POSTS

#: Share of confirmed records by kind; "duty" records come from a check-in at a shift.
MIX = (("duty", 0.55), ("ledger.elder_care", 0.12), ("ledger.mutual_help", 0.08),
       ("ledger.community_service", 0.10), ("ledger.culture_education", 0.06), ("repair_team.repair", 0.04),
       ("ledger.elder_care", 0.05))
GIFT_SHARE = 0.02  # of the postings: gifts of credits between relatives
BENCH = "ZY2026-BNCH-2026"  # the certificate number the benchmark verifies
RECENT_DAYS = 30  # pending records fall in the last month; confirmed ones before it

RECORD_COLUMNS = (
    "id", "community_id", "volunteer_id", "category", "source", "activity_name", "activity_date", "started_at",
    "ended_at", "minutes", "place", "content", "organising_unit", "activity_leader", "leader_id", "team_id",
    "recipient", "is_backfill", "evidence_note", "corrects_id", "correction_reason", "created_at", "created_by_id",
    "on_behalf_of_id", "status", "decided_at", "decided_by_id", "decision_note")
TRANSACTION_COLUMNS = ("id", "community_id", "kind", "unit", "record_id", "reverses_id", "request_id", "source",
                       "reason", "created_at", "actor_id", "on_behalf_of_id")
POSTING_COLUMNS = ("id", "transaction_id", "account_id", "amount")
SHIFT_COLUMNS = ("id", "community_id", "post_id", "series_id", "starts_at", "ends_at", "capacity", "leader_id",
                 "note", "cancelled_at", "cancel_reason", "created_at")
ATTENDANCE_COLUMNS = ("id", "community_id", "shift_id", "user_id", "checked_in_at", "checked_out_at", "method_in",
                      "method_out", "location_inside", "auto_closed", "minutes", "no_hours_reason", "record_id",
                      "scanned_by_id")
CATEGORY_WORDS = {"qr_checkin.duty": "执勤值守", "qr_checkin.risky_duty": "巡逻与文明劝导",
                  "ledger.elder_care": "关爱老人", "ledger.mutual_help": "邻里互助", "ledger.community_service":
                  "社区公共服务", "ledger.culture_education": "文化宣传", "repair_team.repair": "便民维修"}


class Ledger:
    """Accounts, transactions and postings written the way ``ledger.accounts.post_transaction`` writes them."""

    def __init__(self, district):
        self.district = district
        self.accounts = {}  # (community, kind, owner) → id
        self.balances = defaultdict(int)  # account id → minutes
        self.postings = 0

    def account(self, community_id, kind, owner_id=0):
        key = (community_id, kind, owner_id)
        if key not in self.accounts:
            self.accounts[key] = self.district.ids("ledger_account")
        return self.accounts[key]

    def post(self, community_id, kind, unit, lines, moment, record_id=None, actor_id=None, reason=""):
        ids, writer = self.district.ids, self.district.writer
        transaction_id = ids("ledger_transaction")
        writer.add("ledger_transaction", TRANSACTION_COLUMNS, [(
            transaction_id, community_id, kind, unit, record_id, None, None, None, reason, moment, actor_id, None)])
        rows = []
        for account_id, amount in lines:
            rows.append((ids("ledger_posting"), transaction_id, account_id, amount))
            self.balances[account_id] += amount
        writer.add("ledger_posting", POSTING_COLUMNS, rows)
        self.postings += len(rows)

    def write_accounts(self):
        from timebank.ledger.models import ACCOUNT_UNITS

        self.district.writer.add("ledger_account", ("id", "community_id", "kind", "owner_id", "unit", "balance"), [
            (account_id, community_id, kind, owner, ACCOUNT_UNITS[kind], self.balances[account_id])
            for (community_id, kind, owner), account_id in self.accounts.items()])


def make_posts_and_shifts(district):
    """Posts per community and shifts over the history and the next two weeks. Returns {(community, day offset):
    [(shift id, start, end, post)]} for the past days (offset 1 = yesterday)."""
    scale, rng = district.scale, district.rng
    per_community = max(1, scale["posts"] // scale["communities"])
    by_day = defaultdict(list)
    district.posts = {}
    for community in district.communities:
        cid, teams = community["id"], district.teams[community["id"]]
        leaders = [p for p in district.members[cid] if p["role"] == "team_leader"] or district.members[cid][:1]
        posts = []
        for index in range(per_community):
            name, kind, risky, starts, length = POSTS[index % len(POSTS)]
            label = name if index < len(POSTS) else f"{name}{index // len(POSTS) + 1}号"
            post_id = district.ids("qr_checkin_post")
            district.add("qr_checkin_post", [dict(
                id=post_id, community_id=cid, name=label, kind=kind, place=f"{community['street']}{label}",
                description=f"{label}：按时到岗，佩戴红袖章。", risky=risky,
                team_id=teams[0] if kind == "patrol" else teams[3] if kind == "intersection" else None,
                checkin_policy="rotating" if kind == "intersection" else "static", created_at=district.now -
                timedelta(days=scale["days"] + 20))])
            posts.append(dict(id=post_id, name=label, place=f"{community['street']}{label}", risky=risky,
                              starts=starts, length=length, team=teams[0] if kind == "patrol" else None))
        district.posts[cid] = posts
        shifts = int(scale["shifts"] * community["weight"])
        days = scale["days"] + 14
        created = district.now - timedelta(days=scale["days"] + 15)
        rows, signups = [], []
        serving = [p for p in district.members[cid] if p["number"]]
        for number in range(shifts):
            offset = scale["days"] - (number * days) // shifts  # from the oldest day to 14 days ahead
            day = district.today - timedelta(days=offset)
            post = posts[rng.randrange(len(posts))]
            start = district.local(day, rng.choice(post["starts"]))
            end = start + timedelta(minutes=post["length"])
            leader = rng.choice(leaders)
            shift_id = district.ids("qr_checkin_shift")
            rows.append((shift_id, cid, post["id"], None, start.replace(tzinfo=None), end.replace(tzinfo=None), 2,
                         leader["user_id"], "", None, "", created.replace(tzinfo=None)))
            if offset >= 1:
                by_day[(cid, offset)].append((shift_id, start, end, post, leader))
            elif serving:
                for person in rng.sample(serving, min(2, len(serving))):
                    signups.append(dict(shift_id=shift_id, user_id=person["user_id"], status="confirmed",
                                        created_at=district.now - timedelta(days=rng.randrange(1, 5))))
        district.writer.add("qr_checkin_shift", SHIFT_COLUMNS, rows)
        district.add("qr_checkin_signup", signups)
    return by_day


def record_counts(rng, people, total, room):
    """Spread ``total`` records over people, a few very active ones and many occasional ones."""
    if not people or total <= 0:
        return {}
    weights = [min(rng.paretovariate(1.3), 10.0) for _ in people]
    scale = total / sum(weights)
    counts = {p["user_id"]: min(room, int(w * scale)) for p, w in zip(people, weights, strict=True)}
    missing = total - sum(counts.values())
    open_ids = [key for key, value in counts.items() if value < room]
    while missing > 0 and open_ids:
        key = open_ids[rng.randrange(len(open_ids))]
        counts[key] += 1
        missing -= 1
        if counts[key] >= room:
            open_ids.remove(key)
    return counts


class HistoryWriter:
    """Service records (and their attendances or work orders) for one community."""

    def __init__(self, district, ledger, community, by_day):
        self.district, self.ledger, self.community, self.by_day = district, ledger, community, by_day
        cid = community["id"]
        people = district.members[cid]
        self.deciders = [p for p in people if p["role"] in ("community_admin", "coordinator")]
        self.categories = district.app.extensions["timebank"].ledger_categories
        self.records, self.attendances = [], []
        self.totals = defaultdict(lambda: [0, 0, defaultdict(int)])  # user → [minutes, count, {category: min}]

    def decider_for(self, person):
        choices = [p for p in self.deciders if p["user_id"] != person["user_id"]]
        return self.district.rng.choice(choices)

    def add(self, person, offset, kind, status):
        district, rng, cid = self.district, self.district.rng, self.community["id"]
        day = district.today - timedelta(days=offset)
        record_id = district.ids("ledger_service_record")
        source, leader, team, backfill, evidence, content = None, None, None, False, "", ""
        shifts = self.by_day.get((cid, offset)) if kind == "duty" else None
        if shifts:
            shift_id, start, end, post, leader = shifts[rng.randrange(len(shifts))]
            category = "qr_checkin.risky_duty" if post["risky"] else "qr_checkin.duty"
            name, place, team, content = post["name"], post["place"], post["team"], "按时到岗，认真值守。"
            attendance_id = district.ids("qr_checkin_attendance")
            source = f"qr_checkin:attendance-{attendance_id}"
            minutes = int((end - start).total_seconds() // 60)
            self.attendances.append((
                attendance_id, cid, shift_id, person["user_id"], (start - timedelta(minutes=rng.randrange(0, 9))
                                                                   ).replace(tzinfo=None),
                (end + timedelta(minutes=rng.randrange(0, 6))).replace(tzinfo=None), "static", "static", None,
                False, minutes, "", record_id, None))
        else:
            if kind == "repair_team.repair":
                category, name, place, content = kind, "上门维修", "", ""
            else:  # a claim; a duty day without a shift becomes some other service
                matching = [claim for claim in CLAIMS if claim[0] == kind] or CLAIMS
                category, name, place, content = matching[rng.randrange(len(matching))]
            start = district.local(day, rng.choice(("08:30", "09:00", "14:00", "15:00", "19:00")))
            minutes = rng.choice((60, 90, 120, 150))
            end = start + timedelta(minutes=minutes)
            place = place.format(building=person["household"][2][:4]) if place else person["household"][2]
            backfill, evidence = category != "repair_team.repair", "活动群里有照片，队长可作证。"
            if category == "repair_team.repair":
                order_id = district.ids("repair_team_order")
                source, backfill, evidence = f"repair_team:order-{order_id}", False, ""
                content = "上门维修，已由居民签字确认。"
                district.repair_jobs.append(dict(order_id=order_id, community_id=cid, volunteer=person,
                                                 start=start, end=end, record_id=record_id, status=status))
        created = end + timedelta(minutes=5) if source else end + timedelta(hours=rng.randrange(2, 30))
        created = min(created, district.now - timedelta(minutes=30))
        decided_at = decided_by = None
        note = ""
        if status != "pending":
            decider = leader if kind == "duty" and leader and leader["user_id"] != person["user_id"] \
                else self.decider_for(person)
            decided_at = min(created + timedelta(days=rng.randrange(1, 9)), district.now - timedelta(minutes=10))
            decided_by = decider["user_id"]
            note = "活动时间与签到记录不符。" if status == "rejected" else ""
        self.records.append((
            record_id, cid, person["user_id"], category, source, name, day, start.replace(tzinfo=None),
            end.replace(tzinfo=None), minutes, place, content, f"{self.community['name']}居民委员会",
            leader["name"] if leader else "", leader["user_id"] if leader else None, team, "", backfill,
            evidence if backfill else "", None, "", created.replace(tzinfo=None),
            person["user_id"], None, status, decided_at.replace(tzinfo=None) if decided_at else None, decided_by,
            note))
        if status == "confirmed":
            self.post_confirmation(record_id, person, category, minutes, decided_at, decided_by)

    def post_confirmation(self, record_id, person, category, minutes, moment, actor_id):
        """What ``records.post_confirmation`` posts with the default policy: minutes, then credits."""
        ledger, cid, uid = self.ledger, self.community["id"], person["user_id"]
        moment = moment.replace(tzinfo=None)
        ledger.post(cid, "service_confirmed", "service", [(ledger.account(cid, "service_issued"), -minutes),
                                                          (ledger.account(cid, "member_service", uid), minutes)],
                    moment, record_id, actor_id)
        totals = self.totals[uid]
        totals[0] += minutes
        totals[1] += 1
        totals[2][category] += minutes
        if not self.categories[category].earns_credits:
            return
        member = ledger.account(cid, "member_credits", uid)
        to_member = max(0, min(minutes, 1500 * 60 - ledger.balances[member]))
        lines = [(ledger.account(cid, "credits_issued"), -minutes), (member, to_member)]
        if minutes - to_member:
            lines.append((ledger.account(cid, "donations"), minutes - to_member))
        ledger.post(cid, "credits_earned", "credits", [line for line in lines if line[1]], moment, record_id,
                    actor_id, reason="overflow to donations" if minutes - to_member else "")

    def flush(self):
        writer = self.district.writer
        writer.add("ledger_service_record", RECORD_COLUMNS, self.records)
        writer.add("qr_checkin_attendance", ATTENDANCE_COLUMNS, self.attendances)
        self.records, self.attendances = [], []


def pick_kind(rng):
    roll, total = rng.random(), 0.0
    for kind, share in MIX:
        total += share
        if roll < total:
            return kind
    return MIX[0][0]


def make_history(district, log):
    scale, rng = district.scale, district.rng
    district.repair_jobs = []
    district.star_levels = {}
    by_day = make_posts_and_shifts(district)
    ledger = Ledger(district)
    district.ledger = ledger
    credit_share = sum(share for kind, share in MIX if kind in ("ledger.elder_care", "ledger.mutual_help",
                                                                 "repair_team.repair"))
    confirmed_total = int(scale["postings"] * (1 - GIFT_SHARE) / (2 + 2 * credit_share))
    room = scale["days"] - RECENT_DAYS
    for index, community in enumerate(district.communities):
        cid = community["id"]
        serving = [p for p in district.members[cid] if p["number"]]
        history = HistoryWriter(district, ledger, community, by_day)
        counts = record_counts(rng, serving, int(confirmed_total * community["weight"]), room)
        for person in serving:
            for offset in rng.sample(range(RECENT_DAYS + 1, scale["days"] + 1), counts.get(person["user_id"], 0)):
                history.add(person, offset, pick_kind(rng), "rejected" if rng.random() < 0.01 else "confirmed")
            history.flush()
        pending = scale["pending"] if index == 0 else max(1, scale["pending"] // 100)
        pending_counts = record_counts(rng, serving, pending, RECENT_DAYS)
        for person in serving:
            for offset in rng.sample(range(1, RECENT_DAYS + 1), pending_counts.get(person["user_id"], 0)):
                history.add(person, offset, "duty" if rng.random() < 0.6 else "ledger.community_service", "pending")
        history.flush()
        district.writer.flush()
        if index == 0:
            bench_handles(district, community, history)
        make_certificates(district, community, history, ledger)
        district.star_levels[cid] = {uid: level for uid, totals in history.totals.items()
                                     if (level := stars_for(totals[0]))}
    make_gifts(district, ledger, scale["postings"] - ledger.postings)
    ledger.write_accounts()
    district.writer.flush()
    fill_service_totals(district)
    log(f"  ledger: {ledger.postings:,} postings in {len(ledger.accounts):,} accounts")


def fill_service_totals(district):
    """The maintained service totals (leaderboard, community totals) from the records just bulk-inserted: the
    same INSERT ... SELECT ... GROUP BY as the migration that created the table."""
    from sqlalchemy import func, select, table

    from timebank.ledger.totals import rebuild_service_totals

    connection = district.writer.connection
    rebuild_service_totals(connection)
    district.writer.counts["ledger_service_total"] = connection.scalar(
        select(func.count()).select_from(table("ledger_service_total")))


def bench_handles(district, community, history):
    """The accounts the benchmark logs in with: the coordinator and an active (not the most active) volunteer."""
    people = district.members[community["id"]]
    volunteers = sorted((p for p in people if p["role"] == "volunteer" and history.totals[p["user_id"]][1]),
                        key=lambda p: history.totals[p["user_id"]][1])
    volunteer = volunteers[int(len(volunteers) * 0.9)] if volunteers else people[-1]
    district.handles.update(
        community=community["slug"], community_id=community["id"], coordinator=people[1]["username"],
        admin=people[0]["username"], volunteer=volunteer["username"], volunteer_id=volunteer["user_id"],
        volunteer_records=history.totals[volunteer["user_id"]][1],
        volunteers=[p["username"] for p in people if p["role"] == "volunteer"],
        bench_post_id=district.posts[community["id"]][0]["id"], certificate=None)
    district.bench_volunteer = volunteer


def make_certificates(district, community, history, ledger):
    """志愿服务记录证明 for the bench volunteer (a known number) and about one in a hundred active volunteers."""
    from timebank.ledger.certificates import new_certificate_number

    rng, cid = district.rng, community["id"]
    people = district.members[cid]
    admin, coordinator = people[0], people[1]
    chosen = [p for p in people if history.totals[p["user_id"]][1] >= 10 and rng.random() < 0.01]
    bench = getattr(district, "bench_volunteer", None)
    if bench is not None and community is district.communities[0] and bench not in chosen:
        chosen.insert(0, bench)
    rows = []
    for person in chosen:
        minutes, count, per_category = history.totals[person["user_id"]]
        top = sorted(per_category, key=lambda code: -per_category[code])[:3]
        number = BENCH if person is bench and community is district.communities[0] else new_certificate_number(
            district.today.year)
        rows.append(dict(
            number=number, community_id=cid, volunteer_id=person["user_id"], volunteer_name=person["name"],
            volunteer_number=person["number"] or "", total_minutes=minutes, record_count=count,
            service_content="、".join(CATEGORY_WORDS.get(code, code) for code in top) + "等志愿服务",
            star_level=stars_for(minutes),
            issuing_unit=f"{community['name']}居民委员会", person_in_charge=admin["name"],
            handler=coordinator["name"], contact="010-12345678", issued_at=district.now - timedelta(days=1),
            issued_by_id=coordinator["user_id"]))
        if person is bench:
            district.handles["certificate"] = number
    district.add("ledger_certificate", rows)


def stars_for(minutes):
    """The star level of confirmed minutes with the default thresholds (100/300/600/1000/1500 hours)."""
    return sum(1 for threshold in (100, 300, 600, 1000, 1500) if minutes >= threshold * 60)


def make_gifts(district, ledger, room):
    """Gifts of credits to a confirmed relative (two postings each) until the postings reach the target."""
    rng = district.rng
    relatives = []
    gifts = max(0, room // 2)
    givers = [(key, account_id) for key, account_id in ledger.accounts.items()
              if key[1] == "member_credits" and ledger.balances[account_id] >= 120]
    rng.shuffle(givers)
    named = {}
    while gifts > 0 and givers:
        (cid, _kind, giver), account_id = givers.pop()
        members = district.members[cid]
        while gifts > 0 and ledger.balances[account_id] >= 60:
            if giver not in named:
                receiver = members[rng.randrange(len(members))]["user_id"]
                if receiver == giver:
                    break
                named[giver] = receiver
                moment = district.now - timedelta(days=rng.randrange(40, 300))
                relatives.append(dict(community_id=cid, member_id=giver, relative_id=receiver,
                                      relation=rng.choice(("parent", "child", "spouse", "sibling")),
                                      status="confirmed", created_at=moment, decided_at=moment + timedelta(days=1),
                                      decided_by_id=members[1]["user_id"]))
            amount = min(ledger.balances[account_id] // 2 // 30 * 30 or 30, 600)
            target = ledger.account(cid, "member_credits", named[giver])
            ledger.post(cid, "gift", "credits", [(account_id, -amount), (target, amount)],
                        (district.now - timedelta(days=rng.randrange(1, 35))).replace(tzinfo=None),
                        actor_id=giver, reason="给家人以后用")
            gifts -= 1
    district.add("ledger_relative", relatives)
