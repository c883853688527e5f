"""HoloViews plots of a Report and of the session history: plain functions of their inputs."""

from __future__ import annotations

from functools import partial

import holoviews as hv
import holoviews.plotting.bokeh
import numpy as np
import pandas as pd
import panel as pn

from .format import binary_bytes, engineering, si
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
            + (
                ", weights held while they serve a step"
                if mapping.get("weight_reuse") == "stationary"
                else ", a weight read per operation"
            )
            + f", batch run as tiles of {report.extra.get('batch_tile', report.batch)}"
        )
    bench = report.neurobench
    if bench.get("activation_sparsity") is not None:
        ops = bench["synaptic_operations"]
        parts.append(
            f"NeuroBench: activation sparsity {bench['activation_sparsity']:.3f}, "
            f"{ops['Effective_ACs']:,.0f} effective ACs + {ops['Effective_MACs']:,.0f} MACs per sample"
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


TRADE_OFF_AXES = {"energy_j": ("Energy / inference", "J"), "latency_s": ("Latency / batch", "s")}
NO_ACCURACY = -5.0
"""Where designs without an accuracy (synthetic activity) sit on the accuracy axis (%), drawn hollow."""
LOG_SPAN = 20.0
"""An axis whose values span more than this factor is drawn logarithmic."""


def trade_off_frame(history: pd.DataFrame, x: str) -> tuple[pd.DataFrame, float, str, bool]:
    """The session's designs as the trade-off scatter plots them: ``x_value`` in engineering units (factor, unit),
    ``accuracy_pct`` (or :data:`NO_ACCURACY`), ``measured``, and readable hover columns; and whether x is log."""
    data = history.copy() if len(history) else pd.DataFrame(columns=HISTORY_COLUMNS)
    values = pd.to_numeric(data[x], errors="coerce").to_numpy(dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    factor, unit = engineering(float(np.median(positive)) if len(positive) else 1.0, TRADE_OFF_AXES[x][1])
    accuracy = pd.to_numeric(data["accuracy"], errors="coerce")
    frame = pd.DataFrame(
        {
            "x_value": values / factor,
            "accuracy_pct": (100 * accuracy).fillna(NO_ACCURACY).to_numpy(dtype=float),
            "measured": accuracy.notna().to_numpy(),
            "name": data["name"].astype(str).to_numpy(),
            "hardware": data["hardware"].astype(str).to_numpy(),
            "hidden": data["hidden"].astype(str).to_numpy(),
            "timesteps": data["timesteps"].astype(str).to_numpy(),
            "bits": data["bits"].astype(str).to_numpy(),
            "energy": [si(v, "J") for v in pd.to_numeric(data["energy_j"], errors="coerce")],
            "latency": [si(v, "s") for v in pd.to_numeric(data["latency_s"], errors="coerce")],
            "footprint": [binary_bytes(v) for v in pd.to_numeric(data["footprint_bytes"], errors="coerce").fillna(0)],
            "accuracy": [f"{100 * a:.2f} %" if a == a else "n/a (synthetic)" for a in accuracy],
        }
    )
    log = len(positive) > 1 and positive.max() / positive.min() > LOG_SPAN
    return frame, factor, unit, bool(log)


def pareto(history: pd.DataFrame, x: str = "energy_j", sweep: pd.DataFrame | None = None):
    """Accuracy against ``x`` for the session's designs in engineering units: measured ones filled, synthetic ones
    hollow on a band below 0 %, the current one starred, and a loaded sweep in grey; the legend outside the data."""
    frame, factor, unit, log = trade_off_frame(history, x)
    name = TRADE_OFF_AXES[x][0]
    x_dim = hv.Dimension("x_value", label=f"{name} ({unit})")
    y_dim = hv.Dimension("accuracy_pct", label="Accuracy (%)")
    hover = ["name", "hardware", "hidden", "timesteps", "bits", "accuracy", "energy", "latency", "footprint"]
    vdims = [y_dim, *hover]
    style = dict(size=9, color=PALETTE[0], tools=["hover", "tap"])
    measured = hv.Scatter(frame[frame["measured"]], x_dim, vdims, label="measured accuracy").opts(**style)
    synthetic = hv.Scatter(frame[~frame["measured"]], x_dim, vdims, label="synthetic (no accuracy)").opts(
        **style, fill_alpha=0.0, line_width=2
    )
    current = hv.Scatter(frame.tail(1), x_dim, vdims, label="current").opts(size=18, color=PALETTE[5], marker="star")
    overlay = measured * synthetic * current
    if sweep is not None and not sweep.empty and {x, "accuracy"} <= set(sweep.columns):
        points = sweep.dropna(subset=[x])
        loaded = pd.DataFrame(
            {"x_value": points[x].to_numpy(dtype=float) / factor, "accuracy_pct": (100 * points["accuracy"]).fillna(NO_ACCURACY)}
        )
        overlay = hv.Scatter(loaded, x_dim, y_dim, label="loaded sweep").opts(size=6, color="#999999") * overlay
    xs = frame["x_value"].to_numpy(dtype=float)
    options = dict(
        title=f"Accuracy vs {name.split(' /')[0].lower()} (click a design to load it)",
        logx=log,
        legend_position="bottom",
        legend_cols=4,
        padding=(0.1, 0.05),
        ylim=(float(frame["accuracy_pct"].min()) - 5.0 if len(frame) else NO_ACCURACY - 5.0, 102.0),
        height=SIZE["height"],
        responsive=True,
        fontscale=SIZE["fontscale"],
    )
    if len(np.unique(xs[np.isfinite(xs)])) == 1:  # one design: a readable range around it, not ±1
        options["xlim"] = (xs[0] * 0.5, xs[0] * 1.5)
    return overlay.opts(**options)


def nearest_design(history: pd.DataFrame, x: str, tap_x: float, tap_y: float) -> str | None:
    """The ``point`` of the session's design nearest a click at (tap_x, tap_y) in the scatter's own units."""
    frame, _, _, log = trade_off_frame(history, x)
    if frame.empty:
        return None
    xs = frame["x_value"].to_numpy(dtype=float)
    if log:
        xs, tap_x = np.log10(np.maximum(xs, 1e-300)), np.log10(max(tap_x, 1e-300))
    span_x = max(float(np.ptp(xs)), abs(float(xs.max())) * 1e-3, 1e-12)
    ys = frame["accuracy_pct"].to_numpy(dtype=float)
    distance = ((xs - tap_x) / span_x) ** 2 + ((ys - tap_y) / 100.0) ** 2
    return str(history["point"].iloc[int(np.argmin(distance))])


TORNADO_ROWS = 14
"""Most knob steps the tornado chart shows (the largest energy effects)."""


def tornado(effects: pd.DataFrame | None):
    """One horizontal bar per knob step: its change of energy per inference (%), largest first; the hover gives its
    change of latency, footprint and accuracy. Steps that would need training are marked."""
    columns = ["label", "energy_pct", "latency", "footprint", "accuracy", "effect"]
    if effects is None or effects.empty:
        frame = pd.DataFrame(columns=columns)
    else:
        top = effects.head(TORNADO_ROWS)
        frame = pd.DataFrame(
            {
                "label": [
                    f"{knob}: {step}{' (retrain)' if retrains else ''}"
                    for knob, step, retrains in zip(top["knob"], top["step"], top["retrains"])
                ],
                "energy_pct": top["energy_pct"].to_numpy(dtype=float),
                "latency": [f"{v:+.1f} %" for v in top["latency_pct"]],
                "footprint": [f"{v:+.1f} %" for v in top["footprint_pct"]],
                "accuracy": [f"{v:+.2f} points" if v == v else "needs training" for v in top["accuracy_points"]],
                "effect": np.where(top["energy_pct"].to_numpy(dtype=float) <= 0, "saves energy", "costs energy"),
            }
        )
    label = hv.Dimension("label", label="one step of a knob")
    energy = hv.Dimension("energy_pct", label="change of energy per inference (%)")
    return hv.Bars(frame.iloc[::-1], label, [energy, "latency", "footprint", "accuracy", "effect"]).opts(
        invert_axes=True,
        color="effect",
        cmap={"saves energy": PALETTE[2], "costs energy": PALETTE[5]},
        show_legend=False,
        title="What one step of each knob does (click a bar to apply it)",
        tools=["hover", "tap"],
        height=max(220, 26 * len(frame) + 80),
        responsive=True,
        fontscale=SIZE["fontscale"],
    )


def event_sample(events, label: int, steps: int):
    """One recording of an event data set (an EventSet of one sample): its events over time, ON and OFF, and the
    ``steps`` frames the ``events`` encoding bins them into (ON − OFF counts per pixel; time × unit for audio)."""
    channels, height, width = events.shape
    per_polarity = height * width
    polarity = (
        np.where(events.channels // per_polarity == 0, "ON", "OFF") if channels == 2 else np.full(len(events.channels), "event")
    )
    table = pd.DataFrame({"time_ms": events.times_us / 1e3, "address": events.channels % per_polarity, "polarity": polarity})
    raster = hv.Scatter(table, "time_ms", ["address", "polarity"]).opts(
        color="polarity",
        cmap={"ON": PALETTE[5], "OFF": PALETTE[0], "event": PALETTE[0]},  # as the frames: ON red, OFF blue
        size=2,
        alpha=0.6,
        xlabel="time (ms)",
        ylabel="address (y·width + x)" if height > 1 else "unit",
        title=f"One sample (class {label}): {len(table):,} events",
        legend_position="bottom",
        **SIZE,
    )
    frames = events.bin(steps)[0].astype(np.float32).reshape(steps, channels, height, width)
    duration_ms = float(events.durations_us[0]) / 1e3
    if height == 1:  # audio: a frame is a row of units
        image = hv.Image(frames[:, 0, 0, :].T, bounds=(0, 0, duration_ms, width), kdims=["time_ms", "unit"])
        image = image.opts(cmap="Blues", colorbar=True, title=f"The {steps} frames the network reads (events per unit)", **SIZE)
        return pn.Column(pn.pane.HoloViews(raster + image, sizing_mode="stretch_width"), sizing_mode="stretch_width")
    signed = frames[:, 0] - (frames[:, 1] if channels == 2 else 0)
    limit = max(1.0, float(np.abs(signed).max()))
    gap = np.full((height, 2), np.nan, dtype=np.float32)  # the frames side by side, two blank columns apart
    strip = np.concatenate([part for frame in signed for part in (frame, gap)][:-1], axis=1)
    frames_image = hv.Image(strip[::-1], bounds=(0, 0, strip.shape[1], height), kdims=["x", "y"], vdims=["ON − OFF"]).opts(
        cmap="RdBu_r",
        clim=(-limit, limit),
        colorbar=True,
        xaxis=None,
        yaxis=None,
        height=40 + int(160 * height / max(height, width)),
        responsive=True,
        data_aspect=1,
        tools=["hover"],
        title=f"The {steps} frames the network reads, {duration_ms / steps:.0f} ms each, left to right (ON − OFF events per pixel)",
    )
    return pn.Column(
        pn.pane.HoloViews(raster, sizing_mode="stretch_width"),
        pn.pane.HoloViews(frames_image, sizing_mode="stretch_width"),
        sizing_mode="stretch_width",
    )


REPORT_PLOTS = (
    breakdown,
    partial(breakdown, value="time_s"),
    layer_activity,
    layer_rates,
    snn_vs_ann,
    footprint,
)
"""Plots of the current Report, laid out two per row (the dashboard's, and the exported HTML's)."""
