"""The hardware schema: what a memory level and the compute units are, declared once.

A hardware preset (``presets/hardware/NAME.yaml``) is ``name``,
``description``, ``compute`` (a :class:`Compute`), ``levels`` (a list of
:class:`MemoryLevel`, index 0 closest to compute, outward) and ``sources``
(``LEVEL.FIELD`` or ``compute.FIELD`` → the paper or datasheet the number comes
from). Each field's type, bounds, unit and meaning live on its ``param``
declaration below; presets, design overrides (``hardware.overrides``:
``{"L2.capacity_bytes": 262144}``) and the dashboard's level editor are all
checked against them, with the Design's error format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import param

from .errors import FieldProblem
from .sections import Section, allowed_text, check_section, check_value
from .shipped import shipped_dir

PRESET_KEYS = ("name", "description", "compute", "levels", "sources")
NO_OPERATION_TABLE = "none"


def operation_table_path(name: str) -> Path:
    """The file of operation table ``name`` (``presets/operations/NAME.yaml``, shipped with the package)."""
    return shipped_dir("presets") / "operations" / f"{name}.yaml"


def operation_table_names() -> list[str]:
    """The shipped operation tables, plus ``none``."""
    return [*sorted(p.stem for p in operation_table_path("x").parent.glob("*.yaml")), NO_OPERATION_TABLE]


class MemoryLevel(Section):
    """One level of the memory hierarchy."""

    _key = "levels"
    _required = ("capacity_bytes", "word_bits", "read_pj", "write_pj", "bandwidth_bytes_per_s")
    capacity_bytes = param.Number(
        default=1.0,
        bounds=(0.0, None),
        inclusive_bounds=(False, True),
        doc="Capacity (bytes). Data whose working set does not fit streams from the next level.",
    )
    word_bits = param.Integer(default=64, bounds=(1, 65536), doc="Bits per access (one word); narrower values are packed.")
    read_pj = param.Number(default=0.0, bounds=(0.0, None), doc="Energy per word read (pJ/word).")
    write_pj = param.Number(default=0.0, bounds=(0.0, None), doc="Energy per word written (pJ/word).")
    bandwidth_bytes_per_s = param.Number(
        default=1.0,
        bounds=(0.0, None),
        inclusive_bounds=(False, True),
        doc="Bandwidth (bytes/s) to the level below (compute for level 0).",
    )
    latency_s = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Access latency (s). Not priced: the model assumes it is hidden by prefetching; kept to document the part.",
    )
    leakage_w = param.Number(default=0.0, bounds=(0.0, None), doc="Static power (W), charged over the latency.")


class Compute(Section):
    """The compute units that run accumulates, MACs and neuron updates."""

    _key = "compute"
    _required = ("units", "clock_hz", "ops_per_cycle", "accumulate_pj", "mac_pj", "neuron_update_pj")
    units = param.Integer(default=1, bounds=(1, None), doc="Compute units (cores) that share the work.")
    clock_hz = param.Number(default=1e9, bounds=(0.0, None), inclusive_bounds=(False, True), doc="Clock (Hz).")
    ops_per_cycle = param.Number(
        default=1.0, bounds=(0.0, None), inclusive_bounds=(False, True), doc="Operations per unit per cycle (SIMD lanes)."
    )
    accumulate_pj = param.Number(default=0.0, bounds=(0.0, None), doc="Energy per accumulate, a synaptic op (pJ).")
    mac_pj = param.Number(default=0.0, bounds=(0.0, None), doc="Energy per multiply-accumulate (pJ).")
    neuron_update_pj = param.Number(default=0.0, bounds=(0.0, None), doc="Energy per neuron update (pJ).")
    leakage_w = param.Number(default=0.0, bounds=(0.0, None), doc="Static power of the compute (W).")
    step_overhead_s = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Fixed time per layer per timestep that nothing overlaps (s): a GPU's kernel launch and synchronization.",
    )
    neurons_per_core = param.Integer(
        default=0,
        bounds=(0, None),
        doc="Neurons one core holds, on a chip whose units are cores joined by a network-on-chip (0: no such cores; "
        "no per-core capacity and no spike routing).",
    )
    core_memory_bytes = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Synaptic memory of one core (bytes): a layer takes enough cores for its weights as well as its neurons "
        "(0: not limited).",
    )
    route_hop_pj = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Energy of one spike packet crossing one hop of the network-on-chip (pJ); east-west where "
        "route_hop_vertical_pj is set.",
    )
    route_hop_vertical_pj = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Energy of one north-south hop of the mesh (pJ; 0: the same as route_hop_pj).",
    )
    synapse_bits = param.Integer(
        default=0,
        bounds=(0, 64),
        doc="Bits one synapse (weight) takes in a core's synaptic memory, whatever the design's weight width "
        "(0: the design's width). Sets how many cores a layer's synapses fill.",
    )
    cores_per_tile = param.Integer(
        default=0, bounds=(0, None), doc="Cores that share one router (tile) of the mesh (0: one core per tile)."
    )
    mesh_height_tiles = param.Integer(
        default=0,
        bounds=(0, None),
        doc="Tiles in one column of the mesh; tiles fill columns first (0: the smallest square mesh that holds the tiles used).",
    )
    conv_accumulate_pj = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Energy of a synaptic op through a shared convolution kernel (pJ; 0: the same as accumulate_pj).",
    )
    neuron_access_pj = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Energy of reading a neuron's state, charged to every neuron every step of the chip whether or not it "
        "has input (pJ; a core chip's time-driven soma). neuron_update_pj is then the extra energy of a neuron with "
        "input or a non-zero potential.",
    )
    spike_out_pj = param.Number(default=0.0, bounds=(0.0, None), doc="Energy of a neuron emitting one spike (pJ).")
    message_pj = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Energy of one spike message leaving its core, one per destination core the spike reaches (pJ).",
    )
    synapse_s = param.Number(
        default=0.0, bounds=(0.0, None), doc="Time a core takes for one synaptic op (s; 0: the clock rate sets it)."
    )
    conv_synapse_s = param.Number(
        default=0.0,
        bounds=(0.0, None),
        doc="Time a core takes for a synaptic op through a shared convolution kernel (s; 0: the same as synapse_s).",
    )
    neuron_access_s = param.Number(
        default=0.0, bounds=(0.0, None), doc="Time a core takes to read one neuron's state, every neuron every step (s)."
    )
    neuron_update_s = param.Number(
        default=0.0, bounds=(0.0, None), doc="Extra time a core takes to update a neuron with input (s)."
    )
    spike_out_s = param.Number(default=0.0, bounds=(0.0, None), doc="Time a core takes to emit one spike (s).")
    message_out_s = param.Number(
        default=0.0, bounds=(0.0, None), doc="Time a core takes to send one message to one destination core (s)."
    )
    message_in_s = param.Number(
        default=0.0, bounds=(0.0, None), doc="Time a core takes to receive one message, before its synaptic ops (s)."
    )
    barrier_s_by_tiles = param.Dict(
        default={},
        doc="Time of the synchronisation barrier that ends every step (s), by the number of tiles in use: "
        "{tiles: seconds}, the entry with the largest tile count not above the tiles used applies ({}: no barrier).",
    )
    operation_table = param.Selector(
        default="horowitz-45nm",
        objects=operation_table_names(),
        doc="How compute energy scales with operand bits and number format (presets/operations/NAME.yaml): the "
        "energies above are quoted at float32 and scaled per layer by the table; 'none' keeps them at every width "
        "(a fixed-function datapath).",
    )


UNITS = {
    "capacity_bytes": "B",
    "word_bits": "bit",
    "read_pj": "pJ/word",
    "write_pj": "pJ/word",
    "bandwidth_bytes_per_s": "B/s",
    "latency_s": "s",
    "leakage_w": "W",
    "units": "cores",
    "clock_hz": "Hz",
    "ops_per_cycle": "ops/cycle",
    "accumulate_pj": "pJ/op",
    "mac_pj": "pJ/op",
    "neuron_update_pj": "pJ/op",
    "step_overhead_s": "s",
    "neurons_per_core": "neurons",
    "core_memory_bytes": "B",
    "route_hop_pj": "pJ/hop",
    "route_hop_vertical_pj": "pJ/hop",
    "synapse_bits": "bit",
    "cores_per_tile": "cores",
    "mesh_height_tiles": "tiles",
    "conv_accumulate_pj": "pJ/op",
    "neuron_access_pj": "pJ/neuron/step",
    "spike_out_pj": "pJ/spike",
    "message_pj": "pJ/message",
    "synapse_s": "s/op",
    "conv_synapse_s": "s/op",
    "neuron_access_s": "s/neuron/step",
    "neuron_update_s": "s/update",
    "spike_out_s": "s/spike",
    "message_out_s": "s/message",
    "message_in_s": "s/message",
    "barrier_s_by_tiles": "s",
    "operation_table": "",
}
"""The unit of each hardware field (the provenance table of a Report prints them)."""

LEVEL_FIELDS: tuple[str, ...] = tuple(MemoryLevel.fields())
COMPUTE_FIELDS: tuple[str, ...] = tuple(f for f in Compute.fields() if isinstance(Compute.param[f], param.Number))
"""The numeric compute fields (arrays over hardware variants); ``operation_table`` is a choice and
``barrier_s_by_tiles`` a table."""


def barrier_problems(table: Any, path: str) -> list[FieldProblem]:
    """Problems of a ``barrier_s_by_tiles`` table: keys whole tile counts ≥ 1, values seconds ≥ 0."""
    if not isinstance(table, dict):
        return []
    return [
        FieldProblem(f"{path}.barrier_s_by_tiles[{tiles!r}]", seconds, "a tile count ≥ 1 (integer) → seconds ≥ 0")
        for tiles, seconds in table.items()
        if not (isinstance(tiles, int) and not isinstance(tiles, bool) and tiles >= 1)
        or not (isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds >= 0)
    ]


def preset_problems(raw: Any, where: str) -> list[FieldProblem]:
    """Every problem of a preset mapping read from ``where`` (a path, for the messages)."""
    if not isinstance(raw, dict):
        return [FieldProblem(where, raw, "a mapping with keys " + ", ".join(PRESET_KEYS))]
    problems = [
        FieldProblem(f"{where}: {key}", value, f"one of {list(PRESET_KEYS)}")
        for key, value in raw.items()
        if key not in PRESET_KEYS
    ]
    problems += check_section(Compute, raw.get("compute"), f"{where}: compute")[1]
    if isinstance(raw.get("compute"), dict):
        problems += barrier_problems(raw["compute"].get("barrier_s_by_tiles"), f"{where}: compute")
    levels = raw.get("levels")
    if not isinstance(levels, list) or not levels:
        return problems + [FieldProblem(f"{where}: levels", levels, "a non-empty list of memory levels")]
    names = []
    for index, level in enumerate(levels):
        path = f"{where}: levels[{index}]"
        if not isinstance(level, dict):
            problems.append(FieldProblem(path, level, "a mapping with a name and the level fields"))
            continue
        name = level.get("name")
        if not isinstance(name, str) or not name or "." in name or name in names or name == "compute":
            problems.append(FieldProblem(f"{path}.name", name, "a unique non-empty name without '.', not 'compute'"))
        names.append(name)
        problems += check_section(MemoryLevel, {k: v for k, v in level.items() if k != "name"}, path)[1]
    sources = raw.get("sources")
    if not isinstance(sources, dict):
        problems.append(FieldProblem(f"{where}: sources", sources, "a mapping of LEVEL.FIELD / compute.FIELD to a citation"))
    return problems


def override_problems(key: Any, value: Any, levels: list[str]) -> list[FieldProblem]:
    """Problems of one ``hardware.overrides`` entry against a preset with ``levels``."""
    path = f"hardware.overrides.{key}"
    if not isinstance(key, str) or key.count(".") != 1:
        return [FieldProblem(path, value, "a key of the form LEVEL.FIELD or compute.FIELD")]
    target, field = key.split(".")
    if target != "compute" and target not in levels:
        return [FieldProblem(path, value, f"a key naming a level of the preset {levels} or 'compute'")]
    section = Compute if target == "compute" else MemoryLevel
    if field not in section.fields():
        kind = "compute" if target == "compute" else "level"
        return [FieldProblem(path, value, f"a {kind} field: one of {section.fields()}")]
    p = section.param[field]
    if isinstance(value, float) and isinstance(p, param.Integer) and value.is_integer():
        value = int(value)
    if not check_value(section, field, p, value):
        return [FieldProblem(path, value, allowed_text(section, field, p))]
    return barrier_problems(value, "hardware.overrides.compute") if field == "barrier_s_by_tiles" else []
