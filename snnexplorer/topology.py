"""The layer stack of a network: conv / pool / dense entries, their checks and their geometry.

A Design's ``network.layers`` lists the stack, e.g.::

    layers: [{conv: {channels: 16, kernel: 5, padding: 2}}, {pool: 2}, {conv: {channels: 32, kernel: 3}}, {pool: 2}, {dense: 128}]

``conv`` is a convolutional LIF layer (:class:`ConvLayer` fields), ``pool``
ORs P×P windows of the conv layer before it (a pooled output spikes if any of
its neurons did: max pooling of spikes), ``dense`` a fully connected LIF layer;
``{dense: 128, recurrent: true}`` one whose spikes also feed back to it, all to
all, at the next step (:mod:`snnexplorer.sim.neurons` writes the convention).
Convolutions come first, dense layers after; the output layer (one neuron per
class, fully connected) is appended to every stack. An empty list means the
short form, ``network.hidden``: ``hidden: [256]`` is ``layers: [{dense: 256}]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import param

from .catalog import CATALOG
from .errors import FieldProblem
from .sections import Section, check_section

INPUT_SHAPES = {name: info.shape for name, info in CATALOG.items()}
"""(channels, height, width) of one sample of each data set."""


class ConvLayer(Section):
    """One convolutional LIF layer of ``network.layers``."""

    _key = "network.layers[].conv"
    _required = ("channels", "kernel")
    channels = param.Integer(default=16, bounds=(1, 1024), doc="Output channels (feature maps).")
    kernel = param.Integer(default=3, bounds=(1, 11), doc="Kernel size k (k×k).")
    stride = param.Integer(default=1, bounds=(1, 4), doc="Stride of the convolution.")
    padding = param.Integer(default=0, bounds=(0, 5), doc="Zero padding on each border.")


class StackEntry(Section):
    """The scalar entries of ``network.layers``: a pooling window or a dense layer's width."""

    _key = "network.layers[]"
    pool = param.Integer(default=2, bounds=(2, 8), doc="OR-pool P×P windows of the conv layer before it.")
    dense = param.Integer(default=128, bounds=(1, 16384), doc="Neurons of a fully connected LIF layer.")
    recurrent = param.Boolean(
        default=False,
        doc="A dense layer's spikes also feed back to all its neurons at the next step (recurrent weights W_rec, "
        "trained through time).",
    )


ENTRY_KINDS = ("conv", "pool", "dense")
ENTRY_TEXT = "one of {conv: {channels, kernel, stride, padding}}, {pool: P}, {dense: N}, {dense: N, recurrent: true}"


def entry_kind(entry: dict) -> tuple[str, Any]:
    """(kind, value) of a well-formed ``network.layers`` entry: e.g. ('dense', 128) for {dense: 128, recurrent: true}."""
    kind = next(key for key in entry if key in ENTRY_KINDS)
    return kind, entry[kind]


def is_recurrent(entry: dict) -> bool:
    """Whether a ``network.layers`` entry is a recurrent dense layer."""
    return bool(entry.get("recurrent", False))


def entry_value(entry: dict, key: str) -> int | bool:
    """One value of a well-formed ``network.layers`` entry as its editor shows it: a conv field (``channels``,
    ``kernel``, ...; its default where the entry leaves it out), a pool's or dense layer's size (``key`` its kind),
    or whether a dense layer is ``recurrent``."""
    if key == "recurrent":
        return is_recurrent(entry)
    kind, value = entry_kind(entry)
    return value.get(key, ConvLayer.param[key].default) if kind == "conv" else value


@dataclass(frozen=True)
class ConvGeometry:
    """The shapes of one convolution with OR pooling, reading ``input_shape`` (C_in, H, W)."""

    channels: int
    kernel: int
    input_shape: tuple[int, int, int]
    stride: int = 1
    padding: int = 0
    pool: int = 1

    @property
    def map_shape(self) -> tuple[int, int]:
        """(H_o, W_o) of the convolution's output map, before pooling."""
        _, height, width = self.input_shape
        k, s, p = self.kernel, self.stride, self.padding
        return (height + 2 * p - k) // s + 1, (width + 2 * p - k) // s + 1

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """(C_out, H_p, W_p) of the emitted, pooled spikes."""
        height, width = self.map_shape
        return self.channels, height // self.pool, width // self.pool

    @property
    def n_in(self) -> int:
        return math.prod(self.input_shape)

    @property
    def n_neurons(self) -> int:
        return self.channels * math.prod(self.map_shape)

    @property
    def n_out(self) -> int:
        return math.prod(self.output_shape)

    @property
    def parameters(self) -> int:
        """Weights and biases."""
        return self.channels * (self.input_shape[0] * self.kernel**2 + 1)

    @property
    def connections(self) -> int:
        """Synapses (input, output neuron) pairs of the convolution, borders included."""
        _, height, width = self.input_shape
        rows = _positions_per_offset(height, self.map_shape[0], self.kernel, self.stride, self.padding)
        cols = _positions_per_offset(width, self.map_shape[1], self.kernel, self.stride, self.padding)
        return int(self.input_shape[0] * self.channels * rows.sum() * cols.sum())

    def problem(self, field: str) -> FieldProblem | None:
        """Why this geometry is impossible (an empty map, or one that does not divide by the pool), if it is."""
        height, width = self.map_shape
        if height < 1 or width < 1:
            return FieldProblem(
                field, self.kernel, f"a kernel that fits the {self.input_shape[1]}×{self.input_shape[2]} map it reads"
            )
        if height % self.pool or width % self.pool:
            return FieldProblem(field, self.pool, f"a pool that divides the {height}×{width} map of the conv layer before it")
        return None


