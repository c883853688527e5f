"""HoloViews plots of a Report and of the session history: plain functions of their inputs.

Every axis and hover reads in engineering units (µJ, µs, KiB, thousands of operations); each data kind keeps one
colour on every plot and every design (:data:`KIND_COLOURS`); layers are named as the controls name them
("layer 1 · L2"). Each function returns the same kind of element for any input, so that the dashboard can redraw
it in place (a ``DynamicMap``) when its input changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import holoviews as hv
import holoviews.plotting.bokeh
import numpy as np
import pandas as pd
import panel as pn
from bokeh.models import CustomJSTickFormatter, LogTicker
from holoviews.core.util import dimension_sanitizer

from ..format import METRIC_TEXT, binary_bytes, engineering, magnitude, metric_texts, si
from ..hardware.workload import SYNAPTIC_OP_KINDS
from .session import HISTORY_COLUMNS

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]  # Okabe-Ito
KIND_COLOURS = {
    "weights": PALETTE[0],
    "recurrent_weights": "#44AA99",
    "state": PALETTE[1],
    "inputs": PALETTE[2],
    "spikes": PALETTE[3],
    "outputs": PALETTE[4],
    "partial_sums": "#882255",
    "accumulate": PALETTE[5],
    "recurrent_accumulate": "#999933",
    "mac": "#332288",
    "neuron_update": PALETTE[6],
    "neuron_access": "#88CCEE",
    "spike_out": "#117733",
    "leakage": "#999999",
}
"""One colour per data kind of the breakdown (memory traffic, then operations), the same on every design."""
COMPACT_LEGEND = {"spacing": 0, "padding": 4, "label_height": 14, "glyph_height": 12, "label_text_font_size": "8pt"}
"""A legend whose entries fit beside a breakdown plot's frame."""
SIZE = dict(height=320, responsive=True, tools=["hover"], fontscale=1.0, framewise=True)
BYTES_TICKS_JS = """
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = tick, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return `${Number(value.toPrecision(3))} ${units[unit]}`;
"""
"""Axis ticks in bytes read as B, KiB, MiB, GiB (a formatter per plot: a Bokeh model belongs to one document)."""


def layer_name(network: str, layer: int) -> str:
    """A weight layer as the controls name it: ``layer 1`` (counted from 1), ``expert2 layer 1`` in an ensemble."""
    prefix = "" if network in ("main", "all") else f"{network} "
    return f"{prefix}layer {int(layer) + 1}"


def _scaled(values: pd.Series, unit: str) -> tuple[np.ndarray, str]:
    """``values`` in the engineering unit of their largest (e.g. J → µJ), and that unit."""
    array = values.to_numpy(dtype=float)
    factor, scaled_unit = engineering(float(np.abs(array).max(initial=0.0)) or 1.0, unit)
    return array / factor, scaled_unit


def _placeholder(frame: pd.DataFrame, **row) -> pd.DataFrame:
    """``frame``, or one empty-valued row (``row`` fills the columns a colour or stack needs) while there is no valid
    design: Bokeh's grouped and stacked bars need a factor to draw."""
    if len(frame):
        return frame
    return pd.DataFrame([{**dict.fromkeys(frame.columns, ""), frame.columns[0]: "no valid design", **row}])


BREAKDOWN_LABELS = {"energy_j": ("Energy per inference", "J", "Energy"), "time_s": ("Time per inference", "s", "Time")}


def _in_layer_order(rows: pd.DataFrame) -> pd.DataFrame:
    """Breakdown rows network by network (as they come), layer by layer, each layer's levels as they come: a layer
    whose first kind is absent (no feed-forward accumulates) still comes before the next."""
    network = {name: index for index, name in enumerate(dict.fromkeys(rows["network"]))}
    order = np.lexsort((rows["layer"].to_numpy(), rows["network"].map(network).to_numpy()))
    return rows.iloc[order]


