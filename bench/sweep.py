"""``make bench-pages``: every page of a community, as each kind of member sees it, on the generated district
(1,000,000 postings) and on the same district with 1 % of the history, in process (Flask's test client).

Per page: CPU milliseconds (median of a few requests after a warm one), SQL statements, SQL time, HTML size and
its gzip size. Pages over a budget or whose cost grows with the history are flagged. The load test (``run.py``)
measures a few pages under gunicorn; this finds the page nobody thought of, a list that grows with the years or a
query per row. Writes ``bench/out/pages.json``; run by ``make bench`` too (``--skip-pages`` leaves it out).
"""

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import OUT, PostgresData, SqliteData  # noqa: E402

#: Budgets of one page (in process, one request at a time). The compressed size is the issue's page weight budget
#: (60 KB for HTML, CSS and JS together: the HTML gets most of it); CPU is what a worker spends on the page.
BUDGET = {"gzip_kb": 40, "cpu_ms": 100}
#: A page "grows" when its cost at 1M postings is this many times its cost at 10k, and the difference is real.
GROWTH_RATIO, GROWTH_FLOOR_MS = 1.3, 10
ROLES = ("volunteer", "coordinator", "admin")
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".svg", ".png", ".pdf", ".json", ".js", ".css")


def community_pages(app):
    """The community's GET pages that need nothing but the community in their address."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/c/<community>") or rule.arguments != {"community"}:
            continue
        if rule.rule.endswith(SKIPPED_SUFFIXES) or rule.endpoint.endswith(".static"):
            continue
        rules.append(rule.rule)
    return sorted(set(rules))


#: Pages with an id in their address are visited with the busiest such thing of the bench community (the shift
#: with most sign-ups, the elder with most orders...): ``{(blueprint, argument): SQL}`` with ``:c`` the community
#: and ``:v`` the bench volunteer. Pages whose argument is not here are not visited (static files among them).
ID_QUERIES = {
    ("communities", "user_id"): "SELECT :v",
    ("admin", "membership_id"): "SELECT id FROM membership WHERE community_id = :c AND user_id = :v",
    ("admin", "team_id"): "SELECT t.id FROM team t JOIN team_member m ON m.team_id = t.id WHERE t.community_id = :c "
                          "GROUP BY t.id ORDER BY count(*) DESC, t.id LIMIT 1",
    ("admin", "name"): "SELECT 'qr_checkin'",
    ("ledger", "record_id"): "SELECT max(id) FROM ledger_service_record WHERE community_id = :c AND volunteer_id = :v",
    ("ledger", "number"): "SELECT max(number) FROM ledger_certificate WHERE community_id = :c AND volunteer_id = :v",
    ("ledger_admin", "record_id"): "SELECT max(id) FROM ledger_service_record WHERE community_id = :c",
    ("elder_meals", "elder_id"): "SELECT elder_id FROM elder_meals_order WHERE community_id = :c GROUP BY elder_id "
                                 "ORDER BY count(*) DESC, elder_id LIMIT 1",
    ("elder_meals", "round_id"): "SELECT round_id FROM elder_meals_order WHERE community_id = :c AND round_id IS NOT "
                                 "NULL GROUP BY round_id ORDER BY count(*) DESC, round_id LIMIT 1",
    ("honor_awards", "campaign_id"): "SELECT campaign_id FROM honor_awards_nomination WHERE community_id = :c GROUP "
                                     "BY campaign_id ORDER BY count(*) DESC, campaign_id LIMIT 1",
    ("honor_awards", "award_id"): "SELECT max(id) FROM honor_awards_award WHERE community_id = :c",
    ("honor_awards", "nomination_id"): "SELECT max(id) FROM honor_awards_nomination WHERE community_id = :c",
    ("honor_awards", "notice_id"): "SELECT max(id) FROM honor_awards_notice WHERE community_id = :c",
    ("mutual_aid", "listing_id"): "SELECT max(id) FROM mutual_aid_listing WHERE community_id = :c",
    ("mutual_aid", "agreement_id"): "SELECT max(id) FROM mutual_aid_agreement WHERE community_id = :c",
    ("qr_checkin", "post_id"): "SELECT post_id FROM qr_checkin_shift WHERE community_id = :c GROUP BY post_id "
                               "ORDER BY count(*) DESC, post_id LIMIT 1",
    ("qr_checkin", "shift_id"): "SELECT s.shift_id FROM qr_checkin_signup s JOIN qr_checkin_shift sh ON sh.id = "
                                "s.shift_id WHERE sh.community_id = :c GROUP BY s.shift_id ORDER BY count(*) DESC, "
                                "s.shift_id LIMIT 1",
    ("repair_team", "order_id"): "SELECT e.order_id FROM repair_team_event e JOIN repair_team_order o ON o.id = "
                                 "e.order_id WHERE o.community_id = :c GROUP BY e.order_id ORDER BY count(*) DESC, "
                                 "e.order_id LIMIT 1",
    ("repair_team", "entry_id"): "SELECT v.id FROM repair_team_volunteer v JOIN repair_team_order o ON o.volunteer_id "
                                 "= v.user_id AND o.community_id = v.community_id WHERE v.community_id = :c GROUP BY "
                                 "v.id ORDER BY count(*) DESC, v.id LIMIT 1",
}


def pages_with_ids(app):
    """``[(rule, (blueprint, argument))]``: the community's GET pages with one more argument in ``ID_QUERIES``."""
    found = []
    for rule in app.url_map.iter_rules():
        extra = sorted(rule.arguments - {"community"})
        if "GET" not in rule.methods or not rule.rule.startswith("/c/<community>") or len(extra) != 1:
            continue
        key = (rule.endpoint.split(".")[0], extra[0])
        if key in ID_QUERIES and not rule.rule.endswith(SKIPPED_SUFFIXES):
            found.append((rule.rule, key))
    return sorted(set(found))


