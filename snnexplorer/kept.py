"""Results kept in this process for reuse (simulations, rate codes): bounded, thread-safe, and forgotten at once.

A served dashboard forgets what it keeps when its last page closes. Work that was already running then (a knob
chart's pricing step, another thread's simulation) finishes after the forgetting; its result must not be kept, or
the idle server would hold it. So :meth:`Kept.put` takes the :meth:`Kept.since` token taken when the work started,
and keeps nothing if :meth:`Kept.forget` ran in between.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Kept(Generic[Value]):
    """Values by key, the most recently used last; after a put, the least recently used go until ``fits(values)``.
    ``lock`` guards them; hold it to make a look-up and other bookkeeping of the caller's one step."""

    def __init__(self, fits: Callable[[list[Value]], bool]) -> None:
        self._values: OrderedDict[Hashable, Value] = OrderedDict()
        self._fits = fits
        self._forgotten = 0
        self.lock = threading.RLock()

    def get(self, key: Hashable) -> Value | None:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self.lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def since(self) -> int:
        """A token for :meth:`put`: take it before the work whose result is to be kept starts."""
        with self.lock:
            return self._forgotten

    def put(self, key: Hashable, value: Value, since: int) -> bool:
        """Keep ``value`` unless :meth:`forget` ran after ``since`` was taken (or it alone does not fit); whether it
        is kept."""
        with self.lock:
            if since != self._forgotten:
                return False
            self._values[key] = value
            self._values.move_to_end(key)
            while self._values and not self._fits(list(self._values.values())):
                self._values.popitem(last=False)
            return key in self._values

    def forget(self) -> None:
        """Drop every value; work started before this keeps nothing."""
        with self.lock:
            self._values.clear()
            self._forgotten += 1

    def values(self) -> list[Value]:
        with self.lock:
            return list(self._values.values())

    def __len__(self) -> int:
        with self.lock:
            return len(self._values)