def breakdown(report, value: str = "energy_j"):
    """Stacked bars of ``value`` ('energy_j' or 'time_s') by layer · memory level, stacked by data kind."""
    label, unit, title = BREAKDOWN_LABELS[value]
    columns = ["where", "kind", "amount", "text"]
    grouped = _placeholder(pd.DataFrame(columns=columns), kind="weights", amount=0.0)
    scaled_unit = unit
    if report is not None:
        table = _in_layer_order(report.breakdown[(report.breakdown.layer >= 0) & (report.breakdown[value] > 0)])
        where = [f"{layer_name(n, i)} · {level}" for n, i, level in zip(table["network"], table["layer"], table["level"])]
        grouped = table.assign(where=where).groupby(["where", "kind"], sort=False)[value].sum().reset_index()
        totals = grouped.groupby("where", sort=False)[value].sum()
        factor, scaled_unit = engineering(float(totals.to_numpy().max(initial=0.0)) or 1.0, unit)
        grouped = grouped.assign(amount=grouped[value] / factor, text=[si(v, unit) for v in grouped[value]])[columns]
    kinds = [k for k in KIND_COLOURS if k in set(grouped["kind"])]
    return hv.Bars(grouped, ["where", "kind"], [hv.Dimension("amount", label=f"{label} ({scaled_unit})"), "text"]).opts(
        stacked=True,
        color="kind",
        cmap={k: KIND_COLOURS[k] for k in kinds} or KIND_COLOURS,
        xrotation=45,
        xlabel="layer · memory level",
        title=f"{title} by layer, memory level and data kind",
        legend_position="right",
        legend_opts=COMPACT_LEGEND,  # up to ten kinds beside the bars, none over the title
        hover_tooltips=[("where", "@where"), ("data kind", "@kind"), (label.lower(), "@text")],
        **SIZE,
    )


def layer_rates(report):
    """Per layer: spike rate in and out, with the layer's timesteps in the label."""
    rows = []
    for layer in [] if report is None else report.layers:
        name = f"{layer_name(layer.network, layer.layer)} (T={layer.timesteps})"
        rows.append({"layer": name, "direction": "input", "rate": layer.input_rate})
        if layer.output_rate > 0:
            rows.append({"layer": name, "direction": "output", "rate": layer.output_rate})
    frame = _placeholder(pd.DataFrame(rows, columns=["layer", "direction", "rate"]), direction="input", rate=0.0)
    return hv.Bars(frame, ["layer", "direction"], hv.Dimension("rate", label="Spikes per neuron per step")).opts(
        color="direction",
        cmap={"input": PALETTE[0], "output": PALETTE[1]},
        show_legend=False,  # the axis names each bar's direction
        xrotation=45,
        xlabel="layer, direction",
        title="Spike rates and timesteps per layer",
        hover_tooltips=[("layer", "@layer"), ("direction", "@direction"), ("rate", "@rate{0.000}")],
        **SIZE,
    )


def layer_activity(report):
    """Synaptic operations per inference of each layer, in thousands or millions."""
    frame = pd.DataFrame(columns=["layer", "ops", "text"])
    word = ""
    if report is not None:
        table = _in_layer_order(
            report.breakdown[(report.breakdown.level == "compute") & report.breakdown.kind.isin(SYNAPTIC_OP_KINDS)]
        )
        layer = [layer_name(n, i) for n, i in zip(table["network"], table["layer"])]
        grouped = table.assign(layer=layer).groupby("layer", sort=False)["accesses"].sum()
        factor, word = magnitude(float(grouped.to_numpy().max(initial=0.0)))
        frame = pd.DataFrame(
            {"layer": grouped.index, "ops": grouped.to_numpy() / factor, "text": [f"{v:,.0f}" for v in grouped.to_numpy()]}
        )
    unit = f" ({word})" if word else ""
    return hv.Bars(frame, "layer", [hv.Dimension("ops", label=f"Synaptic ops per inference{unit}"), "text"]).opts(
        color=PALETTE[2],
        title="Synaptic operations per layer",
        hover_tooltips=[("layer", "@layer"), ("synaptic ops", "@text")],
        **SIZE,
    )


def snn_vs_ann(report):
    """Energy per inference of the SNN, its ANN and QNN twins and the memory-free SOP proxy."""
    rows = []
    if report is not None:
        rows = [
            ("SNN", report.energy_j),
            ("ANN (dense)", report.ann.energy_j),
            ("ANN (zero-skipping)", report.ann.zero_skipping_energy_j),
            (f"QNN ({report.ann.qnn_activation_bits}-bit act.)", report.ann.qnn_energy_j),
            ("SOP proxy (SNN)", report.sop_proxy.energy_j),
        ]
    frame = pd.DataFrame(rows, columns=["model", "energy_j"])
    amount, unit = _scaled(frame["energy_j"], "J")
    frame = frame.assign(amount=amount, text=[si(v, "J") for v in frame["energy_j"]])
    return hv.Bars(frame, "model", [hv.Dimension("amount", label=f"Energy per inference ({unit})"), "text"]).opts(
        color="model",
        cmap=dict(zip(frame["model"], PALETTE)),
        title="SNN vs its ANN and QNN twins",
        xrotation=20,
        show_legend=False,
        hover_tooltips=[("model", "@model"), ("energy", "@text")],
        **SIZE,
    )


