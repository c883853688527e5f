"""Synthetic Activity at a uniform spike rate, for costing a design without simulating it."""

from __future__ import annotations

import numpy as np

from ..topology import LayerSpec
from .activity import Activity, LayerActivity, read_back
from .resample import rate_preserving_counts


def synthetic_activity(
    specs: list[LayerSpec],
    timesteps: list[int],
    rate: float,
    samples: int = 1,
    name: str = "main",
    synaptic_current: bool = False,
) -> Activity:
    """Every input and hidden neuron spikes with probability ``rate`` per step of its layer (expected counts).

    ``specs``: the weight layers (:mod:`snnexplorer.topology`; the last is the
    output layer); ``timesteps``: one per weight layer. A conv layer's input
    spike reaches its mean fan-out (connections / inputs), and it sends on the
    ``rate`` share of its pooled outputs. A recurrent layer also reads its own
    spikes of the step before, each reaching all its neurons.
    A layer's spikes reach the next layer as the engine passes them, by the
    ``rate`` rule of :mod:`snnexplorer.sim.resample` (the spike count is kept
    when the next layer runs fewer or more steps), so per-layer timesteps save
    here exactly what they save in simulation. Predictions are all class 0 and
    there is no accuracy. ``synaptic_current``: the hidden neurons are current-based (one more state value each).
    """
    layers = []
    n_layers = len(specs)
    spikes_in = np.full(timesteps[0], round(rate * specs[0].n_in * samples), dtype=np.int64)
    for index, (spec, steps) in enumerate(zip(specs, timesteps)):
        is_output = index == n_layers - 1
        spikes_out = (
            np.zeros(steps, dtype=np.int64) if is_output else np.full(steps, round(rate * spec.n_out * samples), dtype=np.int64)
        )
        updates = np.full(steps, spec.n_neurons * samples, dtype=np.int64)
        event = updates * (1 if rate > 0 else 0)
        synaptic_ops = spikes_in * spec.n_neurons if spec.conv is None else np.rint(spikes_in * spec.connections / spec.n_in)
        fed_back = read_back(spikes_out) if spec.recurrent else np.zeros(steps, dtype=np.int64)
        recurrent_ops = fed_back * spec.n_neurons  # its spikes of the step before, each reaching every neuron
        layers.append(
            LayerActivity(
                spec.n_in + (spec.n_out if spec.recurrent else 0),
                spec.n_neurons,
                steps,
                samples,
                spikes_in + fed_back,
                (synaptic_ops + recurrent_ops).astype(np.int64),
                updates,
                event,
                spikes_out,
                is_output,
                parameters=spec.parameters,
                connections=spec.connections,
                weights=spec.parameters - (spec.conv.channels if spec.conv else spec.n_out),
                recurrent_synaptic_ops=recurrent_ops if spec.recurrent else None,
                recurrent_connections=spec.n_out**2 if spec.recurrent else 0,
                synaptic_current=synaptic_current and not is_output,
                channels=spec.conv.channels if spec.conv else 0,
            )
        )
        if not is_output:
            spikes_in = np.rint(rate_preserving_counts(spikes_out, timesteps[index + 1])).astype(np.int64)
    spike_counts = [np.full((samples, s.n_neurons), rate * steps, dtype=np.float64) for s, steps in zip(specs[:-1], timesteps)]
    return Activity(layers, np.zeros(samples, dtype=np.int64), np.zeros((samples, specs[-1].n_out)), spike_counts, None, name)
