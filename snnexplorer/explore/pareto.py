"""Pareto fronts: the non-dominated designs for any set of objectives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DesignError

SENSES = ("min", "max")


def pareto_mask(table: pd.DataFrame, objectives: dict[str, str]) -> np.ndarray:
    """True for each row that no other row dominates.

    ``objectives`` maps a column to 'min' or 'max'. Row a dominates row b when
    a is at least as good in every objective and strictly better in one. Rows
    with a missing (NaN) objective are never on the front. O(n log n) for one
    or two objectives, O(n²) vectorized in blocks for more.
    """
    for column, sense in objectives.items():
        if column not in table.columns:
            raise DesignError.single("objectives", column, f"a column of the results: {list(table.columns)}")
        if sense not in SENSES:
            raise DesignError.single(f"objectives.{column}", sense, "'min' or 'max'")
    values = np.column_stack([table[c].to_numpy(dtype=float) * (1.0 if s == "min" else -1.0) for c, s in objectives.items()])
    valid = ~np.isnan(values).any(axis=1)
    mask = np.zeros(len(values), dtype=bool)
    if not valid.any():
        return mask
    points, inverse = np.unique(values[valid], axis=0, return_inverse=True)  # equal rows share their fate
    mask[valid] = _non_dominated(points)[inverse.ravel()]
    return mask


def _non_dominated(points: np.ndarray) -> np.ndarray:
    """The front of distinct rows (all objectives minimized), sorted lexicographically as ``np.unique`` returns them.
    One or two objectives: a sweep (a row is on the front when its last objective beats every earlier row's), O(n);
    more: pairwise comparisons in blocks, O(n²)."""
    if points.shape[1] <= 2:
        last = points[:, -1]
        earlier_best = np.concatenate([[np.inf], np.minimum.accumulate(last)[:-1]])
        return last < earlier_best
    front = np.ones(len(points), dtype=bool)
    block = 2048
    for start in range(0, len(points), block):
        chunk = points[start : start + block]
        no_worse = (points[None, :, :] <= chunk[:, None, :]).all(axis=2)
        better = (points[None, :, :] < chunk[:, None, :]).any(axis=2)
        front[start : start + block] = ~(no_worse & better).any(axis=1)
    return front


def pareto_front(table: pd.DataFrame, objectives: dict[str, str]) -> pd.DataFrame:
    """The non-dominated rows, sorted by the first objective."""
    front = table[pareto_mask(table, objectives)]
    first, sense = next(iter(objectives.items()))
    return front.sort_values(first, ascending=sense == "min")
