"""Synthetic Activity at a uniform spike rate, for costing a design without simulating it."""

from __future__ import annotations

import numpy as np

from .activity import Activity, LayerActivity


def synthetic_activity(sizes: list[int], timesteps: list[int], rate: float, samples: int = 1, name: str = "main") -> Activity:
    """Every input and hidden neuron spikes with probability ``rate`` per step (expected counts).

    ``sizes``: [n_in, hidden..., n_out]; ``timesteps``: one per weight layer.
    Predictions are all class 0 and there is no accuracy.
    """
    layers = []
    n_layers = len(sizes) - 1
    for index in range(n_layers):
        n_in, n_out, steps = sizes[index], sizes[index + 1], timesteps[index]
        is_output = index == n_layers - 1
        spikes_in = np.full(steps, round(rate * n_in * samples), dtype=np.int64)
        spikes_out = (
            np.zeros(steps, dtype=np.int64) if is_output else np.full(steps, round(rate * n_out * samples), dtype=np.int64)
        )
        updates = np.full(steps, n_out * samples, dtype=np.int64)
        event = updates * (1 if rate > 0 else 0)
        layers.append(
            LayerActivity(n_in, n_out, steps, samples, spikes_in, spikes_in * n_out, updates, event, spikes_out, is_output)
        )
    spike_counts = [np.full((samples, n), rate * min(timesteps), dtype=np.float64) for n in sizes[1:-1]]
    return Activity(layers, np.zeros(samples, dtype=np.int64), np.zeros((samples, sizes[-1])), spike_counts, None, name)
