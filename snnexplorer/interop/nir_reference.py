"""A plain numpy reading of a NIR graph's equations (float64, one node and one step at a time): the engine's oracle.

Independent of the importer (:mod:`snnexplorer.interop.nir_import`): it reads the file with ``nir.read``, inlines
subgraphs and walks the edges itself, reads the nodes' own fields (never the engine's coefficients) and the two
metadata keys our exporter writes, and applies the forward-Euler steps of NIR's equations literally. Slow by design;
for tests and for checking a file by hand.

Each step it asks the Output for its value, and each node for the sum of what its edges bring, recursively; a neuron
node is updated once per step. A neuron node met again while its own value is being worked out (a cycle) gives its
output of the step before (nothing at the first step: an Affine or Linear then gives its bias, Scale and Flatten
nothing). 2-D nodes support stride, padding (ints) and groups; dilation must be 1; they may not sit on a cycle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

RESET_METADATA, FIRES_AT_METADATA = "snnexplorer.reset", "snnexplorer.fires_at"
"""Node metadata as NIR files from :mod:`snnexplorer.interop.nir_export` carry it (read here on their own)."""


def _read(path_or_graph):
    import nir

    return path_or_graph if isinstance(path_or_graph, nir.NIRGraph) else nir.read(path_or_graph, type_check=False)


def _inlined(graph, prefix: str = "") -> tuple[dict, dict[str, list[str]]]:
    """Nodes by name (a subgraph's as ``outer.inner``, its Input and Output kept as nodes that pass values on) and
    each node's incoming edges."""
    import nir

    nodes, incoming = {}, {}
    for name, node in graph.nodes.items():
        if isinstance(node, nir.NIRGraph):
            inner_nodes, inner_incoming = _inlined(node, f"{prefix}{name}.")
            nodes.update(
                {key: ("pass", value) if _kind(value) in ("Input", "Output") else value for key, value in inner_nodes.items()}
            )
            incoming.update(inner_incoming)
        else:
            nodes[prefix + name] = node
            incoming.setdefault(prefix + name, [])

    def named(reference: str, end: str) -> str:
        node = graph.nodes.get(reference)
        if isinstance(node, nir.NIRGraph):
            return prefix + reference + "." + next(key for key, value in node.nodes.items() if _kind(value) == end)
        return prefix + reference

    for source, target in graph.edges:
        incoming.setdefault(named(target, "Input"), []).append(named(source, "Output"))
    return nodes, incoming


def _kind(node) -> str:
    return "pass" if isinstance(node, tuple) else type(node).__name__


def _flag(node, key: str) -> str | None:
    value = (node.metadata or {}).get(key)
    return value.decode() if isinstance(value, bytes) else None if value is None else str(value)


def _pair(value) -> tuple[int, int]:
    array = np.asarray(value).ravel()
    return int(array[0]), int(array[-1])


def _windows(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    """[N, C, H_o, W_o, kh, kw] windows of ``x`` [N, C, H, W] after zero padding."""
    x = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    return sliding_window_view(x, kernel, axis=(2, 3))[:, :, :: stride[0], :: stride[1]]


def _conv(node, x: np.ndarray) -> np.ndarray:
    weight = np.asarray(node.weight, dtype=np.float64)
    groups = int(node.groups)
    if _pair(node.dilation) != (1, 1) or isinstance(node.padding, str):
        raise ValueError("the reference reads dilation 1 and integer padding only")
    windows = _windows(x, weight.shape[2:], _pair(node.stride), _pair(node.padding))
    per_in, per_out = weight.shape[1], weight.shape[0] // groups
    out = np.concatenate(
        [
            np.einsum("nchwij,ocij->nohw", windows[:, g * per_in : (g + 1) * per_in], weight[g * per_out : (g + 1) * per_out])
            for g in range(groups)
        ],
        axis=1,
    )
    return out if node.bias is None else out + np.asarray(node.bias, dtype=np.float64).reshape(1, -1, 1, 1)


def _pool(node, x: np.ndarray) -> np.ndarray:
    kernel = _pair(node.kernel_size)
    summed = _windows(x, kernel, _pair(node.stride), _pair(node.padding)).sum(axis=(4, 5))
    return summed if type(node).__name__ == "SumPool2d" else summed / math.prod(kernel)


def _maps(x: np.ndarray, node) -> np.ndarray:
    if x.ndim == 4:
        return x
    height, width = (int(v) for v in np.ravel(node.input_shape))
    return x.reshape(len(x), -1, height, width)


def _param(node, field: str, shape: tuple[int, ...], default: float = 0.0) -> np.ndarray:
    value = getattr(node, field, None)
    value = default if value is None else value
    array = np.asarray(value, dtype=np.float64)
    return np.broadcast_to(array.ravel()[0] if array.size == 1 else array.reshape(shape), shape)


def _synapse(node, x: np.ndarray | None, batch: int) -> np.ndarray | None:
    """One synapse node applied to ``x`` [batch, …] (None: nothing has arrived yet)."""
    kind = _kind(node)
    if kind in ("Affine", "Linear"):
        weight = np.asarray(node.weight, dtype=np.float64)
        y = np.zeros((batch, len(weight))) if x is None else x.reshape(batch, -1) @ weight.T
        return y + np.asarray(node.bias, dtype=np.float64) if kind == "Affine" else y
    if x is None:
        if kind in ("Conv2d", "SumPool2d", "AvgPool2d"):
            raise ValueError("the reference reads no Conv2d or pooling node on a cycle")
        return None
    if kind == "Scale":
        return x * np.asarray(node.scale, dtype=np.float64).reshape(x.shape[1:] if np.size(node.scale) > 1 else ())
    if kind == "Flatten":
        return x.reshape(batch, -1)
    if kind == "Conv2d":
        return _conv(node, _maps(x, node))
    return _pool(node, _maps(x, node))


def _added(values: list[np.ndarray | None]) -> np.ndarray | None:
    """The sum of what arrived (in the first arrival's shape); None if nothing has."""
    arrived = [value for value in values if value is not None]
    if not arrived:
        return None
    return sum(value.reshape(arrived[0].shape) for value in arrived[1:]) + arrived[0]


@dataclass
class _Reading:
    """One graph read step by step: its nodes, each node's incoming edges, the neurons' state and spike counts."""

    nodes: dict
    incoming: dict[str, list[str]]
    source: str
    shape_in: tuple[int, ...]
    dt: float
    state: dict = field(default_factory=dict)
    out: dict = field(default_factory=dict)

    @cached_property
    def neurons(self) -> list[str]:
        kinds = ("LIF", "IF", "CubaLIF", "LI", "I", "CubaLI")
        return [name for name, node in self.nodes.items() if _kind(node) in kinds]

    def value(self, name: str, x_in: np.ndarray, now: dict, before: dict, open_: tuple[str, ...] = ()) -> np.ndarray | None:
        """Node ``name``'s output this step (input ``x_in``); ``now`` holds the neurons already updated this step,
        ``before`` their outputs of the step before, ``open_`` the nodes whose value is being worked out."""
        node, batch = self.nodes[name], len(x_in)
        if name == self.source:
            return np.asarray(x_in, dtype=np.float64).reshape(batch, *self.shape_in)
        if name in now:
            return now[name]
        if name in open_:
            if name not in self.neurons:
                raise ValueError(f"a cycle through synapse nodes only, at {name}")
            return before.get(name)
        x = _added([self.value(other, x_in, now, before, (*open_, name)) for other in self.incoming[name]])
        if name not in self.neurons:
            return x if _kind(node) in ("pass", "Output") else _synapse(node, x, batch)
        now[name] = _neuron_step(name, node, x, self.state, self.out, self.dt)
        return now[name]


def euler_reference(path_or_graph, spikes: np.ndarray, dt: float = 1e-3) -> dict[str, np.ndarray]:
    """Per neuron node: its spike counts [batch, *shape] (spiking nodes) or final membrane (LI, I, CubaLI).

    ``spikes``: [batch, T, n_inputs].
    """
    graph = _read(path_or_graph)
    nodes, incoming = _inlined(graph)
    source = next(name for name in graph.nodes if _kind(graph.nodes[name]) == "Input")
    sink = next(name for name in graph.nodes if _kind(graph.nodes[name]) == "Output")
    first = graph.nodes[source]
    shape_in = tuple(
        int(v) for v in np.ravel(first.input_type["input"] if isinstance(first.input_type, dict) else first.input_type)
    )
    reading = _Reading(nodes, incoming, source, shape_in, dt)
    before: dict[str, np.ndarray] = {}
    for t in range(spikes.shape[1]):
        now: dict[str, np.ndarray] = {}
        for name in (sink, *reading.neurons):
            reading.value(name, spikes[:, t], now, before)
        before = now
    return reading.out


def _neuron_step(name: str, node, current: np.ndarray, state: dict, out: dict, dt: float) -> np.ndarray:
    kind = type(node).__name__
    shape = current.shape[1:]
    s = state.setdefault(name, {"v": np.zeros_like(current), "i": np.zeros_like(current)})
    if kind.startswith("Cuba"):
        tau_syn = _param(node, "tau_syn", shape)
        s["i"] = s["i"] + dt / tau_syn * (-s["i"] + _param(node, "w_in", shape, 1.0) * current)
        current = s["i"]
    r = _param(node, "r", shape)
    if kind in ("IF", "I"):
        v = s["v"] + dt * r * current
    else:
        tau = _param(node, "tau_mem" if kind.startswith("Cuba") else "tau", shape)
        v = s["v"] + dt / tau * (_param(node, "v_leak", shape) - s["v"] + r * current)
    if kind in ("LI", "I", "CubaLI"):
        s["v"] = v
        out[name] = v.copy()
        return v
    threshold = _param(node, "v_threshold", shape)
    fired = v >= threshold if _flag(node, FIRES_AT_METADATA) == ">=" else v > threshold
    reset = v - threshold if _flag(node, RESET_METADATA) == "subtract" else _param(node, "v_reset", shape)
    s["v"] = np.where(fired, reset, v)
    out[name] = out.get(name, 0) + fired.astype(np.int64)
    return fired.astype(np.float64)
