"""The hardware model's three headline effects, with synthetic activity, and its speed.

(a) One 784-1024-1024-10 network on the edge SoC against ten one-vs-rest
    specialists 784-64-64-2 (Lebdeh et al. 2024): DRAM traffic and energy.
(b) Equal parameter count, narrow-deep against wide-shallow, on the edge SoC,
    under both loop orders.
(c) Per hardware preset, the input spike rate below which the SNN (T = 25,
    8-bit weights) costs less energy than its ANN twin (Ottati et al. 2023).
(d) Speed: milliseconds to cost one design; hardware variants per second.

    python benchmarks/memory_effects.py
"""

from __future__ import annotations

import time

import numpy as np

from snnexplorer.design import Design
from snnexplorer.pipeline import architecture_of, cost_design, cost_design_variants, evaluate, synthetic_for
from snnexplorer.presets import hardware_preset_names

RATE = 0.1


def dram_bytes(report, level="DRAM"):
    table = report.breakdown
    return float(table[table.level == level].bytes.sum())


def part_a() -> None:
    big = Design.from_dict({"name": "monolithic", "network": {"hidden": [1024, 1024]}, "hardware": {"preset": "edge-soc"}})
    small = Design.from_dict(
        {
            "name": "specialists",
            "hardware": {"preset": "edge-soc"},
            "specialization": {"experts": 10, "grouping": "one-vs-rest", "hidden": [64, 64]},
        }
    )
    print(f"(a) specialization on edge-soc, synthetic rate {RATE}, T = 25, float32, batch 1, timestep-major")
    rows = []
    for design in (big, small):
        r = evaluate(design, f"synthetic:{RATE}")
        weights = r.breakdown[r.breakdown.kind == "weights"]
        rows.append((design.name, r.footprint_bytes, dram_bytes(r), r.energy_j, r.latency_s, weights.energy_j.sum() / r.energy_j))
        print(
            f"    {design.name:12s} footprint {r.footprint_bytes / 2**20:6.2f} MiB  DRAM {dram_bytes(r) / 2**20:7.2f} MiB/inference  "
            f"energy {r.energy_j * 1e6:8.1f} µJ  latency {r.latency_s * 1e6:8.1f} µs  weights share {rows[-1][-1]:.0%}"
        )
    print(
        f"    ratio monolithic / specialists: DRAM {rows[0][2] / rows[1][2]:.1f}x, energy {rows[0][3] / rows[1][3]:.1f}x, "
        f"latency {rows[0][4] / rows[1][4]:.1f}x"
    )


def part_b() -> None:
    print(f"(b) equal parameters (0.93 M) on edge-soc, synthetic rate {RATE}, T = 25, batch 1")
    shapes = {"wide-shallow 784-1172-10": [1172], "narrow-deep 784-512x3-10": [512, 512, 512]}
    for bits in (32, 8):
        for loop in ("timestep-major", "layer-major"):
            energies = {}
            for label, hidden in shapes.items():
                design = Design.from_dict(
                    {"network": {"hidden": hidden}, "mapping": {"loop_order": loop}, "quantization": {"weight_bits": bits}}
                )
                r = evaluate(design, f"synthetic:{RATE}")
                params = sum(a * b for a, b in zip([784, *hidden], [*hidden, 10]))
                energies[label] = r.energy_j
                print(
                    f"    {bits:2d}-bit {loop:14s} {label:26s} params {params / 1e6:5.3f} M  DRAM {dram_bytes(r) / 2**20:7.2f} MiB  "
                    f"L2 {dram_bytes(r, 'L2') / 2**20:7.2f} MiB  energy {r.energy_j * 1e6:8.1f} µJ  latency {r.latency_s * 1e6:8.1f} µs"
                )
            wide, deep = energies.values()
            print(f"    -> narrow-deep / wide-shallow energy: {deep / wide:.2f}")


def breakeven_rate(preset: str) -> float | None:
    """Largest input spike rate at which the SNN's energy ≤ the ANN twin's (bisection on a grid)."""
    design = Design.from_dict(
        {"network": {"hidden": [256]}, "hardware": {"preset": preset}, "quantization": {"weight_bits": 8, "membrane_bits": 16}}
    )
    rates = np.linspace(0.0, 1.0, 201)
    wins = []
    for rate in rates:
        r = cost_design(design, synthetic_for(design, float(rate)))
        wins.append(r.energy_j <= r.ann.energy_j)
    if not wins[0]:
        return None
    return float(rates[np.argmin(wins)] - 0.005) if not all(wins) else 1.0


def part_c() -> None:
    print("(c) spike rate below which the SNN (784-256-10, T = 25, 8-bit weights, 16-bit membrane) beats its 8-bit ANN twin")
    for preset in hardware_preset_names():
        rate = breakeven_rate(preset)
        text = (
            "never (even at rate 0)"
            if rate is None
            else ("at every rate" if rate >= 1.0 else f"below {rate:.3f} spikes/neuron/step")
        )
        print(f"    {preset:13s} {text}")


def part_d() -> None:
    design = Design.from_dict({"network": {"hidden": [1024, 1024]}})
    activity = synthetic_for(design, RATE)
    cost_design(design, activity)
    start = time.perf_counter()
    n = 200
    for _ in range(n):
        cost_design(design, activity)
    per_design = (time.perf_counter() - start) / n
    arch = architecture_of(design)
    variants = arch.variants(L2__capacity_bytes=np.logspace(14, 24, 10_000, base=2), DRAM__read_pj=np.linspace(500, 3000, 10_000))
    start = time.perf_counter()
    table = cost_design_variants(design, activity, variants)
    elapsed = time.perf_counter() - start
    print(
        f"(d) one design's full Report (SNN + 2 ANN twins + breakdown table): {per_design * 1e3:.2f} ms; "
        f"10,000 hardware variants vectorized: {elapsed * 1e3:.1f} ms = {len(table) / elapsed:,.0f} variants/s"
    )


if __name__ == "__main__":
    part_a()
    part_b()
    part_c()
    part_d()
