"""Background work where the latest request wins: the explorer's evaluations, knob pricing and uploads, and the study
page's runs. No Panel: the work runs in a worker thread (:func:`asyncio.to_thread`) of the page's event loop.

Work a user waits for (an edit's evaluation and redraw, an upload, a study) is *foreground*; work nobody waits for
(the knob chart's pricing) runs *behind* it, process-wide: it starts only once no session's foreground work has run
for :data:`QUIET_S`, and pauses between its steps while some runs. With many sessions editing at once the knob
charts wait, and the edits keep the cores."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

POLL_S = 0.3
"""Seconds between a page's looks at background work's progress (training, a study's rows)."""
NUMBERS_FIRST_S = 0.03
"""Seconds a served page's event loop is left to send an evaluation's numbers before the history is redrawn (most
edits only write new rows into the scatters, but a new unit on an axis is a HoloViews redraw of 0.2-0.4 s)."""


QUIET_S = 1.0
"""Seconds with no foreground work in any session before work behind it starts, or goes on after a pause."""


class ForegroundWork:
    """How much foreground work runs now in this process, and when the last ended (monotonic seconds)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = 0
        self._last_end = -float("inf")

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        with self._changed:
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._last_end = time.monotonic()
                self._changed.notify_all()

    def quiet_for(self) -> float:
        """Seconds since the last foreground work ended; 0 while some runs."""
        with self._changed:
            return 0.0 if self._running else time.monotonic() - self._last_end

    def wait_until_quiet(self, stop: Callable[[], bool]) -> bool:
        """Block this (worker) thread until no foreground work has run for :data:`QUIET_S` (True) or ``stop()`` is
        true (False)."""
        while not stop():
            quiet = self.quiet_for()
            if quiet >= QUIET_S:
                return True
            with self._changed:
                self._changed.wait(timeout=min(0.25, QUIET_S - quiet))
        return False


FOREGROUND = ForegroundWork()
"""The process's foreground work: every session's (a served dashboard's sessions share one process)."""


def loop_running() -> bool:
    """Whether an event loop runs this thread (a served page's, a notebook kernel's): background work finishes there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class LatestWins:
    """Hands out tickets; a ticket is current until the next :meth:`ticket` or :meth:`cancel`. Work started for an
    older ticket runs to its end (or stops early through :meth:`stale`), and its result is dropped by the caller."""

    def __init__(self) -> None:
        self._latest = 0

    def ticket(self) -> int:
        """A new request: every earlier ticket is stale from now on."""
        self._latest += 1
        return self._latest

    @property
    def latest(self) -> int:
        """The current ticket."""
        return self._latest

    def current(self, ticket: int) -> bool:
        return ticket == self._latest

    def cancel(self) -> None:
        """Make every ticket handed out stale."""
        self._latest += 1

    def stale(self, ticket: int, closed: Callable[[], bool] = lambda: False) -> Callable[[], bool]:
        """A ``stop`` callback for long work: true once ``ticket`` is no longer current (or ``closed()``)."""
        return lambda: ticket != self._latest or closed()

    async def run(self, ticket: int, function: Callable, *args: Any) -> tuple[bool, Any]:
        """``function(*args)`` in a worker thread, as foreground work; (whether ``ticket`` is still current, its
        result)."""
        result = await asyncio.to_thread(_in_foreground, function, *args)
        return self.current(ticket), result

    async def run_behind(self, ticket: int, stop: Callable[[], bool], function: Callable, *args: Any) -> tuple[bool, Any]:
        """``function(*args, pause_or_stop)`` in a worker thread behind every session's foreground work (see the
        module); ``pause_or_stop()``, called between its steps, waits while foreground work runs and is true once
        ``stop()`` is. (Whether ``ticket`` is still current, its result: None if it stopped before it started.)"""
        while FOREGROUND.quiet_for() < QUIET_S:  # waits here, on the event loop, not in a worker thread
            if stop():
                return False, None
            await asyncio.sleep(QUIET_S / 4)

        def pause_or_stop() -> bool:
            return not FOREGROUND.wait_until_quiet(stop)

        result = await asyncio.to_thread(function, *args, pause_or_stop)
        return self.current(ticket), result


def _in_foreground(function: Callable, *args: Any) -> Any:
    with FOREGROUND.running():
        return function(*args)
