"""The simulation engine: layer-major evaluation of a LIF network (a recurrent layer steps with its own spikes fed back)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np

from ..errors import DesignError, FieldProblem
from .activity import Activity, LayerActivity, read_back
from .conv import Conv, channels_last, lif_conv
from .kernels import NeuronParams, as_words, count_scores, lif_dense, lif_event, unpack_bits, weight_tiles
from .neurons import NeuronCoefficients
from .quantize import beta_fixed, quantize_layer
from .resample import resample

DENSE_DENSITY = 0.5
"""Input density (share of non-zero inputs) above which ``path='auto'`` takes the dense path: where the two cost the
same on a 784 → 512 layer, 2 threads (``python benchmarks/event_path_limits.py``)."""
DENSE_BLOCK = 2048
"""(sample, step) rows cast and multiplied at a time by the dense path."""
DENSITY_SAMPLES = 64
"""About this many samples of a layer's input are counted to estimate its density (it only steers the path)."""
CHUNK = 1000
"""Samples simulated together; bounds the memory of spike trains between layers."""
PATHS = ("auto", "event", "dense")
GROUP = 64
"""Most samples per work item of the event kernel (their events are listed once, then reused by every weight tile);
fewer when the batch would not give every thread one."""


Layer = "tuple[np.ndarray, np.ndarray] | Conv | RecurrentDense"


@dataclass(frozen=True)
class RecurrentDense:
    """A fully connected LIF layer whose spikes feed back: ``weight`` [n_in, n_out], ``bias`` [n_out] and
    ``recurrent`` W_rec [n_out, n_out] (row i: what a spike of neuron i adds to each input at the next step; the
    convention of :mod:`snnexplorer.sim.neurons`, whose kernel steps it). Float only."""

    weight: np.ndarray
    bias: np.ndarray
    recurrent: np.ndarray


@dataclass(frozen=True)
class _LayerPlan:
    weight: np.ndarray
    bias: np.ndarray
    neuron: NeuronParams
    timesteps: int
    scale: float
    conv: Conv | None = None
    recurrent: np.ndarray | None = None
    alpha: float = 0.0
    """Synaptic current decay (current-based LIF); 0: none."""

    @property
    def stepped(self) -> bool:
        """Whether the layer's neurons are stepped one by one with their own state (recurrence, a synaptic current)."""
        return self.recurrent is not None or self.alpha > 0

    @cached_property
    def coefficients(self) -> NeuronCoefficients:
        """This layer's LIF as the per-neuron update of :mod:`snnexplorer.sim.neurons` (i ← α·i + I with a synaptic
        current, v ← β·v + i, fire at v ≥ θ)."""
        n = self.n_neurons
        beta, threshold, reset_zero = self.neuron.beta, self.neuron.threshold, self.neuron.reset_zero
        zeros, ones = np.zeros(n, np.float32), np.ones(n, np.float32)
        return NeuronCoefficients(
            np.full(n, self.alpha, np.float32), ones, np.full(n, beta, np.float32), zeros, ones,
            np.full(n, threshold, np.float32), zeros, self.alpha > 0, True, not reset_zero, True,
        )  # fmt: skip

    @cached_property
    def tiles(self) -> np.ndarray:
        """The weights as the event kernel reads them (column tiles)."""
        return weight_tiles(self.weight)

    @cached_property
    def conv_weight(self) -> np.ndarray:
        """A convolution's weights channels-last, as :func:`lif_conv` reads them."""
        return channels_last(self.weight)

    @property
    def n_in(self) -> int:
        return self.conv.n_in if self.conv else int(self.weight.shape[0])

    @property
    def n_neurons(self) -> int:
        return self.conv.n_neurons if self.conv else int(self.weight.shape[1])

    @property
    def n_sent(self) -> int:
        """Spike lines this layer sends on (after pooling)."""
        return self.conv.n_out if self.conv else int(self.weight.shape[1])


@dataclass
class _LayerRun:
    """What one layer did on one chunk: per-sample outputs and per (sample, step) counters."""

    out_spikes: np.ndarray
    spike_counts: np.ndarray
    score: np.ndarray | None
    in_count: np.ndarray
    any_input: np.ndarray
    out_count: np.ndarray
    synaptic_ops: np.ndarray | None
    path: str
    analog: bool
    packed: bool = False
    """``out_spikes`` are packed bits (the event kernel's), not uint8."""
    recurrent_ops: np.ndarray | None = None
    """Of ``synaptic_ops``, the recurrent synapses' (a recurrent layer)."""