def address_values(summary):
    """``{(blueprint, argument): value}`` for ``ID_QUERIES`` in the current app's database (``None``: none)."""
    from sqlalchemy import text

    from timebank.extensions import db

    return {key: db.session.execute(text(sql), {"c": summary["community_id"], "v": summary["volunteer_id"]})
            .scalar() for key, sql in ID_QUERIES.items()}


def address(rule, slug, key=None, value=None):
    """The path of ``rule`` for the community ``slug`` (and ``value`` for the argument of ``key``)."""
    path = rule.replace("<community>", slug)
    return path if key is None else re.sub(rf"<(?:\w+:)?{key[1]}>", str(value), path)


def measure(app, cookie, path, repeat):
    """One warm request, then ``repeat`` measured ones: the median CPU and the last one's statements."""
    from sqlalchemy import event

    from timebank.extensions import db

    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append(time.perf_counter() - conn.info.pop("bench_started", time.perf_counter()))

    client = app.test_client()
    name, _, value = cookie.partition("=")
    client.set_cookie(name, value, domain="localhost")
    headers = {"User-Agent": "timebank-bench"}
    response = client.get(path, headers=headers)
    cpu = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for _ in range(repeat):
            statements.clear()
            started = time.process_time()
            response = client.get(path, headers=headers)
            cpu.append((time.process_time() - started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    body = response.get_data()
    html = response.mimetype == "text/html"
    return dict(status=response.status_code, cpu_ms=round(statistics.median(cpu), 1), statements=len(statements),
                sql_ms=round(sum(statements) * 1000, 1), html_kb=round(len(body) / 1024, 1) if html else None,
                gzip_kb=round(len(gzip.compress(body, 6)) / 1024, 1) if html else None)


def open_district(data, summary):
    """An app on a fresh work copy of ``data`` and the session cookies of the roles: ``(app, {role: cookie})``."""
    from prepare import mint_sessions
    from sqlalchemy import select

    data.fresh_copy()
    env = harness.app_environment(data.url())
    os.environ.update({key: value for key, value in env.items() if key.startswith("TIMEBANK_")})
    from timebank import create_app
    from timebank.extensions import db
    from timebank.identity.models import User

    app = create_app()  # reads the environment now: two apps on two databases live side by side
    with app.app_context():
        users = {user.username: user for user in db.session.scalars(
            select(User).where(User.username.in_([summary[role] for role in ROLES])))}
        minted = mint_sessions(app, users.values(), summary["community"])
        values = address_values(summary)
        db.session.remove()
    return app, {role: minted[summary[role]][0] for role in ROLES}, values


def sweep(districts, repeat, log):
    """Measure every page for every role on each district, the districts one after the other for each page (a
    busy moment of a shared machine then weighs on both sides of the comparison); ``{scale: [row]}``."""
    app = next(iter(districts.values()))[0]
    pages = [(rule, None) for rule in community_pages(app)] + pages_with_ids(app)
    rows = {scale: [] for scale in districts}
    for role in ROLES:
        for rule, key in pages:
            if any(key is not None and values.get(key) is None for _app, _cookies, _slug, values in
                   districts.values()):
                continue  # nothing of that kind in one of the districts
            for scale, (app, cookies, slug, values) in districts.items():
                path = address(rule, slug, key, values.get(key))
                row = dict(role=role, page=rule, path=path, **measure(app, cookies[role], path, repeat))
                if row["status"] >= 500:
                    log(f"  {scale} {role:<12} {path}: {row['status']}")
                rows[scale].append(row)
    return rows


def flag(large, small):
    """Add the growth of each page and the budgets it misses to the rows at 1M postings."""
    by_key = {(row["role"], row["page"]): row for row in small}
    for row in large:
        before = by_key.get((row["role"], row["page"]))
        problems = []
        if row["status"] >= 500:
            problems.append(f"status {row['status']}")
        if row["gzip_kb"] is not None and row["gzip_kb"] > BUDGET["gzip_kb"]:
            problems.append(f"{row['gzip_kb']} KB gzip > {BUDGET['gzip_kb']}")
        if row["cpu_ms"] > BUDGET["cpu_ms"]:
            problems.append(f"{row['cpu_ms']} ms CPU > {BUDGET['cpu_ms']}")
        if before is not None:
            row["cpu_ms_at_10k"] = before["cpu_ms"]
            row["growth"] = round(row["cpu_ms"] / before["cpu_ms"], 2) if before["cpu_ms"] else None
            if row["growth"] and row["growth"] > GROWTH_RATIO and row["cpu_ms"] - before["cpu_ms"] > GROWTH_FLOOR_MS:
                problems.append(f"grows {row['growth']}× from 10k to 1M")
            if row["statements"] > 2 * before["statements"] + 5:  # a query per row (data differ a little)
                problems.append(f"{row['statements']} statements (10k: {before['statements']})")
        row["problems"] = problems
    return large


def print_pages(rows, log):
    log(f"\n{'role':<12}{'page':<52}{'status':>7}{'CPU ms':>8}{'10k ms':>8}{'stmts':>7}{'SQL ms':>8}{'gzip KB':>9}"
        "  problems")
    for row in sorted(rows, key=lambda r: -r["cpu_ms"]):
        log(f"{row['role']:<12}{row['page'][len('/c/<community>'):] or '/':<52}{row['status']:>7}{row['cpu_ms']:>8}"
            f"{row.get('cpu_ms_at_10k', ''):>8}{row['statements']:>7}{row['sql_ms']:>8}"
            f"{row['gzip_kb'] if row['gzip_kb'] is not None else '':>9}  {'; '.join(row['problems'])}")


def run_sweep(factory, label, repeat, log, regenerate=False):
    """Both scales for one database; returns the report section."""
    from timebank.extensions import db

    districts = {}
    for scale in ("large", "small"):
        data = factory(scale)
        summary = harness.ensure_generated(data, log, regenerate)
        log(f"== pages, {label}, {scale} ({summary['rows']['ledger_posting']:,} postings) ==")
        app, cookies, values = open_district(data, summary)
        districts[scale] = (app, cookies, summary["community"], values)
    try:
        results = sweep(districts, repeat, log)
    finally:
        for app, _cookies, _slug, _values in districts.values():
            with app.app_context():
                db.engine.dispose()
    rows = flag(results["large"], results["small"])
    return dict(database=label, budget=BUDGET, growth_ratio=GROWTH_RATIO, pages=rows,
                flagged=sum(1 for row in rows if row["problems"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="measured requests per page (the median counts)")
    parser.add_argument("--postgres", default=os.environ.get("TIMEBANK_BENCH_POSTGRES_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--output", default=str(OUT / "pages.json"))
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.only == "postgresql":
        if not args.postgres:
            raise SystemExit("--only postgresql needs --postgres or TIMEBANK_BENCH_POSTGRES_URL")
        factory = lambda scale: PostgresData(scale, args.postgres)  # noqa: E731
    else:
        factory = SqliteData
    started = time.monotonic()
    report = run_sweep(factory, args.only, args.repeat, lambda message: print(message, flush=True),
                       args.regenerate)
    report["seconds"] = round(time.monotonic() - started, 1)
    Path(args.output).write_text(json.dumps([report], ensure_ascii=False, indent=2))  # as make bench writes it
    print_pages(report["pages"], lambda message: print(message, flush=True))
    print(f"\n{report['flagged']} of {len(report['pages'])} pages flagged. Results: {args.output} "
          f"({report['seconds']} s)")


if __name__ == "__main__":
    main()
