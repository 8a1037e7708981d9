"""The morning rush at the gates, as the volunteers' phones see it: an open-loop load driver for ``make bench``.

wrk keeps 16 connections busy: it measures the most the server can do, and its latency is mostly the wait in
that self-made queue. At 7:00 the volunteers come when they come, whatever the server is doing. This driver gives
each volunteer of a list an arrival time in a window (uniformly at random with a fixed seed, which is how the
arrivals of a Poisson process fall once their number is known) and plays what the phone does on arrival: open
the address in the poster's QR code (the confirmation page, GET), a tap about a second later (the check-in,
POST), each volunteer on a connection of its own. It prints one JSON line with the latency of each step, the
errors and the arrivals that started late (when the driver itself could not keep up).

    python bench/rush.py --port 8000 --visitors rush.json --window 30

``rush.json``: ``[{"path": "/p/qr-checkin/scan/<token>", "cookie": "session=...", "body": "csrf_token=..."}]``.
"""

import time

from open_loop import USER_AGENT, OpenLoop, main, percentile, summary

__all__ = ["Rush", "percentile", "summary", "TAP_DELAY"]

#: Seconds between the confirmation page and the tap on its button (uniform in this range).
TAP_DELAY = (0.6, 1.6)


class Rush(OpenLoop):
    """The morning rush: each volunteer opens the poster's address, then taps to check in."""

    def __init__(self, host, port, volunteers, window, seed):
        super().__init__(host, port, volunteers, window, seed)
        self.taps = [self.chance.uniform(*TAP_DELAY) for _ in volunteers]
        self.timings = {"open": [], "check_in": []}

    def visit(self, index, connection):
        volunteer = self.visitors[index]
        for step, method in (("open", "GET"), ("check_in", "POST")):
            headers = {"Cookie": volunteer["cookie"], "User-Agent": USER_AGENT}
            body = None
            if method == "POST":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                body = volunteer["body"]
            started = time.perf_counter()
            connection.request(method, volunteer["path"], body, headers)
            response = connection.getresponse()
            response.read()
            self.record(step, time.perf_counter() - started, response.status)
            if response.status != 200:
                return
            if method == "GET":
                time.sleep(self.taps[index])

    def report(self, elapsed):
        return dict(volunteers=len(self.visitors), arrivals_per_s=round(len(self.visitors) / self.window, 1),
                    open=summary(self.timings["open"]), check_in=summary(self.timings["check_in"]))


if __name__ == "__main__":
    main(Rush, "RUSH_JSON", "JSON file: [{path, cookie, body}]", window=30.0, seed=7)
