"""The morning rush at the gates, as the volunteers' phones see it: an open-loop load driver for ``make bench``.

wrk keeps 16 connections busy: it measures the most the server can do, and its latency is mostly the wait in
that self-made queue. At 7:00 the volunteers come when they come, whatever the server is doing. This driver gives
each volunteer of a list an arrival time in a window (uniformly at random with a fixed seed, which is how the
arrivals of a Poisson process fall once their number is known) and plays what the phone does on arrival: open
the address in the poster's QR code (the confirmation page, GET), a tap about a second later (the check-in,
POST), each volunteer on a connection of its own. It prints one JSON line with the latency of each step, the
errors and the arrivals that started late (when the driver itself could not keep up).

    python bench/rush.py --port 8000 --volunteers rush.json --window 30

``rush.json``: ``[{"path": "/p/qr-checkin/scan/<token>", "cookie": "session=...", "body": "csrf_token=..."}]``.
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
#: Seconds between the confirmation page and the tap on its button (uniform in this range).
TAP_DELAY = (0.6, 1.6)


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


class Rush:
    def __init__(self, host, port, volunteers, window, seed):
        self.host, self.port, self.volunteers, self.window = host, port, volunteers, window
        chance = random.Random(seed)
        self.arrivals = sorted(chance.uniform(0, window) for _ in volunteers)
        self.taps = [chance.uniform(*TAP_DELAY) for _ in volunteers]
        self.lock = threading.Lock()
        self.timings = {"open": [], "check_in": []}
        self.errors, self.late = [], 0

    def request(self, connection, method, volunteer):
        headers = {"Cookie": volunteer["cookie"], "User-Agent": USER_AGENT}
        body = None
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = volunteer["body"]
        started = time.perf_counter()
        connection.request(method, volunteer["path"], body, headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started

    def volunteer(self, index, start):
        volunteer = self.volunteers[index]
        wait = start + self.arrivals[index] - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        elif wait < -0.05:
            with self.lock:
                self.late += 1
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            for step, method in (("open", "GET"), ("check_in", "POST")):
                status, seconds = self.request(connection, method, volunteer)
                with self.lock:
                    self.timings[step].append(seconds)
                    if status != 200:
                        self.errors.append(f"{step}: HTTP {status}")
                if status != 200:
                    return
                if method == "GET":
                    time.sleep(self.taps[index])
        except OSError as error:
            with self.lock:
                self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    def run(self):
        # Enough threads that no arrival waits for a free one: the arrivals of the busiest second, each staying
        # for its tap delay and two answers.
        threads = min(len(self.volunteers), 256)
        start = time.perf_counter() + 0.2
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for index in range(len(self.volunteers)):
                pool.submit(self.volunteer, index, start)
        elapsed = time.perf_counter() - start
        return dict(volunteers=len(self.volunteers), window_s=self.window, seconds=round(elapsed, 1),
                    arrivals_per_s=round(len(self.volunteers) / self.window, 1),
                    open=summary(self.timings["open"]), check_in=summary(self.timings["check_in"]),
                    errors=len(self.errors), error_samples=sorted(set(self.errors))[:5], late_arrivals=self.late)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--volunteers", required=True, help="JSON file: [{path, cookie, body}]")
    parser.add_argument("--window", type=float, default=30.0, help="seconds over which the volunteers arrive")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with open(args.volunteers) as handle:
        volunteers = json.load(handle)
    print("RUSH_JSON " + json.dumps(Rush(args.host, args.port, volunteers, args.window, args.seed).run()), flush=True)


if __name__ == "__main__":
    main()
