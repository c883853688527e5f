"""Train, label and evaluate the STDP network; its counters as an Activity the hardware model prices.

Training presents each sample once per epoch and learns (:func:`train`);
labelling presents labelled samples to the frozen network and gives each
neuron the class it answers most (:func:`assign_labels`); a test sample's class
is the one whose neurons answer it most on average (:func:`classify`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numba
import numpy as np

from ..errors import TrainingCancelled
from ..progress import Progress, Step
from ..sim.activity import Activity, LayerActivity
from .kernel import COUNTERS, INHIBITION, INPUT, NEURON, OUTPUT, SYNAPTIC, WEIGHT, infer_samples, train_samples
from .rule import STDPRule, initial_weights, input_rates

CHUNK = 100
"""Samples per kernel call while training (progress and cancel are checked between calls)."""
LABEL_STREAM, TEST_STREAM = 10**7, 2 * 10**7
"""Offsets of the Poisson streams of labelling and test presentations, apart from the training ones."""


@dataclass
class Counts:
    """Counters of a run summed over its presentations: [len(COUNTERS), steps], plus presentations and samples."""

    per_step: np.ndarray
    presentations: int
    samples: int
    normalization_writes: int = 0

    def total(self, name: str) -> int:
        return int(self.per_step[COUNTERS.index(name)].sum())

    def to_dict(self) -> dict:
        return {
            "per_step": self.per_step.tolist(),
            "presentations": self.presentations,
            "samples": self.samples,
            "normalization_writes": self.normalization_writes,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Counts:
        return cls(
            np.asarray(data["per_step"], dtype=np.int64),
            int(data["presentations"]),
            int(data["samples"]),
            int(data.get("normalization_writes", 0)),
        )


def train(
    rule: STDPRule,
    n_neurons: int,
    images: np.ndarray,
    steps: int,
    epochs: int = 1,
    seed: int = 0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> tuple[np.ndarray, np.ndarray, Counts]:
    """Learn weights [784, N] and thresholds θ [N] from ``images`` [S, 784] in [0, 1]; returns (weights, theta, counts)."""
    weights = initial_weights(images.shape[1], n_neurons, seed)
    if rule.weight_bits < 32:
        levels = 2**rule.weight_bits - 1
        weights = np.round(weights * levels) / levels
    theta = np.zeros(n_neurons)
    counters = np.zeros((len(COUNTERS), steps), dtype=np.int64)
    rates = input_rates(images)
    presentations = writes = 0
    total = epochs * len(images)
    started = time.perf_counter()
    for epoch in range(epochs):
        for start in range(0, len(images), CHUNK):
            if cancel is not None and cancel.is_set():
                raise TrainingCancelled("STDP training cancelled")
            end = min(len(images), start + CHUNK)
            ids = np.arange(start, end) + epoch * len(images)  # Poisson streams: a new train for every presentation
            shown, normalized = train_samples(rates[start:end], ids, seed, steps, weights, theta, rule.kernel_args(), counters)
            presentations += shown
            writes += normalized
            if progress is not None:
                done = int(ids[-1]) + 1
                eta = (time.perf_counter() - started) * (total - done) / done
                progress(Step("stdp", done, total, "samples", eta))
    return weights, theta, Counts(counters, presentations, total, writes)


def responses(
    rule: STDPRule, weights: np.ndarray, theta: np.ndarray, images: np.ndarray, steps: int, seed: int, stream: int
) -> tuple[np.ndarray, Counts]:
    """Spike counts [S, N] of the frozen network to ``images``, and the counters of presenting them."""
    ids = np.arange(len(images)) + stream
    counts, counters, presentations = infer_samples(
        input_rates(images), ids, seed, steps, weights, theta, rule.kernel_args(), numba.get_num_threads()
    )
    return counts, Counts(counters, presentations, len(images))


def assign_labels(counts: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Each neuron's class: the one whose samples it answers with most spikes on average (Diehl & Cook)."""
    mean = np.stack(
        [counts[labels == c].mean(axis=0) if np.any(labels == c) else np.zeros(counts.shape[1]) for c in range(n_classes)]
    )
    return np.argmax(mean, axis=0)


def class_scores(counts: np.ndarray, assignment: np.ndarray, n_classes: int) -> np.ndarray:
    """Mean spike count of each class's neurons, per sample [S, n_classes] (0 for a class no neuron holds)."""
    scores = np.zeros((len(counts), n_classes))
    for c in range(n_classes):
        members = assignment == c
        if members.any():
            scores[:, c] = counts[:, members].mean(axis=1)
    return scores


def classify(counts: np.ndarray, assignment: np.ndarray, n_classes: int) -> np.ndarray:
    return np.argmax(class_scores(counts, assignment, n_classes), axis=1)


def as_activity(
    counts: Counts,
    rule: STDPRule,
    n_inputs: int,
    n_neurons: int,
    predictions: np.ndarray,
    scores: np.ndarray,
    labels: np.ndarray | None,
    name: str = "main",
) -> Activity:
    """The run as one layer of Activity (784 → N) for the hardware model.

    Synaptic operations include the lateral inhibition's conductance updates;
    neuron updates include the inhibitory layer's; weight updates are STDP's
    plus the normalization's writes. Counts cover every presentation,
    repeats of weakly answered samples included; ``batch`` is the number of samples.
    Parameters are the input weights and the thresholds θ; the lateral
    inhibition's weights are constants (one value each way), so they take no
    memory (stored as an N×N float32 matrix they would be 96 MB at 4,900
    neurons and dwarf everything else).
    """
    per_step = counts.per_step
    steps = per_step.shape[1]
    weight_updates = per_step[WEIGHT].copy()
    weight_updates[-1] += counts.normalization_writes
    neurons = n_neurons * (2 if rule.inhibitory_neurons else 1)
    layer = LayerActivity(
        n_in=n_inputs,
        n_out=neurons,
        timesteps=steps,
        batch=counts.samples,
        input_spikes=per_step[INPUT].copy(),
        synaptic_ops=per_step[SYNAPTIC] + per_step[INHIBITION],
        neuron_updates=per_step[NEURON].copy(),
        neuron_updates_event=per_step[NEURON].copy(),
        output_spikes=per_step[OUTPUT].copy(),
        is_output=True,
        path="stdp",
        parameters=n_inputs * n_neurons + n_neurons,
        connections=n_inputs * n_neurons,
        weight_updates=weight_updates,
    )
    return Activity(layers=[layer], predictions=predictions, output_potential=scores, layer_spikes=[], labels=labels, name=name)
