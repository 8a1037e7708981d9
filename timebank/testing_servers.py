"""Servers for tests: the app over real HTTP (``LiveServer``), a quiet base for stub servers (``StubHandler``), and
the Chromium the browser tests drive. Part of the ``timebank.testing`` API (import them from there)."""

import threading
from http.server import BaseHTTPRequestHandler

#: Debian's Chromium (never one downloaded by Playwright) and the flags it runs with here: no sandbox in the
#: container, no GPU, nothing that phones home. Used by the browser tests and ``make phone-fit``.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class StubHandler(BaseHTTPRequestHandler):
    """A quiet ``http.server`` handler for stub servers (the benchmark drivers' tests, ``serve_http``): subclasses
    define ``do_GET``/``do_POST`` and reply with ``answer``."""

    def answer(self, status, headers=()):
        """Reply ``status`` with a two-byte body and ``headers`` (``(name, value)`` pairs)."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class LiveServer:
    """The app served by werkzeug on 127.0.0.1 and a free port, a thread per request; a context manager.

    ``stop()`` waits for the requests still being answered (a browser's last fetch, a racing thread) before it
    returns: a request thread outliving the test would hold a database connection past the ``app`` fixture's
    ``engine.dispose()``, and the garbage collector would close it later, inside whichever test runs then
    (psycopg's "connection was deleted while still open")."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self._server.daemon_threads = False  # so that socketserver keeps a list of the request threads to join
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll interval: shutdown() waits for the serving loop to notice (0.5 s per test by default).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="live-server", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout=10):
        self._server.shutdown()
        self._thread.join(timeout)
        threads = getattr(self._server, "_threads", None)  # a list once a request came; a stand-in before
        for thread in list(threads) if isinstance(threads, list) else ():
            thread.join(timeout)
        self._server.block_on_close = False  # joined above, with a time limit
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
