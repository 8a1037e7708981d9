import pytest


@pytest.fixture
def app_config():
    """Load installed plugins (timebank's fixtures leave them out by default): this one is found through its
    ``timebank.plugins`` entry point, under the name ``example_hello``."""
    return {"LOAD_ENTRYPOINTS": True}
