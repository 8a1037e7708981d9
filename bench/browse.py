"""People using timebank, as their phones see it: an open-loop driver for ``make bench``.

wrk asks for one page with one cookie again and again, so the Tasks number on every page is always kept by
the worker that answers, and the server is never idle. A person is different: they arrive when they arrive,
open a few pages with a few seconds of reading between them, and each page goes to whichever worker is free,
carrying the session cookie the last answer set (as a browser does). This driver gives each person an arrival
time in a window (uniform, fixed seed), plays their visit, and prints one JSON line with the latency of every
page, per page and in all, the errors and the arrivals that started late.

    python bench/browse.py --port 8000 --people browse.json --window 20

``browse.json``: ``[{"cookie": "session=...", "pages": ["/c/x/", "/c/x/hours/", ...]}]``.
"""

import argparse
import http.client
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from rush import USER_AGENT, summary

#: Seconds a person reads a page before opening the next (uniform in this range): shorter than the 30 s the
#: Tasks number is kept, as on a real visit.
THINK = (2.0, 6.0)


def session_cookie(current, set_cookies):
    """The ``Cookie`` header after a response: the session cookie the response set, else the one sent."""
    name = current.partition("=")[0]
    for header in set_cookies or []:
        pair = header.split(";", 1)[0].strip()
        if pair.partition("=")[0] == name:
            return pair
    return current


class Browse:
    def __init__(self, host, port, people, window, seed):
        self.host, self.port, self.people, self.window = host, port, people, window
        chance = random.Random(seed)
        self.arrivals = [chance.uniform(0, window) for _ in people]
        self.thinking = [[chance.uniform(*THINK) for _ in person["pages"]] for person in people]
        self.lock = threading.Lock()
        self.timings, self.errors, self.late = {}, [], 0

    def visit(self, index, start):
        person = self.people[index]
        wait = start + self.arrivals[index] - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        elif wait < -0.05:
            with self.lock:
                self.late += 1
        cookie = person["cookie"]
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            for page, think in zip(person["pages"], self.thinking[index], strict=True):
                started = time.perf_counter()
                connection.request("GET", page, headers={"Cookie": cookie, "User-Agent": USER_AGENT,
                                                         "Accept-Encoding": "gzip"})
                response = connection.getresponse()
                response.read()
                seconds = time.perf_counter() - started
                cookie = session_cookie(cookie, response.msg.get_all("Set-Cookie"))
                with self.lock:
                    self.timings.setdefault(page, []).append(seconds)
                    if response.status != 200:
                        self.errors.append(f"{page}: HTTP {response.status}")
                time.sleep(think)
        except OSError as error:
            with self.lock:
                self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    def run(self):
        start = time.perf_counter() + 0.2
        with ThreadPoolExecutor(max_workers=min(len(self.people), 256)) as pool:
            for index in range(len(self.people)):
                pool.submit(self.visit, index, start)
        elapsed = time.perf_counter() - start
        every = [seconds for timings in self.timings.values() for seconds in timings]
        return dict(people=len(self.people), window_s=self.window, seconds=round(elapsed, 1),
                    pages_per_s=round(len(every) / elapsed, 1) if elapsed > 0 else None,
                    pages=summary(every),
                    per_page={page: summary(timings) for page, timings in sorted(self.timings.items())},
                    errors=len(self.errors), error_samples=sorted(set(self.errors))[:5],
                    late_arrivals=self.late)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--people", required=True, help="JSON file: [{cookie, pages}]")
    parser.add_argument("--window", type=float, default=20.0, help="seconds over which the people arrive")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    with open(args.people) as handle:
        people = json.load(handle)
    print("BROWSE_JSON " + json.dumps(Browse(args.host, args.port, people, args.window, args.seed).run()),
          flush=True)


if __name__ == "__main__":
    main()
