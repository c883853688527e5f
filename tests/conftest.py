import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Trained models of the tests go to a fresh cache, never the user's."""
    os.environ["SNNEXPLORER_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield


@pytest.fixture
def small_design_dict():
    return {
        "name": "tiny-digits",
        "dataset": {"name": "digits", "encoding": "rate", "test_samples": 360},
        "network": {"hidden": [64]},
        "timesteps": 8,
        "training": {"epochs": 8, "timesteps": 8, "batch_size": 64, "lr": 0.003},
    }
