"""Cost a simulated (or synthetic) Activity on an Architecture under a mapping: the Report.

Needs no Design: the mapping is any object with the attributes of
:class:`Mapping` (the Design's ``mapping`` section is one), the bit widths are
per-layer lists. :func:`snnexplorer.pipeline.cost_design` passes a Design's.

Batch tiling: a batch of B samples runs as ⌊B / t⌋ tiles of t samples and, when t
does not divide B, a last, smaller tile of B mod t; each tile is priced as a batch
of its size. The sizes priced are every divisor of B and every eighth of it
(⌈B·m / 8⌉, m = 1…8), with the last tile each leaves (:func:`tile_sizes`); the
cheapest per inference is taken (per hardware variant), so a batch whose working
set no longer fits runs as tiles of the largest that does, to an eighth of the
batch. The batch latency is the sum of its tiles'. The SNN and its ANN twins each
get their own best tiling.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

import numpy as np
import pandas as pd

from ..per_layer import fit_to_depth
from ..sim.activity import Activity
from ..sim.neurobench import neurobench_metrics
from .architecture import Architecture
from .cores import CorePricing, is_core_chip, price_cores
from .operations import sop_proxy_j, sop_proxy_pj
from .pricing import Pricing, price
from .report import (
    BREAKDOWN_COLUMNS,
    AnnTwins,
    ChipLayer,
    ChipPlacement,
    LayerSummary,
    MappingAssumptions,
    Report,
    SopProxy,
)
from .workload import LAYER_MAJOR_WINDOW, SYNAPTIC_OP_KINDS, WEIGHT_KINDS, Items, Layout, Ops, ann_activity, network_items

OP_KINDS = ("accumulate", "mac", "neuron_update")


class Mapping(Protocol):
    """How the workload is laid onto the hardware (see :class:`snnexplorer.design.Mapping` for the meanings)."""

    batch: int
    loop_order: str
    time_window: int
    layers: list[dict]
    neuron_update: str
    experts: str
    spike_format: str
    input_format: str
    accumulators: str
    input_reuse: str
    weight_reuse: str
    weight_tiles: int
    residency: str
    weights_level: str
    state_level: str


def _networks(activity: Activity) -> list[Activity]:
    return activity.experts if activity.experts else [activity]


def time_window(mapping: Mapping) -> float:
    """Steps a layer runs per fetch of its weights under ``mapping``: its ``time_window`` under timestep-major,
    every step (:data:`~.workload.LAYER_MAJOR_WINDOW`) under layer-major."""
    return LAYER_MAJOR_WINDOW if mapping.loop_order == "layer-major" else float(mapping.time_window)


def layout_of(mappings: Sequence[Mapping], repeats: int = 1, n_layers: int | None = None) -> Layout:
    """The layout of ``mappings`` (which must agree on ``neuron_update``), each repeated ``repeats`` times: arrays over
    the combinations, mapping-major. For a network of ``n_layers``, a mapping whose ``layers`` has one entry per
    layer sets those layers' choices (:data:`~snnexplorer.per_layer.LAYER_MAPPING_FIELDS`): the layout is then
    ``layered``, those fields [P, n_layers]."""

    def column(values: list) -> np.ndarray:
        return np.repeat(np.array(values), repeats, axis=0)

    layered = n_layers is not None and any(len(m.layers) == n_layers for m in mappings)

    def per_layer(field: str) -> np.ndarray:
        if not layered:
            return column([getattr(m, field) for m in mappings])
        return column(
            [
                [entry.get(field, getattr(m, field)) for entry in m.layers]
                if len(m.layers) == n_layers
                else [getattr(m, field)] * n_layers
                for m in mappings
            ]
        )

    return Layout(
        column([time_window(m) for m in mappings]),
        column([m.spike_format for m in mappings]),
        mappings[0].neuron_update == "event-driven",
        column([m.input_format for m in mappings]),
        per_layer("accumulators"),
        per_layer("input_reuse"),
        per_layer("weight_reuse"),
        per_layer("weight_tiles"),
        layered,
    )


def workload(
    activity: Activity,
    mappings: Sequence[Mapping],
    weight_bits: list[int],
    membrane_bits: list[int],
    batch: np.ndarray,
    ann: bool = False,
    zero_skipping: bool = False,
    activation_bits: int | None = None,
    step_counts: bool = True,
) -> tuple[Items, Ops]:
    """Items and ops of every network in ``activity`` (the ANN twin's when ``ann``, with ``activation_bits``
    activations, default the widest weight; it runs layer-major) under each of ``mappings`` for batches of each of
    ``batch`` (P = mappings × len(batch) / len(mappings) combinations, mapping-major: the item columns [P, I]);
    ``step_counts``: the ops carry their counts per step (a chip of cores prices them)."""
    parts, ops_parts = [], []
    repeats = len(batch) // len(mappings)
    for net in _networks(activity):
        n_layers = len(net.layers)
        layout = layout_of(mappings, repeats, n_layers)
        w_bits = fit_to_depth(weight_bits, n_layers)
        if ann:
            items, ops = network_items(
                ann_activity(net, zero_skipping),
                w_bits,
                [0] * n_layers,
                batch,
                layout._replace(time_window=LAYER_MAJOR_WINDOW),
                net.name,
                activation_bits or max(w_bits),
                step_counts,
            )
        else:
            items, ops = network_items(
                net, w_bits, fit_to_depth(membrane_bits, n_layers), batch, layout, net.name, step_counts=step_counts
            )
        parts.append(items)
        ops_parts.append(ops)
    return Items.concat(parts), Ops.concat(ops_parts)


def _forced(mapping: Mapping, arch: Architecture) -> dict[str, int]:
    out = {}
    for kind, level in (("weights", mapping.weights_level), ("state", mapping.state_level)):
        if level != "auto":
            out[kind] = arch.level_index(level)
    return out


def _weights_kept(mapping: Mapping, items: Items, arch: Architecture, forced: dict[str, int]) -> np.ndarray | None:
    """[V] the level the weights stay in between batches under ``residency: resident``: the innermost level short of
    the outermost (the forced weights level or beyond) that holds the weights with the state and the largest spike
    buffer (:func:`_needs`; items [I], or [V, I] one row per variant), the outermost level where none does; None
    under ``per-batch``."""
    if mapping.residency != "resident":
        return None
    capacity = arch.levels["capacity_bytes"]  # [V, L]
    fits = np.asarray(sum(_needs(mapping, items)))[..., None] <= capacity[:, :-1]
    fits[:, : forced.get("weights", 0)] = False
    innermost = fits.argmax(axis=1) if fits.shape[1] else np.zeros(len(fits), dtype=int)
    return np.where(fits.any(axis=1), innermost, capacity.shape[1] - 1)


def _weights_kept_in(mapping: Mapping, items: Items, arch: Architecture, variant: int) -> str | None:
    """The level ``variant``'s weights stay in between batches, for the Report: :func:`_weights_kept`'s, or the only
    level of a chip with no memory beyond its own; None when they are fetched for every batch."""
    if arch.n_levels == 1:
        return arch.level_names[0]
    kept = _weights_kept(mapping, items, arch, _forced(mapping, arch))
    return None if kept is None or kept[variant] == arch.n_levels - 1 else arch.level_names[kept[variant]]


def _needs(mapping: Mapping, items: Items) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bytes the weights, the state and the largest spike buffer take (the footprint is their sum): numbers for
    items [I], arrays [P] for items [P, I]."""
    kinds = np.array(items.kind)
    size = items.size
    weights = size[..., np.isin(kinds, WEIGHT_KINDS)].sum(axis=-1)
    state = size[..., kinds == "state"].sum(axis=-1)
    buffers = size[..., kinds == "spikes"].max(axis=-1, initial=0.0)
    if mapping.experts != "parallel" and len(set(items.network)) > 1:
        # experts in sequence reuse the same state and buffer space
        nets = np.array(items.network)
        state = np.max([size[..., (kinds == "state") & (nets == n)].sum(axis=-1) for n in dict.fromkeys(items.network)], axis=0)
    return weights, state, buffers


