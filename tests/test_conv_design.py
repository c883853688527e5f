"""Convolutional designs: the stack in the Design, its torch twin against the engine, and its cost."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from snnexplorer.design import Design, load_design
from snnexplorer.errors import DesignError
from snnexplorer.inference import engine_layers
from snnexplorer.pipeline import evaluate, synthetic_for
from snnexplorer.sim import simulate
from snnexplorer.train.model import ANN, LIF, SpikingNet, lif_scan

STACK = [
    {"conv": {"channels": 6, "kernel": 5, "padding": 2}},
    {"pool": 2},
    {"conv": {"channels": 8, "kernel": 3, "stride": 2}},
    {"dense": 32},
]


def conv_design(**changes) -> Design:
    base = {"dataset": {"name": "mnist", "encoding": "rate", "test_samples": 200}, "network": {"layers": STACK}, "timesteps": 10}
    base.update(changes)
    return Design.from_dict(base)


def test_the_stack_has_the_shapes_parameters_and_synapses_counted_by_hand():
    design = conv_design()
    first, second, dense, output = design.network_specs()["main"]
    assert (first.n_in, first.n_neurons, first.n_out) == (784, 6 * 28 * 28, 6 * 14 * 14)
    assert first.parameters == 6 * (25 + 1)
    # padding 2 keeps every 5×5 window on the 28×28 map except at the borders: per axis Σ over offsets of the
    # positions that read an on-map pixel = 28·5 − (2 + 1) · 2
    assert first.connections == 6 * (28 * 5 - 6) ** 2
    assert second.conv.map_shape == (6, 6) and second.n_out == 8 * 36 and second.parameters == 8 * (6 * 9 + 1)
    assert (dense.n_in, dense.n_out, output.n_out) == (288, 32, 10)
    assert design.hidden == [1176, 288, 32] and design.n_layers == 4
    assert design.parameter_count == sum(s.parameters for s in design.network_specs()["main"])


@pytest.mark.parametrize(
    "layers, field",
    [
        ([{"pool": 2}], r"network.layers\[0\].pool"),
        ([{"dense": 8}, {"conv": {"channels": 2, "kernel": 3}}], r"network.layers\[1\]: .*convolutions before"),
        ([{"conv": {"channels": 2, "kernel": 12}}], r"network.layers\[0\].conv.kernel: 12"),
        ([{"conv": {"channels": 2, "kernel": 3}}, {"pool": 3}], r"network.layers\[1\].pool: 3 .*26×26"),
        ([{"conv": {"channels": 2, "kernel": 3, "dilation": 2}}], r"network.layers\[0\].conv.dilation"),
        ([{"lstm": 4}], r"network.layers\[0\]: .*one of \{conv"),
    ],
)
def test_a_bad_stack_names_the_entry_and_what_is_allowed(layers, field):
    with pytest.raises(DesignError, match=field):
        conv_design(network={"layers": layers})


def test_stack_rules_meet_the_rest_of_the_design():
    experts = conv_design(specialization={"experts": 2, "hidden": [16]})
    specs = experts.network_specs()
    assert list(specs) == ["expert0", "expert1"] and [s.kind for s in specs["expert0"]] == ["conv", "conv", "dense", "dense"]
    assert specs["expert0"][2].n_out == 16 and specs["expert0"][-1].n_out == 6  # 5 classes + "not mine"
    assert experts.hidden == [1176, 288, 16] and experts.n_layers == 4
    assert experts.hash_for("train") != experts.copy(network={"layers": STACK[:2]}).hash_for("train")
    with pytest.raises(DesignError, match=r"network.layers"):
        conv_design(training={"learning_rule": "stdp"}, network={"layers": STACK, "hidden": [100]})
    with pytest.raises(DesignError, match=r"timesteps: \[10, 10\].*list of 4"):
        conv_design(timesteps=[10, 10])
    assert conv_design(timesteps=[10, 8, 6, 6]).layer_timesteps == [10, 8, 6, 6]
    dense = load_design("mnist-baseline")
    assert dense.hash_for("train") == dense.copy(network={"layers": []}).hash_for("train")
    assert conv_design().hash_for("train") != conv_design(network={"layers": STACK[:2]}).hash_for("train")


def test_the_torch_twin_and_the_engine_agree_on_a_conv_stack():
    design = conv_design()
    specs = design.network_specs()["main"]
    torch.manual_seed(0)
    model = SpikingNet(specs, LIF(0.9, 1.0))
    with torch.no_grad():
        for layer in model.layers:
            layer.weight.mul_(3.0)
    rng = np.random.default_rng(1)
    x = (rng.random((64, 10, 784)) < 0.2).astype(np.uint8)
    with torch.no_grad():
        score = model(torch.from_numpy(x).float()).numpy()
        first = lif_scan(model._current(0, torch.from_numpy(x).float()), LIF(0.9, 1.0))
    activity = simulate(engine_layers(specs, model.numpy_layers()), x)
    assert activity.layers[0].n_out == 6 * 28 * 28
    assert abs(activity.layers[0].output_spikes.sum() - float(model._pool(0, first).sum())) <= 1e-3 * float(first.sum())
    assert np.mean(activity.layer_spikes[0] == first.sum(1).numpy()) >= 0.999
    assert np.mean(activity.predictions == score.argmax(1)) >= 0.98
    ann = ANN(specs).load_numpy(model.numpy_layers())
    assert ann(torch.rand(3, 784)).shape == (3, 10)


def test_a_conv_design_is_costed_with_its_weights_fetched_once_per_batch_when_they_fit():
    design = conv_design(mapping={"batch": 16})
    report = evaluate(design, "synthetic:0.1")
    weights = report.breakdown.query("kind == 'weights' and level == 'DRAM'").groupby("layer")["bytes"].sum()
    specs = design.network_specs()["main"]
    tiles = -(-design.mapping.batch // report.batch_tile)
    for layer, spec in enumerate(specs):  # every layer's weights fit on chip: read from DRAM once per batch tile
        assert weights[layer] == pytest.approx(spec.parameters * 4 * tiles / design.mapping.batch)
    activity = synthetic_for(design, 0.1)
    assert activity.layers[0].synaptic_ops[0] == round(round(0.1 * 784) * specs[0].connections / 784)
    assert activity.layers[0].connections == specs[0].connections


def test_stationary_weights_are_read_at_most_once_per_step_at_the_innermost_level():
    """Hand count: under ``weight_reuse: stationary`` layer l's innermost-level weight reads are
    min(synaptic ops, parameters × T_l) × 4 bytes per sample; per-operation, synaptic ops × 4 bytes."""
    per_operation = conv_design()
    stationary = conv_design(mapping={"weight_reuse": "stationary"})
    activity = synthetic_for(per_operation, 0.1)

    def reads(design):
        report = evaluate(design, activity)
        assert report.mapping.weight_reuse == design.mapping.weight_reuse
        table = report.breakdown.query("kind == 'weights' and level == 'L1' and op == 'read'")
        return table.groupby("layer")["bytes"].sum(), report.energy_j

    (held, held_j), (each, each_j) = reads(stationary), reads(per_operation)
    for index, (layer, spec) in enumerate(zip(activity.layers, per_operation.network_specs()["main"])):
        synops = float(layer.synaptic_ops.sum()) / layer.batch
        assert each[index] == pytest.approx(synops * 4)
        assert held[index] == pytest.approx(min(synops, spec.parameters * layer.timesteps) * 4)
    assert held[0] < each[0] / 10 and held_j < each_j  # a 5×5 kernel serves 784 positions: the conv layer gains most
    assert held[3] == pytest.approx(each[3])  # the output layer's 10 × 33 weights see fewer spikes than steps × weights


@pytest.mark.slow
def test_conv_experts_train_and_simulate_on_digits():
    from snnexplorer.pipeline import simulate_design
    from snnexplorer.train import train

    design = Design.from_dict(
        {
            "name": "digits-conv-experts",
            "dataset": {"name": "digits", "encoding": "direct", "test_samples": 360},
            "network": {"layers": [{"conv": {"channels": 4, "kernel": 3, "padding": 1}}, {"pool": 2}]},
            "specialization": {"experts": 2, "hidden": [32]},
            "timesteps": 4,
            "training": {"epochs": 10, "timesteps": 4, "lr": 0.005},
        }
    )
    weights = train(design)
    assert weights.networks["expert0"][0][0].shape == (4, 1, 3, 3)
    activity = simulate_design(design)
    assert len(activity.experts) == 2 and activity.accuracy > 0.6
    assert activity.experts[0].layers[0].connections == design.network_specs()["expert0"][0].connections


def test_the_dashboard_edits_a_conv_stack_by_entry_and_as_yaml():
    from snnexplorer.ui import Explorer

    explorer = Explorer(design=conv_design(name="conv-edit"))
    model = explorer.model
    rows = explorer._stack_entries()
    conv_inputs = rows[0][1]  # a conv entry: its title, then one input per field
    assert [w.label for w in conv_inputs] == ["channels", "kernel", "stride", "padding"] and rows[0][0].object == "0: conv"
    assert [w.label for w in rows[1]] == ["1: pool"]
    assert conv_inputs[0].end == 1024 and rows[1][0].start == 2  # bounds are the topology's parameters
    conv_inputs[0].value = 4
    assert model.design.network.layers[0]["conv"]["channels"] == 4 and model.design.network_specs()["main"][0].n_out == 4 * 196
    model.editor.set_stack_text("[{conv: {channels: 2, kernel: 3}}, {pool: 3}]")
    assert model.design is None and "network.layers[1].pool: 3" in model.message
    model.editor.set_stack_text("[{conv: {channels: 2, kernel: 3}}, {pool: 2}, {dense: 16}]")
    assert model.design is not None and model.design.hidden == [2 * 13 * 13, 16]
    assert model.editor.stack_text() == "[{conv: {channels: 2, kernel: 3}}, {pool: 2}, {dense: 16}]"
    assert len(model.editor.per_layer("timesteps", "steps")) == 3
