"""A plain numpy reading of a NIR graph's equations (float64, one node and one step at a time): the engine's oracle.

Independent of the importer (:mod:`snnexplorer.interop.nir_import`): it reads the file with ``nir.read``, walks the
edges from the Input node itself, reads the nodes' own fields (never the engine's coefficients) and the two metadata
keys our exporter writes, and applies the forward-Euler steps of NIR's equations literally. Slow by design; for
tests and for checking a file by hand. A chain of nodes only; 2-D nodes support stride, padding (ints) and groups;
dilation must be 1.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

RESET_METADATA, FIRES_AT_METADATA = "snnexplorer.reset", "snnexplorer.fires_at"
"""Node metadata as NIR files from :mod:`snnexplorer.interop.nir_export` carry it (read here on their own)."""


def _read(path_or_graph):
    import nir

    return path_or_graph if isinstance(path_or_graph, nir.NIRGraph) else nir.read(path_or_graph, type_check=False)


def _order(graph) -> list[str]:
    """The node names from the Input node along the edges to the Output node (a chain)."""
    following = dict(graph.edges)
    if len(following) != len(graph.edges):
        raise ValueError("the reference reads a chain of nodes only")
    name = next(n for n, node in graph.nodes.items() if type(node).__name__ == "Input")
    order = [name]
    while name in following:
        name = following[name]
        order.append(name)
    return order


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


def euler_reference(path_or_graph, spikes: np.ndarray, dt: float = 1e-3) -> dict[str, np.ndarray]:
    """Per neuron node: its spike counts [batch, *shape] (spiking nodes) or final membrane (LI, I, CubaLI).

    ``spikes``: [batch, T, n_inputs].
    """
    graph = _read(path_or_graph)
    order = _order(graph)
    batch, steps = spikes.shape[:2]
    first = graph.nodes[order[0]]
    shape_in = tuple(
        int(v) for v in np.ravel(first.input_type["input"] if isinstance(first.input_type, dict) else first.input_type)
    )
    state: dict[str, dict[str, np.ndarray]] = {}
    out: dict[str, np.ndarray] = {}
    for t in range(steps):
        x = np.asarray(spikes[:, t], dtype=np.float64).reshape(batch, *shape_in)
        for name in order[1:-1]:
            node = graph.nodes[name]
            kind = type(node).__name__
            if kind in ("Affine", "Linear"):
                x = x.reshape(batch, -1) @ np.asarray(node.weight, dtype=np.float64).T
                x = x + np.asarray(node.bias, dtype=np.float64) if kind == "Affine" else x
            elif kind == "Scale":
                x = x * np.asarray(node.scale, dtype=np.float64).reshape(x.shape[1:] if np.size(node.scale) > 1 else ())
            elif kind == "Flatten":
                x = x.reshape(batch, -1)
            elif kind == "Conv2d":
                x = _conv(node, _maps(x, node))
            elif kind in ("SumPool2d", "AvgPool2d"):
                x = _pool(node, _maps(x, node))
            else:
                x = _neuron_step(name, node, x, state, out, dt)
    return out


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
