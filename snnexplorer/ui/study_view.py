"""The study page: run a shipped or uploaded study (progress, cancel, rows streaming in) or load a sweep CSV, and
read its rows in linked views — brushing a region of one scatter selects the same points in all, and the table lists
the selection; a click on a point (or a table row) loads its design into the explorer."""

from __future__ import annotations

import asyncio
import html
import json

import holoviews as hv
import numpy as np
import pandas as pd
import panel as pn
from bokeh.events import Tap

from ..format import METRIC_TEXT, engineering, metric_texts
from .plots import LOG_SPAN, PALETTE, nearest
from .study_model import StudyModel
from .weak import weak_method

WIDE = dict(sizing_mode="stretch_width")
METRIC_LABELS = [label for label, _ in METRIC_TEXT.values()]
MAX_AXIS_VIEWS = 3
"""Most study axes drawn as their own per-axis view."""


def study_frame(results: pd.DataFrame, axes: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows as the linked views plot them: energy and latency in one engineering unit each, accuracy in %, each
    axis's values as a position (``pos:PATH``) and a label; and the axis labels with their units."""
    energy = pd.to_numeric(results["energy_j"], errors="coerce").to_numpy(dtype=float)
    latency = pd.to_numeric(results["latency_s"], errors="coerce").to_numpy(dtype=float)
    e_factor, e_unit = engineering(float(np.nanmedian(energy)) if np.isfinite(energy).any() else 1.0, "J")
    t_factor, t_unit = engineering(float(np.nanmedian(latency)) if np.isfinite(latency).any() else 1.0, "s")
    accuracy = pd.to_numeric(results["accuracy"], errors="coerce")
    frame = pd.DataFrame(
        {
            "row": np.arange(len(results)),
            "energy": energy / e_factor,
            "latency": latency / t_factor,
            "accuracy": (100 * accuracy).to_numpy(dtype=float),
            **{label: texts.to_numpy() for label, texts in metric_texts(results).items()},
            "feasible": results["feasible"].astype(str).to_numpy(),
            "mapping": results["mapping"].astype(str).to_numpy() if "mapping" in results else "",
        }
    )
    for axis in axes:
        values = results[axis].astype(str)
        order = {value: index for index, value in enumerate(dict.fromkeys(values))}
        frame[f"pos:{axis}"] = values.map(order).to_numpy(dtype=float)
        frame[axis.removeprefix("axis:")] = [_short(v) for v in values]
    labels = {"energy": f"Energy / inference ({e_unit})", "latency": f"Latency / batch ({t_unit})", "accuracy": "Accuracy (%)"}
    return frame, labels


def mapping_legend(colours: dict[str, str]) -> str:
    """The study views' colour key: each mapping the points were priced at, with its colour (HTML)."""
    items = "".join(
        f'<span style="white-space: nowrap; margin-right: 1.2em"><span style="color: {colour}">●</span> '
        f"{html.escape(name)}</span> "
        for name, colour in colours.items()
    )
    return f"<div><b>Colour: the mapping each point was priced at</b><br>{items}</div>"


def _short(text: str) -> str:
    """An axis value as a person reads it (JSON decoded, at most 40 characters)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = text
    shown = value if isinstance(value, str) else json.dumps(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


class StudyPage(pn.viewable.Viewer):
    """Controls of a :class:`StudyModel` and its linked views."""

    def __init__(self, explorer, **params):
        super().__init__(**params)
        self.model = m = StudyModel(explorer)
        self._run = pn.widgets.Button(label="Run study", color="primary", width=140)
        self._run.on_click(lambda event: asyncio.ensure_future(m.run()))
        self._cancel = pn.widgets.Button(label="Cancel", color="warning", width=100, visible=False)
        self._cancel.on_click(lambda event: m.cancel())
        self._progress = pn.indicators.Progress(value=0, max=100, visible=False, **WIDE)
        self._upload = pn.widgets.FileInput(accept=".yaml,.yml", **WIDE)
        self._upload.param.watch(
            lambda event: m.load_study_upload(event.new, self._upload.filename or "study.yaml") if event.new else None, "value"
        )
        self._csv = pn.widgets.FileInput(accept=".csv", **WIDE)
        self._csv.param.watch(
            lambda event: m.load_csv(event.new.decode("utf-8", errors="replace")) if event.new else None, "value"
        )
        m.param.watch(self._sync_running, ["running", "progress"])
        self._links = hv.link_selections.instance(unselected_alpha=0.15)
        self._views = pn.Column(**WIDE)
        self._table = pn.widgets.Tabulator(
            pd.DataFrame(), disabled=True, show_index=False, height=260, pagination="local", page_size=8, **WIDE
        )
        self._table.on_click(self._table_click)
        self._links.param.watch(self._show_selection, "selection_expr")
        m.param.watch(self._draw, ["results"])
        self._frame = pd.DataFrame()
        self._log_energy = False
        self._listening: set[str] = set()
        self._draw()

    def _sync_running(self, *events) -> None:
        m = self.model
        self._run.disabled = m.running
        self._cancel.visible = self._progress.visible = m.running
        self._progress.value = int(100 * m.progress)

    def _draw(self, *events) -> None:
        """The linked views of the rows so far: accuracy and latency against energy, one strip per axis."""
        m = self.model
        if m.results is None or m.results.empty:
            self._frame = pd.DataFrame()
            self._views[:] = [pn.pane.Markdown("*Run a study, or load a sweep CSV, to see its points here.*")]
            self._table.value = pd.DataFrame()
            return
        self._frame, labels = study_frame(m.results, m.axes)
        data = hv.Dataset(self._frame)
        energy = hv.Dimension("energy", label=labels["energy"])
        spread = self._frame["energy"][self._frame["energy"] > 0]
        log = self._log_energy = bool(len(spread) > 1 and spread.max() / spread.min() > LOG_SPAN)
        style = dict(size=8, color=PALETTE[0], tools=["hover", "tap", "box_select", "lasso_select"], height=300, responsive=True)
        hover = ["row", *(a.removeprefix("axis:") for a in m.axes), *METRIC_LABELS, "mapping"]
        mappings = list(dict.fromkeys(self._frame["mapping"]))
        legend = []
        if len(mappings) > 1:  # points priced at different mappings (a search, or a mapping axis): one colour each
            colours = {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(mappings)}
            style.update(color=hv.dim("mapping").categorize(colours))
            legend = [pn.pane.HTML(mapping_legend(colours), **WIDE)]
        views = []
        if self._frame["accuracy"].notna().any():
            views.append(
                hv.Scatter(data, energy, [hv.Dimension("accuracy", label=labels["accuracy"]), *hover]).opts(
                    title="Accuracy vs energy (drag to select, click to load)", logx=log, **style
                )
            )
        views.append(
            hv.Scatter(data, energy, [hv.Dimension("latency", label=labels["latency"]), *hover]).opts(
                title="Latency vs energy (drag to select, click to load)", logx=log, **style
            )
        )
        for axis in m.axes[:MAX_AXIS_VIEWS]:
            name = axis.removeprefix("axis:")
            ticks = list(dict.fromkeys(zip(self._frame[f"pos:{axis}"], self._frame[name])))
            views.append(
                hv.Scatter(data, hv.Dimension(f"pos:{axis}", label=name), [energy, *hover]).opts(
                    title=f"Energy per value of {name}",
                    xticks=ticks,
                    xrotation=30 if max((len(t[1]) for t in ticks), default=0) > 8 else 0,
                    jitter=0.2,
                    logy=log,
                    **style,
                )
            )
        views = [view.opts(hooks=[self._click_hook(view.kdims[0].name, view.vdims[0].name)]) for view in views]
        linked = self._links(hv.Layout(views).cols(2)).opts(shared_axes=False)
        self._views[:] = [*legend, pn.pane.HoloViews(linked, **WIDE)]
        self._show_selection()

    def _click_hook(self, x_name: str, y_name: str):
        """A plot hook that loads the point nearest a click on the figure (link_selections draws the views anew, so a
        Tap stream on them would not reach the figure; a Bokeh event handler on the figure does)."""

        tap, listening = weak_method(self._tap), self._listening  # not self: HoloViews keeps hooks process-wide

        def hook(plot, element) -> None:
            figure = plot.state
            if figure.id not in listening:  # hooks run again at each redraw of the same figure
                listening.add(figure.id)
                figure.on_event(Tap, lambda event: tap(x_name, y_name, event.x, event.y))

        return hook

    def _tap(self, x_name: str, y_name: str, x: float | None, y: float | None) -> None:
        """Load the design of the point nearest a click (in the plot's own units)."""
        if x is None or y is None or self._frame.empty:
            return
        log_x, log_y = (name == "energy" and self._log_energy for name in (x_name, y_name))
        index = nearest(self._frame[x_name], self._frame[y_name], x, y, log_x, log_y)
        if index is not None:
            self.model.load_row(index)

    def _table_click(self, event) -> None:
        if event.row is not None and not self._table.value.empty:
            self.model.load_row(int(self._table.value["row"].iloc[event.row]))

    def _show_selection(self, *events) -> None:
        """The table lists the brushed points (all of them while nothing is brushed)."""
        if self._frame.empty:
            return
        expression = self._links.selection_expr
        rows = self._frame
        if expression is not None:
            rows = rows[np.asarray(expression.apply(hv.Dataset(self._frame)), dtype=bool)]
        columns = ["row", *(a.removeprefix("axis:") for a in self.model.axes), *METRIC_LABELS, "feasible"]
        self._table.value = rows[columns].reset_index(drop=True)

    def __panel__(self):
        m = self.model
        controls = pn.Column(
            pn.Row(pn.widgets.Select.from_param(m.param.study, label="Shipped study", width=260), self._run, self._cancel),
            pn.widgets.Checkbox.from_param(m.param.cost_only),
            pn.pane.Markdown(m.param.summary, **WIDE),
            self._progress,
            pn.pane.Markdown(m.param.message, **WIDE),
            pn.Row(
                pn.Column(pn.pane.Markdown("**Upload a study YAML**", margin=(0, 5)), self._upload, **WIDE),
                pn.Column(pn.pane.Markdown("**Load a sweep CSV**", margin=(0, 5)), self._csv, **WIDE),
                **WIDE,
            ),
            **WIDE,
        )
        return pn.Column(
            controls,
            self._views,
            pn.pane.Markdown("**Selected points** (click a row to load its design)", margin=(0, 5)),
            self._table,
            **WIDE,
        )
