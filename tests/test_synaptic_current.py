"""Current-based LIF (``network.neuron.alpha``): a synaptic current that the input charges and the membrane
integrates, trained through time, simulated in the engine exactly as torch computes it, priced as one more state
value per neuron, and written to NIR as CubaLIF and read back by the independent graph engine."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import trained_and_simulated

from snnexplorer import data
from snnexplorer.design import Design, load_design
from snnexplorer.errors import DesignError
from snnexplorer.inference import simulate_weights
from snnexplorer.interop import from_nir, to_nir
from snnexplorer.pipeline import evaluate
from snnexplorer.sim import simulate
from snnexplorer.train.model import LIF, SpikingNet

ALPHA = 0.8


def _design(alpha: float = ALPHA, **change) -> Design:
    return load_design("mnist-baseline").copy(
        name="tiny-cuba",
        dataset={"test_samples": 300},
        timesteps=10,
        network={"hidden": [48], "neuron": {"beta": 0.9, "threshold": 1.0, "reset": "subtract", "alpha": alpha}},
        training={"timesteps": 10, "epochs": 2, "lr": 0.005, "train_samples": 4000, "augment": False},
        **change,
    )


@pytest.fixture(scope="module")
def trained():
    return trained_and_simulated(_design())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"network": {"layers": [{"conv": {"channels": 4, "kernel": 3}}, {"dense": 16}], "neuron": {"alpha": ALPHA}}},
            "network.layers",
        ),
        ({"quantization": {"weight_bits": 8}}, "quantization.weight_bits"),
        ({"quantization": {"membrane_bits": 16}}, "quantization.membrane_bits"),
        ({"training": {"learning_rule": "stdp"}}, "training.learning_rule"),
    ],
)
def test_bad_combinations_are_refused_by_field(change, field):
    with pytest.raises(DesignError) as info:
        _design().copy(**change)
    assert any(problem.field == field for problem in info.value.problems), str(info.value)


def test_alpha_is_bounded_and_zero_keeps_the_plain_lif_and_its_hash():
    with pytest.raises(DesignError, match="network.neuron.alpha"):
        _design(alpha=1.0)
    plain = Design.from_dict({})
    assert plain.network.neuron.alpha == 0.0
    assert _design(alpha=0.0).hash_for("train") != _design().hash_for("train")
    assert Design.from_dict({"network": {"neuron": {"alpha": 0.0}}}).hash_for("train") == plain.hash_for("train")


def test_the_engine_runs_the_synaptic_current_exactly_as_torch_trained_it(trained):
    design, weights, test, activity = trained
    assert activity.paths[0] == "synaptic" and activity.layers[0].synaptic_current
    assert not activity.layers[-1].synaptic_current  # the output layer integrates its currents
    neuron = design.network.neuron
    model = SpikingNet(design.network_specs()["main"], LIF.of(neuron))
    model.load_numpy(weights.networks["main"])
    spikes = data.encode(test.x, "rate", 10, seed=design.training.seed + 1)
    with torch.no_grad():
        scores = model(torch.from_numpy(spikes).float()).numpy()
    assert np.mean(scores.argmax(1) == activity.predictions) >= 0.99
    assert activity.accuracy > 0.5  # two epochs on 4,000 digits: learning, not chance (0.1)
    plain = simulate_weights(_design(alpha=0.0), weights, test.x, test.y)
    assert not np.array_equal(plain.layer_spikes[0], activity.layer_spikes[0])  # the current changes the spikes


def test_the_synaptic_current_is_priced_as_state_beside_the_membrane():
    def state(alpha: float) -> tuple[float, float]:
        report = evaluate(_design(alpha), "synthetic:0.1")
        table = report.by("kind").set_index("kind")
        return table.loc["state", "bytes"], report.energy_j

    (plain_bytes, plain_j), (cuba_bytes, cuba_j) = state(0.0), state(ALPHA)
    hidden, output = 48, 10  # the hidden layer's state doubles; the output layer's does not
    assert cuba_bytes == pytest.approx(plain_bytes * (2 * hidden + output) / (hidden + output))
    assert cuba_j > plain_j


def test_nir_writes_cubalif_and_the_graph_engine_reads_back_the_same_spikes(trained, tmp_path):
    design, weights, test, activity = trained
    graph = to_nir(design, weights=weights)
    assert [type(node).__name__ for node in graph.nodes.values()].count("CubaLIF") == 1
    network = from_nir(graph)
    spikes = data.encode(test.x, "rate", 10, seed=design.training.seed + 1)
    theirs = network.simulate(spikes, test.y)
    assert np.mean(theirs.predictions == activity.predictions) >= 0.99
    assert np.mean(theirs.layer_spikes[0] == activity.layer_spikes[0]) >= 0.995
    assert theirs.layers[0].synaptic_current
    with pytest.raises(DesignError, match="network.neuron.beta"):
        to_nir(_design().copy(network={"neuron": {"beta": 1.0, "alpha": ALPHA}}), weights=weights)


def test_the_neurobench_twin_refuses_a_synaptic_current_by_field():
    pytest.importorskip("neurobench")
    from snnexplorer.interop.neurobench_twin import neurobench_reference

    with pytest.raises(DesignError, match="network.neuron.alpha"):
        neurobench_reference(_design())


def test_an_event_driven_core_updates_a_synaptic_current_layer_after_its_input_stops():
    rng = np.random.default_rng(0)
    layers = [
        (rng.normal(0, 0.5, (n_in, n_out)).astype(np.float32), np.zeros(n_out, np.float32)) for n_in, n_out in ((8, 6), (6, 3))
    ]
    spikes = np.zeros((2, 6, 8), np.uint8)
    spikes[0, 1, :4] = 1  # sample 0: input at step 1 only; sample 1: none
    plain, charged = (simulate(layers, spikes, alpha=alpha).layers[0].neuron_updates_event for alpha in (0.0, 0.8))
    assert plain.tolist() == [0, 6, 0, 0, 0, 0]  # the plain LIF's decay waits for the next input
    assert charged.tolist() == [0, 6, 6, 6, 6, 6]  # the current still charges the membrane after the input
