"""Numbers as people read them, for every front end (CLI, dashboard, exports): pJ/nJ/µJ, µs/ms, KiB/MiB, thousands/millions."""

from __future__ import annotations

import math

import pandas as pd

PREFIXES = ((1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f"))


def engineering(value: float, unit: str) -> tuple[float, str]:
    """The factor and unit that put ``value`` in 1..1000: ``engineering(3.2e-6, 'J') == (1e-6, 'µJ')``."""
    for factor, prefix in PREFIXES[:-1]:
        if abs(value) >= factor:
            return factor, prefix + unit
    return PREFIXES[-1][0], PREFIXES[-1][1] + unit


def si(value: float | None, unit: str) -> str:
    """``si(3.2e-6, 'J') == '3.2 µJ'``."""
    if value is None or value != value:
        return "n/a"
    if value == 0:
        return f"0 {unit}"
    factor, scaled_unit = engineering(value, unit)
    return f"{value / factor:.3g} {scaled_unit}"


COUNT_WORDS = ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands"))


def magnitude(value: float) -> tuple[float, str]:
    """The factor and word that put a count in 1..1000: ``magnitude(6.6e5) == (1e3, 'thousands')``; (1, '') below 1000."""
    for factor, word in COUNT_WORDS:
        if abs(value) >= factor:
            return factor, word
    return 1.0, ""


def binary_bytes(value: float) -> str:
    """``binary_bytes(2048) == '2.0 KiB'``."""
    for factor, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if value >= factor:
            return f"{value / factor:.1f} {unit}"
    return f"{value:.0f} B"


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readable_number(value):
    """A table cell as a person writes it: ``1,234.5``, ``0.00125``, ``2.5×10⁻⁷``, never ``2.5e-07``; non-numbers as
    they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if value != value:
        return "n/a"
    if value == 0 or 1e-4 <= abs(value) < 1e15:
        digits = max(0, 5 - math.floor(math.log10(abs(value)))) if value else 0
        text = f"{value:,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, exponent = f"{value:.3e}".split("e")
    return f"{float(mantissa):g}×10{str(int(exponent)).translate(SUPERSCRIPT)}"


METRIC_TEXT = {
    "accuracy": ("Accuracy", lambda v: f"{100 * v:.2f} %"),
    "energy_j": ("Energy / inference", lambda v: si(v, "J")),
    "latency_s": ("Latency / batch", lambda v: si(v, "s")),
    "footprint_bytes": ("Footprint", binary_bytes),
}


def _texts(values, fmt) -> list[str]:
    return [fmt(float(v)) if v is not None and v == v else "n/a" for v in pd.to_numeric(values, errors="coerce")]


def metric_texts(table: pd.DataFrame) -> pd.DataFrame:
    """The metrics of rows (a history, pins or a sweep) as a person reads them: one column per label of
    :data:`METRIC_TEXT` ("Energy / inference": "192 µJ"), "n/a" where a value is missing."""
    return pd.DataFrame({label: _texts(table[metric], fmt) for metric, (label, fmt) in METRIC_TEXT.items()}, index=table.index)


def readable_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as a person reads it: the design fields that differ, metrics in engineering units,
    changes as "+0.25 points" and "×0.86", "n/a" where a value is missing (no raw floats, no NaN)."""
    out = pd.DataFrame({"Design": table["name"].astype(str)})
    for column in (c for c in table.columns if "." in c and "×" not in c):
        out[column] = table[column].astype(str)
    out = pd.concat([out, metric_texts(table)], axis=1)
    out["Δ accuracy"] = _texts(table["Δ accuracy (points)"], lambda v: f"{v:+.2f} points")
    for metric, (label, _) in list(METRIC_TEXT.items())[1:]:
        out[f"{label} vs first"] = _texts(table[f"{metric} × first"], lambda v: f"×{v:.3g}")
    return out
