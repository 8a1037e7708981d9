"""Fault run: concurrent QR check-ins and confirmations against a real gunicorn, killed with SIGKILL mid-run and
restarted. Loopback only, bounded in time, and it stops everything it starts.

    .venv/bin/python stress/fault_run.py                       # SQLite in a temporary folder
    .venv/bin/python stress/fault_run.py --postgres postgresql+psycopg://postgres@127.0.0.1:54412/postgres

What it proves (exit status 1 otherwise):

* no answer is a 500 (a locked SQLite database or a PostgreSQL serialization failure is retried or answered
  clearly, 409/503), before, during and after the kill;
* every check-in that received a success (200, ``checked_in``) is in the database exactly once, and nobody is
  checked in twice at one shift (scans carry an Idempotency-Key and are retried with it after a failure);
* every confirmation that received a success left the record confirmed, once;
* ``timebank ledger verify`` passes afterwards.
"""

import argparse
import json
import os
import random
import secrets
import signal
import socket
import subprocess  # nosec B404 - starts this project's own server and CLI
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the app factory on loopback; ``kill()`` is a SIGKILL of the whole process group."""

    def __init__(self, env, port, workers):
        self.env, self.port, self.workers, self.process = env, port, workers, None

    def start(self):
        self.process = subprocess.Popen(  # nosec B603 - fixed argument list
            [str(BIN / "gunicorn"), "-w", str(self.workers), "--threads", "4", "-b", f"127.0.0.1:{self.port}",
             "--graceful-timeout", "1", "timebank:create_app()"], env=self.env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{self.port}/login", timeout=10)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.stderr = self.process.stderr.read().decode(errors="replace")
        self.process.stderr.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.kill()


def seed(env, volunteers, records):
    """Community, coordinator, volunteers with API tokens, posts with a shift open now, pending records."""
    code = f"""
