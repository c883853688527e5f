"""From Activity to data movement: the items the memory model prices.

Each *item* is one data kind of one layer, described per inference (per
sample) by byte counts that do not depend on the hardware:

==========  ===============================================================
kind        what it is
==========  ===============================================================
weights     W (and b) at ``weight_bits``; read once per accumulate
state       membrane potential at ``membrane_bits`` (and a synaptic current as wide
            beside it, current-based LIF); read + written per neuron update
spikes      spike trains between layers: 1 bit per neuron per step (bitmap),
            or one address of ⌈log2 n⌉ bits per spike (address-event); a
            recurrent layer's own spikes, read back at the next step, join
            its input spikes (layer 0: an item of their own, on chip)
inputs      the encoded input of layer 0 (``mapping.input_format``: frames of
            1 bit per input per step, 8-bit counts for binned events; or
            one address-event packet per spike / event, ⌈log2 n⌉ address
            bits + :data:`TIMESTAMP_BITS`); 8-bit pixels for direct
            encoding, read once and reused every step, and for a sequence
            (``rows``: a new row every step) fetched row by row
outputs     the readout: one 32-bit score per class per sample, written out
partial_    only with ``mapping.accumulators = memory``: the running sum of
sums        each accumulate / MAC, read and written per operation (the
            membrane's width for an SNN, a 32-bit accumulator for an ANN)
==========  ===============================================================

With ``mapping.input_reuse = per-operation`` every synaptic op / MAC reads its
own input at the innermost level (a spike: one bit, or an address; an
activation or pixel: its bits) instead of each input once per layer. With
``mapping.weight_reuse = stationary`` a weight is read at the innermost level
at most once per step of its layer (once per sample for an ANN) and held while
it serves all its synaptic ops there: min(synaptic ops, weights × steps)
weights are read, instead of one per synaptic op. A conv layer's weight serves
every output position, so this is where it matters; but while it sweeps them it
meets a new input at every operation, and nothing below the innermost level
holds the layer's inputs, so a shared-kernel layer held weight-stationary reads
its inputs per operation whatever ``input_reuse`` says (the dataflow ZigZag's
mapper finds for such a layer).

Per item: ``read_use``/``write_use`` — bytes the compute reads/writes at the
innermost level; ``once`` — bytes per sample fetched from the level above
when the item's working set fits (weights: the whole matrix once per batch,
i.e. size / batch); ``stream_read``/``stream_write`` — bytes per sample that
cross a boundary when it does not fit (weights: every step, the rows that
some sample of the batch touches, estimated from the per-step spike rate r_t
as ``1 − (1 − r_t)^batch``; state and buffered spikes: spilled and read back);
``working_set`` — the bytes the loop nest needs resident for reuse:

* timestep-major: every layer each step, so the state of *all* layers of the
  (sub-)network must stay resident (its working set), and the weights reuse
  only if all weights fit beside that state; spike vectors of one step;
* layer-major: one layer for all its steps, so only that layer's state, and
  its weights beside it; but its whole output spike train is buffered for the
  next layer.

**Time window** (``mapping.time_window`` w, Lee et al., "Parallel Time Batching",
HPCA 2022): under timestep-major each layer runs w steps per turn, then the
next layer its w, and so on; w = 1 is timestep-major, w ≥ a layer's steps T its
layer-major end. The spike buffers hold w steps of each train. A layer that runs
in ⌈T / w⌉ > 1 windows has a middle tier between "fits" and "streams":

* weights: reused across the whole batch only if everything fits (as above);
  else, if the layer's own weights, state and its window's buffers in and out
  fit (``window_set``), read once per window: ⌈T / w⌉ × size / batch per sample
  (``window_read``) instead of the rows touched every step;
* state: every layer's state stays resident if it all fits; else, if the layer's
  own fits, it is spilled and read back once per window (``window_read`` =
  ``window_write`` = ⌈T / w⌉ × its bytes per sample) instead of at every update.

The cheaper of the window tier and streaming is taken, so at w = 1 the numbers
are timestep-major's and at w ≥ T layer-major's.

An ANN (Ottati et al. 2023) is priced with the same items: one pass, MACs,
``activation_bits`` activations in place of spikes and no state.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..per_layer import LAYER_MAPPING_FIELDS
from ..sim.activity import Activity, LayerActivity

KINDS = ("weights", "recurrent_weights", "state", "partial_sums", "spikes", "inputs", "outputs")
WEIGHT_KINDS = ("weights", "recurrent_weights")
"""The kinds that are weights: they share a layer's capacity rule, residency and forced level."""
SYNAPTIC_OP_KINDS = ("accumulate", "recurrent_accumulate", "mac")
"""Breakdown kinds of the synaptic operations: a recurrent layer's accumulates of its own spikes are their own kind."""
INPUT_PIXEL_BITS = 8
SCORE_BITS = 32
TIMESTAMP_BITS = 16
"""Timestamp of an input address-event packet (assumption: µs within a 65 ms window; N-MNIST's files use 23)."""
ACCUMULATOR_BITS = 32
"""Width of an ANN's MAC accumulator (an int8 MAC sums into 32 bits)."""


