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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
import torch.nn.functional as F

from .activity import Activity, LayerActivity, read_back
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

NETWORK_INPUT = -1
"""The source index that names the network's input (stages are 0, 1, …)."""


@dataclass(frozen=True, eq=False)
class Synapses:
    """Synapse operators as a tree: ``op`` (None: the identity) applied to the sum of ``inputs``, each a subtree or
    an int naming a population (a stage's index, :data:`NETWORK_INPUT` for the network's input). The inputs of a
    sum must have as many values each (a merge: NIR adds what reaches a node on several edges)."""

    op: Synapse | None
    inputs: tuple[Synapses | int, ...]

    def operators(self) -> list[Synapse]:
        """Every operator once, inputs before the ones that read them."""
        found: dict[int, Synapse] = {}
        for item in self.inputs:
            if isinstance(item, Synapses):
                found.update((id(op), op) for op in item.operators())
        if self.op is not None:
            found[id(self.op)] = self.op
        return list(found.values())

    def sources(self) -> set[int]:
        """The populations this tree reads."""
        return {s for item in self.inputs for s in ((item,) if isinstance(item, int) else item.sources())}

    def forward(self, values: Mapping[int, torch.Tensor], structural: bool = False) -> torch.Tensor:
        """The tree's output [rows, n] for each population's values [rows or 1, width] (1 row: the same for every
        row, e.g. zeros); ``structural``: every weight one, every pool summing, no bias (see the module docstring)."""
        total = None
        for item in self.inputs:
            x = values[item] if isinstance(item, int) else item.forward(values, structural)
            x = x.reshape(len(x), -1)
            total = x if total is None else total + x
        return total if self.op is None else self.op.forward(total, structural).reshape(len(total), -1)


@dataclass(frozen=True, eq=False)
class Stage:
    """Synapses into one neuron population; ``name`` says where it came from (e.g. the NIR node names).

    ``inputs`` are the populations the synapses read, with their widths, in the order their spikes are laid out
    as this stage's inputs; ``index`` is the stage's own place: a synapse tree reading it makes the stage
    recurrent (its spikes of the step before; see :mod:`snnexplorer.sim.neurons`).
    """

    synapses: Synapses
    neurons: NeuronCoefficients
    inputs: tuple[tuple[int, int], ...]
    index: int
    name: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The synapse operators' class names, in order."""
        return tuple(type(op).__name__ for op in self.synapses.operators())

    @property
    def n_in(self) -> int:
        """Feed-forward inputs: the widths of the populations read, its own (recurrent) spikes not counted."""
        return sum(width for _, width in self.inputs)

    @property
    def n_out(self) -> int:
        return self.neurons.size

    @cached_property
    def recurrent(self) -> bool:
        """Whether the synapses read this stage's own spikes."""
        return self.index in self.synapses.sources()

    @property
    def parameters(self) -> int:
        return sum(op.parameters for op in self.synapses.operators())

    def _zeros(self) -> dict[int, torch.Tensor]:
        """Every population this stage reads (itself included) at zero: one row."""
        return {**{source: torch.zeros((1, width)) for source, width in self.inputs}, self.index: torch.zeros((1, self.n_out))}

    @cached_property
    def _gradients(self) -> dict[int, np.ndarray]:
        """Synapses each value of each population read reaches, structurally (see the module docstring)."""
        values = {source: torch.ones((1, width), requires_grad=True) for source, width in self.inputs}
        if self.recurrent:
            values[self.index] = torch.ones((1, self.n_out), requires_grad=True)
        self.synapses.forward(values, structural=True).sum().backward()
        return {source: value.grad.numpy().ravel().astype(np.float64) for source, value in values.items()}

    @cached_property
    def fan_out(self) -> np.ndarray:
        """Synapses each feed-forward input reaches (float64 [n_in], inputs in the order of ``inputs``)."""
        gradients = self._gradients
        return np.concatenate([gradients[source] for source, _ in self.inputs])

    @cached_property
    def recurrent_fan_out(self) -> np.ndarray | None:
        """Recurrent synapses each neuron's spike reaches (int64 [n_out]); None without recurrence."""
        return np.rint(self._gradients[self.index]).astype(np.int64) if self.recurrent else None

    def _rows(self, source: int, width: int) -> np.ndarray:
        """What each value of population ``source`` adds to each neuron's input through the synapses: float32
        [width, n_out]. The synapses are affine: their output on the identity less their output on zero."""
        with torch.no_grad():
            through = self.synapses.forward({**self._zeros(), source: torch.eye(width)})
            return np.ascontiguousarray((through - self.synapses.forward(self._zeros())).numpy(), dtype=np.float32)

    @cached_property
    def recurrent_weights(self) -> np.ndarray | None:
        """What a spike of neuron i adds to neuron j's input at the next step: float32 [n_out (i), n_out (j)]; None
        without recurrence."""
        return self._rows(self.index, self.n_out) if self.recurrent else None

    def affine_map(self) -> tuple[np.ndarray, np.ndarray]:
        """The feed-forward synapses as one affine map: weights float32 [n_in, n_out] (inputs in the order of
        ``inputs``) and the constant float32 [n_out] they add (the biases)."""
        with torch.no_grad():
            constant = self.synapses.forward(self._zeros()).reshape(-1).numpy()
        return np.concatenate([self._rows(source, width) for source, width in self.inputs]), constant

    @property
    def recurrent_connections(self) -> int:
        """Recurrent synapses (0 without recurrence)."""
        return 0 if self.recurrent_fan_out is None else int(self.recurrent_fan_out.sum())

    @property
    def connections(self) -> int:
        """Synapses, feed-forward and recurrent."""
        return int(round(self.fan_out.sum())) + self.recurrent_connections

    def currents(self, values: Mapping[int, np.ndarray]) -> np.ndarray:
        """Feed-forward input currents float32 [batch, T, n_out] of the populations' ``values`` [batch, T, width]
        (the recurrent synapses' constant included; what they carry per spike is added as the neurons step)."""
        n_batch, n_steps = values[self.inputs[0][0]].shape[:2]
        with torch.no_grad():
            read = self._zeros()
            for source, width in self.inputs:
                value = np.ascontiguousarray(values[source], dtype=np.float32)
                read[source] = torch.from_numpy(value).reshape(n_batch * n_steps, width)
            y = self.synapses.forward(read)
        return y.expand(n_batch * n_steps, self.n_out).reshape(n_batch, n_steps, self.n_out).numpy()

    def step(self, values: Mapping[int, np.ndarray]) -> tuple[np.ndarray, ...]:
        """The neurons stepped over :meth:`currents` (see :meth:`NeuronCoefficients.step`)."""
        return self.neurons.step(self.currents(values), self.recurrent_weights, self.recurrent_fan_out)


