"""Convolutional LIF layers: a 2-D convolution, LIF neurons on its output map, optional OR pooling.

A :class:`Conv` takes the flattened (C, H, W) input of the previous layer
(torch's ``flatten`` order) and emits the flattened (C_out, H_p, W_p) spikes of
its pooled map, so convolutional and fully connected layers chain freely in
:func:`snnexplorer.sim.simulate`. Per step::

    I[t] = conv2d(s_in[t], W, stride, padding) + b      # W [C_out, C_in, k, k]
    v, s  as for any LIF layer (:mod:`snnexplorer.sim`), one neuron per (C_out, H_o, W_o)
    out[t] = max_pool(s[t], pool)                        # a pooled output spikes if any neuron of its window did

Event-driven (:func:`lif_conv`): each input spike at (c, y, x) adds, for each
kernel offset whose output position is on the map, the C_out weights
``W[:, c, ky, kx]`` to that position's currents (channels-last, so the add is
one contiguous vector). Its synaptic operations are C_out × the number of such
positions — fewer at the borders — counted exactly per step. Analog input
(direct encoding) runs through the same kernel: every non-zero value is an
event scaled by its value, and counts as multiply-accumulates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ..errors import DesignError, FieldProblem
from ..topology import ConvGeometry
from .kernels import _neuron_step, _spike_buffer


class ConvShape(NamedTuple):
    """A convolution's shape as :func:`lif_conv` takes it: input (C, H, W), stride, padding, output map (H_o, W_o)
    before pooling, pooling window."""

    input_shape: tuple[int, int, int]
    stride: int
    padding: int
    map_shape: tuple[int, int]
    pool: int


@dataclass(frozen=True)
class Conv:
    """One convolutional LIF layer. ``weight`` [C_out, C_in, k, k] float32, ``bias`` [C_out].

    ``input_shape`` is (C_in, H, W); ``pool`` 1 means no pooling, p > 1 ORs p×p
    windows (H_o and W_o must divide by p).
    """

    weight: np.ndarray
    bias: np.ndarray
    input_shape: tuple[int, int, int]
    stride: int = 1
    padding: int = 0
    pool: int = 1

    def __post_init__(self) -> None:
        problems = []
        if self.weight.ndim != 4 or self.weight.shape[2] != self.weight.shape[3]:
            problems.append(("conv.weight", self.weight.shape, "[C_out, C_in, k, k]"))
        elif self.weight.shape[1] != self.input_shape[0]:
            problems.append(("conv.input_shape", self.input_shape, f"{self.weight.shape[1]} channels, as the weight has"))
        if np.shape(self.bias) != self.weight.shape[:1]:
            problems.append(("conv.bias", np.shape(self.bias), f"[{self.weight.shape[0]}]"))
        if self.stride < 1 or self.padding < 0 or self.pool < 1:
            problems.append(
                ("conv.stride/padding/pool", (self.stride, self.padding, self.pool), "stride ≥ 1, padding ≥ 0, pool ≥ 1")
            )
        problems = [FieldProblem(*problem) for problem in problems]
        if not problems and (problem := self.geometry.problem("conv.pool")):
            problems.append(problem)
        if problems:
            raise DesignError(problems)

    @property
    def kernel(self) -> int:
        return int(self.weight.shape[2])

    @property
    def channels(self) -> int:
        return int(self.weight.shape[0])

    @cached_property
    def geometry(self) -> ConvGeometry:
        """Shapes, synapse and parameter counts (:class:`~snnexplorer.topology.ConvGeometry`)."""
        return ConvGeometry(self.channels, self.kernel, tuple(self.input_shape), self.stride, self.padding, self.pool)

    @property
    def map_shape(self) -> tuple[int, int]:
        """(H_o, W_o) of the convolution's output map, before pooling."""
        return self.geometry.map_shape

    @property
    def shape(self) -> ConvShape:
        """The shape :func:`lif_conv` takes."""
        return ConvShape(tuple(self.input_shape), self.stride, self.padding, self.map_shape, self.pool)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """(C_out, H_p, W_p) of the emitted, pooled spikes."""
        return self.geometry.output_shape

    @property
    def n_in(self) -> int:
        return self.geometry.n_in

    @property
    def n_neurons(self) -> int:
        return self.geometry.n_neurons

    @property
    def n_out(self) -> int:
        return self.geometry.n_out

    @property
    def connections(self) -> int:
        """Synapses (input, output neuron) pairs of the convolution, borders included."""
        return self.geometry.connections


def channels_last(weight: np.ndarray) -> np.ndarray:
    """[C_out, C_in, k, k] → [C_in, k, k, C_out], the order the kernel adds in."""
    return np.ascontiguousarray(np.transpose(weight, (1, 2, 3, 0)))


