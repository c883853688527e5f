"""Edit → numbers latency of one served dashboard under many sessions, and its memory once they have closed.

Serves this checkout (``snnexplorer serve`` on a free loopback port) and opens one warm-up page (the server's
first page loads the zoo and the kernels). Then, for each number N of ``--sessions``, N pages in headless Chromium
(one browser each, on the same cores as the server, so the figures include the browsers' rendering) each make an
edit every ``--every`` seconds for ``--seconds``: in turn the hardware preset, a layer's timesteps, the hidden
widths and a design upload, set on the controls' BokehJS models as a click or a typed value sets them, and wait
for the headline energy to change. Printed per N: edits made and answered, p50 / p95 / worst edit → numbers, and
the server's memory (RSS) before, at its peak and ``--settle`` seconds after the pages closed; then the errors in
the server's log.

    python benchmarks/sessions_load.py [--sessions 4 8] [--seconds 120] [--every 2]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from page_load import CHROMIUM_ARGS, served  # noqa: E402

PRESETS = ["loihi", "gpu", "edge-soc", "desktop-cpu"]
TIMESTEPS = [20, 30, 15, 35]
WIDTHS = ["200", "300", "128", "64"]
UPLOAD = (ROOT / "presets" / "designs" / "mnist-baseline.yaml").read_text()
"""The uploaded design: mnist-baseline, its hardware changed per upload (so that the energy changes). No edit sets
its widths (256) or timesteps (25), nor the hardware it was uploaded with: every edit changes the energy."""


def rss_mb(process: subprocess.Popen) -> float:
    return psutil.Process(process.pid).memory_info().rss / 2**20


def edit_values(number: int, name: str) -> tuple[str, dict]:
    """The ``number``-th edit of page ``name``: which control (:data:`CONTROLS`) and its new property values."""
    kind, step = number % 4, number // 4
    if kind == 0:
        return "hardware", {"value": PRESETS[step % len(PRESETS)]}
    if kind == 1:
        steps = TIMESTEPS[step % len(TIMESTEPS)]
        return "timesteps", {"value": steps, "value_throttled": steps}  # typed into the input: both change
    if kind == 2:
        return "widths", {"value": WIDTHS[step % len(WIDTHS)]}
    text = UPLOAD.replace("preset: edge-soc", f"preset: {PRESETS[(step + 2) % len(PRESETS)]}")  # not the next edit's
    encoded = base64.b64encode(text.encode()).decode()
    return "upload", {"filename": f"upload-{name}-{number}.yaml", "mime_type": "application/x-yaml", "value": encoded}


class Page:
    """One page of the dashboard making an edit every ``every`` seconds; what a subclass adds: :meth:`open`,
    :meth:`energy` (the headline energy's text), :meth:`set` (a control's properties), :meth:`until`, :meth:`close`."""

    def __init__(self, url: str, name: str):
        self.url, self.name = url, name
        self.latencies: list[float] = []
        self.unanswered = 0
        self.error: str | None = None

    def edit(self, number: int) -> None:
        """The ``number``-th edit; its latency (s) until the headline energy changes (30 s at most)."""
        before = self.energy()
        control, values = edit_values(number, self.name)
        start = time.perf_counter()
        self.set(control, values)
        if self.until(lambda: self.energy() != before, 30):
            self.latencies.append(time.perf_counter() - start)
        else:
            self.unanswered += 1
            print(f"{self.name}: edit {number} ({control} {values.get('value', '')!s:.20}) unanswered", flush=True)

    def run(self, seconds: float, every: float, start_at: float) -> None:
        try:
            self.open()
            time.sleep(max(0.0, start_at - time.perf_counter()))
            number, end = 0, start_at + seconds
            while time.perf_counter() < end:
                time.sleep(max(0.0, start_at + number * every - time.perf_counter()))
                self.edit(number)
                number += 1
        except Exception as exc:  # a page's failure is reported, not fatal to the others
            self.error = repr(exc)
        finally:
            with contextlib.suppress(Exception):
                self.close()


CONTROLS_JS = {
    "hardware": "m => m.type.endsWith('Select') && String(m.options).includes('loihi')",
    "timesteps": f"m => m.type.endsWith('Spinner') && !m.title && m.high >= {max(TIMESTEPS)}",
    "widths": "m => m.type.endsWith('TextInput') && String(m.title).startsWith('Hidden widths')",
    "upload": "m => m.type.endsWith('FileInput') && String(m.accept).includes('yaml')",
}
"""The controls the pages edit, as BokehJS finds them (the timesteps: a layer's input beside its slider, untitled)."""
ENERGY_JS = """() => { for (const doc of Bokeh.documents) for (const m of doc.all_models)
    if (String(m.text || '').includes('Energy / inference') && String(m.text).includes('J&lt;/div'))
        return m.text;
    return null; }"""


class BrowserPage(Page):
    """A page rendered in headless Chromium (its own browser process); edits set the controls' models in BokehJS,
    as a user's click does."""

    def open(self) -> None:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        self.page = self.browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.goto(self.url)
        condition = " && ".join(f"[...Bokeh.documents[0].all_models].some({test})" for test in CONTROLS_JS.values())
        self.page.wait_for_function(
            f"() => window.Bokeh && Bokeh.documents.length && ({ENERGY_JS})() && {condition}", timeout=120_000
        )

    def energy(self) -> str | None:
        return self.page.evaluate(ENERGY_JS)

    def until(self, predicate, timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if predicate():
                return True
            self.page.wait_for_timeout(20)
        return False

    def set(self, control: str, values: dict) -> None:
        shown = "[...Bokeh.index.all_views()].map(view => view.model)"  # a rebuilt control's old model lingers
        self.page.evaluate(f"values => {shown}.find({CONTROLS_JS[control]}).setv(values)", values)

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()


def load(url: str, server: subprocess.Popen, kind: type[Page], sessions: int, args) -> None:
    """``sessions`` pages of ``kind`` editing together; their latencies and the server's memory, printed."""
    before = rss_mb(server)
    pages = [kind(url, f"{kind.__name__}-{i}") for i in range(sessions)]
    start_at = time.perf_counter() + 30.0  # every page is open before the first edit
    threads = [
        threading.Thread(target=page.run, args=(args.seconds, args.every, start_at + i * args.every / sessions))
        for i, page in enumerate(pages)
    ]
    peak = before
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, rss_mb(server))
        time.sleep(0.5)
    time.sleep(args.settle)
    after = rss_mb(server)
    latencies = sorted(s for page in pages for s in page.latencies)
    made = sum(len(page.latencies) + page.unanswered for page in pages)
    failed = [f"{page.name}: {page.error}" for page in pages if page.error]
    print(f"{sessions} {kind.__name__}s, an edit every {args.every:g} s for {args.seconds:g} s each:")
    print(f"  edits made {made}, answered {len(latencies)}, page failures {failed or 'none'}")
    if latencies:
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        print(f"  edit → numbers: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, worst {latencies[-1]:.2f} s")
    print(
        f"  server memory: {before:.0f} MB before, {peak:.0f} MB peak, {after:.0f} MB {args.settle:g} s after the "
        f"pages closed ({100 * (after - before) / before:+.1f} %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[4, 8], help="pages at once, one run per number")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--settle", type=float, default=60.0, help="seconds after the pages close to read memory")
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp()) / "server.log"
    with log.open("w") as output, served(output) as (url, server):
        warm = BrowserPage(url, "warm-up")  # the server's first page loads the zoo and the kernels
        warm.run(seconds=4 * args.every, every=args.every, start_at=time.perf_counter())
        if warm.error:
            raise SystemExit(f"the warm-up page failed: {warm.error}")
        time.sleep(args.settle)
        for sessions in args.sessions:
            load(url, server, BrowserPage, sessions, args)
        errors = log.read_text().split("ERROR:")[1:]  # each logged error, with its traceback
    closed = sum("WebSocketClosedError" in error for error in errors)
    print(f"server errors: {len(errors)}, of which {closed} a write to a page that had just closed (tornado)")
    for error in [error for error in errors if "WebSocketClosedError" not in error][:3]:
        print("  server:", error[:2000])


if __name__ == "__main__":
    main()
