"""Every hook of the plugin. The entry point ``example_hello = "timebank_example_hello.plugin"`` names this module,
so the plugin is called ``example_hello`` and its pages live under ``/c/<community>/p/example-hello/``."""

from flask import Blueprint, g, render_template

from timebank import hookimpl
from timebank.i18n import _l
from timebank.plugins import PluginInfo
from timebank.ui import NavItem

PLUGIN = PluginInfo(title=_l("Hello"), description=_l("Says hello to the community."), default_enabled=False)

# Named after the plugin and without a url_prefix: the core mounts it at /c/<community>/p/example-hello and
# answers 404 there for communities that have not switched the plugin on.
bp = Blueprint("example_hello", __name__, template_folder="templates")


@bp.get("/")
def index(community=None):
    return render_template("example_hello/index.html", community=g.community)


@hookimpl
def timebank_blueprints():
    return [bp]


@hookimpl
def timebank_nav_items(user, community):
    return [NavItem(label=_l("Hello"), endpoint="example_hello.index", icon="heart", order=60)]
