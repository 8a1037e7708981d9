from flask import Blueprint

#: Pages inside a community: mounted by the core at /c/<community>/p/honor-awards (404 when the plugin is off).
bp = Blueprint("honor_awards", __name__, template_folder="templates")
