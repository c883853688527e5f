"""NIR graphs in: :func:`from_nir` reads a NIR graph (a file or a ``nir.NIRGraph``) into an :class:`ImportedNetwork`.

Discretization — the one place it is written down. NIR gives continuous-time
equations; with step ``dt`` (seconds) they are integrated by forward Euler, the
input of a step being the synapses' output for that same step::

    LIF      tau dv/dt = (v_leak − v) + r·I          v ← v + dt/tau · (v_leak − v + r·I)
    LI       the same, never spikes
    IF       dv/dt = r·I                             v ← v + dt · r·I
    I        the same, never spikes
    CubaLIF  tau_syn dI/dt = −I + w_in·S             I ← I + dt/tau_syn · (−I + w_in·S)   (first, then)
             tau_mem dv/dt = (v_leak − v) + r·I      v ← v + dt/tau_mem · (v_leak − v + r·I)   (with the new I)
    CubaLI   the same, never spikes

A spiking neuron fires when ``v > v_threshold`` and is then set to
``v_reset``; state starts at 0. Two node metadata keys, written by
:func:`snnexplorer.interop.to_nir` for this project's own neurons and ignored
by other readers, change that: ``snnexplorer.reset = "subtract"`` (v ← v −
v_threshold) and ``snnexplorer.fires_at = ">="`` (fire when v ≥ v_threshold).
Every parameter may be a scalar or one value per neuron. ``dt/tau`` above 1
would flip the sign of the leak and is refused.

Graphs. Each neuron node is one population, one stage of
:mod:`snnexplorer.sim.graph`: the synapse nodes (Affine, Linear, Scale, Conv2d,
SumPool2d, AvgPool2d, Flatten) on the paths into it, back to the neuron nodes
(or the Input) they start from, are its synapses. A node with several incoming
edges adds what they bring (a merge: a residual add, two branches into one
population); the values added must be as many. A cycle must pass through
exactly one neuron node, whose synapses then read its own spikes of the step
before (recurrence, as :mod:`snnexplorer.sim.neurons` writes it); a cycle of
synapse nodes alone, or feedback through two populations, is refused by name.
Nested ``NIRGraph`` nodes are inlined (their nodes named ``outer.inner``; an
edge into one enters its Input node, an edge out leaves its Output node).
Every node must lie on a path from the Input to the Output; the Output reads
one neuron node, whose scores are the network's (a spiking node's spike counts,
else its final membrane); only that node may be non-spiking (LI, I, CubaLI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import DesignError, FieldProblem
from ..sim.graph import NETWORK_INPUT, Conv2d, Dense, Pool2d, Reshape, Scale, Stage, Synapses
from ..sim.neurons import NeuronCoefficients
from .network import ImportedNetwork

SYNAPSE_NODES = ("Affine", "Linear", "Scale", "Conv2d", "SumPool2d", "AvgPool2d", "Flatten")
SPIKING_NODES = ("LIF", "IF", "CubaLIF")
NEURON_NODES = (*SPIKING_NODES, "LI", "I", "CubaLI")
SUPPORTED_NODES = ("Input", "Output", *SYNAPSE_NODES, *NEURON_NODES)
RESET_KEY = "snnexplorer.reset"
FIRES_AT_KEY = "snnexplorer.fires_at"


def read_graph(path_or_graph):
    """A ``nir.NIRGraph`` from a path (read with ``nir.read``) or as given."""
    import nir

    if isinstance(path_or_graph, nir.NIRGraph):
        return path_or_graph
    path = Path(path_or_graph)
    if not path.is_file():
        raise DesignError.single("nir", str(path), "an existing NIR file (HDF5, as nir.write writes it)")
    try:
        return nir.read(path, type_check=False)  # shapes are checked here, node by node, with named errors
    except Exception as exc:  # h5py and nir raise many kinds; the user needs the file and the reason
        raise DesignError.single("nir", str(path), f"a NIR file that nir.read loads ({type(exc).__name__}: {exc})") from exc


@dataclass
class FlatGraph:
    """A NIR graph with its subgraphs inlined: nodes by name, edges, and the inner Input/Output nodes that only pass
    values on."""

    nodes: dict
    edges: list[tuple[str, str]]
    passing: set[str]

    @classmethod
    def of(cls, graph, prefix: str = "") -> FlatGraph:
        import nir

        nodes, edges, passing = {}, [], set()
        for name, node in graph.nodes.items():
            if isinstance(node, nir.NIRGraph):
                inner = cls.of(node, f"{prefix}{name}.")
                nodes.update(inner.nodes)
                edges += inner.edges
                kinds = {inner_name: type(inner_node).__name__ for inner_name, inner_node in inner.nodes.items()}
                passing |= inner.passing | {n for n, kind in kinds.items() if kind in ("Input", "Output")}
            else:
                nodes[f"{prefix}{name}"] = node

        def end(reference: str, kind: str) -> str:
            node = graph.nodes.get(reference)
            if not isinstance(node, nir.NIRGraph):
                return f"{prefix}{reference}"
            ends = [name for name, inner in node.nodes.items() if type(inner).__name__ == kind]
            if len(ends) != 1:
                raise DesignError.single(f"nir.nodes ({prefix}{reference})", ends, f"a subgraph with one {kind} node")
            return f"{prefix}{reference}.{ends[0]}"

        edges += [(end(source, "Output"), end(target, "Input")) for source, target in graph.edges]
        return cls(nodes, edges, passing)

    def kind(self, name: str) -> str:
        return "pass" if name in self.passing else type(self.nodes[name]).__name__

    @cached_property
    def predecessors(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {name: [] for name in self.nodes}
        for source, target in self.edges:
            found[target].append(source)
        return found

    def ends(self) -> tuple[str, str]:
        """The Input and the Output node, refusing unsupported nodes, dangling edges and nodes off the way."""
        unsupported = [f"{name} ({self.kind(name)})" for name in self.nodes if self.kind(name) not in (*SUPPORTED_NODES, "pass")]
        if unsupported:
            raise DesignError.single("nir.nodes", unsupported, f"only the node types {list(SUPPORTED_NODES)}")
        dangling = [edge for edge in self.edges if not set(edge) <= set(self.nodes)]
        if dangling:
            raise DesignError.single("nir.edges", dangling, "edges between the graph's nodes")
        problems = []
        ends = {}
        for kind in ("Input", "Output"):
            found = [name for name in self.nodes if self.kind(name) == kind]
            ends[kind] = found[0] if len(found) == 1 else None
            if len(found) != 1:
                problems.append(FieldProblem("nir.nodes", found, f"exactly one {kind} node"))
        if problems:
            raise DesignError(problems)
        source, sink = ends["Input"], ends["Output"]
        readers = self.predecessors[sink]
        if len(readers) != 1 or self.kind(readers[0]) not in NEURON_NODES:
            raise DesignError.single(f"nir.edges ({sink})", readers, "one neuron node read by the Output")
        stray = sorted(set(self.nodes) - (self._reach(source, forward=True) & self._reach(sink, forward=False)))
        if stray:
            raise DesignError.single("nir.edges", stray, "every node on a path from the Input to the Output")
        return source, sink

    def _reach(self, start: str, forward: bool) -> set[str]:
        following: dict[str, list[str]] = {name: [] for name in self.nodes}
        for source, target in self.edges:
            following[source if forward else target].append(target if forward else source)
        seen, todo = {start}, [start]
        while todo:
            for name in following[todo.pop()]:
                if name not in seen:
                    seen.add(name)
                    todo.append(name)
        return seen


def _sources(flat: FlatGraph, population: str) -> set[str]:
    """The neuron nodes (and the Input) a population's synapses start from: itself where it is recurrent."""
    found, todo, seen = set(), list(flat.predecessors[population]), set()
    while todo:
        name = todo.pop()
        if flat.kind(name) in (*NEURON_NODES, "Input"):
            found.add(name)
        elif name in seen:
            raise DesignError.single(f"nir.edges ({name})", population, "cycles through a neuron node (this one has none)")
        else:
            seen.add(name)
            todo += flat.predecessors[name]
    return found