def _feasibility(
    mapping: Mapping, items: Items, arch: Architecture, variant: int, fits: np.ndarray
) -> tuple[float, list[str], pd.DataFrame]:
    """Footprint, why the design cannot run (empty if it can) and the ``levels`` table.

    ``levels`` reads the pricing's own capacity check (``fits``, one joint working set per item and level): per
    level, ``resident`` names the data kinds whose every item is reused from that level or a closer one, and
    ``largest_working_set_bytes`` the biggest joint working set of the weights (what must fit for their reuse)."""
    kinds = np.array(items.kind)
    weights, state, buffers = (float(need) for need in _needs(mapping, items))
    footprint = weights + state + buffers
    capacity = arch.levels["capacity_bytes"][variant]
    reasons = []
    if footprint > capacity[-1]:
        reasons.append(
            f"footprint {footprint:,.0f} B (weights {weights:,.0f} + state {state:,.0f} + buffers {buffers:,.0f}) "
            f"exceeds the outermost level {arch.level_names[-1]} ({capacity[-1]:,.0f} B)"
        )
    for kind, level in _forced(mapping, arch).items():
        need = weights if kind == "weights" else state
        if need > capacity[level]:
            reasons.append(
                f"mapping.{kind}_level = {arch.level_names[level]} holds {capacity[level]:,.0f} B but the {kind} need {need:,.0f} B"
            )
    finite = np.isfinite(items.working_set)
    resident = [
        ", ".join(
            k
            for k in dict.fromkeys(items.kind)
            if np.all(fits[variant, (kinds == k) & finite, level]) and any((kinds == k) & finite)
        )
        for level in range(len(arch.level_names))
    ]
    levels = pd.DataFrame(
        {
            "level": arch.level_names,
            "capacity_bytes": capacity,
            "footprint_bytes": footprint,
            "fits": footprint <= capacity,
            "largest_working_set_bytes": float(items.working_set[np.isin(kinds, WEIGHT_KINDS)].max(initial=0.0)),
            "resident": resident,
        }
    )
    return footprint, reasons, levels


