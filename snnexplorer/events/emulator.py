"""An event-camera emulator: static images → address events, as N-MNIST was recorded.

N-MNIST (Orchard et al., Frontiers in Neuroscience 2015) was made by moving an
ATIS event camera in three saccades in front of a screen showing each MNIST
digit: 34×34 pixels, ON/OFF polarity, about 300 ms per digit. The emulator
does the same to the pixels instead of a screen:

* **Motion.** The 28×28 image sits on a dark 34×34 canvas; its top-left corner
  follows the triangle (0, 0) → (3, 6) → (6, 0) → (0, 0) px (x, y), one saccade
  of :data:`SACCADE_US` µs per side, sampled at :data:`FRAMES_PER_SACCADE` frames
  per saccade with bilinear interpolation between pixels.
* **Pixels.** Each pixel tracks log(I + :data:`LOG_OFFSET`) (I in [0, 1]) and
  emits an event each time it moves :data:`THRESHOLD` (× the pixel's own
  mismatch factor 1 + :data:`MISMATCH`·N(0, 1), fixed per ``seed``) away from
  its reference level: ON (channel 0) when brighter, OFF (channel 1) when
  darker; the reference moves by the threshold per event. Crossing times are
  interpolated linearly within the frame interval; a pixel that fired less than
  :data:`REFRACTORY_US` µs ago drops the event (its reference still moves).

How it differs from the recordings: no sensor noise or background activity, no
bias drift or flicker, no lens blur, an ideal linear saccade instead of a
motor's, and the screen's pixel grid is the image's own. The event counts are
of the recordings' order (N-MNIST: about 4,000 per digit); what it yields is
reported by ``snnexplorer data``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .eventset import EventSet

CANVAS = 34
SENSOR_SHAPE = (2, CANVAS, CANVAS)
PATH_PX = np.array([[0.0, 0.0], [3.0, 6.0], [6.0, 0.0], [0.0, 0.0]])
SACCADE_US = 100_000
FRAMES_PER_SACCADE = 20
THRESHOLD = 0.5
MISMATCH = 0.03
LOG_OFFSET = 0.1
REFRACTORY_US = 1_000
DURATION_US = SACCADE_US * (len(PATH_PX) - 1)
VERSION = 1
"""Bumped when the model changes, so cached builds are rebuilt."""


def emulate(images: np.ndarray, seed: int = 0) -> EventSet:
    """Events of ``images`` [n, 784] (28×28, values in [0, 1]) on a 2×34×34 sensor; deterministic for ``seed``."""
    images = np.ascontiguousarray(np.asarray(images, dtype=np.float32).reshape(-1, 28, 28))
    thresholds = (THRESHOLD * (1.0 + MISMATCH * np.random.default_rng(seed).standard_normal((CANVAS, CANVAS)))).astype(np.float32)
    thresholds = np.maximum(thresholds, np.float32(0.05 * THRESHOLD))
    frames = _frame_offsets()
    counts = _events(
        images, thresholds, frames, np.zeros(1, np.uint32), np.zeros(1, np.int32), np.zeros(len(images) + 1, np.int64), False
    )
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    times = np.empty(offsets[-1], dtype=np.uint32)
    channels = np.empty(offsets[-1], dtype=np.int32)
    _events(images, thresholds, frames, times, channels, offsets, True)
    return EventSet(times, channels, offsets, np.full(len(images), DURATION_US, dtype=np.int64), SENSOR_SHAPE)


def _frame_offsets() -> np.ndarray:
    """(time µs, x, y) of every frame: the image's top-left corner along the saccade path."""
    rows = []
    for side in range(len(PATH_PX) - 1):
        start, end = PATH_PX[side], PATH_PX[side + 1]
        for k in range(FRAMES_PER_SACCADE):
            share = k / FRAMES_PER_SACCADE
            rows.append([(side + share) * SACCADE_US, *(start + share * (end - start))])
    rows.append([DURATION_US, *PATH_PX[-1]])
    return np.array(rows, dtype=np.float64)


@njit(cache=True)
def _canvas(image, ox, oy, out):
    """Bilinear sample of ``image`` placed with its top-left at (ox, oy) on the canvas; 0 outside."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            y, x = i - oy, j - ox
            y0, x0 = int(np.floor(y)), int(np.floor(x))
            fy, fx = y - y0, x - x0
            value = 0.0
            for dy in range(2):
                for dx in range(2):
                    yy, xx = y0 + dy, x0 + dx
                    if 0 <= yy < 28 and 0 <= xx < 28:
                        weight = (fy if dy else 1.0 - fy) * (fx if dx else 1.0 - fx)
                        value += weight * image[yy, xx]
            out[i, j] = value


@njit(cache=True, parallel=True)
def _events(images, thresholds, frames, times, channels, offsets, fill):
    """Count (``fill`` false) or write (true, at ``offsets``) the events of every image; returns the counts."""
    n = images.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    side = thresholds.shape[0]
    for s in prange(n):
        canvas = np.empty((side, side), dtype=np.float64)
        _canvas(images[s], frames[0, 1], frames[0, 2], canvas)
        reference = np.log(canvas + LOG_OFFSET)
        last = np.full((side, side), -1e18)
        written = 0
        for f in range(1, frames.shape[0]):
            t0, t1 = frames[f - 1, 0], frames[f, 0]
            _canvas(images[s], frames[f, 1], frames[f, 2], canvas)
            for i in range(side):
                for j in range(side):
                    change = np.log(canvas[i, j] + LOG_OFFSET) - reference[i, j]
                    theta = thresholds[i, j]
                    crossings = int(abs(change) / theta)
                    if crossings == 0:
                        continue
                    polarity = 0 if change > 0 else 1
                    for k in range(1, crossings + 1):
                        t = t0 + (t1 - t0) * (k * theta) / abs(change)
                        if t - last[i, j] < REFRACTORY_US:
                            continue
                        last[i, j] = t
                        if fill:
                            index = offsets[s] + written
                            times[index] = np.uint32(min(t, DURATION_US - 1))
                            channels[index] = polarity * side * side + i * side + j
                        written += 1
                    reference[i, j] += (1.0 if change > 0 else -1.0) * crossings * theta
        counts[s] = written
    return counts