def _per_layer(value: int | Sequence[int] | None, n_layers: int, default: int, field: str) -> list[int]:
    if value is None:
        return [default] * n_layers
    if isinstance(value, (int, np.integer)):
        return [int(value)] * n_layers
    values = [int(v) for v in value]
    if len(values) != n_layers:
        raise DesignError.single(field, list(value), f"one int or {n_layers} ints (one per layer)")
    return values


def _widths(layer: Layer) -> tuple[int, int]:
    """(inputs, outputs) of a layer."""
    if isinstance(layer, Conv):
        return layer.n_in, layer.n_out
    return tuple(np.shape(layer.weight if isinstance(layer, RecurrentDense) else layer[0]))


def _check_chain(layers: Sequence[Layer]) -> None:
    """Each layer's input width equals the previous one's output; the output layer is fully connected."""
    problems = []
    widths = [_widths(layer) for layer in layers]
    for index in range(1, len(layers)):
        if widths[index][0] != widths[index - 1][1]:
            problems.append(
                (f"layers[{index}]", widths[index], f"{widths[index - 1][1]} inputs, the outputs of layers[{index - 1}]")
            )
    if layers and isinstance(layers[-1], (Conv, RecurrentDense)):
        problems.append((f"layers[{len(layers) - 1}]", type(layers[-1]).__name__, "a fully connected (W, b) output layer"))
    for index, layer in enumerate(layers):
        if isinstance(layer, RecurrentDense) and np.shape(layer.recurrent) != (widths[index][1],) * 2:
            problems.append(
                (f"layers[{index}].recurrent", np.shape(layer.recurrent), f"[{widths[index][1]}, {widths[index][1]}]")
            )
    if problems:
        raise DesignError([FieldProblem(*problem) for problem in problems])


def _plan(layers, beta, threshold, reset_zero, timesteps, weight_bits, membrane_bits, alpha) -> list[_LayerPlan]:
    plans = []
    for index, (layer, steps, w_bits, v_bits) in enumerate(zip(layers, timesteps, weight_bits, membrane_bits)):
        conv = layer if isinstance(layer, Conv) else None
        recurrent = layer.recurrent if isinstance(layer, RecurrentDense) else None
        weight, bias = (layer.weight, layer.bias) if conv or recurrent is not None else layer
        if not 1 <= w_bits <= 32 or not 1 <= v_bits <= 32:
            raise DesignError.single("quantization", (w_bits, v_bits), "bit widths in 1..32")
        if recurrent is not None and (w_bits, v_bits) != (32, 32):
            raise DesignError.single("quantization", (w_bits, v_bits), "32 (float) for a recurrent layer")
        hidden_alpha = alpha if index < len(layers) - 1 else 0.0  # the output layer integrates its currents
        if hidden_alpha and (conv or (w_bits, v_bits) != (32, 32)):
            why = "a conv layer" if conv else f"bits {(w_bits, v_bits)}"
            raise DesignError.single("network.neuron.alpha", alpha, f"0 for layers[{index}] ({why}): dense float layers only")
        if w_bits < 32:
            q = quantize_layer(weight, bias, threshold, w_bits, v_bits)
            plans.append(
                _LayerPlan(
                    q.weight,
                    q.bias,
                    NeuronParams(float(beta), q.threshold, reset_zero, True, beta_fixed(beta), q.v_min, q.v_max),
                    steps,
                    q.scale,
                    conv,
                )
            )
        else:
            w = np.ascontiguousarray(weight, dtype=np.float32)
            plans.append(
                _LayerPlan(
                    w,
                    np.asarray(bias, dtype=np.float32),
                    NeuronParams(np.float32(beta), np.float32(threshold), reset_zero, False, 0.0, 0.0, 0.0),
                    steps,
                    1.0,
                    conv,
                    None if recurrent is None else np.ascontiguousarray(recurrent, dtype=np.float32),
                    float(hidden_alpha),
                )
            )
    return plans


