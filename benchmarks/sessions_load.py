"""Edit → numbers latency of one served dashboard under many sessions, and its memory once they have closed.

Serves this checkout (``snnexplorer serve`` on a free loopback port) and opens one warm-up session (the server's
first loads the zoo and the kernels). Then, for each number N of ``--clients``, N sessions that do not render
(Bokeh's Python client holding a copy of the page's document: the figures are the server's), and for each number
of ``--browsers``, N pages in headless Chromium (one browser each, on the same cores as the server, so the figures
include the browsers' rendering), each make an edit every ``--every`` seconds for ``--seconds``: in turn the
hardware preset, a layer's timesteps, the hidden widths and a design upload, set on the controls' Bokeh models as a
click or a typed value sets them, and wait for the headline energy to change. The edits start once every page is
open and the server idle (its pages' first numbers and knob charts drawn), spread evenly over the period. Printed per
run: how long the pages took to open, edits made and answered, the server's CPU time per edit, p50 / p95 / worst edit
→ numbers (all, then per control), and the server's memory (RSS) before, at its peak and ``--settle`` seconds after
the sessions closed; then the errors in the server's log.

    python benchmarks/sessions_load.py [--clients 8] [--browsers 4] [--seconds 120] [--every 2] [--repeat 1]
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
from collections.abc import Callable
from functools import partial
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


def cpu_s(process: subprocess.Popen) -> float:
    """CPU time (user and system, s) the process has used so far."""
    times = psutil.Process(process.pid).cpu_times()
    return times.user + times.system


def until_idle(process: subprocess.Popen, quiet: float = 0.05, timeout: float = 300.0) -> float:
    """Wait until the process uses under ``quiet`` of a core over 2 s; the seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        used = cpu_s(process)
        time.sleep(2.0)
        if cpu_s(process) - used < 2.0 * quiet:
            break
    return time.perf_counter() - start


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
        self.by_control: dict[str, list[float]] = {}  # the same latencies by the control edited
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
            self.by_control.setdefault(control, []).append(self.latencies[-1])
        else:
            self.unanswered += 1
            print(f"{self.name}: edit {number} ({control} {values.get('value', '')!s:.20}) unanswered", flush=True)

    def run(self, seconds: float, every: float, start: Callable[[], float]) -> None:
        """Open the page, then edit from ``start()`` (a perf_counter time; it may wait for the other pages)."""
        try:
            self.open()
            start_at = start()
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


class ClientPage(Page):
    """A session that does not render: Bokeh's Python client holds a copy of the page's document, sets the same
    control properties and reads the headline as the server's patches arrive. Its figures are the server's alone."""

    MATCH = {
        "hardware": lambda m: type(m).__name__.endswith("Select") and "loihi" in map(str, m.options),
        "timesteps": lambda m: type(m).__name__ == "Spinner" and not m.title and (m.high or 0) >= max(TIMESTEPS),
        "widths": lambda m: type(m).__name__ == "TextInput" and str(m.title).startswith("Hidden widths"),
        "upload": lambda m: type(m).__name__ == "FileInput" and "yaml" in str(m.accept),
    }
    """The controls the sessions edit (as :data:`CONTROLS_JS` finds them in BokehJS)."""

    def open(self) -> None:
        import panel.models  # noqa: F401  (the document holds Panel's own Bokeh models: their classes must be known)
        from bokeh.client import pull_session
        from bokeh.document.events import MessageSentEvent
        from bokeh.events import DocumentReady

        sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
        self.session = pull_session(url=self.url)
        # what a browser sends once it has shown the page: the app then draws its controls and plots (pn.state.onload)
        ready = MessageSentEvent(self.session.document, "bokeh_event", DocumentReady())
        self.session._connection._send_patch_document(self.session.id, ready)
        if not self.until(lambda: self.energy() and all(self._control(name) for name in self.MATCH), 120):
            raise RuntimeError("the page's controls and numbers did not arrive in 120 s")

    def _control(self, name: str):
        """The first-made model that matches (Bokeh's ids count up: the first layer's timesteps, as a page shows)."""
        found = [m for m in self.session.document.models if self.MATCH[name](m)]
        return min(found, key=lambda m: (len(m.id), m.id)) if found else None

    def energy(self) -> str | None:
        """The headline energy's HTML; its model is looked for once, as a scan of every model after each message
        would make this process, not the server, the bottleneck."""

        def headline(model) -> bool:
            text = str(getattr(model, "text", None) or "")
            return "Energy / inference" in text and "J&lt;/div" in text  # the pane's HTML, escaped

        shown = getattr(self, "_headline", None)
        if shown is None or shown.document is None or not headline(shown):
            self._headline = shown = next((model for model in self.session.document.models if headline(model)), None)
        return None if shown is None else shown.text

    def until(self, predicate, timeout: float) -> bool:
        """Run the client's loop, applying the server's patches, until ``predicate()`` or ``timeout`` seconds. (Its
        round-trip helper would drop the patches that arrive while it waits for its reply: the loop runs in its
        connected state instead, looking at ``predicate`` after each message, and a server-info request every 0.5 s
        wakes it for the timeout. The client handles each message one call deeper: hence the recursion limit.)"""
        from tornado.ioloop import PeriodicCallback

        connection = self.session._connection
        deadline = time.perf_counter() + timeout

        def wake() -> None:
            connection._loop.add_callback(connection.send_message, connection._protocol.create("SERVER-INFO-REQ"))

        waker = PeriodicCallback(wake, 500)
        waker.start()
        try:
            connection._loop_until(lambda: bool(predicate()) or time.perf_counter() > deadline)
        finally:
            waker.stop()
        return bool(predicate())

    def set(self, control: str, values: dict) -> None:
        model = self._control(control)
        for name, value in values.items():  # as from the browser: some (value_throttled, an upload's) are read-only here
            model.set_from_json(name, value)

    def close(self) -> None:
        self.session.close()