def _positions_per_offset(size: int, out_size: int, kernel: int, stride: int, padding: int) -> np.ndarray:
    """For each kernel offset, how many output positions read an on-map input along one axis."""
    out = np.arange(out_size)[:, None] * stride - padding + np.arange(kernel)[None, :]
    return ((out >= 0) & (out < size)).sum(axis=0)


@dataclass(frozen=True)
class LayerSpec:
    """One weight layer of a stack: a convolution (``conv`` set) or a dense layer; neurons and what it sends on."""

    n_in: int
    n_neurons: int
    n_out: int
    parameters: int
    connections: int
    conv: ConvGeometry | None = None
    recurrent: bool = False
    """Its spikes feed back to it (``parameters`` and ``connections`` count the n_out² recurrent weights;
    ``n_in`` the feed-forward inputs only)."""

    @property
    def kind(self) -> str:
        return "conv" if self.conv else "dense"


def _dense(n_in: int, width: int, recurrent: bool = False) -> LayerSpec:
    feedback = width * width if recurrent else 0
    return LayerSpec(n_in, width, width, (n_in + 1) * width + feedback, n_in * width + feedback, recurrent=recurrent)


def dense_specs(sizes: list[int]) -> list[LayerSpec]:
    """The weight layers of a fully connected network of ``sizes`` [inputs, hidden..., outputs]."""
    return [_dense(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def check_entries(entries: Any, path: str = "network.layers") -> list[FieldProblem]:
    """The problems of a ``network.layers`` value taken alone (each entry's form and bounds, and their order)."""
    if not isinstance(entries, list):
        return [FieldProblem(path, entries, f"a list of entries, each {ENTRY_TEXT}")]
    problems: list[FieldProblem] = []
    previous = None
    for index, entry in enumerate(entries):
        where = f"{path}[{index}]"
        kinds = [key for key in entry if key in ENTRY_KINDS] if isinstance(entry, dict) else []
        extra = set(entry) - {*kinds, "recurrent"} if isinstance(entry, dict) else set()
        if len(kinds) != 1 or extra or ("recurrent" in entry and kinds != ["dense"]):
            problems.append(FieldProblem(where, entry, ENTRY_TEXT))
            continue
        kind, value = entry_kind(entry)
        if "recurrent" in entry:
            problems += check_section(StackEntry, {"recurrent": entry["recurrent"]}, where)[1]
        if kind == "conv":
            problems += check_section(ConvLayer, value, f"{where}.conv")[1]
            if previous == "dense":
                problems.append(FieldProblem(where, entry, "convolutions before every dense layer"))
        else:
            problems += check_section(StackEntry, {kind: value}, where)[1]
            if kind == "pool" and previous != "conv":
                problems.append(FieldProblem(f"{where}.pool", value, "a pool right after a conv layer"))
        previous = kind
    return problems


def stack(entries: list[dict], hidden: list[int], input_shape: tuple[int, int, int], n_outputs: int) -> list[LayerSpec]:
    """The weight layers of a network, output layer included: from ``entries`` (checked with :func:`check_entries`),
    or from ``hidden`` when there are none."""
    if not entries:
        entries = [{"dense": width} for width in hidden]
    specs: list[LayerSpec] = []
    shape: tuple[int, ...] = input_shape
    for entry in entries:
        kind, value = entry_kind(entry)
        if kind == "pool":
            conv = specs[-1].conv
            conv = ConvGeometry(conv.channels, conv.kernel, conv.input_shape, conv.stride, conv.padding, value)
            specs[-1] = LayerSpec(conv.n_in, conv.n_neurons, conv.n_out, conv.parameters, conv.connections, conv)
            shape = conv.output_shape
        elif kind == "conv":
            conv = ConvGeometry(value["channels"], value["kernel"], shape, value.get("stride", 1), value.get("padding", 0))
            specs.append(LayerSpec(conv.n_in, conv.n_neurons, conv.n_out, conv.parameters, conv.connections, conv))
            shape = conv.output_shape
        else:
            specs.append(_dense(math.prod(shape), value, is_recurrent(entry)))
            shape = (value,)
    specs.append(_dense(math.prod(shape), n_outputs))
    return specs


def geometry_problems(entries: list[dict], input_shape: tuple[int, int, int], path: str = "network.layers") -> list[FieldProblem]:
    """Maps that vanish or do not divide by their pool, walking ``entries`` (already well-formed) over ``input_shape``."""
    shape = input_shape
    conv = None
    for index, entry in enumerate(entries):
        kind, value = entry_kind(entry)
        if kind == "conv":
            conv = ConvGeometry(value["channels"], value["kernel"], shape, value.get("stride", 1), value.get("padding", 0))
            problem = conv.problem(f"{path}[{index}].conv.kernel")
        elif kind == "pool":
            conv = ConvGeometry(conv.channels, conv.kernel, conv.input_shape, conv.stride, conv.padding, value)
            problem = conv.problem(f"{path}[{index}].pool")
        else:
            return []
        if problem:
            return [problem]
        shape = conv.output_shape
    return []
