"""Exploration: sweeps, Pareto fronts and the papers' optimizers; the only package that imports dask."""

from .pareto import pareto_front, pareto_mask
from .study import Study, default_output, evaluate_point, run_study, run_timestep_search
from .timesteps import TimestepSearchResult, search_timesteps

__all__ = [
    "Study",
    "default_output",
    "run_study",
    "run_timestep_search",
    "evaluate_point",
    "pareto_front",
    "pareto_mask",
    "search_timesteps",
    "TimestepSearchResult",
]
