"""Every mapping of a design's loop nest, priced on its activity and ranked (``snnexplorer map``).

The space is the product of the choices :class:`snnexplorer.design.Mapping` declares for the fields in
:data:`SEARCHED` (their ``objects``: one declaration, read here); the batch tiling is searched inside each
mapping's pricing already (:func:`snnexplorer.hardware.cost.tiled`). What the user states about the deployment,
not the loop nest, stays as the design has it: the batch, how the input arrives, how experts share the chip,
event- or time-driven neuron updates (a property of the hardware's neurons) and the weights' residency between
batches. Exhaustive: every mapping is priced (32 here), no pruning.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pandas as pd

from ..design import Design, Mapping
from ..errors import DesignError
from ..format import UnitFrame
from ..hardware.cost import metrics_variants
from ..pipeline import Source, activity_for, architecture_of

SEARCHED = ("loop_order", "input_reuse", "weight_reuse", "accumulators", "spike_format")
"""The mapping fields searched: how the loop nest reuses weights, inputs and partial sums, and what spikes look like."""

OBJECTIVES = {
    "energy": "energy per inference (J)",
    "latency": "latency per batch (s)",
    "edp": "energy per inference × latency per batch (J·s)",
}
"""What a mapping search minimises, by name."""


def mapping_space() -> list[dict[str, str]]:
    """Every combination of the :data:`SEARCHED` fields' allowed values."""
    choices = [Mapping.param[name].objects for name in SEARCHED]
    return [dict(zip(SEARCHED, combination)) for combination in itertools.product(*choices)]


def rank_mappings(design: Design, activity: Source = "simulate", objective: str = "energy") -> UnitFrame:
    """Every mapping of :func:`mapping_space` priced on ``design``'s activity and hardware, best first: one row per
    mapping with its :data:`SEARCHED` values, ``energy_j`` (per inference), ``latency_s`` (per batch), ``edp``,
    ``footprint_bytes``, ``feasible``, ``batch_tile`` and ``hand_set`` (the design's own mapping). Feasible
    mappings rank before infeasible ones, then by ``objective`` (a key of :data:`OBJECTIVES`). A notebook shows
    the table in units; its numbers stay SI."""
    if objective not in OBJECTIVES:
        raise DesignError.single("objective", objective, ", ".join(OBJECTIVES))
    arch = architecture_of(design)
    measured = activity_for(design, activity)
    stated = {name: getattr(design.mapping, name) for name in design.mapping.fields()}
    rows = []
    for choice in mapping_space():
        mapping = SimpleNamespace(**{**stated, **choice})
        metrics = metrics_variants(measured, arch, mapping, design.weight_bits, design.membrane_bits).iloc[0]
        rows.append(
            {
                **choice,
                "energy_j": float(metrics["energy_j"]),
                "latency_s": float(metrics["latency_s"]),
                "edp": float(metrics["energy_j"] * metrics["latency_s"]),
                "footprint_bytes": float(metrics["footprint_bytes"]),
                "feasible": bool(metrics["feasible"]),
                "hand_set": all(stated[name] == value for name, value in choice.items()),
            }
        )
    column = {"energy": "energy_j", "latency": "latency_s", "edp": "edp"}[objective]
    table = pd.DataFrame(rows).sort_values(["feasible", column], ascending=[False, True], kind="stable")
    return UnitFrame(table.reset_index(drop=True))


def with_mapping(design: Design, row: pd.Series) -> Design:
    """``design`` with the :data:`SEARCHED` values of a row of :func:`rank_mappings`: a plain design that evaluates
    to that row's numbers with no search."""
    return design.copy(mapping={**design.mapping.to_dict(), **{name: row[name] for name in SEARCHED}})
