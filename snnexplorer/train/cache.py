"""The trained-model cache: weights by the content hash of what determines them.

Layout: ``$SNNEXPLORER_CACHE/models/<key>/{weights.npz,meta.json}`` (default
``~/.cache/snnexplorer``), searched after the shipped zoo ``assets/zoo/<key>/`` (:func:`snnexplorer.shipped.zoo_dir`).
The key is the design's ``hash_for('train')`` plus a fingerprint of the
training data actually found here (MNIST may be the full IDX set or the
10,000 offline digits), so weights never cross data sources. Writes are atomic; an exclusive ``flock`` on
``<hash>.lock`` makes two processes that want the same model train it once
(the second waits, then loads). A corrupt entry is retrained, never loaded.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from pathlib import Path

import numpy as np

from .. import data
from ..config import cache_home
from ..design import Design
from ..progress import Progress, Stage
from ..resources import check_memory
from ..shipped import zoo_dir
from ..weights import CorruptWeights, Weights
from .trainer import train, train_ann


def cache_dir() -> Path:
    return cache_home() / "models"


def cache_key(design: Design) -> str:
    """``hash_for('train')``-``fingerprint of the training split`` (its size and labels)."""
    labels = data.labels(design.dataset.name, "train")
    fingerprint = hashlib.sha256(np.ascontiguousarray(labels, dtype=np.int64).tobytes()).hexdigest()[:8]
    return f"{design.hash_for('train')}-{fingerprint}"


def cached(design: Design) -> Weights | None:
    """The cached (or shipped) weights of ``design``, or None."""
    key = cache_key(design)
    for folder in (zoo_dir() / key, cache_dir() / key):
        if (folder / "meta.json").is_file():
            try:
                return Weights.load(folder)
            except CorruptWeights:
                continue
    return None


def save_to_zoo(design: Design, weights: Weights, test_accuracy: float) -> Path:
    """Ship ``weights`` with the project (``assets/zoo/<key>``), noting the test accuracy ``design`` reached.

    Designs that differ only in simulation settings (timesteps, bits) share
    weights; each one's accuracy is kept under its name.
    """
    folder = zoo_dir() / cache_key(design)
    try:
        accuracies = dict(Weights.load(folder).meta.get("test_accuracy", {}))
    except CorruptWeights:
        accuracies = {}
    accuracies[design.name] = test_accuracy
    weights.meta = {**weights.meta, "test_accuracy": accuracies}
    return weights.save(folder)


def shipped_accuracy(design: Design) -> float | None:
    """The test accuracy recorded for ``design`` (by name) in the zoo, if any."""
    try:
        return Weights.load(zoo_dir() / cache_key(design)).meta.get("test_accuracy", {}).get(design.name)
    except CorruptWeights:
        return None


def confusion_for(design: Design, progress: Progress | None = None, cancel: threading.Event | None = None) -> np.ndarray | None:
    """The confusion matrix that confusion grouping needs (from the monolithic twin), else None."""
    if design.specialization.experts == 1 or design.specialization.grouping != "confusion":
        return None
    from ..inference import simulate_weights

    monolithic = design.copy(
        specialization={"experts": 1}, timesteps=design.training.timesteps, quantization={"weight_bits": 32, "membrane_bits": 32}
    )
    weights = load_or_train(monolithic, progress, cancel)
    test = data.load(monolithic.dataset.name, "test").head(monolithic.dataset.test_samples)
    return simulate_weights(monolithic, weights, test.x, test.y).confusion(design.n_classes)


def _load_or_build(key: str, build) -> Weights:
    """Weights cached under ``key``, else ``build()`` them once under a file lock and cache them."""
    folder = cache_dir() / key
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:
                return Weights.load(folder)
            except CorruptWeights:
                pass
            weights = build()
            weights.save(folder)
            return weights
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load_or_train(design: Design, progress: Progress | None = None, cancel: threading.Event | None = None) -> Weights:
    """Cached weights of ``design``, training (once, under a file lock) when missing or corrupt.

    ``progress`` receives ``{"stage": text}`` when training starts, then training's progress dicts.
    """
    found = cached(design)
    if found is not None:
        return found
    check_memory(design, "train")
    if progress is not None:
        progress(Stage(f"training {design.name} ({design.parameter_count:,} parameters): no trained weights cached"))
    return _load_or_build(
        cache_key(design), lambda: train(design, progress, cancel, confusion=confusion_for(design, progress, cancel))
    )


def load_or_train_ann(design: Design, progress: Progress | None = None, cancel: threading.Event | None = None) -> Weights:
    """The cached ANN twin of ``design`` (same topology, ReLU; Ottati et al. 2023), training it when missing."""
    return _load_or_build(f"{cache_key(design)}-ann", lambda: train_ann(design, progress, cancel))
