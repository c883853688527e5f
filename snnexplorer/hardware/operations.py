"""Compute energy as a function of operand bits and number format: a cited table scales a preset's figures.

A preset quotes ``accumulate_pj``, ``mac_pj`` and ``neuron_update_pj`` at its
reference format (float32 for the CMOS presets, the figures of Horowitz's
45 nm table). Its ``operation_table`` (``presets/operations/NAME.yaml``) says
how an operation's energy changes with the format a layer runs in; ``none``
keeps the quoted figures at every width (a fixed-function datapath, e.g. a
neuromorphic core). With a table, per layer:

* an accumulate (synaptic op) is an add at the membrane's width (its format:
  float for 32-bit membranes, integer otherwise);
* a MAC is a multiply of a weight by an activation plus an add into a
  32-bit accumulator of the weight's format; an integer array multiplier's
  energy grows with the product of the widths, so a w × a multiply is priced
  at the table's width √(w·a);
* a neuron update is a leak multiply plus two adds (integrate, threshold
  compare) at the membrane width;

each scaled by ``table(op, format, bits) / table(op, float, 32)``, so a preset
quoting Horowitz's float32 numbers gets Horowitz's int8 numbers for int8
layers. Widths of 32 bits mean float32 (the Design's convention), narrower
ones integers.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..hardware_schema import NO_OPERATION_TABLE, operation_table_path
from ..yaml_input import read_yaml
from .workload import ACCUMULATOR_BITS

FLOAT_BITS = 32


@lru_cache(maxsize=8)
def operation_table(name: str) -> dict:
    """Table ``name`` (a choice of ``compute.operation_table``): ``operations: {format: {op: {bits: pJ}}}``, ``source``."""
    return read_yaml(operation_table_path(name))


def energy_pj(table: dict, fmt: str, op: str, bits: np.ndarray) -> np.ndarray:
    """pJ of ``op`` ('add' or 'mult') in ``fmt`` ('integer' or 'float') at ``bits``, log-log interpolated."""
    points = sorted((int(b), float(e)) for b, e in table["operations"][fmt][op].items())
    x = np.log([b for b, _ in points])
    y = np.log([e for _, e in points])
    lb = np.log(np.asarray(bits, dtype=np.float64))
    slope = (y[-1] - y[0]) / (x[-1] - x[0]) if len(points) > 1 else 0.0
    inside = np.interp(lb, x, y)
    below = y[0] + slope * (lb - x[0])
    above = y[-1] + slope * (lb - x[-1])
    return np.exp(np.where(lb < x[0], below, np.where(lb > x[-1], above, inside)))


def _per_format(table: dict, op: str, bits: np.ndarray) -> np.ndarray:
    bits = np.asarray(bits, dtype=np.float64)
    return np.where(
        bits >= FLOAT_BITS,
        energy_pj(table, "float", op, np.full_like(bits, FLOAT_BITS)),
        energy_pj(table, "integer", op, np.maximum(bits, 1.0)),
    )


def operation_scale(
    table_name: str, weight_bits: np.ndarray, state_bits: np.ndarray, activation_bits: np.ndarray | None = None
) -> np.ndarray:
    """[3, layers]: the factor on the preset's accumulate, MAC and neuron-update energy for each layer's widths
    (``activation_bits``: the MACs' other operand; default the weight width)."""
    weight_bits = tuple(np.asarray(weight_bits, dtype=np.float64).tolist())
    state_bits = tuple(np.asarray(state_bits, dtype=np.float64).tolist())
    activation_bits = weight_bits if activation_bits is None else tuple(np.asarray(activation_bits, dtype=np.float64).tolist())
    return _operation_scale(table_name, weight_bits, state_bits, activation_bits).copy()


@lru_cache(maxsize=256)
def _operation_scale(table_name: str, weight_bits: tuple, state_bits: tuple, activation_bits: tuple) -> np.ndarray:
    """:func:`operation_scale` of widths given as tuples (kept: a search prices the same widths many times)."""
    weight_bits = np.array(weight_bits, dtype=np.float64)
    state_bits = np.array(state_bits, dtype=np.float64)
    activation_bits = np.array(activation_bits, dtype=np.float64)
    if table_name == NO_OPERATION_TABLE:
        return np.ones((3, len(weight_bits)))
    table = operation_table(table_name)
    f32 = np.array([FLOAT_BITS], dtype=np.float64)
    add32, mult32 = energy_pj(table, "float", "add", f32)[0], energy_pj(table, "float", "mult", f32)[0]
    accumulate = _per_format(table, "add", state_bits) / add32
    accumulator = np.where(
        weight_bits >= FLOAT_BITS, add32, energy_pj(table, "integer", "add", np.full_like(weight_bits, ACCUMULATOR_BITS))
    )
    integer = (weight_bits < FLOAT_BITS) & (activation_bits < FLOAT_BITS)
    product_bits = np.where(integer, np.sqrt(weight_bits * np.minimum(activation_bits, FLOAT_BITS)), FLOAT_BITS)
    mac = (_per_format(table, "mult", product_bits) + accumulator) / (mult32 + add32)
    update = (_per_format(table, "mult", state_bits) + 2 * _per_format(table, "add", state_bits)) / (mult32 + 2 * add32)
    return np.stack([accumulate, mac, update])


SOP_PROXY_TABLE = "horowitz-45nm"


def sop_proxy_pj() -> tuple[float, float]:
    """(E_AC, E_MAC) of the usual hand estimate: Horowitz's 45 nm float32 add and multiply-add (0.9, 4.6 pJ)."""
    table = operation_table(SOP_PROXY_TABLE)
    f32 = np.array([FLOAT_BITS], dtype=np.float64)
    add = float(energy_pj(table, "float", "add", f32)[0])
    return add, float(energy_pj(table, "float", "mult", f32)[0]) + add


def sop_proxy_j(accumulates: float, macs: float) -> float:
    """The estimate papers compute by hand: accumulates × E_AC + MACs × E_MAC, no memory at all (J)."""
    e_ac, e_mac = sop_proxy_pj()
    return (accumulates * e_ac + macs * e_mac) * 1e-12
