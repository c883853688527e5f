"""Studies: a base design, axes to vary, objectives and constraints — swept and resumable.

A study file::

    name: width-depth
    base: mnist-baseline            # a preset name, a path, or an inline design mapping
    activity: simulate              # or synthetic:RATE (cost only)
    axes:                           # dotted design paths -> values (the sweep is their product)
      network.hidden: [[64], [128], [64, 64]]
      timesteps: [10, 25]
      hardware.preset: all          # 'all' = every hardware preset
    objectives: {accuracy: max, energy_j: min}
    constraints: {accuracy: ">= 0.9", footprint_bytes: "<= 1048576"}

:func:`run_study` evaluates every point (in process or on a dask cluster),
appending one CSV row per finished point (flushed and fsynced), so an
interrupted sweep resumes where it stopped: points whose ``point`` hash is
already in the file are skipped, and a torn last line is dropped. Each point
is a pure function of its design, so results are identical wherever they run.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from ..activity_source import ActivitySource
from ..design import Design, load_design
from ..errors import DesignError, FieldProblem
from ..hardware.report import METRICS as REPORT_METRICS
from ..hardware_schema import override_problems
from ..io import atomic_write_text
from ..pipeline import metrics_of_hardware_variants
from ..presets import hardware_preset, hardware_preset_names
from ..progress import Progress, Step
from ..yaml_input import decode_utf8, read_yaml
from .pareto import SENSES, pareto_mask
from .timesteps import OBJECTIVES as SEARCH_OBJECTIVES

METRICS = [*REPORT_METRICS, "training_energy_j"]
LABELS = ["mapping"]
"""Text columns of a sweep CSV after the metrics: the mapping each point was priced at
(:func:`~snnexplorer.format.mapping_label`; under ``mapping.search`` its best one). Optional in a CSV read back."""
OPERATORS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}
STUDY_KEYS = ("name", "base", "activity", "axes", "objectives", "constraints", "search", "budget", "objective")
SEARCHES = ("grid", "timesteps")
OVERRIDES_AXIS = "hardware.overrides"
"""The axis whose points differ only as hardware variants: priced together, one Design per group (:meth:`Study.plan`)."""
MAX_POINTS = 100_000
"""Most points in one study (the product of its axes)."""
MAX_NAME_CHARS = 200


class PlannedPoint(NamedTuple):
    """A point of a study's plan: its ``index`` in :meth:`Study.points`, its axis ``values``, its hardware
    ``overrides``."""

    index: int
    values: dict[str, Any]
    overrides: dict


class DesignGroup(NamedTuple):
    """Points that are one Design apart from their hardware overrides: the ``design`` of the first, and all of them."""

    design: Design
    points: list[PlannedPoint]


class PendingPoint(NamedTuple):
    """A point a run still has to price: its cost hash ``key`` (a sweep row's ``point``), axis values, overrides."""

    key: str
    values: dict[str, Any]
    overrides: dict


@dataclass
class Study:
    """A parsed study file; see the module docstring."""

    name: str
    base: dict
    axes: dict[str, list]
    objectives: dict[str, str] = field(default_factory=lambda: {"accuracy": "max", "energy_j": "min"})
    constraints: dict[str, str] = field(default_factory=dict)
    activity: ActivitySource = ActivitySource()
    search: str = "grid"
    budget: float = 0.01
    objective: str = "synaptic_ops"

    @classmethod
    def from_dict(cls, data: Any, where: Path | None = None) -> Study:
        """A study from a plain mapping (``where``: the folder a relative ``base`` path is read from).

        Every bad field is reported at once, with the Design's format; the grid is
        bounded (:data:`MAX_POINTS`) and each point must be a valid design.
        """
        if not isinstance(data, dict):
            raise DesignError.single("study", data, f"a mapping with keys {list(STUDY_KEYS)}")
        problems = [FieldProblem(f"study.{k}", v, f"one of {list(STUDY_KEYS)}") for k, v in data.items() if k not in STUDY_KEYS]
        name = data.get("name", "study")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
            problems.append(FieldProblem("study.name", name, f"a non-empty string of at most {MAX_NAME_CHARS} characters"))
        base = _base_design(data.get("base", {}), where, problems)
        axes = _axes(data.get("axes"), problems)
        objectives = _metric_rules(
            data.get("objectives", {"accuracy": "max", "energy_j": "min"}),
            "objectives",
            lambda sense: sense in SENSES,
            "'min' or 'max'",
            problems,
        )
        constraints = _metric_rules(
            data.get("constraints", {}),
            "constraints",
            lambda rule: _parse_rule(rule) is not None,
            "a rule like '>= 0.9'",
            problems,
        )
        try:
            activity = ActivitySource.parse(data.get("activity", "simulate"), "study.activity")
        except DesignError as exc:
            problems += exc.problems
        search = data.get("search", "grid")
        if search not in SEARCHES:
            problems.append(FieldProblem("study.search", search, f"one of {list(SEARCHES)}"))
        budget = data.get("budget", 0.01)
        if not isinstance(budget, (int, float)) or isinstance(budget, bool) or not 0.0 <= budget <= 1.0:
            problems.append(FieldProblem("study.budget", budget, "an accuracy fraction in 0..1"))
        objective = data.get("objective", "synaptic_ops")
        if objective not in SEARCH_OBJECTIVES:
            problems.append(FieldProblem("study.objective", objective, f"one of {list(SEARCH_OBJECTIVES)}"))
        if problems:
            raise DesignError(problems)
        study = cls(name, base, axes, objectives, constraints, activity, search, float(budget), objective)
        study.plan()  # every point must be a valid design
        return study

    @classmethod
    def from_yaml(cls, path: str | Path) -> Study:
        path = Path(path)
        return cls.from_dict(read_yaml(path), path.parent)

    def points(self) -> list[dict[str, Any]]:
        """Axis values of every point (the product of the axes)."""
        keys = list(self.axes)
        return [dict(zip(keys, combo)) for combo in itertools.product(*(self.axes[k] for k in keys))]

    def plan(self) -> list[DesignGroup]:
        """The points grouped by their design apart from the ``hardware.overrides`` axis. A Design is built and
        checked per group, and each overrides value once per preset, so a sweep of 100,000 hardware variants builds
        one Design, not 100,000."""
        shape_axes = [k for k in self.axes if k != OVERRIDES_AXIS]
        groups: dict[tuple, DesignGroup] = {}
        checked: set[tuple[str, str, str]] = set()
        for index, point in enumerate(self.points()):
            key = tuple(json.dumps(point[k], sort_keys=True, default=str) for k in shape_axes)
            if key not in groups:
                data = copy.deepcopy(self.base)
                for path in shape_axes:
                    _set_path(data, path, point[path])
                data["name"] = f"{self.name}-{index}"
                groups[key] = DesignGroup(_point_design(data, point), [])
            design = groups[key].design
            overrides = point.get(OVERRIDES_AXIS, design.hardware.overrides)
            if OVERRIDES_AXIS in point:
                _check_overrides(design.hardware.preset, overrides, point, checked)
            groups[key].points.append(PlannedPoint(index, point, overrides))
        return list(groups.values())

    def designs(self) -> list[Design]:
        """Every point's Design, in order (one Design each: for a few points; :meth:`plan` scales)."""
        out = []
        for design, members in self.plan():
            for member in members:
                name = f"{self.name}-{member.index}"
                same = member.overrides == design.hardware.overrides and design.name == name
                own = design if same else _point_design({**_with_overrides(design, member.overrides), "name": name}, {})
                out.append((member.index, own))
        return [design for _, design in sorted(out, key=lambda pair: pair[0])]


def _point_design(data: dict, point: dict) -> Design:
    """The Design of a study point, or a DesignError naming the point."""
    try:
        return Design.from_dict(data)
    except DesignError as exc:
        raise DesignError([FieldProblem(f"study point {point}: {p.field}", p.value, p.allowed) for p in exc.problems]) from None


def _check_overrides(preset: str, overrides: Any, point: dict, checked: set[tuple[str, str, str]]) -> None:
    """The checks a Design makes of ``hardware.overrides``, each entry once per preset (``checked`` holds the
    (preset, key, value) entries already found good)."""
    if not isinstance(overrides, dict):
        raise DesignError.single(f"study point {point}: hardware.overrides", overrides, "a mapping of LEVEL.FIELD to a number")
    problems = []
    for item, value in overrides.items():
        entry = (preset, item, repr(value))
        if entry not in checked:
            levels = [level["name"] for level in hardware_preset(preset)["levels"]]  # cached by the presets module
            found = override_problems(item, value, levels)
            problems += found
            if not found:
                checked.add(entry)
    if problems:
        raise DesignError([FieldProblem(f"study point {point}: {p.field}", p.value, p.allowed) for p in problems])


def _base_design(base: Any, where: Path | None, problems: list[FieldProblem]) -> dict:
    """The study's base design as a mapping (a preset name, a path relative to ``where``, or a mapping)."""
    try:
        if isinstance(base, str):
            candidate = (where / base) if where is not None and (where / base).exists() else base
            return load_design(candidate).to_dict()
        if isinstance(base, dict):
            return Design.from_dict(base).to_dict()
    except DesignError as exc:
        problems.extend(FieldProblem(f"study.base: {p.field}", p.value, p.allowed) for p in exc.problems)
        return {}
    except (OSError, ValueError) as exc:  # a path the OS refuses (too long, a NUL byte, ...)
        problems.append(FieldProblem("study.base", base, f"a readable design path ({exc.__class__.__name__})"))
        return {}
    problems.append(FieldProblem("study.base", base, "a preset name, a design path or a design mapping"))
    return {}


def _axes(axes: Any, problems: list[FieldProblem]) -> dict[str, list]:
    """Dotted design path → non-empty list of values ('all' for hardware.preset: every preset); at most MAX_POINTS points."""
    if axes is None:
        return {}
    if not isinstance(axes, dict):
        problems.append(FieldProblem("study.axes", axes, "a mapping of dotted design paths to lists of values"))
        return {}
    out: dict[str, list] = {}
    for path, values in axes.items():
        if values == "all" and path == "hardware.preset":
            values = hardware_preset_names()
        if not isinstance(path, str) or not path or not isinstance(values, list) or not values:
            problems.append(
                FieldProblem(
                    f"study.axes.{path}", values, "a dotted design path with a non-empty list (or 'all' for hardware.preset)"
                )
            )
            continue
        if len({json.dumps(v, sort_keys=True, default=str) for v in values}) != len(values):
            problems.append(FieldProblem(f"study.axes.{path}", values, "distinct values (a repeated one repeats its points)"))
            continue
        out[path] = values
    points = math.prod(len(v) for v in out.values())
    if points > MAX_POINTS:
        problems.append(
            FieldProblem("study.axes", f"{points:,} points", f"at most {MAX_POINTS:,} points (the product of the axes)")
        )
    return out


def _metric_rules(rules: Any, key: str, valid: Callable[[Any], bool], allowed: str, problems: list[FieldProblem]) -> dict:
    """A mapping metric → rule (objectives: min/max; constraints: '>= 0.9')."""
    if not isinstance(rules, dict):
        problems.append(FieldProblem(f"study.{key}", rules, f"a mapping of metrics of {METRICS} to {allowed}"))
        return {}
    for metric, rule in rules.items():
        if metric not in METRICS or not valid(rule):
            problems.append(FieldProblem(f"study.{key}.{metric}", rule, f"a metric of {METRICS} with {allowed}"))
    return dict(rules)


def _set_path(data: dict, path: str, value: Any) -> None:
    keys = path.split(".")
    target = data
    for key in keys[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[keys[-1]] = copy.deepcopy(value)


def _parse_rule(rule: Any) -> tuple[Callable, float] | None:
    if not isinstance(rule, str):
        return None
    for symbol in (">=", "<=", ">", "<"):
        if rule.strip().startswith(symbol):
            try:
                return OPERATORS[symbol], float(rule.strip()[len(symbol) :])
            except ValueError:
                return None
    return None


def evaluate_point(design: Design | dict, activity: ActivitySource) -> dict:
    """One point's metrics (:meth:`Report.metrics`, without building the Report's tables); a pure function of its
    inputs (runs in any worker: a worker is sent the design as a mapping)."""
    from ..pipeline import metrics_of, training_report

    design = design if isinstance(design, Design) else Design.from_dict(design)
    training = training_report(design) if activity.simulated else None
    return {
        "point": design.hash_for("cost"),
        **metrics_of(design, activity),
        "training_energy_j": training.energy_j if training else None,
    }


def _read_done(out: Path, columns: list[str]) -> pd.DataFrame:
    """The rows an earlier run of the same study wrote to ``out``; a file with other columns is refused."""
    if not out.exists() or out.stat().st_size == 0:
        return pd.DataFrame()
    text = decode_utf8(out.read_bytes(), str(out))
    header = next(csv.reader([text.split("\n", 1)[0]]), [])
    if header != columns:
        raise DesignError.single(
            "sweep output",
            str(out),
            f"a CSV of this study's columns {columns} (it has {header}); choose another --out, or remove the file to start over",
        )
    if not text.endswith("\n"):  # a torn last line from an interrupted run
        text = text[: text.rfind("\n") + 1]
        atomic_write_text(out, text)
    return _typed_rows(text)


def _typed_rows(text: str) -> pd.DataFrame:
    """The rows of a sweep CSV: ``point`` and axis values as written (text), metrics as numbers and flags."""
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if table.empty:
        return pd.DataFrame()
    for column in [c for c in (*METRICS, "meets_constraints", "pareto") if c in table.columns]:
        numeric = column not in ("feasible", "meets_constraints", "pareto")
        table[column] = pd.to_numeric(table[column], errors="coerce") if numeric else table[column] == "True"
    return table


def read_sweep(text: str) -> pd.DataFrame:
    """The rows of a sweep CSV (``snnexplorer sweep``'s, given as text); a DesignError when it is not one."""
    try:
        header = next(csv.reader([text.split("\n", 1)[0]]), [])
    except csv.Error as exc:
        raise DesignError.single("sweep", text[:40], f"a CSV ({exc})") from None
    missing = sorted({"point", *METRICS} - {"training_energy_j"} - set(header))
    if missing:
        raise DesignError.single("sweep columns", header, f"those of a 'snnexplorer sweep' CSV; missing {missing}")
    try:
        return _typed_rows(text)
    except (ValueError, pd.errors.ParserError) as exc:
        raise DesignError.single("sweep", text[:40], f"a CSV ({exc})") from None


def default_output(study: Study) -> Path:
    """``<study name>.csv`` in the working folder: the name's last path part, in safe characters only."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", re.split(r"[\\/]", study.name)[-1]).strip(".-")
    return Path(f"{stem or 'study'}.csv")


def _append(out: Path, rows: list[dict], columns: list[str]) -> None:
    """Append ``rows`` to the CSV ``out`` (its header first when new), flushed and fsynced once."""
    new = not out.exists() or out.stat().st_size == 0
    with open(out, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        if new:
            writer.writeheader()
        writer.writerows({k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in row.items()} for row in rows)
        handle.flush()
        os.fsync(handle.fileno())


def results_table(study: Study, rows: Iterable[dict]) -> pd.DataFrame:
    """Sweep rows as a table: metrics as numbers, and whether each point meets the constraints and is on the front."""
    table = pd.DataFrame(list(rows))
    if table.empty:
        return table
    for metric in METRICS:
        table[metric] = table[metric].astype(bool) if metric == "feasible" else pd.to_numeric(table[metric], errors="coerce")
    ok = table["feasible"].copy()
    for metric, rule in study.constraints.items():
        op, bound = _parse_rule(rule)
        ok &= op(pd.to_numeric(table[metric], errors="coerce"), bound).fillna(False)
    table["meets_constraints"] = ok
    table["pareto"] = False
    if ok.any():
        table.loc[ok, "pareto"] = pareto_mask(table[ok], study.objectives)
    return table


def run_study(
    study: Study,
    out: str | Path | None = None,
    client: Any = None,
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
) -> pd.DataFrame:
    """Evaluate every point of ``study`` not yet in ``out``; returns all rows with constraint and Pareto flags.

    ``client``: a ``dask.distributed.Client`` to run on, or None to run in
    this process. ``progress`` receives {done, total, eta_s, row} after each
    point (``row``: the point's CSV row). ``stop``: asked before each point;
    True ends the sweep early with the rows finished so far (a resumed run
    does the rest).
    """
    columns = ["point", *(f"axis:{k}" for k in study.axes), *METRICS, *LABELS]
    path = Path(out) if out is not None else None
    done_rows: list[dict] = []
    if path is not None:
        previous = _read_done(path, columns)
        if not previous.empty:
            done_rows = previous.to_dict(orient="records")
    finished = {row["point"] for row in done_rows}
    todo: list[tuple[Design, list[PendingPoint]]] = []  # per design: its points not yet done
    queued, order = set(finished), {}
    for design, members in study.plan():
        fresh = []
        for member, key in zip(members, design.cost_hashes([m.overrides for m in members])):
            order.setdefault(key, member.index)
            if key not in queued:  # points equal as designs (e.g. widths an expert ignores) run once
                queued.add(key)
                fresh.append(PendingPoint(key, member.values, member.overrides))
        if fresh:
            todo.append((design, fresh))
    start, left = time.perf_counter(), sum(len(fresh) for _, fresh in todo)
    total = len(finished) + left

    encoded: dict[int, str] = {}  # axis values are shared between points: each encoded once

    def record(results: list[tuple[dict, dict]]) -> None:
        rows = [
            {
                "point": result["point"],
                **{f"axis:{k}": encoded.get(id(v)) or encoded.setdefault(id(v), json.dumps(v)) for k, v in point.items()},
                **{m: result[m] for m in METRICS},
                **{label: result.get(label, "") for label in LABELS},
            }
            for result, point in results
        ]
        done_rows.extend(rows)
        if path is not None:
            _append(path, rows, columns)
        if progress is not None:
            done = len(done_rows)
            eta = (time.perf_counter() - start) / max(1, done - (total - left)) * (total - done)
            for row in rows:
                progress(Step("sweep", done, total, "points", eta, row=row))

    tasks = []  # (function, the design it prices, its arguments after the design, the points it prices)
    for design, fresh in todo:
        if len(fresh) > 1 and design.training.learning_rule != "stdp":  # hardware variants of one design together
            tasks.append((evaluate_variants, design, ([p.overrides for p in fresh], study.activity), fresh))
            continue
        for pending in fresh:
            own = pending.overrides == design.hardware.overrides  # in this process a point keeps its plan's Design
            tasks.append(
                (_one_point, design if own else _with_overrides(design, pending.overrides), (study.activity,), [pending])
            )
    if client is None:
        for function, design, arguments, fresh in tasks:
            if stop is not None and stop():
                break
            record(list(zip(function(design, *arguments), (pending.values for pending in fresh))))
    else:
        from dask.distributed import as_completed

        futures = {
            client.submit(function, _mapping(design), *arguments, pure=True): fresh
            for function, design, arguments, fresh in tasks
        }
        for future in as_completed(futures):
            if stop is not None and stop():
                client.cancel(list(futures))
                break
            record(list(zip(future.result(), (pending.values for pending in futures[future]))))
    table = results_table(study, done_rows)
    if not table.empty:
        table = table.sort_values("point", key=lambda s: s.map(order)).reset_index(drop=True)
    return table


def _one_point(design: Design | dict, activity: ActivitySource) -> list[dict]:
    return [evaluate_point(design, activity)]


def _mapping(design: Design | dict) -> dict:
    """What a worker is sent: a design as a plain mapping."""
    return design.to_dict() if isinstance(design, Design) else design


def evaluate_variants(design: Design | dict, overrides: list[dict], activity: ActivitySource) -> list[dict]:
    """The rows of ``design`` with each of ``overrides`` as its ``hardware.overrides``, priced in one vectorized call
    on one Activity (a pure function of its inputs, as :func:`evaluate_point`)."""
    design = design if isinstance(design, Design) else Design.from_dict(design)
    metrics = metrics_of_hardware_variants(design, overrides, activity)
    return [{"point": key, **row, "training_energy_j": None} for key, row in zip(design.cost_hashes(overrides), metrics)]


def _with_overrides(design: Design, overrides: dict) -> dict:
    """``design`` as a mapping, its ``hardware.overrides`` replaced."""
    data = design.to_dict()
    data["hardware"]["overrides"] = dict(overrides)
    return data


def run_timestep_search(study: Study, out: str | Path | None = None):
    """The LD-SNN search of a ``search: timesteps`` study on its base design; trials go to ``out``."""
    from .. import data
    from ..train import load_or_train
    from .timesteps import search_timesteps

    design = Design.from_dict(study.base)
    weights = load_or_train(design)
    test = data.load(design.dataset.name, "test").head(design.dataset.test_samples)
    result = search_timesteps(design, weights, test.x, test.y, budget=study.budget, objective=study.objective)
    if out is not None:
        table = result.trials.assign(steps=result.trials["steps"].map(json.dumps))
        atomic_write_text(out, table.to_csv(index=False))
    return result