def _populations(flat: FlatGraph, sink: str) -> list[str]:
    """The neuron nodes in an order where each reads only earlier ones (or itself), the Output's last."""
    order: list[str] = []
    visiting: list[str] = []

    def visit(population: str) -> None:
        if population in order:
            return
        if population in visiting:
            loop = visiting[visiting.index(population) :] + [population]
            raise DesignError.single(
                "nir.edges", "→".join(reversed(loop)), "cycles through one neuron node (its recurrent synapses), not feedback"
            )
        visiting.append(population)
        for source in sorted(_sources(flat, population) - {population}):
            if flat.kind(source) != "Input":
                visit(source)
        visiting.pop()
        order.append(population)

    visit(flat.predecessors[sink][0])
    return order


def _metadata(node, key: str) -> str | None:
    value = (node.metadata or {}).get(key)
    return value.decode() if isinstance(value, bytes) else None if value is None else str(value)


def _per_neuron(node_name: str, node, field: str, size: int, default: float | None = None) -> np.ndarray:
    value = getattr(node, field, None)
    if value is None:
        value = default
    array = np.asarray(value, dtype=np.float64)
    if array.size == 1:
        return np.full(size, float(array.ravel()[0]))
    if array.size != size:
        raise DesignError.single(f"{node_name}.{field}", array.shape, f"a scalar or {size} values (one per neuron)")
    return array.ravel()


