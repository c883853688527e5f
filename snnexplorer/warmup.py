"""Compile the numba kernels once, at install time: ``python -m snnexplorer.warmup`` (``make install`` runs it).

Each kernel compiles on its first call with each combination of argument types and keeps the machine code in its
``__pycache__`` (``cache=True``). Without this, a fresh installation pays that compilation — about 100 s on a
2-core machine — inside the first simulation, dashboard edit or test run. Here every kernel runs once on tiny
inputs through the same public paths the tool calls (:func:`snnexplorer.sim.simulate`, conv layers, imported
graphs, STDP learning and inference, the event-camera emulator), so the argument types are the ones real calls use.
"""

from __future__ import annotations

import time

import numpy as np


def _engine(rng: np.random.Generator) -> None:
    from .sim import Conv, simulate

    dense = [
        (rng.normal(0, 0.5, (16, 8)).astype(np.float32), np.zeros(8, np.float32)),
        (rng.normal(0, 0.5, (8, 3)).astype(np.float32), np.zeros(3, np.float32)),
    ]
    for rate in (0.05, 0.6):  # the event path, and the dense one
        spikes = (rng.random((4, 5, 16)) < rate).astype(np.uint8)
        simulate(dense, spikes)
        simulate(dense, spikes, weight_bits=8, membrane_bits=16)
        simulate(dense, spikes, timesteps=[5, 3], rule="rate")
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


def _stdp(rng: np.random.Generator) -> None:
    from .stdp.learn import responses, train
    from .stdp.rule import STDPRule

    images = rng.random((2, 784))
    for rule in (STDPRule.diehl_cook(), STDPRule.fspinn(weight_bits=8)):
        weights, theta, _ = train(rule, 4, images, steps=10)
        responses(rule, weights, theta, images, steps=10, seed=0, stream=0)


def _events(rng: np.random.Generator) -> None:
    from .events.emulator import emulate

    emulate(rng.random((2, 28, 28)).astype(np.float32)).bin(4)


def main() -> None:
    started = time.perf_counter()
    rng = np.random.default_rng(0)
    for part in (_engine, _graph, _stdp, _events):
        part(*([rng] if part is not _graph else []))
    print(f"numba kernels compiled and cached in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
