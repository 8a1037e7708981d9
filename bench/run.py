"""``make bench``: timebank under gunicorn against a minimal Flask app measured in the same run, on the generated
district (1,000,000 postings) and on the same district with 1 % of the history (10,000 postings).

Writes ``bench/out/results.json`` and prints a table. Everything runs on 127.0.0.1 and every server this script
starts is stopped at the end, on Ctrl-C and on failure. See docs/performance.md.
"""

import argparse
import http.client
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import OUT, Failed, PostgresData, SqliteData  # noqa: E402

READS = ("my_hours", "home", "queue", "verify")
TARGETS = {
    "checkin": "≥ 0.6 × baseline write, p99 ≤ 50 ms, 0 errors",
    "checkin_rush": "200 volunteers scan in within minutes, 0 errors (reported: the latency each phone sees)",
    "browse": "reported, no target: the latency of every page 41 people open on short visits, across workers",
    "my_hours": "≥ 0.5 × baseline read; 1M/10k time ≤ 1.3",
    "home": "≥ 0.5 × baseline read; 1M/10k time ≤ 1.3",
    "queue": "p99 ≤ 100 ms (10,000 pending)",
    "bulk_confirm": "≤ 2 s for 1,000 entries",
    "export_csv": "≤ 5 s, memory growth ≤ 150 MB",
    "export_xlsx": "≤ 30 s, memory growth ≤ 150 MB",
}


def log(message):
    print(message, flush=True)


def load_now():
    return round(os.getloadavg()[0], 2)


