"""Server-side update time of the Explorer for the three kinds of edit (median of 10).

hardware edit (cost only), timestep edit (simulate + cost), width edit (new shape:
synthetic activity until trained). Each time covers what the server does for an
edit: the model update (evaluation) and rendering the panes that depend on the
report (five HoloViews plots and the numbers) to Bokeh models.

    python benchmarks/dashboard_updates.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import panel as pn

from snnexplorer.presets import hardware_preset_names
from snnexplorer.ui import Explorer


def render_panes(explorer: Explorer) -> None:
    """Render every pane that depends on the report or the history, as the server does after an edit."""
    model = explorer.model
    panes = [
        explorer._numbers(),
        *(view() for view in explorer.report_views),
        explorer._scatter("energy_j", model.history, model.sweep),
        explorer._scatter("latency_s", model.history, model.sweep),
    ]
    for pane in panes:
        pn.panel(pane).get_root()


def median_update(explorer: Explorer, edit: Callable, values: list) -> float:
    times = []
    for value in values:
        start = time.perf_counter()
        edit(explorer.model, value)
        render_panes(explorer)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def set_hardware(model, preset: str) -> None:
    model.draft.hardware.preset = preset


def set_first_steps(model, steps: int) -> None:
    model.set_per_layer("timesteps", "steps", 0, steps)


def set_width(model, width: int) -> None:
    model.set_widths("network", "hidden", str(width))


def main() -> None:
    explorer = Explorer()
    presets = hardware_preset_names()
    hardware = [presets[i % len(presets)] for i in range(1, 11)]
    print(f"accuracy shown: {explorer.model.report.accuracy} (zoo weights of {explorer.model.preset})")
    print(f"hardware edit  median {1e3 * median_update(explorer, set_hardware, hardware):7.1f} ms (cost only)")
    steps = median_update(explorer, set_first_steps, list(range(5, 25, 2)))
    print(f"timestep edit  median {1e3 * steps:7.1f} ms (simulate 2,000 test digits + cost)")
    widths = median_update(explorer, set_width, list(range(200, 300, 10)))
    print(f"width edit     median {1e3 * widths:7.1f} ms (no trained weights: synthetic activity)")


if __name__ == "__main__":
    main()
