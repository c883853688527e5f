"""Neurons with per-neuron parameters, stepped over precomputed input currents (the engine of imported graphs).

Every neuron model NIR names (LIF, IF, LI, I, CubaLIF, CubaLI) is one
discretized update with per-neuron coefficients (:class:`NeuronCoefficients`;
:mod:`snnexplorer.interop.nir_import` derives them from the continuous-time
parameters). Per step t, for neuron j, with input ``x`` (the synapses' output)::

    i[j] ← syn_decay[j]·i[j] + syn_gain[j]·x          (only with a synaptic current; else i = x)
    u    ← mem_decay[j]·v[j] + mem_offset[j] + mem_gain[j]·i[j]
    spike where u > threshold[j]   (u ≥ threshold[j] when ``fires_at_threshold``)
    v[j] ← v_reset[j] after a spike (u − threshold[j] when ``subtract``), else u

State starts at 0. A non-spiking model (LI, I, CubaLI) never spikes; its
final ``v`` is what it reports.

Recurrence — the one place it is written down. A population with recurrent
synapses adds to ``x`` at step t what its own spikes of step t − 1 send back
through them (``W_rec``; nothing at t = 0), as snnTorch's ``RLeaky`` /
``RSynaptic`` and Norse's ``LIFRecurrent`` do::

    x[j] ← x[j] + Σ_{i spiked at t−1} W_rec[i, j]

Event-driven: only the rows of neurons that spiked are read, and each read
row counts its synapses (``recurrent_fan_out[i]``) as recurrent synaptic
operations. A constant the recurrent synapses add (a recurrent Affine's bias)
is part of the precomputed input ``x``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange


class NeuronCoefficients(NamedTuple):
    """The per-neuron coefficients of one population (float32 arrays of its size) and its flags; a NamedTuple, so
    that the numba kernel takes it as one argument."""

    syn_decay: np.ndarray
    syn_gain: np.ndarray
    mem_decay: np.ndarray
    mem_offset: np.ndarray
    mem_gain: np.ndarray
    threshold: np.ndarray
    v_reset: np.ndarray
    has_synapse: bool
    spiking: bool
    subtract: bool = False
    fires_at_threshold: bool = False

    @property
    def size(self) -> int:
        return int(self.mem_decay.shape[0])

    def step(
        self, currents: np.ndarray, recurrent_weights: np.ndarray | None = None, recurrent_fan_out: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Run ``currents`` [batch, T, n] float32 through the neurons, with ``recurrent_weights`` float32 [n, n]
        (row: the neuron that spiked) and its ``recurrent_fan_out`` int64 [n] where the population is recurrent.

        Returns spikes uint8 [batch, T, n] (T = 0 when not spiking), spike counts
        int32 [batch, n], output spikes per (sample, step) int64 [batch, T], the
        neurons that had work per (sample, step) int64 [batch, T] (an input, a
        non-zero state or a constant input: what an event-driven core updates),
        the final membrane float32 [batch, n] and the recurrent synaptic
        operations per (sample, step) int64 [batch, T] (zero without recurrence).
        """
        if recurrent_weights is None:
            recurrent_weights, recurrent_fan_out = np.zeros((0, 0), np.float32), np.zeros(0, np.int64)
        return step_neurons(
            np.ascontiguousarray(currents, dtype=np.float32),
            self,
            np.ascontiguousarray(recurrent_weights, dtype=np.float32),
            np.ascontiguousarray(recurrent_fan_out, dtype=np.int64),
        )


@njit(cache=True, parallel=True)
def step_neurons(currents, coefficients, recurrent_weights, recurrent_fan_out):
    """The update of the module docstring under ``coefficients`` (:class:`NeuronCoefficients`), samples in parallel
    (see :meth:`NeuronCoefficients.step`); recurrent where ``recurrent_weights`` has rows."""
    (
        syn_decay,
        syn_gain,
        mem_decay,
        mem_offset,
        mem_gain,
        threshold,
        v_reset,
        has_synapse,
        spiking,
        subtract,
        fires_at_threshold,
    ) = coefficients
    n_batch, n_steps, n = currents.shape
    recurrent = recurrent_weights.shape[0] > 0
    spikes = np.zeros((n_batch, n_steps if spiking else 0, n), dtype=np.uint8)
    counts = np.zeros((n_batch, n), dtype=np.int32)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    active = np.zeros((n_batch, n_steps), dtype=np.int64)
    final = np.zeros((n_batch, n), dtype=np.float32)
    recurrent_ops = np.zeros((n_batch, n_steps), dtype=np.int64)
    for b in prange(n_batch):
        v = np.zeros(n, dtype=np.float32)
        synapse = np.zeros(n, dtype=np.float32)
        fed_back = np.zeros(n, dtype=np.float32)  # stays 0 without recurrence: one add, no branch per neuron
        spiked = np.zeros(n if recurrent else 0, dtype=np.int64)  # who spiked at the step before
        n_spiked = 0
        for t in range(n_steps):
            if recurrent:
                fed_back[:] = 0
                for k in range(n_spiked):
                    fed_back += recurrent_weights[spiked[k]]
                    recurrent_ops[b, t] += recurrent_fan_out[spiked[k]]
            fired = 0
            busy = 0
            for j in range(n):
                x = currents[b, t, j] + fed_back[j]
                if x != 0 or v[j] != 0 or mem_offset[j] != 0 or (has_synapse and synapse[j] != 0):
                    busy += 1
                if has_synapse:
                    synapse[j] = syn_decay[j] * synapse[j] + syn_gain[j] * x
                    x = synapse[j]
                u = mem_decay[j] * v[j] + mem_offset[j] + mem_gain[j] * x
                if spiking and (u >= threshold[j] if fires_at_threshold else u > threshold[j]):
                    spikes[b, t, j] = 1
                    counts[b, j] += 1
                    if recurrent:
                        spiked[fired] = j
                    fired += 1
                    u = u - threshold[j] if subtract else v_reset[j]
                v[j] = u
            n_spiked = fired
            out_count[b, t] = fired
            active[b, t] = busy
        final[b] = v
    return spikes, counts, out_count, active, final, recurrent_ops
