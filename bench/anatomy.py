"""What a page's time is made of, in process: ``python bench/anatomy.py [--postgres URL]``.

The load test compares whole requests with the baseline (``bench/baseline_app.py``). This measures, in one
process and on the 1M district, the CPU a request costs at each layer, so that a ratio can be read as its parts:

* ``baseline read`` / ``baseline write``: the baseline app's two requests (session, the person, one INSERT);
* ``floor``: a timebank community page that answers one line: the signed session, the login, the community with
  the person and their membership, and every ``before_request``/``after_request`` of the app and its plugins;
* ``layout``: the same page rendering ``base.html`` with an empty content block (the bar, the bell, the tab bar,
  the navigation, the stylesheet and script, the translations);
* ``my_hours``, ``home``, ``checkin``: the pages of the load test (a check-in is a new scan each time), with their
  parts in wall time: the floor, the layout (the layout page less the floor) and their own (the rest). A check-in's
  floor differs a little: its address names the post's code, not the community.

The variants are measured in rounds, one after the other in each round, and each gets the median of its rounds'
medians: a busy moment of a shared machine weighs on all of them. The two probe pages are registered by this script
on its own app; the product has no such pages.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
import sweep  # noqa: E402
from harness import PostgresData, SqliteData  # noqa: E402

HEADERS = {"User-Agent": "timebank-bench", "Accept-Encoding": "gzip"}
FORM = {**HEADERS, "Content-Type": "application/x-www-form-urlencoded"}


def baseline_client(database_url):
    """The baseline app on a fresh database, a test client logged in as one of its people, and its engine."""
    import baseline_app

    cookies = baseline_app.prepare(database_url, "anatomy-secret", people=2_000)
    app = baseline_app.create_app()
    client = app.test_client()
    client.set_cookie("session", cookies[0], domain="localhost")
    with app.app_context():
        return client, baseline_app.db.engine


def add_probe_pages(app):
    """``/c/<community>/bench-anatomy/floor`` and ``.../layout`` on this script's app (before its first request)."""
    from flask import Blueprint, render_template
    from flask_login import current_user

    probes = Blueprint("bench_anatomy", __name__, url_prefix="/c/<community>/bench-anatomy")
    layout_only = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}{% endblock %}')

    @probes.get("/floor")
    def floor():
        return f"<p>{current_user.display_name}</p>"

    @probes.get("/layout")
    def layout():
        return render_template(layout_only)

    app.register_blueprint(probes)


def timebank_requests(data):
    """``{name: callable}``: one request of each timebank variant, logged in as the bench volunteer."""
    from prepare import prepare_timebank

    summary = json.loads(data.summary_path.read_text())
    app, cookies, _values = sweep.open_district(data, summary)
    add_probe_pages(app)
    prepared = prepare_timebank(app, summary, bulk_rounds=0)
    slug = summary["community"]
    client = app.test_client()
    name, _, value = cookies["volunteer"].partition("=")
    client.set_cookie(name, value, domain="localhost")
    scans = iter(prepared["scans"])
    scanner = app.test_client()

    def scan():
        _method, path, cookie, body = next(scans)
        cookie_name, _, cookie_value = cookie.partition("=")
        scanner.set_cookie(cookie_name, cookie_value, domain="localhost")
        return scanner.post(path, data=body, headers=FORM)

    def page(path):
        return lambda: client.get(path, headers=HEADERS)

    return app, {"floor": page(f"/c/{slug}/bench-anatomy/floor"), "layout": page(f"/c/{slug}/bench-anatomy/layout"),
                 "my_hours": page(f"/c/{slug}/hours/"), "home": page(f"/c/{slug}/"), "checkin": scan}


def count_statements(*engines):
    """A one-item list that counts the statements sent by ``engines``."""
    from sqlalchemy import event

    counted = [0]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", lambda *_args: counted.__setitem__(0, counted[0] + 1))
    return counted


def measure(variants, rounds, per_round, counted):
    """``{name: (median CPU ms, statements per request)}`` over ``rounds`` rounds of ``per_round`` requests."""
    medians = {name: ([], []) for name in variants}
    statements = {}
    for name, request in variants.items():  # warm: compiled templates and statements, kept badges
        for _ in range(20):
            if request().status_code != 200:
                raise harness.Failed(f"{name}: not answered")
    for _ in range(rounds):
        for name, request in variants.items():
            cpu, wall = [], []
            counted[0] = 0
            for _ in range(per_round):
                started, clock = time.process_time(), time.perf_counter()
                response = request()
                cpu.append((time.process_time() - started) * 1000)
                wall.append((time.perf_counter() - clock) * 1000)
            if response.status_code != 200:
                raise harness.Failed(f"{name}: status {response.status_code}")
            medians[name][0].append(statistics.median(cpu))
            medians[name][1].append(statistics.median(wall))
            statements[name] = counted[0] / per_round
    return {name: (round(statistics.median(cpu), 2), round(statistics.median(wall), 2),
                   round(statements.get(name, 0), 1)) for name, (cpu, wall) in medians.items()}


def anatomy(label, data, baseline_url, rounds=5, per_round=100):
    """The table of one database: ``[{name, cpu_ms, statements}]`` with each page's parts."""
    from timebank.extensions import db

    baseline, baseline_engine = baseline_client(baseline_url)
    app, variants = timebank_requests(data)
    with app.app_context():
        counted = count_statements(baseline_engine, db.engine)
    both = {"baseline_read": lambda: baseline.get("/read"), "baseline_write": lambda: baseline.post("/write"),
            **variants}
    measured = measure(both, rounds, per_round, counted)
    # The parts, in wall time: on PostgreSQL the database's work happens in another process.
    floor, layout = measured["floor"][1], measured["layout"][1]
    rows = []
    for name, (cpu, wall, statements) in measured.items():
        row = dict(database=label, name=name, cpu_ms=cpu, wall_ms=wall, statements=statements)
        if name in ("my_hours", "home", "checkin"):
            row.update(floor_ms=floor, layout_ms=round(layout - floor, 2), own_ms=round(wall - layout, 2))
        rows.append(row)
    return rows


def print_anatomy(rows, log=print):
    log(f"\n{'database':<12}{'request':<16}{'CPU ms':>8}{'wall ms':>9}{'stmts':>7}{'floor':>8}{'layout':>8}"
        f"{'own':>8}")
    for row in rows:
        log(f"{row['database']:<12}{row['name']:<16}{row['cpu_ms']:>8}{row['wall_ms']:>9}{row['statements']:>7}"
            f"{row.get('floor_ms', ''):>8}{row.get('layout_ms', ''):>8}{row.get('own_ms', ''):>8}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("TIMEBANK_BENCH_POSTGRES_URL"),
                        help="postgresql+psycopg://user@host:port: PostgreSQL instead of SQLite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=100)
    args = parser.parse_args(argv)
    if args.postgres:
        data, label = PostgresData("large", args.postgres), "postgresql"
        admin = PostgresData("baseline", args.postgres)
        admin._admin("DROP DATABASE IF EXISTS tb_bench_anatomy WITH (FORCE)", "CREATE DATABASE tb_bench_anatomy")
        baseline_url = f"{admin.server_url}/tb_bench_anatomy"
    else:
        data, label = SqliteData("large"), "sqlite"
        baseline_url = f"sqlite:///{tempfile.mkdtemp(prefix='tb-anatomy-')}/baseline.sqlite3"
    harness.ensure_generated(data, print)
    rows = anatomy(label, data, baseline_url, args.rounds, args.per_round)
    print_anatomy(rows)
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
