"""People using timebank, as their phones see it: an open-loop driver for ``make bench``.

wrk asks for one page with one cookie again and again, so the Tasks number on every page is always kept by
the worker that answers, and the server is never idle. A person is different: they arrive when they arrive,
open a few pages with a few seconds of reading between them, and each page goes to whichever worker is free,
carrying the session cookie the last answer set (as a browser does). This driver gives each person an arrival
time in a window (uniform, fixed seed), plays their visit, and prints one JSON line with the latency of every
page, per page and in all, the errors and the arrivals that started late.

    python bench/browse.py --port 8000 --visitors browse.json --window 20

``browse.json``: ``[{"cookie": "session=...", "pages": ["/c/x/", "/c/x/hours/", ...]}]``.
"""

import time

from open_loop import USER_AGENT, OpenLoop, main, summary

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


class Browse(OpenLoop):
    """People on a short visit: each opens their pages in order, reading a few seconds between them."""

    def __init__(self, host, port, people, window, seed):
        super().__init__(host, port, people, window, seed)
        self.thinking = [[self.chance.uniform(*THINK) for _ in person["pages"]] for person in people]

    def visit(self, index, connection):
        person = self.visitors[index]
        cookie = person["cookie"]
        for page, think in zip(person["pages"], self.thinking[index], strict=True):
            started = time.perf_counter()
            connection.request("GET", page, headers={"Cookie": cookie, "User-Agent": USER_AGENT,
                                                     "Accept-Encoding": "gzip"})
            response = connection.getresponse()
            response.read()
            self.record(page, time.perf_counter() - started, response.status)
            cookie = session_cookie(cookie, response.msg.get_all("Set-Cookie"))
            time.sleep(think)

    def report(self, elapsed):
        every = [seconds for timings in self.timings.values() for seconds in timings]
        return dict(people=len(self.visitors), pages_per_s=round(len(every) / elapsed, 1) if elapsed > 0 else None,
                    pages=summary(every),
                    per_page={page: summary(timings) for page, timings in sorted(self.timings.items())})


if __name__ == "__main__":
    main(Browse, "BROWSE_JSON", "JSON file: [{cookie, pages}]", window=20.0, seed=11)
