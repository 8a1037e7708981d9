"""The example plugin's tests need the plugin *installed* (its entry point is how timebank finds it). Inside the
timebank repository's own test run it is not installed, so they are not collected there; timebank's
tests/test_plugins.py checks the package through a simulated installation instead."""

import importlib.metadata

try:
    importlib.metadata.distribution("timebank-example-hello")
except importlib.metadata.PackageNotFoundError:
    collect_ignore = ["tests"]
