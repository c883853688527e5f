"""Every mapping of a design's loop nest, priced on its activity and ranked (``mapping.search``, ``snnexplorer map``).

The space is the product of the choices :class:`snnexplorer.design.Mapping` declares for
:data:`~snnexplorer.design.SEARCHED_MAPPING_FIELDS` (their ``objects``: one declaration, read here), where the loop
order and the time window are one axis: timestep-major with each window w that gives a different number of windows
⌈T / w⌉ (the smallest such w: for one number of windows a larger w only buffers more), and layer-major (one window).
The batch tiling is searched inside each mapping's pricing (:func:`snnexplorer.hardware.cost.tiled`). Exhaustive:
every mapping × tile size is priced, all of them in one vectorized pricing (:func:`~.cost.tiled_mappings`); the ANN
twin's pricing depends only on :data:`TWIN_FIELDS`, so it is priced once per combination of those. Feasible mappings
rank first.
"""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
import pandas as pd

from .design import SEARCHED_MAPPING_FIELDS, Design, Mapping
from .errors import DesignError
from .format import UnitFrame
from .hardware import Architecture
from .hardware.cost import tiled_mappings
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

TWIN_FIELDS = ("input_reuse", "weight_reuse", "accumulators")
"""The searched fields an ANN twin's cost depends on (it runs layer-major and moves activations, not spikes)."""

LOOP = ("loop_order", "time_window")


def time_windows(steps: int) -> list[int]:
    """The time windows worth pricing for layers of up to ``steps`` steps, ascending: 1 (timestep-major) and, for
    every number of windows k from ⌈steps / 2⌉ windows down to 2, the smallest window giving k (⌈steps / k⌉);
    one window (layer-major) is the loop order's other end."""
    return sorted({1, *(math.ceil(steps / k) for k in range(2, steps))} - {steps})


def mapping_space(fields: tuple[str, ...] = SEARCHED_MAPPING_FIELDS, steps: int = 1) -> list[dict]:
    """Every combination of ``fields``' allowed values (default: the searched fields), for layers of up to ``steps``
    steps: the loop order with each of :func:`time_windows` under timestep-major."""
    axes = [[{name: value} for value in Mapping.param[name].objects] for name in fields if name not in LOOP]
    if "loop_order" in fields:
        loops = [{"loop_order": "timestep-major", "time_window": w} for w in time_windows(steps)]
        axes.insert(0, [*loops, {"loop_order": "layer-major", "time_window": 1}])
    return [{k: v for part in combination for k, v in part.items()} for combination in itertools.product(*axes)]


def mapping_space_of(activity: Activity) -> list[dict]:
    """:func:`mapping_space` for the layers of ``activity`` (their longest number of steps)."""
    return mapping_space(steps=max(layer.timesteps for net in (activity.experts or [activity]) for layer in net.layers))


def _same(stated: dict, choice: dict) -> bool:
    """Whether ``choice`` is the stated mapping (a time window counts only under timestep-major)."""
    return all(
        stated[name] == value
        for name, value in choice.items()
        if name != "time_window" or stated["loop_order"] == "timestep-major"
    )


def rank_mappings(
    design: Design, activity: Activity, arch: Architecture, objective: str = "energy", variant: int = 0
) -> UnitFrame:
    """Every mapping of :func:`mapping_space` (and the design's own, if the space lacks it) priced on ``activity``
    and ``variant`` of ``arch``, best first: one row per mapping with its searched values, ``energy_j`` (per
    inference), ``latency_s`` (per batch), ``edp``, the same for the ANN twin under that mapping
    (``ann_energy_j``, ``ann_latency_s``, ``ann_edp``), ``footprint_bytes``, ``feasible`` and ``hand_set`` (the
    design's own mapping). Feasible mappings rank before infeasible ones, then by ``objective`` (a key of
    :data:`OBJECTIVES`). A notebook shows it in units."""
    if objective not in OBJECTIVES:
        raise DesignError.single("objective", objective, ", ".join(OBJECTIVES))
    stated = design.mapping.to_dict()
    space = mapping_space_of(activity)
    if not any(_same(stated, choice) for choice in space):
        space.append({name: stated[name] for name in SEARCHED_MAPPING_FIELDS})
    one = arch.take(np.array([variant]))
    bits = (design.weight_bits, design.membrane_bits)
    snn = tiled_mappings(activity, one, [SimpleNamespace(**{**stated, **choice}) for choice in space], *bits)
    twin_keys = list(dict.fromkeys(tuple(choice[name] for name in TWIN_FIELDS) for choice in space))
    twins = tiled_mappings(
        activity, one, [SimpleNamespace(**{**stated, **dict(zip(TWIN_FIELDS, key))}) for key in twin_keys], *bits, ann=True
    )
    twin_of = {key: twin for key, twin in zip(twin_keys, twins)}
    twin_rows = [twin_of[tuple(choice[name] for name in TWIN_FIELDS)] for choice in space]

    def column(runs: list, field: str) -> np.ndarray:
        return np.array([getattr(run, field)[0] for run in runs])

    energy, latency = column(snn, "energy_j"), column(snn, "latency_s")
    ann_energy, ann_latency = column(twin_rows, "energy_j"), column(twin_rows, "latency_s")
    table = pd.DataFrame(
        {
            **{name: [choice[name] for choice in space] for name in SEARCHED_MAPPING_FIELDS},
            "energy_j": energy,
            "latency_s": latency,
            "edp": energy * latency,
            "ann_energy_j": ann_energy,
            "ann_latency_s": ann_latency,
            "ann_edp": ann_energy * ann_latency,
            "footprint_bytes": column(snn, "footprint_bytes"),
            "feasible": column(snn, "feasible").astype(bool),
            "hand_set": [_same(stated, choice) for choice in space],
        }
    )
    column = OBJECTIVES[objective][0]
    table = table.sort_values(["feasible", column], ascending=[False, True], kind="stable")
    return UnitFrame(table.reset_index(drop=True))


def with_mapping(design: Design, row: pd.Series | dict) -> Design:
    """``design`` with the searched values of ``row`` (of :func:`rank_mappings`) and no search: a plain design that
    evaluates to that row's numbers (values as the Report names them, e.g. a window "4", are read as the field's type)."""
    chosen = {name: row[name] for name in SEARCHED_MAPPING_FIELDS}
    chosen["time_window"] = int(chosen["time_window"])
    return design.copy(mapping={**design.mapping.to_dict(), **chosen, "search": "none"})


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
