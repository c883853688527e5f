"""A chip of neuromorphic cores (Loihi, TrueNorth): placement, per-event energy and per-core serial latency.

The model is SANA-FE's (Boyle et al., IEEE TCAD 2025), calibrated there on Loihi, written as closed-form sums
over the counts the engine measures, vectorized over hardware variants (``compute.*`` fields of
:mod:`snnexplorer.hardware_schema`):

Placement. The network's input neurons take ⌈n_in / neurons_per_core⌉ cores; then each layer l takes
c_l = max(⌈neurons / neurons_per_core⌉, ⌈synapses × synapse_bits / 8 / core_memory_bytes⌉, 1) consecutive cores,
its neurons split evenly. Cores fill tiles of ``cores_per_tile``; tile k sits at column ⌊k / H⌋, row k mod H of
the mesh (H = ``mesh_height_tiles``), as SANA-FE numbers them.

Pipeline. A spike emitted in chip step s is received by its destination cores in step s and integrated in
step s + 1, so a layer at depth d (inputs 0, the first layer 1, …) runs its local step t in chip step t + d, and a
sample of T steps through L layers takes S = T + L chip steps.

Energy per sample, per layer l (SANA-FE's synapse, soma and network parts):

* synapse: synaptic ops × ``accumulate_pj`` (``conv_accumulate_pj`` for a shared kernel; MACs × ``mac_pj``);
* soma: every neuron every chip step × ``neuron_access_pj`` (a time-driven soma), + neurons with input ×
  ``neuron_update_pj`` (priced in :mod:`.pricing` with the other operations), + spikes emitted × ``spike_out_pj``;
* network: every spike reaching layer l is one message to each of its c_l cores (``message_pj``), each crossing
  |Δcolumn| hops at ``route_hop_pj`` and |Δrow| at ``route_hop_vertical_pj`` from the sending core (averaged
  over the sending layer's cores, spikes spread evenly over them).

Latency per sample: a core works serially; in each chip step a layer's core spends

* sending: its neurons × ``neuron_access_s`` + its updates × ``neuron_update_s`` + its spikes ×
  ``spike_out_s`` + its messages × ``message_out_s``;
* receiving: the messages reaching it × ``message_in_s`` + its synaptic ops × ``synapse_s``;

the two overlap (SANA-FE schedules them on separate timelines), so the core's step time is their maximum; the
chip's step is the busiest core's plus the barrier for the tiles in use (``barrier_s_by_tiles``); a sample's
latency is the sum over its S chip steps. Counts are per-sample means per step, spread evenly over a layer's
cores, so the busiest core is the most loaded layer's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .architecture import Architecture
from .workload import Ops

PJ = 1e-12
SEND, RECEIVE = 0, 1


@dataclass(frozen=True)
class CorePricing:
    """What a chip of cores costs, per sample, for V variants and G layer groups (module docstring).

    ``cores`` [V, G] per layer, ``input_cores`` [V] per network summed; ``tiles`` [V] in use;
    energies [V, G] (J): ``neuron_access_j``, ``spike_out_j``, ``message_j``, ``hop_j``; counts [V, G]:
    ``neuron_accesses``, ``spikes_out``, ``messages``, ``hops``; ``core_time_s`` [V, G] the time one of the layer's
    cores is busy per sample; ``latency_s`` [V] per sample (barriers included); ``barrier_s`` [V] per sample;
    ``chip_steps`` [G] the chip steps the layer's network runs per sample; ``event_s`` the time one event of each
    kind takes on its core [V, G] (``synapse`` for a synaptic op or MAC, ``neuron_update``, ``neuron_access``,
    ``spike_out``, ``message`` received), so that count × time / cores is a layer's serial time for that kind.
    """

    cores: np.ndarray
    input_cores: np.ndarray
    tiles: np.ndarray
    neuron_accesses: np.ndarray
    neuron_access_j: np.ndarray
    spikes_out: np.ndarray
    spike_out_j: np.ndarray
    messages: np.ndarray
    message_j: np.ndarray
    hops: np.ndarray
    hop_j: np.ndarray
    core_time_s: np.ndarray
    barrier_s: np.ndarray
    latency_s: np.ndarray
    chip_steps: np.ndarray
    event_s: dict[str, np.ndarray]

    def take(self, rows: np.ndarray) -> CorePricing:
        """The variants ``rows`` (indices; repeats allowed): every field but the per-group ``chip_steps``."""
        return take_variants(self, rows, ("chip_steps",), event_s={kind: t[rows] for kind, t in self.event_s.items()})


def take_variants(table, rows: np.ndarray, per_group: tuple[str, ...], **others):
    """A copy of the dataclass ``table`` with the variants ``rows`` of every array field but those in ``per_group``
    (not per variant), and ``others`` replaced as given."""
    arrays = {
        name: value[rows]
        for name, value in ((f, getattr(table, f)) for f in table.__dataclass_fields__)
        if isinstance(value, np.ndarray) and name not in per_group
    }
    return replace(table, **arrays, **others)


def is_core_chip(arch: Architecture) -> bool:
    """Whether ``arch`` is a chip of neuromorphic cores (``compute.neurons_per_core`` > 0); its variants must agree."""
    per_core = arch.compute["neurons_per_core"]
    if np.any(per_core > 0) and not np.all(per_core > 0):
        raise ValueError("compute.neurons_per_core: every variant of one architecture must be a chip of cores, or none")
    return bool(per_core[0] > 0)


def _ceil_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.ceil(a / np.maximum(b, 1e-300))


def layer_cores(ops: Ops, arch: Architecture) -> tuple[np.ndarray, np.ndarray]:
    """Cores each layer group takes [V, G], and the cores its inputs would take as input neurons [V, G] (a network's
    input cores are its first group's; module docstring)."""
    per_core = arch.compute["neurons_per_core"][:, None]
    memory = arch.compute["core_memory_bytes"][:, None]
    synapse_bits = arch.compute["synapse_bits"][:, None]
    weight_bits = ops.bits()[0][None, :]
    parameters = ops.weight_bytes[None, :] * 8 / weight_bits
    stored = parameters * np.where(synapse_bits > 0, synapse_bits, weight_bits) / 8
    by_memory = np.where(memory > 0, _ceil_div(stored, memory), 0.0)
    cores = np.maximum(np.maximum(_ceil_div(ops.neurons[None, :], per_core), by_memory), 1.0)
    input_cores = np.maximum(_ceil_div(ops.inputs[None, :], per_core), 1.0)
    return cores, input_cores


def _tile_xy(core: np.ndarray, per_tile: float, height: float) -> tuple[np.ndarray, np.ndarray]:
    tile = np.floor(core / per_tile)
    return np.floor(tile / height), tile % height


def _mean_hops(src: range, dst: range, per_tile: float, height: float) -> tuple[float, float]:
    """Column and row hops summed over the destination cores, averaged over the source cores."""
    sx, sy = _tile_xy(np.arange(src.start, src.stop, dtype=np.float64), per_tile, height)
    dx, dy = _tile_xy(np.arange(dst.start, dst.stop, dtype=np.float64), per_tile, height)
    return float(np.abs(sx[:, None] - dx[None, :]).sum(axis=1).mean()), float(
        np.abs(sy[:, None] - dy[None, :]).sum(axis=1).mean()
    )


def _hops(
    networks: list[list[int]], cores: np.ndarray, input_cores: np.ndarray, tiles: np.ndarray, arch: Architecture
) -> np.ndarray:
    """Column and row hops per message into each layer group, [2, V, G] (networks placed one after another, on
    ``tiles`` [V] in use)."""
    per_tile = np.maximum(arch.compute["cores_per_tile"], 1.0)
    out = np.zeros((2, *cores.shape))
    for v in range(cores.shape[0]):
        first_inputs = [0]
        for groups in networks:
            first_inputs.append(first_inputs[-1] + input_cores[v, groups[0]] + cores[v, groups].sum())
        height = arch.compute["mesh_height_tiles"][v] or np.ceil(np.sqrt(tiles[v]))
        for start, groups in zip(first_inputs, networks):
            src = range(int(start), int(start + input_cores[v, groups[0]]))
            for g in groups:
                dst = range(src.stop, int(src.stop + cores[v, g]))
                out[:, v, g] = _mean_hops(src, dst, per_tile[v], height)
                src = dst
    return out


def _per_step(ops: Ops, groups: list[int]) -> tuple[np.ndarray, int]:
    """Per-sample counts of a network's layers on its chip steps: [G_net, 4, S] (packets in, synaptic ops, updates
    with input, spikes out; each layer's local step t at chip step t + depth) and S."""
    steps = [ops.per_step[g] for g in groups]
    chip_steps = max(s.shape[1] for s in steps) + len(groups)
    out = np.zeros((len(groups), 4, chip_steps))
    for depth, counts in enumerate(steps, start=1):
        out[depth - 1, :, depth : depth + counts.shape[1]] = counts
    return out, chip_steps


def price_cores(ops: Ops, arch: Architecture) -> CorePricing:
    """The chip-of-cores costs of ``ops`` (which must carry ``per_step``) on every variant of ``arch``."""
    if ops.per_step is None:
        raise ValueError("a chip of cores prices step by step: the ops need per_step counts (workload.network_items)")
    c = arch.compute
    keys = ops.groups()
    cores, input_cores = layer_cores(ops, arch)
    n_variants, n_groups = cores.shape
    networks = [[g for g, (net, _) in enumerate(keys) if net == name] for name in dict.fromkeys(net for net, _ in keys)]
    network_inputs = sum(input_cores[:, groups[0]] for groups in networks)  # [V]
    tiles = np.ceil((cores.sum(axis=1) + network_inputs) / np.maximum(c["cores_per_tile"], 1.0))
    hops = _hops(networks, cores, input_cores, tiles, arch)
    shared = ops.shared[None, :] > 0
    synapse_s = np.where(shared & (c["conv_synapse_s"][:, None] > 0), c["conv_synapse_s"][:, None], c["synapse_s"][:, None])
    vertical_pj = np.where(c["route_hop_vertical_pj"] > 0, c["route_hop_vertical_pj"], c["route_hop_pj"])[:, None]
    barrier = arch.barrier_s(tiles)
    accesses, spikes_out, messages = np.zeros((3, n_variants, n_groups))
    core_time = np.zeros((n_variants, n_groups))
    chip_steps = np.zeros(n_groups)
    network_s = []
    for groups in networks:
        counts, steps = _per_step(ops, groups)  # [Gn, 4, S]
        chip_steps[groups] = steps
        mine = cores[:, groups]  # [V, Gn]
        downstream = np.concatenate([mine[:, 1:], np.zeros((n_variants, 1))], axis=1)  # cores a spike goes to
        packets, synops, updates, fired = (counts[None, :, k, :] for k in range(4))  # [1, Gn, S]
        send = (
            ops.neurons[groups][None, :, None] * c["neuron_access_s"][:, None, None]
            + updates * c["neuron_update_s"][:, None, None]
            + fired * c["spike_out_s"][:, None, None]
            + fired * downstream[:, :, None] * c["message_out_s"][:, None, None]
        ) / mine[:, :, None]
        # layer l receives in chip step s the spikes it integrates in step s + 1
        receive = np.zeros_like(send)
        receive[:, :, :-1] = (
            packets[:, :, 1:] * c["message_in_s"][:, None, None]
            + synops[:, :, 1:] * synapse_s[:, groups, None] / mine[:, :, None]
        )
        inputs = counts[0, 0, 1:]  # the input cores send the first layer's packets one step before it integrates
        input_send = inputs[None, :] * mine[:, :1] * c["message_out_s"][:, None] / input_cores[:, groups[0]][:, None]
        busy = np.maximum(send, receive)  # [V, Gn, S]
        step_time = np.maximum(busy.max(axis=1)[:, :-1], input_send)
        step_time = np.concatenate([step_time, busy.max(axis=1)[:, -1:]], axis=1)
        core_time[:, groups] = busy.sum(axis=2)
        network_s.append(step_time.sum(axis=1) + barrier * steps)
        accesses[:, groups] = ops.neurons[groups][None, :] * steps
        spikes_out[:, groups] = counts[:, 3, :].sum(axis=1)[None, :]
        messages[:, groups] = counts[:, 0, :].sum(axis=1)[None, :] * mine
    latency = np.stack(network_s, axis=1).sum(axis=1)
    return CorePricing(
        cores=cores,
        input_cores=network_inputs,
        tiles=tiles,
        neuron_accesses=accesses,
        neuron_access_j=accesses * c["neuron_access_pj"][:, None] * PJ,
        spikes_out=spikes_out,
        spike_out_j=spikes_out * c["spike_out_pj"][:, None] * PJ,
        messages=messages,
        message_j=messages * c["message_pj"][:, None] * PJ,
        hops=hops.sum(axis=0) * messages / np.maximum(cores, 1.0),
        hop_j=(hops[0] * c["route_hop_pj"][:, None] + hops[1] * vertical_pj) * messages / np.maximum(cores, 1.0) * PJ,
        core_time_s=core_time,
        barrier_s=barrier * np.array([chip_steps[groups[0]] for groups in networks]).sum(),
        latency_s=latency,
        chip_steps=chip_steps,
        event_s={
            "synapse": synapse_s,
            **{
                kind: np.broadcast_to(c[f"{kind}_s"][:, None], cores.shape)
                for kind in ("neuron_update", "neuron_access", "spike_out")
            },
            "message": np.broadcast_to(c["message_in_s"][:, None], cores.shape),
        },
    )
