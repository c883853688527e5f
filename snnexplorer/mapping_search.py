"""Every mapping of a design's loop nest, priced on its activity and ranked (``mapping.search``, ``snnexplorer map``).

The space is the product of the choices :class:`snnexplorer.design.Mapping` declares for
:data:`~snnexplorer.design.SEARCHED_MAPPING_FIELDS` (their ``objects``: one declaration, read here), where the loop
order and the time window are one axis: timestep-major with each window w that gives a different number of windows
⌈T / w⌉ (the smallest such w: for one number of windows a larger w only buffers more), and layer-major (one window).
The batch tiling is searched inside each mapping's pricing (:func:`snnexplorer.hardware.cost.tiled`). Exhaustive over
the whole-network mappings: every mapping × tile size is priced, all of them in one vectorized pass
(:func:`~.cost.tiled_mappings`); an ANN twin's pricing depends only on its layers' own choices
(:data:`~snnexplorer.per_layer.LAYER_MAPPING_FIELDS`), so it is priced once per combination of those. Per layer:
those same fields change only a layer's own costs, so the best choice of each layer is read off the whole-network
pricings (:func:`per_layer_candidates`) and the mappings it gives are priced as such. Feasible mappings rank first.
"""

from __future__ import annotations

import itertools
import json
import math
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
import pandas as pd
import param

from .design import SEARCHED_MAPPING_FIELDS, Design, Mapping
from .errors import DesignError
from .format import UnitFrame
from .hardware import Architecture
from .hardware.cost import tiled_mappings
from .hardware.report import MappingSearch
from .per_layer import LAYER_MAPPING_FIELDS
from .sim.activity import Activity

OBJECTIVES = {
    "energy": ("energy_j", "energy per inference (J)"),
    "latency": ("latency_s", "latency per batch (s)"),
    "edp": ("edp", "energy per inference × latency per batch (J·s)"),
}
"""What a mapping search minimises, by name: the ranking's column and what it means."""

TWIN_COLUMNS = {"energy": "ann_energy_j", "latency": "ann_latency_s", "edp": "ann_edp"}
"""The ranking's column the ANN twin's own search minimises, by objective."""

LOOP = ("loop_order", "time_window")


def time_windows(steps: int) -> list[int]:
    """The time windows worth pricing for layers of up to ``steps`` steps, ascending: 1 (timestep-major) and, for
    every number of windows k from ⌈steps / 2⌉ windows down to 2, the smallest window giving k (⌈steps / k⌉);
    one window (layer-major) is the loop order's other end."""
    return sorted({1, *(math.ceil(steps / k) for k in range(2, steps))} - {steps})


WEIGHT_TILES = (1, 2, 4, 8, 16, 32, 64)
"""The weight tilings the search prices: blocks of output channels (a dense layer's neurons), doubling (a layer with
fewer channels than blocks is split into one per channel)."""


def search_choices(name: str) -> tuple:
    """The values the search tries for ``name``: its declared choices, or :data:`WEIGHT_TILES`."""
    return WEIGHT_TILES if name == "weight_tiles" else tuple(Mapping.param[name].objects)


def mapping_space(fields: tuple[str, ...] = SEARCHED_MAPPING_FIELDS, steps: int = 1) -> list[dict]:
    """Every combination of ``fields``' allowed values (default: the searched fields), for layers of up to ``steps``
    steps: the loop order with each of :func:`time_windows` under timestep-major."""
    axes = [[{name: value} for value in search_choices(name)] for name in fields if name not in LOOP]
    if "loop_order" in fields:
        loops = [{"loop_order": "timestep-major", "time_window": w} for w in time_windows(steps)]
        axes.insert(0, [*loops, {"loop_order": "layer-major", "time_window": 1}])
    return [{k: v for part in combination for k, v in part.items()} for combination in itertools.product(*axes)]


def mapping_space_of(activity: Activity) -> list[dict]:
    """:func:`mapping_space` for the layers of ``activity`` (their longest number of steps)."""
    return mapping_space(steps=max(layer.timesteps for net in (activity.experts or [activity]) for layer in net.layers))


