"""Recurrent designs: row-by-row input, a recurrent dense layer trained through time, simulated event-driven in the
engine exactly as torch computes it, priced with its recurrent weights, and written to NIR and read back."""

from __future__ import annotations

import nir
import numpy as np
import pytest
import torch
from conftest import trained_and_simulated

from snnexplorer import data
from snnexplorer.design import load_design
from snnexplorer.errors import DesignError
from snnexplorer.hardware.workload import ann_activity
from snnexplorer.interop import from_nir, to_nir
from snnexplorer.pipeline import cost_design
from snnexplorer.train.model import LIF, SpikingNet

ROWS = {"dataset": {"encoding": "rows", "test_samples": 300}, "timesteps": 28}


def _design(recurrent: bool = True, width: int = 32):
    return load_design("mnist-baseline").copy(
        name="tiny-recurrent",
        **ROWS,
        network={"layers": [{"dense": width, "recurrent": recurrent}]},
        training={"timesteps": 28, "epochs": 3, "lr": 0.005, "train_samples": 4000, "augment": False},
    )


@pytest.fixture(scope="module")
def trained():
    return trained_and_simulated(_design())


def test_rows_feed_one_row_of_the_image_per_step():
    x = data.load("mnist", "test").head(3).x
    rows = data.encode(x, "rows", 28)
    assert rows.shape == (3, 28, 28) and rows.dtype == np.float32
    np.testing.assert_array_equal(rows[1, 14], x[1].reshape(28, 28)[14])
    assert _design().n_inputs == 28 and _design().network_specs()["main"][0].n_in == 28


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timesteps": 25}, "timesteps"),
        ({"training": {"timesteps": 20}}, "training.timesteps"),
        ({"dataset": {"name": "nmnist-emulated", "encoding": "rows"}}, "dataset.encoding"),
        ({"network": {"layers": [{"conv": {"channels": 4, "kernel": 3}}, {"dense": 16}]}}, "network.layers"),
        ({"quantization": {"weight_bits": 8}}, "quantization.weight_bits"),
        ({"specialization": {"experts": 2}}, "specialization.experts"),
        ({"network": {"layers": [{"dense": 16, "recurrent": "yes"}]}}, "network.layers[0].recurrent"),
        ({"network": {"layers": [{"pool": 2, "recurrent": True}]}}, "network.layers[0]"),
    ],
)
def test_bad_combinations_are_refused_by_field(change, field):
    with pytest.raises(DesignError) as info:
        _design().copy(**change)
    assert any(problem.field == field for problem in info.value.problems), str(info.value)


def test_the_engine_runs_a_recurrent_layer_exactly_as_torch_trained_it(trained):
    design, weights, test, activity = trained
    assert weights.recurrent["main"][0].shape == (32, 32) and activity.paths[0] == "recurrent"
    neuron = design.network.neuron
    model = SpikingNet(design.network_specs()["main"], LIF.of(neuron))
    model.load_numpy(weights.networks["main"]).load_recurrent(weights.recurrent["main"])
    with torch.no_grad():
        scores = model(torch.from_numpy(data.encode(test.x, "rows", 28))).numpy()
    assert np.mean(scores.argmax(1) == activity.predictions) >= 0.99
    assert activity.accuracy > 0.25  # three epochs on 4,000 digits: learning, not chance (0.1)


def test_recurrent_ops_are_counted_apart_and_priced_as_their_own_kind(trained):
    design, weights, test, activity = trained
    hidden = activity.layers[0]
    out = hidden.output_spikes  # the spikes of step t are read back at t + 1, each reaching the 32 neurons
    np.testing.assert_array_equal(hidden.recurrent_synaptic_ops, np.pad(out[:-1], (1, 0)) * 32)
    assert hidden.n_in == 28 + 32 and hidden.connections == 28 * 32 + 32 * 32 and hidden.recurrent_connections == 1024
    assert hidden.parameters == 28 * 32 + 32 + 32 * 32
    report = cost_design(design, activity)
    assert report.by("kind").set_index("kind").loc["recurrent_weights", "energy_j"] > 0
    ops_share, energy_share = report.recurrent_share()
    assert ops_share == pytest.approx(hidden.recurrent_synaptic_ops.sum() / activity.synaptic_ops.sum())
    assert 0 < energy_share < 1
    # the rows come in as analog values (multiply-accumulates); the layer's own spikes fed back are accumulates, of
    # their own kind in the breakdown
    compute = report.breakdown[(report.breakdown.level == "compute") & (report.breakdown.layer == 0)]
    accesses = compute.groupby("kind")["accesses"].sum()
    assert hidden.analog_input
    assert accesses.get("accumulate", 0.0) == 0.0
    assert accesses["recurrent_accumulate"] == pytest.approx(hidden.recurrent_synaptic_ops.sum() / 300)
    assert accesses["mac"] == pytest.approx((hidden.synaptic_ops.sum() - hidden.recurrent_synaptic_ops.sum()) / 300)
    kinds = report.by("kind").set_index("kind")["energy_j"]
    assert energy_share == pytest.approx((kinds["recurrent_weights"] + kinds["recurrent_accumulate"]) / report.energy_j)
    elman = ann_activity(activity)  # the ANN twin: the same-shape Elman RNN, every layer at every one of the 28 steps
    assert [layer.timesteps for layer in elman.layers] == [28, 28]
    assert elman.layers[0].synaptic_ops.sum() == (28 * 32 + 32 * 32) * 300 * 28


