"""What should I change: one step of each knob, priced against the design, and applied from the dashboard."""

from __future__ import annotations

import numpy as np
import pytest

from snnexplorer.design import load_design
from snnexplorer.explore.knobs import apply_changes, knob_effects, one_steps
from snnexplorer.pipeline import evaluate


def test_every_knob_steps_once_each_way_within_the_designs_bounds():
    design = load_design("mnist-ldsnn")
    steps = one_steps(design)
    knobs = {step.knob for step in steps}
    assert {"timesteps, layer 1", "timesteps, layer 2", "timesteps, output layer", "batch", "loop order"} <= knobs
    assert "time window" not in knobs  # layer-major runs every step per window
    assert {"L1 capacity", "L2 capacity", "width", "depth", "weight bits", "membrane bits"} <= knobs
    assert "DRAM capacity" not in knobs  # the outermost level holds everything
    for step in steps:
        variant = apply_changes(design, step.changes)
        assert variant != design, step
        assert variant.n_layers == design.n_layers + (step.knob == "depth")
    batch = [s for s in steps if s.knob == "batch"]
    assert [apply_changes(design, s.changes).mapping.batch for s in batch] == [2]  # batch 1 has no half step
    windows = [s for s in one_steps(load_design("mnist-baseline")) if s.knob == "time window"]
    assert [s.changes for s in windows] == [{"mapping": {"time_window": 2}}]  # window 1 has no half step


def test_effects_are_the_reports_of_the_stepped_designs():
    design = load_design("mnist-baseline")
    table = knob_effects(design, "synthetic:0.1")
    assert list(table["energy_pct"].abs()) == sorted(table["energy_pct"].abs(), reverse=True)
    row = table[table["knob"] == "batch"].iloc[0]
    base, stepped = evaluate(design, "synthetic:0.1"), evaluate(design.copy(mapping={"batch": 2}), "synthetic:0.1")
    assert row["energy_pct"] == pytest.approx(100 * (stepped.energy_j / base.energy_j - 1))
    assert np.isnan(row["accuracy_points"])  # synthetic activity has no accuracy
    width = table[(table["knob"] == "width") & table["step"].str.startswith("× 2")].iloc[0]
    assert width["retrains"] and width["energy_pct"] > 50


def test_the_dashboard_lists_the_steps_and_a_click_applies_one():
    from snnexplorer.ui import Explorer

    explorer = Explorer(design=load_design("mnist-baseline"))
    model = explorer.model
    model.activity = "synthetic"
    table = model.compute_knob_effects()
    assert table is not None and len(table) >= 10
    chart = explorer._tornado().object[()]  # the chart's DynamicMap, drawn now
    assert len(chart.data) == min(len(table), 14)  # one bar per step shown
    row = int(np.flatnonzero(table["knob"] == "loop order")[0])
    model.apply_knob(row)
    assert model.design.mapping.loop_order == "layer-major" and model.knobs.effects is None
