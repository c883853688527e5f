"""Activity: what a simulation measured; all the cost model needs from a network."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def read_back(out_count: np.ndarray) -> np.ndarray:
    """A recurrent layer's own spikes as it reads them, per step (last axis): those of the step before, none at the
    first (see :mod:`snnexplorer.sim.neurons`)."""
    shifted = np.zeros_like(out_count)
    shifted[..., 1:] = out_count[..., :-1]
    return shifted


@dataclass
class LayerActivity:
    """Counters of one weight layer, summed over the batch, one entry per step.

    ``synaptic_ops[t]`` = input spikes × fan-out (a graded input of count c is c
    spikes); for analog (direct-encoded) input it counts multiply-accumulates of
    the non-zero inputs instead (``analog_input`` is then true).
    ``neuron_updates[t]`` is the time-driven count (every neuron of every sample);
    ``neuron_updates_event[t]`` counts the updates an event-driven core makes: the design engine counts
    every neuron of a sample whose layer received input at t (with a synaptic current: at t or before, as the
    current charges the membrane until it has decayed); the engine of imported graphs
    (:mod:`snnexplorer.sim.graph`) each neuron that received input or held a non-zero state.
    ``n_out`` counts neurons; ``output_spikes`` the spikes sent on (after a
    convolution's pooling). ``parameters`` (weights and biases) and
    ``connections`` (synapses) default to a fully connected layer's.
    ``weight_updates[t]`` counts weights written by on-line learning (STDP;
    zero for inference); each is a read-modify-write of one weight.
    ``zero_weights`` counts the weights (not biases) that are exactly zero as
    simulated (after quantization), out of ``weights``; None where no weights
    exist (synthetic).
    """

    n_in: int
    n_out: int
    timesteps: int
    batch: int
    input_spikes: np.ndarray
    synaptic_ops: np.ndarray
    neuron_updates: np.ndarray
    neuron_updates_event: np.ndarray
    output_spikes: np.ndarray
    is_output: bool
    analog_input: bool = False
    path: str = "event"
    parameters: int = -1
    connections: int = -1
    weight_updates: np.ndarray | None = None
    zero_weights: int | None = None
    weights: int = -1
    input_bits: int = 1
    """Bits of one input value in a frame: 1 for spikes, 8 where the input carries counts (binned events)."""
    recurrent_synaptic_ops: np.ndarray | None = None
    """Of ``synaptic_ops[t]``, those of the recurrent synapses (a population's own spikes of step t − 1); None where
    the layer has none. A recurrent layer's own spikes are among its inputs (``n_in``, ``input_spikes``) and its
    recurrent weights among its ``parameters`` and ``connections``: hardware reads them like the others."""
    recurrent_connections: int = 0
    """Of ``connections``, the recurrent synapses."""
    synaptic_current: bool = False
    """The neurons keep a synaptic current beside their membrane (current-based LIF, NIR's CubaLIF): one more state
    value per neuron, read and written with the membrane at every update."""
    channels: int = 0
    """A convolution's output channels (its weights are theirs: what blocks of its weights split); 0 for a dense layer
    (its neurons are its channels) or a convolution whose channels are not known."""

    def __post_init__(self) -> None:
        if self.weight_updates is None:
            self.weight_updates = np.zeros(self.timesteps, dtype=np.int64)
        if self.parameters < 0:
            self.parameters = (self.n_in + 1) * self.n_out
        if self.connections < 0:
            self.connections = self.n_in * self.n_out
        if self.weights < 0:
            self.weights = self.n_in * self.n_out

    @property
    def recurrent_ops(self) -> float:
        """Synaptic ops of the recurrent synapses over all steps and samples (0 without)."""
        return 0.0 if self.recurrent_synaptic_ops is None else float(self.recurrent_synaptic_ops.sum())

    @property
    def fed_back_spikes(self) -> np.ndarray:
        """Of ``input_spikes[t]``, the layer's own spikes of step t − 1 read back (a recurrent layer; zeros otherwise)."""
        if not self.recurrent_connections:
            return np.zeros_like(self.input_spikes)
        return read_back(self.output_spikes).astype(self.input_spikes.dtype)

    @property
    def input_rate(self) -> float:
        """Mean input spikes per input neuron per step."""
        return float(self.input_spikes.sum()) / max(1, self.batch * self.timesteps * self.n_in)

    @property
    def output_rate(self) -> float:
        """Mean output spikes per neuron per step (0 for the non-spiking output layer)."""
        return float(self.output_spikes.sum()) / max(1, self.batch * self.timesteps * self.n_out)


@dataclass
class Activity:
    """The result of simulating one network (or one expert) on a batch."""

    layers: list[LayerActivity]
    predictions: np.ndarray
    output_potential: np.ndarray
    layer_spikes: list[np.ndarray]
    labels: np.ndarray | None = None
    name: str = "main"
    experts: list[Activity] = field(default_factory=list)
    sequential: bool = False
    """The input is a sequence (one row of an image per step, ``rows`` encoding), not one frame repeated or binned:
    an ANN twin then runs at every step too."""

    @classmethod
    def from_chunks(
        cls, layers: list[LayerActivity], scores: list[np.ndarray], layer_spikes: list[list[np.ndarray]], labels, name: str
    ) -> Activity:
        """An Activity from a simulation's per-chunk output scores and hidden spike counts (predictions: argmax)."""
        potential = np.concatenate(scores)
        return cls(
            layers=layers,
            predictions=np.argmax(potential, axis=1),
            output_potential=potential,
            layer_spikes=[np.concatenate(s) for s in layer_spikes],
            labels=None if labels is None else np.asarray(labels)[: len(potential)],
            name=name,
        )

    @property
    def batch(self) -> int:
        """Samples the counters cover (a training run's Activity has counters but no predictions)."""
        return int(self.layers[0].batch) if self.layers else int(len(self.predictions))

    @property
    def synaptic_ops(self) -> np.ndarray:
        """Total accumulates per layer (int64)."""
        return np.array([int(layer.synaptic_ops.sum()) for layer in self.all_layers()], dtype=np.int64)

    @property
    def neuron_updates(self) -> np.ndarray:
        """Total time-driven neuron updates per layer (int64)."""
        return np.array([int(layer.neuron_updates.sum()) for layer in self.all_layers()], dtype=np.int64)

    @property
    def paths(self) -> list[str]:
        """Which kernel ran for each layer: 'event' or 'dense'."""
        return [layer.path for layer in self.all_layers()]

    def all_layers(self) -> list[LayerActivity]:
        """This network's layers, or every expert's (and router's) in order for an ensemble."""
        if self.experts:
            return [layer for expert in self.experts for layer in expert.layers]
        return self.layers

    @property
    def accuracy(self) -> float | None:
        if self.labels is None or len(self.labels) == 0:
            return None
        return float(np.mean(self.predictions == self.labels))

    def confusion(self, n_classes: int | None = None) -> np.ndarray:
        """Confusion matrix [true, predicted] (int64)."""
        if self.labels is None:
            raise ValueError("confusion needs labels")
        k = n_classes or int(max(self.labels.max(), self.predictions.max()) + 1)
        out = np.zeros((k, k), dtype=np.int64)
        np.add.at(out, (self.labels, self.predictions), 1)
        return out
