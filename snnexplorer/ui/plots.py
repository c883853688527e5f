"""HoloViews plots of a Report and of the session history: plain functions of their inputs."""

from __future__ import annotations

import holoviews as hv
import holoviews.plotting.bokeh
import pandas as pd
import panel as pn

from .format import binary_bytes, si
from .model import HISTORY_COLUMNS

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]  # Okabe-Ito
SIZE = dict(height=320, responsive=True, tools=["hover"], fontscale=1.0)


def big_numbers(report) -> pn.Row:
    accuracy = "n/a (synthetic)" if report.accuracy is None else f"{100 * report.accuracy:.2f} %"
    items = [
        ("Accuracy", accuracy),
        ("Energy / inference", si(report.energy_j, "J")),
        ("Latency / batch", si(report.latency_s, "s")),
        ("Footprint", binary_bytes(report.footprint_bytes)),
        ("SNN / ANN energy", f"{report.ann['snn_over_ann_energy']:.2f}×" if report.ann.get("snn_over_ann_energy") else "n/a"),
    ]
    numbers = pn.Row(
        *(
            pn.indicators.String(label=label, value=value, font_size="20pt", title_size="10pt", width=190)
            for label, value in items
        ),
        sizing_mode="stretch_width",
    )
    return pn.Column(numbers, pn.pane.Markdown(reference_points(report), margin=(0, 10)), sizing_mode="stretch_width")


def reference_points(report) -> str:
    """One line of figures to read ours against: the QNN twin, the memory-free SOP proxy, and the assumptions."""
    ann, proxy, mapping = report.ann, report.sop_proxy, report.extra.get("mapping", {})
    parts = []
    if ann.get("qnn_energy_j") is not None:
        parts.append(f"QNN twin ({ann['qnn_activation_bits']}-bit activations): {si(ann['qnn_energy_j'], 'J')}")
    if proxy:
        parts.append(
            f"SOP proxy, no memory ({proxy['accumulate_pj']:g} pJ/AC, {proxy['mac_pj']:g} pJ/MAC): SNN {si(proxy['energy_j'], 'J')}, ANN {si(proxy['ann_energy_j'], 'J')}"
        )
    if mapping:
        parts.append(
            f"assumed: partial sums in {mapping['accumulators']}, inputs read once per "
            + ("layer" if mapping["input_reuse"] == "layer" else "operation")
            + f", batch run as tiles of {report.extra.get('batch_tile', report.batch)}"
        )
    return " · ".join(parts)


def _layer_label(table: pd.DataFrame) -> pd.Series:
    return table["network"].astype(str).str.replace("main", "", regex=False) + " L" + table["layer"].astype(str)


BREAKDOWN_LABELS = {"energy_j": ("energy per inference (J)", "Energy"), "time_s": ("time per inference (s)", "Time")}


def breakdown(report, value: str = "energy_j"):
    """Stacked bars of ``value`` ('energy_j' or 'time_s') by layer · memory level, stacked by data kind."""
    if report is None:
        return hv.Bars([], ["where", "kind"], value)
    table = report.breakdown[report.breakdown.layer >= 0].copy()
    table["where"] = _layer_label(table).str.strip() + " · " + table["level"]
    grouped = table.groupby(["where", "kind"], sort=False)[value].sum().reset_index()
    ylabel, title = BREAKDOWN_LABELS[value]
    return hv.Bars(grouped, ["where", "kind"], value).opts(
        stacked=True,
        cmap=PALETTE,
        xrotation=45,
        ylabel=ylabel,
        xlabel="layer · memory level",
        title=f"{title} by layer × memory level × data kind",
        legend_position="right",
        **SIZE,
    )


