"""Numbers as people read them, for every front end (CLI, dashboard, exports): pJ/nJ/µJ, µs/ms, KiB/MiB, thousands/millions."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable

import pandas as pd

PREFIXES = ((1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f"))


def engineering(value: float, unit: str) -> tuple[float, str]:
    """The factor and unit that put ``value`` in 1..1000: ``engineering(3.2e-6, 'J') == (1e-6, 'µJ')``."""
    for factor, prefix in PREFIXES[:-1]:
        if abs(value) >= factor:
            return factor, prefix + unit
    return PREFIXES[-1][0], PREFIXES[-1][1] + unit


def si(value: float | None, unit: str) -> str:
    """``si(3.2e-6, 'J') == '3.2 µJ'``."""
    if value is None or value != value:
        return "n/a"
    if value == 0:
        return f"0 {unit}"
    factor, scaled_unit = engineering(value, unit)
    return f"{value / factor:.3g} {scaled_unit}"


COUNT_WORDS = ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands"))


def magnitude(value: float) -> tuple[float, str]:
    """The factor and word that put a count in 1..1000: ``magnitude(6.6e5) == (1e3, 'thousands')``; (1, '') below 1000."""
    for factor, word in COUNT_WORDS:
        if abs(value) >= factor:
            return factor, word
    return 1.0, ""


def binary_bytes(value: float) -> str:
    """``binary_bytes(2048) == '2.0 KiB'``."""
    for factor, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if value >= factor:
            return f"{value / factor:.1f} {unit}"
    return f"{value:.0f} B"


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readable_number(value):
    """A table cell as a person writes it: ``1,234.5``, ``0.00125``, ``2.5×10⁻⁷``, never ``2.5e-07``; non-numbers as
    they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if value != value:
        return "n/a"
    if value == 0 or 1e-4 <= abs(value) < 1e15:
        digits = max(0, 5 - math.floor(math.log10(abs(value)))) if value else 0
        text = f"{value:,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, exponent = f"{value:.3e}".split("e")
    return f"{float(mantissa):g}×10{str(int(exponent)).translate(SUPERSCRIPT)}"


METRIC_TEXT = {
    "accuracy": ("Accuracy", lambda v: f"{100 * v:.2f} %"),
    "energy_j": ("Energy / inference", lambda v: si(v, "J")),
    "latency_s": ("Latency / batch", lambda v: si(v, "s")),
    "footprint_bytes": ("Footprint", binary_bytes),
}


HEADLINE_LABELS = (*(label for label, _ in METRIC_TEXT.values()), "SNN / ANN energy")


def headline(report) -> list[str]:
    """The five headline numbers of a Report as text, in the order of :data:`HEADLINE_LABELS`."""
    metrics = report.metrics()
    texts = [fmt(metrics[m]) if metrics[m] is not None else "n/a (synthetic)" for m, (_, fmt) in METRIC_TEXT.items()]
    ratio = report.ann.snn_over_ann_energy
    return [*texts, f"{ratio:.2f}×" if ratio else "n/a"]


def reference_points(report) -> str:
    """One line of figures to read ours against: the QNN twin, the memory-free SOP proxy, and the assumptions."""
    ann, proxy, mapping, chip = report.ann, report.sop_proxy, report.mapping, report.chip
    parts = [
        f"QNN twin ({ann.qnn_activation_bits}-bit activations): {si(ann.qnn_energy_j, 'J')}",
        f"SOP proxy, no memory ({proxy.accumulate_pj:g} pJ/AC, {proxy.mac_pj:g} pJ/MAC): "
        f"SNN {si(proxy.energy_j, 'J')}, ANN {si(proxy.ann_energy_j, 'J')}",
    ]
    if chip is not None:
        parts.append(
            f"on {chip.cores:,.0f} cores in {chip.tiles:,.0f} tile{'s' if chip.tiles != 1 else ''}, "
            f"{chip.chip_steps:,.0f} chip steps per "
            f"inference, busiest core {si(chip.busiest_core_s, 's')}, barriers {si(chip.barrier_s, 's')}"
        )
    parts.append(
        f"assumed: {_loop(mapping)}, partial sums in {mapping.accumulators}, inputs read once per "
        + ("layer" if mapping.input_reuse == "layer" else "operation")
        + (", weights held while they serve a step" if mapping.weight_reuse == "stationary" else ", a weight read per operation")
        + (f", a dense layer's weights in {mapping.weight_tiles} tiles" if mapping.weight_tiles > 1 else "")
        + (
            f", weights kept in {mapping.weights_kept_in} between batches"
            if mapping.weights_kept_in
            else ", weights fetched for every batch"
            + (" (they do not fit on chip with the state)" if mapping.residency == "resident" else "")
        )
        + f", batch run as tiles of {report.batch_tile}"
        + (f" and a last tile of {report.last_tile}" if report.last_tile else "")
    )
    search = report.search
    if search is not None:
        chosen = dict(search.chosen)
        parts.append(
            f"mapping searched for {search.objective}, the best of {search.mappings}: {chosen['loop_order']}, "
            f"{chosen['spike_format']} spikes (the assumptions above); the mapping as set costs {si(search.hand_set_energy_j, 'J')} per "
            f"inference, {si(search.hand_set_latency_s, 's')} per batch; the ANN twins at their own best mapping (the "
            f"ANN twin {si(search.twin_hand_set_energy_j, 'J')} at the mapping as set)"
        )
    bench = report.neurobench
    if bench.activation_sparsity is not None:
        ops = bench.synaptic_operations
        parts.append(
            f"NeuroBench: activation sparsity {bench.activation_sparsity:.3f}, "
            f"{ops.effective_acs:,.0f} effective ACs + {ops.effective_macs:,.0f} MACs per sample"
        )
    return " · ".join(parts)