def _decay(node_name: str, field: str, tau: np.ndarray, dt: float) -> np.ndarray:
    ratio = dt / tau
    if not np.all(np.isfinite(ratio)) or np.any(ratio <= 0) or np.any(ratio > 1):
        raise DesignError.single(f"{node_name}.{field}", float(np.min(tau)), f"time constants ≥ dt = {dt:g} s (and finite, > 0)")
    return ratio


def neuron_coefficients(node_name: str, node, size: int, dt: float) -> NeuronCoefficients:
    """The per-neuron update of a NIR neuron node (see the module docstring)."""
    kind = type(node).__name__

    def get(field: str, default: float | None = None) -> np.ndarray:
        return _per_neuron(node_name, node, field, size, default)

    ones, zeros = np.ones(size), np.zeros(size)
    syn_decay, syn_gain = ones, ones
    if kind in ("CubaLIF", "CubaLI"):
        ratio = _decay(node_name, "tau_syn", get("tau_syn"), dt)
        syn_decay, syn_gain = 1.0 - ratio, ratio * get("w_in", 1.0)
    if kind in ("IF", "I"):
        mem_decay, mem_offset, mem_gain = ones, zeros, dt * get("r")
    else:
        field = "tau_mem" if kind.startswith("Cuba") else "tau"
        ratio = _decay(node_name, field, get(field), dt)
        mem_decay, mem_offset, mem_gain = 1.0 - ratio, ratio * get("v_leak"), ratio * get("r")
    spiking = kind in SPIKING_NODES
    threshold = get("v_threshold") if spiking else zeros
    reset = get("v_reset", 0.0) if spiking else zeros
    subtract = _metadata(node, RESET_KEY) == "subtract"
    fires_at_threshold = _metadata(node, FIRES_AT_KEY) == ">="

    def f32(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a, dtype=np.float32)

    return NeuronCoefficients(
        f32(syn_decay),
        f32(syn_gain),
        f32(mem_decay),
        f32(mem_offset),
        f32(mem_gain),
        f32(threshold),
        f32(reset),
        kind in ("CubaLIF", "CubaLI"),
        spiking,
        subtract,
        fires_at_threshold,
    )


