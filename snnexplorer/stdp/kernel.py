"""Numba kernels of the STDP network (semantics in :mod:`snnexplorer.stdp.rule`).

One presentation is simulated by :func:`present`, event-driven: each input
spike adds its weight row to the excitatory conductances, and STDP touches
only the weights of inputs and neurons that spiked; traces are not decayed
every step but computed from the time of the last spike when needed.
Training (:func:`train_samples`) is sequential over samples (the weights
change); inference (:func:`infer_samples`) runs samples in parallel.

Input spikes are Poisson trains drawn from a counter-based hash (SplitMix64),
so a (seed, sample) pair gives the same train in any order, on any thread,
and to the plain numpy reference (:mod:`snnexplorer.stdp.reference`).

Counters, per step of the presentation (rows of ``counters``):
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .rule import (
    DT_MS,
    E_EXC,
    E_INH_E,
    ETA_PRE,
    MAX_RATE_HZ,
    MAX_RETRIES,
    MIN_SPIKES,
    NORMALIZED_SUM,
    REFRACTORY_E,
    REFRACTORY_I,
    RETRY_RATE_HZ,
    TAU_E,
    TAU_GE,
    TAU_GI,
    TAU_I,
    TAU_POST1,
    TAU_POST2,
    TAU_PRE,
    THETA_PLUS,
    V_RESET_E,
    V_RESET_I,
    V_REST_E,
    V_REST_I,
    V_THRESH_E,
    V_THRESH_I,
    W_EXC_INH,
    W_INH_EXC,
    W_MAX,
)

COUNTERS = (
    "input_spikes",
    "synaptic_ops",
    "output_spikes",
    "neuron_updates",
    "inhibition_ops",
    "weight_updates",
    "inhibitory_spikes",
)
"""Rows of the counters array: input spikes; synaptic operations (input spikes × N); excitatory spikes; neuron
updates (excitatory, plus inhibitory when that layer exists); inhibition operations (conductance updates of lateral
inhibition); STDP weight updates (weights written); inhibitory spikes."""
__doc__ += "\n".join(f"``{i}`` {name}" for i, name in enumerate(COUNTERS)) + "."
INPUT, SYNAPTIC, OUTPUT, NEURON, INHIBITION, WEIGHT, INHIBITORY = range(len(COUNTERS))
DECAY_GE, DECAY_GI = float(np.exp(-DT_MS / TAU_GE)), float(np.exp(-DT_MS / TAU_GI))
REFRACTORY_E_STEPS, REFRACTORY_I_STEPS = round(REFRACTORY_E / DT_MS), round(REFRACTORY_I / DT_MS)
NEVER = -1.0e9
"""Time of the last spike of a neuron that has not spiked: its trace is e^(−∞) = 0."""


@njit(cache=True, nogil=True, inline="always")
def _mix(key):
    """SplitMix64 finalizer of a uint64 key."""
    z = key + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True, inline="always")
def uniform(seed, stream, index):
    """A uniform number in (0, 1) for (seed, stream, index), the same wherever it is drawn."""
    key = _mix(np.uint64(seed) * np.uint64(0xD1B54A32D192ED03) + np.uint64(stream)) + np.uint64(index)
    return ((_mix(key) >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, inline="always")
def _gap(p, log_q, seed, stream, j, k):
    """Steps to input j's next spike (its k-th draw): geometric with success probability p."""
    if p >= 1.0:
        return 1
    return int(np.floor(np.log(uniform(seed, stream, j * 65536 + k)) / log_q)) + 1


@njit(cache=True, nogil=True)
def poisson_schedule(rates, seed, stream, steps):
    """Input spikes of one presentation as (step_start [steps + 1], inputs): inputs of step t are
    ``inputs[step_start[t]:step_start[t + 1]]``, in increasing order.

    Input j spikes with probability ``rates[j]`` per step; its gaps are drawn as
    geometric numbers (one draw per spike, not per step). A first sweep counts
    the spikes of each step, a second (the same draws) places them.
    """
    n_in = rates.shape[0]
    step_start = np.zeros(steps + 1, dtype=np.int64)
    inputs = np.empty(0, dtype=np.int32)
    position = np.empty(0, dtype=np.int64)
    for sweep in range(2):
        for j in range(n_in):
            if rates[j] <= 0.0:
                continue
            lq = np.log1p(-rates[j]) if rates[j] < 1.0 else 0.0
            t, k = -1, 0
            while True:
                t += _gap(rates[j], lq, seed, stream, j, k)
                k += 1
                if t >= steps:
                    break
                if sweep == 0:
                    step_start[t + 1] += 1
                else:
                    inputs[position[t]] = j
                    position[t] += 1
        if sweep == 0:
            for t in range(steps):
                step_start[t + 1] += step_start[t]
            inputs = np.empty(step_start[steps], dtype=np.int32)
            position = step_start[:steps].copy()
    return step_start, inputs


