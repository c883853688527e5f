"""The designs of one dashboard session: the history of every design evaluated, the pins compared side by side, and
a loaded sweep. param only, no Panel."""

from __future__ import annotations

import pandas as pd
import param

from ..design import Design
from ..format import UnitFrame
from ..hardware import Report
from .outputs import Outputs

HISTORY_COLUMNS = [
    "point",
    "name",
    "hardware",
    "hidden",
    "experts",
    "timesteps",
    "bits",
    "accuracy",
    "energy_j",
    "latency_s",
    "footprint_bytes",
]
DELTA_METRICS = ["accuracy", "energy_j", "latency_s", "footprint_bytes"]
MAX_HISTORY = 200
"""Designs one session's history keeps (the points of its scatters): beyond it, the oldest goes."""
MAX_PINS = 20
"""Designs one session's comparison holds: pinning one more unpins the oldest."""


def history_row(design: Design, report: Report) -> dict:
    """One design of the session: what tells it apart, and its Report's metrics."""
    metrics = report.metrics()
    return {
        "point": design.hash_for("cost"),
        "name": design.name,
        "hardware": design.hardware.preset,
        "hidden": str(design.hidden),
        "experts": design.specialization.experts,
        "timesteps": str(design.layer_timesteps),
        "bits": f"w{max(design.weight_bits)}/v{max(design.membrane_bits)}",
        **{k: metrics[k] for k in DELTA_METRICS},
        "accuracy": metrics["accuracy"] if metrics["accuracy"] is not None else float("nan"),
    }


def with_deltas(pins: pd.DataFrame) -> pd.DataFrame:
    """Pinned rows plus, per metric, the change against the first pin (relative for costs)."""
    table = pins.copy()
    if table.empty:
        return table
    first = table.iloc[0]
    table["Δ accuracy (points)"] = 100 * (table["accuracy"] - first["accuracy"])
    for metric in DELTA_METRICS[1:]:
        table[f"{metric} × first"] = table[metric] / first[metric]
    return table


def design_fields(design: Design) -> dict[str, str]:
    """Every field of ``design`` but its name, as ``section.field`` (nested sections flattened) → text."""
    out: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict) and value and prefix != "hardware.overrides":
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            out[prefix] = str(value)

    walk("", {k: v for k, v in design.to_dict().items() if k != "name"})
    return out


def differing_fields(designs: list[Design]) -> pd.DataFrame:
    """One row per design, one column per field whose value is not the same in all of them."""
    rows = pd.DataFrame([design_fields(d) for d in designs])
    return rows.loc[:, rows.nunique(dropna=False) > 1] if len(rows) else rows


def _replacing(table: pd.DataFrame, row: dict, limit: int) -> pd.DataFrame:
    """``table`` with ``row`` appended, in place of an earlier row of the same point, keeping the last ``limit``."""
    kept = table[table["point"] != row["point"]] if len(table) else table
    return pd.concat([kept, pd.DataFrame([row])], ignore_index=True).tail(limit).reset_index(drop=True)


class Session(Outputs):
    """Every design evaluated in this session (``history``), the ones pinned for comparison, a loaded sweep."""

    history = param.DataFrame(default=pd.DataFrame(columns=HISTORY_COLUMNS), constant=True)
    pins = param.DataFrame(default=pd.DataFrame(columns=HISTORY_COLUMNS), constant=True)
    sweep = param.DataFrame(default=None, allow_None=True, constant=True, doc="Rows of a loaded sweep CSV (snnexplorer sweep).")

    def __init__(self, **params):
        super().__init__(**params)
        self._designs: dict[str, Design] = {}

    def recorded(self, design: Design, report: Report) -> pd.DataFrame:
        """The history with ``design`` in it (kept to load again), not yet published: a served page sends the new
        numbers before the scatters redraw (:meth:`publish`)."""
        row = history_row(design, report)
        self._designs[row["point"]] = design
        return _replacing(self.history, row, MAX_HISTORY)

    def publish(self, history: pd.DataFrame) -> None:
        self._set(history=history)
        self._forget_unlisted()

    def _forget_unlisted(self) -> None:
        """Keep the designs of the history and the pins only (what a click or the comparison can ask for)."""
        listed = set(self.history["point"]) | set(self.pins["point"])
        self._designs = {point: design for point, design in self._designs.items() if point in listed}

    def design_of(self, point: str) -> Design | None:
        """The design of ``point`` (its cost hash) evaluated earlier in this session, if any."""
        return self._designs.get(point)

    def pin(self, design: Design, report: Report) -> None:
        """Keep ``design`` in the comparison table."""
        self._designs[design.hash_for("cost")] = design
        self._set(pins=_replacing(self.pins, history_row(design, report), MAX_PINS))
        self._forget_unlisted()

    def comparison(self) -> UnitFrame:
        """Pinned designs side by side: every field that differs between them, the metrics, and each metric's
        change against the first pin (SI numbers; a notebook shows them in units)."""
        table = with_deltas(self.pins)
        if table.empty:
            return UnitFrame(table)
        fields = differing_fields([self._designs[point] for point in table["point"]])
        at = list(table.columns).index("name") + 1
        return UnitFrame(pd.concat([table.iloc[:, :at], fields.set_index(table.index), table.iloc[:, at:]], axis=1))

    def show_sweep(self, table: pd.DataFrame) -> None:
        """Show the points of a sweep (rows of :func:`snnexplorer.explore.study.read_sweep`) beside the history."""
        self._set(sweep=table)
