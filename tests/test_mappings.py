"""The mapping ranking (``snnexplorer map``): every mapping of the searched fields, priced, best first."""

import itertools
import json
import math
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from snnexplorer.cli import main
from snnexplorer.design import SEARCHED_MAPPING_FIELDS as SEARCHED
from snnexplorer.design import Design, Mapping, load_design
from snnexplorer.errors import DesignError
from snnexplorer.format import layer_choices_text, reference_points
from snnexplorer.hardware.cost import metrics_variants, tiled_mappings
from snnexplorer.mapping_search import (
    mapping_space,
    mapping_space_of,
    rank_mappings,
    search_choices,
    time_windows,
    with_mapping,
)
from snnexplorer.per_layer import LAYER_MAPPING_FIELDS
from snnexplorer.pipeline import architecture_of, cost_design, metrics_of, synthetic_for


def _conv_design() -> Design:
    design = load_design("mnist-conv")
    design.mapping.batch = 4
    return design


def test_the_space_is_every_combination_the_design_declares_with_a_window_per_number_of_windows():
    others = math.prod(len(search_choices(name)) for name in SEARCHED if name not in ("loop_order", "time_window"))
    assert time_windows(25) == [1, 2, 3, 4, 5, 7, 9, 13]  # 25, 13, 9, 7, 5, 4, 3, 2 windows; layer-major: 1
    assert [math.ceil(25 / w) for w in time_windows(25)] == [25, 13, 9, 7, 5, 4, 3, 2]
    space = mapping_space(steps=25)
    assert len(space) == (len(time_windows(25)) + 1) * others
    assert len({tuple(sorted(m.items())) for m in space}) == len(space)
    assert len(mapping_space()) == others  # one step is one window: timestep-major is layer-major


@pytest.mark.parametrize("objective, column", [("energy", "energy_j"), ("latency", "latency_s"), ("edp", "edp")])
def test_the_ranking_puts_the_cheapest_feasible_mapping_first_and_prices_the_designs_own_as_evaluate_does(objective, column):
    design = _conv_design()
    activity = synthetic_for(design, 0.1)
    table = rank_mappings(design, activity, architecture_of(design), objective)
    assert (table.layers.map(len) == 0).sum() == len(mapping_space_of(activity))  # and per-layer candidates
    feasible = table[table.feasible]
    assert table.iloc[0][column] == feasible[column].min()
    assert list(table.feasible) == sorted(table.feasible, reverse=True)
    own = table[table.hand_set]
    assert len(own) == 1
    assert own.iloc[0].energy_j == pytest.approx(cost_design(design, activity).energy_j, rel=1e-12)
    assert table.energy_j.max() > table.energy_j.min()  # the mapping matters for a conv design


def test_the_best_mapping_written_as_a_design_evaluates_to_its_row_without_search():
    design = _conv_design()
    activity = synthetic_for(design, 0.1)
    best = rank_mappings(design, activity, architecture_of(design)).iloc[0]
    plain = Design.from_yaml(with_mapping(design, best).to_yaml())
    assert plain.mapping.batch == design.mapping.batch
    assert cost_design(plain, activity).energy_j == pytest.approx(best.energy_j, rel=1e-12)


def test_an_unknown_objective_is_refused_by_name():
    with pytest.raises(DesignError, match="objective.*fastest.*energy, latency, edp"):
        design = _conv_design()
        rank_mappings(design, synthetic_for(design, 0.1), architecture_of(design), "fastest")


