"""Hardware as data: an ordered memory hierarchy plus compute units.

A preset (``presets/hardware/NAME.yaml``) lists ``levels`` from the one closest
to compute (index 0) outward, each with ``capacity_bytes``, ``word_bits``,
``read_pj`` / ``write_pj`` (energy per word access), ``bandwidth_bytes_per_s``,
``latency_s`` and optionally ``leakage_w``; and ``compute`` with ``units``,
``clock_hz``, ``ops_per_cycle`` (per unit), ``accumulate_pj``, ``mac_pj``,
``neuron_update_pj`` and optionally ``leakage_w``. ``sources`` cites every
number. :class:`Architecture` holds the numbers as numpy arrays with a leading
*variant* axis, so the cost model prices many hardware variants at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..design import HARDWARE_COMPUTE_FIELDS, HARDWARE_LEVEL_FIELDS, Design
from ..errors import DesignError
from ..presets import hardware_preset

REQUIRED_LEVEL_FIELDS = ("capacity_bytes", "word_bits", "read_pj", "write_pj", "bandwidth_bytes_per_s", "latency_s")
REQUIRED_COMPUTE_FIELDS = ("units", "clock_hz", "ops_per_cycle", "accumulate_pj", "mac_pj", "neuron_update_pj")


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

    def variants(self, **fields: np.ndarray) -> "Architecture":
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
        return Architecture(self.name, self.level_names, levels, compute, self.description, self.sources)

    @classmethod
    def from_preset(cls, name: str, overrides: dict | None = None) -> "Architecture":
        """Load preset ``name`` and apply ``{"LEVEL.FIELD": value}`` overrides."""
        raw = hardware_preset(name)
        level_rows = raw.get("levels") or []
        if not level_rows:
            raise DesignError.single(f"presets/hardware/{name}.yaml: levels", level_rows, "a non-empty list of memory levels")
        names = [str(level.get("name")) for level in level_rows]
        levels = {}
        for fname in HARDWARE_LEVEL_FIELDS:
            values = []
            for index, level in enumerate(level_rows):
                if fname not in level and fname in REQUIRED_LEVEL_FIELDS:
                    raise DesignError.single(f"presets/hardware/{name}.yaml: levels[{index}].{fname}", None, "a number")
                values.append(float(level.get(fname, 0.0)))
            levels[fname] = np.array([values])
        compute = {}
        for fname in HARDWARE_COMPUTE_FIELDS:
            if fname not in raw.get("compute", {}) and fname in REQUIRED_COMPUTE_FIELDS:
                raise DesignError.single(f"presets/hardware/{name}.yaml: compute.{fname}", None, "a number")
            compute[fname] = np.array([float(raw["compute"].get(fname, 0.0))])
        for key, value in (overrides or {}).items():
            target, fname = key.split(".")
            if target == "compute":
                compute[fname][0] = float(value)
            else:
                levels[fname][0, names.index(target)] = float(value)
        return cls(name, names, levels, compute, raw.get("description", ""), dict(raw.get("sources", {})))

    @classmethod
    def from_design(cls, design: Design) -> "Architecture":
        return cls.from_preset(design.hardware.preset, design.hardware.overrides)
