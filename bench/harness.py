"""The moving parts of ``make bench``: databases (a pristine generated copy, a work copy per run), gunicorn
servers on loopback, wrk runs, and the clean-up of everything started, also on Ctrl-C or failure."""

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DATA = OUT / "data"
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


class Failed(RuntimeError):
    pass


# --- Databases ---------------------------------------------------------------------------------------------------


class SqliteData:
    """A generated SQLite database kept as a pristine file; each run works on a fresh copy."""

    label = "sqlite"

    def __init__(self, scale):
        self.scale = scale
        self.pristine = DATA / f"{scale}.sqlite3"
        self.work = DATA / f"{scale}-work.sqlite3"
        self.summary_path = DATA / f"{scale}.json"

    def pristine_url(self):
        return f"sqlite:///{self.pristine}"

    def url(self):
        return f"sqlite:///{self.work}"

    def exists(self):
        return self.pristine.exists() and self.summary_path.exists()

    def drop(self):
        for path in (self.pristine, self.summary_path):
            path.unlink(missing_ok=True)

    def fresh_copy(self):
        with sqlite3.connect(self.pristine) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.work}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.pristine, self.work)
        upgrade_schema(self.url())


class PostgresData:
    """A generated PostgreSQL database kept as a template; each run gets ``CREATE DATABASE ... TEMPLATE``."""

    label = "postgresql"

    def __init__(self, scale, server_url):
        self.scale = scale
        self.server_url = server_url.rstrip("/")  # postgresql+psycopg://user@host:port
        self.pristine_name = f"tb_bench_{scale}_pristine"
        self.work_name = f"tb_bench_{scale}_work"
        self.summary_path = DATA / f"{scale}-postgresql.json"

    def _admin(self, *statements):
        import psycopg

        plain = self.server_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as connection:
            found = []
            for statement in statements:
                cursor = connection.execute(statement)
                found.append(cursor.fetchall() if cursor.description else None)
            return found

    def pristine_url(self):
        return f"{self.server_url}/{self.pristine_name}"

    def url(self):
        return f"{self.server_url}/{self.work_name}"

    def exists(self):
        rows = self._admin(f"SELECT 1 FROM pg_database WHERE datname = '{self.pristine_name}'")[0]
        return bool(rows) and self.summary_path.exists()

    def drop(self):
        self._admin(f"DROP DATABASE IF EXISTS {self.pristine_name} WITH (FORCE)",
                    f"CREATE DATABASE {self.pristine_name}")

    def fresh_copy(self):
        self._admin(f"DROP DATABASE IF EXISTS {self.work_name} WITH (FORCE)",
                    f"CREATE DATABASE {self.work_name} TEMPLATE {self.pristine_name}",
                    f"ALTER DATABASE {self.work_name} SET random_page_cost = 1.1")  # docs/deployment.md
        upgrade_schema(self.url())


def upgrade_schema(database_url):
    """``timebank db upgrade`` on a work copy: a pristine database generated with an older schema gets the newer
    migrations (new tables filled from its data) in the copy, never in the pristine one."""
    run_checked([str(VENV_BIN / "timebank"), "db", "upgrade"], env=app_environment(database_url))


def ensure_generated(data, log, regenerate=False):
    """Generate the district into ``data`` unless a pristine copy is there already; returns its summary."""
    if regenerate or not data.exists():
        data.drop()
        DATA.mkdir(parents=True, exist_ok=True)
        log(f"Generating the {data.scale} district ({data.label}); this is done once and kept in {DATA}...")
        env = app_environment(data.pristine_url())
        run_checked([str(VENV_BIN / "python"), str(BENCH / "generate.py"), "--scale", data.scale,
                     "--summary", str(data.summary_path)], env=env)
    return json.loads(data.summary_path.read_text())


# --- Processes -----------------------------------------------------------------------------------------------------

STARTED = []  # Popen objects of servers this run started (each in its own process group)


def app_environment(database_url, extra=None):
    """The production configuration: no demo mode, a fixed secret key, the database given, logs quiet."""
    instance = DATA / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("TIMEBANK_")}
    env.update(TIMEBANK_INSTANCE_PATH=str(instance), TIMEBANK_SECRET_KEY="bench-secret-key-not-for-production",
               TIMEBANK_SQLALCHEMY_DATABASE_URI=database_url, TIMEBANK_DEMO_MODE="false",
               TIMEBANK_NOTIFICATION_CHANNELS="[]", PYTHONPATH=str(BENCH))
    env.update(extra or {})
    return env


def run_checked(command, env, timeout=900):
    result = subprocess.run(command, env=env, cwd=ROOT, timeout=timeout, capture_output=True, text=True)
    if result.returncode != 0:
        raise Failed(f"{' '.join(command[:3])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def start_gunicorn(app_spec, env, port, workers, log_name):
    """gunicorn with ``workers`` sync workers on 127.0.0.1:``port``; waits until it answers."""
    log_file = open(OUT / f"{log_name}.log", "w")  # noqa: SIM115 (kept open while the server runs)
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync", "--bind", f"{HOST}:{port}",
         "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning", app_spec],
        env=env, cwd=BENCH, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    STARTED.append(process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failed(f"gunicorn exited at start; see {log_file.name}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5):
                return process
        except OSError as error:
            if getattr(error, "code", None):  # an HTTP answer (e.g. 404 from the baseline): it is up
                return process
            time.sleep(0.3)
    raise Failed(f"gunicorn did not answer within a minute; see {log_file.name}")


def stop(process):
    """Stop one server this run started: its whole process group, politely then firmly."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    if process in STARTED:
        STARTED.remove(process)


def stop_all():
    for process in list(STARTED):
        stop(process)


def install_signal_handlers():
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- wrk -------------------------------------------------------------------------------------------------------


def run_wrk(port, lines, seconds, connections, threads):
    """Drive the server with the request lines; returns the numbers of the run."""
    if len(lines) < threads:  # every thread needs at least one line
        lines = list(lines) * threads
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", dir=OUT, delete=False) as handle:
        for method, path, cookie, body in lines:
            handle.write(f"{method}\t{path}\t{cookie}\t{body}\n")
    try:
        env = dict(os.environ, BENCH_REQUESTS=handle.name, BENCH_THREADS=str(threads))
        result = subprocess.run(
            ["wrk", "--threads", str(threads), "--connections", str(connections), "--duration", f"{seconds}s",
             "--timeout", "10s", "--script", str(BENCH / "wrk" / "requests.lua"), f"http://{HOST}:{port}"],
            env=env, capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(handle.name)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line[len("BENCH_JSON "):])
            errors = sum(value for key, value in raw.items() if key.startswith("errors_"))
            return dict(requests=raw["requests"], requests_per_s=round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
                        p50_ms=round(raw["p50_us"] / 1000, 1), p90_ms=round(raw["p90_us"] / 1000, 1),
                        p99_ms=round(raw["p99_us"] / 1000, 1), max_ms=round(raw["max_us"] / 1000, 1),
                        errors=errors, errors_status=raw["errors_status"])
    raise Failed(f"wrk gave no result:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
