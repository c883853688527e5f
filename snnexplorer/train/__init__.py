"""Training (the only package that imports torch): surrogate-gradient SNNs,
task-specialized ensembles, the cached model zoo."""

from .cache import cached, confusion_for, load_or_train, load_or_train_ann, save_to_zoo, shipped_accuracy
from .trainer import TrainingCancelled, class_groups, train, train_ann

__all__ = [
    "cached",
    "confusion_for",
    "load_or_train",
    "load_or_train_ann",
    "save_to_zoo",
    "shipped_accuracy",
    "train",
    "train_ann",
    "class_groups",
    "TrainingCancelled",
]
