"""Sweep throughput in points per second: cost-only and simulate+cost, in process and on a 2-worker LocalCluster.

cost-only: 784-256-10 on every hardware preset × 40 timestep counts with
synthetic activity (no simulation): each point its own Activity.
hardware variants: the trained mnist-baseline on edge-soc, 10,368 memory
variants (L1 and L2 capacity, L2 and DRAM read energy) sharing one simulated
Activity: priced in one vectorized call (``Study.plan``). simulate+cost: a
small trained digits network (trained once, cached) swept over timesteps ×
weight bits, so each point simulates the 360 test digits and prices them.

    python benchmarks/sweep_throughput.py
"""

from __future__ import annotations

import os
import tempfile
import time

from snnexplorer.explore import Study, run_study
from snnexplorer.explore.cluster import make_client

COST_ONLY = {
    "name": "cost-only",
    "base": {"network": {"hidden": [256]}},
    "activity": "synthetic:0.1",
    "axes": {"hardware.preset": "all", "timesteps": list(range(1, 41))},
}
CAPACITIES = [2**k for k in range(10, 22)]
HARDWARE_VARIANTS = {
    "name": "hardware-variants",
    "base": "mnist-baseline",
    "activity": "simulate",
    "axes": {
        "hardware.overrides": [
            {"L1.capacity_bytes": l1, "L2.capacity_bytes": l2, "L2.read_pj": l2_pj, "DRAM.read_pj": dram_pj}
            for l1 in CAPACITIES
            for l2 in CAPACITIES
            for l2_pj in (5.0, 10.0, 20.0, 40.0, 80.0, 160.0)
            for dram_pj in (100.0, 200.0, 400.0, 800.0, 1600.0, 3200.0)
        ]
    },
}
SIMULATE = {
    "name": "simulate",
    "activity": "simulate",
    "base": {
        "dataset": {"name": "digits", "test_samples": 360},
        "network": {"hidden": [64]},
        "training": {"epochs": 5, "timesteps": 8, "batch_size": 64, "lr": 0.003},
    },
    "axes": {"timesteps": list(range(2, 22, 2)), "quantization.weight_bits": [32, 8, 4]},
}


def timed(study: Study, client) -> float:
    start = time.perf_counter()
    run_study(study, client=client)
    return len(study.points()) / (time.perf_counter() - start)


def main() -> None:
    os.environ.setdefault("SNNEXPLORER_CACHE", tempfile.mkdtemp(prefix="snnx-bench-"))
    cost_only, simulate = Study.from_dict(COST_ONLY), Study.from_dict(SIMULATE)
    run_study(Study.from_dict({**SIMULATE, "axes": {"timesteps": [8]}}))  # train once, warm the numba cache
    start = time.perf_counter()
    variants = Study.from_dict(HARDWARE_VARIANTS)
    parsed = time.perf_counter() - start
    run_study(Study.from_dict({**HARDWARE_VARIANTS, "axes": {}}))  # simulate the shared Activity once (cached)
    print(
        f"in process:   cost-only {timed(cost_only, None):8.1f} points/s ({len(cost_only.points())} points), "
        f"simulate+cost {timed(simulate, None):6.1f} points/s ({len(simulate.points())} points)"
    )
    print(
        f"in process:   hardware variants of one Activity {timed(variants, None):9.1f} points/s "
        f"({len(variants.points()):,} points; the study parsed and checked in {parsed:.2f} s)"
    )
    client = make_client(workers=2)
    try:
        warm = Study.from_dict({**SIMULATE, "axes": {"timesteps": [8, 9, 10, 11]}})
        run_study(warm, client=client)  # each worker loads data, weights and the numba cache once
        print(
            f"LocalCluster: cost-only {timed(cost_only, client):8.1f} points/s, "
            f"simulate+cost {timed(simulate, client):6.1f} points/s (2 workers, 1 thread each)"
        )
    finally:
        client.close()


if __name__ == "__main__":
    main()