def _pair(node_name: str, field: str, value) -> tuple[int, int]:
    array = np.asarray(value).ravel()
    if array.size not in (1, 2):
        raise DesignError.single(f"{node_name}.{field}", value, "one int or a pair")
    return int(array[0]), int(array[-1])


def _as_maps(node_name: str, shape: tuple[int, ...], node) -> tuple[int, int, int]:
    """The (C, H, W) a 2-D node reads: the shape so far, or a flat input unflattened by the node's own input_shape."""
    if len(shape) == 3:
        return shape
    spatial = getattr(node, "input_shape", None)
    if spatial is not None and np.size(spatial) == 2 and math.prod(shape) % math.prod(np.ravel(spatial)) == 0:
        height, width = (int(v) for v in np.ravel(spatial))
        return (math.prod(shape) // (height * width), height, width)
    raise DesignError.single(f"{node_name}.input", shape, "feature maps (C, H, W) from the node before it")


def synapse(node_name: str, node, shape: tuple[int, ...]):
    """The :mod:`snnexplorer.sim.graph` operator of one NIR synapse node reading ``shape``."""
    kind = type(node).__name__
    n = math.prod(shape)
    if kind in ("Affine", "Linear"):
        weight = np.asarray(node.weight, dtype=np.float32)
        if weight.ndim != 2 or weight.shape[1] != n:
            raise DesignError.single(f"{node_name}.weight", weight.shape, f"[n_out, {n}] (its input has {n} values)")
        bias = np.asarray(node.bias, dtype=np.float32).ravel() if kind == "Affine" else None
        if bias is not None and bias.size != weight.shape[0]:
            raise DesignError.single(f"{node_name}.bias", bias.shape, f"[{weight.shape[0]}]")
        return Dense(np.ascontiguousarray(weight), bias, shape)
    if kind == "Scale":
        scale = np.asarray(node.scale, dtype=np.float32)
        if scale.size not in (1, n):
            raise DesignError.single(f"{node_name}.scale", scale.shape, f"a scalar or {n} values")
        return Scale(scale.reshape(shape) if scale.size == n else scale.reshape(()), shape)
    if kind == "Flatten":
        return Reshape(shape, (n,))
    maps = _as_maps(node_name, shape, node)
    if kind == "Conv2d":
        weight = np.ascontiguousarray(node.weight, dtype=np.float32)
        groups = int(node.groups)
        if weight.ndim != 4 or weight.shape[1] * groups != maps[0]:
            raise DesignError.single(f"{node_name}.weight", weight.shape, f"[C_out, {maps[0]} / groups, kh, kw]")
        padding = node.padding if isinstance(node.padding, str) else _pair(node_name, "padding", node.padding)
        bias = None if node.bias is None else np.asarray(node.bias, dtype=np.float32).ravel()
        return Conv2d(
            weight,
            bias,
            maps,
            _pair(node_name, "stride", node.stride),
            padding,
            _pair(node_name, "dilation", node.dilation),
            groups,
        )
    return Pool2d(
        "sum" if kind == "SumPool2d" else "avg",
        _pair(node_name, "kernel_size", node.kernel_size),
        _pair(node_name, "stride", node.stride),
        _pair(node_name, "padding", node.padding),
        maps,
    )


def _input_shape(node) -> tuple[int, ...]:
    shape = node.input_type["input"] if isinstance(node.input_type, dict) else node.input_type
    return tuple(int(v) for v in np.ravel(shape))


class _Builder:
    """Builds each population's synapse tree, shapes checked node by node (see the module docstring)."""

    def __init__(self, flat: FlatGraph, source: str, order: list[str]):
        self.flat = flat
        self.index = {name: i for i, name in enumerate(order)} | {source: NETWORK_INPUT}
        self.shapes: dict[str, tuple[int, ...]] = {source: _input_shape(flat.nodes[source])}

    def shape(self, name: str, population: str) -> tuple[int, ...] | None:
        """What reaches ``population`` from node ``name``, in shape; None where only its own spikes decide it."""
        if name in self.shapes:
            return self.shapes[name]
        if name == population:
            return None
        kind = self.flat.kind(name)
        known = self._known(name, population)
        if known is None:
            node = self.flat.nodes[name]
            return (int(np.shape(node.weight)[0]),) if kind in ("Affine", "Linear") else None
        return known if kind == "pass" else tuple(synapse(name, self.flat.nodes[name], known).output_shape)

    def _known(self, name: str, population: str) -> tuple[int, ...] | None:
        """The first shape known among what reaches node ``name``."""
        shapes = (self.shape(source, population) for source in self.flat.predecessors[name])
        return next((shape for shape in shapes if shape is not None), None)

    def tree(self, name: str, population: str, names: list[str]) -> tuple[Synapses | int, tuple[int, ...]]:
        """The synapse tree from node ``name`` into ``population`` and its output shape; ``names`` collects the
        synapse nodes met."""
        kind = self.flat.kind(name)
        if kind in (*NEURON_NODES, "Input"):
            return self.index[name], self.shapes[name]
        tree, shape = self.sum(name, population, names)
        names.append(name)
        op = None if kind == "pass" else synapse(name, self.flat.nodes[name], shape)
        return Synapses(op, tree.inputs), shape if op is None else tuple(op.output_shape)

    def sum(self, name: str, population: str, names: list[str]) -> tuple[Synapses, tuple[int, ...]]:
        """What reaches node ``name`` on all its edges, added, and its shape (the first edge's)."""
        inputs, shapes = [], []
        for source in self.flat.predecessors[name]:
            item, shape = self.tree(source, population, names)
            inputs.append(item)
            shapes.append(shape)
        if len({math.prod(shape) for shape in shapes}) > 1:
            raise DesignError.single(
                f"nir.edges (into {name})", [list(shape) for shape in shapes], "inputs of as many values each (they add)"
            )
        return Synapses(None, tuple(inputs)), shapes[0]

    def stage(self, population: str, dt: float) -> Stage:
        shape = self._known(population, population)
        if shape is None:
            raise DesignError.single(f"{population}.input", "its own spikes only", "a feed-forward input too")
        self.shapes[population] = shape
        names: list[str] = []
        tree, _ = self.sum(population, population, names)
        sources = sorted(tree.sources() - {self.index[population]})
        widths = {self.index[name]: math.prod(self.shapes[name]) for name in self.shapes}
        neurons = neuron_coefficients(population, self.flat.nodes[population], math.prod(shape), dt)
        inputs = tuple((source, widths[source]) for source in sources)
        return Stage(tree, neurons, inputs, self.index[population], "→".join([*names, population]))


def from_nir(path_or_graph, dt: float = 1e-3, name: str | None = None) -> ImportedNetwork:
    """The network of a NIR graph or file, integrated at step ``dt`` seconds (see the module docstring)."""
    if not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise DesignError.single("dt", dt, "a step in seconds > 0")
    flat = FlatGraph.of(read_graph(path_or_graph))
    source, sink = flat.ends()
    order = _populations(flat, sink)
    quiet = [p for p in order if flat.kind(p) not in SPIKING_NODES and (p != order[-1] or p in _sources(flat, p))]
    if quiet:
        raise DesignError.single(
            quiet[0], "a non-spiking neuron node", "LI, I and CubaLI only as the Output's node, not recurrent"
        )
    builder = _Builder(flat, source, order)
    stages = [builder.stage(population, float(dt)) for population in order]
    label = name or (Path(path_or_graph).stem if isinstance(path_or_graph, (str, Path)) else "imported")
    return ImportedNetwork(stages, builder.shapes[source], float(dt), label, tuple(order))