def _same(stated: dict, choice: dict) -> bool:
    """Whether ``choice`` is the stated mapping (a time window counts only under timestep-major)."""
    return stated.get("layers", []) == choice.get("layers", []) and all(
        stated[name] == value
        for name, value in choice.items()
        if name != "layers" and (name != "time_window" or stated["loop_order"] == "timestep-major")
    )


SHARED_FIELDS = tuple(name for name in SEARCHED_MAPPING_FIELDS if name not in LAYER_MAPPING_FIELDS)
"""The searched fields every layer of a network shares (the loop nest's order and window, the spikes' format)."""

LAYER_COSTS = {"energy": ("layer_energy_j",), "latency": ("layer_latency_s",), "edp": ("layer_energy_j", "layer_latency_s")}
"""Per objective, the per-layer costs (of :class:`~snnexplorer.hardware.cost.Tiled`) each layer's choice minimises."""


def per_layer_candidates(space: list[dict], runs: list, groups: list[tuple[str, int]], depth: int, costs: tuple) -> list[dict]:
    """Mappings whose layers choose :data:`~snnexplorer.per_layer.LAYER_MAPPING_FIELDS` apart (``layers``), from the
    priced ``runs`` of the whole-network mappings of ``space``.

    A layer's choice of those fields changes only its own accesses, operations and time (the working sets and the
    buffers between layers depend on the shared fields), so for each combination of :data:`SHARED_FIELDS` and each
    tiling, the best choice per layer is each layer's cheapest by ``costs`` (summed over the networks of ``depth``
    layers, whose ``layers`` entries they share); the others (a router) keep the whole-network choice that is best
    there. A candidate whose layers all choose alike is a whole-network mapping already in ``space``."""
    layer_groups = [[g for g, (_, layer) in enumerate(groups) if layer == index] for index in range(depth)]
    depths = {net: sum(1 for other, _ in groups if other == net) for net, _ in groups}
    layer_groups = [[g for g in members if depths[groups[g][0]] == depth] for members in layer_groups]
    by_shared: dict[tuple, list] = {}
    for choice, run in zip(space, runs):
        if not choice.get("layers"):
            by_shared.setdefault(tuple(choice[name] for name in SHARED_FIELDS), []).append((choice, run))
    out = []
    for members in by_shared.values():
        for cost in costs:
            values = np.stack([getattr(run, cost)[:, 0, :] for _, run in members])  # [choices, tilings, groups]
            per_layer = np.stack([values[:, :, g].sum(axis=2) for g in layer_groups], axis=2)  # [choices, tilings, layers]
            total = values.sum(axis=2)
            priced = np.isfinite(total).all(axis=0)
            whole = total.argmin(axis=0)  # [tilings]
            best = per_layer.argmin(axis=0)  # [tilings, layers]
            at_whole = np.take_along_axis(per_layer, whole[None, :, None], axis=0)[0]
            at_best = np.take_along_axis(per_layer, best[None], axis=0)[0]
            best = np.where(at_whole <= at_best * (1 + 1e-12), whole[:, None], best)  # an indifferent layer keeps it
            for tiling in np.flatnonzero(priced & (best.min(axis=1) != best.max(axis=1))):
                layers = [{name: members[c][0][name] for name in LAYER_MAPPING_FIELDS} for c in best[tiling]]
                out.append({**members[whole[tiling]][0], "layers": layers})
    unique = {json.dumps(candidate, sort_keys=True): candidate for candidate in out}
    return list(unique.values())


def _layer_key(choice: dict) -> tuple:
    """What an ANN twin's cost depends on in ``choice``: its layers' own choices."""
    layers = tuple(tuple(entry.get(name) for name in LAYER_MAPPING_FIELDS) for entry in choice.get("layers", ()))
    return (*(choice[name] for name in LAYER_MAPPING_FIELDS), layers)


