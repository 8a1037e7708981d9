"""``make audit``: Lighthouse (mobile) on the main pages of the demo community, served by gunicorn with the production
configuration on 127.0.0.1: login, home, my hours, shift list, check-in result, repair request, meal order.

Targets (issue 9): performance ≥ 95, accessibility 100, best practices ≥ 95 on every page. Each page is audited
``--runs`` times (default 3) and the run with the median performance score is reported, as Lighthouse advises
against its run-to-run variance. Writes each page's Lighthouse report to ``bench/out/lighthouse/`` and the scores
to ``bench/out/audit.json``, prints a table and exits non-zero when a page misses a target. Needs
``npm ci --prefix bench`` (Lighthouse pinned in bench/package.json) and Chromium (``CHROME_PATH``, default
/usr/bin/chromium). See docs/performance.md.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import BENCH, DATA, OUT, VENV_BIN, Failed  # noqa: E402

TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95}
PASSWORD = "demo-password"  # the demo accounts' (a throwaway copy of the demo community, on loopback only)


def demo_database(log):
    """The demo community in a SQLite file, loaded once through ``timebank demo`` and copied for each run."""
    pristine, work = DATA / "audit-demo.sqlite3", DATA / "audit-work.sqlite3"
    if not pristine.exists():
        log("Loading the demo community once (about a minute)...")
        DATA.mkdir(parents=True, exist_ok=True)
        loading = DATA / "audit-loading.sqlite3"
        loading.unlink(missing_ok=True)
        env = harness.app_environment(f"sqlite:///{loading}", {"TIMEBANK_DEMO_MODE": "1"})
        harness.run_checked([str(VENV_BIN / "timebank"), "db", "upgrade"], env=env)
        harness.run_checked([str(VENV_BIN / "timebank"), "demo"], env=env)
        loading.rename(pristine)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, work)
    harness.upgrade_schema(f"sqlite:///{work}")  # a demo loaded with an older schema gets the newer migrations
    return f"sqlite:///{work}"


def prepare(url):
    """A shift open now at a poster post (the check-in result needs one) and the addresses of the pages."""
    os.environ.update({key: value for key, value in harness.app_environment(url).items()
                       if key.startswith("TIMEBANK_")})
    from sqlalchemy import select
    from timebank_plugins.elder_meals.models import Elder
    from timebank_plugins.qr_checkin import tokens
    from timebank_plugins.qr_checkin.models import DutyPost, Shift

    from timebank import create_app
    from timebank.clock import now
    from timebank.communities.models import Community
    from timebank.extensions import db
    from timebank.identity.models import User

    app = create_app()
    with app.app_context():
        community = db.session.scalars(select(Community).order_by(Community.id)).first()
        post = db.session.scalars(select(DutyPost).where(
            DutyPost.community_id == community.id, DutyPost.checkin_policy == "static", DutyPost.risky.is_(False))
            .order_by(DutyPost.id)).first()
        moment = now().replace(microsecond=0)
        db.session.add(Shift(community_id=community.id, post_id=post.id, starts_at=moment - timedelta(minutes=5),
                             ends_at=moment + timedelta(hours=2), capacity=50, note="", created_at=moment))
        db.session.commit()
        token = tokens.poster_token(post)
        elder = db.session.scalars(select(Elder).join(User, User.id == Elder.user_id)
                                   .where(User.username == "elder")).first()
        slug = community.slug
        db.engine.dispose()
    base = f"/c/{slug}"
    return [
        dict(username="", pages=[dict(name="login", path="/login")]),
        dict(username="volunteer", pages=[
            dict(name="home", path=f"{base}/"),
            dict(name="my-hours", path=f"{base}/hours/"),
            dict(name="shift-list", path=f"{base}/p/qr-checkin/"),
            dict(name="checkin-result", path=f"/p/qr-checkin/scan/{token}", submit="form.scan-form [type=submit]"),
            dict(name="repair-request", path=f"{base}/p/repair-team/new"),
        ]),
        dict(username="elder", pages=[dict(name="meal-order", path=f"{base}/p/elder-meals/elders/{elder.id}/order")]),
    ]


def median_of(runs):
    """Per page, the run with the median performance score (Lighthouse's advice against run-to-run variance, which
    is large on a shared machine), with every run's scores alongside."""
    results = []
    for pages in zip(*runs, strict=True):
        ranked = sorted(pages, key=lambda page: page["performance"])
        chosen = dict(ranked[len(ranked) // 2])
        chosen["runs"] = [{key: page[key] for key in TARGETS} for page in pages]
        results.append(chosen)
    return results


def print_table(results, log):
    log(f"\n{'page':<16}{'perf':>6}{'a11y':>6}{'best':>6}{'requests':>10}{'KB':>8}  {'perf of each run':<18}misses")
    for r in results:
        misses = "; ".join(f"{f['id']} ({f['score']})" for f in r["failing"]) or "-"
        log(f"{r['name']:<16}{r['performance']:>6}{r['accessibility']:>6}{r['best-practices']:>6}"
            f"{r['requests']:>10}{r['transfer_bytes'] / 1024:>8.1f}  "
            f"{' '.join(str(run['performance']) for run in r['runs']):<18}{misses}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(OUT / "audit.json"))
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs; each page's median is reported")
    args = parser.parse_args(argv)
    log = print
    lighthouse = BENCH / "node_modules" / "lighthouse"
    if not lighthouse.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci --prefix bench` (make audit does).")
    harness.install_signal_handlers()
    reports = OUT / "lighthouse"
    reports.mkdir(parents=True, exist_ok=True)
    url = demo_database(log)
    people = prepare(url)
    port = harness.free_port()
    harness.start_gunicorn("timebank:create_app()", harness.app_environment(url), port, 2, "audit-server")
    started = time.monotonic()
    try:
        plan = OUT / "audit-plan.json"
        plan.write_text(json.dumps(dict(base=f"http://{harness.HOST}:{port}", password=PASSWORD, out=str(reports),
                                        people=people)))
        env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
        runs = []
        for number in range(args.runs):
            log(f"Lighthouse run {number + 1} of {args.runs}...")
            result = subprocess.run(["node", str(BENCH / "audit.mjs"), str(plan)], env=env, cwd=BENCH,
                                    capture_output=True, text=True, timeout=900)
            line = next((line for line in result.stdout.splitlines() if line.startswith("AUDIT_JSON ")), None)
            if line is None:
                raise Failed(f"Lighthouse gave no result:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
            runs.append(json.loads(line[len("AUDIT_JSON "):]))
    except KeyboardInterrupt:
        log("Interrupted: stopping the server.")
        raise SystemExit(130) from None
    finally:
        harness.stop_all()
    results = median_of(runs)
    missed = [(r["name"], category) for r in results for category, target in TARGETS.items()
              if r[category] < target]
    Path(args.output).write_text(json.dumps(dict(
        started_at=time.strftime("%Y-%m-%d %H:%M:%S %z"), seconds=round(time.monotonic() - started, 1),
        load_1min=round(os.getloadavg()[0], 2), targets=TARGETS, lighthouse=json.loads(
            (lighthouse / "package.json").read_text())["version"], results=results,
        missed=[f"{name}: {category}" for name, category in missed]), ensure_ascii=False, indent=2))
    print_table(results, log)
    log(f"\nScores: {args.output}; reports: {reports}/")
    if missed:
        log("Missed targets: " + ", ".join(f"{name} {category}" for name, category in missed))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
