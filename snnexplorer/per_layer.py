"""Per-layer settings (timesteps, bit widths, a layer's own mapping choices): one value per weight layer of a network."""

from __future__ import annotations

LAYER_MAPPING_FIELDS = ("input_reuse", "weight_reuse", "accumulators", "weight_tiles")
"""The mapping fields a layer may set apart from the design's (``mapping.layers``): they change only that layer's own
accesses, so each layer's best choice is found on its own (:mod:`snnexplorer.mapping_search`)."""


def fit_to_depth(values: list[int], n_layers: int) -> list[int]:
    """A per-layer list for a network of ``n_layers``: itself when the lengths match, else its max
    for every layer (a router or ANN twin whose depth differs from the experts')."""
    return list(values) if len(values) == n_layers else [max(values)] * n_layers


def resize(value: int | list[int], n_layers: int) -> int | list[int]:
    """A per-layer setting for a network whose depth changed: one int stays; a list is cut, or extended with its
    last entry, to ``n_layers`` entries."""
    if not isinstance(value, list):
        return value
    return (list(value) + [value[-1]] * n_layers)[:n_layers]
