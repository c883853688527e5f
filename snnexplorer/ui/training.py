"""Training a design from the dashboard: in a worker thread, with progress, cancellable. param only, no Panel."""

from __future__ import annotations

import asyncio
import threading

import param

from ..design import Design
from ..errors import DesignError, TrainingCancelled
from ..progress import ProgressEvent, Step
from .outputs import Outputs
from .runner import POLL_S


class TrainingJob(Outputs):
    """Trains (or loads) a design's weights; ``progress`` and ``progress_text`` follow the latest step."""

    training = param.Boolean(default=False, constant=True)
    progress = param.Number(default=0.0, bounds=(0.0, 1.0), constant=True)
    progress_text = param.String(default="", constant=True)

    def __init__(self, **params):
        super().__init__(**params)
        self._cancel = threading.Event()

    async def run(self, design: Design) -> str:
        """Train ``design`` (cached on disk when done); "" when trained, else why not."""
        from ..train import load_or_train

        self._cancel.clear()
        self._set(training=True, progress=0.0, progress_text="starting…")
        latest: list[Step] = []

        def progress(event: ProgressEvent) -> None:
            if isinstance(event, Step):  # a stage line comes first, then the steps
                latest[:] = [event]

        async def poll() -> None:
            while self.training:
                if latest:
                    self._set(progress=latest[0].fraction, progress_text=latest[0].describe())
                await asyncio.sleep(POLL_S)

        poller = asyncio.ensure_future(poll())
        try:
            await asyncio.to_thread(load_or_train, design, progress, self._cancel)
            message = ""
        except TrainingCancelled:
            message = "Training cancelled."
        except DesignError as exc:  # e.g. more memory than this machine has
            message = exc.bullets("Training refused:")
        finally:
            self._set(training=False)
            await poller
        self._set(progress=0.0, progress_text="")
        return message

    def cancel(self) -> None:
        self._cancel.set()
