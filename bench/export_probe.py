"""One export of service records through the real view, in a process of its own so that its memory can be
measured: ``python bench/export_probe.py csv|xlsx COOKIE [STATUS]``. Prints one JSON line: rows, bytes, seconds,
resident memory before the request and at its peak (MB).

The request goes through the app's test client with the coordinator's session cookie; the response body is read
chunk by chunk and thrown away, as a browser saving the file would.
"""

import json
import resource
import sys
import time


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    fmt, cookie = sys.argv[1], sys.argv[2]
    status = sys.argv[3] if len(sys.argv) > 3 else "confirmed"
    from timebank import create_app

    app = create_app()
    slug = app.config.get("BENCH_COMMUNITY") or "xingfuli"
    client = app.test_client()
    name, _sep, value = cookie.partition("=")
    client.set_cookie(name, value, domain="localhost")
    client.get("/healthz")  # imports, connections and templates warmed before the measurement
    before = rss_mb()
    started = time.perf_counter()
    response = client.get(f"/c/{slug}/ledger/export?format={fmt}&status={status}", buffered=False,
                          headers={"User-Agent": "timebank-bench"})
    size = 0
    lines = 0
    for chunk in response.response:
        size += len(chunk)
        if fmt == "csv":
            lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    response.close()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(format=fmt, status_code=response.status_code, bytes=size,
                          rows=lines - 1 if fmt == "csv" else None, seconds=round(elapsed, 2),
                          rss_before_mb=round(before, 1), rss_peak_mb=round(peak, 1),
                          growth_mb=round(peak - before, 1))))


if __name__ == "__main__":
    main()
