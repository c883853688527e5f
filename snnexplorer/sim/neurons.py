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

    def step(self, currents: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Run ``currents`` [batch, T, n] float32 through the neurons.

        Returns spikes uint8 [batch, T, n] (T = 0 when not spiking), spike counts
        int32 [batch, n], output spikes per (sample, step) int64 [batch, T], the
        neurons that had work per (sample, step) int64 [batch, T] (an input, a
        non-zero state or a constant input: what an event-driven core updates)
        and the final membrane float32 [batch, n].
        """
        return step_neurons(np.ascontiguousarray(currents, dtype=np.float32), self)


@njit(cache=True, parallel=True)
def step_neurons(currents, coefficients):
    """The update of the module docstring under ``coefficients`` (:class:`NeuronCoefficients`), samples in parallel
    (see :meth:`NeuronCoefficients.step`)."""
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
    spikes = np.zeros((n_batch, n_steps if spiking else 0, n), dtype=np.uint8)
    counts = np.zeros((n_batch, n), dtype=np.int32)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    active = np.zeros((n_batch, n_steps), dtype=np.int64)
    final = np.zeros((n_batch, n), dtype=np.float32)
    for b in prange(n_batch):
        v = np.zeros(n, dtype=np.float32)
        synapse = np.zeros(n, dtype=np.float32)
        for t in range(n_steps):
            fired = 0
            busy = 0
            for j in range(n):
                x = currents[b, t, j]
                if x != 0 or v[j] != 0 or mem_offset[j] != 0 or (has_synapse and synapse[j] != 0):
                    busy += 1
                if has_synapse:
                    synapse[j] = syn_decay[j] * synapse[j] + syn_gain[j] * x
                    x = synapse[j]
                u = mem_decay[j] * v[j] + mem_offset[j] + mem_gain[j] * x
                if spiking and (u >= threshold[j] if fires_at_threshold else u > threshold[j]):
                    spikes[b, t, j] = 1
                    counts[b, j] += 1
                    fired += 1
                    u = u - threshold[j] if subtract else v_reset[j]
                v[j] = u
            out_count[b, t] = fired
            active[b, t] = busy
        final[b] = v
    return spikes, counts, out_count, active, final