@njit(cache=True, nogil=True, inline="always")
def _store(weight, levels, stochastic, seed, stream, index):
    """Clip to [0, w_max] and, in fixed point, round to the grid of w_max / levels."""
    weight = min(max(weight, 0.0), W_MAX)
    if levels == 0:
        return weight
    scaled = weight * levels / W_MAX
    if stochastic:
        scaled = np.floor(scaled + uniform(seed, stream, index))
    else:
        scaled = np.round(scaled)
    return min(scaled, levels) * W_MAX / levels


@njit(cache=True, nogil=True)
def present(rates, seed, stream, steps, weights, theta, learn, rule, counters, spike_counts):
    """One presentation of one sample under ``rule`` (:class:`~snnexplorer.stdp.rule.KernelRule`); returns its
    excitatory spike count.

    ``weights`` [784, N] and ``theta`` [N] are updated in place when ``learn``;
    ``counters`` [len(COUNTERS), steps] and ``spike_counts`` [N] are added to.
    """
    inhibitory_neurons, inhibition_strength, pre_depression, update_interval, adaptive, levels, stochastic, eta_post, x_tar = rule
    n_in, n = weights.shape
    step_start, inputs = poisson_schedule(rates, seed, stream, steps)
    v = np.full(n, V_REST_E)
    g_exc = np.zeros(n)
    g_inh = np.zeros(n)
    refractory = np.zeros(n, dtype=np.int64)
    v_inh = np.full(n, V_REST_I)
    g_inh_exc = np.zeros(n)
    refractory_inh = np.zeros(n, dtype=np.int64)
    last_pre = np.full(n_in, NEVER)
    last_post = np.full(n, NEVER)
    post_trace = np.zeros(n)
    pre_trace = np.zeros(n_in)
    fired = np.empty(n, dtype=np.int64)
    pending = np.zeros(n, dtype=np.bool_)
    total = 0
    draws = 0  # stochastic-rounding draws of this presentation
    rounding_stream = stream * 2 + 1
    for t in range(steps):
        n_fired = 0
        for i in range(n):  # excitatory neurons
            if refractory[i] > 0:
                refractory[i] -= 1
            else:
                v[i] += DT_MS * ((V_REST_E - v[i]) + g_exc[i] * (E_EXC - v[i]) + g_inh[i] * (E_INH_E - v[i])) / TAU_E
                v[i] = min(max(v[i], E_INH_E), E_EXC)  # the exact solution stays between the reversal potentials
            g_exc[i] *= DECAY_GE
            g_inh[i] *= DECAY_GI
            if refractory[i] == 0 and v[i] > V_THRESH_E + theta[i]:
                v[i] = V_RESET_E
                refractory[i] = REFRACTORY_E_STEPS
                fired[n_fired] = i
                n_fired += 1
                if learn:
                    theta[i] += THETA_PLUS
        counters[NEURON, t] += n
        counters[OUTPUT, t] += n_fired
        total += n_fired
        for f in range(n_fired):
            spike_counts[fired[f]] += 1
        if inhibitory_neurons:  # one-to-one drive, then each inhibitory spike reaches every other excitatory neuron
            for f in range(n_fired):
                g_inh_exc[fired[f]] += W_EXC_INH
            counters[INHIBITION, t] += n_fired
            inhibitory_fired = 0
            for k in range(n):
                if refractory_inh[k] > 0:
                    refractory_inh[k] -= 1
                else:
                    v_inh[k] += DT_MS * ((V_REST_I - v_inh[k]) + g_inh_exc[k] * (E_EXC - v_inh[k])) / TAU_I
                    v_inh[k] = min(v_inh[k], E_EXC)
                g_inh_exc[k] *= DECAY_GE
                if refractory_inh[k] == 0 and v_inh[k] > V_THRESH_I:
                    v_inh[k] = V_RESET_I
                    refractory_inh[k] = REFRACTORY_I_STEPS
                    inhibitory_fired += 1
                    for i in range(n):
                        if i != k:
                            g_inh[i] += W_INH_EXC
            counters[NEURON, t] += n
            counters[INHIBITORY, t] += inhibitory_fired
            counters[INHIBITION, t] += inhibitory_fired * (n - 1)
        elif n_fired > 0:
            for f in range(n_fired):
                for i in range(n):
                    if i != fired[f]:
                        g_inh[i] += inhibition_strength
            counters[INHIBITION, t] += n_fired * (n - 1)
        n_inputs = step_start[t + 1] - step_start[t]
        counters[INPUT, t] += n_inputs
        counters[SYNAPTIC, t] += n_inputs * n
        if learn and pre_depression and n_inputs > 0:
            for i in range(n):
                post_trace[i] = np.exp(-(t - last_post[i]) * DT_MS / TAU_POST1)
        for e in range(step_start[t], step_start[t + 1]):  # input spikes: currents, then (Diehl & Cook) depression
            j = inputs[e]
            row = weights[j]
            for i in range(n):
                g_exc[i] += row[i]
            if learn and pre_depression:
                for i in range(n):
                    row[i] = _store(row[i] - ETA_PRE * post_trace[i], levels, stochastic, seed, rounding_stream, draws + i)
                draws += n
                counters[WEIGHT, t] += n
            last_pre[j] = t
        if not learn:
            continue
        for f in range(n_fired):
            pending[fired[f]] = True
        if (t + 1) % update_interval != 0 and t != steps - 1:
            continue
        factor = min(1.0, MIN_SPIKES / max(1, total)) if adaptive else 1.0
        traces_ready = False
        for k in range(n):  # potentiation (and, without pre-spike depression, the depression) of the spiking neurons
            if not pending[k]:
                continue
            if not traces_ready:
                for j in range(n_in):
                    pre_trace[j] = np.exp(-(t - last_pre[j]) * DT_MS / TAU_PRE)
                traces_ready = True
            post2_before = np.exp(-(t - last_post[k]) * DT_MS / TAU_POST2)
            for j in range(n_in):
                if pre_depression:
                    change = eta_post * pre_trace[j] * post2_before
                else:
                    change = eta_post * factor * (pre_trace[j] - x_tar)
                weights[j, k] = _store(weights[j, k] + change, levels, stochastic, seed, rounding_stream, draws + j)
            draws += n_in
            counters[WEIGHT, t] += n_in
            last_post[k] = t
            pending[k] = False
    return total


