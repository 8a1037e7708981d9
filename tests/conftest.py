"""Core test configuration. The fixtures themselves live in ``timebank.testing`` (a pytest plugin that plugin
packages get too): app, client, runner, auth, make, register_plugin.

Here too: one cache of compiled templates for every app of the test process (see ``SharedTemplateCache``)."""

import threading
from http.server import ThreadingHTTPServer

import pytest
from flask import Flask
from jinja2 import BytecodeCache


class SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by all the apps of a test process. Every test builds its own app, and each app's
    Jinja environment would compile each template it renders again: a good part of the time of the tests that
    walk pages. Jinja's own bytecode cache mechanism: an entry is used only for the same template file with the
    same source (Jinja checks a checksum of the source) and, here, the same compile-time settings of the
    environment; templates are still loaded, rendered and looked up per app."""

    def __init__(self):
        self.store = {}

    @staticmethod
    def _settings(environment):
        """What the compiled code depends on besides the source: the environment's compile-time options."""
        autoescape = environment.autoescape
        policies = tuple(sorted((key, value) for key, value in environment.policies.items()
                                if isinstance(value, (str, int, bool, type(None)))))
        return (getattr(autoescape, "__qualname__", autoescape), tuple(sorted(environment.extensions)),
                getattr(environment, "newstyle_gettext", None), environment.optimized, environment.is_async,
                environment.block_start_string, environment.block_end_string, environment.variable_start_string,
                environment.variable_end_string, environment.comment_start_string, environment.comment_end_string,
                environment.line_statement_prefix, environment.line_comment_prefix, environment.trim_blocks,
                environment.lstrip_blocks, environment.newline_sequence, environment.keep_trailing_newline,
                getattr(environment.finalize, "__qualname__", environment.finalize), policies)

    def load_bytecode(self, bucket):
        code = self.store.get((bucket.key, self._settings(bucket.environment)))
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja discards it when the source's checksum differs

    def dump_bytecode(self, bucket):
        self.store[(bucket.key, self._settings(bucket.environment))] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = SharedTemplateCache()


def _share_compiled_templates():
    original = Flask.create_jinja_environment
    if getattr(original, "timebank_shared_templates", False):
        return

    def create_jinja_environment(self):
        environment = original(self)
        if environment.bytecode_cache is None:
            environment.bytecode_cache = COMPILED_TEMPLATES
        return environment

    create_jinja_environment.timebank_shared_templates = True
    Flask.create_jinja_environment = create_jinja_environment


_share_compiled_templates()


def _document_the_api_when_asked():
    """Every test builds its own app, and each app writes the OpenAPI description of every API view when it starts
    (flask-smorest's ``Blueprint.register_views_in_doc``): some 40% of the time ``create_app`` takes, for a document
    few tests read. In the test process, each app records those calls and makes them, in the same order and with
    the same arguments, the first time its document is read (``APISpec.to_dict``: the /api/v1/openapi.json view,
    ``flask openapi``). The document is the same; an error in it shows in the tests that read it
    (tests/api/test_conventions.py, test_openapi_fuzz.py) instead of in every test."""
    from apispec import APISpec
    from flask_smorest import Blueprint

    register = Blueprint.register_views_in_doc
    if getattr(register, "timebank_deferred", False):
        return
    to_dict = APISpec.to_dict

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        spec.__dict__.setdefault("timebank_pending_views", []).append((self, api, app, name, parameters))

    def document(spec):
        pending = spec.__dict__.pop("timebank_pending_views", [])
        for blueprint, api, app, name, parameters in pending:
            register(blueprint, api, app, spec, name=name, parameters=parameters)
        return to_dict(spec)

    register_views_in_doc.timebank_deferred = True
    Blueprint.register_views_in_doc = register_views_in_doc
    APISpec.to_dict = document


_document_the_api_when_asked()


#: Tests that share set-up work inside a test process (node id prefix → group). Under ``--dist loadgroup`` (make
#: test) each group goes to one xdist worker, the other tests one at a time to whichever worker is free. (xdist's
#: own ``xdist_group`` mark is silently ignored with pytest 9.2: pytest-xdist issue #1386.)
SHARED_SETUP = {
    "tests/e2e/": "browser",  # one Chromium per process (the session fixture ``browser``)
    "tests/security/": "security",  # the world and the pages' forms, built once per process
    "tests/test_install.py": "install",  # one virtualenv (a module fixture)
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class SharedSetupScheduling(LoadGroupScheduling):
        """Groups run first (the largest first), then the other tests."""

        def _split_scope(self, nodeid):
            for prefix, group in SHARED_SETUP.items():
                if nodeid.startswith(prefix):
                    return group
            return super()._split_scope(nodeid)

    return SharedSetupScheduling(config, log)


def pytest_collection_modifyitems(items):
    """``database_independent`` tests run the same whatever the test database is (no database, or a SQLite one of
    their own): the PostgreSQL pass of ``make test`` leaves them out. One that uses the test database is an error."""
    for item in items:
        if item.get_closest_marker("database_independent") and {"app", "timebank_database"} & set(
                getattr(item, "fixturenames", ())):
            raise pytest.UsageError(f"{item.nodeid} is marked database_independent but uses the test database")


@pytest.fixture
def community(make):
    """The community "maple" with a coordinator, a volunteer, a resident and a community admin."""
    make.community("maple", "枫林社区")
    return {
        "slug": "maple",
        "admin": make.member("maple", "maple.admin", role="community_admin", display_name="李主任"),
        "coordinator": make.member("maple", "maple.coord", role="coordinator", display_name="王芳"),
        "volunteer": make.member("maple", "maple.vol", role="volunteer", display_name="陈志强"),
        "resident": make.member("maple", "maple.res", role="resident", display_name="刘洋"),
    }


@pytest.fixture
def other_community(make):
    """A second community, "oak", with its own coordinator and resident."""
    make.community("oak", "橡树社区")
    return {
        "slug": "oak",
        "coordinator": make.member("oak", "oak.coord", role="coordinator", display_name="周强"),
        "resident": make.member("oak", "oak.res", role="resident", display_name="吴敏"),
    }


@pytest.fixture
def serve_http():
    """``serve_http(handler_class)``: a threaded HTTP server on 127.0.0.1 for the test (the benchmarks' drivers
    are tested against one); returns its port."""
    servers = []

    def start(handler_class):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
