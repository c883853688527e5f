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

Synapse nodes (Affine, Linear, Scale, Conv2d, SumPool2d, AvgPool2d, Flatten)
between two neuron nodes form one stage of :mod:`snnexplorer.sim.graph`; the
graph must be one chain from its Input to its Output that ends in a neuron
node, and only its last neuron node may be non-spiking (LI, I, CubaLI: the
network's scores are its final membrane; a last spiking node's scores are its
spike counts).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import DesignError, FieldProblem
from ..sim.graph import Conv2d, Dense, Pool2d, Reshape, Scale, Stage
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


def chain(graph) -> list[str]:
    """The node names from the Input to the Output, refusing unsupported nodes, branches and strays."""
    types = {name: type(node).__name__ for name, node in graph.nodes.items()}
    unsupported = [f"{name} ({kind})" for name, kind in types.items() if kind not in SUPPORTED_NODES]
    if unsupported:
        raise DesignError.single("nir.nodes", unsupported, f"only the node types {list(SUPPORTED_NODES)}")
    successors: dict[str, list[str]] = {name: [] for name in graph.nodes}
    predecessors: dict[str, list[str]] = {name: [] for name in graph.nodes}
    for source, target in graph.edges:
        successors[source].append(target)
        predecessors[target].append(source)
    problems = [
        FieldProblem(f"nir.edges ({name})", links, "one chain: at most one edge into and out of every node")
        for name in graph.nodes
        for links in (successors[name], predecessors[name])
        if len(links) > 1
    ]
    inputs = [name for name, kind in types.items() if kind == "Input"]
    if len(inputs) != 1:
        problems.append(FieldProblem("nir.nodes", inputs, "exactly one Input node"))
    if problems:
        raise DesignError(problems)
    order = inputs
    while successors[order[-1]]:
        order.append(successors[order[-1]][0])
        if order[-1] in order[:-1]:
            raise DesignError.single("nir.edges", order, "a feed-forward chain (this one loops)")
    stray = sorted(set(graph.nodes) - set(order))
    if stray or types[order[-1]] != "Output":
        raise DesignError.single("nir.edges", stray or order[-1], "every node on the one chain from the Input to an Output")
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


def from_nir(path_or_graph, dt: float = 1e-3, name: str | None = None) -> ImportedNetwork:
    """The network of a NIR graph or file, integrated at step ``dt`` seconds (see the module docstring)."""
    if not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise DesignError.single("dt", dt, "a step in seconds > 0")
    graph = read_graph(path_or_graph)
    order = chain(graph)
    input_shape = shape = _input_shape(graph.nodes[order[0]])
    stages: list[Stage] = []
    synapses, names, stage_input = [], [], shape
    for node_name in order[1:-1]:
        node = graph.nodes[node_name]
        kind = type(node).__name__
        names.append(node_name)
        if kind in SYNAPSE_NODES:
            op = synapse(node_name, node, shape)
            synapses.append(op)
            shape = tuple(op.output_shape)
            continue
        if stages and not stages[-1].neurons.spiking:
            raise DesignError.single(
                stages[-1].name, "a non-spiking neuron node", "LI, I and CubaLI only as the last neuron node"
            )
        neurons = neuron_coefficients(node_name, node, math.prod(shape), float(dt))
        stages.append(Stage(tuple(synapses), neurons, stage_input, "→".join(names)))
        synapses, names, stage_input = [], [], shape
    if synapses or not stages:
        raise DesignError.single("nir.nodes", names or order, "a graph whose last node before the Output is a neuron node")
    label = name or (Path(path_or_graph).stem if isinstance(path_or_graph, (str, Path)) else "imported")
    return ImportedNetwork(stages, input_shape, float(dt), label)
