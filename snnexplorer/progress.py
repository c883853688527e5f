"""Progress of long command-line jobs: a bar with rate and ETA on a terminal, one line per stage otherwise.

Long work (training, simulating a test set, sweeps) reports through plain
callables that take a dict, so the layers doing the work print nothing
themselves. :class:`Reporter` turns those dicts into text on stderr:

* ``{"stage": text}`` starts a stage: one line everywhere;
* training progress (``network``, ``fraction``, ``eta_s``, and ``epoch``/``loss``
  for surrogate gradients or ``done``/``total`` samples for STDP) and sweep
  progress (``done``, ``total``, ``eta_s``) redraw a bar on a terminal; elsewhere
  (a log, CI) a line at each tenth of the work.

``quiet`` silences everything but errors.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 24


class Reporter:
    """Writes progress dicts to ``stream`` (see the module docstring)."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False, terminal: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self._started = time.perf_counter()
        self._tenths_shown = -1
        self._bar_open = False

    def __call__(self, info: dict) -> None:
        if self.quiet:
            return
        if "stage" in info:
            self._line(info["stage"])
            self._started, self._tenths_shown = time.perf_counter(), -1
            return
        fraction = float(info.get("fraction", info["done"] / max(1, info["total"]) if "total" in info else 0.0))
        text = self._describe(info, fraction)
        if self.terminal:
            filled = int(BAR_WIDTH * min(1.0, fraction))
            self.stream.write(f"\r  [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {100 * fraction:5.1f}%  {text}\x1b[K")
            self.stream.flush()
            self._bar_open = True
        elif int(10 * fraction) > self._tenths_shown:
            self._tenths_shown = int(10 * fraction)
            self._line(f"  {100 * fraction:5.1f}%  {text}")

    def _describe(self, info: dict, fraction: float) -> str:
        elapsed = time.perf_counter() - self._started
        if "epoch" in info:
            what = f"{info['network']}: epoch {info['epoch']}/{info['epochs']}, loss {info['loss']:.4f}"
            batches = (info["epoch"] - 1) * info["batches"] + info["batch"]
            rate = f"{batches / max(elapsed, 1e-9):.1f} batches/s"
        else:
            unit = "samples" if "network" in info else "points"
            what = f"{info.get('network', 'sweep')}: {info.get('done', 0):,}/{info.get('total', 0):,} {unit}"
            rate = f"{info.get('done', 0) / max(elapsed, 1e-9):.1f} {unit}/s"
        return ", ".join(part for part in (what, rate, f"ETA {info.get('eta_s', 0.0):.0f} s") if part)

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
