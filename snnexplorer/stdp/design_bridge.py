"""STDP designs in the pipeline: train one into :class:`~snnexplorer.weights.Weights`, simulate it into Activity.

A design with ``training.learning_rule: stdp`` has one layer of
``network.hidden[0]`` excitatory neurons; ``timesteps`` is the presentation
length in 0.5 ms steps (700 = Diehl & Cook's 350 ms); the first
``quantization.weight_bits`` is the fixed point of learning and inference.
The weights are stored as the network ``"stdp"``: one pair (W [784, N], θ [N]);
the neurons' classes and the training counters are in ``meta``.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from .. import data
from ..design import Design
from ..progress import Progress
from ..sim.activity import Activity
from ..weights import Weights
from .learn import LABEL_STREAM, TEST_STREAM, Counts, as_activity, assign_labels, class_scores, responses, train
from .rule import STDPRule


def rule_of(design: Design) -> STDPRule:
    return STDPRule.of(design.training.stdp, design.weight_bits[0])


def steps_of(design: Design) -> int:
    return design.layer_timesteps[0]


def train_design(design: Design, progress: Progress | None = None, cancel: threading.Event | None = None) -> Weights:
    """Learn the design's network without labels, then give each neuron its class from ``label_samples`` samples."""
    split = data.load(design.dataset.name, "train").head(design.training.train_samples)
    rule, steps, seed = rule_of(design), steps_of(design), design.training.seed
    started = time.perf_counter()
    weights, theta, counts = train(rule, design.network.hidden[0], split.x, steps, design.training.epochs, seed, progress, cancel)
    labelled = split.head(design.training.stdp.label_samples)
    label_counts, _ = responses(rule, weights, theta, labelled.x, steps, seed, LABEL_STREAM)
    assignment = assign_labels(label_counts, labelled.y, design.n_classes)
    meta = {
        "design": design.stage_inputs("train"),
        "train_seconds": round(time.perf_counter() - started, 2),
        "train_samples": int(len(split.y)),
        "assignment": assignment.tolist(),
        "training_counts": counts.to_dict(),
    }
    return Weights({"stdp": [(weights, theta)]}, [list(range(design.n_classes))], "argmax", meta)


def simulate_stdp_weights(design: Design, weights: Weights, x: np.ndarray, labels: np.ndarray | None = None) -> Activity:
    """Present images ``x`` to the learned network; predictions by the neurons' classes."""
    ((w, theta),) = weights.networks["stdp"]
    rule = rule_of(design)
    counts, run = responses(
        rule, w.astype(np.float64), theta.astype(np.float64), x, steps_of(design), design.training.seed, TEST_STREAM
    )
    scores = class_scores(counts, np.asarray(weights.meta["assignment"]), design.n_classes)
    return as_activity(run, rule, x.shape[1], w.shape[1], np.argmax(scores, axis=1), scores, labels)


def training_activity(design: Design, weights: Weights) -> Activity:
    """What learning did, as Activity (``batch`` = training samples × epochs), for pricing training energy."""
    ((w, _),) = weights.networks["stdp"]
    counts = Counts.from_dict(weights.meta["training_counts"])
    return as_activity(
        counts,
        rule_of(design),
        w.shape[0],
        w.shape[1],
        np.zeros(0, dtype=np.int64),
        np.zeros((0, design.n_classes)),
        None,
        name="training",
    )
