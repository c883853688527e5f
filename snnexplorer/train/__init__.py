"""Training (the only package that imports torch): surrogate-gradient SNNs,
task-specialized ensembles, the cached model zoo."""

from .cache import cached, load_or_train
from .trainer import TrainingCancelled, class_groups, train

__all__ = ["cached", "load_or_train", "train", "class_groups", "TrainingCancelled"]
