from flask import Blueprint

#: Pages inside a community: mounted by the core at /c/<community>/p/honor-awards (404 when the plugin is off).
bp = Blueprint("honor_awards", __name__, template_folder="templates")

#: The stylesheet, outside any community (/p/honor-awards/static/...): the public notice board and honour wall are
#: read by visitors who are not logged in, and community pages would send their stylesheet request to the login.
assets_bp = Blueprint("honor_awards_assets", __name__, url_prefix="/p/honor-awards", static_folder="static",
                      static_url_path="/static")