@njit(cache=True, nogil=True)
def _output_index(size, kernel, stride, padding, out_size):
    """[input position, kernel offset] → the output position it feeds along one axis, or -1 (off the map or between strides).

    Precomputed once per call, so the event loop divides nothing.
    """
    index = np.full((size, kernel), -1, dtype=np.int64)
    for position in range(size):
        for offset in range(kernel):
            shifted = position + padding - offset
            if shifted >= 0 and shifted % stride == 0 and shifted // stride < out_size:
                index[position, offset] = shifted // stride
    return index


@njit(cache=True, nogil=True, parallel=True)
def lif_conv(x, analog, weight, bias, shape, neuron):
    """Event-driven convolutional LIF layer over ``x`` [B, T, C·H·W] (counts, or analog values when ``analog``), of
    :class:`ConvShape` ``shape`` and :class:`~snnexplorer.sim.kernels.NeuronParams` ``neuron``.

    In the counters an analog input counts once per non-zero value. ``weight`` is channels-last [C_in, k, k, C_out] (:func:`channels_last`).
    Returns (out_spikes uint8 [B, T, padded(C_out·H_p·W_p)], spike_counts int32
    [B, C_out·H_o·W_o] per neuron, in_count int64 [B, T], any_input bool [B, T],
    out_count int64 [B, T] pooled spikes sent, synaptic_ops int64 [B, T]).
    """
    n_batch, n_steps, _ = x.shape
    in_shape, stride, padding, map_shape, pool = shape
    channels_in, height, width = in_shape
    kernel = weight.shape[1]
    channels = weight.shape[3]
    map_h, map_w = map_shape
    pooled_h, pooled_w = map_h // pool, map_w // pool
    n_positions = map_h * map_w
    n_out = channels * pooled_h * pooled_w
    out_spikes = _spike_buffer(n_batch, n_steps, n_out, False)
    spike_counts = np.zeros((n_batch, channels * n_positions), dtype=np.int32)
    in_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    any_input = np.zeros((n_batch, n_steps), dtype=np.bool_)
    out_count = np.zeros((n_batch, n_steps), dtype=np.int64)
    synaptic_ops = np.zeros((n_batch, n_steps), dtype=np.int64)
    row_of = _output_index(height, kernel, stride, padding, map_h)  # [y, ky] → output row, or -1
    col_of = _output_index(width, kernel, stride, padding, map_w)
    for b in prange(n_batch):
        v = np.zeros(n_positions * channels, dtype=weight.dtype)
        current = np.empty((n_positions, channels), dtype=weight.dtype)
        spikes = np.empty(n_positions * channels, dtype=np.uint8)
        counts = np.zeros(n_positions * channels, dtype=np.int32)
        unused_score = np.zeros(n_positions * channels, dtype=weight.dtype)
        for t in range(n_steps):
            for p in range(n_positions):
                current[p, :] = bias
            row = x[b, t]
            total = 0
            nonzero = 0
            fan_total = 0
            i = -1
            for c in range(channels_in):
                for y in range(height):
                    for xx in range(width):
                        i += 1
                        value = row[i]
                        if value == 0:
                            continue
                        nonzero += 1
                        weight_of_event = 1 if analog else int(value)
                        total += weight_of_event
                        fan = 0
                        for ky in range(kernel):
                            oy = row_of[y, ky]
                            if oy < 0:
                                continue
                            for kx in range(kernel):
                                ox = col_of[xx, kx]
                                if ox < 0:
                                    continue
                                cur = current[oy * map_w + ox]
                                w = weight[c, ky, kx]
                                if value == 1:
                                    for co in range(channels):
                                        cur[co] += w[co]
                                else:
                                    for co in range(channels):
                                        cur[co] += value * w[co]
                                fan += 1
                        fan_total += fan * weight_of_event
            in_count[b, t] = total
            any_input[b, t] = nonzero > 0
            synaptic_ops[b, t] = fan_total * channels
            _neuron_step(v, current.reshape(n_positions * channels), neuron, spikes, counts, unused_score, False)
            sent = 0
            out_row = out_spikes[b, t]
            for co in range(channels):
                for py in range(pooled_h):
                    for px in range(pooled_w):
                        fired = 0
                        for dy in range(pool):
                            for dx in range(pool):
                                fired |= spikes[((py * pool + dy) * map_w + px * pool + dx) * channels + co]
                        out_row[(co * pooled_h + py) * pooled_w + px] = fired
                        sent += fired
            out_count[b, t] = sent
        for p in range(n_positions):  # per-neuron counts in (C_out, H_o, W_o) order
            for co in range(channels):
                spike_counts[b, co * n_positions + p] = counts[p * channels + co]
    return out_spikes, spike_counts, in_count, any_input, out_count, synaptic_ops
