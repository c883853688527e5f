"""A plain numpy version of one STDP presentation: the same network, vectorized per step instead of per event.

It exists to check the numba kernel (:func:`snnexplorer.stdp.kernel.present`)
and to measure it against: every neuron is updated with whole-array numpy
operations each step, input currents come from a spike-vector × weight
product, and traces are decayed every step. The input spike trains (and the
stochastic-rounding draws) are the kernel's, so both see the same inputs.
"""

from __future__ import annotations

import numpy as np

from .kernel import (
    COUNTERS,
    DECAY_GE,
    DECAY_GI,
    INHIBITION,
    INHIBITORY,
    INPUT,
    NEURON,
    OUTPUT,
    REFRACTORY_E_STEPS,
    REFRACTORY_I_STEPS,
    SYNAPTIC,
    WEIGHT,
    poisson_schedule,
)
from .rule import (
    DT_MS,
    E_EXC,
    E_INH_E,
    ETA_PRE,
    MIN_SPIKES,
    TAU_E,
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
    STDPRule,
)

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(key: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = key + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform(seed: int, stream: int, index: np.ndarray) -> np.ndarray:
    """The kernel's :func:`~snnexplorer.stdp.kernel.uniform`, for an array of indices."""
    with np.errstate(over="ignore"):
        base = _mix(np.uint64(seed) * np.uint64(0xD1B54A32D192ED03) + np.uint64(stream & int(_MASK)))
        key = _mix(base + np.asarray(index, dtype=np.uint64))
    return ((key >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def _store(w: np.ndarray, levels: int, stochastic: bool, seed: int, stream: int, first_index: int) -> np.ndarray:
    w = np.clip(w, 0.0, W_MAX)
    if levels == 0:
        return w
    scaled = w * levels / W_MAX
    if stochastic:
        scaled = np.floor(scaled + uniform(seed, stream, first_index + np.arange(w.size)))
    else:
        scaled = np.round(scaled)
    return np.minimum(scaled, levels) * W_MAX / levels


def present(
    rates: np.ndarray, seed: int, stream: int, steps: int, weights: np.ndarray, theta: np.ndarray, learn: bool, rule: STDPRule
) -> tuple[int, np.ndarray, np.ndarray]:
    """One presentation; returns (excitatory spikes, spike counts [N], counters [len(COUNTERS), steps])."""
    inhibitory_neurons, strength, pre_depression, interval, adaptive, levels, stochastic, eta_post, x_tar = rule.kernel_args()
    n_in, n = weights.shape
    step_start, inputs = poisson_schedule(rates, seed, stream, steps)
    counters = np.zeros((len(COUNTERS), steps), dtype=np.int64)
    v, g_exc, g_inh = np.full(n, V_REST_E), np.zeros(n), np.zeros(n)
    refractory = np.zeros(n, dtype=np.int64)
    v_inh, g_inh_exc, refractory_inh = np.full(n, V_REST_I), np.zeros(n), np.zeros(n, dtype=np.int64)
    pre, post1, post2 = np.zeros(n_in), np.zeros(n), np.zeros(n)
    counts = np.zeros(n, dtype=np.int64)
    pending = np.zeros(n, dtype=bool)
    total, draws, rounding_stream = 0, 0, stream * 2 + 1
    decay_pre, decay_post1, decay_post2 = np.exp(-DT_MS / TAU_PRE), np.exp(-DT_MS / TAU_POST1), np.exp(-DT_MS / TAU_POST2)
    for t in range(steps):
        if t > 0:  # traces decay one step (the kernel computes e^(−Δt/τ) from the last spike instead)
            pre *= decay_pre
            post1 *= decay_post1
            post2 *= decay_post2
        free = refractory == 0
        v = np.where(free, v + DT_MS * ((V_REST_E - v) + g_exc * (E_EXC - v) + g_inh * (E_INH_E - v)) / TAU_E, v)
        v = np.clip(v, E_INH_E, E_EXC)
        refractory = np.where(free, refractory, refractory - 1)
        g_exc *= DECAY_GE
        g_inh *= DECAY_GI
        spiking = (refractory == 0) & (v > V_THRESH_E + theta)
        v[spiking] = V_RESET_E
        refractory[spiking] = REFRACTORY_E_STEPS
        if learn:
            theta[spiking] += THETA_PLUS
        fired = np.flatnonzero(spiking)
        counters[NEURON, t] += n
        counters[OUTPUT, t] += fired.size
        total += fired.size
        counts[fired] += 1
        if inhibitory_neurons:
            g_inh_exc[fired] += W_EXC_INH
            counters[INHIBITION, t] += fired.size
            free_inh = refractory_inh == 0
            v_inh = np.where(free_inh, v_inh + DT_MS * ((V_REST_I - v_inh) + g_inh_exc * (E_EXC - v_inh)) / TAU_I, v_inh)
            v_inh = np.minimum(v_inh, E_EXC)
            refractory_inh = np.where(free_inh, refractory_inh, refractory_inh - 1)
            g_inh_exc *= DECAY_GE
            inhibitory = (refractory_inh == 0) & (v_inh > V_THRESH_I)
            v_inh[inhibitory] = V_RESET_I
            refractory_inh[inhibitory] = REFRACTORY_I_STEPS
            for k in np.flatnonzero(inhibitory):
                g_inh[np.arange(n) != k] += W_INH_EXC
            counters[NEURON, t] += n
            counters[INHIBITORY, t] += int(inhibitory.sum())
            counters[INHIBITION, t] += int(inhibitory.sum()) * (n - 1)
        else:
            for k in fired:
                g_inh[np.arange(n) != k] += strength
            counters[INHIBITION, t] += fired.size * (n - 1)
        spikes = inputs[step_start[t] : step_start[t + 1]]
        counters[INPUT, t] += spikes.size
        counters[SYNAPTIC, t] += spikes.size * n
        for j in spikes:  # one row at a time, in input order, as the kernel sums them
            g_exc += weights[j]
            if learn and pre_depression:
                weights[j] = _store(weights[j] - ETA_PRE * post1, levels, stochastic, seed, rounding_stream, draws)
                draws += n
                counters[WEIGHT, t] += n
        pre[spikes] = 1.0
        if not learn:
            continue
        pending[fired] = True
        if (t + 1) % interval != 0 and t != steps - 1:
            continue
        factor = min(1.0, MIN_SPIKES / max(1, total)) if adaptive else 1.0
        for k in np.flatnonzero(pending):
            if pre_depression:
                change = eta_post * pre * post2[k]
            else:
                change = eta_post * factor * (pre - x_tar)
            weights[:, k] = _store(weights[:, k] + change, levels, stochastic, seed, rounding_stream, draws)
            draws += n_in
            counters[WEIGHT, t] += n_in
            post1[k] = post2[k] = 1.0
        pending[:] = False
    return total, counts, counters
