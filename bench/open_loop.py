"""What the open-loop drivers of ``make bench`` share (``rush.py``, ``browse.py``): visitors who arrive at their own
times, each on a connection of its own, and the latencies, errors and late arrivals they saw.

A driver subclasses :class:`OpenLoop`, plays one visitor's steps in ``visit`` and adds its own numbers to
``report``; :func:`main` is its command line, printing one ``<MARKER> {json}`` line for ``bench/run.py``.
"""

import argparse
import http.client
import json
import math
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

USER_AGENT = "timebank-bench"


def percentile(values, share):
    """The nearest-rank percentile of ``values`` (``share`` in 0..1); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def summary(latencies):
    """Milliseconds, rounded: p50, p90, p99, max and the mean of a list of seconds."""
    if not latencies:
        return dict(count=0)
    ms = [value * 1000 for value in latencies]
    return dict(count=len(ms), p50_ms=round(percentile(ms, 0.5), 1), p90_ms=round(percentile(ms, 0.9), 1),
                p99_ms=round(percentile(ms, 0.99), 1), max_ms=round(max(ms), 1), mean_ms=round(statistics.mean(ms), 1))


class OpenLoop:
    """Visitors arriving at random in ``window`` seconds (uniform with a fixed seed: how the arrivals of a Poisson
    process fall once their number is known)."""

    def __init__(self, host, port, visitors, window, seed):
        self.host, self.port, self.visitors, self.window = host, port, visitors, window
        self.chance = random.Random(seed)
        self.arrivals = sorted(self.chance.uniform(0, window) for _ in visitors)
        self.lock = threading.Lock()
        self.timings, self.errors, self.late = {}, [], 0

    def visit(self, index, connection):
        """Play visitor ``index``'s steps on ``connection`` (``record`` each answer)."""
        raise NotImplementedError

    def record(self, step, seconds, status):
        with self.lock:
            self.timings.setdefault(step, []).append(seconds)
            if status != 200:
                self.errors.append(f"{step}: HTTP {status}")

    def _visitor(self, index, start):
        wait = start + self.arrivals[index] - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        elif wait < -0.05:
            with self.lock:
                self.late += 1
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            self.visit(index, connection)
        except OSError as error:
            with self.lock:
                self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    def run(self):
        """Play every visitor; the numbers of ``report`` and the common ones."""
        # Enough threads that no arrival waits for a free one.
        start = time.perf_counter() + 0.2
        with ThreadPoolExecutor(max_workers=max(1, min(len(self.visitors), 256))) as pool:
            for index in range(len(self.visitors)):
                pool.submit(self._visitor, index, start)
        elapsed = time.perf_counter() - start
        return dict(**self.report(elapsed), window_s=self.window, seconds=round(elapsed, 1), errors=len(self.errors),
                    error_samples=sorted(set(self.errors))[:5], late_arrivals=self.late)

    def report(self, elapsed):
        raise NotImplementedError


def main(driver, marker, visitors_help, window, seed, argv=None):
    """The command line of a driver: ``--port``, ``--visitors FILE`` (JSON), ``--window``, ``--seed``."""
    parser = argparse.ArgumentParser(description=driver.__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--visitors", required=True, help=visitors_help)
    parser.add_argument("--window", type=float, default=window, help="seconds over which the visitors arrive")
    parser.add_argument("--seed", type=int, default=seed)
    args = parser.parse_args(argv)
    with open(args.visitors) as handle:
        visitors = json.load(handle)
    result = driver(args.host, args.port, visitors, args.window, args.seed).run()
    print(f"{marker} " + json.dumps(result), flush=True)
