"""Synthetic Activity at a uniform spike rate, for costing a design without simulating it."""

from __future__ import annotations

import numpy as np

from .activity import Activity, LayerActivity
from .resample import rate_preserving_counts


def synthetic_activity(sizes: list[int], timesteps: list[int], rate: float, samples: int = 1, name: str = "main") -> Activity:
    """Every input and hidden neuron spikes with probability ``rate`` per step of its layer (expected counts).

    ``sizes``: [n_in, hidden..., n_out]; ``timesteps``: one per weight layer.
    A layer's spikes reach the next layer as the engine passes them, by the
    ``rate`` rule of :mod:`snnexplorer.sim.resample` (the spike count is kept
    when the next layer runs fewer or more steps), so per-layer timesteps save
    here exactly what they save in simulation. Predictions are all class 0 and
    there is no accuracy.
    """
    layers = []
    n_layers = len(sizes) - 1
    spikes_in = np.full(timesteps[0], round(rate * sizes[0] * samples), dtype=np.int64)
    for index in range(n_layers):
        n_in, n_out, steps = sizes[index], sizes[index + 1], timesteps[index]
        is_output = index == n_layers - 1
        spikes_out = (
            np.zeros(steps, dtype=np.int64) if is_output else np.full(steps, round(rate * n_out * samples), dtype=np.int64)
        )
        updates = np.full(steps, n_out * samples, dtype=np.int64)
        event = updates * (1 if rate > 0 else 0)
        layers.append(
            LayerActivity(n_in, n_out, steps, samples, spikes_in, spikes_in * n_out, updates, event, spikes_out, is_output)
        )
        if not is_output:
            spikes_in = np.rint(rate_preserving_counts(spikes_out, timesteps[index + 1])).astype(np.int64)
    spike_counts = [np.full((samples, n), rate * steps, dtype=np.float64) for n, steps in zip(sizes[1:-1], timesteps)]
    return Activity(layers, np.zeros(samples, dtype=np.int64), np.zeros((samples, sizes[-1])), spike_counts, None, name)
