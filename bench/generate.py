"""A district-sized data set for the benchmarks: ``python bench/generate.py --scale large``.

20 communities, 20,000 members, 2,000 duty posts, 200,000 shifts and 1,000,000 ledger postings (with the service
records, attendances, repair orders, meal orders and award nominations around them), written with bulk inserts
(the SQLite driver's executemany, COPY on PostgreSQL) in well under two minutes. The ledger is written the way
its services write it: every transaction balances in one unit, each account's cached balance is the sum of its
postings, one record per volunteer per day (no overlaps, under the daily limit), credits only for the categories
that earn them; the maintained service totals (leaderboard, community totals) are filled from the records
afterwards, as the migration that created them does; ``timebank ledger verify`` passes.

Every generated account has the password ``bench-password``: load this into a benchmark database only, never into
one that real people use. The database must be empty of communities (run ``timebank db upgrade`` first; this
script does it). Writes ``bench/out/dataset-<scale>.json`` with the accounts and numbers the benchmark uses.
"""

import argparse
import json
import os
import random
import sys
import time as timer
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bulk_writer import BulkWriter  # noqa: E402
from names import COMMUNITIES, TEAMS, person_name  # noqa: E402

BENCH_PASSWORD = "bench-password"
OUT = Path(__file__).resolve().parent / "out"

SCALES = {
    # communities, members, posts, shifts, ledger postings, pending in the first community, days of history
    "large": dict(communities=20, members=20_000, posts=2_000, shifts=200_000, postings=1_000_000, pending=10_000,
                  days=730),
    # The same district with 1 % of the history (growth comparison): same people, posts and queue.
    "small": dict(communities=20, members=20_000, posts=2_000, shifts=2_000, postings=10_000, pending=10_000,
                  days=730),
    # For the tests: seconds, not minutes.
    "tiny": dict(communities=2, members=200, posts=10, shifts=400, postings=4_000, pending=60, days=120),
}


class Ids:
    """Next identifier per table: rows get their ids here, so nothing waits for RETURNING."""

    def __init__(self):
        self.last = {}

    def __call__(self, table):
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


def naive(moment):
    """Aware → naive UTC, the form stored in UTCDateTime columns."""
    return moment.astimezone(UTC).replace(tzinfo=None)


class District:
    """What the generation steps share: the writer, ids, random source, clock and the people made so far."""

    def __init__(self, app, writer, scale, seed=2026):
        self.app = app
        self.writer = writer
        self.scale = scale
        self.rng = random.Random(seed)
        self.ids = Ids()
        self.zone = ZoneInfo("Asia/Shanghai")
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.today = self.now.astimezone(self.zone).date()
        self.communities = []  # dicts: id, slug, name, street, weight
        self.members = {}  # community id → list of dicts: user_id, role, name, number, household
        self.households = {}  # community id → [(household id, building id, label)]
        self.teams = {}  # community id → [team id]
        self.handles = {}  # what the benchmark needs: usernames, ids, numbers

    def local(self, day, hhmm):
        hour, minute = (int(part) for part in hhmm.split(":"))
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone).astimezone(UTC)

    def add(self, table, rows):
        """Rows as dicts; columns left out get the model's default (the same as the ORM would write)."""
        from timebank.extensions import db

        table_columns = db.metadata.tables[table].columns
        for row in rows:
            # A primary key the generator did not assign is left to the database (PostgreSQL's COPY would write
            # NULL into a column it is given; the sequence fills one it is not given).
            columns = [column for column in table_columns if column.name in row or not column.primary_key]
            values = []
            for column in columns:
                if column.name in row:
                    value = row[column.name]
                elif column.default is not None and column.default.is_scalar:
                    value = column.default.arg
                else:
                    value = None
                values.append(naive(value) if isinstance(value, datetime) and value.tzinfo else value)
            self.writer.add(table, [column.name for column in columns], [tuple(values)])


def community_weights(count):
    """The first community (the benchmark's) is a big one: enough records for an export of 100,000."""
    if count == 1:
        return [1.0]
    first = 0.27
    return [first] + [(1 - first) / (count - 1)] * (count - 1)


