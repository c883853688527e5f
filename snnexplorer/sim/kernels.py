"""Numba kernels of the engine: one LIF layer over a whole batch, layer-major.

Two ways to get a layer's input current, one neuron update:

* :func:`lif_event` — event-driven: per sample and step, gather the active
  inputs and add their weight rows (``count × row`` for graded inputs);
* :func:`lif_dense` — the currents were computed densely (BLAS) beforehand.

Both call :func:`_neuron_step`, so the neuron semantics (see
:mod:`snnexplorer.sim`) are written once. Samples run in parallel (``prange``);
the kernels release the GIL (``nogil``) so a dashboard stays responsive.

Per (sample, step) counters come back as arrays and are summed by the caller:
input spike count, whether any input arrived (event-driven neuron updates),
and output spike count.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, inline="always")
def _neuron_step(v, current, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, out_row, counts, score, is_output):
    """Advance one sample's neurons by one step; returns the number of output spikes.

    Hidden layer: v ← leak(v) + I, saturate (fixed point), spike where v ≥ θ,
    reset (subtract θ, or to 0). Output layer: score ← score + I (no leak, no
    spike), saturated in fixed point.
    """
    n_out = v.shape[0]
    fired = 0
    if is_output:
        for j in range(n_out):
            s = score[j] + current[j]
            if fixed:
                s = min(max(s, v_min), v_max)
            score[j] = s
        return 0
    for j in range(n_out):
        if fixed:
            x = np.floor(v[j] * beta_q * (1.0 / 65536.0)) + current[j]
            x = min(max(x, v_min), v_max)
        else:
            x = beta * v[j] + current[j]
        if x >= threshold:
            out_row[j] = 1
            counts[j] += 1
            fired += 1
            x = 0.0 if reset_zero else x - threshold
        v[j] = x
    return fired


@njit(cache=True, nogil=True, parallel=True)
def lif_event(spikes, weight, bias, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, is_output):
    """Event-driven layer. ``spikes`` [B, T, n_in] counts (uint8/uint16); ``weight`` [n_in, n_out].

    Returns (out_spikes uint8 [B, T, n_out], spike_counts int32 [B, n_out], score [B, n_out],
    in_count int64 [B, T], any_input bool [B, T], out_count int64 [B, T]).
    """
    n_batch, n_steps, n_in = spikes.shape
    n_out = weight.shape[1]
    out_spikes = np.zeros((n_batch, n_steps, 0 if is_output else n_out), dtype=np.uint8)
    spike_counts = np.zeros((n_batch, 0 if is_output else n_out), dtype=np.int32)
    score = np.zeros((n_batch, n_out), dtype=weight.dtype)
    in_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    any_input = np.zeros((n_batch, n_steps), dtype=np.bool_)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    dummy_row = np.zeros(n_out, dtype=np.uint8)
    for s in prange(n_batch):
        v = np.zeros(n_out, dtype=weight.dtype)
        current = np.empty(n_out, dtype=weight.dtype)
        active = np.empty(n_in, dtype=np.int64)
        for t in range(n_steps):
            k = 0
            total = 0
            row_in = spikes[s, t]
            for i in range(n_in):
                c = row_in[i]
                if c != 0:
                    active[k] = i
                    k += 1
                    total += c
            current[:] = bias
            for a in range(k):
                i = active[a]
                c = row_in[i]
                w = weight[i]
                if c == 1:
                    for j in range(n_out):
                        current[j] += w[j]
                else:
                    for j in range(n_out):
                        current[j] += c * w[j]
            in_count[s, t] = total
            any_input[s, t] = k > 0
            out_row = dummy_row if is_output else out_spikes[s, t]
            out_count[s, t] = _neuron_step(v, current, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, out_row,
                                           spike_counts[s], score[s], is_output)
    return out_spikes, spike_counts, score, in_count, any_input, out_count


@njit(cache=True, nogil=True, parallel=True)
def lif_dense(currents, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, is_output):
    """Neuron updates over precomputed currents [B, T, n_out]; returns (out_spikes, spike_counts, score, out_count)."""
    n_batch, n_steps, n_out = currents.shape
    out_spikes = np.zeros((n_batch, n_steps, 0 if is_output else n_out), dtype=np.uint8)
    spike_counts = np.zeros((n_batch, 0 if is_output else n_out), dtype=np.int32)
    score = np.zeros((n_batch, n_out), dtype=currents.dtype)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    dummy_row = np.zeros(n_out, dtype=np.uint8)
    for s in prange(n_batch):
        v = np.zeros(n_out, dtype=currents.dtype)
        for t in range(n_steps):
            out_row = dummy_row if is_output else out_spikes[s, t]
            out_count[s, t] = _neuron_step(v, currents[s, t], beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, out_row,
                                           spike_counts[s], score[s], is_output)
    return out_spikes, spike_counts, score, out_count