@njit(cache=True, nogil=True, inline="always")
def _respond(rates, seed, stream, steps, weights, theta, learn, rule, counters, spike_counts):
    """Present a sample, again with a higher rate while it draws fewer than MIN_SPIKES spikes (Diehl & Cook)."""
    scaled = rates.copy()
    for attempt in range(MAX_RETRIES + 1):
        spike_counts[:] = 0
        total = present(
            scaled, seed, stream * (MAX_RETRIES + 1) + attempt, steps, weights, theta, learn, rule, counters, spike_counts
        )
        if total >= MIN_SPIKES:
            break
        scaled[:] = rates * (MAX_RATE_HZ + (attempt + 1) * RETRY_RATE_HZ) / MAX_RATE_HZ
    return attempt + 1


@njit(cache=True, nogil=True)
def normalize(weights, levels, stochastic, seed, stream):
    """Scale each neuron's incoming weights to sum to 78 (Diehl & Cook), on the grid in fixed point; returns writes."""
    n_in, n = weights.shape
    for i in range(n):
        column_sum = 0.0
        for j in range(n_in):
            column_sum += weights[j, i]
        if column_sum > 0.0:
            scale = NORMALIZED_SUM / column_sum
            for j in range(n_in):
                weights[j, i] = _store(weights[j, i] * scale, levels, stochastic, seed, stream, i * n_in + j)
    return n_in * n


@njit(cache=True, nogil=True)
def train_samples(rates, sample_ids, seed, steps, weights, theta, rule, counters):
    """Learn from samples in order (``rates`` [S, 784], ``sample_ids`` their stream numbers); returns
    (presentations, normalization writes)."""
    n = weights.shape[1]
    spike_counts = np.zeros(n, dtype=np.int64)
    presentations = 0
    writes = 0
    levels, stochastic = rule.levels, rule.stochastic
    for s in range(rates.shape[0]):
        presentations += _respond(rates[s], seed, sample_ids[s], steps, weights, theta, True, rule, counters, spike_counts)
        writes += normalize(weights, levels, stochastic, seed, -1 - sample_ids[s])
    return presentations, writes


@njit(cache=True, nogil=True, parallel=True)
def infer_samples(rates, sample_ids, seed, steps, weights, theta, rule, threads):
    """Responses (spike counts [S, N]) of the frozen network; returns (spike_counts, counters, presentations)."""
    n_samples = rates.shape[0]
    n = weights.shape[1]
    out = np.zeros((n_samples, n), dtype=np.int64)
    counters = np.zeros((threads, len(COUNTERS), steps), dtype=np.int64)
    presentations = np.zeros(threads, dtype=np.int64)
    for worker in prange(threads):
        theta_copy = theta.copy()
        for s in range(worker, n_samples, threads):
            presentations[worker] += _respond(
                rates[s], seed, sample_ids[s], steps, weights, theta_copy, False, rule, counters[worker], out[s]
            )
    return out, counters.sum(axis=0), int(presentations.sum())
