"""A minimal optional plugin for the browser tests: one page and one navigation tile, off by default.

Loaded through ``EXTRA_PLUGINS = ["sample_plugin"]`` (tests/e2e is put on ``sys.path`` by the conftest).
"""

from flask import Blueprint, render_template_string

from timebank import hookimpl
from timebank.plugins import PluginInfo
from timebank.ui import NavItem

PLUGIN = PluginInfo(title="Sample plugin", description="A test plugin with one page.", default_enabled=False)

bp = Blueprint("sample_plugin", __name__)

PAGE = """{% extends "base.html" %}
{% block title %}Sample page{% endblock %}
{% block content %}<h1>Sample page</h1><p>Served by the sample plugin.</p>{% endblock %}"""


@bp.get("/")
def index(community=None):
    return render_template_string(PAGE)


@hookimpl
def timebank_blueprints():
    return [bp]


@hookimpl
def timebank_nav_items(user, community):
    return [NavItem(label="Sample service", endpoint="sample_plugin.index", icon="heart", order=10)]
