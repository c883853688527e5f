"""How far to trust the numbers: the cost model against published models and tools, case by case.

Each case builds one layer by hand, prices it with :func:`snnexplorer.hardware.cost`
and returns the reference's figure beside ours (both in J):

* :func:`ottati_case` — Ottati et al. 2023's conv layer (their public script,
  fabrizio-ottati/to-spike-or-not ``main.py``: 28×28×32 outputs, 3×3×144
  kernels, one step, every input active, 100 pJ per 64-bit access, every MAC
  / AC reads its own weight and input), under his assumption
  (``input_reuse = per-operation``);
* :func:`zigzag_case` — a layer on SRAM + DRAM priced by ZigZag
  (``zigzag-dse``, imported only here; the ``bench`` and ``test`` extras
  install it), fully connected or conv, with partial sums in output registers
  or in SRAM (``accumulators``);
* :func:`breakeven_rate` — the spike rate below which an SNN costs less than
  its QNN twin on a preset (Yan et al. 2024 report 5.7 % at T = 5 on their
  neuromorphic model).

``benchmarks/fidelity.py`` prints them all; ``tests/test_fidelity.py`` holds the
tolerances.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..sim.activity import Activity, LayerActivity
from .architecture import Architecture
from .cost import cost

REFERENCE_MAPPING = {
    "batch": 1,
    "loop_order": "layer-major",
    "time_window": 1,
    "layers": [],
    "neuron_update": "time-driven",
    "experts": "sequential",
    "spike_format": "bitmap",
    "input_format": "bitmap",
    "accumulators": "registers",
    "input_reuse": "layer",
    "weight_reuse": "per-operation",
    "weight_tiles": 1,
    "residency": "per-batch",
    "weights_level": "auto",
    "state_level": "auto",
}
"""The mapping every reference case assumes: one sample, one layer at a time, partial sums in registers, each input
read once per layer; a case changes only what its reference does differently (e.g. Ottati's per-operation reads)."""


@dataclass(frozen=True)
class Case:
    """One comparison: our figure and the reference's (J), and what was compared."""

    name: str
    model_j: float
    reference_j: float
    reference: str

    @property
    def error(self) -> float:
        """Relative error of ours against the reference."""
        return self.model_j / self.reference_j - 1.0


def one_layer(n_in: int, n_out: int, macs: int, parameters: int, input_spikes: int | None = None) -> Activity:
    """A one-step, one-sample Activity of a single output layer with ``macs`` synapses, all inputs active."""
    outputs = np.array([n_out])
    spikes = np.array([n_in if input_spikes is None else input_spikes])
    layer = LayerActivity(
        n_in,
        n_out,
        1,
        1,
        spikes,
        np.array([macs]),
        outputs,
        outputs,
        np.array([0]),
        True,
        parameters=parameters,
        connections=macs,
    )
    return Activity([layer], np.zeros(1, dtype=np.int64), np.zeros((1, n_out)), [])


WORD_BITS = 64
"""Every reference hierarchy's word (and ZigZag's port) width."""


def hand_architecture(levels: list[tuple[str, float, float]], mac_pj: float = 4.6, accumulate_pj: float = 0.9) -> Architecture:
    """Levels (name, capacity bytes, pJ per 64-bit access) and float32 compute figures scaled by Horowitz's table."""
    column = lambda values: np.array([values], dtype=np.float64)
    return Architecture(
        "reference",
        [name for name, _, _ in levels],
        {
            "capacity_bytes": column([c for _, c, _ in levels]),
            "word_bits": column([WORD_BITS] * len(levels)),
            "read_pj": column([e for _, _, e in levels]),
            "write_pj": column([e for _, _, e in levels]),
            "bandwidth_bytes_per_s": column([1e12] * len(levels)),
        },
        {
            "units": np.ones(1),
            "clock_hz": np.array([1e9]),
            "ops_per_cycle": np.ones(1),
            "accumulate_pj": np.array([accumulate_pj]),
            "mac_pj": np.array([mac_pj]),
            "neuron_update_pj": np.array([5.5]),
        },
    )


def mapping(**fields) -> SimpleNamespace:
    """A mapping (the attributes :func:`cost` reads): :data:`REFERENCE_MAPPING` with ``fields``."""
    return SimpleNamespace(**{**REFERENCE_MAPPING, **fields})


# ----------------------------------------------------------------------------- Ottati et al. 2023
OTTATI = {"outputs": 28 * 28 * 32, "inputs": 28 * 28 * 144, "kernel": 3 * 3 * 144, "channels": 32}


def ottati_reference_j() -> tuple[float, float]:
    """(ANN, SNN) energy of the script's layer by its own accounting (it prints 823.0 and 461.2 µJ).

    Memory: 100 pJ per 64-bit access, so 12.5 pJ per 8-bit value, 50 pJ per 32-bit, 1.5625 pJ per spike.
    ANN: per MAC an 8-bit multiply (0.2 pJ), a 32-bit add (0.1), a weight and an input read; per output a
    bias add, a 32-bit requantizing multiply (3 pJ), a ReLU (an 8-bit add, 0.03) and an 8-bit write; per channel
    two 32-bit quantization parameters. SNN: per synaptic op a 32-bit add, a weight read and a 1-bit spike read;
    per neuron a 32-bit leak multiply, two adds, a compare, an 8-bit state read and write and a spike write; per
    channel a 32-bit bias, leak and threshold.
    """
    ops = OTTATI["outputs"] * OTTATI["kernel"]
    outputs, channels = OTTATI["outputs"], OTTATI["channels"]
    mem8, mem32, mem1 = 100 / 8, 100 / 2, 100 / 64
    ann = ops * (0.2 + 0.1 + 2 * mem8) + outputs * (0.1 + 3 + 0.03 + mem8) + channels * 2 * mem32
    snn = ops * (0.1 + mem8 + mem1) + outputs * (3 + 2 * 0.1 + 0.1 + mem8 + mem8 + mem1) + channels * 3 * mem32
    return ann * 1e-12, snn * 1e-12


def ottati_case() -> tuple[Case, Case]:
    """Our ANN and SNN energy of Ottati's layer under his mapping, with his figures."""
    ops = OTTATI["outputs"] * OTTATI["kernel"]
    activity = one_layer(OTTATI["inputs"], OTTATI["outputs"], ops, OTTATI["kernel"] * OTTATI["channels"] + OTTATI["channels"])
    arch = hand_architecture([("SRAM", 1e12, 100.0)])
    report = cost(activity, arch, mapping(input_reuse="per-operation"), [8], [8])
    ann_ref, snn_ref = ottati_reference_j()
    source = "Ottati et al. 2023, fabrizio-ottati/to-spike-or-not main.py"
    return (
        Case("Ottati conv layer, ANN (8-bit)", report.ann.energy_j, ann_ref, source),
        Case("Ottati conv layer, SNN (T = 1)", report.energy_j, snn_ref, source),
    )


# ----------------------------------------------------------------------------- ZigZag
ZIGZAG_SRAM = ("SRAM", 1 << 20, 20.0)  # 1 MiB, Horowitz's 1 MB point would be 100 pJ; 20 pJ keeps DRAM dominant
ZIGZAG_DRAM = ("DRAM", 1 << 32, 1300.0)
ZIGZAG_LANES = 8  # MACs per cycle: one 64-bit word of 8-bit weights per cycle
ZIGZAG_MAC_PJ = 0.3  # Horowitz 45 nm: int8 multiply 0.2 + int32 add 0.1


def _zigzag_port(name: str, kind: str, bits: int, allocation: list[str]) -> dict:
    return {"name": name, "type": kind, "bandwidth_min": bits, "bandwidth_max": bits, "allocation": allocation}


def _zigzag_memory(size_bytes: float, pj: float, operands: list[str], ports: list[dict], served: list[str]) -> dict:
    return {
        "size": int(size_bytes * 8),
        "r_cost": pj,
        "w_cost": pj,
        "area": 0,
        "latency": 1,
        "auto_cost_extraction": False,
        "operands": operands,
        "ports": ports,
        "served_dimensions": served,
    }


def zigzag_accelerator(output_registers: bool, output_register_bits: int) -> dict:
    """SRAM + DRAM (64-bit words, one read-write port each), 8 MAC lanes, optional output registers."""
    every = [f"{o}, {d}" for o in ("I1", "I2") for d in ("tl", "fh")] + [f"O, {d}" for d in ("tl", "fl", "fh", "th")]
    memories = {}
    if output_registers:
        ports = [
            _zigzag_port("w_port_1", "write", 32, ["O, fh"]),
            _zigzag_port("r_port_1", "read", 32, ["O, tl"]),
            _zigzag_port("w_port_2", "write", 32, ["O, fl"]),
            _zigzag_port("r_port_2", "read", 32, ["O, th"]),
        ]
        memories["reg_O"] = _zigzag_memory(output_register_bits / 8, 0.0, ["O"], ports, [])
    for name, size, pj in (ZIGZAG_SRAM, ZIGZAG_DRAM):
        port = _zigzag_port("rw_port_1", "read_write", WORD_BITS, every)
        memories[name.lower()] = _zigzag_memory(size, pj, ["I1", "I2", "O"], [port], ["D1"])
    return {
        "name": "snnexplorer-fidelity",
        "memories": memories,
        "operational_array": {
            "input_precision": [8, 8],
            "unit_energy": ZIGZAG_MAC_PJ,
            "unit_area": 1,
            "dimensions": ["D1"],
            "sizes": [ZIGZAG_LANES],
        },
    }


def zigzag_layer(kind: str) -> tuple[dict, Activity]:
    """A ZigZag workload layer and the same layer as our Activity: ``dense`` 784→256 or ``conv`` 16→32 channels,
    3×3 kernels on 16×16 inputs (no padding, no bias), 8-bit weights and activations, 32-bit outputs."""
    precision = {"W": 8, "I": 8, "O": 32, "O_final": 32}
    if kind == "dense":
        layer = {"equation": "O[b][k]+=W[k][c]*I[b][c]", "loop_dims": ["B", "K", "C"], "loop_sizes": [1, 256, 784]}
        return layer | {"operand_precision": precision}, one_layer(784, 256, 784 * 256, 784 * 256)
    k, c, out, fy = 32, 16, 14, 3
    layer = {
        "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
        "dimension_relations": ["ix=1*ox+1*fx", "iy=1*oy+1*fy"],
        "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
        "loop_sizes": [1, k, c, out, out, fy, fy],
    }
    macs = k * c * out * out * fy * fy
    return layer | {"operand_precision": precision}, one_layer(c * 16 * 16, k * out * out, macs, k * c * fy * fy)


@functools.cache
def zigzag_layer_run(kind: str, output_registers: bool) -> tuple[float, dict[str, list[float]], dict[str, int]]:
    """:func:`zigzag_run` of :func:`zigzag_layer` ``kind`` (kept: each ZigZag search takes seconds)."""
    layer, activity = zigzag_layer(kind)
    return zigzag_run(layer, output_registers, activity.layers[0].n_out)


def zigzag_run(layer: dict, output_registers: bool, n_out: int) -> tuple[float, dict[str, list[float]], dict[str, int]]:
    """ZigZag's minimum-energy mapping of ``layer`` on :func:`zigzag_accelerator`: its energy (J), its memory energy
    per operand (``I``, ``W``, ``O``) per level, innermost first (J), and its temporal loops (dimension → the product
    of its temporal factors: what the spatial unrolling leaves)."""
    import yaml
    from zigzag.api import get_hardware_performance_zigzag

    workload = [{"id": 0, "name": "layer", "operator_type": "Conv" if "OY" in layer["loop_dims"] else "Gemm", **layer}]
    mapping_doc = [
        {
            "name": "default",
            "spatial_mapping": {"D1": [f"K, {ZIGZAG_LANES}"]},
            "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"},
        }
    ]
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, doc in (
            ("workload", workload),
            ("accelerator", zigzag_accelerator(output_registers, 32 * n_out)),
            ("mapping", mapping_doc),
        ):
            paths[name] = Path(folder) / f"{name}.yaml"
            paths[name].write_text(yaml.safe_dump(doc, sort_keys=False))
        logging.disable(logging.CRITICAL)
        try:
            energy_pj, _, evaluations = get_hardware_performance_zigzag(
                str(paths["workload"]),
                str(paths["accelerator"]),
                str(paths["mapping"]),
                opt="energy",
                dump_folder=str(Path(folder) / "out"),
                loma_show_progress_bar=False,
            )
        finally:
            logging.disable(logging.NOTSET)
    best = evaluations[0][1][0][0]  # ZigZag's (layer, [(evaluation, extra)]) list: the one layer's evaluation
    memory = {str(operand): [pj * 1e-12 for pj in levels] for operand, levels in best.mem_energy_breakdown.items()}
    loops: dict[str, int] = {}
    for levels in best.temporal_mapping.mapping_dic_stationary.values():
        for level in levels:
            for dimension, factor in level:
                loops[str(dimension)] = loops.get(str(dimension), 1) * int(factor)
        break  # every operand's loops are the same nest
    return float(energy_pj) * 1e-12, memory, loops


