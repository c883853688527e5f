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
    with a missing (NaN) objective are never on the front. O(n²) vectorized in
    blocks, fine for tens of thousands of points.
    """
    for column, sense in objectives.items():
        if column not in table.columns:
            raise DesignError.single("objectives", column, f"a column of the results: {list(table.columns)}")
        if sense not in SENSES:
            raise DesignError.single(f"objectives.{column}", sense, "'min' or 'max'")
    values = np.column_stack([table[c].to_numpy(dtype=float) * (1.0 if s == "min" else -1.0) for c, s in objectives.items()])
    valid = ~np.isnan(values).any(axis=1)
    mask = valid.copy()
    points = values[valid]
    index = np.flatnonzero(valid)
    block = 2048
    for start in range(0, len(points), block):
        chunk = points[start : start + block]
        no_worse = (points[None, :, :] <= chunk[:, None, :]).all(axis=2)
        better = (points[None, :, :] < chunk[:, None, :]).any(axis=2)
        dominated = (no_worse & better).any(axis=1)
        mask[index[start : start + block]] = ~dominated
    return mask


def pareto_front(table: pd.DataFrame, objectives: dict[str, str]) -> pd.DataFrame:
    """The non-dominated rows, sorted by the first objective."""
    front = table[pareto_mask(table, objectives)]
    first, sense = next(iter(objectives.items()))
    return front.sort_values(first, ascending=sense == "min")
