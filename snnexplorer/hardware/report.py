"""The Report: energy, latency and footprint with a tidy breakdown, SNN and ANN, and the typed parts it carries."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass

import numpy as np
import pandas as pd

from ..format import UnitFrame, report_html
from ..sim.neurobench import NeuroBenchMetrics

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


@dataclass(frozen=True)
class AnnTwins:
    """The ANN twin (the same topology with ReLU, dense MACs) and the QNN twin (⌈log2(T+1)⌉-bit activations) priced
    on the same hardware and mapping, per inference; the SNN's ratios to them; the ANN's test ``accuracy`` (0..1)
    when it was measured (``evaluate --ann-accuracy``)."""

    energy_j: float
    latency_s: float
    macs: float
    zero_skipping_energy_j: float
    zero_skipping_latency_s: float
    qnn_activation_bits: int
    qnn_energy_j: float
    qnn_latency_s: float
    qnn_zero_skipping_energy_j: float
    snn_over_ann_energy: float | None
    snn_over_ann_latency: float | None
    snn_over_qnn_energy: float | None
    accuracy: float | None = None

    def to_dict(self) -> dict:
        """Field → value; ``accuracy`` only when measured."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name != "accuracy" or self.accuracy is not None
        }


@dataclass(frozen=True)
class SopProxy:
    """The memory-free estimate papers use, per inference: synaptic ops × ``accumulate_pj`` for the SNN
    (``energy_j``), MACs × ``mac_pj`` for its ANN twin (``ann_energy_j``)."""

    energy_j: float
    ann_energy_j: float
    accumulate_pj: float
    mac_pj: float


@dataclass(frozen=True)
class MappingAssumptions:
    """The mapping the numbers assume (see :class:`snnexplorer.design.Mapping` for the choices); ``weights_kept_in``
    is the level the weights stay in between batches (``residency: resident`` and they fit on chip, or a chip with no
    memory beyond its own), else None; ``time_window`` the steps a layer runs per turn under timestep-major and
    ``windows`` the time windows a batch runs in (the longest layer's ⌈T / w⌉; 1 under layer-major); ``weight_tiles`` the
    blocks a dense layer's weights are split into (a layer of ``mapping.layers`` may differ)."""

    loop_order: str
    time_window: int
    windows: int
    weight_tiles: int
    accumulators: str
    input_reuse: str
    weight_reuse: str
    input_format: str
    residency: str
    weights_kept_in: str | None


@dataclass(frozen=True)
class MappingSearch:
    """What ``mapping.search`` found: the ``objective``, how many ``mappings`` it priced, the ``chosen`` values of
    the searched fields (field, value), and the energy per inference (J) and latency per batch (s) of the mapping
    as the design set it; the same for the ANN twin, searched on its own (``twin_chosen``, ``twin_hand_set_*``:
    the QNN twins take the ANN twin's mapping)."""

    objective: str
    mappings: int
    chosen: tuple[tuple[str, str], ...]
    hand_set_energy_j: float
    hand_set_latency_s: float
    twin_chosen: tuple[tuple[str, str], ...]
    twin_hand_set_energy_j: float
    twin_hand_set_latency_s: float


@dataclass(frozen=True)
class LayerSummary:
    """One weight layer of one network: its timesteps, mean spike rates in and out (per neuron per step), input
    spikes or events per sample (of them, its own spikes read back: a recurrent layer), the engine kernel that
    simulated it, and its synaptic ops per sample (of them, the recurrent synapses')."""

    network: str
    layer: int
    timesteps: int
    input_rate: float
    input_spikes: float
    output_rate: float
    kernel: str
    synaptic_ops: float = 0.0
    recurrent_synaptic_ops: float = 0.0
    fed_back_spikes: float = 0.0


@dataclass(frozen=True)
class ChipLayer:
    """A layer on a chip of cores: the cores it takes and their busy time per sample (s)."""

    network: str
    layer: int
    cores: float
    core_busy_s: float


@dataclass(frozen=True)
class ChipPlacement:
    """A chip of cores' placement and timing: cores in all and for the input, tiles, chip steps per sample, the
    busiest core's time and the barriers' time per sample (s), and each layer's cores."""

    cores: float
    input_cores: float
    tiles: float
    chip_steps: float
    busiest_core_s: float
    barrier_s: float
    layers: tuple[ChipLayer, ...]