def test_map_prints_the_ranking_in_units_and_writes_the_best_mapping(capsys, tmp_path):
    out = tmp_path / "best.yaml"
    assert main(["map", "mnist-conv", "--activity", "synthetic:0.1", "--top", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    design = load_design("mnist-conv")
    ranked = len(rank_mappings(design, synthetic_for(design, 0.1), architecture_of(design)))
    assert f"{ranked} mappings ranked by energy per inference" in printed and "µJ" in printed
    assert printed.count("layer-major") + printed.count("timestep-major") == 4
    assert load_design(out).mapping.weight_reuse in Mapping.param["weight_reuse"].objects


def test_mapping_search_prices_the_best_mapping_names_it_and_the_written_out_design_reproduces_it():
    design = _conv_design()
    activity = synthetic_for(design, 0.1)
    as_set = cost_design(design, activity)
    design.mapping.search = "energy"
    report = cost_design(design, activity)
    best = rank_mappings(design, activity, architecture_of(design)).iloc[0]
    assert report.energy_j == pytest.approx(best.energy_j, rel=1e-12) and report.energy_j < as_set.energy_j
    assert report.search.hand_set_energy_j == pytest.approx(as_set.energy_j, rel=1e-12)
    assert dict(report.search.chosen)["weight_reuse"] == best.weight_reuse == report.mapping.weight_reuse
    line = reference_points(report)
    assert f"mapping searched for energy, the best of {report.search.mappings}" in line and "as set costs" in line
    plain = with_mapping(design, dict(report.search.chosen))
    assert plain.mapping.search == "none"
    assert cost_design(plain, activity).energy_j == pytest.approx(report.energy_j, rel=1e-12)
    assert metrics_of(design, activity)["energy_j"] == pytest.approx(report.energy_j, rel=1e-12)
    assert report.to_dict()["search"]["objective"] == "energy"


def test_with_search_on_the_ann_twin_gets_its_own_best_mapping():
    """A fair comparison: the twin is priced at the mapping that is best for it, not at the SNN's."""
    design = _conv_design()
    activity = synthetic_for(design, 0.1)
    design.mapping.search = "energy"
    report = cost_design(design, activity)
    table = rank_mappings(design, activity, architecture_of(design))
    assert report.ann.energy_j == pytest.approx(table.ann_energy_j.min(), rel=1e-12)
    assert report.ann.energy_j <= table.ann_energy_j.iloc[0]  # the twin under the SNN's best mapping
    twin = dict(report.search.twin_chosen)
    as_named = table[list(SEARCHED)].astype(str).assign(layers=[json.dumps(list(v)) for v in table.layers])
    chosen = as_named[(as_named == pd.Series(twin)[as_named.columns]).all(axis=1)]
    assert table.loc[chosen.index[0], "ann_energy_j"] == pytest.approx(report.ann.energy_j, rel=1e-12)
    assert report.search.twin_hand_set_energy_j == pytest.approx(table[table.hand_set].ann_energy_j.iloc[0], rel=1e-12)
    assert metrics_of(design, activity)["ann_energy_j"] == pytest.approx(report.ann.energy_j, rel=1e-12)


def _small_design(hidden, steps, batch, weight_bits, l1_kib, l2_kib) -> Design:
    return Design.from_dict(
        {
            "network": {"hidden": hidden},
            "timesteps": steps,
            "quantization": {"weight_bits": weight_bits, "membrane_bits": 16},
            "mapping": {"batch": batch},
            "hardware": {
                "preset": "edge-soc",
                "overrides": {"L1.capacity_bytes": l1_kib * 1024, "L2.capacity_bytes": l2_kib * 1024},
            },
        }
    )


def _brute_force(design: Design, activity, arch, choices: list[dict]) -> list:
    """Every mapping of ``choices`` priced together (one pass of their own, apart from the search's)."""
    stated = design.mapping.to_dict()
    mappings = [SimpleNamespace(**{**stated, **choice}) for choice in choices]
    return tiled_mappings(activity, arch, mappings, design.weight_bits, design.membrane_bits)


def _every_loop(steps: int) -> list[dict]:
    """Timestep-major with every window 1…T (the search prices only the smallest per number of windows), and
    layer-major."""
    return [{"loop_order": "timestep-major", "time_window": w} for w in range(1, steps + 1)] + [
        {"loop_order": "layer-major", "time_window": 1}
    ]


def _assert_alone(design: Design, activity, arch, row) -> None:
    """``row`` of the ranking, written out as a design and priced alone by the evaluation path, costs what it says."""
    alone = metrics_variants(activity, arch, with_mapping(design, row).mapping, design.weight_bits, design.membrane_bits)
    assert row.energy_j == pytest.approx(float(alone.energy_j.iloc[0]), rel=1e-9)
    assert row.ann_energy_j == pytest.approx(float(alone.ann_energy_j.iloc[0]), rel=1e-9)
    assert row.feasible == bool(alone.feasible.iloc[0])


@settings(max_examples=6, deadline=None, derandomize=True)
@example(hidden=[500, 500], steps=6, batch=8, weight_bits=8, l1_kib=256, l2_kib=1024, rate=0.3)  # a window wins
@given(
    hidden=st.lists(st.integers(16, 600), min_size=1, max_size=2),
    steps=st.integers(2, 7),
    batch=st.sampled_from([1, 3, 8, 20]),
    weight_bits=st.sampled_from([4, 8, 32]),
    l1_kib=st.floats(4, 512),
    l2_kib=st.floats(256, 4096),
    rate=st.floats(0.02, 0.4),
)
def test_the_search_costs_no_more_than_any_mapping_brute_force_prices(hidden, steps, batch, weight_bits, l1_kib, l2_kib, rate):
    """The property the search must keep: over small designs and hardware variants, its best mapping is feasible
    whenever any mapping is, and no whole-network mapping of the space, every time window 1…T included, costs less;
    each ranked whole-network row costs what the brute force's own pass prices for it, and the best and the design's
    own, written out and priced alone by the evaluation path, cost what the ranking says."""
    design = _small_design(hidden, steps, batch, weight_bits, l1_kib, l2_kib)
    activity, arch = synthetic_for(design, rate), architecture_of(design)
    table = rank_mappings(design, activity, arch)
    best = table.iloc[0]
    others = mapping_space(tuple(n for n in SEARCHED if n not in ("loop_order", "time_window")))
    choices = [{**loop, **other, "layers": []} for loop in _every_loop(steps) for other in others]
    runs = _brute_force(design, activity, arch, choices)
    priced = {json.dumps(c, sort_keys=True): run for c, run in zip(choices, runs)}
    for _, row in table[table.layers.map(len) == 0].iterrows():
        run = priced[json.dumps({n: row[n] for n in (*SEARCHED, "layers")}, sort_keys=True, default=int)]
        assert row.energy_j == pytest.approx(float(run.energy_j[0]), rel=1e-9) and row.feasible == bool(run.feasible[0])
    feasible = [float(run.energy_j[0]) for run in runs if bool(run.feasible[0])]
    if feasible:
        assert best.feasible and best.energy_j <= min(feasible) * (1 + 1e-9)
    for row in (best, table[table.hand_set].iloc[0]):
        _assert_alone(design, activity, arch, row)


@pytest.mark.parametrize("hidden, batch, rate", [([300], 2, 0.1), ([64], 3, 0.3)])
def test_per_layer_the_search_costs_no_more_than_every_choice_of_every_layer(hidden, batch, rate):
    """Two layers, each with every choice of its own fields (2 × 2 × 2 × 7 = 56 each, 3,136 pairs), under every loop
    order, window and spike format: the search's best (which prices only the per-layer candidates) costs no more."""
    design = _small_design(hidden, 3, batch, 8, 64, 512)
    activity, arch = synthetic_for(design, rate), architecture_of(design)
    best = rank_mappings(design, activity, arch).iloc[0]
    own = [dict(zip(LAYER_MAPPING_FIELDS, values)) for values in itertools.product(*map(search_choices, LAYER_MAPPING_FIELDS))]
    choices = [
        {**loop, "spike_format": spikes, **own[0], "layers": [first, second]}
        for loop in _every_loop(3)
        for spikes in Mapping.param.spike_format.objects
        for first in own
        for second in own
    ]
    runs = _brute_force(design, activity, arch, choices)
    feasible = [float(run.energy_j[0]) for run in runs if bool(run.feasible[0])]
    assert best.feasible and best.energy_j <= min(feasible) * (1 + 1e-9)
    _assert_alone(design, activity, arch, best)


def test_a_time_window_between_the_loop_orders_can_be_the_best_mapping():
    """500-500 int8 on edge-soc with a 256 KiB L1, batch 8, 6 steps, weights untiled: each layer's weights fit L1 with
    a 3-step window's buffers but not with the whole train's (layer-major) nor beside the other layer
    (timestep-major), so windows of 3 steps (2 per batch) beat both ends of the loop order. (Split into weight
    tiles, a block fits with the whole train too: the best mapping overall is tiled.)"""
    design = Design.from_dict(
        {
            "network": {"hidden": [500, 500]},
            "timesteps": 6,
            "quantization": {"weight_bits": 8, "membrane_bits": 16},
            "mapping": {"batch": 8},
            "hardware": {"preset": "edge-soc", "overrides": {"L1.capacity_bytes": 256 * 1024}},
        }
    )
    table = rank_mappings(design, synthetic_for(design, 0.3), architecture_of(design))
    untiled = table[(table.weight_tiles == 1) & (table.layers.map(len) == 0)]
    best = untiled.iloc[0]
    assert (best.loop_order, best.time_window) == ("timestep-major", 3)
    ends = untiled[untiled.feasible & ((untiled.time_window == 1) | (untiled.loop_order == "layer-major"))]
    assert ends.energy_j.min() > 1.05 * best.energy_j
    assert table.iloc[0].weight_tiles > 1 and table.iloc[0].energy_j < best.energy_j


def test_the_mapping_card_names_the_searched_mapping_and_what_it_saves():
    import time

    from snnexplorer.format import si
    from snnexplorer.ui import Explorer

    design = _conv_design()
    design.mapping.search = "energy"
    design.dataset.test_samples = 100  # the card, not the numbers, is under test
    explorer = Explorer(design=design)
    report = explorer.model.report
    note = explorer._search_note.object
    assert f"Best of {report.search.mappings} mappings by energy:" in note and "weights held stationary" in note
    assert si(report.search.hand_set_energy_j, "J") in note and "% less energy" in note
    explorer.model.editor.draft.mapping.search = "none"
    deadline = time.monotonic() + 60
    while explorer._search_note.object and time.monotonic() < deadline:
        time.sleep(0.05)
    assert explorer._search_note.object == ""


def test_a_study_with_search_records_each_points_mapping_and_its_page_colours_by_it(tmp_path):
    from snnexplorer.explore import Study, run_study
    from snnexplorer.format import mapping_label
    from snnexplorer.ui import Explorer
    from snnexplorer.ui.study_view import StudyPage

    study = Study.from_dict(
        {
            "name": "m",
            "base": "mnist-conv",
            "activity": "synthetic:0.1",
            "axes": {"mapping.batch": [1, 16], "mapping.search": ["none", "energy"], "hardware.preset": ["edge-soc", "gpu"]},
        }
    )
    out = tmp_path / "m.csv"
    rows = run_study(study, out)
    design = load_design("mnist-conv")
    as_set = rows[rows["axis:mapping.search"] == '"none"']
    assert set(as_set["mapping"]) == {mapping_label(design.mapping.to_dict())}
    searched_rows = rows[rows["axis:mapping.search"] == '"energy"']
    assert len(set(searched_rows["mapping"])) >= 2  # edge-soc and gpu are best at different loop orders
    page = StudyPage(Explorer().model)
    page.model.load_csv(out.read_text())
    legend = page._views[0].object
    assert all(name in legend for name in set(rows["mapping"])) and "Colour: the mapping" in legend


def test_layers_choose_apart_where_it_pays_and_the_written_out_design_reproduces_it():
    """mnist-conv's ANN twin on gpu: holding a weight stationary saves its conv layers' weight reads but makes them read
    their 32-bit activations per operation, which pays in some layers and not in others, so the twin's best
    mapping chooses per layer and beats every whole-network mapping; the SNN (1-bit spikes per operation) does not
    gain from that. The search prices the twin at that mapping, and the mapping written out reproduces it."""
    design = load_design("mnist-conv").copy(hardware={"preset": "gpu", "overrides": {}})
    activity = synthetic_for(design, 0.1)
    table = rank_mappings(design, activity, architecture_of(design))
    whole = table[table.layers.map(len) == 0]
    twin = table.loc[table.ann_energy_j.idxmin()]
    assert len(twin.layers) == design.n_layers and len({layer["weight_reuse"] for layer in twin.layers}) == 2
    assert twin.ann_energy_j < whole.ann_energy_j.min()
    searched = cost_design(design.copy(mapping={**design.mapping.to_dict(), "search": "energy"}), activity)
    assert searched.ann.energy_j == pytest.approx(twin.ann_energy_j, rel=1e-12)
    assert "layers" in dict(searched.search.twin_chosen)
    plain = Design.from_yaml(with_mapping(design, twin).to_yaml())
    assert plain.mapping.layers == twin.layers
    assert cost_design(plain, activity).ann.energy_j == pytest.approx(twin.ann_energy_j, rel=1e-12)
    assert "weight-stationary" in layer_choices_text(twin) or "weights per op" in layer_choices_text(twin)
