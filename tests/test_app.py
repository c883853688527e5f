import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from snnexplorer.ui.app import FirstPage

ROOT = Path(__file__).resolve().parents[1]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.browser


def test_first_page_renders_without_a_browser():
    import panel as pn

    page = FirstPage()
    root = pn.panel(page).get_root()
    assert root is not None
    page.param.update(hidden="0")
    assert "network.hidden" in str(page.results().object)
    page.param.update(hidden="256, 128", hardware="neuromorphic")
    assert page.results() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_app():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "snnexplorer.cli", "serve", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/explorer"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the server did not answer in 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if chromium_path() is None:
        pytest.skip("Debian chromium is not installed")
    return {**browser_type_launch_args, "executable_path": chromium_path(),
            "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update"]}


def test_served_page_shows_the_design_form_and_a_live_plot(served_app, page, tmp_path):
    page.goto(served_app)
    page.wait_for_function("() => window.Bokeh && Object.keys(Bokeh.index).length > 0", timeout=60_000)
    assert page.title() == "SNN Explorer"
    page.get_by_text("Coming:").wait_for(timeout=30_000)
    # a live HoloViews bar chart reached the browser: find its data source
    bars = page.wait_for_function("""() => {
        const models = [...Bokeh.documents[0].all_models];
        return models.some(m => m.type === 'ColumnDataSource' && m.data && 'energy_j' in m.data);
    }""", timeout=30_000)
    assert bars
    shot = tmp_path / "explorer.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
