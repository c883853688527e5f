"""Where a design's spike activity comes from: simulated on its test subset, or synthetic at a uniform rate.

Written ``simulate`` or ``synthetic:RATE`` on the command line, in study YAML and in the dashboard; parsed once, by
:meth:`ActivitySource.parse`, into an :class:`ActivitySource` that the pipeline takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import DesignError

ALLOWED = "'simulate' or 'synthetic:RATE' with RATE in 0..1"
"""What an activity text may be (the error message and the CLI's help read it)."""


@dataclass(frozen=True)
class ActivitySource:
    """``rate`` None: simulate the trained network on the test subset (training it first if needed, measured
    accuracy). ``rate`` in 0..1: every neuron spikes at that rate per timestep (no training, no accuracy)."""

    rate: float | None = None

    @classmethod
    def simulate(cls) -> ActivitySource:
        return cls()

    @classmethod
    def synthetic(cls, rate: float, field: str = "activity") -> ActivitySource:
        """Synthetic activity at ``rate`` spikes per neuron per step; a rate outside 0..1 is refused under ``field``."""
        if not 0.0 <= rate <= 1.0:
            raise DesignError.single(field, f"synthetic:{rate}", ALLOWED)
        return cls(float(rate))

    @classmethod
    def parse(cls, value: ActivitySource | str, field: str = "activity") -> ActivitySource:
        """``'simulate'``, ``'synthetic:RATE'`` or an ActivitySource; anything else is refused under ``field``."""
        if isinstance(value, ActivitySource):
            return value
        if value == "simulate":
            return cls.simulate()
        if isinstance(value, str) and value.startswith("synthetic:"):
            try:
                rate = float(value.split(":", 1)[1])
            except ValueError:
                rate = -1.0
            if 0.0 <= rate <= 1.0:
                return cls(rate)
        raise DesignError.single(field, value, ALLOWED)

    @property
    def simulated(self) -> bool:
        return self.rate is None

    def __str__(self) -> str:
        return "simulate" if self.rate is None else f"synthetic:{self.rate}"
