"""Core templates. Installed as the package ``timebank_templates`` (package data), found by ``create_app``."""