@dataclass
class Items:
    """Columns over items (one row per layer × kind), per sample, in bytes.

    A column is [I], or [P, I] where one Items holds P combinations of batch tile and mapping priced together
    (:func:`network_items` with array layouts; :meth:`take` picks one). ``window_set``, ``window_read`` and
    ``window_write`` are the middle tier of a time window (see the module docstring); None: no such tier."""

    layer: np.ndarray
    kind: list[str]
    network: list[str]
    read_use: np.ndarray
    write_use: np.ndarray
    once: np.ndarray
    stream_read: np.ndarray
    stream_write: np.ndarray
    working_set: np.ndarray
    size: np.ndarray
    window_set: np.ndarray | None = None
    window_read: np.ndarray | None = None
    window_write: np.ndarray | None = None

    @classmethod
    def concat(cls, parts: list[Items]) -> Items:
        def column(name: str):
            values = [getattr(p, name) for p in parts]
            if isinstance(values[0], list):
                return [x for v in values for x in v]
            if any(v is None for v in values):
                if all(v is None for v in values):
                    return None
                values = [p.tier()[name] if v is None else v for p, v in zip(parts, values)]
            if len({np.ndim(v) for v in values}) > 1:  # a [P, I] part beside an [I] one: the same for every P
                rows = max(np.shape(v)[0] for v in values if np.ndim(v) > 1)
                values = [np.broadcast_to(v, (rows, np.shape(v)[-1])) for v in values]
            return np.concatenate(values, axis=-1)

        return cls(*(column(f) for f in cls.__dataclass_fields__))

    def tier(self) -> dict[str, np.ndarray]:
        """The window tier's columns, defaulted where this Items has none (no middle tier: it is the working set)."""
        return {
            "window_set": self.working_set if self.window_set is None else self.window_set,
            "window_read": self.once if self.window_read is None else self.window_read,
            "window_write": np.zeros_like(self.stream_write) if self.window_write is None else self.window_write,
        }

    def take(self, rows) -> Items:
        """Combination(s) ``rows`` of a [P, I] Items (an int: a plain [I] Items; an array: [len(rows), I])."""
        return Items(
            *(
                value[rows] if isinstance(value, np.ndarray) and value.ndim == 2 else value
                for value in (getattr(self, f) for f in self.__dataclass_fields__)
            )
        )

    def __len__(self) -> int:
        return len(self.kind)


