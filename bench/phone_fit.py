"""``make phone-fit``: every page of the generated district's bench community, as a volunteer, a coordinator, an admin
and a visitor who is not logged in, in headless Chromium on a phone (360 px), in Chinese, in English and in elder
mode. A page fails when it is wider than the phone, when the text of a list row is squeezed narrower than 120 px by
the buttons beside it, when a badge or a tag cuts its text off, on a script error, a failed request of the page's own
files, a request to another host, a server error, more than issue 9's 6 requests or 60 KB compressed on a first visit,
or (with ``bench/node_modules`` installed) a violation of axe-core's WCAG 2.1 A/AA rules.

``make bench-pages`` measures what pages cost; this checks what a person sees. The district (10k postings by
default, ``--scale large`` for 1M) has long names, full lists and every plugin's data, which the unit tests' small
fixtures do not. Prints one line per problem and writes ``bench/out/phone-fit.json``; exits 1 on any problem.
"""

import argparse
import gzip
import json
import logging
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import sweep  # noqa: E402
from harness import OUT, SqliteData  # noqa: E402

MODES = {"zh": ("zh_CN", False), "en": ("en", False), "elder": ("zh_CN", True)}
NARROWEST_TEXT = 120
OTHER_PAGES = ("/", "/account", "/account/profile", "/account/password", "/account/erasure", "/account/api-tokens/",
               "/inbox", "/verify/", "/api/v1/docs")

#: What the page looks like: its width, the list rows' text columns that are too narrow, and the elements that
#: reach past the phone's right edge (to name the culprit; a tab's badge overlapping its tab is by design). Not
#: ``clientWidth``: on a phone the layout viewport widens with the page.
INSPECT = """([narrowest, right]) => {
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (!box.width || box.right <= right + 1 || element.closest(".tab")) continue;
    if (getComputedStyle(element).position === "fixed") continue;  // as wide as the widened viewport: a symptom
    let clipped = false;
    for (let parent = element.parentElement; parent && !clipped; parent = parent.parentElement) {
      clipped = ["auto", "scroll", "hidden"].includes(getComputedStyle(parent).overflowX);
    }
    if (!clipped) wide.push(`${element.tagName.toLowerCase()}.${element.classList.value} ${Math.round(box.right)}px`);
  }
  const narrow = [...document.querySelectorAll("main .list .grow")]
    .filter(element => element.checkVisibility())
    .map(element => [Math.round(element.getBoundingClientRect().width), element.textContent.trim().slice(0, 30)])
    .filter(([width]) => width < narrowest);
  const clipped = [...document.querySelectorAll(".badge, .tag")]
    .filter(element => element.checkVisibility() && element.scrollWidth > element.clientWidth + 1)
    .map(element => element.textContent.trim());
  return {width: document.documentElement.scrollWidth, wide: wide.slice(0, 5), narrow: narrow.slice(0, 3),
          clipped: clipped.slice(0, 3)};
}"""


def open_district(data, summary, mode):
    """The page sweep's district (a fresh work copy, the roles' session cookies) with the roles' language and elder
    mode set for ``mode``, a visitor without a cookie, and the page addresses."""
    from timebank.extensions import db
    from timebank.identity.models import User

    app, cookies, values = sweep.open_district(data, summary)
    locale, elder = MODES[mode]
    with app.app_context():
        for user in db.session.scalars(db.select(User).where(User.username.in_([summary[r] for r in sweep.ROLES]))):
            user.locale, user.elder_mode = locale, elder
        db.session.commit()
        db.session.remove()
    slug = summary["community"]
    paths = [sweep.address(rule, slug) for rule in sweep.community_pages(app)]
    paths += [sweep.address(rule, slug, key, values[key]) for rule, key in sweep.pages_with_ids(app)
              if values.get(key) is not None]
    paths += [*OTHER_PAGES, f"/verify/{summary['certificate']}", "/login", "/register", f"/c/{slug}/join"]
    cookies["visitor"] = ""  # not logged in: the login and registration pages, the public ones
    return app, cookies, paths


AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core's checks of WCAG 2.x A and AA (the rules Lighthouse's accessibility score is made of, and more).
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                                        "best-practice"]}});
  return result.violations.map(v => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.nodes[0].target.join(" ")}`);
}"""


#: Pages neither checked by axe-core nor weighed: the API's documentation is Swagger UI's page, for developers.
NOT_OURS = ("/api/v1/docs",)


#: Issue 9's budget of every page on a first visit (nothing cached): HTML, CSS and JavaScript compressed as nginx
#: sends them (gzip level 6), images apart; every request counted, images included.
PAGE_BUDGET = {"gzip_kb": 60, "requests": 6}
TEXT_TYPES = ("document", "stylesheet", "script")


class Weigher:
    """The requests one page view starts and the compressed size of its text; a static file is compressed once per
    address (the cache is off, so every view asks for all its files again).

    A request belongs to the view in which it started: one that the last page started and that finished after this
    page began (Swagger UI's API description, the last page's icon) is not this page's. The app icon Chromium asks
    for when it likes (before or after the load event) is counted whether or not it was asked for yet."""

    ICONS = "[...document.querySelectorAll('link[rel~=icon]')].map(link => link.href)"

    def __init__(self, page):
        self.page = page
        self.requests = []
        self._started = []
        self._gzip_bytes = {}
        page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.on("request", lambda request: self._started.append(request))

    def start(self):
        self._started = []

    def weigh(self):
        """``(requests, KB of compressed text)`` since ``start()``."""
        started = self._started  # (a list of its own: a late request of this page goes to it, never to the next)
        self.requests = list({request.url: request for request in started
                              if request.redirected_to is None and not request.url.startswith("data:")}.values())
        addresses = {request.url for request in self.requests}
        icons = [url for url in dict.fromkeys(self.page.evaluate(self.ICONS)) if url not in addresses]
        total = 0
        for request in self.requests:
            if request.resource_type not in TEXT_TYPES:
                continue
            if request.url not in self._gzip_bytes or request.resource_type == "document":
                response = request.response()
                body = response.body() if response is not None and response.status < 300 else b""
                self._gzip_bytes[request.url] = len(gzip.compress(body, 6))
            total += self._gzip_bytes[request.url]
        return len(self.requests) + len(icons), round(total / 1024, 1)


def check_pages(browser, server_url, cookie, paths, width, axe=None):
    """``([(path, status, [problem])], {path: (requests, KB compressed)})``: the pages with a problem and the weight
    of every page, seen with ``cookie`` on a phone."""
    context = browser.new_context(viewport={"width": width, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, bypass_csp=bool(axe))  # (axe-core is injected as a script)
    if cookie:
        name, _, value = cookie.partition("=")
        context.add_cookies([{"name": name, "value": value, "url": server_url}])
    page = context.new_page()
    seen = {"errors": [], "hosts": [], "failed": []}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)[:120]))
    page.on("request", lambda request: None if request.url.startswith((server_url, "data:", "blob:"))
            else seen["hosts"].append(request.url))
    page.on("response", lambda response: response.status >= 400 and response.request.resource_type != "document"
            and seen["failed"].append(f"{response.status} {response.url[len(server_url):]}"))
    weigher = Weigher(page)
    found, landed, weights = [], set(), {}
    try:
        for path in paths:
            for items in seen.values():
                items.clear()
            weigher.start()
            response = page.goto(server_url + path, wait_until="load")
            if page.url in landed:
                continue  # redirected to a page already checked (a visitor sent to the login page)
            landed.add(page.url)
            status = response.status if response else 0
            problems = [f"status {status}"] if status >= 500 else []
            html = response is not None and response.headers.get("content-type", "").startswith("text/html")
            ours = html and path not in NOT_OURS
            if ours:
                requests, gzip_kb = weights[path] = weigher.weigh()
                if requests > PAGE_BUDGET["requests"] or gzip_kb > PAGE_BUDGET["gzip_kb"]:
                    problems.append(f"{requests} requests, {gzip_kb} KB compressed (budget: {PAGE_BUDGET['requests']}, "
                                    f"{PAGE_BUDGET['gzip_kb']} KB): "
                                    + " ".join(r.url[len(server_url):] for r in weigher.requests))
            if html:  # (not the JSON and pictures some addresses answer)
                looks = page.evaluate(INSPECT, [NARROWEST_TEXT, width])
                if looks["width"] > width:
                    problems.append(f"{looks['width']} px wide: {', '.join(looks['wide']) or '?'}")
                if looks["narrow"]:
                    problems.append(f"squeezed text: {looks['narrow']}")
                if looks["clipped"]:
                    problems.append(f"number or tag cut off: {looks['clipped']}")
            if axe and ours:
                page.add_script_tag(content=axe)
                problems += [f"accessibility: {violation}" for violation in page.evaluate(AXE_RUN)]
            problems += [f"script error: {error}" for error in seen["errors"]]
            problems += [f"other host: {url}" for url in seen["hosts"]]
            problems += [f"failed: {failed}" for failed in seen["failed"]]
            if problems:
                found.append((path, status, problems))
    finally:
        context.close()
    return found, weights


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "large"), default="small")
    parser.add_argument("--modes", default="zh,en,elder", help="comma-separated: zh, en, elder")
    parser.add_argument("--width", type=int, default=360, help="the phone's width in CSS pixels")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM"), help="default: Debian's /usr/bin/chromium")
    parser.add_argument("--output", default=str(OUT / "phone-fit.json"))
    parser.add_argument("--only", default="", help="a regular expression: the pages whose address matches")
    parser.add_argument("--no-axe", action="store_true", help="leave out axe-core's accessibility checks")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from timebank.extensions import db
    from timebank.testing import CHROMIUM, CHROMIUM_ARGS, LiveServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    started = time.monotonic()
    data = SqliteData(args.scale)
    data.work = harness.DATA / f"{args.scale}-fit.sqlite3"  # never the copy a benchmark may be using
    summary = harness.ensure_generated(data, lambda message: print(message, flush=True))
    axe = None if args.no_axe or not AXE.exists() else AXE.read_text()
    if axe is None and not args.no_axe:
        print(f"{AXE} is missing (npm ci --prefix bench): no accessibility checks", flush=True)
    heaviest = [(0, ""), (0, "")]  # (KB compressed, page), (requests, page)
    report = {"scale": args.scale, "width": args.width, "pages": 0, "problems": [], "requests": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium or CHROMIUM, args=CHROMIUM_ARGS)
        for mode in args.modes.split(","):
            app, cookies, paths = open_district(data, summary, mode)
            paths = [path for path in paths if re.search(args.only, path)]
            with LiveServer(app) as server:
                for role, cookie in cookies.items():
                    found, weights = check_pages(browser, server.url, cookie, paths, args.width, axe)
                    for path, (requests, gzip_kb) in weights.items():
                        heaviest[0] = max(heaviest[0], (gzip_kb, f"{mode} {role} {path}"))
                        heaviest[1] = max(heaviest[1], (requests, f"{mode} {role} {path}"))
                        report["requests"][requests] = report["requests"].get(requests, 0) + 1
                    for path, status, problems in found:
                        print(f"{mode:<6}{role:<12}{status:>4} {path}: {'; '.join(problems)}", flush=True)
                        report["problems"].append(dict(mode=mode, role=role, path=path, status=status,
                                                       problems=problems))
                    report["pages"] += len(paths)
            with app.app_context():
                db.engine.dispose()
        browser.close()
    report["seconds"] = round(time.monotonic() - started, 1)
    report["heaviest_kb"], report["most_requests"] = heaviest
    print(f"Heaviest page: {heaviest[0][0]} KB compressed ({heaviest[0][1]}); most requests: {heaviest[1][0]} "
          f"({heaviest[1][1]}); budget {PAGE_BUDGET['gzip_kb']} KB, {PAGE_BUDGET['requests']} requests")
    report["requests"] = dict(sorted(report["requests"].items()))
    print("Requests on a first visit: " + ", ".join(f"{count} pages with {requests}"
                                                    for requests, count in report["requests"].items()))
    OUT.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"{report['pages']} pages seen ({args.modes}, {args.width} px), {len(report['problems'])} with a problem "
          f"({report['seconds']} s). Results: {args.output}")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