def zigzag_lanes() -> tuple[int, int]:
    """The output channels ZigZag's mapper computes side by side on the conv layer (an operand's word read serves all
    of them), with the partial sums in registers and in SRAM: read from its temporal loops (what the spatial
    unrolling leaves). With the sums in SRAM its one 64-bit port carries a 32-bit sum per channel, so 2 fit instead
    of 8: the rule ours prices (``workload._per_operation_bits``)."""
    layer, _ = zigzag_layer("conv")
    channels = layer["loop_sizes"][layer["loop_dims"].index("K")]
    return tuple(channels // zigzag_layer_run("conv", registers)[2]["K"] for registers in (True, False))


def zigzag_case(kind: str, accumulators: str, dataflows: list[dict[str, str]] | None = None) -> Case:
    """Our ANN twin of a ``dense`` or ``conv`` layer vs ZigZag, partial sums in ``registers`` or ``memory``.

    Dense: ZigZag's best mapping reads each weight once and each input once per layer, as ours does by default.
    Conv: ZigZag's best mapping keeps each kernel weight at the compute while it sweeps the output positions and
    re-reads inputs per window (weight-stationary), which ours is told with ``weight_reuse: stationary`` and
    ``input_reuse: per-operation``. Without output registers ZigZag's one 64-bit port also carries the partial
    sums, so it computes fewer output channels side by side and each operand read serves fewer of them, as ours
    prices it (:func:`zigzag_lanes`). See ``benchmarks/fidelity.py`` for the gaps.

    With ``dataflows`` (mapping fields → values, e.g. every combination of the reuse choices), ours is the cheapest
    of them: both sides at their own mapper's best.
    """
    activity = zigzag_layer(kind)[1]
    arch = hand_architecture([ZIGZAG_SRAM, ZIGZAG_DRAM])
    told = {"weight_reuse": "stationary", "input_reuse": "per-operation"} if kind == "conv" else {}
    ours = min(
        cost(activity, arch, mapping(accumulators=accumulators, **dataflow), [8], [8]).ann.energy_j
        for dataflow in (dataflows or [told])
    )
    zigzag = zigzag_layer_run(kind, accumulators == "registers")[0]
    mapped = "our best mapping" if dataflows else "ZigZag's dataflow told to ours"
    return Case(f"ZigZag {kind} layer, partial sums in {accumulators}, {mapped}", ours, zigzag, "zigzag-dse")


# ----------------------------------------------------------------------------- SNN vs QNN
YAN_BREAKEVEN = 0.057
"""Yan et al. 2024 (arXiv 2409.08290 v4): at T = 5 an SNN must stay below a 5.7 % spike rate to beat its QNN."""


def breakeven_rate(
    arch: Architecture, sizes: list[int], timesteps: int, weight_bits: int = 8, twin: str = "qnn_energy_j", **mapping_fields
) -> float:
    """The synthetic spike rate at which the SNN's energy equals its ⌈log2(T+1)⌉-bit QNN twin's (``twin``:
    ``qnn_energy_j``, dense, or ``qnn_zero_skipping_energy_j``, skipping zero activations); bisection; 0 if the SNN
    never wins, 1 if it always does."""
    from ..sim.synthetic import synthetic_activity
    from ..topology import dense_specs

    bits = [weight_bits] * (len(sizes) - 1)
    chosen = mapping(**mapping_fields)

    def snn_over_qnn(rate: float) -> float:
        report = cost(synthetic_activity(dense_specs(sizes), [timesteps] * (len(sizes) - 1), rate), arch, chosen, bits, bits)
        twin_energy = getattr(report.ann, twin)
        return report.energy_j / twin_energy if twin_energy > 0 else float("inf")

    return break_even(snn_over_qnn)


def break_even(ratio: Callable[[float], float], steps: int = 30) -> float:
    """The spike rate in [0, 1] where ``ratio(rate)`` (SNN ÷ twin energy, rising with the rate) crosses 1, by
    bisection: 0 if the SNN never wins, 1 if it always does."""
    low, high = 0.0, 1.0
    if ratio(low) >= 1.0:
        return 0.0
    if ratio(high) <= 1.0:
        return 1.0
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if ratio(middle) < 1.0 else (low, middle)
    return (low + high) / 2
