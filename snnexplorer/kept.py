"""Results kept in this process for reuse (simulations, rate codes): bounded, thread-safe, and let go at once.

A served dashboard lets go of what it keeps when its last page closes (:meth:`Kept.stop_keeping`) until a page opens
again (:meth:`Kept.keep_again`). Work still running then (a knob chart's pricing step, another thread's simulation)
finishes after; its result must not be kept, or the idle server would hold it. So nothing is kept while keeping is
stopped, and :meth:`Kept.put` takes the :meth:`Kept.since` token taken when the work started and keeps nothing if the
values were let go in between.
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
        self._keeping = True
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
        """Keep ``value`` unless keeping is stopped or was stopped after ``since`` was taken (or it alone does not
        fit); whether it is kept."""
        with self.lock:
            if since != self._forgotten or not self._keeping:
                return False
            self._values[key] = value
            self._values.move_to_end(key)
            while self._values and not self._fits(list(self._values.values())):
                self._values.popitem(last=False)
            return key in self._values

    def stop_keeping(self) -> None:
        """Drop every value and keep none until :meth:`keep_again`; work started before keeps nothing either."""
        with self.lock:
            self._values.clear()
            self._forgotten += 1
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
