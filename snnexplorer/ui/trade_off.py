"""A trade-off scatter of the session's designs (:func:`plots.trade_off`), kept live at the cost of its new data.

HoloViews redraws a figure in place in about 0.2 s of server time (elements, ranges, axes, glyphs), twice per edit
for the two scatters. An edit changes the glyphs' rows (the current-design star moves, a design joins) and perhaps
the ranges, which :func:`plots.trade_off` computes itself, and perhaps the x axis's unit and the roles the legend shows;
these are written into the figures' data sources, ranges, axis and legend items directly (milliseconds). The figure
is rebuilt when its layout does (a loaded sweep). A notebook's figures get the same writes, pushed
on the comms Panel renders them through, in order with Panel's own messages (:mod:`.notebook_push`).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from functools import partial

import holoviews as hv
import panel as pn
from holoviews.core.spaces import Callable as HoloViewsCallable
from panel.io.document import hold, unlocked
from panel.io.state import set_curdoc

from . import plots
from .model import ExplorerModel
from .notebook_push import ordered_push
from .weak import weak_method

Revision = hv.streams.Stream.define("Revision", number=0)
"""A stream whose event makes HoloViews redraw a figure from the view's latest TradeOff."""


def served() -> bool:
    """Whether this runs in a served page's session (else a notebook, or no page at all)."""
    return pn.state.curdoc is not None and pn.state.curdoc.session_context is not None


def _comms(document) -> set:
    """The notebook comms ``document`` is rendered through (none when served): Panel sends its own changes on them,
    direct writes to the figures' models are pushed there too."""
    return {comm for _, _, doc, comm in list(pn.state._views.values()) if doc is document and comm is not None}


def _same(old: dict, new: dict) -> bool:
    """Whether two data-source contents are equal, column by column."""
    return all(len(old[key]) == len(values) and all(a == b for a, b in zip(old[key], values)) for key, values in new.items())


class TradeOffScatters(pn.viewable.Viewer):
    """The session's trade-off scatters side by side, one per axis of :data:`plots.TRADE_OFF_AXES`, updated
    together (one message to the page); ``on_tap(axis, x=..., y=...)`` gets a click in the plot's units."""

    def __init__(self, model: ExplorerModel, on_tap: Callable, **params):
        super().__init__(**params)
        self.scatters = [TradeOffScatter(model, x, partial(on_tap, x)) for x in plots.TRADE_OFF_AXES]
        self._row = pn.Row(*(scatter.pane for scatter in self.scatters), sizing_mode="stretch_width")
        model.session.param.watch(self._show, ["history", "sweep"])

    def _show(self, *events) -> None:
        with hold() if served() else contextlib.nullcontext():  # a notebook's figures are pushed on their comm
            for scatter in self.scatters:
                scatter.show()

    def __panel__(self) -> pn.Row:
        return self._row


class TradeOffScatter:
    """Accuracy against ``x`` (a key of :data:`plots.TRADE_OFF_AXES`) for ``model``'s session designs and loaded
    sweep in :attr:`pane`, redrawn by :meth:`show`; ``on_tap(x=..., y=...)`` gets a click in the plot's units."""

    def __init__(self, model: ExplorerModel, x: str, on_tap: Callable):
        self._model, self._x, self._on_tap = model, x, on_tap
        self._sources: dict[str, weakref.WeakSet] = {}  # role → data sources of its glyph in rendered figures
        self._figures = weakref.WeakSet()  # the rendered figures
        self._revision = Revision()
        self._shown: plots.TradeOff | None = None
        self.pane = pn.pane.HoloViews(linked_axes=False, sizing_mode="stretch_width")
        self.show()

    @property
    def overlay(self) -> hv.Overlay:
        """The scatter as it is shown now."""
        return self._overlay()

    def _overlay(self, **revision) -> hv.Overlay:
        overlay = self._shown.overlay()
        return overlay.map(lambda element: element.opts(hooks=[weak_method(self._keep_source)]), hv.Scatter)

    def _keep_source(self, plot, element) -> None:
        """HoloViews hook: remember the data source of each glyph it draws."""
        self._sources.setdefault(element.label, weakref.WeakSet()).add(plot.handles["source"])
        self._figures.add(plot.state)

    def show(self) -> None:
        """Show the model's session and sweep now: as new glyph data, a HoloViews redraw, or a new figure."""
        previous, self._shown = self._shown, plots.trade_off(self._model.session.history, self._x, self._model.session.sweep)
        if previous is None or previous.layout() != self._shown.layout():
            plot = hv.DynamicMap(HoloViewsCallable(self._overlay, memoize=False), streams=[self._revision])
            hv.streams.Tap(source=plot).add_subscriber(self._on_tap)
            self.pane.object = plot  # a new figure
        elif not self._write_data():
            self._revision.event(number=self._revision.number + 1)

    def _write_data(self) -> bool:
        """Write each glyph's new rows into its data sources, and the axes' new ranges, x label and legend items, in
        the figures on the page (one message per page); False (nothing written) if a source's columns differ from
        the new data's."""
        writes: dict = {}
        for role in self._shown.layers:
            data = self._shown.glyph_data(role)
            for source in list(self._sources.get(role, ())):
                if source.document is None:
                    continue  # a figure no longer on the page (a hidden tab)
                if set(source.data) != set(data):
                    return False
                if not _same(source.data, data):
                    writes.setdefault(source.document, []).append((source, data))
        figures = [figure for figure in list(self._figures) if figure.document is not None]
        for figure in figures:
            writes.setdefault(figure.document, [])
        shown = self._shown
        for document, sources in writes.items():
            with set_curdoc(document), unlocked():  # sent to a served page now, as HoloViews sends its redraws
                for source, data in sources:
                    source.data = data
                for figure in [figure for figure in figures if figure.document is document]:
                    for axis, (start, end) in ((figure.x_range, shown.x_range), (figure.y_range, shown.y_range)):
                        if (axis.start, axis.end) != (start, end):
                            axis.update(start=start, end=end)
                    for axis in figure.xaxis:
                        if axis.axis_label != shown.x_label:
                            axis.axis_label = shown.x_label
                    shown.show_legend_items(figure)
            for comm in _comms(document):
                ordered_push(document, comm)  # a notebook's figures
        return True
