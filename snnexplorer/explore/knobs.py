"""What should I change: the effect of one step of each knob on a design's energy, latency, footprint and accuracy.

:func:`one_steps` lists, for a design, one step down and one step up of each
knob a user turns — each layer's timesteps, the weight and membrane bits, the
batch, the loop order, the neuron update and spike format, each on-chip
memory level's capacity, and the network's width and depth — as the changes
to its mapping. :func:`knob_effects` prices every step against the design.
Steps that keep the trained weights (timesteps, bits, mapping, hardware) are
simulated like the design itself, so their accuracy is measured; steps that
change the network's shape would need training: they are priced on synthetic
activity at the design's own measured spike rate, against the design priced
the same way, and have no accuracy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..activity_source import ActivitySource
from ..design import SEARCHED_MAPPING_FIELDS, Design
from ..errors import DesignError
from ..hardware import Report
from ..pipeline import activity_for, architecture_of, evaluate
from ..sim.activity import Activity

BIT_STEPS = (2, 4, 8, 16, 32)
"""Bit widths a bit knob steps through."""
TIMESTEP_FACTOR = 1.25
"""One timestep step: × or ÷ this (at least one step)."""
COLUMNS = ["knob", "step", "energy_pct", "latency_pct", "footprint_pct", "accuracy_points", "retrains", "changes"]
"""The table's columns; ``changes`` holds each step's partial design mapping (:func:`apply_changes`)."""


@dataclass(frozen=True)
class Step:
    """One step of one knob: ``changes`` is a partial design mapping that applies it."""

    knob: str
    step: str
    changes: dict = field(hash=False)
    retrains: bool = False


def _merge(base: dict, changes: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def apply_changes(design: Design, changes: dict) -> Design:
    """``design`` with a step's ``changes`` applied (same name)."""
    return Design.from_dict(_merge(design.to_dict(), changes))


def _bits_steps(knob: str, field: str, values: list[int]) -> list[Step]:
    now = max(values)
    lower = [b for b in BIT_STEPS if b < now]
    higher = [b for b in BIT_STEPS if b > now]
    return [Step(knob, f"{now} → {bits} bits", {"quantization": {field: bits}}) for bits in (lower[-1:] + higher[:1])]


