"""Every mapping of a design's loop nest, priced on its activity and ranked (``mapping.search``, ``snnexplorer map``).

The space is the product of the choices :class:`snnexplorer.design.Mapping` declares for
:data:`~snnexplorer.design.SEARCHED_MAPPING_FIELDS` (their ``objects``: one declaration, read here); the batch tiling
is searched inside each mapping's pricing already (:func:`snnexplorer.hardware.cost.tiled`). Exhaustive: every
mapping is priced (32), no pruning; feasible mappings rank first.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

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


def mapping_space() -> list[dict[str, str]]:
    """Every combination of the searched fields' allowed values."""
    choices = [Mapping.param[name].objects for name in SEARCHED_MAPPING_FIELDS]
    return [dict(zip(SEARCHED_MAPPING_FIELDS, combination)) for combination in itertools.product(*choices)]


def rank_mappings(
    design: Design, activity: Activity, arch: Architecture, objective: str = "energy", variant: int = 0
) -> UnitFrame:
    """Every mapping of :func:`mapping_space` priced on ``activity`` and ``variant`` of ``arch``, best first: one row
    per mapping with its searched values, ``energy_j`` (per inference), ``latency_s`` (per batch), ``edp``,
    ``footprint_bytes``, ``feasible`` and ``hand_set`` (the design's own mapping). Feasible mappings rank before
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


def searched(design: Design, activity: Activity, arch: Architecture, variant: int = 0) -> tuple[Design, MappingSearch | None]:
    """The design to price: ``design`` itself when ``mapping.search`` is none, else it with the best mapping by
    that objective, and what the search found (for the Report)."""
    objective = design.mapping.search
    if objective == "none":
        return design, None
    table = rank_mappings(design, activity, arch, objective, variant)
    best, own = table.iloc[0], table[table["hand_set"]].iloc[0]
    return with_mapping(design, best), MappingSearch(
        objective=objective,
        mappings=len(table),
        chosen=tuple((name, str(best[name])) for name in SEARCHED_MAPPING_FIELDS),
        hand_set_energy_j=float(own["energy_j"]),
        hand_set_latency_s=float(own["latency_s"]),
    )
