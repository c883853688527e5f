"""Compile the numba kernels once, at install time: ``python -m snnexplorer.warmup`` (``make install`` runs it).

Each kernel compiles on its first call with each combination of argument types and keeps the machine code in its
``__pycache__`` (``cache=True``). Without this, a fresh installation pays that compilation — about 130 s of one
core — inside the first simulation, dashboard edit or test run; here it runs in groups, one process per core. Here every kernel runs once on tiny
inputs through the same public paths the tool calls (:func:`snnexplorer.sim.simulate`, conv layers, imported
graphs, STDP learning and inference, the event-camera emulator), so the argument types are the ones real calls use.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def _dense(rate: float) -> None:
    """The dense engine's kernels at ``rate`` input spikes per step: 0.05 takes the event path, 0.6 the dense one."""
    from .sim import simulate

    rng = np.random.default_rng(0)
    dense = [
        (rng.normal(0, 0.5, (16, 8)).astype(np.float32), np.zeros(8, np.float32)),
        (rng.normal(0, 0.5, (8, 3)).astype(np.float32), np.zeros(3, np.float32)),
    ]
    spikes = (rng.random((4, 5, 16)) < rate).astype(np.uint8)
    simulate(dense, spikes)
    simulate(dense, spikes, weight_bits=8, membrane_bits=16)
    simulate(dense, spikes, timesteps=[5, 3], rule="rate")


def _conv() -> None:
    from .sim import Conv, simulate

    rng = np.random.default_rng(0)
    conv = Conv(rng.normal(0, 0.5, (2, 1, 3, 3)).astype(np.float32), np.zeros(2, np.float32), (1, 6, 6), pool=2)
    head = (rng.normal(0, 0.5, (2 * 2 * 2, 3)).astype(np.float32), np.zeros(3, np.float32))
    pixels = rng.random((2, 3, 36)).astype(np.float32)
    simulate([conv, head], (pixels < 0.3).astype(np.uint8))
    simulate([conv, head], pixels)  # direct encoding: analog input
    simulate([conv, head], (pixels < 0.3).astype(np.uint8), weight_bits=8, membrane_bits=16)


def _graph() -> None:
    from .sim.neurons import NeuronCoefficients

    ones, zeros = np.ones(4, np.float32), np.zeros(4, np.float32)
    for synapse, spiking in ((False, True), (True, True), (False, False)):
        NeuronCoefficients(ones * 0.9, ones, ones * 0.9, zeros, ones, ones, zeros, synapse, spiking).step(
            np.ones((2, 3, 4), np.float32)
        )


def _stdp() -> None:
    from .stdp.learn import responses, train
    from .stdp.rule import STDPRule

    images = np.random.default_rng(0).random((2, 784))
    for rule in (STDPRule.diehl_cook(), STDPRule.fspinn(weight_bits=8)):
        weights, theta, _ = train(rule, 4, images, steps=10)
        responses(rule, weights, theta, images, steps=10, seed=0, stream=0)


def _events() -> None:
    from .events.emulator import emulate

    emulate(np.random.default_rng(0).random((2, 28, 28)).astype(np.float32)).bin(4)


PARTS = ((_conv,), (_dense, 0.05), (_dense, 0.6), (_stdp,), (_graph,), (_events,))
"""The kernels in groups, the longest to compile first (72, 44, 30, 19, 13 and 6 s alone on this 2-core machine)."""


def _compile(part: tuple) -> None:
    function, *args = part
    function(*args)


def main() -> None:
    """Compile every group, one process per core: each process writes its kernels to the same ``__pycache__``."""
    started = time.perf_counter()
    spawn = multiprocessing.get_context("spawn")  # no numba state crosses from this process
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=spawn) as pool:
        list(pool.map(_compile, PARTS))
    print(f"numba kernels compiled and cached in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