def make_communities(district):
    scale = district.scale
    weights = community_weights(scale["communities"])
    created = district.now - timedelta(days=scale["days"] + 60)
    plugins = district.app.extensions["timebank"].optional_plugins
    for index in range(scale["communities"]):
        slug, name, street = COMMUNITIES[index % len(COMMUNITIES)]
        if index >= len(COMMUNITIES):
            slug, name = f"{slug}{index}", f"{name}{index}"
        community_id = district.ids("community")
        district.add("community", [dict(
            id=community_id, slug=slug, name=name, timezone="Asia/Shanghai",
            organising_unit=f"{name}居民委员会", contact_phone=f"010-6{index:03d}8{index:03d}",
            address=f"{street} {index * 7 + 8} 号", self_registration=True, created_at=created)])
        district.add("community_plugin", [dict(community_id=community_id, plugin_name=info.name, enabled=True,
                                               changed_at=created) for info in plugins])
        district.communities.append(dict(id=community_id, slug=slug, name=name, street=street,
                                         weight=weights[index]))


def make_places(district):
    """Grids, buildings, stairwells and households: 24 buildings of 2 stairwells × 6 floors × 2 doors."""
    for community in district.communities:
        grid_ids = []
        for number in range(1, 5):
            grid_id = district.ids("grid")
            district.add("grid", [dict(id=grid_id, community_id=community["id"], name=f"第{number}网格",
                                       level="small")])
            grid_ids.append(grid_id)
        homes = []
        for building_number in range(1, 25):
            building_id = district.ids("building")
            district.add("building", [dict(id=building_id, community_id=community["id"],
                                           grid_id=grid_ids[(building_number - 1) // 6],
                                           name=f"{building_number}号楼")])
            for unit in (1, 2):
                stairwell_id = district.ids("stairwell")
                district.add("stairwell", [dict(id=stairwell_id, community_id=community["id"],
                                                building_id=building_id, name=f"{unit}单元")])
                for floor in range(1, 7):
                    for door in (1, 2):
                        household_id = district.ids("household")
                        room = f"{floor}0{door}"
                        district.add("household", [dict(id=household_id, community_id=community["id"],
                                                        building_id=building_id, stairwell_id=stairwell_id,
                                                        room=room)])
                        homes.append((household_id, building_id, f"{building_number}号楼{unit}单元{room}"))
        district.households[community["id"]] = homes


def role_for(position, count):
    """admin, 2 coordinators, 10 team leaders, then 62 % volunteers and the rest residents."""
    if position == 0:
        return "community_admin"
    if position <= 2:
        return "coordinator"
    if position <= 12:
        return "team_leader"
    return "volunteer" if position < 13 + int((count - 13) * 0.62) else "resident"


def make_people(district, password_hash):
    scale = district.scale
    rng = district.rng
    first_share = community_weights(scale["communities"])[0] * 0.4 if scale["communities"] > 1 else 1.0
    sizes = [max(20, int(scale["members"] * first_share))]
    rest = scale["members"] - sizes[0]
    for index in range(1, scale["communities"]):
        sizes.append(rest // (scale["communities"] - 1) + (1 if index <= rest % (scale["communities"] - 1) else 0))
    joined = district.now - timedelta(days=scale["days"] + 30)
    for community, size in zip(district.communities, sizes, strict=True):
        homes = district.households[community["id"]]
        people = []
        for position in range(size):
            user_id = district.ids("user_account")
            role = role_for(position, size)
            name = person_name(rng)
            username = f"{community['slug']}-{position:05d}"
            district.add("user_account", [dict(
                id=user_id, username=username, display_name=name, phone=f"139{user_id:08d}",
                password_hash=password_hash, locale="zh_CN", elder_mode=role == "resident" and position % 9 == 0,
                is_district_admin=position == 0 and community is district.communities[0], created_at=joined)])
            household = homes[position % len(homes)]
            number = None if role == "resident" else f"V{community['id']:02d}{position:05d}"
            district.add("membership", [dict(
                user_id=user_id, community_id=community["id"], role=role, status="active", volunteer_number=number,
                wants_to_volunteer=number is not None, household_id=household[0], public_consent=position % 3 != 0,
                created_at=joined, decided_at=joined)])
            people.append(dict(user_id=user_id, role=role, name=name, number=number, household=household,
                               username=username))
        district.members[community["id"]] = people
        team_ids = []
        for name, kind in TEAMS:
            team_id = district.ids("team")
            district.add("team", [dict(id=team_id, community_id=community["id"], name=name, kind=kind,
                                       description=f"{community['name']}{name}", created_at=joined)])
            team_ids.append(team_id)
        district.teams[community["id"]] = team_ids
        serving = [person for person in people if person["number"]]
        district.add("team_member", [dict(team_id=team_ids[index % len(team_ids)], user_id=person["user_id"],
                                          is_leader=person["role"] in ("team_leader", "coordinator"),
                                          joined_at=joined) for index, person in enumerate(serving)])
        # Accident insurance on file for everybody who serves (risky duty needs it).
        district.add("qr_checkin_insurance", [dict(
            community_id=community["id"], user_id=person["user_id"], insurer="中国人寿",
            policy_number=f"ZYX{person['user_id']:09d}", valid_until=district.today + timedelta(days=365),
            recorded_at=joined) for person in serving])


def generate(app, scale_name, log=print):
    """Load the district into the app's (empty) database. Returns the summary written to dataset-<scale>.json."""
    import gen_history
    import gen_plugins
    from sqlalchemy import func, select

    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    scale = SCALES[scale_name]
    started = timer.perf_counter()
    with app.app_context():
        if db.session.scalar(select(func.count(Community.id))):
            raise SystemExit("The database already holds communities: generate into an empty database only.")
        probe = User(username="x", display_name="x")
        probe.set_password(BENCH_PASSWORD)
        db.session.rollback()
        with db.engine.begin() as connection:
            writer = BulkWriter(connection)
            district = District(app, writer, scale)
            make_communities(district)
            make_places(district)
            make_people(district, probe.password_hash)
            writer.flush()
            log(f"  people and places: {timer.perf_counter() - started:.1f} s")
            gen_history.make_history(district, log)
            writer.flush()
            log(f"  shifts and ledger: {timer.perf_counter() - started:.1f} s")
            gen_plugins.make_plugin_data(district)
            counts = writer.finish()
            log(f"  plugins' records:  {timer.perf_counter() - started:.1f} s")
        loaded = timer.perf_counter() - started
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")  # what PostgreSQL's autovacuum / SQLite's PRAGMA optimize do
        elapsed = timer.perf_counter() - started
    summary = dict(scale=scale_name, seconds=round(elapsed, 1), load_seconds=round(loaded, 1),
                   database=db_label(app), rows=counts, generated_at=district.now.isoformat(), **district.handles)
    return summary


def db_label(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    return "postgresql" if uri.startswith("postgresql") else "sqlite"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="large")
    parser.add_argument("--database-url", help="default: the app's configured database (TIMEBANK_* settings)")
    parser.add_argument("--verify", action="store_true", help="run the ledger's own consistency check afterwards")
    parser.add_argument("--summary", help="where to write the JSON summary (default bench/out/dataset-SCALE.json)")
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["TIMEBANK_SQLALCHEMY_DATABASE_URI"] = args.database_url
    from flask_migrate import upgrade

    from timebank import create_app

    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
    print(f"Generating the {args.scale} district into {db_label(app)}...")
    summary = generate(app, args.scale)
    if args.verify:
        from timebank.ledger.verify import verify_ledger

        with app.app_context():
            problems = verify_ledger()
        summary["ledger_verify"] = "ok" if not problems else problems[:20]
        print("ledger verify:", "ok" if not problems else f"{len(problems)} problems, e.g. {problems[:3]}")
    target = Path(args.summary) if args.summary else OUT / f"dataset-{args.scale}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    rows = summary["rows"]
    print(f"Done in {summary['seconds']} s: {rows.get('ledger_posting', 0):,} postings, "
          f"{rows.get('ledger_service_record', 0):,} records, {rows.get('qr_checkin_shift', 0):,} shifts, "
          f"{rows.get('user_account', 0):,} people. Summary: {target}")
    return summary


if __name__ == "__main__":
    main()
