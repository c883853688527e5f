"""The mapping ranking (``snnexplorer map``): every mapping of the searched fields, priced, best first."""

import math

import pytest

from snnexplorer.cli import main
from snnexplorer.design import SEARCHED_MAPPING_FIELDS as SEARCHED
from snnexplorer.design import Design, Mapping, load_design
from snnexplorer.errors import DesignError
from snnexplorer.format import reference_points
from snnexplorer.mapping_search import mapping_space, rank_mappings, with_mapping
from snnexplorer.pipeline import architecture_of, cost_design, metrics_of, synthetic_for


def _conv_design() -> Design:
    design = load_design("mnist-conv")
    design.mapping.batch = 4
    return design


def test_the_space_is_every_combination_the_design_declares():
    space = mapping_space()
    assert len(space) == math.prod(len(Mapping.param[name].objects) for name in SEARCHED)
    assert len({tuple(sorted(m.items())) for m in space}) == len(space)


@pytest.mark.parametrize("objective, column", [("energy", "energy_j"), ("latency", "latency_s"), ("edp", "edp")])
def test_the_ranking_puts_the_cheapest_feasible_mapping_first_and_prices_the_designs_own_as_evaluate_does(objective, column):
    design = _conv_design()
    activity = synthetic_for(design, 0.1)
    table = rank_mappings(design, activity, architecture_of(design), objective)
    assert len(table) == len(mapping_space())
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
    assert "32 mappings ranked by energy per inference" in printed and "µJ" in printed
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
    assert f"mapping searched for energy, the best of {len(mapping_space())}" in line and "as set costs" in line
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
    assert table.set_index(list(SEARCHED)).loc[tuple(twin[n] for n in SEARCHED), "ann_energy_j"] == pytest.approx(
        report.ann.energy_j, rel=1e-12
    )
    assert report.search.twin_hand_set_energy_j == pytest.approx(table[table.hand_set].ann_energy_j.iloc[0], rel=1e-12)
    assert metrics_of(design, activity)["ann_energy_j"] == pytest.approx(report.ann.energy_j, rel=1e-12)
