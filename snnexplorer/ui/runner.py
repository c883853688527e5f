"""Background work where the latest request wins: the explorer's evaluations, knob pricing and uploads, and the study
page's runs. No Panel: the work runs in a worker thread (:func:`asyncio.to_thread`) of the page's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

POLL_S = 0.3
"""Seconds between a page's looks at background work's progress (training, a study's rows)."""
NUMBERS_FIRST_S = 0.03
"""Seconds a served page's event loop is left to send an evaluation's numbers before the history is redrawn (most
edits only write new rows into the scatters, but a new unit on an axis is a HoloViews redraw of 0.2-0.4 s)."""


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
        """``function(*args)`` in a worker thread; (whether ``ticket`` is still current, its result)."""
        result = await asyncio.to_thread(function, *args)
        return self.current(ticket), result
