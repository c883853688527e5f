"""Per-layer settings (timesteps, bit widths): one value per weight layer of a network."""

from __future__ import annotations


def fit_to_depth(values: list[int], n_layers: int) -> list[int]:
    """A per-layer list for a network of ``n_layers``: itself when the lengths match, else its max
    for every layer (a router or ANN twin whose depth differs from the experts')."""
    return list(values) if len(values) == n_layers else [max(values)] * n_layers