def mapping_words(values: dict) -> str:
    """A searched mapping (field → value, as :class:`~snnexplorer.hardware.report.MappingSearch` names it) in words:
    its loop order and time window, weight and input reuse, where partial sums live, the spike format."""
    window = int(values["time_window"])
    loop = (
        f"timestep-major in windows of {window} steps"
        if values["loop_order"] == "timestep-major" and window > 1
        else values["loop_order"]
    )
    weights = "weights held stationary" if values["weight_reuse"] == "stationary" else "a weight read per operation"
    if int(values.get("weight_tiles", 1)) > 1:
        weights += f" (a dense layer's in {int(values['weight_tiles'])} tiles)"
    inputs = "inputs read once per layer" if values["input_reuse"] == "layer" else "an input read per operation"
    apart = layer_choices_text(values)
    return f"{loop}, {weights}, {inputs}, partial sums in {values['accumulators']}, {values['spike_format']} spikes" + (
        f"; apart from that, layer {apart}" if apart else ""
    )


CHOICE_WORDS = {
    ("weight_reuse", "stationary"): "weight-stationary",
    ("weight_reuse", "per-operation"): "weights per op",
    ("input_reuse", "layer"): "inputs per layer",
    ("input_reuse", "per-operation"): "inputs per op",
    ("accumulators", "registers"): "sums in registers",
    ("accumulators", "memory"): "sums in memory",
}
"""A layer's own mapping choices in few words (legends, tables)."""


def choice_words(field: str, value) -> str:
    """One of a layer's own mapping choices in few words (a weight tiling: "weights in 4 tiles")."""
    if field == "weight_tiles":
        return "weights untiled" if int(value) == 1 else f"weights in {int(value)} tiles"
    return CHOICE_WORDS[(field, value)]


def layer_choices_text(values: dict) -> str:
    """What the layers of a mapping (field → value, with ``layers``) choose apart from the mapping's own values:
    "3: weights per op; 4: weights per op" (layers from 1), empty when none does."""
    layers = values.get("layers") or []
    if isinstance(layers, str):
        layers = json.loads(layers)
    parts = []
    for index, entry in enumerate(layers, start=1):
        apart = [choice_words(field, value) for field, value in entry.items() if str(value) != str(values[field])]
        if apart:
            parts.append(f"{index}: {', '.join(apart)}")
    return "; ".join(parts)


def mapping_label(values: dict) -> str:
    """A mapping (field → value) in few words, for a legend: loop order (and window), weight and input reuse,
    partial sums, spikes, and what single layers choose apart."""
    window = int(values["time_window"])
    loop = f"windows of {window}" if values["loop_order"] == "timestep-major" and window > 1 else values["loop_order"]
    own = ", ".join(choice_words(field, values[field]) for field in ("weight_reuse", "input_reuse", "accumulators"))
    if int(values.get("weight_tiles", 1)) > 1:
        own += ", " + choice_words("weight_tiles", values["weight_tiles"])
    apart = layer_choices_text(values)
    return f"{loop}, {own}, {values['spike_format']}" + (f" (layers {apart})" if apart else "")


def search_summary(report) -> str:
    """What ``mapping.search`` chose and what it saves against the mapping as set (Markdown; empty without a
    search)."""
    search = report.search
    if search is None:
        return ""
    saving = 1.0 - report.energy_j / search.hand_set_energy_j if search.hand_set_energy_j else 0.0
    faster = 1.0 - report.latency_s / search.hand_set_latency_s if search.hand_set_latency_s else 0.0
    return (
        f"**Best of {search.mappings} mappings by {search.objective}:** {mapping_words(dict(search.chosen))}. "
        f"{si(report.energy_j, 'J')} per inference and {si(report.latency_s, 's')} per batch, against "
        f"{si(search.hand_set_energy_j, 'J')} and {si(search.hand_set_latency_s, 's')} as set "
        f"({saving:.0%} less energy, {faster:.0%} less time)."
    )