class Run:
    def __init__(self, args, data_factory, label):
        self.args, self.data_factory, self.label = args, data_factory, label
        self.results = []

    def add(self, name, scale, numbers, baseline=None, **extra):
        entry = dict(name=name, database=self.label, scale=scale, workers=self.args.workers, load_1min=load_now(),
                     **numbers, **extra)
        if baseline is not None:
            base = self.baseline[baseline]
            entry["baseline"] = f"baseline_{baseline}"
            entry["ratio_to_baseline"] = round(numbers["requests_per_s"] / base["requests_per_s"], 3)
        self.results.append(entry)
        shown = {key: entry[key] for key in ("requests_per_s", "p50_ms", "p99_ms", "errors", "seconds",
                                             "ratio_to_baseline", "growth_mb") if key in entry}
        log(f"  {name:<14} {scale:<6} {shown}")
        return entry

    def wrk(self, port, lines, warm_lines=None, connections=None):
        """A short warm-up (caches, connections, imports in every worker), then the measured run."""
        connections = connections or self.args.connections
        threads = min(self.args.threads, connections)
        if self.args.warmup:
            harness.run_wrk(port, warm_lines or lines, self.args.warmup, connections, threads)
        numbers = harness.run_wrk(port, lines, self.args.duration, connections, threads)
        return dict(numbers, connections=connections)

    # --- the framework ceiling -----------------------------------------------------------------------------------

    def measure_baseline(self):
        from baseline_app import prepare

        url = self.baseline_url()
        cookies = prepare(url, "baseline-secret")
        env = dict(os.environ, BASELINE_DATABASE_URL=url, BASELINE_SECRET_KEY="baseline-secret",
                   PYTHONPATH=str(harness.BENCH))
        port = harness.free_port()
        server = harness.start_gunicorn("baseline_app:create_app()", env, port, self.args.workers,
                                        f"baseline-{self.label}")
        try:
            self.baseline = {}
            reads = [("GET", "/read", f"session={cookie}", "") for cookie in cookies]
            writes = [("POST", "/write", f"session={cookie}", "") for cookie in cookies]
            # The warm-up is not needed twice; each kind gets its own.
            self.baseline["read"] = self.add("baseline_read", "-", self.wrk(port, reads))
            self.baseline["write"] = self.add("baseline_write", "-", self.wrk(port, writes))
        finally:
            harness.stop(server)

    def baseline_url(self):
        if self.label == "postgresql":
            data = PostgresData("baseline", self.args.postgres)
            data._admin("DROP DATABASE IF EXISTS tb_bench_baseline WITH (FORCE)", "CREATE DATABASE tb_bench_baseline")
            return f"{data.server_url}/tb_bench_baseline"
        path = harness.DATA / "baseline.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"

    # --- timebank --------------------------------------------------------------------------------------------------

    def measure_timebank(self, scale, full):
        from prepare import prepare_timebank

        data = self.data_factory(scale)
        summary = harness.ensure_generated(data, log, self.args.regenerate)
        data.fresh_copy()
        env = harness.app_environment(data.url())
        os.environ.update({key: value for key, value in env.items() if key.startswith("TIMEBANK_")})
        from timebank import create_app

        app = create_app()
        prepared = prepare_timebank(app, summary)
        slug = summary["community"]
        port = harness.free_port()
        server = harness.start_gunicorn("timebank:create_app()", env, port, self.args.workers,
                                        f"timebank-{self.label}-{scale}")
        try:
            volunteer, coordinator = prepared["volunteer"], prepared["coordinator"]
            pages = {"my_hours": (f"/c/{slug}/hours/", volunteer[0]), "home": (f"/c/{slug}/", volunteer[0]),
                     "queue": (f"/c/{slug}/ledger/queue", coordinator[0]),
                     "verify": (f"/verify/{summary['certificate']}", "")}
            for name in READS:
                path, cookie = pages[name]
                # The queue is a coordinator's page (a few people per community, not a crowd): it is measured at
                # --queue-connections, the latency one coordinator per worker sees.
                connections = (self.args.queue_connections or self.args.workers) if name == "queue" else None
                self.add(name, scale, self.wrk(port, [("GET", path, cookie, "")], connections=connections),
                         baseline="read", postings=summary["rows"]["ledger_posting"])
            if full:
                self.browse(port, prepared["browse"], scale)
                self.rush(port, prepared["rush"], scale, data)
                before = self.count_attendances(data)
                # Warm up on the last post's pairs; measure on the others (each pair a first check-in).
                warm = prepared["scans"][-prepared["scan_volunteers"]:]
                numbers = self.wrk(port, prepared["scans"][:-prepared["scan_volunteers"]], warm_lines=warm)
                checked_in = self.count_attendances(data) - before
                self.add("checkin", scale, numbers, baseline="write", checked_in=checked_in,
                         scan_pairs=len(prepared["scans"]))
                self.bulk_confirm(port, slug, coordinator, prepared["bulk"], scale, data)
        finally:
            harness.stop(server)
        if full and not self.args.skip_exports:
            for fmt in ("csv", "xlsx"):
                output = harness.run_checked([sys.executable, str(harness.BENCH / "export_probe.py"), fmt,
                                              prepared["coordinator"][0]], env=env, timeout=600)
                self.add(f"export_{fmt}", scale, json.loads(output.strip().splitlines()[-1]))
        return summary

    def open_loop(self, port, script, marker, visitors, window):
        """Run an open-loop driver (``bench/rush.py``, ``bench/browse.py``) on ``visitors``; its numbers."""
        path = OUT / f"{Path(script).stem}-visitors.json"
        path.write_text(json.dumps(visitors))
        try:
            output = harness.run_checked([sys.executable, str(harness.BENCH / script), "--port", str(port),
                                          "--visitors", str(path), "--window", str(window)],
                                         env=dict(os.environ), timeout=window + 180)
        finally:
            path.unlink(missing_ok=True)
        line = next(line for line in output.splitlines() if line.startswith(f"{marker} "))
        return json.loads(line[len(marker) + 1:])

    def rush(self, port, volunteers, scale, data):
        """The 7:00 rush (``bench/rush.py``): the volunteers arrive at random in the window, open the poster's
        address and tap to check in; the server is not kept busy between arrivals as wrk keeps it."""
        before = self.count_attendances(data)
        numbers = self.open_loop(port, "rush.py", "RUSH_JSON", volunteers, self.args.rush_window)
        checked_in = self.count_attendances(data) - before
        check_in = numbers["check_in"]
        self.add("checkin_rush", scale, dict(p50_ms=check_in.get("p50_ms"), p99_ms=check_in.get("p99_ms"),
                                             errors=numbers["errors"], seconds=numbers["seconds"]),
                 checked_in=checked_in, **{key: numbers[key] for key in numbers if key not in ("errors", "seconds")})

    def browse(self, port, people, scale):
        """People on a short visit (``bench/browse.py``): arrivals at random, a few seconds of reading between
        pages, each page to whichever worker is free with the cookie the last answer set."""
        numbers = self.open_loop(port, "browse.py", "BROWSE_JSON", people, self.args.browse_window)
        pages = numbers["pages"]
        self.add("browse", scale, dict(p50_ms=pages.get("p50_ms"), p99_ms=pages.get("p99_ms"),
                                       errors=numbers["errors"], seconds=numbers["seconds"]),
                 **{key: numbers[key] for key in numbers if key not in ("errors", "seconds")})

    def count_attendances(self, data):
        from sqlalchemy import create_engine, text

        engine = create_engine(data.url())
        try:
            with engine.connect() as connection:
                return connection.execute(text("SELECT count(*) FROM qr_checkin_attendance")).scalar()
        finally:
            engine.dispose()

    def bulk_confirm(self, port, slug, coordinator, rounds, scale, data):
        cookie, csrf = coordinator
        times = []
        for ids in rounds:
            body = f"csrf_token={quote(csrf)}&action=confirm&reason=&" + "&".join(f"record={i}" for i in ids)
            connection = http.client.HTTPConnection(harness.HOST, port, timeout=120)
            started = time.perf_counter()
            connection.request("POST", f"/c/{slug}/ledger/queue/decide", body, {
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "timebank-bench"})
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - started)
            connection.close()
            if response.status not in (200, 302, 303):
                raise Failed(f"bulk confirmation answered {response.status}")
        confirmed = self.confirmed_among(data, [i for ids in rounds for i in ids])
        self.add("bulk_confirm", scale, dict(seconds=round(max(times), 2), seconds_each=[round(t, 2) for t in times],
                                             entries_per_round=len(rounds[0]) if rounds else 0,
                                             confirmed=confirmed))

    def confirmed_among(self, data, ids):
        from sqlalchemy import create_engine, func, select

        from timebank.ledger.models import ServiceRecord

        engine = create_engine(data.url())
        try:
            with engine.connect() as connection:
                found = 0
                for start in range(0, len(ids), 500):
                    found += connection.execute(select(func.count()).select_from(ServiceRecord).where(
                        ServiceRecord.status == "confirmed", ServiceRecord.id.in_(ids[start:start + 500]))).scalar()
                return found
        finally:
            engine.dispose()

    def growth(self):
        by_key = {(r["name"], r["scale"]): r for r in self.results}
        for name in READS:
            large, small = by_key.get((name, "large")), by_key.get((name, "small"))
            if large and small:
                self.results.append(dict(
                    name=f"growth_{name}", database=self.label, scale="1M/10k",
                    p50_ratio=round(large["p50_ms"] / small["p50_ms"], 2) if small["p50_ms"] else None,
                    time_ratio=round(small["requests_per_s"] / large["requests_per_s"], 2)))
                log(f"  growth_{name:<7} time at 1M / time at 10k = {self.results[-1]['time_ratio']} "
                    f"(p50 {self.results[-1]['p50_ratio']})")


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
               platform.processor())
    memory = next((int(line.split()[1]) // 1024 for line in meminfo if line.startswith("MemTotal")), 0)
    return dict(cpu=cpu, cores=os.cpu_count(), memory_mb=memory, python=platform.python_version(),
                sqlite=sqlite3.sqlite_version, kernel=platform.release(),
                wrk=subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0][:60])


def print_table(results):
    log("")
    log(f"{'scenario':<16}{'db':<11}{'scale':<7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>7}{'ratio':>7}"
        f"{'seconds':>9}{'MB':>7}{'load':>6}")
    def cell(r, key, width):
        value = r.get(key)
        return f"{value if value is not None else '':>{width}}"

    for r in results:

        ratio = r.get("ratio_to_baseline", r.get("time_ratio"))
        log(f"{r['name']:<16}{r['database']:<11}{r['scale']:<7}{cell(r, 'requests_per_s', 9)}{cell(r, 'p50_ms', 9)}"
            f"{cell(r, 'p99_ms', 9)}{cell(r, 'errors', 7)}{'' if ratio is None else ratio:>7}{cell(r, 'seconds', 9)}"
            f"{cell(r, 'growth_mb', 7)}{cell(r, 'load_1min', 6)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--browse-window", type=float, default=20.0,
                        help="seconds over which the people of the browsing scenario arrive")
    parser.add_argument("--rush-window", type=float, default=30.0,
                        help="seconds over which the 200 volunteers of the morning rush arrive")
    parser.add_argument("--queue-connections", type=int,
                        help="connections for the coordinator's confirmation queue (default: one per worker)")
    parser.add_argument("--postgres", default=os.environ.get("TIMEBANK_BENCH_POSTGRES_URL"),
                        help="postgresql+psycopg://user@host:port (also TIMEBANK_BENCH_POSTGRES_URL)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--regenerate", action="store_true", help="generate the districts again")
    parser.add_argument("--skip-small", action="store_true", help="no growth comparison")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--skip-pages", action="store_true", help="no sweep of every page (bench/sweep.py)")
    parser.add_argument("--skip-anatomy", action="store_true",
                        help="no in-process breakdown of the pages' cost (bench/anatomy.py)")
    parser.add_argument("--output", default=str(OUT / "results.json"))
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    harness.install_signal_handlers()
    databases = []
    if args.only in (None, "sqlite"):
        databases.append(("sqlite", SqliteData))
    if args.postgres and args.only in (None, "postgresql"):
        databases.append(("postgresql", lambda scale: PostgresData(scale, args.postgres)))
    started = time.monotonic()
    report = dict(machine=machine(), started_at=time.strftime("%Y-%m-%d %H:%M:%S %z"),
                  settings=dict(workers=args.workers, connections=args.connections, threads=args.threads,
                                duration_s=args.duration,
                                queue_connections=args.queue_connections or args.workers),
                  targets=TARGETS, results=[])
    try:
        for label, factory in databases:
            log(f"== {label}, gunicorn with {args.workers} sync workers, wrk {args.connections} connections ==")
            run = Run(args, factory, label)
            run.measure_baseline()
            summary = run.measure_timebank("large", full=True)
            report.setdefault("datasets", {})[f"{label}-large"] = {k: summary[k] for k in ("seconds", "rows")}
            if not args.skip_small:
                summary = run.measure_timebank("small", full=False)
                report["datasets"][f"{label}-small"] = {k: summary[k] for k in ("seconds", "rows")}
                run.growth()
            report["results"].extend(run.results)
        if not args.skip_pages:
            from sweep import print_pages, run_sweep

            for label, factory in databases:
                report.setdefault("pages", []).append(run_sweep(factory, label, 3, log))
            output = Path(args.output)  # results.json -> pages.json, results-x.json -> pages-x.json
            output.with_name(output.name.replace("results", "pages", 1)).write_text(
                json.dumps(report["pages"], ensure_ascii=False, indent=2))
        if not args.skip_anatomy:
            from anatomy import anatomy

            for label, factory in databases:
                log(f"== what a page is made of, {label}, in process ==")
                baseline_url = Run(args, factory, label).baseline_url()  # a fresh one
                report.setdefault("anatomy", []).extend(anatomy(label, factory("large"), baseline_url))
    except KeyboardInterrupt:
        log("Interrupted: stopping the servers.")
        raise SystemExit(130) from None
    finally:
        harness.stop_all()
        report["seconds"] = round(time.monotonic() - started, 1)
        if report["results"]:
            Path(args.output).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print_table(report["results"])
    if report.get("anatomy"):
        from anatomy import print_anatomy

        print_anatomy(report["anatomy"], log)
    for section in report.get("pages", []):
        flagged = [row for row in section["pages"] if row["problems"]]
        log(f"\nPages on {section['database']}: {len(flagged)} of {len(section['pages'])} flagged "
            f"(all in {Path(args.output).name.replace('results', 'pages', 1)})")
        print_pages(flagged, log)
    log(f"\nResults: {args.output} ({report['seconds']} s)")


if __name__ == "__main__":
    main()
