"""The Report: energy, latency and footprint with a tidy breakdown, SNN and ANN."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BREAKDOWN_COLUMNS = ["network", "layer", "level", "kind", "op", "accesses", "bytes", "energy_j", "time_s"]
METRICS = (
    "accuracy",
    "energy_j",
    "latency_s",
    "footprint_bytes",
    "feasible",
    "synaptic_ops",
    "neuron_updates",
    "ann_energy_j",
    "ann_latency_s",
)
"""The flat per-design numbers of :meth:`Report.metrics` (sweep rows, the dashboard's history)."""


@dataclass
class Report:
    """One design point's costs (per inference unless a field says otherwise).

    ``breakdown`` has one row per network/layer × level × data kind × operation
    (``op``: read, write, compute or leakage) with ``accesses``, ``bytes``,
    ``energy_j`` and ``time_s`` (time at that level's bandwidth or at the
    compute rate; on a chip of cores, one core's serial time for those events); its ``energy_j`` sums to ``energy_j``. ``ann`` holds the
    ANN twin's figures (dense, zero-skipping) and the QNN twin's (⌈log2(T+1)⌉-bit
    activations); ``sop_proxy`` the memory-free estimate papers use (synaptic
    ops × 0.9 pJ + MACs × 4.6 pJ) for the SNN and its ANN twin.
    ``parameters`` is the provenance of every hardware number used (level,
    field, value, unit, overridden, source). ``neurobench`` holds NeuroBench's
    metrics under its names (:mod:`snnexplorer.sim.neurobench`).
    """

    name: str
    energy_j: float
    latency_s: float
    batch: int
    footprint_bytes: float
    feasible: bool
    reasons: list[str]
    synaptic_ops: float
    neuron_updates: float
    breakdown: pd.DataFrame
    levels: pd.DataFrame
    accuracy: float | None = None
    ann: dict = field(default_factory=dict)
    sop_proxy: dict = field(default_factory=dict)
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)
    neurobench: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def time_per_sample_s(self) -> float:
        return self.latency_s / self.batch

    def by(self, *columns: str) -> pd.DataFrame:
        """Energy and time summed over the other columns, e.g. ``by('level', 'kind')``."""
        return self.breakdown.groupby(list(columns), sort=False)[["accesses", "bytes", "energy_j", "time_s"]].sum().reset_index()

    def metrics(self) -> dict:
        """The headline numbers as one flat row (keys :data:`METRICS`); the one Report → row projection."""
        return {
            "accuracy": self.accuracy,
            "energy_j": self.energy_j,
            "latency_s": self.latency_s,
            "footprint_bytes": self.footprint_bytes,
            "feasible": self.feasible,
            "synaptic_ops": self.synaptic_ops,
            "neuron_updates": self.neuron_updates,
            "ann_energy_j": self.ann.get("energy_j"),
            "ann_latency_s": self.ann.get("latency_s"),
        }

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (the ``snnexplorer evaluate --json`` object)."""
        out = {
            "name": self.name,
            "accuracy": self.accuracy,
            "feasible": self.feasible,
            "reasons": list(self.reasons),
            "energy_j": self.energy_j if self.feasible else None,
            "latency_s": self.latency_s if self.feasible else None,
            "time_per_sample_s": self.time_per_sample_s if self.feasible else None,
            "batch": self.batch,
            "footprint_bytes": self.footprint_bytes,
            "synaptic_ops": self.synaptic_ops,
            "neuron_updates": self.neuron_updates,
            "ann": dict(self.ann),
            "sop_proxy": dict(self.sop_proxy),
            "parameters": self.parameters.to_dict(orient="records"),
            "neurobench": dict(self.neurobench),
            "levels": self.levels.to_dict(orient="records"),
            "breakdown": self.breakdown.to_dict(orient="records"),
        }
        out.update(self.extra)
        return _plain(out)


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