def layer_rates(report):
    """Per layer: spike rate in and out, with the layer's timesteps in the hover."""
    if report is None:
        return hv.Bars([], ["layer", "direction"], "rate")
    rows = []
    for layer in report.extra.get("layers", []):
        label = f"{'' if layer['network'] == 'main' else layer['network']} L{layer['layer']} (T={layer['timesteps']})".strip()
        rows.append({"layer": label, "direction": "input", "rate": layer["input_rate"]})
        if layer["output_rate"] > 0:
            rows.append({"layer": label, "direction": "output", "rate": layer["output_rate"]})
    return hv.Bars(pd.DataFrame(rows), ["layer", "direction"], "rate").opts(
        cmap=PALETTE[:2], xrotation=45, ylabel="spikes per neuron per step", title="Spike rates and timesteps per layer", **SIZE
    )


def layer_activity(report):
    if report is None:
        return hv.Bars([], "layer", "synaptic_ops")
    table = report.breakdown[(report.breakdown.level == "compute") & report.breakdown.kind.isin(["accumulate", "mac"])].copy()
    table["layer"] = _layer_label(table).str.strip()
    grouped = table.groupby("layer", sort=False)["accesses"].sum().reset_index().rename(columns={"accesses": "synaptic_ops"})
    return hv.Bars(grouped, "layer", "synaptic_ops").opts(
        color=PALETTE[2], ylabel="synaptic ops per inference", title="Synaptic operations per layer", **SIZE
    )


def snn_vs_ann(report):
    if report is None:
        return hv.Bars([], "model", "energy_j")
    rows = [
        ("SNN", report.energy_j),
        ("ANN (dense)", report.ann["energy_j"]),
        ("ANN (zero-skipping)", report.ann["zero_skipping_energy_j"]),
        (f"QNN ({report.ann['qnn_activation_bits']}-bit act.)", report.ann["qnn_energy_j"]),
        ("SOP proxy (SNN)", report.sop_proxy["energy_j"]),
    ]
    return hv.Bars(pd.DataFrame(rows, columns=["model", "energy_j"]), "model", "energy_j").opts(
        color="model",
        cmap=PALETTE[: len(rows)],
        ylabel="energy per inference (J)",
        title="SNN vs its ANN and QNN twins",
        xrotation=20,
        show_legend=False,
        **SIZE,
    )


def footprint(report):
    if report is None:
        return hv.Bars([], "level", "bytes")
    levels = report.levels
    table = pd.concat(
        [
            pd.DataFrame({"level": levels["level"], "what": "capacity", "bytes": levels["capacity_bytes"]}),
            pd.DataFrame({"level": levels["level"], "what": "footprint", "bytes": levels["footprint_bytes"]}),
        ]
    )
    return hv.Bars(table, ["level", "what"], "bytes").opts(
        logy=True,
        ylim=(1e3, None),
        cmap=PALETTE[:2],
        ylabel="bytes (log)",
        title="Footprint against each level's capacity",
        **SIZE,
    )


def pareto(history: pd.DataFrame, x: str = "energy_j", sweep: pd.DataFrame | None = None):
    """Accuracy (or latency when no accuracy is known) against ``x`` for the session's designs,
    the current one starred, and the points of a loaded sweep in grey."""
    data = history.copy()
    if data.empty:
        data = pd.DataFrame(columns=HISTORY_COLUMNS)
    y = "accuracy" if data["accuracy"].notna().any() else "latency_s"
    data = data[data[y].notna()] if len(data) else data
    hover = ["name", "hardware", "hidden", "experts", "timesteps", "bits", "latency_s", "footprint_bytes"]
    label = "energy per inference (J)" if x == "energy_j" else "latency per batch (s)"
    points = hv.Scatter(data, x, [y, *hover], label="this session").opts(
        size=9, color=PALETTE[0], xlabel=label, ylabel=y, title=f"{y} vs {x}: designs evaluated (click one to load it)", **SIZE
    )
    current = hv.Scatter(data.tail(1), x, [y, *hover], label="current").opts(size=16, color=PALETTE[5], marker="star")
    overlay = points * current
    if sweep is not None and not sweep.empty and {x, y} <= set(sweep.columns):
        extra = [c for c in sweep.columns if c.startswith("axis:")]
        loaded = hv.Scatter(sweep.dropna(subset=[x, y]), x, [y, *extra], label="loaded sweep").opts(size=6, color="#999999")
        overlay = loaded * overlay
    return overlay
