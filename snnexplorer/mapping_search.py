"""Every mapping of a design's loop nest, priced on its activity and ranked (``mapping.search``, ``snnexplorer map``).

The space is the product of the choices :class:`snnexplorer.design.Mapping` declares for
:data:`~snnexplorer.design.SEARCHED_MAPPING_FIELDS` (their ``objects``: one declaration, read here); the batch tiling
is searched inside each mapping's pricing already (:func:`snnexplorer.hardware.cost.tiled`). Exhaustive: every
mapping is priced (32), no pruning; feasible mappings rank first.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import NamedTuple

import pandas as pd

from .design import SEARCHED_MAPPING_FIELDS, Design, Mapping
from .errors import DesignError
from .format import UnitFrame
from .hardware import Architecture
from .hardware.cost import metrics_variants
from .hardware.report import MappingSearch
from .sim.activity import Activity

OBJECTIVES = {
    "energy": ("energy_j", "energy per inference (J)"),
    "latency": ("latency_s", "latency per batch (s)"),
    "edp": ("edp", "energy per inference × latency per batch (J·s)"),
}
"""What a mapping search minimises, by name: the ranking's column and what it means."""

TWIN_COLUMNS = {"energy": "ann_energy_j", "latency": "ann_latency_s", "edp": "ann_edp"}
"""The ranking's column the ANN twin's own search minimises, by objective."""


def mapping_space(fields: tuple[str, ...] = SEARCHED_MAPPING_FIELDS) -> list[dict[str, str]]:
    """Every combination of ``fields``' allowed values (default: the searched fields)."""
    choices = [Mapping.param[name].objects for name in fields]
    return [dict(zip(fields, combination)) for combination in itertools.product(*choices)]


def rank_mappings(
    design: Design, activity: Activity, arch: Architecture, objective: str = "energy", variant: int = 0
) -> UnitFrame:
    """Every mapping of :func:`mapping_space` priced on ``activity`` and ``variant`` of ``arch``, best first: one row
    per mapping with its searched values, ``energy_j`` (per inference), ``latency_s`` (per batch), ``edp``, the same
    for the ANN twin under that mapping (``ann_energy_j``, ``ann_latency_s``, ``ann_edp``), ``footprint_bytes``,
    ``feasible`` and ``hand_set`` (the design's own mapping). Feasible mappings rank before
    infeasible ones, then by ``objective`` (a key of :data:`OBJECTIVES`). A notebook shows it in units."""
    if objective not in OBJECTIVES:
        raise DesignError.single("objective", objective, ", ".join(OBJECTIVES))
    stated = design.mapping.to_dict()
    rows = []
    for choice in mapping_space():
        mapping = SimpleNamespace(**{**stated, **choice})
        metrics = metrics_variants(activity, arch, mapping, design.weight_bits, design.membrane_bits).iloc[variant]
        rows.append(
            {
                **choice,
                "energy_j": float(metrics["energy_j"]),
                "latency_s": float(metrics["latency_s"]),
                "edp": float(metrics["energy_j"] * metrics["latency_s"]),
                "ann_energy_j": float(metrics["ann_energy_j"]),
                "ann_latency_s": float(metrics["ann_latency_s"]),
                "ann_edp": float(metrics["ann_energy_j"] * metrics["ann_latency_s"]),
                "footprint_bytes": float(metrics["footprint_bytes"]),
                "feasible": bool(metrics["feasible"]),
                "hand_set": all(stated[name] == value for name, value in choice.items()),
            }
        )
    column = OBJECTIVES[objective][0]
    table = pd.DataFrame(rows).sort_values(["feasible", column], ascending=[False, True], kind="stable")
    return UnitFrame(table.reset_index(drop=True))


def with_mapping(design: Design, row: pd.Series | dict) -> Design:
    """``design`` with the searched values of ``row`` (of :func:`rank_mappings`) and no search: a plain design that
    evaluates to that row's numbers."""
    return design.copy(
        mapping={**design.mapping.to_dict(), **{name: row[name] for name in SEARCHED_MAPPING_FIELDS}, "search": "none"}
    )


class Searched(NamedTuple):
    """The design to price (with the SNN's best mapping), the ANN twins' own best mapping, and what the search found
    (None, None when ``mapping.search`` is none: the design as it is)."""

    design: Design
    twin_mapping: Mapping | None
    search: MappingSearch | None


def searched(design: Design, activity: Activity, arch: Architecture, variant: int = 0) -> Searched:
    """``design`` itself when ``mapping.search`` is none; else it with the best mapping by that objective, the ANN
    twin's own best mapping by the same objective, and what the search found (for the Report)."""
    objective = design.mapping.search
    if objective == "none":
        return Searched(design, None, None)
    table = rank_mappings(design, activity, arch, objective, variant)
    best, own = table.iloc[0], table[table["hand_set"]].iloc[0]
    twin = table.loc[table[TWIN_COLUMNS[objective]].idxmin()]
    return Searched(
        with_mapping(design, best),
        with_mapping(design, twin).mapping,
        MappingSearch(
            objective=objective,
            mappings=len(table),
            chosen=_values(best),
            hand_set_energy_j=float(own["energy_j"]),
            hand_set_latency_s=float(own["latency_s"]),
            twin_chosen=_values(twin),
            twin_hand_set_energy_j=float(own["ann_energy_j"]),
            twin_hand_set_latency_s=float(own["ann_latency_s"]),
        ),
    )


def _values(row: pd.Series) -> tuple[tuple[str, str], ...]:
    return tuple((name, str(row[name])) for name in SEARCHED_MAPPING_FIELDS)
