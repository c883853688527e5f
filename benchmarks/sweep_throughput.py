"""Sweep throughput in points per second: cost-only and simulate+cost, in process and on a 2-worker LocalCluster.

cost-only: 784-256-10 on every hardware preset × 40 timestep counts with
synthetic activity (no simulation). simulate+cost: a small trained digits
network (trained once, cached) swept over timesteps × weight bits, so each
point simulates the 360 test digits and prices them.

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
    print(
        f"in process:   cost-only {timed(cost_only, None):8.1f} points/s ({len(cost_only.points())} points), "
        f"simulate+cost {timed(simulate, None):6.1f} points/s ({len(simulate.points())} points)"
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