def footprint(report):
    """Each memory level's footprint against its capacity, on a log axis in B / KiB / MiB / GiB."""
    frame = pd.DataFrame(columns=["level", "what", "bytes", "text"])
    if report is not None:
        levels = report.levels
        frame = pd.concat(
            [
                pd.DataFrame({"level": levels["level"], "what": "capacity", "bytes": levels["capacity_bytes"]}),
                pd.DataFrame({"level": levels["level"], "what": "footprint", "bytes": levels["footprint_bytes"]}),
            ]
        )
        frame = frame[np.isfinite(frame["bytes"].to_numpy(dtype=float))]
        frame = frame.assign(bytes=np.maximum(frame["bytes"].to_numpy(dtype=float), 1.0))
        frame["text"] = [binary_bytes(v) for v in frame["bytes"]]
    frame = _placeholder(frame, what="capacity", bytes=1.0)
    return hv.Bars(frame, ["level", "what"], [hv.Dimension("bytes", label="Bytes (log)"), "text"]).opts(
        logy=True,
        ylim=(512, None),
        color="what",
        cmap={"capacity": PALETTE[0], "footprint": PALETTE[1]},
        yformatter=CustomJSTickFormatter(code=BYTES_TICKS_JS),
        yticks=LogTicker(base=1024, mantissas=[1]),
        title="Footprint against each level's capacity",
        hover_tooltips=[("level", "@level"), ("", "@what"), ("size", "@text")],
        **SIZE,
    )


MEASURED, SYNTHETIC, CURRENT, SWEEP = "measured accuracy", "synthetic (no accuracy)", "current", "loaded sweep"
"""What a point of a trade-off scatter is: a session design (by role) or a point of a loaded sweep."""
ROLE_STYLES = {
    SWEEP: dict(color="#999999", size=6),
    MEASURED: dict(color=PALETTE[0], size=9, line_width=2),
    SYNTHETIC: dict(color=PALETTE[0], size=9, line_width=2, fill_alpha=0.0),
    CURRENT: dict(color=PALETTE[5], size=18, line_width=2, marker="star"),
}
"""One glyph per role, drawn in this order (the current design on top), each of one constant style: an edit then
only changes the glyphs' data, which the dashboard writes into the figure in place."""
TRADE_OFF_AXES = {"energy_j": ("Energy / inference", "J"), "latency_s": ("Latency / batch", "s")}
NO_ACCURACY = -5.0
"""Where designs without an accuracy (synthetic activity) sit on the accuracy axis (%), drawn hollow."""
LOG_SPAN = 20.0
"""An axis whose values span more than this factor is drawn logarithmic."""


def trade_off_frame(history: pd.DataFrame, x: str) -> tuple[pd.DataFrame, float, str]:
    """The session's designs as the trade-off scatter plots them: ``x_value`` in engineering units (factor, unit),
    ``accuracy_pct`` (or :data:`NO_ACCURACY`), ``measured``, and readable hover columns."""
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
            **{label: texts.to_numpy() for label, texts in metric_texts(data).items()},
        }
    )
    return frame, factor, unit


HOVER = ["name", "hardware", "hidden", "timesteps", "bits", *(label for label, _ in METRIC_TEXT.values())]
"""The hover columns of a session design on the trade-off scatters."""


