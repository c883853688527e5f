"""The simulation engine: layer-major evaluation of a feed-forward LIF network."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numba
import numpy as np

from ..errors import DesignError
from .activity import Activity, LayerActivity
from .kernels import as_words, lif_dense, lif_event, weight_tiles
from .quantize import beta_fixed, quantize_layer
from .resample import resample

DENSE_DENSITY = 0.4
"""Input density (share of non-zero inputs) above which ``path='auto'`` takes the dense path."""
CHUNK = 1000
"""Samples simulated together; bounds the memory of spike trains between layers."""
PATHS = ("auto", "event", "dense")
GROUP = 16
"""Samples per work item of the event kernel (their events are listed once, then reused by every weight tile)."""


@dataclass(frozen=True)
class _LayerPlan:
    weight: np.ndarray
    bias: np.ndarray
    threshold: float
    beta: float
    fixed: bool
    beta_q: float
    v_min: float
    v_max: float
    timesteps: int
    reset_zero: bool
    scale: float

    @cached_property
    def tiles(self) -> np.ndarray:
        """The weights as the event kernel reads them (column tiles)."""
        return weight_tiles(self.weight)


def _per_layer(value: int | Sequence[int] | None, n_layers: int, default: int, field: str) -> list[int]:
    if value is None:
        return [default] * n_layers
    if isinstance(value, (int, np.integer)):
        return [int(value)] * n_layers
    values = [int(v) for v in value]
    if len(values) != n_layers:
        raise DesignError.single(field, list(value), f"one int or {n_layers} ints (one per layer)")
    return values


def _plan(layers, beta, threshold, reset_zero, timesteps, weight_bits, membrane_bits) -> list[_LayerPlan]:
    plans = []
    for (weight, bias), steps, w_bits, v_bits in zip(layers, timesteps, weight_bits, membrane_bits):
        if not 1 <= w_bits <= 32 or not 1 <= v_bits <= 32:
            raise DesignError.single("quantization", (w_bits, v_bits), "bit widths in 1..32")
        if w_bits < 32:
            q = quantize_layer(weight, bias, threshold, w_bits, v_bits)
            plans.append(_LayerPlan(q.weight, q.bias, q.threshold, float(beta), True, beta_fixed(beta), q.v_min, q.v_max, steps, reset_zero, q.scale))
        else:
            w = np.ascontiguousarray(weight, dtype=np.float32)
            plans.append(_LayerPlan(w, np.asarray(bias, dtype=np.float32), np.float32(threshold), np.float32(beta), False, 0.0, 0.0, 0.0, steps, reset_zero, 1.0))
    return plans


def _retime(spikes: np.ndarray, steps: int, rule: str) -> np.ndarray:
    if spikes.shape[1] == steps:
        return spikes
    if spikes.dtype.kind == "f":  # analog input: nearest source step (value-preserving for a constant current)
        return spikes[:, (np.arange(steps) * spikes.shape[1]) // steps]
    return resample(spikes, steps, rule)


def _density(spikes: np.ndarray, n_in: int, spike_total: int | None) -> float:
    """Share of non-zero inputs: from the previous layer's spike total when known, else counted on every 8th sample."""
    if spike_total is not None:
        return spike_total / max(1, spikes.shape[0] * spikes.shape[1] * n_in)
    sample = spikes[::8]
    return np.count_nonzero(sample) / max(1, sample.shape[0] * sample.shape[1] * n_in)


def _run_layer(plan: _LayerPlan, spikes: np.ndarray, is_output: bool, path: str, spike_total: int | None = None):
    """One layer on one chunk; returns (out_spikes, score, counters, path_taken).

    ``spike_total``: the number of spikes in ``spikes`` when the caller knows it (it only steers the path).
    """
    analog = spikes.dtype.kind == "f"
    density = _density(spikes, plan.weight.shape[0], None if analog else spike_total)
    dense = path == "dense" or analog or (path == "auto" and density > DENSE_DENSITY)
    args = (plan.beta, plan.threshold, plan.reset_zero, plan.fixed, plan.beta_q, plan.v_min, plan.v_max, is_output)
    if dense:
        n_batch, n_steps, _ = spikes.shape
        n_in = plan.weight.shape[0]
        flat = spikes[:, :, :n_in].reshape(n_batch * n_steps, n_in).astype(plan.weight.dtype)
        currents = (flat @ plan.weight + plan.bias).reshape(n_batch, n_steps, -1)
        out_spikes, counts, score, out_count = lif_dense(currents, *args)
        nonzero = spikes != 0
        in_count = nonzero.sum(axis=2, dtype=np.int64) if analog else spikes.sum(axis=2, dtype=np.int64)
        any_input = nonzero.any(axis=2)
    else:
        words, lane_bits = as_words(spikes)
        out_spikes, counts, score, in_count, any_input, out_count = lif_event(
            words, lane_bits, plan.tiles, plan.bias, *args, GROUP, numba.get_num_threads())
    return out_spikes, counts, score, (in_count, any_input, out_count), ("dense" if dense else "event"), analog