@dataclass
class Ops:
    """Operation counts per sample, per layer: accumulates, MACs, neuron updates; and the layer's weight and state
    (membrane) widths in bits, which set each operation's energy (:mod:`snnexplorer.hardware.operations`;
    None: float32)."""

    layer: np.ndarray
    network: list[str]
    accumulate: np.ndarray
    mac: np.ndarray
    neuron_update: np.ndarray
    weight_bits: np.ndarray | None = None
    state_bits: np.ndarray | None = None
    activation_bits: np.ndarray | None = None
    timesteps: np.ndarray | None = None
    """Steps each layer runs (an ANN layer: 1); None: 1."""
    neurons: np.ndarray | None = None
    """Neurons of the layer (what fills a core). None: 0."""
    weight_bytes: np.ndarray | None = None
    """Bytes of the layer's weights and biases (what fills a core's synaptic memory). None: 0."""
    inputs: np.ndarray | None = None
    """Inputs of the layer (the first layer's: the network's input neurons). None: 0."""
    shared: np.ndarray | None = None
    """1 where the layer's synapses share weights (a convolution: more synapses than parameters), else 0. None: 0."""
    per_step: list[np.ndarray] | None = None
    """Per layer, float [4, steps]: per sample and step, the spikes (non-zero activations) reaching the layer,
    its synaptic ops, its neurons with input, and the spikes it sends on (what a chip of cores prices step by
    step, :mod:`snnexplorer.hardware.cores`). None: not counted."""
    recurrent_accumulate: np.ndarray | None = None
    """Of ``accumulate``, the recurrent synapses' (a layer's own spikes of the step before). None: 0."""

    @classmethod
    def concat(cls, parts: list[Ops]) -> Ops:
        def column(f: str):
            values = [getattr(p, f) for p in parts]
            if f in ("network", "per_step"):
                return None if any(v is None for v in values) else [x for v in values for x in v]
            if any(v is None for v in values):
                default = {
                    "timesteps": 1.0,
                    "neurons": 0.0,
                    "weight_bytes": 0.0,
                    "inputs": 0.0,
                    "shared": 0.0,
                    "recurrent_accumulate": 0.0,
                }.get(f, 32.0)
                values = [np.full(len(p.layer), default) if v is None else v for p, v in zip(parts, values)]
            return np.concatenate(values)

        return cls(*(column(f) for f in cls.__dataclass_fields__))

    def groups(self) -> list[tuple[str, int]]:
        """The (network, layer) of each layer group, in order."""
        return list(dict.fromkeys(zip(self.network, self.layer.tolist())))

    def bits(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(weight, state, activation) bits per layer, float32 where not given; a MAC multiplies a weight by an
        activation (an ANN's, or a pixel of a direct-encoded input)."""
        full = np.full(len(self.layer), 32.0)
        return tuple(full if b is None else b for b in (self.weight_bits, self.state_bits, self.activation_bits))


def _rows_touched(layer: LayerActivity, batch: np.ndarray) -> np.ndarray:
    """Summed over the steps, the share of weight rows that at least one sample of the batch uses (one per batch
    size; each distinct size computed once)."""
    per_input = np.minimum(layer.input_spikes / max(1, layer.batch * layer.n_in), 1.0)
    if layer.analog_input:
        per_input = np.minimum(layer.synaptic_ops / max(1, layer.batch * layer.connections), 1.0)
    sizes, where = np.unique(batch, return_inverse=True)
    return (1.0 - (1.0 - per_input) ** sizes[:, None]).sum(axis=1)[where].reshape(np.shape(batch))


def _address_bits(n: int) -> int:
    """Bits of one address among ``n`` neurons."""
    return max(1, math.ceil(math.log2(max(2, n))))


def _spike_bits(n: int, spikes_per_sample: float, steps: int, address_events) -> np.ndarray:
    return np.where(address_events, spikes_per_sample * _address_bits(n), float(n * steps))


def _input_bits(layer: LayerActivity, samples: int, activation_bits: int | None, address_events) -> np.ndarray:
    """Bits per sample of a layer's input train (an ANN's, ``activation_bits`` set: one activation vector per pass,
    one pass per step of a sequence)."""
    if activation_bits is not None:
        return np.asarray(float(layer.n_in * activation_bits * layer.timesteps))
    return _spike_bits(layer.n_in, layer.input_spikes.sum() / samples, layer.timesteps, address_events)


def _network_input_bits(layer: LayerActivity, samples: int, address_events) -> np.ndarray:
    """Bits per sample of the network's input (layer 0's): frames, or address-event packets with timestamps."""
    packets = layer.input_spikes.sum() / samples * (_address_bits(layer.n_in) + TIMESTAMP_BITS)
    return np.where(address_events, packets, float(layer.n_in * layer.timesteps * layer.input_bits))


LAYER_MAJOR_WINDOW = math.inf
"""The time window of ``loop_order: layer-major``: every step of a layer per fetch of its weights."""


class Layout(NamedTuple):
    """How one network is laid out: the mapping's choices the items depend on (:class:`snnexplorer.design.Mapping`
    has their meanings), each a value or an array over P combinations priced together.

    ``time_window``: steps a layer runs per fetch of its weights (1: timestep-major; :data:`LAYER_MAJOR_WINDOW`:
    layer-major); the others are the Mapping's choices by name (strings), ``event_driven`` a bool (the same for
    every combination: the ops depend on it)."""

    time_window: float | np.ndarray
    spike_format: str | np.ndarray
    event_driven: bool
    input_format: str | np.ndarray
    accumulators: str | np.ndarray
    input_reuse: str | np.ndarray
    weight_reuse: str | np.ndarray
    weight_tiles: int | np.ndarray = 1
    layered: bool = False
    """Whether the layer's own choices (:data:`~snnexplorer.per_layer.LAYER_MAPPING_FIELDS`) are per layer: arrays
    [..., layers]."""

    def is_(self, field: str, value: str) -> np.ndarray:
        """Where the choice ``field`` is ``value`` (bool, or bool per combination)."""
        return np.asarray(getattr(self, field)) == value

    def at(self, layer: int) -> Layout:
        """The layout of one layer: its own choices, where they are per layer."""
        if not self.layered:
            return self
        return self._replace(**{f: np.asarray(getattr(self, f))[..., layer] for f in LAYER_MAPPING_FIELDS}, layered=False)


BYTE_COLUMNS = tuple(name for name in Items.__dataclass_fields__ if name not in ("layer", "kind", "network"))
"""The byte columns of :class:`Items` (declared there once)."""

ItemRow = NamedTuple("ItemRow", [("layer", int), ("kind", str), *((name, np.ndarray) for name in BYTE_COLUMNS)])
ItemRow.__doc__ = """One item, a data kind of a layer, in bytes per sample (a row of :class:`Items`: its byte columns, each a
value or an array over combinations). ``window_*``: the middle tier of a time window (no tier: the working set,
``once`` and nothing written)."""


def _row(layer: int, kind: str, read_use, write_use, once, stream_read, stream_write, working_set, size) -> ItemRow:
    """An item with no window tier."""
    return ItemRow(layer, kind, read_use, write_use, once, stream_read, stream_write, working_set, size, working_set, once, 0.0)


@dataclass(frozen=True)
class _Network:
    """What the items of one network's layers share: its layout, batch, samples simulated, whether it is an ANN (with
    ``activation_bits`` activations), and each layer's weight, state and input-buffer bytes (for the whole batch),
    steps per window and windows per batch (values or arrays over combinations)."""

    layout: Layout
    batch: np.ndarray
    samples: int
    activation_bits: int | None
    weight_bytes: list[float]
    state_bytes: list[np.ndarray]
    buffer_bytes: list[np.ndarray]
    windows: list[np.ndarray]
    tiles: list[np.ndarray]
    sequential: bool = False
    """The input is a sequence (``Activity.sequential``): a new frame from outside every step."""

    @property
    def ann(self) -> bool:
        return self.activation_bits is not None

    def local_set(self, index: int) -> np.ndarray:
        """What layer ``index`` keeps live while it runs one window: its weights and state, and the window's spike
        buffers in and out; split into weight tiles, one block's weights, state and output buffer beside the whole
        input buffer."""
        own = self.weight_bytes[index] + self.state_bytes[index] + sum(self.buffer_bytes[index + 1 : index + 2])
        return own / self.tiles[index] + self.buffer_bytes[index]

    @functools.cached_property
    def every_layer(self) -> tuple[np.ndarray, np.ndarray]:
        """(every layer's state; every layer's weights, state and buffers): what stays live from window to window."""
        every_state = sum(self.state_bytes)
        return every_state, sum(self.weight_bytes) + every_state + sum(self.buffer_bytes)

    def working_sets(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(state, weights) working sets of layer ``index`` for reuse across the whole batch: state is small and
        touched every step, so it claims capacity first; the weights are reused only if they fit jointly with
        everything the loop nest keeps live beside them. A layer that runs in one window (layer-major) keeps only
        its own; one that runs in several keeps every layer's state, weights and buffers from window to window."""
        one = self.windows[index] <= 1
        every_state, every = self.every_layer
        return np.where(one, self.state_bytes[index], every_state), np.where(one, self.local_set(index), every)


def _weights_items(net: _Network, index: int, layer: LayerActivity, w_bits: int, v_bits: int, synops: float) -> list[ItemRow]:
    """A layer's weights as one item, or two for a recurrent layer: the recurrent weights are read by the recurrent
    synaptic ops and take their share of the bytes; both keep the layer's joint working set (one capacity rule)."""
    whole = _weights_item(net, index, layer, w_bits, v_bits, synops)
    if not layer.recurrent_connections:
        return [whole]
    recurrent_ops = layer.recurrent_ops / net.samples
    op_share, size_share = recurrent_ops / max(synops, 1e-30), layer.recurrent_connections / max(1, layer.connections)

    def part(kind: str, ops: float, size: float) -> ItemRow:
        scaled = ("write_use", "once", "stream_read", "stream_write", "size", "window_read", "window_write")
        return whole._replace(kind=kind, read_use=whole.read_use * ops, **{f: getattr(whole, f) * size for f in scaled})

    return [part("weights", 1.0 - op_share, 1.0 - size_share), part("recurrent_weights", op_share, size_share)]


def _weights_item(net: _Network, index: int, layer: LayerActivity, w_bits: int, v_bits: int, synops: float) -> ItemRow:
    """A layer's weights: fetched once per batch when they fit with the whole loop nest's working set, once per
    window when they fit with the window's, else the rows some sample uses, every step. Read at the innermost level
    (per operation, or once per step where held stationary), a weight takes :func:`_per_operation_bits` of the
    port."""
    weight_bytes = net.weight_bytes[index]
    rows_streamed = _rows_touched(layer, net.batch) * weight_bytes / net.batch
    learning = layer.weight_updates.sum() / net.samples * w_bits / 8  # read-modify-write of each updated weight
    port_bits = _per_operation_bits(net, index, w_bits, v_bits)
    reads = synops * port_bits / 8
    held = np.minimum(reads, layer.parameters * port_bits / 8 * layer.timesteps)
    reads = np.where(net.layout.at(index).is_("weight_reuse", "stationary"), held, reads)
    return ItemRow(
        index,
        "weights",
        reads + learning,
        learning,
        weight_bytes / net.batch,
        rows_streamed + learning,
        learning,
        net.working_sets(index)[1],
        weight_bytes,
        net.local_set(index),
        net.windows[index] * weight_bytes / net.batch + learning,
        learning,
    )


def _state_bits(layer: LayerActivity, v_bits: int) -> int:
    """Bits of one neuron's state: its membrane, and a synaptic current of the same width beside it (current-based
    LIF)."""
    return v_bits * (2 if layer.synaptic_current else 1)


def _state_item(net: _Network, index: int, updates: float, state_bits: int) -> ItemRow:
    """The neuron state (:func:`_state_bits`): read and written at every update; when every layer's state does not
    stay beside the loop nest but the layer's own does, it is spilled and read back once per window."""
    traffic = updates * state_bits / 8
    per_window = net.windows[index] * net.state_bytes[index] / net.batch
    return ItemRow(
        index,
        "state",
        traffic,
        traffic,
        0.0,
        traffic,
        traffic,
        net.working_sets(index)[0],
        net.state_bytes[index],
        net.state_bytes[index],
        per_window,
        per_window,
    )


def _sums_in_memory_bits(net: _Network, index: int, v_bits: int) -> np.ndarray:
    """Per layout variant, the width in bits of a running sum (an ANN's MAC accumulator, an SNN's membrane) where
    layer ``index`` keeps its partial sums in memory (``accumulators: memory``), else 0."""
    in_memory = net.layout.at(index).is_("accumulators", "memory")
    return np.where(in_memory, ACCUMULATOR_BITS if net.ann else v_bits, 0)


def _per_operation_bits(net: _Network, index: int, value_bits, v_bits: int) -> np.ndarray:
    """Port bits an operand read per operation takes at the innermost level (per layout variant).

    Narrow operands pack into the level's words: one word read serves word / value-bits operations side by side. With
    the partial sums in that level (``accumulators: memory``) every operation also moves its running sum through the
    same port, so only word / sum-bits operations run side by side, and one read of an operand's word serves only
    that many: the operand takes the sum's width. ZigZag's mapper does the same when the partial sums leave the
    registers (2 output channels side by side on its 64-bit SRAM port instead of 8, with 32-bit sums:
    ``benchmarks/fidelity.py``)."""
    return np.maximum(value_bits, _sums_in_memory_bits(net, index, v_bits))


def _partial_sums_item(net: _Network, index: int, layer: LayerActivity, synops: float, v_bits: int) -> ItemRow:
    """Partial sums in memory (zero where the accumulators are registers)."""
    sum_bits = _sums_in_memory_bits(net, index, v_bits)
    traffic = synops * sum_bits / 8
    held = layer.n_out * sum_bits / 8 * net.batch
    return _row(index, "partial_sums", traffic, traffic, 0.0, traffic, traffic, held, held)


def _split_fed_back(layer: LayerActivity) -> tuple[LayerActivity, LayerActivity | None]:
    """(its input from outside, what it reads back from itself) of a layer: a recurrent layer counts its own outputs
    of the step before among its inputs (``n_in``, ``input_spikes``, ``synaptic_ops``); (``layer``, None) for
    another."""
    if not layer.recurrent_connections:
        return layer, None
    recurrent_ops, fed_back_spikes = layer.recurrent_synaptic_ops, layer.fed_back_spikes
    outside = dataclasses.replace(
        layer,
        n_in=layer.n_in - layer.n_out,
        input_spikes=layer.input_spikes - fed_back_spikes,
        synaptic_ops=layer.synaptic_ops - recurrent_ops,
        recurrent_synaptic_ops=None,
        recurrent_connections=0,
    )
    fed_back = dataclasses.replace(
        layer, n_in=layer.n_out, input_spikes=fed_back_spikes, synaptic_ops=recurrent_ops, analog_input=False, input_bits=1
    )
    return outside, fed_back


def _input_item(net: _Network, index: int, layer: LayerActivity, synops: float, v_bits: int, kind: str | None = None) -> ItemRow:
    """A layer's input: the encoded input (layer 0, streamed in from the outermost level; a new frame every step for
    a sequence, once for a repeated one) or the previous layer's spikes or activations (buffered; ``kind`` spikes:
    a recurrent first layer's own spikes, buffered). Read per operation, it takes :func:`_per_operation_bits` of
    the port."""
    layout = net.layout.at(index)
    kind = kind or ("inputs" if index == 0 else "spikes")
    # a weight held while it sweeps a shared kernel's output positions meets a new input at every operation: with
    # no buffer below the innermost level to hold the layer's inputs, they are read per operation (ZigZag's mapper
    # finds the same: weight-stationary conv re-reads its inputs)
    held_kernel = layout.is_("weight_reuse", "stationary") & (layer.connections > layer.parameters)
    per_operation = layout.is_("input_reuse", "per-operation") | held_kernel
    if kind == "inputs" and layer.analog_input:
        pixel_bytes = layer.n_in * INPUT_PIXEL_BITS / 8
        fetched = pixel_bytes * (layer.timesteps if net.sequential else 1)
        streamed = pixel_bytes * layer.timesteps * net.tiles[index]
        reads = np.where(per_operation, synops * _per_operation_bits(net, index, INPUT_PIXEL_BITS, v_bits) / 8, streamed)
        return _row(index, kind, reads, 0.0, fetched, streamed, 0.0, pixel_bytes * net.batch, pixel_bytes)
    address_events = layout.is_("spike_format", "address-event")
    if kind == "inputs" and not net.ann:
        bits = _network_input_bits(layer, net.samples, layout.is_("input_format", "address-event"))
    else:
        bits = _input_bits(layer, net.samples, net.activation_bits, address_events)
    # per-operation: each op reads its own input value (a spike: its bit or address; an activation: its bits)
    value_bits = net.activation_bits if net.ann else np.where(address_events, _address_bits(layer.n_in), 1)
    tiles = net.tiles[index]  # each block of weights reads the whole input again
    used = np.where(per_operation, synops * _per_operation_bits(net, index, value_bits, v_bits) / 8, bits / 8 * tiles)
    if kind == "inputs":
        return _row(index, kind, used, 0.0, bits / 8, bits / 8 * tiles, 0.0, math.inf, bits / 8)
    buffer = net.buffer_bytes[index]
    return _row(index, kind, used, bits / 8, 0.0, bits / 8 * tiles, bits / 8, buffer, buffer)


def _outputs_item(index: int, layer: LayerActivity) -> ItemRow:
    out_bytes = layer.n_out * SCORE_BITS / 8
    return _row(index, "outputs", 0.0, out_bytes, 0.0, 0.0, out_bytes, math.inf, out_bytes)


def network_items(
    activity: Activity,
    weight_bits: list[int],
    membrane_bits: list[int],
    batch: int | np.ndarray,
    layout: Layout,
    network: str = "main",
    activation_bits: int | None = None,
    step_counts: bool = True,
) -> tuple[Items, Ops]:
    """Items and ops of one network laid out as ``layout`` for batches of ``batch``; ``activation_bits`` set means an
    ANN (no state, one pass); ``step_counts``: the ops carry their counts per step (what a chip of cores prices). ``batch`` and the layout's fields may be arrays over P combinations: the item columns
    are then [P, I] (the ops do not depend on them)."""
    layers = activity.layers
    samples, ann = max(1, activity.batch), activation_bits is not None
    batch = np.asarray(batch, dtype=np.float64)
    address_events = layout.is_("spike_format", "address-event")
    steps_per_window = [np.minimum(layout.time_window, layer.timesteps) for layer in layers]
    # the spike (activation) buffer feeding each layer ≥ 1, for the whole batch: the steps of one window of its
    # input train (one step timestep-major, the whole train layer-major); layer 0's input streams in from outside,
    # and a recurrent layer 0 buffers only its own spikes
    outside, fed_back = _split_fed_back(layers[0])
    buffers = [
        0.0 if layer is None else _input_bits(layer, samples, activation_bits, address_events) * steps / layer.timesteps
        for layer, steps in zip([fed_back, *layers[1:]], steps_per_window)
    ]
    net = _Network(
        layout,
        batch,
        samples,
        activation_bits,
        weight_bytes=[layer.parameters * bits / 8 for layer, bits in zip(layers, weight_bits)],
        state_bytes=[
            0.0 if ann else layer.n_out * _state_bits(layer, bits) / 8 * batch for layer, bits in zip(layers, membrane_bits)
        ],
        buffer_bytes=[bits * batch / 8 for bits in buffers],
        windows=[np.ceil(layer.timesteps / steps) for layer, steps in zip(layers, steps_per_window)],
        # blocks of output channels (a dense layer's neurons); a convolution of unknown channels is not tiled
        tiles=[
            np.minimum(np.asarray(layout.at(i).weight_tiles, dtype=np.float64), _channels(layer))
            for i, layer in enumerate(layers)
        ],
        sequential=activity.sequential,
    )
    rows: list[ItemRow] = []
    accumulates, recurrent_accumulates, macs, updates_per_layer = [], [], [], []
    partial_sums = bool(np.any(layout.is_("accumulators", "memory")))
    for index, (layer, w_bits, v_bits) in enumerate(zip(layers, weight_bits, membrane_bits)):
        synops = layer.synaptic_ops.sum() / samples
        updates = (layer.neuron_updates_event if layout.event_driven else layer.neuron_updates).sum() / samples
        rows += _weights_items(net, index, layer, w_bits, v_bits, synops)
        if not ann:
            rows.append(_state_item(net, index, updates, _state_bits(layer, v_bits)))
        if partial_sums:
            rows.append(_partial_sums_item(net, index, layer, synops, v_bits))
        if index == 0 and fed_back is not None:  # what comes from outside, and its own spikes read back
            rows.append(_input_item(net, 0, outside, outside.synaptic_ops.sum() / samples, v_bits))
            rows.append(_input_item(net, 0, fed_back, fed_back.synaptic_ops.sum() / samples, v_bits, "spikes"))
        else:
            rows.append(_input_item(net, index, layer, synops, v_bits))
        recurrent = 0.0 if ann else layer.recurrent_ops / samples  # an RNN's feedback is graded too: MACs
        multiplied = synops if ann else (synops - recurrent if layer.analog_input else 0.0)  # fed-back spikes: accumulates
        accumulates.append(synops - multiplied)
        recurrent_accumulates.append(recurrent)
        macs.append(multiplied)
        updates_per_layer.append(0.0 if ann else updates)
    rows.append(_outputs_item(len(layers) - 1, layers[-1]))
    columns = ItemRow(*zip(*rows))
    shape = np.broadcast_shapes(batch.shape, *(np.shape(value) for value in layout.at(0)))
    items = Items(
        layer=np.array(columns.layer, dtype=np.int64),
        kind=list(columns.kind),
        network=[network] * len(rows),
        **{f: _column(getattr(columns, f), shape) for f in BYTE_COLUMNS},
    )
    ops = Ops(
        np.arange(len(layers)),
        [network] * len(layers),
        np.array(accumulates),
        np.array(macs),
        np.array(updates_per_layer),
        np.array(weight_bits, dtype=np.float64),
        np.array(membrane_bits, dtype=np.float64),
        np.array([activation_bits if ann else INPUT_PIXEL_BITS for _ in layers], dtype=np.float64),
        np.array([layer.timesteps for layer in layers], dtype=np.float64),
        neurons=np.array([layer.n_out for layer in layers], dtype=np.float64),
        weight_bytes=np.array(net.weight_bytes),
        inputs=np.array([layer.n_in for layer in layers], dtype=np.float64),
        shared=np.array([float(layer.connections > layer.parameters) for layer in layers]),
        per_step=per_step_counts(activity, ann) if step_counts else None,
        recurrent_accumulate=np.array(recurrent_accumulates),
    )
    return items, ops


def _channels(layer: LayerActivity) -> int:
    """The blocks a layer's weights can split into at most: its output channels (a dense layer's neurons; 1 for a
    convolution whose channels are not known)."""
    if layer.channels:
        return layer.channels
    return 1 if layer.connections > layer.parameters else layer.n_out


def _column(values: tuple, shape: tuple[int, ...]) -> np.ndarray:
    """One item column: [I], or [P, I] over P combinations (``shape`` = (P,))."""
    out = np.empty((*shape, len(values)))
    for index, value in enumerate(values):
        out[..., index] = value
    return out


def per_step_counts(activity: Activity, ann: bool) -> list[np.ndarray]:
    """:attr:`Ops.per_step` of a network: per layer [4, steps] per sample (spikes in, synaptic ops, neurons with
    input, spikes sent on: a spiking layer's output spikes, an ANN layer's non-zero activations)."""
    layers = activity.layers
    n = max(1, activity.batch)
    out = []
    for index, layer in enumerate(layers):
        if layer.is_output:
            sent = np.zeros(layer.timesteps)
        elif ann:
            sent = layers[index + 1].input_spikes.astype(np.float64)
        else:
            sent = layer.output_spikes.astype(np.float64)
        counts = (layer.input_spikes, layer.synaptic_ops, layer.neuron_updates_event, sent)
        out.append(np.stack([np.asarray(c, dtype=np.float64) for c in counts]) / n)
    return out


def ann_activity(activity: Activity, zero_skipping: bool = False) -> Activity:
    """The ANN twin of a network's topology as an Activity: one pass of MACs.

    Dense: every input × every output. With ``zero_skipping`` the MACs of the
    first layer skip zero pixels and later layers use the SNN's measured
    activity as the ReLU sparsity proxy (share of neurons that fired at all).
    A network with a recurrent layer has the same-shape Elman RNN as its twin:
    every layer runs at every step of the sequence, its recurrent weights
    included (``h_t = f(W x_t + W_rec h_{t−1} + b)``), T passes instead of one;
    so does the twin of a network reading a sequence (``Activity.sequential``).
    """
    layers = []
    n = max(1, activity.batch)
    sequence = activity.sequential or any(layer.recurrent_connections for layer in activity.layers)
    for index, layer in enumerate(activity.layers):
        steps = layer.timesteps if sequence else 1
        density = 1.0
        if zero_skipping:
            if index == 0:  # share of inputs that spike at least once ≈ share of non-zero pixels
                rate = min(1.0, layer.input_spikes.sum() / max(1, n * layer.timesteps * layer.n_in))
                density = 1.0 - (1.0 - rate) ** layer.timesteps
            else:
                density = float((activity.layer_spikes[index - 1] > 0).mean())
        macs = np.full(steps, round(density * layer.connections * n), dtype=np.int64)
        one = np.full(steps, n * layer.n_out, dtype=np.int64)
        layers.append(
            LayerActivity(
                layer.n_in,
                layer.n_out,
                steps,
                n,
                np.full(steps, round(density * layer.n_in * n), dtype=np.int64),
                macs,
                one,
                one,
                np.zeros(steps, dtype=np.int64),
                layer.is_output,
                True,
                "dense",
                layer.parameters,
                layer.connections,
                weights=layer.weights,
                recurrent_synaptic_ops=None
                if layer.recurrent_synaptic_ops is None
                else macs * layer.recurrent_connections // max(1, layer.connections),
                recurrent_connections=layer.recurrent_connections,
                channels=layer.channels,
            )
        )
    return Activity(
        layers,
        activity.predictions,
        activity.output_potential,
        activity.layer_spikes,
        activity.labels,
        activity.name,
        sequential=activity.sequential,
    )
