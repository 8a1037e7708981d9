"""Finding the browser for the end-to-end tests: Debian's Chromium, never one downloaded by Playwright."""

import os
import re

import pytest

from timebank.testing import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (the e2e tests import them from here)


def require_chromium(path=CHROMIUM, environ=os.environ):
    """Return ``path`` when Chromium is there. Otherwise skip the test, or fail it when the environment sets
    ``TIMEBANK_REQUIRE_BROWSER=1`` (CI must never pass by skipping every browser test)."""
    if os.access(path, os.X_OK):
        return path
    message = f"{path} is missing: install Debian's chromium (make browser) to run the browser tests"
    if environ.get("TIMEBANK_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (TIMEBANK_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(message)


def either(*texts):
    """A pattern matching any of ``texts`` exactly (a label before and after a language switch)."""
    return re.compile("^(" + "|".join(re.escape(str(text)) for text in texts) + ")$")
