"""The dashboard's model: a draft Design, its Report, and the session around it. param only, no Panel.

:class:`ExplorerModel` wires the jobs, each its own object:

* ``editor`` (:class:`~.draft.DraftEditor`) — the draft, the rules an edit triggers, validation;
* ``levels`` (:class:`~.levels.LevelEditor`) — a memory level's capacity and read energy, as hardware overrides;
* ``session`` (:class:`~.session.Session`) — the history, the pins and their comparison, a loaded sweep;
* ``knobs`` (:class:`~.knob_table.KnobTable`) — one step of each knob priced against the current design;
* ``trainer`` (:class:`~.training.TrainingJob`) — training in the background, with progress;
* ``uploads`` (:class:`~.uploads.UploadReader`) — uploaded design YAML and NIR files;
* ``runner`` (:class:`~.runner.LatestWins`) — which evaluation is the latest edit's.

Each edit is validated into ``design`` (None while invalid, the problems in ``message``) and evaluated into ``report``
with the activity :meth:`ExplorerModel.activity_source` decides. Loading a design replaces the draft.
"""

from __future__ import annotations

import asyncio
import threading
import time
from functools import partial

import param

from ..activity_source import ActivitySource
from ..design import Design, load_design
from ..errors import DesignError
from ..hardware import Architecture, Report
from ..interop import ImportedNetwork
from ..pipeline import SIMULATE, evaluate, keep_simulations
from ..presets import design_preset_paths
from ..resources import return_freed_memory
from .draft import DraftEditor
from .knob_table import KnobTable
from .levels import LevelEditor
from .outputs import Outputs
from .runner import FOREGROUND, NUMBERS_FIRST_S, LatestWins, loop_running
from .session import Session
from .training import TrainingJob
from .uploads import UploadReader, imported_note

CUSTOM = "(custom)"


class _OpenPages:
    """How many served pages' models are open in this process; when the last closes, the process drops its kept
    simulations and rate codes, keeps none until a page opens again (work still running keeps nothing either) and
    returns the freed memory to the system (an idle server shrinks back)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0

    def opened(self) -> None:
        with self._lock:
            self._open += 1
            if self._open == 1:
                keep_simulations(True)

    def closed(self) -> None:
        with self._lock:
            self._open -= 1
            last = self._open == 0
            if last:
                keep_simulations(False)
        if last:
            return_freed_memory()


OPEN_PAGES = _OpenPages()


def _evaluate_or_error(design: Design, source: ActivitySource, imported: ImportedNetwork | None) -> Report | DesignError:
    """``design``'s Report, or an imported network's under ``design``'s data, hardware and mapping; or why not."""
    try:
        return evaluate(design, source) if imported is None else imported.evaluate(design, source)
    except DesignError as exc:
        return exc


