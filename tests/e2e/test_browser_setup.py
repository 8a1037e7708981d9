"""Without Chromium the browser tests are skipped, with a reason; in CI (TIMEBANK_REQUIRE_BROWSER=1) they fail."""

import pytest
from browser_support import CHROMIUM, require_chromium


@pytest.mark.database_independent
def test_missing_chromium_skips_with_a_reason(tmp_path):
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        require_chromium(str(tmp_path / "no-chromium"), environ={})


@pytest.mark.database_independent
def test_missing_chromium_fails_when_the_browser_is_required(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="TIMEBANK_REQUIRE_BROWSER=1"):
        require_chromium(str(tmp_path / "no-chromium"), environ={"TIMEBANK_REQUIRE_BROWSER": "1"})


@pytest.mark.database_independent
def test_present_chromium_is_used(tmp_path):
    executable = tmp_path / "chromium"
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    assert require_chromium(str(executable), environ={"TIMEBANK_REQUIRE_BROWSER": "1"}) == str(executable)
    assert CHROMIUM == "/usr/bin/chromium"
