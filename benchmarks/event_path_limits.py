"""How close the event path gets to this machine's limits, and where dense (BLAS) overtakes it.

On the first layer of ``sim_vs_peers``' network (784 → 512, float32, 1,000
rate-coded samples, T = 25), per input spike rate:

* the engine's event kernel (:func:`~snnexplorer.sim.kernels.lif_event`:
  listing, row additions, neuron steps) and the dense path (BLAS product, then
  :func:`~snnexplorer.sim.kernels.lif_dense`), medians of interleaved runs;
* the row additions alone, with the same event lists, two ways: rows from the
  real weight matrix (1.6 MB: L2/L3) and every event's row drawn from 8 rows
  (16 KB: always in L1). The second is the ceiling of the additions on this
  machine; the first, the ceiling with the weights where they are.

Prints milliseconds and G synaptic additions per second for each.

    python benchmarks/event_path_limits.py [--rates 0.02 0.1 0.3 0.5] [--repeats 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "2")
sys.path.insert(0, os.path.dirname(__file__))

import numba
import numpy as np
from numba import njit, prange
from sim_vs_peers import IDLE_S, STEPS, network

from snnexplorer.sim import engine
from snnexplorer.sim.kernels import _accumulate, weight_tiles


@njit(parallel=True, nogil=True)
def additions_only(tile, bias, event_input, slot_start, threads):
    """Every slot's current ← bias + its rows, as the event kernel adds them; no listing, no neuron step."""
    n_slots = slot_start.shape[0] - 1
    checksum = np.zeros(threads, dtype=np.float32)
    for worker in prange(threads):
        current = np.empty(tile.shape[1], dtype=tile.dtype)
        total = np.float32(0)
        for k in range(worker * n_slots // threads, (worker + 1) * n_slots // threads):
            # counts are read only for graded input: event_input stands in for them
            _accumulate(current, bias, tile, event_input, event_input, slot_start[k], slot_start[k + 1], False)
            total += current[0]
        checksum[worker] = total
    return checksum


def event_lists(spikes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(inputs int32, slot starts int64) of every (sample, step) slot, inputs increasing within a slot."""
    flat = spikes.reshape(-1, spikes.shape[2])
    slot, inputs = np.nonzero(flat)
    starts = np.zeros(len(flat) + 1, dtype=np.int64)
    np.cumsum(np.bincount(slot, minlength=len(flat)), out=starts[1:])
    return inputs.astype(np.int32), starts


def median_ms(functions: dict, repeats: int) -> dict:
    """Median milliseconds of each function, run in turn ``repeats`` times after one warm-up each.

    Each run starts after ``IDLE_S``: OpenBLAS's workers spin a while after a product, and would slow whatever runs
    next on a 2-core machine.
    """
    times = {name: [] for name in functions}
    for function in functions.values():
        function()
    for _ in range(repeats):
        for name, function in functions.items():
            time.sleep(IDLE_S)
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: 1e3 * statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", type=float, nargs="+", default=[0.02, 0.1, 0.3, 0.4, 0.5, 0.6])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    threads = numba.get_num_threads()
    weight, bias = network()[0]
    plan = engine._plan([(weight, bias)], 0.9, 1.0, False, [STEPS], [32], [32])[0]
    tile = weight_tiles(weight)[0]
    hot = tile.copy()
    print(f"layer 784 -> 512 float32, {args.samples} samples, T={STEPS}, {threads} threads, median of {args.repeats}")
    print(
        f"{'rate':>5} {'event ms':>9} {'dense ms':>9} {'adds ms':>8} {'L1 adds ms':>11} "
        f"{'event G/s':>10} {'adds G/s':>9} {'L1 G/s':>7}"
    )
    for rate in args.rates:
        spikes = (np.random.default_rng(1).random((args.samples, STEPS, weight.shape[0])) < rate).astype(np.uint8)
        inputs, starts = event_lists(spikes)
        in_l1 = (inputs % 8).astype(np.int32)  # the same events per slot, on rows 0..7 only
        ms = median_ms(
            {
                "event": lambda: engine._run_layer(plan, spikes, False, "event"),
                "dense": lambda: engine._run_layer(plan, spikes, False, "dense"),
                "adds": lambda: additions_only(tile, bias, inputs, starts, threads),
                "adds_l1": lambda: additions_only(hot, bias, in_l1, starts, threads),
            },
            args.repeats,
        )
        additions = len(inputs) * weight.shape[1]
        rate_g = {name: additions / value / 1e6 for name, value in ms.items()}
        print(
            f"{rate:5.2f} {ms['event']:9.1f} {ms['dense']:9.1f} {ms['adds']:8.1f} {ms['adds_l1']:11.1f} "
            f"{rate_g['event']:10.1f} {rate_g['adds']:9.1f} {rate_g['adds_l1']:7.1f}"
        )


if __name__ == "__main__":
    main()
