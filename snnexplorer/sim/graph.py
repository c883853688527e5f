"""Feed-forward graphs of synapse operators and neuron populations: how an imported network runs.

A graph is a chain of :class:`Stage` s. A stage's synapses (:class:`Dense`,
:class:`Conv2d`, :class:`Pool2d`, :class:`Scale`, :class:`Reshape`, in order)
turn the previous population's spikes of one step into the input currents of
its neurons (:class:`~snnexplorer.sim.neurons.NeuronCoefficients`), for all
steps of a chunk of samples at once (torch's CPU kernels); the neurons then
step through time (numba, :mod:`snnexplorer.sim.neurons`).

Synaptic operations are counted as an event-driven chip that pools by address
(DYNAP-CNN, Speck) performs them: each input spike reaches every synapse its
stage's composed operator connects it to, pooling included, and each such
(spike, synapse) pair is one accumulate. That per-input *fan-out* is the
gradient of the stage with every weight set to one and every pool summing,
computed once. A non-binary input (direct-encoded pixels) counts one
multiply-accumulate per (non-zero input, synapse).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
import torch.nn.functional as F

from .activity import Activity, LayerActivity
from .neurons import NeuronCoefficients

CHUNK_BYTES = 256 * 2**20
"""Working memory one chunk of samples may take (currents, spikes and the synapses' intermediates, float32)."""


@dataclass(frozen=True, eq=False)
class Dense:
    """``y = W x + b``: ``weight`` [n_out, n_in] (NIR's Affine/Linear layout), ``bias`` [n_out] or None."""

    weight: np.ndarray
    bias: np.ndarray | None
    input_shape: tuple[int, ...]

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (int(self.weight.shape[0]),)

    @property
    def parameters(self) -> int:
        return int(self.weight.size + (0 if self.bias is None else self.bias.size))

    def forward(self, x: torch.Tensor, structural: bool = False) -> torch.Tensor:
        weight = torch.from_numpy(self.weight)
        if structural:
            return x.reshape(len(x), -1) @ torch.ones_like(weight).T
        bias = None if self.bias is None else torch.from_numpy(self.bias)
        return F.linear(x.reshape(len(x), -1), weight, bias)


@dataclass(frozen=True, eq=False)
class Conv2d:
    """A 2-D convolution: ``weight`` [C_out, C_in / groups, kh, kw], ``bias`` [C_out] or None, input (C, H, W)."""

    weight: np.ndarray
    bias: np.ndarray | None
    input_shape: tuple[int, int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] | str = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        return tuple(self.forward(torch.zeros((1, *self.input_shape))).shape[1:])

    @property
    def parameters(self) -> int:
        return int(self.weight.size + (0 if self.bias is None else self.bias.size))

    def forward(self, x: torch.Tensor, structural: bool = False) -> torch.Tensor:
        weight = torch.from_numpy(self.weight)
        bias = None if self.bias is None or structural else torch.from_numpy(self.bias)
        return F.conv2d(
            x.reshape(len(x), *self.input_shape),
            torch.ones_like(weight) if structural else weight,
            bias,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
        )


@dataclass(frozen=True, eq=False)
class Pool2d:
    """Sum or average pooling over (C, H, W) maps (zero padding counted in the average, as NIR's reference does)."""

    kind: str
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    input_shape: tuple[int, int, int]

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        return tuple(self.forward(torch.zeros((1, *self.input_shape))).shape[1:])

    parameters = 0

    def forward(self, x: torch.Tensor, structural: bool = False) -> torch.Tensor:
        summing = structural or self.kind == "sum"
        return F.avg_pool2d(
            x.reshape(len(x), *self.input_shape),
            self.kernel,
            self.stride,
            self.padding,
            count_include_pad=True,
            divisor_override=1 if summing else None,
        )


@dataclass(frozen=True, eq=False)
class Scale:
    """Element-wise ``y = x ⊙ scale``; ``scale`` has the input's shape (or broadcasts to it)."""

    scale: np.ndarray
    input_shape: tuple[int, ...]

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.input_shape

    @property
    def parameters(self) -> int:
        return int(self.scale.size)

    def forward(self, x: torch.Tensor, structural: bool = False) -> torch.Tensor:
        x = x.reshape(len(x), *self.input_shape)
        return x if structural else x * torch.from_numpy(self.scale)


@dataclass(frozen=True, eq=False)
class Reshape:
    """A change of shape only (NIR's Flatten)."""

    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    parameters = 0

    def forward(self, x: torch.Tensor, structural: bool = False) -> torch.Tensor:
        return x.reshape(len(x), *self.output_shape)


Synapse = Dense | Conv2d | Pool2d | Scale | Reshape


@dataclass(frozen=True, eq=False)
class Stage:
    """Synapses then one neuron population; ``name`` says where it came from (e.g. the NIR node names)."""

    synapses: tuple[Synapse, ...]
    neurons: NeuronCoefficients
    input_shape: tuple[int, ...]
    name: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The synapse operators' class names, in order."""
        return tuple(type(op).__name__ for op in self.synapses)

    @property
    def n_in(self) -> int:
        return math.prod(self.input_shape)

    @property
    def n_out(self) -> int:
        return self.neurons.size

    @property
    def parameters(self) -> int:
        return sum(op.parameters for op in self.synapses)

    @cached_property
    def fan_out(self) -> np.ndarray:
        """Synapses each input reaches through the composed operator (float64 [n_in]; see the module docstring)."""
        x = torch.ones((1, self.n_in), dtype=torch.float64, requires_grad=True)
        y = x
        for op in self.synapses:
            y = op.forward(y.to(torch.float32), structural=True).to(torch.float64)
        y.sum().backward()
        return x.grad.numpy().ravel().copy()

    def currents(self, spikes: np.ndarray) -> np.ndarray:
        """Input currents float32 [batch, T, n_out] of ``spikes`` [batch, T, n_in]."""
        n_batch, n_steps = spikes.shape[:2]
        with torch.no_grad():
            y = torch.from_numpy(np.ascontiguousarray(spikes, dtype=np.float32)).reshape(n_batch * n_steps, self.n_in)
            for op in self.synapses:
                y = op.forward(y)
        return y.reshape(n_batch, n_steps, self.n_out).numpy()


def _largest_width(stages: list[Stage]) -> int:
    widths = [stages[0].n_in]
    for stage in stages:
        widths += [math.prod(op.output_shape) for op in stage.synapses] + [stage.n_out]
    return max(widths)


def simulate_graph(stages: list[Stage], spikes: np.ndarray, labels: np.ndarray | None = None, name: str = "imported") -> Activity:
    """Simulate ``stages`` on ``spikes`` [batch, T, n_in] (uint8/bool spikes or float32 analog input) and count.

    The last stage gives the scores: its spike counts when it spikes, else its
    final membrane. Predictions are their argmax.
    """
    spikes = np.asarray(spikes)
    if spikes.dtype == np.bool_:
        spikes = spikes.view(np.uint8)
    n_batch, n_steps = spikes.shape[:2]
    chunk = max(1, CHUNK_BYTES // (n_steps * _largest_width(stages) * 4 * 4))
    analog = spikes.dtype.kind == "f"
    totals = [{"in": 0, "active": 0, "out": 0, "sops": 0} for _ in stages]
    layer_spikes: list[list[np.ndarray]] = [[] for _ in stages[:-1]]
    scores = []
    for start in range(0, n_batch, chunk):
        x = spikes[start : start + chunk]
        for index, stage in enumerate(stages):
            events = np.count_nonzero(x, axis=2) if analog and index == 0 else x.sum(axis=2, dtype=np.int64)
            inputs = (x != 0) if analog and index == 0 else x
            sops = inputs.reshape(-1, stage.n_in).astype(np.float64) @ stage.fan_out
            out, counts, out_count, active, final = stage.neurons.step(stage.currents(x))
            for key, value in zip(
                ("in", "active", "out", "sops"),
                (events, active, out_count, np.rint(sops).astype(np.int64).reshape(events.shape)),
            ):
                totals[index][key] = totals[index][key] + value.sum(axis=0)
            if index < len(stages) - 1:
                layer_spikes[index].append(counts)
                x = out
            else:
                scores.append(counts.astype(np.float64) if stage.neurons.spiking else final.astype(np.float64))
    layers = []
    for index, stage in enumerate(stages):
        total = totals[index]
        layers.append(
            LayerActivity(
                n_in=stage.n_in,
                n_out=stage.n_out,
                timesteps=n_steps,
                batch=n_batch,
                input_spikes=np.asarray(total["in"], dtype=np.int64),
                synaptic_ops=np.asarray(total["sops"], dtype=np.int64),
                neuron_updates=np.full(n_steps, n_batch * stage.n_out, dtype=np.int64),
                neuron_updates_event=np.asarray(total["active"], dtype=np.int64),
                output_spikes=np.asarray(total["out"], dtype=np.int64),
                is_output=index == len(stages) - 1,
                analog_input=analog and index == 0,
                path="graph",
                parameters=stage.parameters,
                connections=int(round(stage.fan_out.sum())),
            )
        )
    return Activity.from_chunks(layers, scores, layer_spikes, labels, name)
