"""The knob table: one step of each knob priced against the current design (:mod:`snnexplorer.explore.knobs`),
after each evaluation, in the background where an event loop runs (a served page, a notebook kernel). param only,
no Panel."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numba
import pandas as pd
import param

from ..activity_source import ActivitySource
from ..design import Design
from ..explore.knobs import knob_effects
from ..hardware import Report
from .draft import DraftEditor
from .outputs import Outputs
from .runner import LatestWins

KNOB_DELAY_S = 1.0
"""Seconds a page (served, or in a notebook) waits after an evaluation before pricing every knob's step (a newer edit
cancels it)."""


def _priced_on_one_core(design: Design, source: ActivitySource, report: Report, stop) -> pd.DataFrame:
    """:func:`knob_effects` with this worker thread's numba kernels on one core, leaving the other to the edits."""
    previous = numba.get_num_threads()
    numba.set_num_threads(1)  # per thread, and restored: the pool thread may evaluate an edit next
    try:
        return knob_effects(design, source, report, stop)
    finally:
        numba.set_num_threads(previous)


class KnobTable(Outputs):
    """``effects`` of the design whose cost hash is ``point``; priced now (:meth:`compute`) or in the background
    (:meth:`price_later`), where the evaluations' runner says which edit is the latest."""

    effects = param.DataFrame(
        default=None,
        allow_None=True,
        constant=True,
        doc="One step of each knob and its effect on the current design (snnexplorer.explore.knobs), largest first.",
    )
    point = param.String(default="", constant=True, doc="The design (its cost hash) ``effects`` belong to.")

    def __init__(self, runner: LatestWins, closed: Callable[[], bool], **params):
        super().__init__(**params)
        self._runner, self._closed = runner, closed

    def clear(self) -> None:
        self._set(effects=None)

    def compute(self, design: Design, source: ActivitySource, report: Report) -> pd.DataFrame:
        """The table of ``design`` now."""
        self._set(effects=knob_effects(design, source, report), point=design.hash_for("cost"))
        return self.effects

    async def price_later(self, ticket: int, design: Design, source: ActivitySource, report: Report) -> None:
        """Price the knobs of the evaluated ``design`` in a worker thread behind every session's edits (started once
        none has run for a while, paused while one runs), unless a newer edit comes first."""
        await asyncio.sleep(KNOB_DELAY_S)  # an edit right after this one makes this work moot: let it come first
        if not self._runner.current(ticket) or self._closed():
            return
        stop = self._runner.stale(ticket, self._closed)
        current, table = await self._runner.run_behind(ticket, stop, _priced_on_one_core, design, source, report)
        if current and table is not None:
            self._set(effects=table, point=design.hash_for("cost"))

    def apply(self, row: int, design: Design | None, editor: DraftEditor) -> bool:
        """Apply row ``row``'s changes to ``editor``'s draft as one edit; False when the table belongs to an earlier
        design than ``design`` or has no such row."""
        if self.effects is None or not 0 <= row < len(self.effects):
            return False
        if design is None or self.point != design.hash_for("cost"):
            return False
        changes = self.effects["changes"].iloc[row]
        self.clear()
        with editor.one_edit():
            for key, values in changes.items():
                if key == "timesteps":
                    editor.draft.timesteps.steps = values
                else:
                    getattr(editor.draft, key).param.update(**values)
        return True
