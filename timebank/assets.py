"""One stylesheet and one script per page: the core's ``app.css`` and ``app.js`` joined with the files of the plugins
that are on in the community (``timebank_page_assets``).

A page costs a request per file on a phone's first visit, and issue 9 allows six in all. Each page therefore links
``/assets/<digest>.css?with=<plugin>,<plugin>`` and the same for ``.js``: ``with`` names the optional plugins whose
files are joined after the core's, in load order, and ``digest`` is a hash of the joined content. The address changes
when a file or the community's plugins change, so browsers keep a bundle for a year. Any worker can answer any
address: the bundle is rebuilt from the files named in ``with`` (an old digest is answered with today's content, not
to be cached). Bundles are kept per process; in debug mode a changed file is picked up on the next page.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, g, request, url_for

from .errors import PluginStartupError
from .hooks import call_each, disabled_plugin_names, plugin_system
from .kept import remembered

MIMETYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"}
YEAR = 365 * 24 * 3600
#: Bundles kept per process. Pages ask for one per set of plugins communities have on; an address can name any set
#: of known plugins, and the sets beyond this are built for the request and not kept.
MAX_KEPT = 64

bp = Blueprint("assets", __name__)


@dataclass(frozen=True)
class Bundle:
    body: bytes
    digest: str
    stamp: tuple  # ((path, mtime_ns, size), ...) of the files it was built from


def collect_page_assets(system):
    """At start-up: ``system.page_assets = [(plugin, kind, Path, is_core)]`` in load order; a wrong declaration stops
    start-up. Tests that register a plugin call it again."""
    found = []
    for plugin, assets in call_each("timebank_page_assets"):
        module_file = getattr(system.pm.get_plugin(plugin), "__file__", None)
        base = Path(module_file).resolve().parent if module_file else Path.cwd()
        for asset in assets:
            if asset.kind not in MIMETYPES:
                raise PluginStartupError(f"plugin {plugin}: page asset kind must be 'css' or 'js', not {asset.kind!r}")
            path = Path(asset.path)
            path = path if path.is_absolute() else base / path
            if not path.is_file():
                raise PluginStartupError(f"plugin {plugin}: page asset {path} does not exist")
            asset.plugin = plugin
            info = system.plugins.get(plugin)
            found.append((plugin, asset.kind, path.resolve(), bool(info and info.is_core)))
    system.page_assets = found
    system.bundles = {}
    system.bundle_urls = {}


def _stamp(paths):
    stamp = []
    for path in paths:
        info = path.stat()
        stamp.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(stamp)


def bundle(kind, plugins):
    """The joined ``kind`` files of the core and of ``plugins`` (optional plugin names, in load order)."""
    system = plugin_system()
    key = (kind, plugins)
    cached = system.bundles.get(key)
    if cached is not None and not current_app.debug:
        return cached
    wanted = set(plugins)
    files = [(plugin, path) for plugin, file_kind, path, core in system.page_assets
             if file_kind == kind and (core or plugin in wanted)]
    stamp = _stamp(path for _plugin, path in files)
    if cached is not None and cached.stamp == stamp:
        return cached
    separator = b"\n" if kind == "css" else b";\n"
    parts = [f"/* {plugin}: {path.name} */\n".encode() + path.read_bytes().rstrip() + b"\n" for plugin, path in files]
    body = separator.join(parts)
    built = Bundle(body, hashlib.sha256(body).hexdigest()[:16], stamp)
    if key in system.bundles or len(system.bundles) < MAX_KEPT:
        system.bundles[key] = built
    return built


def _optional_plugins(system, kind):
    """The optional plugins with ``kind`` files, in load order."""
    return list(dict.fromkeys(plugin for plugin, file_kind, _path, core in system.page_assets
                              if file_kind == kind and not core))


def _plugins_with_assets(kind, community):
    """The optional plugins whose files the page needs: those on in the community, and the one whose page it is (a
    plugin's page outside a community, such as a QR code's address, has no community to ask)."""
    system = plugin_system()
    disabled = disabled_plugin_names(community) - {system.blueprint_plugins.get(request.blueprint)}
    return tuple(plugin for plugin in _optional_plugins(system, kind) if plugin not in disabled)


def bundle_url(kind):
    """The address of the page's stylesheet (``"css"``) or script (``"js"``) in the current community."""
    cache = g.setdefault("_timebank_bundle_urls", {})
    if kind not in cache:
        plugins = _plugins_with_assets(kind, g.get("community"))
        built = bundle(kind, plugins)
        # Per process: the same few addresses on every page.
        cache[kind] = remembered(plugin_system().bundle_urls, (kind, plugins, built.digest, request.script_root),
                                 lambda: url_for("assets.serve", digest=built.digest, kind=kind,
                                                 **({"with": ",".join(plugins)} if plugins else {})), MAX_KEPT)
    return cache[kind]


@bp.get("/assets/<digest>.<any(css, js):kind>")
def serve(digest, kind):
    system = plugin_system()
    named = [name for name in request.args.get("with", "").split(",") if name]
    order = {plugin: rank for rank, plugin in enumerate(_optional_plugins(system, kind))}
    if any(name not in order for name in named) or len(set(named)) != len(named):
        abort(404)
    built = bundle(kind, tuple(sorted(named, key=order.get)))
    response = current_app.response_class(built.body, content_type=MIMETYPES[kind])
    response.set_etag(built.digest)
    if digest == built.digest:
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:  # an address from before a change: today's content, asked again next time
        response.cache_control.no_cache = True
    return response.make_conditional(request)
