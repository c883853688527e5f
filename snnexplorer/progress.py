"""Progress of long work, declared once: the events, the callable that receives them, and the terminal's rendering.

Long work (training, simulating a test set, sweeps) reports through a :data:`Progress` callable, so the layers doing
the work print nothing themselves. It receives two kinds of :data:`ProgressEvent`:

* :class:`Stage` — a stage begins (``Stage("simulating mnist on 1,000 test samples")``);
* :class:`Step` — how far the current stage is: ``done`` of ``total`` in a ``unit`` (batches of training, samples of
  STDP, points of a sweep), the time left, and for surrogate-gradient training the epoch and loss.
  :meth:`Step.describe` is the one text of a step every front end shows.

:class:`Reporter` renders them on stderr for the command line: a bar with rate and ETA on a terminal; elsewhere (a
log, CI) one line per stage and one at each tenth of the work. ``quiet`` silences everything but errors. The dashboard
shows the same :meth:`Step.describe` next to its progress bar.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

BAR_WIDTH = 24


@dataclass(frozen=True)
class Stage:
    """A stage of long work begins; ``text`` says what it does."""

    text: str


@dataclass(frozen=True)
class Step:
    """How far the current stage is: ``done`` of ``total`` ``unit`` ('batches', 'samples' or 'points'), ``eta_s``
    seconds left. Training by surrogate gradients adds its ``epoch`` of ``epochs``, the running ``loss`` and training
    ``accuracy`` (0..1) of the epoch so far; a sweep adds the ``row`` of metrics it just finished."""

    what: str
    done: int
    total: int
    unit: str
    eta_s: float
    epoch: int | None = None
    epochs: int | None = None
    loss: float | None = None
    accuracy: float | None = None
    row: dict | None = None

    @property
    def fraction(self) -> float:
        """Share of the stage done, 0..1."""
        return self.done / max(1, self.total)

    def describe(self, rate_per_s: float | None = None) -> str:
        """``main: epoch 2/3, loss 0.4120, ETA 12 s`` or ``stdp: 300/1,000 samples, 41.0 samples/s, ETA 17 s``."""
        if self.epoch is not None:
            what = f"{self.what}: epoch {self.epoch}/{self.epochs}, loss {self.loss:.4f}"
            if self.accuracy is not None:
                what += f", training accuracy {100 * self.accuracy:.1f} %"
        else:
            what = f"{self.what}: {self.done:,}/{self.total:,} {self.unit}"
        rate = [] if rate_per_s is None else [f"{rate_per_s:.1f} {self.unit}/s"]
        return ", ".join([what, *rate, f"ETA {self.eta_s:.0f} s"])


ProgressEvent = Stage | Step
Progress = Callable[[ProgressEvent], None]
"""What long work reports to: called with each :data:`ProgressEvent`."""


class Reporter:
    """Writes progress events to ``stream`` (see the module docstring)."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False, terminal: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self._started = time.perf_counter()
        self._tenths_shown = -1
        self._bar_open = False

    def __call__(self, event: ProgressEvent) -> None:
        if self.quiet:
            return
        if isinstance(event, Stage):
            self._line(event.text)
            self._started, self._tenths_shown = time.perf_counter(), -1
            return
        text = event.describe(rate_per_s=event.done / max(time.perf_counter() - self._started, 1e-9))
        fraction = event.fraction
        if self.terminal:
            filled = int(BAR_WIDTH * min(1.0, fraction))
            self.stream.write(f"\r  [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {100 * fraction:5.1f}%  {text}\x1b[K")
            self.stream.flush()
            self._bar_open = True
        elif int(10 * fraction) > self._tenths_shown:
            self._tenths_shown = int(10 * fraction)
            self._line(f"  {100 * fraction:5.1f}%  {text}")

    def _line(self, text: str) -> None:
        if self._bar_open:
            self.stream.write("\n")
            self._bar_open = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End an open bar with a newline."""
        if self._bar_open and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
        self._bar_open = False