@dataclass
class TradeOff:
    """What a trade-off scatter shows: its points per role of :data:`ROLE_STYLES` (one glyph each, present even
    when empty, so that the figure keeps its glyphs) and its two axes. x is logarithmic from the first design on:
    designs on different hardware lie decades apart, and a figure cannot change its scale in place (a span under two
    decades is ticked linearly)."""

    x: str
    layers: dict[str, dict[str, np.ndarray]]
    x_label: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def columns(self, role: str) -> list[str]:
        """The columns of a role's glyph: x, y, the role, and the hover texts (none for a loaded sweep's points)."""
        return ["x_value", "accuracy_pct", "design", *(HOVER if role != SWEEP else [])]

    def glyph_data(self, role: str) -> dict[str, np.ndarray]:
        """A role's columns as its glyph's data source holds them (names as HoloViews writes them)."""
        return {dimension_sanitizer(column): values for column, values in self.layers[role].items()}

    def shown_roles(self) -> tuple[str, ...]:
        """The roles with points, the ones the legend shows (Bokeh draws no legend marker for an empty glyph)."""
        return tuple(role for role, layer in self.layers.items() if len(layer["x_value"]))

    def layout(self) -> tuple:
        """What a figure keeps from its first drawing: its glyphs (by role). (Its data, ranges, x label and which
        legend items show are written into the figure.)"""
        return tuple(self.layers)

    def overlay(self) -> hv.Overlay:
        """The scatter as HoloViews draws it, with the legend outside the data."""
        x_dim = hv.Dimension("x_value", label=self.x_label)
        y_dim = hv.Dimension("accuracy_pct", label="Accuracy (%)")
        name = TRADE_OFF_AXES[self.x][0]
        scatters = [
            hv.Scatter(layer, x_dim, [y_dim, *self.columns(role)[2:]], label=role).opts(
                tools=["hover", "tap"], **ROLE_STYLES[role]
            )
            for role, layer in self.layers.items()
        ]
        return hv.Overlay(scatters).opts(
            title=f"Accuracy vs {name.split(' /')[0].lower()}",  # short enough for a notebook cell's half
            logx=True,
            xlim=self.x_range,
            ylim=self.y_range,
            legend_position="bottom",
            legend_cols=4,
            height=SIZE["height"],
            responsive=True,
            fontscale=SIZE["fontscale"],
            framewise=True,
            hooks=[self.show_legend_items],
        )

    def show_legend_items(self, plot, element=None) -> None:
        """HoloViews hook (also called on a drawn figure, ``plot`` its Bokeh figure): the legend shows the roles
        with points. Every role has its item, so that a design of a new role needs no new figure."""
        figure = getattr(plot, "state", plot)
        shown = self.shown_roles()
        for legend in figure.legend:
            for item in legend.items:
                visible = getattr(item.label, "value", None) in shown
                if item.visible != visible:
                    item.visible = visible


def trade_off(history: pd.DataFrame, x: str = "energy_j", sweep: pd.DataFrame | None = None) -> TradeOff:
    """Accuracy against ``x`` for the session's designs in engineering units: measured ones filled, synthetic ones
    hollow on a band below 0 %, the current (last) one starred, and a loaded sweep's points in grey."""
    frame, factor, unit = trade_off_frame(history, x)
    lowest = float(frame["accuracy_pct"].min()) if len(frame) else NO_ACCURACY
    roles = np.where(frame["measured"].to_numpy(dtype=bool), MEASURED, SYNTHETIC).astype(object)
    roles[-1:] = CURRENT
    columns = {column: frame[column].to_numpy() for column in ("x_value", "accuracy_pct")}
    columns = {**columns, "design": roles, **{column: frame[column].to_numpy() for column in HOVER}}
    layers = {role: {c: values[roles == role] for c, values in columns.items()} for role in (MEASURED, SYNTHETIC, CURRENT)}
    if sweep is not None:
        points = sweep.dropna(subset=[x]) if x in sweep.columns else pd.DataFrame({x: []})
        accuracy = pd.to_numeric(points.get("accuracy", pd.Series(np.nan, points.index)), errors="coerce")
        loaded = {
            "x_value": pd.to_numeric(points[x], errors="coerce").to_numpy(dtype=float) / factor,
            "accuracy_pct": (100 * accuracy).fillna(NO_ACCURACY).to_numpy(dtype=float),
            "design": np.full(len(points), SWEEP, dtype=object),
        }
        layers = {SWEEP: loaded, **layers}
    xs = np.concatenate([layer["x_value"] for layer in layers.values()]).astype(float)
    return TradeOff(
        x=x,
        layers=layers,
        x_label=f"{TRADE_OFF_AXES[x][0]} ({unit})",
        x_range=padded_range(xs, log=True),
        y_range=(lowest - 5.0, 102.0),
    )


