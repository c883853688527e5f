"""The analytical memory-hierarchy cost model, vectorized over hardware variants.

Access-count rule (levels indexed 0 = closest to compute, outward):

1. Level 0 serves every use: reads = ``read_use``, writes = ``write_use``.
2. Between level i−1 and level i, an item whose working set fits level i−1 is
   fetched from level i once per outer iteration (``once``: weights once per
   batch; state never, it starts at zero); an item that does not fit is
   re-fetched per inner iteration (``stream_read``: weight rows every step;
   spilled state and spike buffers are written out and read back,
   ``stream_write``). Traffic never grows outward: each boundary carries at
   most what the boundary below it carried.
3. Every fill of level i−1 from level i is a read at i and a write at i−1.
4. Accesses = bits moved / ``word_bits`` (narrow values packed into words).

Energy = Σ accesses × energy per access + Σ operations × energy per operation
at the layer's bit widths (:mod:`snnexplorer.hardware.operations`)
+ a chip of cores' event costs (+ leakage power × latency).

On a chip of neuromorphic cores (``compute.neurons_per_core`` > 0: Loihi, TrueNorth) the layers are placed on
cores and priced event by event as SANA-FE prices them (:mod:`snnexplorer.hardware.cores`): synaptic ops,
neuron updates with input, every neuron accessed every chip step, spikes emitted, one message per destination
core and its hops; latency is the busiest core's serial work per chip step plus a barrier, summed over the
steps, samples one after another. Layers that need more cores than ``units`` cannot be placed (the Report says
so). Elsewhere the latency of a layer = max(compute time, each
level's bytes / bandwidth) per batch, plus ``step_overhead_s`` per step it
runs (kernel launches); layers run in sequence; experts in
sequence, or side by side (``parallel``) each with 1/E of the compute, the
bandwidth and the capacity. Access latency is assumed hidden by prefetching.

Worked example (edge-soc: L1 128 KiB, L2 1 MiB, DRAM): a 784-1024-1024-10
float32 network holds 7.4 MB of weights, more than L2. Timestep-major with
batch 1, at T = 25 and 10 % input spikes, every step re-reads from DRAM the
rows that spiked (≈10 % of 784 rows for layer 0), so DRAM weight traffic is
≈ 25 × 0.1 × 3.2 MB for layer 0 alone. Ten 784-64-64-2 experts hold 218 KB
each: each fits L2, so its weights cross the DRAM boundary once per batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .architecture import Architecture
from .cores import CorePricing, is_core_chip, price_cores, take_variants
from .operations import operation_scale
from .workload import WEIGHT_KINDS, Items, Ops

PJ = 1e-12


def _layer_groups(items: Items, ops: Ops) -> tuple[list[tuple[str, int]], np.ndarray]:
    keys = ops.groups()
    index = {key: i for i, key in enumerate(keys)}
    return keys, np.array([index[(net, int(layer))] for net, layer in zip(items.network, items.layer)])


@dataclass(frozen=True)
class Pricing:
    """What :func:`price` computed, for V hardware variants, I items, L levels and G layer groups.

    Per sample unless noted: ``read_bytes``/``write_bytes``/``read_j``/``write_j``
    [V, I, L]; ``word_bytes`` [V, 1, L]; ``fits`` [V, I, L] (the item's working
    set fits the level); ``op_counts`` [3, G] and ``op_j`` [V, 3, G]
    (accumulate, MAC, neuron update per layer group ``groups[g]`` = (network,
    layer)), ``recurrent_accumulates`` [G] (of the accumulates, the recurrent
    synapses'); per batch: ``compute_s`` [V, G], ``memory_s`` [V, G, L],
    ``layer_time_s`` [V, G], ``latency_s`` [V]; per sample: ``leakage_j`` [V],
    ``energy_j`` [V]; ``item_group`` [I] each item's layer group; ``chip``: on a chip of cores, its placement and
    event costs (else None).
    """

    read_bytes: np.ndarray
    write_bytes: np.ndarray
    read_j: np.ndarray
    write_j: np.ndarray
    word_bytes: np.ndarray
    fits: np.ndarray
    op_counts: np.ndarray
    op_j: np.ndarray
    compute_s: np.ndarray
    memory_s: np.ndarray
    layer_time_s: np.ndarray
    latency_s: np.ndarray
    leakage_j: np.ndarray
    energy_j: np.ndarray
    groups: list[tuple[str, int]]
    item_group: np.ndarray
    recurrent_accumulates: np.ndarray
    chip: CorePricing | None = None

    def take(self, rows: np.ndarray) -> Pricing:
        """The variants ``rows`` (indices): every field but the per-group ones."""
        return take_variants(
            self,
            rows,
            ("op_counts", "item_group", "recurrent_accumulates"),
            chip=None if self.chip is None else self.chip.take(rows),
        )

    def layer_costs(self) -> tuple[np.ndarray, np.ndarray]:
        """[V, G] per layer group: the energy per sample its own accesses, operations and share of the leakage (by its
        share of the latency) cost, and its time per batch: what a per-layer mapping search compares."""
        memory = np.zeros(self.layer_time_s.shape)
        np.add.at(memory, (slice(None), self.item_group), (self.read_j + self.write_j).sum(axis=2))
        share = self.layer_time_s / np.maximum(self.latency_s, 1e-300)[:, None]
        return memory + self.op_j.sum(axis=1) + self.leakage_j[:, None] * share, self.layer_time_s


def price(
    items: Items,
    ops: Ops,
    arch: Architecture,
    batch: int | np.ndarray,
    parallel_networks: int = 1,
    forced_levels: dict[str, int] | None = None,
    chip: CorePricing | None = None,
    weights_kept: np.ndarray | None = None,
) -> Pricing:
    """Bytes, accesses, energy and time for every variant × item × level, plus totals (see :class:`Pricing`).

    ``items`` columns are [I] (the same for every variant) or [V, I] (one row per variant: combinations of tile and
    mapping priced as variants of a repeated ``arch``), ``batch`` a number or [V].

    ``weights_kept`` [V]: the level each variant's weights stay in between batches (nothing fetches them from
    beyond it); None, or the outermost level, when they are fetched for every batch.

    On a chip of cores, ``chip`` is :func:`~snnexplorer.hardware.cores.price_cores` of these ops when the caller
    has it (it does not depend on the batch); else it is computed here."""
    share = float(max(1, parallel_networks))
    capacity = arch.levels["capacity_bytes"] / share
    n_variants, n_levels = capacity.shape
    tier = items.tier()
    fits = items.working_set[..., None] <= capacity[:, None, :]
    fits_window = tier["window_set"][..., None] <= capacity[:, None, :]
    for kind, level in (forced_levels or {}).items():
        mask = np.array([k == kind for k in items.kind])
        for table in (fits, fits_window):
            table[:, mask, :level] = False
            table[:, mask, level:] = True
    read = np.zeros((n_variants, len(items), n_levels))
    write = np.zeros_like(read)
    read[:, :, 0] = items.read_use
    write[:, :, 0] = items.write_use
    carried_read = np.broadcast_to(items.read_use, (n_variants, len(items)))
    carried_write = np.broadcast_to(items.write_use, (n_variants, len(items)))
    is_weight = np.array([k in WEIGHT_KINDS for k in items.kind], dtype=bool)[None, :]
    per_window_read = np.minimum(tier["window_read"], items.stream_read)
    per_window_write = np.minimum(tier["window_write"], items.stream_write)
    for level in range(1, n_levels):
        fit_below, window_below = fits[:, :, level - 1], fits_window[:, :, level - 1]
        streamed = np.where(window_below, per_window_read, items.stream_read)
        fetched = np.where(fit_below, np.minimum(items.once, items.stream_read), streamed)
        fetched = np.minimum(fetched, carried_read)
        if weights_kept is not None:  # weights kept in a level below this one: loaded once, not per batch
            fetched = np.where(is_weight & (np.asarray(weights_kept)[:, None] < level), 0.0, fetched)
        spilled = np.where(fit_below, 0.0, np.where(window_below, per_window_write, items.stream_write))
        spilled = np.minimum(spilled, carried_write)
        read[:, :, level] += fetched
        write[:, :, level - 1] += fetched
        write[:, :, level] += spilled
        carried_read, carried_write = fetched, spilled
    word_bytes = arch.levels["word_bits"][:, None, :] / 8
    read_j = read / word_bytes * arch.levels["read_pj"][:, None, :] * PJ
    write_j = write / word_bytes * arch.levels["write_pj"][:, None, :] * PJ

    keys, item_group = _layer_groups(items, ops)
    n_groups = len(keys)
    if chip is None and is_core_chip(arch):
        chip = price_cores(ops, arch)
    updates = ops.neuron_update if chip is None else np.array([counts[2].sum() for counts in ops.per_step])
    op_counts = np.stack([ops.accumulate, ops.mac, updates])  # [3, G]
    op_energy = np.stack([arch.compute["accumulate_pj"], arch.compute["mac_pj"], arch.compute["neuron_update_pj"]], axis=1)[
        :, :, None
    ]  # [V, 3, 1]
    if ops.shared is not None:  # a synaptic op through a shared kernel, where the hardware prices it apart
        conv = arch.compute["conv_accumulate_pj"][:, None]
        accumulate = np.where((ops.shared[None, :] > 0) & (conv > 0), conv, arch.compute["accumulate_pj"][:, None])
        op_energy = np.concatenate([accumulate[:, None, :], np.broadcast_to(op_energy[:, 1:], (n_variants, 2, n_groups))], axis=1)
    op_scale = operation_scale(arch.operation_table, *ops.bits())  # [3, G]: the layers' widths and formats
    op_j = op_counts[None, :, :] * op_energy * op_scale[None, :, :] * PJ
    batch = np.broadcast_to(np.asarray(batch, dtype=np.float64), (n_variants,))  # [V]: one per variant, or shared
    compute_s = op_counts.sum(axis=0)[None, :] * batch[:, None] / (arch.ops_per_second[:, None] / share)
    moved = np.zeros((n_variants, n_groups, n_levels))
    np.add.at(moved, (slice(None), item_group), read + write)
    memory_s = moved * batch[:, None, None] / (arch.levels["bandwidth_bytes_per_s"][:, None, :] / share)
    if chip is None:
        steps = np.ones(n_groups) if ops.timesteps is None else ops.timesteps
        overhead = arch.compute["step_overhead_s"][:, None] * steps[None, :]
        layer_time = np.maximum(compute_s, memory_s.max(axis=2)) + overhead
        networks = list(dict.fromkeys(net for net, _ in keys))
        per_network = np.stack(
            [layer_time[:, [i for i, (net, _) in enumerate(keys) if net == name]].sum(axis=1) for name in networks], axis=1
        )
        latency = per_network.max(axis=1) if parallel_networks > 1 else per_network.sum(axis=1)
    else:  # samples one after another, each network's chip steps in turn (cores.py)
        layer_time, latency = chip.core_time_s * batch[:, None], chip.latency_s * batch
    leakage_w = arch.levels["leakage_w"].sum(axis=1) + arch.compute["leakage_w"]
    leakage_j = leakage_w * latency / batch
    chip_j = 0.0 if chip is None else (chip.neuron_access_j + chip.spike_out_j + chip.message_j + chip.hop_j).sum(axis=1)
    energy = read_j.sum(axis=(1, 2)) + write_j.sum(axis=(1, 2)) + op_j.sum(axis=(1, 2)) + chip_j + leakage_j
    return Pricing(
        read_bytes=read,
        write_bytes=write,
        read_j=read_j,
        write_j=write_j,
        word_bytes=word_bytes,
        fits=fits,
        op_counts=op_counts,
        op_j=op_j,
        compute_s=compute_s,
        memory_s=memory_s,
        layer_time_s=layer_time,
        latency_s=latency,
        leakage_j=leakage_j,
        energy_j=energy,
        groups=keys,
        item_group=item_group,
        recurrent_accumulates=np.zeros(n_groups) if ops.recurrent_accumulate is None else ops.recurrent_accumulate,
        chip=chip,
    )
