"""A community notice board: the throwaway plugin the plugin-system tests are built on (see ``plugin.py``)."""
