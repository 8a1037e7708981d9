from flask import Blueprint

#: Mounted by the core at /c/<community>/p/mutual-aid (404 when the plugin is off in that community).
bp = Blueprint("mutual_aid", __name__, template_folder="templates")