class ExplorerModel(Outputs):
    """Draft Design → Design → Report, and the session's designs. See the module docstring."""

    preset = param.Selector(default=CUSTOM, objects=[CUSTOM], doc="A shipped design to start from (presets/designs).")
    activity = param.Selector(
        default="simulate",
        objects=["simulate", "synthetic"],
        doc="simulate: trained weights on the test set; synthetic: a uniform spike rate, no training needed.",
    )
    spike_rate = param.Number(
        default=0.1, bounds=(0.0, 1.0), step=0.01, doc="Spike rate of the synthetic activity, per neuron per step."
    )
    design = param.ClassSelector(
        class_=Design, default=None, allow_None=True, constant=True, doc="The current valid Design (None while invalid)."
    )
    report = param.ClassSelector(class_=Report, default=None, allow_None=True, constant=True, doc="The current Report.")
    message = param.String(default="", constant=True, doc="A readable error or status message.")
    layer_labels = param.List(default=[], constant=True, doc="One label per weight layer of the draft.")
    level_choices = param.List(default=["auto"], constant=True, doc="Placements of weights and state on the draft's hardware.")
    needs_training = param.Boolean(default=False, constant=True)
    update_seconds = param.Number(default=0.0, constant=True, doc="Server time of the last evaluation (s).")
    background = param.Boolean(
        default=False, doc="Evaluate edits in a worker thread (needs the running event loop of a served page)."
    )
    evaluating = param.Boolean(default=False, constant=True, doc="An evaluation of the latest edit is running.")
    closed = param.Boolean(default=False, doc="The page this model served has closed: background work stops.")
    imported = param.ClassSelector(
        class_=ImportedNetwork, default=None, allow_None=True, constant=True, doc="A NIR network costed in the design's place."
    )

    def __init__(self, design: Design | None = None, **params):
        presets = {p.stem: p for p in design_preset_paths()}
        self.param.preset.objects = [CUSTOM, *presets]
        if design is None and "preset" not in params and "mnist-baseline" in presets:
            params["preset"] = "mnist-baseline"
        super().__init__(**params)
        self._presets = presets
        self.runner = LatestWins()
        self.uploads = UploadReader(self.load_custom, self._show_network, lambda text: self._set(message=text))
        self.session, self.levels, self.trainer = Session(), LevelEditor(), TrainingJob()
        self.knobs = KnobTable(self.runner, lambda: self.closed)
        self.editor = DraftEditor(self._on_draft_change)
        self.load(design if design is not None else self._preset_design())
        if self.background:
            OPEN_PAGES.opened()

    def close(self) -> None:
        """The page this model served has closed: its background work stops (and the last page's close frees the
        process's kept simulations)."""
        if self.closed:
            return
        self.closed = True
        if self.background:
            OPEN_PAGES.closed()

    def _preset_design(self) -> Design:
        return load_design(self._presets[self.preset]) if self.preset in self._presets else Design()

    @param.depends("preset", watch=True)
    def _on_preset(self) -> None:
        if self.preset in self._presets:
            self.load(self._preset_design())

    def load(self, design: Design) -> None:
        """Edit a copy of ``design`` from now on (one evaluation)."""
        self.editor.load(design)

    def _on_draft_change(self, new_draft: bool) -> None:
        if new_draft:
            self._set(imported=None)
        self.refresh()

    def _show_network(self, network: ImportedNetwork) -> None:
        """Cost an uploaded NIR network with the draft's data, encoding, timesteps, hardware and mapping."""
        self._set(imported=network)
        self.refresh()

    def load_custom(self, design: Design | None) -> None:
        """Load a design that is no preset: an upload, a design evaluated earlier (a point clicked in a scatter)."""
        if design is not None:
            self.preset = CUSTOM
            self.load(design)

    def pin(self) -> None:
        """Keep the current design in the session's comparison table."""
        if self.design is not None and self.report is not None:
            self.session.pin(self.design, self.report)

    def activity_source(self, design: Design) -> tuple[ActivitySource, bool]:
        """The activity to price ``design`` with, and whether it needs training first: synthetic at ``spike_rate``
        when chosen or while no trained weights are cached for it (nothing trains inside a request), else simulated."""
        from ..train import cached

        synthetic = ActivitySource.synthetic(self.spike_rate, "spike_rate")
        if self.activity == "synthetic":
            return synthetic, False
        needs = self.imported is None and cached(design) is None
        return (synthetic if needs else SIMULATE), needs

    @param.depends("activity", "spike_rate", watch=True)
    def refresh(self) -> None:
        """Validate the draft now and evaluate it (only the stages a change touches re-run).

        With ``background`` (a served dashboard, whose edits arrive on the server's event loop) the evaluation runs
        in a worker thread, so that a slow one (a first simulation, a cold kernel compile) neither freezes this
        page's controls nor holds up other sessions; of evaluations that overlap, the last edit's wins. Otherwise
        (notebooks, scripts, tests) it runs before ``refresh`` returns.
        """
        start, labels, choices = time.perf_counter(), self.editor.layer_labels(), ["auto"]
        try:
            arch = Architecture.from_preset(self.editor.draft.hardware.preset)
            self.levels.show(arch, self.editor.draft.hardware)
            choices += arch.level_names
        except DesignError:
            pass
        ticket = self.runner.ticket()
        try:
            design = self.editor.validated()
        except DesignError as exc:
            self._show(ticket, None, exc, labels, choices, start)
            return
        source, needs = self.activity_source(design)
        if not self.background:
            outcome = _evaluate_or_error(design, source, self.imported)
            self._show(ticket, design, outcome, labels, choices, start, needs)
            return self._price_knobs_later(ticket, design, source, outcome)
        self._set(evaluating=True, layer_labels=labels, level_choices=choices)
        # param's executor (Panel installs its own): the coroutine runs as a document callback of this session
        param.parameterized.async_executor(
            partial(self._evaluate_in_thread, ticket, design, source, labels, choices, start, needs)
        )

    async def _evaluate_in_thread(self, ticket: int, design: Design, source: ActivitySource, *shown) -> None:
        with FOREGROUND.running():  # to the redrawn plots: the server's work behind the edits waits for all of it
            _, outcome = await self.runner.run(ticket, _evaluate_or_error, design, source, self.imported)
            history = self._show(ticket, design, outcome, *shown, later=True)
            if history is None:
                return
            await asyncio.sleep(NUMBERS_FIRST_S)  # the page gets the new numbers before the scatters are redrawn
            if not self.runner.current(ticket):
                return  # a newer edit redraws them
            self.session.publish(history)
            self._set(evaluating=False)  # the spinner goes once the page's plots are redrawn too
        if isinstance(outcome, Report) and self.imported is None:
            await self.knobs.price_later(ticket, design, source, outcome)

    def _price_knobs_later(self, ticket: int, design: Design, source: ActivitySource, outcome) -> None:
        """Price the knobs in the background where an event loop runs (a served page's, a notebook kernel's)."""
        if isinstance(outcome, Report) and self.imported is None and loop_running():
            param.parameterized.async_executor(partial(self.knobs.price_later, ticket, design, source, outcome))

    def compute_knob_effects(self):
        """The knob table of the current design now (a served page fills it in the background after each edit)."""
        if self.design is None or self.report is None or self.imported is not None:
            return None
        return self.knobs.compute(self.design, self.activity_source(self.design)[0], self.report)

    def apply_knob(self, row: int) -> None:
        """Apply row ``row`` of the knob table to the draft (one evaluation); not while the table still shows an
        earlier design's steps (it is kept, not blanked, while the latest edit's are priced)."""
        if not self.knobs.apply(row, self.design, self.editor):
            self._set(message="The chart still shows the steps of an earlier edit; they are being priced for this one.")

    def _show(self, ticket, design, outcome, labels, choices, start, needs=False, later=False):
        """Publish one evaluation's outcome, unless a later edit has started another. ``later``: leave the session's
        history to the caller (the new history is returned), so that the numbers can be sent first."""
        if not self.runner.current(ticket):
            return None
        shown = dict(layer_labels=labels, level_choices=choices)
        if isinstance(outcome, DesignError):  # an invalid draft (design None), or a valid one that cannot be evaluated
            self._set(design=design, report=None, message=outcome.bullets(), needs_training=False, evaluating=False, **shown)
            self.knobs.clear()
            return None
        self._set(
            design=design,
            report=outcome,
            message=self._note(outcome, needs),
            needs_training=needs,
            update_seconds=time.perf_counter() - start,
            evaluating=later,
            **shown,
        )
        history = self.session.recorded(design, outcome)
        if later:
            return history
        self.session.publish(history)
        return None

    def _note(self, report: Report, needs: bool) -> str:
        """The status line of an evaluated design."""
        if not report.feasible:
            return "Infeasible on this hardware: " + "; ".join(report.reasons)
        if self.imported is not None:
            return imported_note(self.imported)
        return "No trained weights for this shape yet: showing synthetic activity. Train to see accuracy." if needs else ""

    async def train(self) -> None:
        """Train the current design in a worker thread, with progress (``trainer``); cancellable."""
        if self.design is None or self.trainer.training:
            return
        message = await self.trainer.run(self.design)
        self.refresh()
        if message:
            self._set(message=message)
