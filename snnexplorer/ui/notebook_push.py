"""Notebook messages in the order they were made, while the frontend is still opening its comm.

Panel 1.9.4 (``panel.io.notebook.push``) computes a notebook update as a Bokeh patch at once, and when the
frontend has not opened the comm yet it re-schedules the send of that one message on its own 0.1 s timer. With
several messages waiting (Run All: the cells after the widget's edit the model before the browser has shown it)
the comm can open between two of those timers, and a later patch goes out before an earlier one. When the earlier
one defines a new figure (a trade-off scatter with a new log decade) the later one refers to it, the browser logs
"reference … isn't known", drops the patch, and the figure never appears.

:func:`install` replaces that ``push`` (in Panel's modules and HoloViews', which imported it by name) with one that
keeps a queue per comm: a message waits behind every earlier message of its comm, and the queue is sent in order
once the comm is open. Same messages, same comm, same binary flag; only the order is kept.
"""

from __future__ import annotations

import importlib
import weakref
from functools import partial

RETRY_S = 0.1
"""Seconds between looks at a comm the frontend has not opened yet (Panel's own interval)."""
PUSH_USERS = (
    "panel.io.notebook",
    "panel.reactive",
    "panel.pane.base",
    "panel.pane.plot",
    "panel.io.datamodel",
    "panel.widgets.misc",
    "holoviews.plotting.plot",
)
"""The modules that call Panel's ``push`` by a name of their own."""

_waiting: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # comm → messages not sent yet, oldest first


def ordered_push(document, comm, binary: bool = True, msg=None) -> None:
    """Send ``document``'s pending changes (or ``msg``) on ``comm`` after every message still waiting for it."""
    from panel.io.notebook import diff

    if msg is None:
        msg = diff(document, binary=binary)
    if msg is None:
        return
    queue = _waiting.setdefault(comm, [])
    queue.append(msg)
    if len(queue) == 1:
        _send_waiting(comm)


def _send_waiting(comm) -> None:
    """Send ``comm``'s waiting messages in order if it is open, else look again in :data:`RETRY_S`."""
    from panel.io.notebook import send
    from tornado.ioloop import IOLoop

    queue = _waiting.get(comm, [])
    if queue and not comm._comm:
        IOLoop.current().call_later(RETRY_S, partial(_send_waiting, comm))
        return
    while queue:
        send(comm, queue.pop(0))


def install() -> None:
    """Use :func:`ordered_push` wherever Panel and HoloViews push to a notebook (idempotent)."""
    for name in PUSH_USERS:
        module = importlib.import_module(name)
        if getattr(module, "push", None) is not ordered_push:
            module.push = ordered_push