def rank_mappings(
    design: Design, activity: Activity, arch: Architecture, objective: str = "energy", variant: int = 0
) -> UnitFrame:
    """Every mapping of :func:`mapping_space` (and the design's own, if the space lacks it) and the per-layer
    mappings of :func:`per_layer_candidates` (for the SNN and for its ANN twin) priced on ``activity`` and
    ``variant`` of ``arch``, best first: one row per mapping with its searched values and ``layers`` (the per-layer
    choices; [] for none), ``energy_j`` (per inference), ``latency_s`` (per batch), ``edp``, the same for the ANN
    twin under that mapping (``ann_energy_j``, ``ann_latency_s``, ``ann_edp``), ``footprint_bytes``, ``feasible``
    and ``hand_set`` (the design's own mapping). Feasible mappings rank before infeasible ones, then by
    ``objective`` (a key of :data:`OBJECTIVES`). A notebook shows it in units."""
    if objective not in OBJECTIVES:
        raise DesignError.single("objective", objective, ", ".join(OBJECTIVES))
    stated = design.mapping.to_dict()
    space = [{**choice, "layers": []} for choice in mapping_space_of(activity)]
    if not any(_same(stated, choice) for choice in space):
        space.append({name: stated[name] for name in (*SEARCHED_MAPPING_FIELDS, "layers")})
    one = arch.take(np.array([variant]))
    bits = (design.weight_bits, design.membrane_bits)

    def priced(choices: list[dict], ann: bool = False) -> list:
        mappings = [SimpleNamespace(**{**stated, **c}) for c in choices]
        return tiled_mappings(activity, one, mappings, *bits, ann=ann, layer_costs=True)

    snn = priced(space)
    keys = [_layer_key(c) for c in space]
    twin_space = list({key: {**c, **{n: stated[n] for n in SHARED_FIELDS}} for key, c in zip(keys, space)}.values())
    twin_runs = priced(twin_space, ann=True)
    groups, twin_groups = snn[0].ops.groups(), twin_runs[0].ops.groups()
    costs, depth = LAYER_COSTS[objective], design.n_layers
    extra = per_layer_candidates(space, snn, groups, depth, costs)
    extra += [
        {**c, **{n: stated[n] for n in SHARED_FIELDS}}
        for c in per_layer_candidates(twin_space, twin_runs, twin_groups, depth, costs)
    ]
    extra = [c for c in {json.dumps(c, sort_keys=True): c for c in extra}.values() if not any(c == s for s in space)]
    if extra:
        space, snn, keys = space + extra, snn + priced(extra), keys + [_layer_key(c) for c in extra]
    twin_of = dict(zip(map(_layer_key, twin_space), twin_runs))
    missing = {key: c for key, c in zip(keys, space) if key not in twin_of}
    if missing:
        twin_of.update(zip(missing, priced(list(missing.values()), ann=True)))
    twin_rows = [twin_of[key] for key in keys]

    def column(runs: list, field: str) -> np.ndarray:
        return np.array([getattr(run, field)[0] for run in runs])

    energy, latency = column(snn, "energy_j"), column(snn, "latency_s")
    ann_energy, ann_latency = column(twin_rows, "energy_j"), column(twin_rows, "latency_s")
    table = pd.DataFrame(
        {
            **{name: [choice[name] for choice in space] for name in (*SEARCHED_MAPPING_FIELDS, "layers")},
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
    chosen = {name: _typed(name, row[name]) for name in SEARCHED_MAPPING_FIELDS}
    layers = row["layers"] if "layers" in row else []
    chosen["layers"] = [
        {name: _typed(name, value) for name, value in entry.items()}
        for entry in (json.loads(layers) if isinstance(layers, str) else list(layers))
    ]
    return design.copy(mapping={**design.mapping.to_dict(), **chosen, "search": "none"})


def _typed(name: str, value):
    """``value`` of the mapping field ``name`` as its parameter's type (an integer field's "4" or numpy int: 4)."""
    return int(value) if isinstance(Mapping.param[name], param.Integer) else value


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
    """The searched values of ``row`` as the Report names them (``layers`` as JSON)."""
    return (*((name, str(row[name])) for name in SEARCHED_MAPPING_FIELDS), ("layers", json.dumps(list(row["layers"]))))