def _working_width(stages: list[Stage]) -> int:
    """Values per (sample, step) one stage works on at most: its inputs, its intermediates and its output."""
    return max(
        stage.n_in + stage.n_out + max([math.prod(op.output_shape) for op in stage.synapses.operators()] + [0])
        for stage in stages
    )


def _last_readers(stages: list[Stage]) -> dict[int, int]:
    """The last stage that reads each population (its spikes of a chunk can go after it)."""
    return {source: index for index, stage in enumerate(stages) for source, _ in stage.inputs}


def simulate_graph(stages: list[Stage], spikes: np.ndarray, labels: np.ndarray | None = None, name: str = "imported") -> Activity:
    """Simulate ``stages`` (in an order where each reads only earlier ones, or itself) on ``spikes`` [batch, T, n_in]
    (uint8/bool spikes or float32 analog input) and count.

    The last stage gives the scores: its spike counts when it spikes, else its
    final membrane. Predictions are their argmax. A recurrent stage's own spikes
    count as its inputs too (read at the step after), and its recurrent
    synaptic operations are kept apart (:class:`LayerActivity`).
    """
    spikes = np.asarray(spikes)
    if spikes.dtype == np.bool_:
        spikes = spikes.view(np.uint8)
    n_batch, n_steps = spikes.shape[:2]
    chunk = max(1, CHUNK_BYTES // (n_steps * _working_width(stages) * 4 * 2))
    analog = spikes.dtype.kind == "f"
    last_reader = _last_readers(stages)
    totals = [{"in": 0, "active": 0, "out": 0, "sops": 0, "recurrent": 0} for _ in stages]
    layer_spikes: list[list[np.ndarray]] = [[] for _ in stages[:-1]]
    scores = []
    for start in range(0, n_batch, chunk):
        values = {NETWORK_INPUT: spikes[start : start + chunk]}
        for index, stage in enumerate(stages):
            events, sops = 0, 0
            for (source, _), fan_out in zip(stage.inputs, np.split(stage.fan_out, np.cumsum([w for _, w in stage.inputs])[:-1])):
                x = values[source]
                graded = analog and source == NETWORK_INPUT
                events = events + (np.count_nonzero(x, axis=2) if graded else x.sum(axis=2, dtype=np.int64))
                sops = sops + ((x != 0) if graded else x).reshape(-1, x.shape[2]).astype(np.float64) @ fan_out
            out, counts, out_count, active, final, recurrent_ops = stage.step(values)
            if stage.recurrent:
                events = events + read_back(out_count)
            sops = np.rint(sops).astype(np.int64).reshape(out_count.shape) + recurrent_ops
            for key, value in zip(("in", "active", "out", "sops", "recurrent"), (events, active, out_count, sops, recurrent_ops)):
                totals[index][key] = totals[index][key] + value.sum(axis=0)
            values[index] = out
            for source in [s for s in values if last_reader.get(s, -2) <= index]:
                del values[source]
            if index < len(stages) - 1:
                layer_spikes[index].append(counts)
            else:
                scores.append(counts.astype(np.float64) if stage.neurons.spiking else final.astype(np.float64))
    layers = []
    for index, stage in enumerate(stages):
        total = totals[index]
        recurrent_inputs = stage.n_out if stage.recurrent else 0
        layers.append(
            LayerActivity(
                n_in=stage.n_in + recurrent_inputs,
                n_out=stage.n_out,
                timesteps=n_steps,
                batch=n_batch,
                input_spikes=np.asarray(total["in"], dtype=np.int64),
                synaptic_ops=np.asarray(total["sops"], dtype=np.int64),
                neuron_updates=np.full(n_steps, n_batch * stage.n_out, dtype=np.int64),
                neuron_updates_event=np.asarray(total["active"], dtype=np.int64),
                output_spikes=np.asarray(total["out"], dtype=np.int64),
                is_output=index == len(stages) - 1,
                analog_input=analog and any(source == NETWORK_INPUT for source, _ in stage.inputs),
                path="graph",
                parameters=stage.parameters,
                connections=stage.connections,
                recurrent_synaptic_ops=np.asarray(total["recurrent"], dtype=np.int64) if stage.recurrent else None,
                recurrent_connections=stage.recurrent_connections,
                synaptic_current=stage.neurons.has_synapse,
            )
        )
    return Activity.from_chunks(layers, scores, layer_spikes, labels, name)
