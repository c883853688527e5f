"""Seconds from opening the served dashboard in headless Chromium until its headline numbers show.

Serves this checkout (``snnexplorer serve`` on a free port), opens the page ``--loads`` times in Debian's
Chromium through Playwright, one page after another (each closed once its knob chart, the last plot, is drawn),
and prints each load and the median of all but the first (which also warms the server's caches).

    python benchmarks/page_load.py [--loads 4]
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(log=subprocess.DEVNULL):
    """(url, server process): this checkout served on a free loopback port, its output to ``log`` (a file)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "snnexplorer.cli", "serve", "--address", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/explorer"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=30)
                break
            except OSError:
                time.sleep(0.5)
        yield url, server
    finally:
        server.terminate()
        server.wait(30)


@contextlib.contextmanager
def served_browser():
    """(url, browser): this checkout served on a free port, and Debian's Chromium driven by Playwright."""
    with served() as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield url, browser
        browser.close()


KNOB_BARS = """() => (window.Bokeh ? Bokeh.documents : []).some(doc => Array.from(doc.all_models).some(model =>
    model.type === 'ColumnDataSource' && model.data && model.data.label && model.data.label.length))"""
"""Whether the knob chart has its bars (the last thing a page computes after it opens)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=4)
    args = parser.parse_args()
    numbers, complete = [], []
    with served_browser() as (url, browser):
        for _ in range(args.loads):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(url)
            page.get_by_text("µJ").first.wait_for(timeout=120_000)  # a headline number, not only its label
            numbers.append(time.perf_counter() - start)
            page.wait_for_function(KNOB_BARS, timeout=120_000, polling=100)
            complete.append(time.perf_counter() - start)
            page.close()
            time.sleep(1.0)  # the next page opens on an idle server
    print("page to headline numbers (s):", ", ".join(f"{s:.2f}" for s in numbers))
    print("page to knob chart, the last plot (s):", ", ".join(f"{s:.2f}" for s in complete))
    print(
        f"median of loads 2..{args.loads}: numbers {statistics.median(numbers[1:] or numbers):.2f} s, "
        f"knob chart {statistics.median(complete[1:] or complete):.2f} s (load 1 is the server's first page)"
    )


if __name__ == "__main__":
    main()
