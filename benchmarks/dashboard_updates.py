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

import panel as pn
from snnexplorer.ui.explorer import Explorer


def render_panes(explorer: Explorer) -> None:
    for view in (explorer._numbers, *explorer.report_views, explorer._pareto, explorer._pareto_latency):
        pn.panel(view()).get_root()


def median_update(explorer: Explorer, name: str, values: list) -> float:
    times = []
    for value in values:
        start = time.perf_counter()
        setattr(explorer.model, name, value)
        render_panes(explorer)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    explorer = Explorer()
    presets = explorer.model.param.hardware.objects
    hardware = [presets[i % len(presets)] for i in range(1, 11)]
    steps = [[t, 25] for t in range(5, 25, 2)]
    widths = [str(w) for w in range(200, 300, 10)]
    print(f"accuracy shown: {explorer.model.report.accuracy} (zoo weights of {explorer.model.preset})")
    print(f"hardware edit  median {1e3 * median_update(explorer, 'hardware', hardware):7.1f} ms (cost only)")
    print(
        f"timestep edit  median {1e3 * median_update(explorer, 'timesteps', steps):7.1f} ms (simulate 2,000 test digits + cost)"
    )
    print(
        f"width edit     median {1e3 * median_update(explorer, 'hidden', widths):7.1f} ms (no trained weights: synthetic activity)"
    )


if __name__ == "__main__":
    main()
