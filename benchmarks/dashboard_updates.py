"""Server-side time of the Explorer for three kinds of edit on a rendered page (median of 10).

The page (sidebar, headline numbers, tabs with Overview shown) is rendered into a Bokeh document once; each time
covers what the server does for an edit in place: the evaluation, the numbers, the controls, and the two trade-off
scatters (new rows written into their figures, or a HoloViews redraw when an axis changes unit or scale). Hidden
tabs are not drawn. Each timed timestep edit sets a count not simulated before (no cached activity).

    python benchmarks/dashboard_updates.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import panel as pn
from bokeh.document import Document

from snnexplorer.presets import hardware_preset_names
from snnexplorer.ui import Explorer


def median_update(explorer: Explorer, edit: Callable, values: list) -> float:
    """Median seconds of ``edit(model, value)`` for ``values[1:]``, after ``values[0]`` warmed up."""
    edit(explorer.model, values[0])
    seconds = []
    for value in values[1:]:
        start = time.perf_counter()
        edit(explorer.model, value)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def set_hardware(model, preset: str) -> None:
    model.editor.draft.hardware.preset = preset


def set_first_steps(model, steps: int) -> None:
    model.editor.set_per_layer("timesteps", "steps", 0, steps)


def set_width(model, width: int) -> None:
    model.editor.set_widths("network", "hidden", str(width))


def main() -> None:
    explorer = Explorer()
    document = Document()
    document.add_root(pn.panel(explorer).get_root(document))
    print(f"accuracy shown: {explorer.model.report.accuracy} (zoo weights of {explorer.model.preset})")
    presets = hardware_preset_names()
    hardware = median_update(explorer, set_hardware, [presets[k % len(presets)] for k in range(1, 12)])
    print(f"hardware edit  median {1e3 * hardware:7.1f} ms (cost only)")
    steps = median_update(explorer, set_first_steps, list(range(24, 13, -1)))  # a new count each time
    print(f"timestep edit  median {1e3 * steps:7.1f} ms (simulate 2,000 test digits + cost)")
    widths = median_update(explorer, set_width, list(range(200, 310, 10)))
    print(f"width edit     median {1e3 * widths:7.1f} ms (no trained weights: synthetic activity)")


if __name__ == "__main__":
    main()
