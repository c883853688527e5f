"""The study page's model: a study to run (shipped or uploaded), its rows as they finish, and the selection.

param only, no Panel. A study runs in a worker thread (:func:`snnexplorer.explore.run_study` with a ``stop``
callback), its rows streaming into ``results``; a sweep CSV written earlier can be loaded instead. A row whose
design is known (a study run or chosen here) loads into the explorer's model.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from typing import NamedTuple

import param

from ..activity_source import ActivitySource
from ..design import Design
from ..errors import DesignError
from ..explore import Study, run_study
from ..explore.study import read_sweep, results_table
from ..presets import presets_dir
from ..progress import Step
from ..yaml_input import decode_utf8, parse_yaml
from .model import ExplorerModel
from .outputs import Outputs
from .runner import POLL_S, LatestWins
from .uploads import check_upload_size

UPLOADED = "(uploaded)"


@functools.cache
def shipped_study(name: str) -> tuple[Study, int]:
    """A shipped study and its number of points, parsed once per process (every page starts from the same ones)."""
    study = Study.from_yaml(presets_dir() / "studies" / f"{name}.yaml")
    return study, len(study.points())


def shipped_studies() -> dict[str, Study | None]:
    """Name → the shipped grid studies (presets/studies), parsed when first chosen (None until then)."""
    return {path.stem: None for path in sorted((presets_dir() / "studies").glob("*.yaml"))}


class KnownPoint(NamedTuple):
    """A study point the page can load: the ``design`` of its group, its hardware ``overrides``, its ``name``."""

    design: Design
    overrides: dict
    name: str


def points_of(study: Study) -> dict[str, KnownPoint]:
    """Each point's cost hash (a sweep row's ``point``) → the point (:meth:`Study.plan`: no Design per point)."""
    out = {}
    for design, members in study.plan():
        for member, key in zip(members, design.cost_hashes([m.overrides for m in members])):
            out.setdefault(key, KnownPoint(design, member.overrides, f"{study.name}-{member.index}"))
    return out


class StudyModel(Outputs):
    """A study, its rows and their selection; see the module docstring."""

    study = param.Selector(default=None, objects=[], allow_None=True, doc="A shipped study (presets/studies) to run.")
    cost_only = param.Boolean(
        default=False,
        label="Cost only (synthetic activity)",
        doc="Price every point with the explorer's synthetic spike rate instead of the study's activity: no training "
        "or simulation, no accuracy.",
    )
    summary = param.String(default="", constant=True, doc="What the chosen study sweeps.")
    results = param.DataFrame(default=None, allow_None=True, constant=True, doc="The rows finished so far.")
    axes = param.List(default=[], constant=True, doc="The study's axis columns (axis:PATH) in its rows.")
    running = param.Boolean(default=False, constant=True)
    progress = param.Number(default=0.0, bounds=(0.0, 1.0), constant=True)
    message = param.String(default="", constant=True, doc="Progress, or why a study or file was refused.")
    selected = param.List(default=[], doc="Indices of the selected rows of ``results``.")

    def __init__(self, explorer: ExplorerModel, **params):
        self._studies = shipped_studies()
        self.param.study.objects = list(self._studies)
        params.setdefault("study", "hardware" if "hardware" in self._studies else next(iter(self._studies), None))
        super().__init__(**params)
        self.explorer = explorer
        self._runner = LatestWins()
        self._points: dict[str, tuple[Design, dict, str]] = {}
        self._describe()

    def chosen(self) -> Study:
        """The chosen study, parsed (a shipped one on first use); a DesignError says why it cannot run."""
        if self._studies.get(self.study) is None and self.study != UPLOADED:
            self._studies[self.study] = shipped_study(self.study)[0]
        return self._studies[self.study]

    @param.depends("study", watch=True)
    def _describe(self) -> None:
        if self.study is None:
            return
        try:
            study = self.chosen()
        except DesignError as exc:
            self._set(summary="", message=exc.bullets("Study refused:"))
            return
        if study.search != "grid":
            self._set(summary=f"**{study.name}**: a `{study.search}` search; run it with `snnexplorer sweep`.", message="")
            return
        axes = ", ".join(f"`{k}` ({len(v)})" for k, v in study.axes.items())
        self._set(
            summary=f"**{study.name}**: {self._point_count(study):,} points over {axes or 'no axes'}; activity "
            f"`{study.activity}`; objectives {', '.join(f'{m} {s}' for m, s in study.objectives.items())}.",
            message="",
        )

    def _point_count(self, study: Study) -> int:
        return len(study.points()) if self.study == UPLOADED else shipped_study(self.study)[1]

    def load_study_upload(self, content: bytes, filename: str = "study.yaml") -> None:
        """A study file uploaded from the page (its ``base`` a preset name or an inline design)."""
        try:
            study = Study.from_dict(parse_yaml(decode_utf8(content, filename), filename))
        except DesignError as exc:
            self._set(message=exc.bullets("Study refused:"))
            return
        self._studies[UPLOADED] = study
        self.param.study.objects = list(self._studies)
        self.study = UPLOADED
        self.param.trigger("study")  # a second upload: the same choice, a new study

    async def run(self) -> None:
        """Run the chosen study in a worker thread; rows stream into ``results``; :meth:`cancel` stops it."""
        if self.running:
            return
        try:
            study = self.chosen()
        except DesignError as exc:
            self._set(message=exc.bullets("Study refused:"))
            return
        if study.search != "grid":
            self._set(message=f"A `{study.search}` search runs from the command line: snnexplorer sweep.")
            return
        if self.cost_only:
            study = dataclasses.replace(study, activity=ActivitySource.synthetic(self.explorer.spike_rate))
        self._points = points_of(study)
        ticket = self._runner.ticket()
        rows: list[dict] = []
        latest: list[Step] = []

        def progress(step: Step) -> None:
            rows.append(step.row)
            latest[:] = [step]

        self._set(running=True, progress=0.0, results=None, axes=[f"axis:{k}" for k in study.axes], message="starting…")
        work = asyncio.ensure_future(self._runner.run(ticket, run_study, study, None, None, progress, self._runner.stale(ticket)))
        shown = 0
        while not work.done():
            await asyncio.sleep(POLL_S)
            if len(rows) > shown:
                shown = len(rows)
                self._set(
                    results=results_table(study, rows[:shown]),
                    progress=latest[0].fraction,
                    message=latest[0].describe(),
                )
        try:
            current, table = work.result()
        except DesignError as exc:
            self._set(running=False, message=exc.bullets("Study stopped:"))
            return
        done = f"{len(table):,} points" + ("" if current else " (cancelled)")
        self._set(running=False, progress=1.0, results=table if len(table) else None, message=done)

    def cancel(self) -> None:
        self._runner.cancel()

    def load_csv(self, text: str) -> None:
        """The rows of a sweep CSV (``snnexplorer sweep``); their designs are known when the chosen study made them.
        The explorer's scatters show them too."""
        try:
            check_upload_size(text, "sweep CSV")
            table = read_sweep(text)
        except DesignError as exc:
            self._set(message=exc.bullets("Sweep rejected:"))
            return
        try:
            self._points = points_of(self.chosen())
        except DesignError:
            self._points = {}
        known = table["point"].isin(self._points).sum() if len(table) else 0
        self._set(
            results=table if len(table) else None,
            axes=[c for c in table.columns if c.startswith("axis:")],
            message=f"{len(table):,} points loaded; {known:,} of them from the chosen study (click one to load it)",
        )
        self.explorer.session.show_sweep(table)

    def load_row(self, index: int) -> bool:
        """Load row ``index``'s design into the explorer; False when the design is not known here."""
        if self.results is None or not 0 <= index < len(self.results):
            return False
        found = self._points.get(str(self.results["point"].iloc[index]))
        if found is None:
            self._set(message="That point's design is not known here: choose the study that wrote the CSV first.")
            return False
        design, overrides, name = found
        data = design.to_dict()
        data["hardware"]["overrides"], data["name"] = dict(overrides), name
        self.explorer.load_custom(Design.from_dict(data))
        return True
