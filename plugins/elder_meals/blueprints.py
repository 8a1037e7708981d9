from flask import Blueprint

#: Pages inside a community: mounted by the core at /c/<community>/p/elder-meals (404 when the plugin is off).
bp = Blueprint("elder_meals", __name__, template_folder="templates")
