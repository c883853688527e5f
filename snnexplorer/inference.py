"""Inference: simulate a Design's trained Weights on images — encode, run every network, combine the experts."""

from __future__ import annotations

import dataclasses

import numpy as np

from . import data
from .design import Design
from .per_layer import fit_to_depth
from .sim import Activity, Conv, RecurrentDense, simulate
from .topology import LayerSpec
from .weights import Weights


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _per_sample_of(activity: Activity, total: int) -> Activity:
    """Re-base a routed expert's counters on all ``total`` samples (it ran on a subset)."""
    layers = [dataclasses.replace(layer, batch=total) for layer in activity.layers]
    return dataclasses.replace(activity, layers=layers)


def engine_layers(specs: list[LayerSpec], layers: list, recurrent: dict[int, np.ndarray] | None = None) -> list:
    """Trained (W, b) pairs as :func:`snnexplorer.sim.simulate` takes them: a conv layer's wrapped in a
    :class:`~snnexplorer.sim.Conv` with its geometry, a recurrent one's in a :class:`~snnexplorer.sim.RecurrentDense`
    with its W_rec (from ``recurrent``, by layer index)."""
    recurrent = recurrent or {}
    out = []
    for index, (spec, (w, b)) in enumerate(zip(specs, layers)):
        if spec.conv:
            out.append(Conv(w, b, spec.conv.input_shape, spec.conv.stride, spec.conv.padding, spec.conv.pool))
        elif spec.recurrent:
            out.append(RecurrentDense(w, b, recurrent[index]))
        else:
            out.append((w, b))
    return out


def simulate_weights(design: Design, weights: Weights, x: np.ndarray, labels: np.ndarray | None = None) -> Activity:
    """Simulate ``weights`` on images ``x`` under ``design``'s encoding, timesteps and bits."""
    if design.training.learning_rule == "stdp":
        from .stdp.design_bridge import simulate_stdp_weights

        return simulate_stdp_weights(design, weights, x, labels)
    steps = design.layer_timesteps
    spikes = data.encode(x, design.dataset.encoding, steps[0], seed=design.training.seed + 1)
    neuron = design.network.neuron
    kwargs = dict(beta=neuron.beta, threshold=neuron.threshold, reset=neuron.reset, alpha=neuron.alpha)

    specs = design.network_specs()

    def run(name: str, rows: np.ndarray | slice = slice(None)) -> Activity:
        layers = engine_layers(specs[name], weights.networks[name], weights.recurrent.get(name))
        n = len(layers)
        activity = simulate(
            layers,
            spikes[rows],
            timesteps=fit_to_depth(steps, n),
            weight_bits=fit_to_depth(design.weight_bits, n),
            membrane_bits=fit_to_depth(design.membrane_bits, n),
            name=name,
            **kwargs,
        )
        activity.sequential = design.dataset.encoding == "rows"
        return activity

    if "main" in weights.networks:
        act = run("main")
        act.labels = labels
        return act
    n, k = len(x), sum(len(g) for g in weights.groups)
    if weights.combine == "router":
        router = run("router")
        experts = [router]
        predictions = np.zeros(n, dtype=np.int64)
        potential = np.zeros((n, k))
        for g, group in enumerate(weights.groups):
            rows = np.flatnonzero(router.predictions == g)
            if len(rows) == 0:
                continue
            act = run(f"expert{g}", rows)
            predictions[rows] = np.asarray(group)[np.argmax(act.output_potential[:, : len(group)], axis=1)]
            potential[np.ix_(rows, group)] = act.output_potential[:, : len(group)]
            experts.append(_per_sample_of(act, n))
    else:
        experts = [run(name) for name in weights.experts]
        potential = np.zeros((n, k))
        for act, group in zip(experts, weights.groups):
            potential[:, group] = _softmax(act.output_potential / steps[-1])[:, : len(group)]
        predictions = np.argmax(potential, axis=1)
    return Activity(
        layers=experts[0].layers,
        predictions=predictions,
        output_potential=potential,
        layer_spikes=experts[0].layer_spikes,
        labels=labels,
        name="ensemble",
        experts=experts,
    )
