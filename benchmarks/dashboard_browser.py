"""Seconds from a control change to changed numbers and to a settled page, in headless Chromium (median of 10).

Edits: the hardware preset, alternating edge-soc / gpu (cost only), and the first layer's timesteps, a count not
simulated before each time (24, 23, …: simulate 2,000 test digits + cost). "numbers" is when the headline energy
shows the new value (its text polled in the page every 20 ms); "settled" when the current-design star of both
trade-off scatters has moved as well and the "Evaluating the latest edit" spinner has gone (the server has redrawn
the session's plots; the knob chart follows in the background). Serves this checkout like ``page_load.py``.
Until 2026-11-30 the headline was polled by a Playwright round trip per look (adding 0.05-0.1 s), and the timestep
edit alternated 20 / 25, which after the warm-up read both simulations from the activity cache.

    python benchmarks/dashboard_browser.py [--edits 10]
"""

from __future__ import annotations

import argparse
import statistics
import time

from page_load import served_browser

STAR_X = """() => {
    const views = [];
    const walk = (view) => { views.push(view); for (const child of (view.child_views || [])) walk(child); };
    Object.values(Bokeh.index).forEach(walk);
    return views.map(v => v.model)
        .filter(m => m.type === 'GlyphRenderer' && m.data_source.data.design && Array.from(m.data_source.data.design).includes('current'))
        .map(r => { const d = r.data_source.data; return d.x_value[Array.from(d.design).indexOf('current')]; });
}"""
"""The x of the current-design star of each trade-off scatter on the page (rendered views only)."""
ALL_MOVED = "(old) => { const now = (" + STAR_X + ")(); return now.length === old.length && now.every((x, i) => x !== old[i]); }"
HARDWARE = "(v) => { const s = [...Bokeh.documents[0].all_models].find(m => m.type.endsWith('Select') && m.title === 'Hardware preset'); s.value = v; }"
TIMESTEPS = """(v) => {
    const models = [];
    const walk = (view) => { models.push(view.model); for (const child of (view.child_views || [])) walk(child); };
    Object.values(Bokeh.index).forEach(walk);
    const parent = (child) => models.find(m => Array.isArray(m.children) && m.children.includes(child));
    const title = models.find(m => m.type === 'Div' && typeof m.text === 'string' && m.text.startsWith('Timesteps, hidden layer 1'));
    const slider = parent(parent(title)).children.find(m => m.type === 'Slider');
    slider.value = v;
    slider.value_throttled = v;
}"""


def energy_text(page) -> str:
    """The headline energy as shown (Panel renders it in shadow DOM, which Playwright's locators pierce)."""
    return page.locator("text=Energy / inference").first.locator("xpath=..").inner_text()


def timed_edit(page, script: str, value) -> tuple[float, float]:
    shown = page.locator("text=Energy / inference").first.locator("xpath=..").element_handle()
    energy, star = shown.inner_text(), page.evaluate(STAR_X)
    start = time.perf_counter()
    page.evaluate(script, value)
    # polled in the page (every 20 ms), not by a round trip per look
    page.wait_for_function("([shown, old]) => shown.innerText !== old", arg=[shown, energy], timeout=120_000, polling=20)
    numbers = time.perf_counter() - start
    assert energy_text(page) != energy  # the same text a person reads has changed
    page.wait_for_function(ALL_MOVED, arg=star, timeout=120_000, polling=20)  # both scatters redrawn
    page.get_by_text("Evaluating the latest edit").first.wait_for(state="hidden", timeout=120_000)  # and done
    return numbers, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10, choices=range(1, 24), metavar="1..23")
    args = parser.parse_args()
    with served_browser() as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.get_by_text("Energy / inference").first.wait_for(timeout=120_000)
        page.wait_for_timeout(2000)
        edits = (
            ("hardware edit", HARDWARE, [("gpu", "edge-soc")[k % 2] for k in range(args.edits + 1)]),
            ("timestep edit", TIMESTEPS, [24 - k for k in range(args.edits + 1)]),  # a count not simulated before
        )
        for name, script, values in edits:
            timed_edit(page, script, values[0])  # warm: the first edit of a kind fills caches
            runs = [timed_edit(page, script, value) for value in values[1:]]
            numbers, settled = (statistics.median(r[k] for r in runs) for k in (0, 1))
            print(f"{name:14s} numbers {numbers:5.2f} s   settled {settled:5.2f} s   (median of {args.edits})")


if __name__ == "__main__":
    main()