def one_steps(design: Design) -> list[Step]:
    """One step down and up of every knob that applies to ``design`` (see the module docstring)."""
    steps: list[Step] = []
    timesteps = design.layer_timesteps
    labels = [f"layer {i + 1}" if i < design.n_layers - 1 else "output layer" for i in range(design.n_layers)]
    for index, (label, now) in enumerate(zip(labels, timesteps)):
        for new in sorted({max(1, round(now / TIMESTEP_FACTOR)), min(1000, round(now * TIMESTEP_FACTOR))} - {now}):
            values = list(timesteps)
            values[index] = new
            steps.append(Step(f"timesteps, {label}", f"{now} → {new}", {"timesteps": values}))
    steps += _bits_steps("weight bits", "weight_bits", design.weight_bits)
    steps += _bits_steps("membrane bits", "membrane_bits", design.membrane_bits)
    mapping = design.mapping
    for new in (mapping.batch // 2, mapping.batch * 2):
        if 1 <= new <= type(mapping).param.batch.bounds[1] and new != mapping.batch:
            steps.append(Step("batch", f"{mapping.batch} → {new}", {"mapping": {"batch": new}}))
    for name in (*SEARCHED_MAPPING_FIELDS, "neuron_update", "residency"):
        if name == "time_window":
            steps += _window_steps(mapping, max(timesteps))
            continue
        if name == "weight_tiles":
            steps += _doubling_steps("weight tiles", name, mapping.weight_tiles, type(mapping).param.weight_tiles.bounds[1])
            continue
        for other in type(mapping).param[name].objects:
            if other != getattr(mapping, name):
                steps.append(Step(name.replace("_", " "), f"{getattr(mapping, name)} → {other}", {"mapping": {name: other}}))
    arch = architecture_of(design)
    for index, level in enumerate(arch.level_names[:-1]):  # the outermost level holds everything
        now = float(arch.levels["capacity_bytes"][0, index])
        for factor, word in ((0.5, "÷ 2"), (2.0, "× 2")):
            overrides = {**design.hardware.overrides, f"{level}.capacity_bytes": now * factor}
            steps.append(Step(f"{level} capacity", word, {"hardware": {"overrides": overrides}}))
    if design.training.learning_rule != "stdp" and not design.network.layers:
        section = "specialization" if design.specialization.experts > 1 else "network"
        hidden = design.hidden
        for factor, word in ((0.5, "÷ 2"), (2.0, "× 2")):
            widths = [max(1, int(w * factor)) for w in hidden]
            steps.append(Step("width", f"{word} ({hidden} → {widths})", {section: {"hidden": widths}}, retrains=True))
        deeper = {section: {"hidden": [*hidden, hidden[-1]]}, "timesteps": [*timesteps[:-1], timesteps[-2], timesteps[-1]]}
        steps.append(Step("depth", f"{len(hidden)} → {len(hidden) + 1} hidden layers", deeper, retrains=True))
    return steps


def _window_steps(mapping, longest: int) -> list[Step]:
    """The time window halved and doubled, under timestep-major (layer-major has none), up to the longest layer's
    steps."""
    if mapping.loop_order != "timestep-major":
        return []
    return _doubling_steps("time window", "time_window", mapping.time_window, longest, " steps")


def _doubling_steps(knob: str, name: str, now: int, most: int, unit: str = "") -> list[Step]:
    """The mapping field ``name`` halved and doubled, within 1 … ``most``."""
    return [
        Step(knob, f"{now} → {new}{unit}", {"mapping": {name: new}})
        for new in sorted({max(1, now // 2), min(most, now * 2)} - {now})
    ]


def mean_rate(activity: Activity) -> float:
    """Spikes per input and hidden neuron per step, over the layers that spike (the synthetic rate of a reshaped net)."""
    spikes = sum(float(layer.input_spikes.sum()) for layer in activity.layers)
    slots = sum(layer.batch * layer.timesteps * layer.n_in for layer in activity.layers)
    return min(1.0, spikes / max(1, slots))


def _change(new: float, old: float) -> float:
    return 100.0 * (new / old - 1.0) if old else np.nan


def knob_effects(
    design: Design,
    activity: ActivitySource | str = "simulate",
    base: Report | None = None,
    stop: Callable[[], bool] | None = None,
) -> pd.DataFrame:
    """Each step of :func:`one_steps` priced against ``design`` (``COLUMNS``: % change of energy per inference,
    latency, footprint; accuracy change in points), sorted by the largest energy effect first. Steps the Design
    refuses are left out. ``stop()`` true ends the work early (a newer edit)."""
    activity = ActivitySource.parse(activity)
    base = base or evaluate(design, activity)
    rows = []
    synthetic = None
    for step in one_steps(design):
        if stop is not None and stop():
            break
        try:
            variant = apply_changes(design, step.changes)
            if step.retrains:
                if synthetic is None:
                    spec = activity if not activity.simulated else ActivitySource.synthetic(mean_rate(activity_for(design)))
                    synthetic = (spec, evaluate(design, spec))
                spec, reference = synthetic
                report = evaluate(variant, spec)
            else:
                reference, report = base, evaluate(variant, activity)
        except DesignError:
            continue
        accuracy = (
            100.0 * (report.accuracy - reference.accuracy)
            if report.accuracy is not None and reference.accuracy is not None
            else np.nan
        )
        rows.append(
            (
                step.knob,
                step.step,
                _change(report.energy_j, reference.energy_j),
                _change(report.latency_s, reference.latency_s),
                _change(report.footprint_bytes, reference.footprint_bytes),
                accuracy,
                step.retrains,
                step.changes,
            )
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.reindex(table["energy_pct"].abs().sort_values(ascending=False).index).reset_index(drop=True)