@dataclass(frozen=True)
class TrainingCost:
    """What on-line learning (STDP) costs per training sample on the design's hardware."""

    energy_j: float
    latency_s: float
    synaptic_ops: float
    neuron_updates: float


@dataclass(frozen=True)
class Report:
    """One design point's costs on one hardware (per inference unless a field says otherwise).

    ``breakdown`` has one row per network/layer × level × data kind × operation
    (``op``: read, write, compute or leakage) with ``accesses``, ``bytes``,
    ``energy_j`` and ``time_s`` (time at that level's bandwidth or at the
    compute rate; on a chip of cores, one core's serial time for those events); its ``energy_j`` sums to
    ``energy_j``. ``levels`` is the footprint and capacity per memory level. ``parameters`` is the provenance of every
    hardware number used (level, field, value, unit, overridden, source). ``batch_tile`` is the tile of the batch the
    mapping runs at a time (``mapping`` the assumptions it was priced under, ``search`` what ``mapping.search`` chose,
    else None), ``last_tile`` the last, smaller tile when ``batch_tile`` does not divide the batch (else
    0); ``chip`` the placement on a chip of cores (None on other hardware); ``training`` the
    cost of on-line learning (STDP designs, when asked for).
    """

    name: str
    hardware: str
    energy_j: float
    latency_s: float
    batch: int
    batch_tile: int
    last_tile: int
    footprint_bytes: float
    feasible: bool
    reasons: tuple[str, ...]
    synaptic_ops: float
    neuron_updates: float
    breakdown: pd.DataFrame
    levels: pd.DataFrame
    parameters: pd.DataFrame
    accuracy: float | None
    ann: AnnTwins
    sop_proxy: SopProxy
    neurobench: NeuroBenchMetrics
    mapping: MappingAssumptions
    paths: tuple[str, ...]
    layers: tuple[LayerSummary, ...]
    chip: ChipPlacement | None
    training: TrainingCost | None = None
    search: MappingSearch | None = None

    @property
    def time_per_sample_s(self) -> float:
        return self.latency_s / self.batch

    def recurrent_share(self) -> tuple[float, float]:
        """(share of the synaptic ops, share of the energy) that the recurrent synapses take: their ops, and their
        weights' traffic and accumulates (the breakdown's ``recurrent_weights`` and ``recurrent_accumulate``); (0, 0)
        without recurrence."""
        total_ops = sum(layer.synaptic_ops for layer in self.layers)
        recurrent_ops = sum(layer.recurrent_synaptic_ops for layer in self.layers)
        if not recurrent_ops or not self.energy_j:
            return 0.0, 0.0
        rows = self.breakdown
        recurrent_j = float(rows.loc[rows["kind"].isin(["recurrent_weights", "recurrent_accumulate"]), "energy_j"].sum())
        return recurrent_ops / total_ops, recurrent_j / self.energy_j

    def by(self, *columns: str) -> UnitFrame:
        """Accesses, bytes, energy (J) and time (s) summed over the other columns, e.g. ``by('level', 'kind')``; a
        notebook shows it in units."""
        table = self.breakdown.groupby(list(columns), sort=False)[["accesses", "bytes", "energy_j", "time_s"]].sum()
        return UnitFrame(table.reset_index())

    def _repr_html_(self) -> str:
        return report_html(self)

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
            "ann_energy_j": self.ann.energy_j,
            "ann_latency_s": self.ann.latency_s,
        }

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (the ``snnexplorer evaluate --json`` object): every field, the tables as lists of
        rows, a part as a mapping (``chip`` empty off a chip of cores; ``training`` and the ANN's ``accuracy`` only
        when measured)."""
        out = {field.name: getattr(self, field.name) for field in fields(self)}
        frames = {name: out[name].to_dict(orient="records") for name in ("breakdown", "levels", "parameters")}
        feasible = {"energy_j": self.energy_j, "latency_s": self.latency_s, "time_per_sample_s": self.time_per_sample_s}
        out.update(frames, **{k: v if self.feasible else None for k, v in feasible.items()}, chip=self.chip or {})
        if self.training is None:
            del out["training"]
        return _plain(out)


def _plain(value):
    if is_dataclass(value):  # a part: its own to_dict where it names its fields otherwise, else field → value
        own = getattr(value, "to_dict", None)
        return _plain(own() if own else {field.name: getattr(value, field.name) for field in fields(value)})
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