def simulate(
    layers: Sequence[tuple[np.ndarray, np.ndarray]],
    spikes: np.ndarray,
    beta: float = 0.9,
    threshold: float = 1.0,
    reset: str = "subtract",
    timesteps: int | Sequence[int] | None = None,
    weight_bits: int | Sequence[int] | None = None,
    membrane_bits: int | Sequence[int] | None = None,
    labels: np.ndarray | None = None,
    rule: str = "rate",
    path: str = "auto",
    chunk: int = CHUNK,
    name: str = "main",
) -> Activity:
    """Simulate a feed-forward LIF network and count its activity.

    ``layers``: list of (W float32 [n_in, n_out], b float32 [n_out]); the last is
    the non-spiking output layer. ``spikes``: [batch, T, n_in] — uint8/bool
    spikes or counts, or float32 analog input (direct encoding).
    ``timesteps``: None (T of ``spikes`` everywhere) or one int per layer; trains
    cross layers by the named ``rule`` (:mod:`snnexplorer.sim.resample`).
    ``weight_bits`` / ``membrane_bits``: per layer, 32 = float32; below 32 the
    layer runs in fixed point (:mod:`snnexplorer.sim.quantize`).
    ``path``: 'auto' picks per layer and chunk the event kernel or the dense
    (BLAS) one by input density; the choice is in ``Activity.paths``.
    """
    if reset not in ("subtract", "zero"):
        raise DesignError.single("network.neuron.reset", reset, "'subtract' or 'zero'")
    if path not in PATHS:
        raise DesignError.single("path", path, f"one of {list(PATHS)}")
    spikes = np.asarray(spikes)
    if spikes.ndim != 3 or spikes.shape[2] != layers[0][0].shape[0]:
        raise DesignError.single("spikes", spikes.shape, f"an array [batch, T, {layers[0][0].shape[0]}]")
    if spikes.dtype == np.bool_:
        spikes = spikes.view(np.uint8)
    n_layers = len(layers)
    steps = _per_layer(timesteps, n_layers, spikes.shape[1], "timesteps")
    plans = _plan(layers, beta, threshold, reset == "zero", steps,
                  _per_layer(weight_bits, n_layers, 32, "quantization.weight_bits"),
                  _per_layer(membrane_bits, n_layers, 32, "quantization.membrane_bits"))
    n_batch = spikes.shape[0]
    counters = [[[], [], []] for _ in plans]
    layer_spikes = [[] for _ in plans[:-1]]
    scores, paths, analog_flags = [], [[] for _ in plans], [False] * n_layers
    for start in range(0, n_batch, chunk):
        x = spikes[start:start + chunk]
        spike_total = None
        for index, plan in enumerate(plans):
            is_output = index == n_layers - 1
            x = _retime(x, plan.timesteps, rule)
            out, spike_counts, score, (in_count, any_input, out_count), taken, analog = _run_layer(plan, x, is_output, path, spike_total)
            counters[index][0].append(in_count.sum(axis=0))
            counters[index][1].append(any_input.sum(axis=0))
            counters[index][2].append(out_count.sum(axis=0))
            paths[index].append(taken)
            analog_flags[index] = analog
            if is_output:
                scores.append(score.astype(np.float64) * plan.scale)
            else:
                layer_spikes[index].append(spike_counts)
                x = out
                spike_total = int(out_count.sum())
    activity_layers = []
    for index, plan in enumerate(plans):
        n_in, n_out = plan.weight.shape
        in_spikes = np.sum(counters[index][0], axis=0).astype(np.int64)
        any_in = np.sum(counters[index][1], axis=0).astype(np.int64)
        out_spikes = np.sum(counters[index][2], axis=0).astype(np.int64)
        taken = set(paths[index])
        activity_layers.append(LayerActivity(
            n_in=n_in, n_out=n_out, timesteps=plan.timesteps, batch=n_batch,
            input_spikes=in_spikes, synaptic_ops=in_spikes * n_out,
            neuron_updates=np.full(plan.timesteps, n_batch * n_out, dtype=np.int64),
            neuron_updates_event=any_in * n_out, output_spikes=out_spikes,
            is_output=index == n_layers - 1, analog_input=analog_flags[index],
            path=taken.pop() if len(taken) == 1 else "mixed",
        ))
    potential = np.concatenate(scores)
    return Activity(
        layers=activity_layers,
        predictions=np.argmax(potential, axis=1),
        output_potential=potential,
        layer_spikes=[np.concatenate(s) for s in layer_spikes],
        labels=None if labels is None else np.asarray(labels)[:n_batch],
        name=name,
    )