def _retime(spikes: np.ndarray, steps: int, rule: str) -> np.ndarray:
    if spikes.shape[1] == steps:
        return spikes
    if spikes.dtype.kind == "f":  # analog input: nearest source step (value-preserving for a constant current)
        return spikes[:, (np.arange(steps) * spikes.shape[1]) // steps]
    return resample(spikes, steps, rule)


def _density(spikes: np.ndarray, n_in: int, spike_total: int | None) -> float:
    """Share of non-zero inputs: from the previous layer's spike total when known, else counted on ~64 evenly spaced samples."""
    if spike_total is not None:
        return spike_total / max(1, spikes.shape[0] * spikes.shape[1] * n_in)
    sample = spikes[:: max(1, len(spikes) // DENSITY_SAMPLES)]
    return np.count_nonzero(sample) / max(1, sample.shape[0] * sample.shape[1] * n_in)


def _dense_currents(spikes: np.ndarray, plan: _LayerPlan) -> np.ndarray:
    """Input currents [B, T, n_out] = spikes · W + b by BLAS, ``DENSE_BLOCK`` (sample, step) rows at a time.

    Each block of inputs is cast to float into one reused buffer and multiplied
    straight into the result: no float copy of the whole input, no temporary
    for the bias (a 1,000-sample 784 → 512 layer otherwise allocated ~200 MB per
    call, page by page).
    """
    n_batch, n_steps, _ = spikes.shape
    rows = spikes[:, :, : plan.n_in].reshape(n_batch * n_steps, plan.n_in)
    currents = np.empty((len(rows), plan.n_neurons), dtype=plan.weight.dtype)
    buffer = np.empty((min(DENSE_BLOCK, len(rows)), plan.n_in), dtype=plan.weight.dtype)
    for start in range(0, len(rows), DENSE_BLOCK):
        block = rows[start : start + DENSE_BLOCK]
        np.copyto(buffer[: len(block)], block)
        np.matmul(buffer[: len(block)], plan.weight, out=currents[start : start + len(block)])
    currents += plan.bias
    return currents.reshape(n_batch, n_steps, -1)


def _run_layer(
    plan: _LayerPlan, spikes: np.ndarray, is_output: bool, path: str, spike_total: int | None = None, packed: bool = False
) -> _LayerRun:
    """One layer on one chunk.

    ``spike_total``: the number of spikes in ``spikes`` when the caller knows it (it only steers the path).
    ``packed``: ``spikes`` are bits as :func:`lif_event` emits them.
    """
    analog = spikes.dtype.kind == "f"
    density = _density(spikes, plan.n_in, None if analog else spike_total)
    dense = path == "dense" or analog or (path == "auto" and density > DENSE_DENSITY)
    if packed and (plan.conv or dense):
        spikes, packed = unpack_bits(spikes, plan.n_in), False
    if plan.stepped:
        return _run_stepped(plan, unpack_bits(spikes, plan.n_in) if packed else spikes, analog)
    if plan.conv:
        out_spikes, counts, in_count, any_input, out_count, synaptic_ops = lif_conv(
            np.ascontiguousarray(spikes), analog, plan.conv_weight, plan.bias, plan.conv.shape, plan.neuron
        )
        return _LayerRun(out_spikes, counts, None, in_count, any_input, out_count, synaptic_ops, "event", analog)
    if dense:
        out_spikes, counts, score, out_count = lif_dense(_dense_currents(spikes, plan), plan.neuron, is_output)
        in_count = np.count_nonzero(spikes, axis=2) if analog else spikes.sum(axis=2, dtype=np.int64)
        any_input = in_count > 0
    else:
        words, lane_bits = (spikes, 1) if packed else as_words(spikes)
        threads = numba.get_num_threads()
        group = max(1, min(GROUP, -(-spikes.shape[0] // threads)))
        out_spikes, counts, score, in_count, any_input, out_count = lif_event(
            words, lane_bits, plan.tiles, plan.bias, plan.neuron, is_output, group, threads
        )
    return _LayerRun(
        out_spikes, counts, score, in_count, any_input, out_count, None, "dense" if dense else "event", analog, packed=not dense
    )


def _run_stepped(plan: _LayerPlan, spikes: np.ndarray, analog: bool) -> _LayerRun:
    """A recurrent layer, or one with a synaptic current, on one chunk: its feed-forward currents by BLAS, then its
    neurons stepped with their own state (:func:`~snnexplorer.sim.neurons.step_neurons`), a recurrent layer's own
    spikes fed back (rows of W_rec read for the neurons that spiked). Those spikes of step t − 1 count among its
    inputs of step t. An event-driven core updates the layer at the steps it has input and, with a synaptic current,
    at every step after its first input too: the current keeps charging the membrane as it decays."""
    n, recurrent = plan.n_neurons, plan.recurrent is not None
    fed_back = np.full(n, n, dtype=np.int64)  # each spike reaches every neuron
    out_spikes, counts, out_count, _, _, recurrent_ops = plan.coefficients.step(
        _dense_currents(spikes, plan), plan.recurrent, fed_back if recurrent else None
    )
    feed_forward = np.count_nonzero(spikes, axis=2) if analog else spikes.sum(axis=2, dtype=np.int64)
    in_count = feed_forward + read_back(out_count) if recurrent else feed_forward
    synaptic_ops = feed_forward * n + recurrent_ops
    any_input = in_count > 0
    return _LayerRun(
        out_spikes,
        counts,
        None,
        in_count,
        np.logical_or.accumulate(any_input, axis=1) if plan.alpha > 0 else any_input,
        out_count,
        synaptic_ops,
        "recurrent" if recurrent else "synaptic",
        analog,
        recurrent_ops=recurrent_ops if recurrent else None,
    )


def _integrates_counts(plan: _LayerPlan, previous: _LayerRun | None, previous_plan: _LayerPlan, rule: str) -> bool:
    """Whether the output layer can be computed from its inputs' spike counts (:func:`_integrate_counts`)."""
    return (
        previous is not None
        and not plan.neuron.fixed
        and plan.conv is None
        and previous_plan.conv is None
        and (rule == "rate" or previous.out_count.shape[1] == plan.timesteps)
    )


def _integrate_counts(plan: _LayerPlan, previous: _LayerRun, source_steps: int) -> _LayerRun:
    """The float output layer from the counts of the spikes it receives, without stepping it.

    It integrates without leak or spikes, so its score Σ_t (s[t]·W + b) is
    T·b + (Σ_t s[t])·W: one product with the per-sample spike counts (float64,
    :func:`~snnexplorer.sim.kernels.count_scores`), equal to the step-by-step
    sum up to rounding. The rate rule moves spikes
    between steps but keeps each neuron's count, so this holds across
    disaggregated timesteps too. Its counters come from the previous layer's.
    In fixed point the score saturates step by step, so that layer is stepped.
    """
    steps = plan.timesteps
    score = count_scores(previous.spike_counts, plan.weight, plan.bias, steps)
    in_count = previous.out_count
    if source_steps != steps:
        in_count = np.zeros((in_count.shape[0], steps), dtype=np.int64)
        np.add.at(in_count, (slice(None), (np.arange(source_steps) * steps) // source_steps), previous.out_count)
    return _LayerRun(
        np.zeros((len(score), 0), dtype=np.uint8),
        np.zeros((len(score), 0), dtype=np.int32),
        score,
        in_count,
        in_count > 0,
        np.zeros_like(in_count),
        None,
        "counts",
        False,
    )


def simulate(
    layers: Sequence[Layer],
    spikes: np.ndarray,
    beta: float = 0.9,
    threshold: float = 1.0,
    reset: str = "subtract",
    alpha: float = 0.0,
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

    ``layers``: list of (W float32 [n_in, n_out], b float32 [n_out]) fully
    connected layers, :class:`~snnexplorer.sim.conv.Conv` layers (inputs and
    outputs flattened in (C, H, W) order) or :class:`RecurrentDense` layers
    (hidden, float); the last, fully connected, is the
    non-spiking output layer. ``alpha`` > 0 gives the hidden layers a synaptic current (current-based LIF, dense
    float layers: :mod:`snnexplorer.sim.neurons`' update). ``spikes``: [batch, T, n_in] — uint8/bool
    spikes or counts, or float32 analog input (direct encoding).
    ``timesteps``: None (T of ``spikes`` everywhere) or one int per layer; trains
    cross layers by the named ``rule`` (:mod:`snnexplorer.sim.resample`).
    ``weight_bits`` / ``membrane_bits``: per layer, 32 = float32; below 32 the
    layer runs in fixed point (:mod:`snnexplorer.sim.quantize`).
    ``path``: 'auto' picks per layer and chunk the event kernel or the dense
    (BLAS) one by input density; the choice is in ``Activity.paths``. A float
    output layer after a fully connected one is computed from spike counts
    ('counts', :func:`_integrate_counts`), whatever ``path`` says.
    """
    if reset not in ("subtract", "zero"):
        raise DesignError.single("network.neuron.reset", reset, "'subtract' or 'zero'")
    if path not in PATHS:
        raise DesignError.single("path", path, f"one of {list(PATHS)}")
    spikes = np.asarray(spikes)
    _check_chain(layers)
    n_inputs = _widths(layers[0])[0]
    if spikes.ndim != 3 or spikes.shape[2] != n_inputs:
        raise DesignError.single("spikes", spikes.shape, f"an array [batch, T, {n_inputs}]")
    if spikes.dtype == np.bool_:
        spikes = spikes.view(np.uint8)
    n_layers = len(layers)
    steps = _per_layer(timesteps, n_layers, spikes.shape[1], "timesteps")
    plans = _plan(
        layers,
        beta,
        threshold,
        reset == "zero",
        steps,
        _per_layer(weight_bits, n_layers, 32, "quantization.weight_bits"),
        _per_layer(membrane_bits, n_layers, 32, "quantization.membrane_bits"),
        alpha,
    )
    n_batch = spikes.shape[0]
    input_bits = 8 if spikes.dtype == np.uint8 and spikes.size and int(spikes.max()) > 1 else 1
    counters = [
        [[], [], [], [], []] for _ in plans
    ]  # per layer: input spikes, steps with input, output spikes, synaptic ops, of them recurrent
    layer_spikes = [[] for _ in plans[:-1]]
    scores, paths, analog_flags = [], [[] for _ in plans], [False] * n_layers
    for start in range(0, n_batch, chunk):
        x = spikes[start : start + chunk]
        spike_total, packed, width = None, False, plans[0].n_in
        previous = None
        for index, plan in enumerate(plans):
            is_output = index == n_layers - 1
            if is_output and _integrates_counts(plan, previous, plans[index - 1], rule):
                run = _integrate_counts(plan, previous, x.shape[1])
            else:
                if packed and x.shape[1] != plan.timesteps:
                    x, packed = unpack_bits(x, width), False
                x = _retime(x, plan.timesteps, rule)
                run = _run_layer(plan, x, is_output, path, spike_total, packed)
            synaptic_ops = run.in_count * plan.n_neurons if run.synaptic_ops is None else run.synaptic_ops
            recurrent_ops = np.zeros_like(synaptic_ops) if run.recurrent_ops is None else run.recurrent_ops
            for counter, values in zip(
                counters[index], (run.in_count, run.any_input, run.out_count, synaptic_ops, recurrent_ops)
            ):
                counter.append(values.sum(axis=0))
            paths[index].append(run.path)
            analog_flags[index] = run.analog
            if is_output:
                scores.append(run.score.astype(np.float64) * plan.scale)
            else:
                layer_spikes[index].append(run.spike_counts)
                x, packed, width = run.out_spikes, run.packed, plan.n_sent
                spike_total = int(run.out_count.sum())
                previous = run
    activity_layers = []
    for index, plan in enumerate(plans):
        in_spikes, any_in, out_spikes, synaptic_ops, recurrent_ops = (np.sum(c, axis=0).astype(np.int64) for c in counters[index])
        taken = set(paths[index])
        n_out = plan.n_neurons
        feedback = 0 if plan.recurrent is None else plan.recurrent.size
        activity_layers.append(
            LayerActivity(
                n_in=plan.n_in + (0 if plan.recurrent is None else n_out),
                n_out=n_out,
                timesteps=plan.timesteps,
                batch=n_batch,
                input_spikes=in_spikes,
                synaptic_ops=synaptic_ops,
                neuron_updates=np.full(plan.timesteps, n_batch * n_out, dtype=np.int64),
                neuron_updates_event=any_in * n_out,
                output_spikes=out_spikes,
                is_output=index == n_layers - 1,
                analog_input=analog_flags[index],
                path=taken.pop() if len(taken) == 1 else "mixed",
                parameters=plan.weight.size + plan.bias.size + feedback,
                connections=(plan.conv.connections if plan.conv else plan.n_in * n_out) + feedback,
                zero_weights=int(plan.weight.size + feedback - np.count_nonzero(plan.weight))
                - (0 if plan.recurrent is None else int(np.count_nonzero(plan.recurrent))),
                weights=plan.weight.size + feedback,
                input_bits=input_bits if index == 0 else 1,
                recurrent_synaptic_ops=None if plan.recurrent is None else recurrent_ops,
                recurrent_connections=feedback,
                synaptic_current=plan.alpha > 0,
                channels=int(plan.conv.weight.shape[0]) if plan.conv else 0,
            )
        )
    return Activity.from_chunks(activity_layers, scores, layer_spikes, labels, name)
