"""Hardware as data: an ordered memory hierarchy plus compute units.

A preset (``presets/hardware/NAME.yaml``) lists ``levels`` from the one closest
to compute (index 0) outward and ``compute``; their fields, units and bounds
are declared once in :mod:`snnexplorer.hardware_schema` (which also checks
the preset when it is read); ``sources`` cites every number.
:class:`Architecture` holds the numbers as numpy arrays with a leading
*variant* axis, so the cost model prices many hardware variants at once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DesignError
from ..hardware_schema import COMPUTE_FIELDS, LEVEL_FIELDS, UNITS, Compute, MemoryLevel, override_problems
from ..presets import hardware_preset


@dataclass
class Architecture:
    """Memory levels × fields and compute fields, each an array over variants.

    ``levels[field]`` has shape [variants, n_levels]; ``compute[field]`` has
    shape [variants]. Energies in pJ, capacities in bytes, bandwidth in B/s,
    times in s, power in W.
    """

    name: str
    level_names: list[str]
    levels: dict[str, np.ndarray]
    compute: dict[str, np.ndarray]
    description: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    operation_table: str = Compute.param.operation_table.default
    overridden: frozenset[str] = frozenset()
    """``LEVEL.FIELD`` keys whose value is a design's override, not the preset's."""
    barrier_s_by_tiles: dict[int, float] = field(default_factory=dict)
    """The step barrier's time (s) by tiles in use (``compute.barrier_s_by_tiles``; the same for every variant)."""

    def barrier_s(self, tiles: np.ndarray) -> np.ndarray:
        """The barrier time (s) for ``tiles`` in use: the entry with the largest tile count ≤ tiles (the first
        entry below it; 0 without a table), as SANA-FE's table model reads it."""
        tiles = np.asarray(tiles, dtype=np.float64)
        if not self.barrier_s_by_tiles:
            return np.zeros_like(tiles)
        keys = np.array(sorted(self.barrier_s_by_tiles), dtype=np.float64)
        values = np.array([self.barrier_s_by_tiles[int(k)] for k in keys])
        return values[np.maximum(np.searchsorted(keys, tiles, side="right") - 1, 0)]

    def parameters(self, variant: int = 0) -> pd.DataFrame:
        """Every number this architecture prices with: level (or compute), field, value, unit and source; an
        override is marked and cited as such; a field the preset leaves out shows its schema default."""
        rows = [
            (level, name, float(self.levels[name][variant, index]))
            for index, level in enumerate(self.level_names)
            for name in LEVEL_FIELDS
        ]
        rows += [("compute", name, float(self.compute[name][variant])) for name in COMPUTE_FIELDS]
        rows.append(("compute", "operation_table", self.operation_table))
        barrier = ", ".join(f"{tiles} tiles: {seconds * 1e6:g} µs" for tiles, seconds in sorted(self.barrier_s_by_tiles.items()))
        rows.append(("compute", "barrier_s_by_tiles", barrier or "none"))
        table = pd.DataFrame(rows, columns=["level", "field", "value"])
        keys = table["level"] + "." + table["field"]
        table["unit"] = table["field"].map(UNITS)
        table["overridden"] = keys.isin(self.overridden)
        table["source"] = [
            "design override (hardware.overrides)"
            if key in self.overridden
            else self.sources.get(key, "schema default (not set by the preset)")
            for key in keys
        ]
        return table

    def __post_init__(self) -> None:
        """Fields left out take their schema default (an architecture built by hand need not list them all)."""
        n = self.n_variants
        for name in COMPUTE_FIELDS:
            self.compute.setdefault(name, np.full(n, float(Compute.param[name].default)))
        for name in LEVEL_FIELDS:
            self.levels.setdefault(name, np.full((n, self.n_levels), float(MemoryLevel.param[name].default)))

    @property
    def n_variants(self) -> int:
        return int(self.compute["clock_hz"].shape[0])

    @property
    def n_levels(self) -> int:
        return len(self.level_names)

    def level_index(self, name: str) -> int:
        return self.level_names.index(name)

    @property
    def ops_per_second(self) -> np.ndarray:
        """Peak operations per second of the whole chip, per variant."""
        return self.compute["units"] * self.compute["ops_per_cycle"] * self.compute["clock_hz"]

    def variants(self, **fields: np.ndarray) -> Architecture:
        """Many variants of this (single-variant) architecture.

        Keyword ``LEVEL__FIELD`` (e.g. ``L2__capacity_bytes``) or
        ``compute__FIELD`` takes an array of values; all arrays broadcast to one
        length, which becomes the variant axis.
        """
        arrays = {key: np.atleast_1d(np.asarray(value, dtype=np.float64)) for key, value in fields.items()}
        n = int(np.broadcast_shapes(*(a.shape for a in arrays.values()), (self.n_variants,))[0]) if arrays else self.n_variants
        levels = {k: np.broadcast_to(v, (n, self.n_levels)).copy() for k, v in self.levels.items()}
        compute = {k: np.broadcast_to(v, (n,)).copy() for k, v in self.compute.items()}
        for key, value in arrays.items():
            target, _, fname = key.partition("__")
            if target == "compute":
                compute[fname][:] = value
            else:
                levels[fname][:, self.level_index(target)] = value
        return Architecture(
            self.name,
            self.level_names,
            levels,
            compute,
            self.description,
            self.sources,
            self.operation_table,
            self.overridden,
            self.barrier_s_by_tiles,
        )

    def take(self, rows: np.ndarray) -> Architecture:
        """The variants ``rows`` (indices; repeats allowed), e.g. each variant once per combination priced with it."""
        taken = copy.copy(self)  # every field is there already: no defaults to fill
        taken.levels = {name: values[rows] for name, values in self.levels.items()}
        taken.compute = {name: values[rows] for name, values in self.compute.items()}
        return taken

    @classmethod
    def from_preset(cls, name: str, overrides: dict | None = None) -> Architecture:
        """Load preset ``name`` (checked against the schema) and apply ``{"LEVEL.FIELD": value}`` overrides."""
        raw = hardware_preset(name)
        names = [level["name"] for level in raw["levels"]]
        problems = [p for key, value in (overrides or {}).items() for p in override_problems(key, value, names)]
        if problems:
            raise DesignError(problems)
        levels = {
            f: np.array([[float(level.get(f, MemoryLevel.param[f].default)) for level in raw["levels"]]]) for f in LEVEL_FIELDS
        }
        compute = {f: np.array([float(raw["compute"].get(f, Compute.param[f].default))]) for f in COMPUTE_FIELDS}
        table = raw["compute"].get("operation_table", Compute.param.operation_table.default)
        barrier = dict(raw["compute"].get("barrier_s_by_tiles", {}))
        for key, value in (overrides or {}).items():
            target, field_name = key.split(".")
            if field_name == "operation_table":
                table = value
            elif field_name == "barrier_s_by_tiles":
                barrier = dict(value)
            elif target == "compute":
                compute[field_name][0] = float(value)
            else:
                levels[field_name][0, names.index(target)] = float(value)
        sources = dict(raw.get("sources", {}))
        return cls(name, names, levels, compute, raw.get("description", ""), sources, table, frozenset(overrides or {}), barrier)
