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

TILE = 1024
"""Output neurons per tile of the event kernel's accumulation ([T, TILE] float32 currents fit L1)."""


@njit(cache=True, nogil=True, inline="always")
def _neuron_step(v, current, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, out_row, counts, score, is_output):
    """Advance one sample's neurons by one step; returns the number of output spikes.

    Hidden layer: v ← leak(v) + I, saturate (fixed point), spike where v ≥ θ,
    reset (subtract θ, or to 0). Output layer: score ← score + I (no leak, no
    spike), saturated in fixed point.
    """
    n_out = v.shape[0]
    if is_output:
        for j in range(n_out):
            x = score[j] + current[j]
            score[j] = min(max(x, v_min), v_max) if fixed else x
        return 0
    fired = 0
    for j in range(n_out):
        if fixed:
            x = min(max(np.floor(v[j] * beta_q * (1.0 / 65536.0)) + current[j], v_min), v_max)
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
def lif_event(spikes, weight, bias, beta, threshold, reset_zero, fixed, beta_q, v_min, v_max, is_output, block):
    """Event-driven layer. ``spikes`` [B, T, n_in] counts (uint8/uint16); ``weight`` [n_in, n_out].

    Samples are taken ``block`` at a time (blocks run in parallel). One scan
    of the block's spike trains counts the events per input, a second places
    them (a counting sort; rescanning the bytes is cheaper than storing
    events), so each weight row is loaded once per block and added to the
    current of every (sample, step) where that input spiked. The block's
    currents ([block·T, n_out]) then drive the neuron scan. For every (sample,
    step) the rows are added in increasing input order, bias first, so the sums
    equal a step-by-step accumulation. Larger blocks reuse rows more at low
    rates; at high rates their currents fall out of cache (the engine picks
    the block size from the input density).

    Returns (out_spikes uint8 [B, T, n_out], spike_counts int32 [B, n_out],
    score [B, n_out], in_count int64 [B, T], any_input bool [B, T], out_count int64 [B, T]).
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
    n_blocks = (n_batch + block - 1) // block
    slots = block * n_steps
    for b in prange(n_blocks):
        first = b * block
        size = min(n_batch, first + block) - first
        sorted_slot = np.empty(slots * n_in, dtype=np.int32)
        sorted_count = np.empty(slots * n_in, dtype=np.int32)
        bucket_end = np.zeros(n_in + 1, dtype=np.int64)
        currents = np.empty((slots, n_out), dtype=weight.dtype)
        v = np.empty(n_out, dtype=weight.dtype)
        for s in range(size):  # pass 1: count the events of each input
            for t in range(n_steps):
                row = spikes[first + s, t]
                total = 0
                for i in range(n_in):
                    c = row[i]
                    if c != 0:
                        bucket_end[i + 1] += 1
                        total += c
                in_count[first + s, t] = total
                any_input[first + s, t] = total > 0
                currents[s * n_steps + t, :] = bias
        for i in range(n_in):
            bucket_end[i + 1] += bucket_end[i]
        for s in range(size):  # pass 2: place each event in its input's bucket
            for t in range(n_steps):
                row = spikes[first + s, t]
                for i in range(n_in):
                    c = row[i]
                    if c != 0:
                        position = bucket_end[i]
                        sorted_slot[position] = s * n_steps + t
                        sorted_count[position] = c
                        bucket_end[i] = position + 1
        start = 0
        for i in range(n_in):  # bucket_end[i] is now where bucket i ends
            w_row = weight[i]
            for e in range(start, bucket_end[i]):
                cur = currents[sorted_slot[e]]
                c = sorted_count[e]
                if c == 1:
                    for j in range(n_out):
                        cur[j] += w_row[j]
                else:
                    for j in range(n_out):
                        cur[j] += c * w_row[j]
            start = bucket_end[i]
        for s in range(size):
            v[:] = 0
            for t in range(n_steps):
                out_row = dummy_row if is_output else out_spikes[first + s, t]
                out_count[first + s, t] = _neuron_step(v, currents[s * n_steps + t], beta, threshold, reset_zero, fixed,
                                                       beta_q, v_min, v_max, out_row, spike_counts[first + s], score[first + s], is_output)
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