def spread(latencies: list[float]) -> str:
    """p50, p95 and worst of some latencies (s), as printed."""
    if not latencies:
        return "none"
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, worst {ordered[-1]:.2f} s ({len(ordered)} edits)"


def load(url: str, server: subprocess.Popen, kind: type[Page], sessions: int, args) -> None:
    """``sessions`` pages of ``kind`` editing together; their latencies and the server's memory, printed."""
    before = rss_mb(server)
    pages = [kind(url, f"{kind.__name__}-{i}") for i in range(sessions)]
    opened = threading.Barrier(sessions + 1)
    started: list[float] = []  # when the first edit is due, once every page is open and the server idle

    def start(index: int) -> float:
        with contextlib.suppress(threading.BrokenBarrierError):
            opened.wait(timeout=300)
        with starting:
            starting.wait_for(lambda: started, timeout=300)
        return started[0] + index * args.every / sessions  # the pages' edits spread over the period

    starting = threading.Condition()
    threads = [
        threading.Thread(target=page.run, args=(args.seconds, args.every, partial(start, i))) for i, page in enumerate(pages)
    ]
    open_at = time.perf_counter()
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        opened.wait(timeout=300)
    opened_in = time.perf_counter() - open_at
    idle = until_idle(server)  # the pages' first evaluations and knob charts done
    cpu_before = cpu_s(server)
    with starting:
        started.append(time.perf_counter() + 1.0)
        starting.notify_all()
    peak = before
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, rss_mb(server))
        time.sleep(0.5)
    cpu = cpu_s(server) - cpu_before
    time.sleep(args.settle)
    after = rss_mb(server)
    latencies = sorted(s for page in pages for s in page.latencies)
    made = sum(len(page.latencies) + page.unanswered for page in pages)
    failed = [f"{page.name}: {page.error}" for page in pages if page.error]
    print(f"{sessions} {kind.__name__}s, an edit every {args.every:g} s for {args.seconds:g} s each:")
    print(f"  pages open in {opened_in:.1f} s, the server idle {idle:.1f} s later; then the edits")
    print(f"  edits made {made}, answered {len(latencies)}, session failures {failed or 'none'}")
    print(f"  server CPU while editing: {cpu:.0f} s, {1e3 * cpu / max(1, made):.0f} ms per edit")
    if latencies:
        print(f"  edit → numbers: {spread(latencies)}")
        for control in CONTROLS_JS:
            print(f"    {control}: {spread([s for page in pages for s in page.by_control.get(control, [])])}")
    print(
        f"  server memory: {before:.0f} MB before, {peak:.0f} MB peak, {after:.0f} MB {args.settle:g} s after the "
        f"sessions closed ({100 * (after - before) / before:+.1f} %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="*", default=[8], help="non-rendering sessions, one run per number")
    parser.add_argument("--browsers", type=int, nargs="*", default=[4], help="Chromium pages, one run per number")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--settle", type=float, default=60.0, help="seconds after the sessions close to read memory")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each number (a leak grows with every run)")
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp()) / "server.log"
    with log.open("w") as output, served(output) as (url, server):
        warm = ClientPage(url, "warm-up")  # the server's first session loads the zoo and the kernels
        warm.run(seconds=4 * args.every, every=args.every, start=time.perf_counter)
        if warm.error:
            raise SystemExit(f"the warm-up session failed: {warm.error}")
        time.sleep(args.settle)
        for kind, counts in ((ClientPage, args.clients), (BrowserPage, args.browsers)):
            for sessions in counts:
                for _ in range(args.repeat):
                    load(url, server, kind, sessions, args)
    errors = log.read_text().split("ERROR:")[1:]  # each logged error, with its traceback
    closed = sum("WebSocketClosedError" in error for error in errors)
    print(f"server errors: {len(errors)}, of which {closed} a write to a page that had just closed (tornado)")
    for error in [error for error in errors if "WebSocketClosedError" not in error][:3]:
        print("  server:", error[:2000])


if __name__ == "__main__":
    main()
