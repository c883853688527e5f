"""Seconds from opening the served dashboard in headless Chromium until its headline numbers show.

Serves this checkout (``snnexplorer serve`` on a free port), opens the page ``--loads`` times in Debian's
Chromium through Playwright and prints each load and the median of all but the first (which also warms
the server's caches).

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
def served_browser():
    """(url, browser): this checkout served on a free port, and Debian's Chromium driven by Playwright."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "snnexplorer.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
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
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield url, browser
            browser.close()
    finally:
        server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=4)
    args = parser.parse_args()
    seconds = []
    with served_browser() as (url, browser):
        for _ in range(args.loads):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(url)
            page.get_by_text("Energy / inference").first.wait_for(timeout=120_000)
            seconds.append(time.perf_counter() - start)
            page.close()
    print("page to headline numbers (s):", ", ".join(f"{s:.1f}" for s in seconds))
    print(f"median of loads 2..{args.loads}: {statistics.median(seconds[1:] or seconds):.1f} s")


if __name__ == "__main__":
    main()
