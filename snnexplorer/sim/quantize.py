"""Fixed-point quantization shared by the engine and the torch training model.

Per layer with ``weight_bits`` b < 32 (b = 32 means float32, not quantized):

* weights, symmetric with one scale per layer: ``s = max|W| / (2^(b-1) − 1)``,
  ``W_q = clip(round(W / s), −(2^(b-1) − 1), 2^(b-1) − 1)``; for b = 1,
  ``W_q = sign(W)`` (0 → +1) with ``s = mean|W|``;
* bias ``b_q = round(b / s)`` and threshold ``θ_q = max(1, round(θ / s))`` in the
  same unit, so that the membrane is an integer count of ``s``;
* membrane saturates to ``[−2^(m−1), 2^(m−1) − 1]`` for ``membrane_bits`` m;
* the leak is ``v ← ⌊v · β_q / 2^16⌋`` with ``β_q = round(β · 2^16)``.

All of it is integer arithmetic. The engine carries the integers in float64,
which holds them exactly (|values| < 2^53), so numpy, numba and torch agree bit
for bit. ``round`` is round-half-to-even in numpy and torch alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BETA_SHIFT = 16


@dataclass(frozen=True)
class FixedPointLayer:
    """A layer's integer weights (float64 holding integers) and its scale."""

    weight: np.ndarray
    bias: np.ndarray
    threshold: float
    scale: float
    v_min: float
    v_max: float


def weight_scale(weight: np.ndarray, bits: int) -> float:
    """The per-layer scale ``s`` (a weight unit per integer step)."""
    absolute = np.abs(np.asarray(weight, dtype=np.float64))
    if bits == 1:
        scale = float(absolute.mean())
    else:
        scale = float(absolute.max()) / (2 ** (bits - 1) - 1)
    return scale if scale > 0 else 1.0


def quantize_weights(weight: np.ndarray, bits: int, scale: float) -> np.ndarray:
    """Integer weights (as float64) for ``bits`` and ``scale``."""
    w = np.asarray(weight, dtype=np.float64)
    if bits == 1:
        return np.where(w >= 0, 1.0, -1.0)
    q = 2 ** (bits - 1) - 1
    return np.clip(np.round(w / scale), -q, q)


def membrane_range(bits: int) -> tuple[float, float]:
    """Saturation bounds of a ``bits``-wide signed membrane."""
    return float(-(2 ** (bits - 1))), float(2 ** (bits - 1) - 1)


def beta_fixed(beta: float) -> float:
    """β as an integer multiplier of 2^-16."""
    return float(round(beta * 2**BETA_SHIFT))


def quantize_layer(
    weight: np.ndarray, bias: np.ndarray, threshold: float, weight_bits: int, membrane_bits: int
) -> FixedPointLayer:
    """Quantize one layer as the module docstring says."""
    scale = weight_scale(weight, weight_bits)
    v_min, v_max = membrane_range(membrane_bits)
    return FixedPointLayer(
        weight=quantize_weights(weight, weight_bits, scale),
        bias=np.round(np.asarray(bias, dtype=np.float64) / scale),
        threshold=float(max(1.0, round(threshold / scale))),
        scale=scale,
        v_min=v_min,
        v_max=v_max,
    )
