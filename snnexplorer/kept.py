"""Results kept in this process for reuse (simulations, rate codes): bounded, thread-safe, and let go at once.

A served dashboard lets go of what it keeps when its last page closes (:meth:`Kept.stop_keeping`) until a page opens
again (:meth:`Kept.keep_again`). Work still running then (a knob chart's pricing step, another thread's simulation)
finishes after; its result must not be kept, or the idle server would hold it. So nothing is kept while keeping is
stopped.
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
        self._keeping = True
        self.lock = threading.RLock()

    def get(self, key: Hashable) -> Value | None:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self.lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Value) -> bool:
        """Keep ``value`` unless keeping is stopped (or it alone does not fit); whether it is kept."""
        with self.lock:
            if not self._keeping:
                return False
            self._values[key] = value
            self._values.move_to_end(key)
            while self._values and not self._fits(list(self._values.values())):
                self._values.popitem(last=False)
            return key in self._values

    def stop_keeping(self) -> None:
        """Drop every value and keep none until :meth:`keep_again` (work still running keeps nothing either)."""
        with self.lock:
            self._values.clear()
            self._keeping = False

    def keep_again(self) -> None:
        """Keep what is put from now on (a page opened)."""
        with self.lock:
            self._keeping = True

    def values(self) -> list[Value]:
        """The kept values, least recently used first."""
        with self.lock:
            return list(self._values.values())

    def __len__(self) -> int:
        with self.lock:
            return len(self._values)
