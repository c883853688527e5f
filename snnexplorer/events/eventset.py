"""EventSet: the address events of many recordings, and how they become network input.

An event is (time, channel): its time in µs from the start of its recording,
and its channel ``p·H·W + y·W + x`` on a sensor of ``shape`` = (polarities or
channels, height, width); an audio data set (SHD) has shape (1, 1, units).
Samples are stored back to back (``offsets``), times sorted within each.

Binning rule (the ``events`` encoding): a recording of duration D µs becomes T
frames; event time t falls in frame ⌊t·T / D⌋ (clipped to T − 1), and a frame
holds, per channel, the number of events in it (saturated at 255). Per-layer
timesteps then resample layer 0's frames like any other spike train
(:mod:`snnexplorer.sim.resample`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit, prange

from ..io import atomic_write_bytes


@dataclass(frozen=True)
class EventSet:
    """Events of ``len(self)`` recordings (module docstring): ``times_us`` and ``channels`` [E], ``offsets`` [n + 1],
    ``durations_us`` [n], sensor ``shape`` (channels, height, width)."""

    times_us: np.ndarray
    channels: np.ndarray
    offsets: np.ndarray
    durations_us: np.ndarray
    shape: tuple[int, int, int]

    def __len__(self) -> int:
        return len(self.durations_us)

    @property
    def n_channels(self) -> int:
        """Inputs of one frame: C·H·W."""
        return int(np.prod(self.shape))

    def counts(self) -> np.ndarray:
        """Events per recording [n]."""
        return np.diff(self.offsets)

    def __getitem__(self, index: slice | np.ndarray) -> EventSet:
        """The recordings ``index`` (a slice or an array of sample numbers), as a new EventSet."""
        rows = np.arange(len(self))[index]
        starts, ends = self.offsets[rows], self.offsets[rows + 1]
        lengths = ends - starts
        take = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(lengths.sum())
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return EventSet(self.times_us[take], self.channels[take], offsets, self.durations_us[rows], self.shape)

    def bin(self, steps: int) -> np.ndarray:
        """Frames uint8 [n, T, C·H·W]: event counts per channel in each of ``steps`` equal time bins (module docstring)."""
        return _bin(self.times_us, self.channels, self.offsets, self.durations_us.astype(np.float64), steps, self.n_channels)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            times_us=self.times_us,
            channels=self.channels,
            offsets=self.offsets,
            durations_us=self.durations_us,
            shape=np.array(self.shape),
        )
        return buffer.getvalue()

    def save(self, path: str | Path) -> Path:
        """Write to ``path`` (.npz) atomically."""
        return atomic_write_bytes(path, self.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> EventSet:
        with np.load(path, allow_pickle=False) as stored:
            return cls(
                stored["times_us"],
                stored["channels"],
                stored["offsets"],
                stored["durations_us"],
                tuple(int(v) for v in stored["shape"]),
            )

    @classmethod
    def from_recordings(cls, recordings: list[tuple[np.ndarray, np.ndarray]], shape: tuple[int, int, int], durations_us=None):
        """From per-recording (times µs, channels) pairs; each recording's duration defaults to its last event + 1 µs."""
        times = [np.asarray(t, dtype=np.int64) for t, _ in recordings]
        order = [np.argsort(t, kind="stable") for t in times]
        lengths = np.array([len(t) for t in times], dtype=np.int64)
        if durations_us is None:
            durations_us = np.array([int(t.max()) + 1 if len(t) else 1 for t in times], dtype=np.int64)
        return cls(
            np.concatenate([t[o] for t, o in zip(times, order)] or [np.zeros(0, np.int64)]).astype(np.uint32),
            np.concatenate([np.asarray(c)[o] for (_, c), o in zip(recordings, order)] or [np.zeros(0)]).astype(np.int32),
            np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            np.asarray(durations_us, dtype=np.int64),
            tuple(int(v) for v in shape),
        )


@njit(cache=True, parallel=True)
def _bin(times, channels, offsets, durations, steps, n_channels):
    n = len(durations)
    out = np.zeros((n, steps, n_channels), dtype=np.uint8)
    for s in prange(n):
        scale = steps / max(durations[s], 1.0)
        for e in range(offsets[s], offsets[s + 1]):
            k = min(int(times[e] * scale), steps - 1)
            c = channels[e]
            if out[s, k, c] < 255:
                out[s, k, c] += 1
    return out