def _loop(mapping) -> str:
    """The loop order as the reference line says it: each layer's steps per turn and the windows per batch."""
    if mapping.loop_order == "layer-major" or mapping.windows == 1:
        return "layer-major"
    if mapping.time_window == 1:
        return "timestep-major"
    return f"timestep-major in windows of {mapping.time_window} steps ({mapping.windows} per batch)"


def _texts(values, fmt) -> list[str]:
    return [fmt(float(v)) if v is not None and v == v else "n/a" for v in pd.to_numeric(values, errors="coerce")]


def metric_texts(table: pd.DataFrame) -> pd.DataFrame:
    """The metrics of rows (a history, pins or a sweep) as a person reads them: one column per label of
    :data:`METRIC_TEXT` ("Energy / inference": "192 µJ"), "n/a" where a value is missing."""
    return pd.DataFrame({label: _texts(table[metric], fmt) for metric, (label, fmt) in METRIC_TEXT.items()}, index=table.index)


def readable_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as a person reads it: the design fields that differ, metrics in engineering units,
    changes as "+0.25 points" and "×0.86", "n/a" where a value is missing (no raw floats, no NaN)."""
    out = pd.DataFrame({"Design": table["name"].astype(str)})
    for column in (c for c in table.columns if "." in c and "×" not in c):
        out[column] = table[column].astype(str)
    out = pd.concat([out, metric_texts(table)], axis=1)
    out["Δ accuracy"] = _texts(table["Δ accuracy (points)"], column_format("Δ accuracy (points)"))
    for metric, (label, _) in list(METRIC_TEXT.items())[1:]:
        out[f"{label} vs first"] = _texts(table[f"{metric} × first"], column_format(f"{metric} × first"))
    return out


def column_format(name: str) -> Callable[[float], str] | None:
    """How a column of SI numbers reads, from its name: ``*_j`` energy, ``*_s`` time, ``*edp`` J·s, ``*bytes`` binary bytes,
    ``accuracy`` percent, counts with thousands separators, ``× first`` ratios; None for a column to show as it is."""
    if name.endswith("_j"):
        return lambda v: si(v, "J")
    if name.endswith("_s"):
        return lambda v: si(v, "s")
    if name.endswith("edp"):
        return lambda v: si(v, "J·s")
    if name.endswith("bytes"):
        return binary_bytes
    if name == "accuracy":
        return METRIC_TEXT["accuracy"][1]
    if name.endswith("× first"):
        return lambda v: f"×{v:.3g}"
    if name.startswith("Δ accuracy"):
        return lambda v: f"{v:+.2f} points"
    if name in ("accesses", "synaptic_ops", "neuron_updates", "macs"):
        return lambda v: f"{v:,.0f}"
    return None


def readable_table(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as text a person reads: each numeric column in its unit (:func:`column_format`), "n/a" for a missing
    value, other numbers as :func:`readable_number` writes them."""
    out = pd.DataFrame(index=table.index)
    for name in table.columns:
        column = table[name]
        fmt = column_format(str(name))
        numbers = pd.to_numeric(column, errors="coerce")
        if fmt is not None and numbers.notna().sum() == column.notna().sum():  # numbers, maybe in an object column
            out[name] = _texts(numbers, fmt)
        else:
            out[name] = [readable_number(v) for v in column]
    return out


class UnitFrame(pd.DataFrame):
    """A DataFrame of SI numbers (J, s, bytes, fractions: the column names say which) that a notebook displays in
    units, as the dashboard does; computing with it uses the numbers themselves."""

    @property
    def _constructor(self):
        return UnitFrame

    def _repr_html_(self) -> str:
        return readable_table(pd.DataFrame(self))._repr_html_()


def report_html(report) -> str:
    """A Report as a notebook shows it: the headline numbers and the reference line, in the dashboard's units."""
    cells = "".join(
        f"<td style='padding:2px 14px'><div style='font-size:85%;color:#555'>{label}</div>"
        f"<div style='font-size:140%'>{text}</div></td>"
        for label, text in zip(HEADLINE_LABELS, headline(report))
    )
    where = f"{html.escape(report.name)} on {html.escape(report.hardware)}"
    lines = [f"<b>{where}</b>", f"<table><tr>{cells}</tr></table>"]
    if not report.feasible:
        lines.append("Infeasible: " + html.escape("; ".join(report.reasons)))
    lines.append(
        f"<div style='font-size:85%;max-width:100%;overflow-wrap:anywhere'>{html.escape(reference_points(report))}</div>"
    )
    return "<div>" + "".join(lines) + "</div>"
