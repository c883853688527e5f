"""Human units for the dashboard: pJ/nJ/µJ, µs/ms, KiB/MiB."""

from __future__ import annotations

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
    factor, scaled_unit = engineering(value, unit)
    return f"{value / factor:.3g} {scaled_unit}"


def binary_bytes(value: float) -> str:
    """``binary_bytes(2048) == '2.0 KiB'``."""
    for factor, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if value >= factor:
            return f"{value / factor:.1f} {unit}"
    return f"{value:.0f} B"