def _cores_needed(chip: CorePricing | None, n_variants: int) -> np.ndarray:
    """Cores the layers and the input neurons take, per variant (0 off a chip of cores)."""
    return np.zeros(n_variants) if chip is None else chip.cores.sum(axis=1) + chip.input_cores


def _core_problems(priced: Pricing, arch: Architecture, variant: int) -> list[str]:
    """Why the layers cannot be placed on the chip's cores (empty if they can; see :mod:`.cores`)."""
    needed = float(_cores_needed(priced.chip, arch.n_variants)[variant])
    available = float(arch.compute["units"][variant])
    if needed <= available:
        return []
    return [
        f"the input neurons and layers need {needed:,.0f} cores of {arch.compute['neurons_per_core'][variant]:,.0f} "
        f"neurons and {arch.compute['core_memory_bytes'][variant]:,.0f} B of synaptic memory each; the chip has "
        f"{available:,.0f}"
    ]


def _op_rows(priced: Pricing, variant: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(kind, count [G], energy [G] in J) of each operation kind of the variant; a recurrent layer's accumulates split
    into its feed-forward and its recurrent ones (``recurrent_accumulate``: its own spikes of the step before, dense
    synapses priced alike, so the split is by count)."""
    rows = [(kind, priced.op_counts[k], priced.op_j[variant, k]) for k, kind in enumerate(OP_KINDS)]
    recurrent = priced.recurrent_accumulates
    if not recurrent.any():
        return rows
    kind, counts, energy = rows[0]
    share = recurrent / np.maximum(counts, 1e-300)
    return [(kind, counts - recurrent, energy * (1.0 - share)), ("recurrent_accumulate", recurrent, energy * share), *rows[1:]]


def _serial_s(priced: Pricing, variant: int, kind: str, counts: np.ndarray) -> np.ndarray:
    """On a chip of cores: the time one core of each layer spends per sample on ``counts`` events of ``kind``
    (the layer's events spread over its cores, one after another; :mod:`.cores`). A synaptic op and a MAC take a
    synapse's time; a hop takes no core time."""
    chip = priced.chip
    event = "synapse" if kind in SYNAPTIC_OP_KINDS else kind
    if event not in chip.event_s:
        return np.zeros_like(counts)
    return counts * chip.event_s[event][variant] / chip.cores[variant]


def _chip_rows(priced: Pricing, variant: int) -> list[pd.DataFrame]:
    """Breakdown rows of a chip of cores' event costs: neuron accesses and spikes emitted (compute), messages
    and hops (network-on-chip); ``time_s`` is one core's serial time for them (the memory rows' is 0 there: a
    core's events include their accesses)."""
    chip = priced.chip
    if chip is None:
        return []
    rows = (
        ("compute", "neuron_access", "compute", chip.neuron_accesses, chip.neuron_access_j, "neuron_access"),
        ("compute", "spike_out", "compute", chip.spikes_out, chip.spike_out_j, "spike_out"),
        ("network-on-chip", "spikes", "message", chip.messages, chip.message_j, "message"),
        ("network-on-chip", "spikes", "hop", chip.hops, chip.hop_j, "hop"),
    )
    return [
        pd.DataFrame(
            {
                "network": [net for net, _ in priced.groups],
                "layer": [layer for _, layer in priced.groups],
                "level": level,
                "kind": kind,
                "op": op,
                "accesses": counts[variant],
                "bytes": 0.0,
                "energy_j": energy[variant],
                "time_s": _serial_s(priced, variant, event, counts[variant]),
            }
        )
        for level, kind, op, counts, energy, event in rows
    ]


def chip_summary(priced: Pricing, variant: int) -> ChipPlacement | None:
    """A chip of cores' placement and timing for one variant: cores per layer and in all, tiles, chip steps per
    sample, each layer's core busy time and the busiest core's (s per sample), the barriers' time per sample."""
    chip = priced.chip
    if chip is None:
        return None
    busy = chip.core_time_s[variant]
    return ChipPlacement(
        cores=float(_cores_needed(chip, len(priced.energy_j))[variant]),
        input_cores=float(chip.input_cores[variant]),
        tiles=float(chip.tiles[variant]),
        chip_steps=float(chip.chip_steps.max()),
        busiest_core_s=float(busy.max()),
        barrier_s=float(chip.barrier_s[variant]),
        layers=tuple(
            ChipLayer(net, layer, float(chip.cores[variant, g]), float(busy[g])) for g, (net, layer) in enumerate(priced.groups)
        ),
    )


def _breakdown(items: Items, priced: Pricing, arch: Architecture, variant: int) -> pd.DataFrame:
    frames = []
    n_items, n_levels = priced.read_bytes.shape[1:]
    bandwidth = arch.levels["bandwidth_bytes_per_s"][variant]
    for op, nbytes, energy in (("read", priced.read_bytes, priced.read_j), ("write", priced.write_bytes, priced.write_j)):
        b = nbytes[variant]
        frames.append(
            pd.DataFrame(
                {
                    "network": np.repeat(items.network, n_levels),
                    "layer": np.repeat(items.layer, n_levels),
                    "level": np.tile(arch.level_names, n_items),
                    "kind": np.repeat(items.kind, n_levels),
                    "op": op,
                    "accesses": (b / priced.word_bytes[variant]).ravel(),
                    "bytes": b.ravel(),
                    "energy_j": energy[variant].ravel(),
                    "time_s": 0.0 if priced.chip is not None else (b / bandwidth).ravel(),
                }
            )
        )
    ops_per_s = arch.ops_per_second[variant]
    for kind, counts, energy in _op_rows(priced, variant):
        frames.append(
            pd.DataFrame(
                {
                    "network": [net for net, _ in priced.groups],
                    "layer": [layer for _, layer in priced.groups],
                    "level": "compute",
                    "kind": kind,
                    "op": "compute",
                    "accesses": counts,
                    "bytes": 0.0,
                    "energy_j": energy,
                    "time_s": counts / ops_per_s if priced.chip is None else _serial_s(priced, variant, kind, counts),
                }
            )
        )
    frames += _chip_rows(priced, variant)
    if priced.leakage_j[variant] > 0:
        frames.append(
            pd.DataFrame(
                [
                    {
                        "network": "all",
                        "layer": -1,
                        "level": "static",
                        "kind": "leakage",
                        "op": "leakage",
                        "accesses": 0.0,
                        "bytes": 0.0,
                        "energy_j": priced.leakage_j[variant],
                        "time_s": 0.0,
                    }
                ]
            )
        )
    table = pd.concat(frames, ignore_index=True)[BREAKDOWN_COLUMNS]
    keep = (table["bytes"] > 0) | (table["accesses"] > 0) | (table["energy_j"] > 0)
    return table[keep].reset_index(drop=True)


def _mixed_breakdown(snn: Tiled, arch: Architecture, variant: int) -> pd.DataFrame:
    """The breakdown of ``variant``'s tiling per inference: each tile size's, weighted by its share of the samples."""
    shares = snn.shares(variant)
    parts = [_breakdown(items, priced, arch, variant) for _, _, items, _, priced in shares]
    if len(parts) == 1:
        return parts[0]
    numbers = ["accesses", "bytes", "energy_j", "time_s"]
    for part, (share, *_) in zip(parts, shares):
        part[numbers] *= share
    keys = [c for c in BREAKDOWN_COLUMNS if c not in numbers]
    return pd.concat(parts, ignore_index=True).groupby(keys, sort=False, as_index=False)[numbers].sum()[BREAKDOWN_COLUMNS]


def _layer_summary(activity: Activity) -> tuple[LayerSummary, ...]:
    """Per network layer: timesteps and mean input / output spike rates (per neuron per step)."""
    return tuple(
        LayerSummary(
            network=net.name,
            layer=index,
            timesteps=layer.timesteps,
            input_rate=layer.input_rate,
            input_spikes=float(layer.input_spikes.sum()) / max(1, layer.batch),
            output_rate=layer.output_rate,
            kernel=layer.path,
            synaptic_ops=float(layer.synaptic_ops.sum()) / max(1, layer.batch),
            recurrent_synaptic_ops=layer.recurrent_ops / max(1, layer.batch),
            fed_back_spikes=float(layer.fed_back_spikes.sum()) / max(1, layer.batch),
        )
        for net in _networks(activity)
        for index, layer in enumerate(net.layers)
    )


def _windows(activity: Activity, mapping: Mapping) -> int:
    """The time windows a batch runs in: the longest layer's ⌈T / w⌉."""
    steps = max(layer.timesteps for net in _networks(activity) for layer in net.layers)
    return math.ceil(steps / min(time_window(mapping), steps))


def qnn_activation_bits(activity: Activity) -> int:
    """⌈log2(T+1)⌉ bits: a QNN activation that carries as much as a spike count over the SNN's longest layer (the
    functionally equivalent QNN of Yan et al. 2024, arXiv 2409.08290)."""
    steps = max(layer.timesteps for net in _networks(activity) for layer in net.layers)
    return max(1, math.ceil(math.log2(steps + 1)))


def tile_sizes(batch: int) -> list[int]:
    """The tile sizes priced for a batch of ``batch``, ascending: every divisor, every eighth (⌈batch·m / 8⌉), and
    the last, smaller tile each of those leaves (batch mod t)."""
    small = [d for d in range(1, math.isqrt(batch) + 1) if batch % d == 0]
    sizes = {*small, *(batch // d for d in small), *(-(-batch * m // 8) for m in range(1, 9))}
    return sorted(sizes | {batch % t for t in sizes} - {0})


class Tiled(NamedTuple):
    """The best tiling of a batch under one mapping, for each hardware variant: ``tile`` [V] samples per tile and
    ``last`` [V] samples in the last, smaller tile (0: the tiles divide the batch); ``energy_j`` [V] per inference;
    ``latency_s`` [V] for the whole batch; ``moved_bytes`` [V, L] per inference; ``footprint_bytes`` [V] and
    ``feasible`` [V] of the chosen tile (it fits the outermost level and any forced level, and the chip's cores);
    ``ops``, the same for every tile; the ``tiles`` priced; ``priced(size)``: one tile size's items, ops and pricing
    on every variant (for the detail of one variant); per tiling (full tiles of ``tiles[k]`` and the last tile they
    leave; inf where that tiling was not priced), variant and layer group, ``layer_energy_j`` [K, V, G] per
    inference and ``layer_latency_s`` [K, V, G] per batch (:meth:`Pricing.layer_costs`; None unless asked for)."""

    batch: int
    tile: np.ndarray
    last: np.ndarray
    energy_j: np.ndarray
    latency_s: np.ndarray
    moved_bytes: np.ndarray
    footprint_bytes: np.ndarray
    feasible: np.ndarray
    ops: Ops
    tiles: list[int]
    priced: Callable[[int], tuple[Items, Ops, Pricing]]
    layer_energy_j: np.ndarray | None
    layer_latency_s: np.ndarray | None

    def chosen(self, variant: int) -> tuple[int, Items, Ops, Pricing]:
        """The (full) tile size, its workload and pricing used for ``variant``."""
        size = int(self.tile[variant])
        return size, *self.priced(size)

    def shares(self, variant: int) -> list[tuple[float, int, Items, Ops, Pricing]]:
        """Each tile size ``variant`` runs, with the share of the batch's samples in tiles of that size: the full
        tiles', then the last tile's if it is smaller."""
        tile, last = int(self.tile[variant]), int(self.last[variant])
        out = [((self.batch - last) / self.batch, tile, *self.priced(tile))]
        if last:
            out.append((last / self.batch, last, *self.priced(last)))
        return out


PRICED_ELEMENTS = 2**21
"""Combinations × variants × items × levels priced in one go (bounds the memory of a large sweep of variants)."""

DEPLOYMENT_FIELDS = ("batch", "experts", "neuron_update", "residency", "weights_level", "state_level")
"""Mapping fields the mappings priced together must share (they describe the deployment, not the loop nest)."""


def tiled(
    activity: Activity,
    arch: Architecture,
    mapping: Mapping,
    weight_bits: list[int],
    membrane_bits: list[int],
    ann: bool = False,
    zero_skipping: bool = False,
    activation_bits: int | None = None,
) -> Tiled:
    """Price every tile size of the mapping's batch and keep, per variant, the cheapest tiling per inference."""
    return tiled_mappings(activity, arch, [mapping], weight_bits, membrane_bits, ann, zero_skipping, activation_bits)[0]


def tiled_mappings(
    activity: Activity,
    arch: Architecture,
    mappings: Sequence[Mapping],
    weight_bits: list[int],
    membrane_bits: list[int],
    ann: bool = False,
    zero_skipping: bool = False,
    activation_bits: int | None = None,
    layer_costs: bool = False,
) -> list[Tiled]:
    """:func:`tiled` of each of ``mappings`` (which agree on :data:`DEPLOYMENT_FIELDS`), all priced together: every
    mapping × tile size is one combination, the combinations are priced as variants of a repeated ``arch``;
    ``layer_costs``: each Tiled also carries its per-layer costs (what a per-layer mapping search reads)."""
    first = mappings[0]
    for name in DEPLOYMENT_FIELDS:
        if len({getattr(m, name) for m in mappings}) > 1:
            raise ValueError(f"mappings priced together must share mapping.{name}")
    parallel = len(_networks(activity)) if first.experts == "parallel" else 1
    forced = {} if ann else _forced(first, arch)
    batch, tiles = first.batch, tile_sizes(first.batch)
    n_maps, n_tiles, n_variants, n_levels = len(mappings), len(tiles), arch.n_variants, arch.n_levels
    batches = np.tile(np.array(tiles, dtype=np.float64), n_maps)  # combination p = mapping × n_tiles + tile
    core_chip = is_core_chip(arch)
    items, ops = workload(activity, mappings, weight_bits, membrane_bits, batches, ann, zero_skipping, activation_bits, core_chip)
    # a chip of cores runs samples one after another: its event costs are the same for every tile, priced once
    chip = price_cores(ops, arch) if core_chip else None
    combos = len(batches)
    energy, latency = np.zeros((2, combos, n_variants))  # per inference in a tile of that size; per tile
    moved = np.zeros((combos, n_variants, n_levels))  # per inference
    n_groups = len(ops.groups())
    layer_energy, layer_latency = np.zeros((2, combos, n_variants, n_groups)) if layer_costs else (None, None)
    step = max(1, PRICED_ELEMENTS // max(1, combos * len(items) * n_levels))
    for start in range(0, n_variants, step):
        chunk = np.arange(start, min(n_variants, start + step))
        rows = np.tile(chunk, combos)
        per_combo = np.repeat(np.arange(combos), len(chunk))
        priced_items, priced_arch = items.take(per_combo), arch.take(rows)
        priced = price(
            priced_items,
            ops,
            priced_arch,
            batches[per_combo],
            parallel,
            forced,
            None if chip is None else chip.take(rows),
            _weights_kept(first, priced_items, priced_arch, forced),
        )
        energy[:, chunk] = priced.energy_j.reshape(combos, -1)
        latency[:, chunk] = priced.latency_s.reshape(combos, -1)
        moved[:, chunk] = (priced.read_bytes + priced.write_bytes).sum(axis=1).reshape(combos, len(chunk), n_levels)
        if layer_costs:
            layer_energy[:, chunk], layer_latency[:, chunk] = (
                c.reshape(combos, len(chunk), n_groups) for c in priced.layer_costs()
            )
    sizes = np.array(tiles)
    full, last = batch // sizes, batch % sizes
    # the last tile's row (unused when it is empty); a size whose own last tile was not priced is no tiling here
    rest = np.array([tiles.index(r) if r in tiles else 0 for r in last])

    def mixed(values: np.ndarray, full_weight: np.ndarray, last_weight: np.ndarray) -> np.ndarray:
        """[mappings, tiles, V, ...] per tile size → per tiling: the full tiles' values and the last tile's, weighted."""
        shape = (1, -1) + (1,) * (values.ndim - 2)
        return full_weight.reshape(shape) * values + last_weight.reshape(shape) * values[:, rest]

    def by_mapping(values: np.ndarray) -> np.ndarray:
        return values.reshape(n_maps, n_tiles, *values.shape[1:])

    full_share, last_share = full * sizes / batch, last / batch  # shares of the samples (per-inference values)
    valid = np.isin(last, [0, *tiles])[None, :, None]
    mixed_energy = np.where(valid, mixed(by_mapping(energy), full_share, last_share), np.inf)
    mixed_latency = mixed(by_mapping(latency), full, (last > 0).astype(float))  # a batch's tiles one after another
    mixed_moved = mixed(by_mapping(moved), full_share, last_share)
    if layer_costs:
        mixed_layer_energy = np.where(valid[..., None], mixed(by_mapping(layer_energy), full_share, last_share), np.inf)
        mixed_layer_latency = mixed(by_mapping(layer_latency), full, (last > 0).astype(float))
    else:
        mixed_layer_energy = mixed_layer_latency = [None] * n_maps
    best = mixed_energy.argmin(axis=1)  # [mappings, V]

    def pick(values: np.ndarray) -> np.ndarray:
        """[mappings, tiles, V, ...] → [mappings, V, ...] at each variant's best tiling."""
        index = best.reshape(n_maps, 1, n_variants, *(1,) * (values.ndim - 3))
        return np.take_along_axis(values, index, axis=1)[:, 0]

    weights, state, buffers = (np.broadcast_to(need, (combos,)) for need in _needs(first, items))
    footprint = pick(np.broadcast_to(by_mapping(weights + state + buffers)[:, :, None], (n_maps, n_tiles, n_variants)))
    capacity = arch.levels["capacity_bytes"]
    feasible = footprint <= capacity[None, :, -1]
    for kind, level in forced.items():
        need = by_mapping(weights if kind == "weights" else state)[:, :, None]
        feasible &= pick(np.broadcast_to(need, (n_maps, n_tiles, n_variants))) <= capacity[None, :, level]
    feasible &= (_cores_needed(chip, n_variants) <= arch.compute["units"])[None, :]
    chosen_energy, chosen_latency, chosen_moved = pick(mixed_energy), pick(mixed_latency), pick(mixed_moved)
    settings = (parallel, forced, chip)
    return [
        Tiled(
            batch,
            sizes[best[m]],
            last[best[m]],
            chosen_energy[m],
            chosen_latency[m],
            chosen_moved[m],
            footprint[m],
            feasible[m],
            ops,
            tiles,
            _TilePricer(items, ops, arch, mapping, m * n_tiles, tiles, settings),
            mixed_layer_energy[m],
            mixed_layer_latency[m],
        )
        for m, mapping in enumerate(mappings)
    ]


class _TilePricer:
    """``size`` → the items, ops and pricing of ``mapping`` in tiles of ``size`` on every variant of ``arch`` (kept
    once priced): its combination of the stacked ``items`` (the mapping's tiles start at ``first_combination``), priced
    alone; ``settings`` = (parallel networks, forced levels, chip) as :func:`price` takes them."""

    def __init__(
        self,
        items: Items,
        ops: Ops,
        arch: Architecture,
        mapping: Mapping,
        first_combination: int,
        tiles: list[int],
        settings: tuple,
    ):
        self._args = (items, ops, arch, mapping, first_combination, tiles, settings)
        self._priced: dict[int, tuple[Items, Ops, Pricing]] = {}

    def __call__(self, size: int) -> tuple[Items, Ops, Pricing]:
        if size not in self._priced:
            items, ops, arch, mapping, first_combination, tiles, (parallel, forced, chip) = self._args
            mine = items.take(first_combination + tiles.index(size))
            kept = _weights_kept(mapping, mine, arch, forced)
            self._priced[size] = (mine, ops, price(mine, ops, arch, size, parallel, forced, chip, kept))
        return self._priced[size]


def cost(
    activity: Activity,
    arch: Architecture,
    mapping: Mapping,
    weight_bits: list[int],
    membrane_bits: list[int],
    name: str = "design",
    variant: int = 0,
    twin_mapping: Mapping | None = None,
) -> Report:
    """The Report of ``activity`` under ``mapping`` on variant ``variant`` of ``arch``; bit widths per layer. The ANN
    and QNN twins are priced under ``twin_mapping`` (their own best, from a mapping search), default ``mapping``."""
    bits = (mapping, weight_bits, membrane_bits)
    twin_bits = (twin_mapping or mapping, weight_bits, membrane_bits)
    snn = tiled(activity, arch, *bits)
    tile, items, ops, priced = snn.chosen(variant)
    footprint, reasons, levels = _feasibility(mapping, items, arch, variant, priced.fits)
    reasons += _core_problems(priced, arch, variant)
    breakdown = _mixed_breakdown(snn, arch, variant)
    kept = _weights_kept_in(mapping, items, arch, variant)
    dense = tiled(activity, arch, *twin_bits, ann=True)
    sparse = tiled(activity, arch, *twin_bits, ann=True, zero_skipping=True)
    qnn_bits = qnn_activation_bits(activity)
    qnn = tiled(activity, arch, *twin_bits, ann=True, activation_bits=qnn_bits)
    sparse_qnn = tiled(activity, arch, *twin_bits, ann=True, zero_skipping=True, activation_bits=qnn_bits)
    energy, latency = float(snn.energy_j[variant]), float(snn.latency_s[variant])
    ann_macs = float(dense.ops.mac.sum())
    ann_energy, ann_latency = float(dense.energy_j[variant]), float(dense.latency_s[variant])
    qnn_energy = float(qnn.energy_j[variant])
    ann = AnnTwins(
        energy_j=ann_energy,
        latency_s=ann_latency,
        macs=ann_macs,
        zero_skipping_energy_j=float(sparse.energy_j[variant]),
        zero_skipping_latency_s=float(sparse.latency_s[variant]),
        qnn_activation_bits=qnn_bits,
        qnn_energy_j=qnn_energy,
        qnn_latency_s=float(qnn.latency_s[variant]),
        qnn_zero_skipping_energy_j=float(sparse_qnn.energy_j[variant]),
        snn_over_ann_energy=energy / ann_energy if ann_energy else None,
        snn_over_ann_latency=latency / ann_latency if ann_latency else None,
        snn_over_qnn_energy=energy / qnn_energy if qnn_energy else None,
    )
    e_ac, e_mac = sop_proxy_pj()
    sop_proxy = SopProxy(
        energy_j=sop_proxy_j(float(ops.accumulate.sum()), float(ops.mac.sum())),
        ann_energy_j=sop_proxy_j(0.0, ann_macs),
        accumulate_pj=e_ac,
        mac_pj=e_mac,
    )
    return Report(
        name=name,
        hardware=arch.name,
        energy_j=energy,
        latency_s=latency,
        batch=mapping.batch,
        batch_tile=int(tile),
        last_tile=int(snn.last[variant]),
        footprint_bytes=footprint,
        feasible=not reasons,
        reasons=tuple(reasons),
        synaptic_ops=float(ops.accumulate.sum() + ops.mac.sum()),
        neuron_updates=float(ops.neuron_update.sum()),
        breakdown=breakdown,
        levels=levels,
        parameters=arch.parameters(variant),
        accuracy=activity.accuracy,
        ann=ann,
        sop_proxy=sop_proxy,
        neurobench=neurobench_metrics(activity, weight_bits),
        mapping=MappingAssumptions(
            mapping.loop_order,
            mapping.time_window,
            _windows(activity, mapping),
            mapping.weight_tiles,
            mapping.accumulators,
            mapping.input_reuse,
            mapping.weight_reuse,
            mapping.input_format,
            mapping.residency,
            kept,
        ),
        paths=tuple(activity.paths),
        layers=_layer_summary(activity),
        chip=chip_summary(priced, variant),
    )


def cost_variants(
    activity: Activity, arch: Architecture, mapping: Mapping, weight_bits: list[int], membrane_bits: list[int]
) -> pd.DataFrame:
    """Totals for every variant of ``arch`` at once (vectorized): energy_j, latency_s, bytes moved at each level
    (per inference), and the batch tile each variant runs (and its last, smaller tile: 0 if none)."""
    snn = tiled(activity, arch, mapping, weight_bits, membrane_bits)
    out = pd.DataFrame({"energy_j": snn.energy_j, "latency_s": snn.latency_s, "batch_tile": snn.tile, "last_tile": snn.last})
    for index, level in enumerate(arch.level_names):
        out[f"{level}_bytes"] = snn.moved_bytes[:, index]
    return out


def metrics_variants(
    activity: Activity, arch: Architecture, mapping: Mapping, weight_bits: list[int], membrane_bits: list[int]
) -> pd.DataFrame:
    """:meth:`Report.metrics` of every variant of ``arch`` at once (vectorized; what a sweep row holds): the same
    numbers :func:`cost` gives variant by variant, without the breakdown tables."""
    bits = (mapping, weight_bits, membrane_bits)
    return tiled_metrics(activity, tiled(activity, arch, *bits), tiled(activity, arch, *bits, ann=True))


def tiled_metrics(activity: Activity, snn: Tiled, dense: Tiled) -> pd.DataFrame:
    """:func:`metrics_variants` of a network's tiling and its ANN twin's (e.g. each mapping's of
    :func:`tiled_mappings`)."""
    return pd.DataFrame(
        {
            "accuracy": activity.accuracy,
            "energy_j": snn.energy_j,
            "latency_s": snn.latency_s,
            "footprint_bytes": snn.footprint_bytes,
            "feasible": snn.feasible,
            "synaptic_ops": float(snn.ops.accumulate.sum() + snn.ops.mac.sum()),
            "neuron_updates": float(snn.ops.neuron_update.sum()),
            "ann_energy_j": dense.energy_j,
            "ann_latency_s": dense.latency_s,
        }
    )