def test_a_recurrent_design_written_to_nir_reads_back_with_the_same_counts(trained, tmp_path):
    design, weights, test, activity = trained
    graph = to_nir(design, weights=weights)
    assert ("lif", "lif_rec") in graph.edges and ("lif_rec", "lif") in graph.edges
    nir.write(tmp_path / "recurrent.nir", graph)
    network = from_nir(tmp_path / "recurrent.nir")
    assert network.stages[0].recurrent and network.layers()["recurrent"].tolist() == [1024, 0]
    theirs = network.simulate(data.encode(test.x, "rows", 28), test.y)
    assert np.mean(theirs.layer_spikes[0] == activity.layer_spikes[0]) >= 0.999
    assert np.mean(theirs.predictions == activity.predictions) >= 0.99
    ours, read_back = activity.layers[0], theirs.layers[0]
    assert (
        abs(int(read_back.recurrent_synaptic_ops.sum()) - int(ours.recurrent_synaptic_ops.sum()))
        <= 1e-3 * ours.recurrent_synaptic_ops.sum()
    )


def test_synthetic_activity_of_a_recurrent_design_reads_its_own_spikes_back():
    from snnexplorer.sim.synthetic import synthetic_activity

    design = _design(width=64)
    recurrent, plain = (
        synthetic_activity(d.network_specs()["main"], d.layer_timesteps, 0.1) for d in (design, _design(False, 64))
    )
    hidden, without = recurrent.layers[0], plain.layers[0]
    assert hidden.recurrent_synaptic_ops.sum() == round(0.1 * 64) * 27 * 64  # every step but the first
    assert hidden.synaptic_ops.sum() == without.synaptic_ops.sum() + hidden.recurrent_synaptic_ops.sum()
    assert cost_design(design, recurrent).energy_j > cost_design(_design(False, 64), plain).energy_j


def test_the_stack_editor_toggles_recurrence_and_keeps_it_through_a_width_edit():
    from snnexplorer.ui.draft import DraftEditor

    edits = []
    editor = DraftEditor(changed=edits.append)
    editor.load(_design(recurrent=False))
    editor.set_stack_entry(0, "recurrent", True)
    assert editor.draft.network.layers == [{"dense": 32, "recurrent": True}] and editor.draft.is_recurrent
    editor.set_stack_entry(0, "dense", 48)
    assert editor.draft.network.layers == [{"dense": 48, "recurrent": True}]
    editor.set_stack_entry(0, "recurrent", False)
    assert editor.draft.network.layers == [{"dense": 48}] and edits


@pytest.mark.slow
def test_the_shipped_recurrent_preset_reads_back_from_nir_with_its_counts(tmp_path):
    """smnist-recurrent (two recurrent layers, zoo weights) written to NIR and read back: the graph engine
    reproduces the design engine's spikes, recurrent ops and predictions on 300 test digits."""
    from snnexplorer.interop import write_nir
    from snnexplorer.pipeline import simulate_design

    design = load_design("smnist-recurrent").copy(dataset={"name": "mnist-full", "encoding": "rows", "test_samples": 300})
    network = from_nir(write_nir(design, tmp_path / "smnist.nir"))
    assert [stage.recurrent for stage in network.stages] == [True, True, False]
    test = data.load("mnist-full", "test").head(300)
    ours, theirs = simulate_design(design), network.simulate(data.encode(test.x, "rows", 28), test.y)
    assert np.mean(ours.predictions == theirs.predictions) >= 0.99
    for index in range(2):
        assert np.mean(ours.layer_spikes[index] == theirs.layer_spikes[index]) >= 0.995
        mine, read_back = ours.layers[index].recurrent_synaptic_ops.sum(), theirs.layers[index].recurrent_synaptic_ops.sum()
        assert abs(int(read_back) - int(mine)) <= 2e-3 * mine


def test_the_ann_twin_of_a_design_reading_rows_runs_at_every_row():
    from snnexplorer.pipeline import synthetic_for

    feed_forward = synthetic_for(_design(False, 64), 0.1)
    frames = synthetic_for(load_design("mnist-baseline"), 0.1)
    assert [layer.timesteps for layer in ann_activity(feed_forward).layers] == [28, 28]
    assert [layer.timesteps for layer in ann_activity(frames).layers] == [1, 1]


def test_a_sequence_brings_every_row_in_and_a_recurrent_first_layer_buffers_its_own_spikes(trained):
    design, weights, test, activity = trained
    breakdown = cost_design(design.copy(hardware={"preset": "edge-soc"}), activity).breakdown.query("layer == 0")

    def moved(kind: str, op: str, level: str) -> float:
        return float(breakdown.query("kind == @kind and op == @op and level == @level")["bytes"].sum())

    assert activity.layers[0].analog_input and activity.layers[0].n_in == 28 + 32  # its own 32 spikes among its inputs
    assert moved("inputs", "read", "DRAM") == 28 * 28  # all 28 rows of 28 8-bit pixels come in, not one row
    # its own 32 spikes of every step: written once and read back at the next step, 1 bit each (a bitmap), on chip
    assert moved("spikes", "write", "L1") == moved("spikes", "read", "L1") == 32 * 28 / 8
    assert moved("spikes", "read", "DRAM") == moved("inputs", "write", "DRAM") == 0.0