import json, os
from datetime import timedelta
from timebank import create_app
from timebank.clock import now
from timebank.extensions import db
app = create_app()
with app.test_request_context():
    db.create_all()
    from timebank.api import tokens
    from timebank.communities.models import Membership
    from timebank.communities.joining import next_volunteer_number
    from timebank.communities.services import create_community
    from timebank.events import commit
    from timebank.identity.services import new_user
    from timebank.ledger.accounts import atomic
    from timebank.ledger.records import record_service
    from timebank.plugin_state import CommunityPlugin
    from timebank_plugins.qr_checkin import services, tokens as qr_tokens
    community = create_community("maple", "枫林社区")
    db.session.add(CommunityPlugin(community_id=community.id, plugin_name="qr_checkin", enabled=True,
                                   changed_at=now()))
    people = {{}}
    for index in range({volunteers} + 1):
        role = "coordinator" if index == 0 else "volunteer"
        user = new_user(username=f"user{{index}}", display_name=f"志愿者{{index}}", password="stress-pass-1")
        db.session.add(Membership(user=user, community=community, role=role, status="active", created_at=now(),
                                  decided_at=now(), volunteer_number=next_volunteer_number(community)))
        db.session.flush()
        people[index] = user
    commit()
    coordinator = people[0]
    posts, shifts = [], []
    for number in range(4):
        post = services.save_post(community, coordinator, name=f"岗亭{{number}}", checkin_policy="static")
        shift = services.create_shift(community, coordinator, post, now() - timedelta(minutes=5),
                                      now() + timedelta(hours=3), capacity={volunteers})
        posts.append(qr_tokens.poster_token(post)); shifts.append(shift.id)
    out = {{"posts": posts, "shifts": shifts, "tokens": {{}}, "records": []}}
    for index, user in people.items():
        scopes = ["coordinate"] if index == 0 else ["check-in"]
        out["tokens"][index] = tokens.create_personal_token(user, "stress", scopes)[1]
    start = now() - timedelta(days=2)
    for number in range({records}):
        volunteer = people[1 + number % {volunteers}]
        begin = start - timedelta(hours=3 * (number // {volunteers}))
        with atomic():
            record = record_service(community, volunteer, category="ledger.elder_care", activity_name="陪伴老人",
                                    started_at=begin, ended_at=begin + timedelta(hours=2), actor=volunteer)
        out["records"].append(record.id)
    print(json.dumps(out))
"""
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,  # nosec
                            check=False)
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def _code(response):
    try:
        return response.json().get("code", "")
    except ValueError:
        return response.text[:80]


class Load:
    def __init__(self, base, data):
        self.base, self.data = base, data
        self.statuses = Counter()
        self.reasons = Counter()  # "409 code" of the refusals
        self.gave_up = 0
        self.check_ins = {}  # (volunteer, shift index) -> attendance id (successes only)
        self.confirmed = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def _send(self, method, path, token, body, key=None):
        """Send, retrying connection failures (the server is being killed) with the same Idempotency-Key."""
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        for _attempt in range(60):
            try:
                response = requests.request(method, self.base + path, json=body, headers=headers, timeout=30)
            except requests.RequestException:
                with self.lock:
                    self.statuses["connection error (retried)"] += 1
                time.sleep(0.1)
                continue
            with self.lock:
                self.statuses[response.status_code] += 1
                if response.status_code >= 400:
                    self.reasons[f"{response.status_code} {_code(response)}"] += 1
            if response.status_code in (409, 503) or (response.status_code == 429):
                time.sleep(0.2)  # locked / serialization / throttled: told clearly, retried
                continue
            return response
        with self.lock:
            self.gave_up += 1  # e.g. an Idempotency-Key whose first request died with the server: still "in progress"
        return None

    def check_in(self, volunteer):
        token = self.data["tokens"][str(volunteer)]
        for index, poster in enumerate(self.data["posts"]):
            if self.stop.is_set():
                return
            response = self._send("POST", "/api/v1/communities/maple/p/qr-checkin/scans", token,
                                  {"token": poster}, key=str(uuid.uuid4()))
            if response is not None and response.status_code == 200:
                body = response.json()
                if body["outcome"] == "checked_in":
                    with self.lock:
                        self.check_ins[(volunteer, index)] = body["attendance"]["id"]
                # Leave again (checked out, or "repeated" within a minute): the next post is then allowed.
            time.sleep(random.random() * 0.05)  # nosec B311 - load jitter

    def confirm(self, record_ids):
        token = self.data["tokens"]["0"]
        for record_id in record_ids:
            if self.stop.is_set():
                return
            response = self._send("POST", f"/api/v1/communities/maple/queue/{record_id}/decision", token,
                                  {"action": "confirm"})
            if response is not None and response.status_code == 200:
                with self.lock:
                    self.confirmed.add(record_id)


def verify(env, load, data):
    code = """
import json
from sqlalchemy import func, select
from timebank import create_app
from timebank.extensions import db
from timebank.ledger.models import ServiceRecord
from timebank_plugins.qr_checkin.models import Attendance
app = create_app()
with app.app_context():
    rows = db.session.execute(select(Attendance.id, Attendance.shift_id, Attendance.user_id)).all()
    confirmed = set(db.session.scalars(select(ServiceRecord.id).where(ServiceRecord.status == "confirmed")))
    print(json.dumps({"attendances": [list(row) for row in rows], "confirmed": sorted(confirmed)}))
"""
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,  # nosec
                            check=False)
    if result.returncode:
        return [f"reading the database failed: {result.stderr[-2000:]}"]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    ids = Counter(row[0] for row in found["attendances"])
    per_shift = Counter((row[1], row[2]) for row in found["attendances"])
    problems = [f"check-in {key} answered with attendance {attendance} but it is stored {ids[attendance]} times"
                for key, attendance in load.check_ins.items() if ids[attendance] != 1]
    problems += [f"shift {shift}, user {user}: {count} attendances" for (shift, user), count in per_shift.items()
                 if count > 1]
    problems += [f"record {record} confirmed (200) but not confirmed in the database"
                 for record in load.confirmed - set(found["confirmed"])]
    ledger = subprocess.run([str(BIN / "timebank"), "ledger", "verify"], env=env, cwd=ROOT,  # nosec B603
                            capture_output=True, text=True, check=False)
    if ledger.returncode:
        problems.append(f"timebank ledger verify failed: {ledger.stdout[-1000:]} {ledger.stderr[-1000:]}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL of a server where a scratch database may be created")
    parser.add_argument("--volunteers", type=int, default=24)
    parser.add_argument("--records", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=3.0, help="seconds of load before the SIGKILL")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="timebank-stress-"))
    env = dict(os.environ, TIMEBANK_INSTANCE_PATH=str(folder), TIMEBANK_SECRET_KEY=secrets.token_hex(16),
               TIMEBANK_PLUGINS='["qr_checkin"]', TIMEBANK_LOAD_ENTRYPOINTS="false",
               TIMEBANK_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", TIMEBANK_API_RATE_LIMIT="100000 per minute",
               TIMEBANK_API_RATE_LIMIT_PER_IP="100000 per minute")
    scratch = None
    if args.postgres:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        scratch = f"timebank_stress_{os.getpid()}"
        admin = create_engine(make_url(args.postgres).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{scratch}"'))
        env["TIMEBANK_SQLALCHEMY_DATABASE_URI"] = make_url(args.postgres).set(database=scratch).render_as_string(
            hide_password=False)
    else:
        env["TIMEBANK_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'stress.sqlite3'}"

    server = Server(env, free_port(), args.workers)
    problems = []
    started = time.monotonic()
    try:
        data = seed(env, args.volunteers, args.records)
        server.start()
        load = Load(f"http://127.0.0.1:{server.port}", data)
        records = data["records"]
        threads = [threading.Thread(target=load.check_in, args=(volunteer,)) for volunteer in
                   range(1, args.volunteers + 1)]
        threads += [threading.Thread(target=load.confirm, args=(records[part::4],)) for part in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(args.kill_after)
        server.kill()  # mid-run: requests in flight die with it
        killed_stderr = server.stderr
        time.sleep(0.5)
        server.start()
        for thread in threads:
            thread.join(timeout=240)
        load.stop.set()
        server.kill()
        problems += [f"HTTP 500 answered {load.statuses[500]} times"] if load.statuses[500] else []
        problems += verify(env, load, data)
        summary = {"database": "postgresql" if args.postgres else "sqlite", "check_ins_succeeded": len(load.check_ins),
                   "confirmations_succeeded": len(load.confirmed), "statuses": dict(load.statuses),
                   "refusals": dict(load.reasons), "requests_given_up": load.gave_up,
                   "kills": 1, "seconds": round(time.monotonic() - started, 1)}
        print(json.dumps(summary, ensure_ascii=False))
        if "Traceback" in killed_stderr and "SIGKILL" not in killed_stderr:
            print(killed_stderr[-2000:], file=sys.stderr)
    finally:
        server.stop()
        if scratch:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            admin.dispose()
    if problems:
        print("FAILED:\n" + "\n".join(problems[:50]), file=sys.stderr)
        return 1
    print("fault run passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
