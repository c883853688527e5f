"""Human units for the dashboard: pJ/nJ/µJ, µs/ms, KiB/MiB."""

from __future__ import annotations


def si(value: float | None, unit: str) -> str:
    """``si(3.2e-6, 'J') == '3.2 µJ'``."""
    if value is None or value != value:
        return "n/a"
    for factor, prefix in ((1, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value / 1e-15:.3g} f{unit}"


def binary_bytes(value: float) -> str:
    """``binary_bytes(2048) == '2.0 KiB'``."""
    for factor, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if value >= factor:
            return f"{value / factor:.1f} {unit}"
    return f"{value:.0f} B"