def padded_range(values: np.ndarray, log: bool, fraction: float = 0.1) -> tuple[float, float]:
    """(start, end) of an axis showing ``values`` with ``fraction`` of their span (of decades, on a log axis) on
    each side; one distinct value ``v``: 0.5 v to 1.5 v, a readable range around it rather than ±1."""
    values = values[np.isfinite(values) & (values > 0)] if log else values[np.isfinite(values)]
    if not len(values):
        return (0.5, 1.5)
    low, high = float(values.min()), float(values.max())
    if low == high:
        return (low * 0.5, low * 1.5) if low > 0 else (low - 1.0, high + 1.0)
    if log:
        ratio = (high / low) ** fraction
        return (low / ratio, high * ratio)
    pad = (high - low) * fraction
    return (low - pad, high + pad)


def pareto(history: pd.DataFrame, x: str = "energy_j", sweep: pd.DataFrame | None = None) -> hv.Overlay:
    """The trade-off scatter (:func:`trade_off`) as a HoloViews overlay."""
    return trade_off(history, x, sweep).overlay()


def nearest(xs: np.ndarray, ys: np.ndarray, x: float, y: float, log_x: bool = False, log_y: bool = False) -> int | None:
    """The index of the point (xs, ys) nearest a click at (x, y), distances as the plot shows them: each axis scaled
    by its span, a log axis in decades; None when no point has finite coordinates."""

    def shown(values: np.ndarray, value: float, log: bool) -> tuple[np.ndarray, float]:
        values = np.asarray(values, dtype=float)
        if log:
            return np.log10(np.maximum(values, 1e-300)), float(np.log10(max(value, 1e-300)))
        return values, value

    (xs, x), (ys, y) = shown(xs, x, log_x), shown(ys, y, log_y)
    finite = np.isfinite(xs) & np.isfinite(ys)
    if not finite.any():
        return None
    span_x, span_y = (max(float(np.ptp(v[finite])), abs(float(v[finite].max())) * 1e-3, 1e-12) for v in (xs, ys))
    distance = np.where(finite, ((xs - x) / span_x) ** 2 + ((ys - y) / span_y) ** 2, np.inf)
    return int(np.argmin(distance))


def nearest_design(history: pd.DataFrame, x: str, tap_x: float, tap_y: float) -> str | None:
    """The ``point`` of the session's design nearest a click at (tap_x, tap_y) in the scatter's own units."""
    frame, _, _ = trade_off_frame(history, x)
    index = nearest(frame["x_value"], frame["accuracy_pct"], tap_x, tap_y, log_x=True)
    return None if index is None else str(history["point"].iloc[index])


TORNADO_ROWS = 14
"""Most knob steps the tornado chart shows (the largest energy effects)."""


def tornado(effects: pd.DataFrame | None):
    """One horizontal bar per knob step: its change of energy per inference (%), largest first; the hover gives its
    change of latency, footprint and accuracy. Steps that would need training are marked. ``None``: still pricing."""
    columns = ["label", "energy_pct", "latency", "footprint", "accuracy", "effect"]
    if effects is None or effects.empty:
        waiting = "pricing one step of each knob…" if effects is None else "no knob to step"
        frame = pd.DataFrame([[waiting, 0.0, "", "", "", "saves energy"]], columns=columns)
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
    energy = hv.Dimension("energy_pct", label="Change of energy per inference (%)")
    return hv.Bars(frame.iloc[::-1], label, [energy, "latency", "footprint", "accuracy", "effect"]).opts(
        invert_axes=True,
        color="effect",
        cmap={"saves energy": PALETTE[2], "costs energy": PALETTE[5]},
        show_legend=False,
        title="One step of each knob (click a bar to apply it)",
        tools=["hover", "tap"],
        hover_tooltips=[
            ("step", "@label"),
            ("energy", "@energy_pct{+0.0} %"),
            ("latency", "@latency"),
            ("footprint", "@footprint"),
            ("accuracy", "@accuracy"),
        ],
        height=26 * TORNADO_ROWS + 80,
        responsive=True,
        fontscale=SIZE["fontscale"],
        framewise=True,
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
        colorbar_position="bottom",  # at the right it reached past the page's edge
        xaxis=None,
        yaxis=None,
        # as wide as the card, its toolbar beside it (square pixels, data_aspect, set the width from this height and
        # reached past the card): near square at a card ~900 px wide
        height=80 + int(120 * height / max(height, width)),
        responsive=True,
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
