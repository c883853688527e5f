import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from functools import partial

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


@pytest.fixture
def http_server(tmp_path):
    """A local HTTP server for download tests: (folder it serves, its base URL)."""
    root = tmp_path / "mirror"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def trained_and_simulated(design, samples: int = 300) -> tuple:
    """(design, its trained weights, its first ``samples`` test digits, their simulated Activity)."""
    from snnexplorer import data
    from snnexplorer.inference import simulate_weights
    from snnexplorer.train.trainer import train

    test = data.load(design.dataset.name, "test").head(samples)
    weights = train(design)
    return design, weights, test, simulate_weights(design, weights, test.x, test.y)


def chromium_path() -> str | None:
    """Debian's chromium, which the browser tests drive (Playwright's own download is not reachable here)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if chromium_path() is None:
        pytest.skip("Debian chromium is not installed")
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(command: list[str], ready_url: str, cwd, what: str, timeout_s: float = 120):
    """Run ``command`` (a server), yield once ``ready_url`` answers, stop it after; fail the test when it does not
    answer in ``timeout_s`` (a fixture body: ``yield from serve(...)``)."""
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            urllib.request.urlopen(ready_url, timeout=30)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"{what} did not answer in {timeout_s:.0f} s")
    yield
    proc.terminate()
    proc.wait(timeout=20)
