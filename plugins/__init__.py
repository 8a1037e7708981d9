"""Bundled plugins. Installed as the package ``timebank_plugins``; each sub-package with a ``plugin.py`` is
loaded by ``timebank.plugins.build_plugin_manager``. Never import this folder as a top-level ``plugins``."""
