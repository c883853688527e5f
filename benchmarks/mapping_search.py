"""How fast ``mapping.search`` is: mappings priced per second, and the time to search each shipped preset.

Every shipped design preset on its own hardware, synthetic activity at rate 0.1 (the search's cost does not depend
on how the activity was measured): the mappings priced, the seconds for the whole ranking (after one warm-up run),
mappings per second, the best mapping's energy against the design's own, and what choosing per layer gains (the best
whole-network mapping's energy over the best one's, SNN and ANN twin). Each time is the best of
:data:`REPEATS` runs (the machine's other work only ever adds time). Issue 28's target is ≥ 10,000
mappings per second and ≤ 1 s per preset.

    python benchmarks/mapping_search.py
"""

from __future__ import annotations

import time

from snnexplorer.design import load_design
from snnexplorer.mapping_search import rank_mappings
from snnexplorer.pipeline import architecture_of, synthetic_for
from snnexplorer.presets import design_preset_paths

REPEATS = 5


def main() -> None:
    total_mappings, total_s = 0, 0.0
    print(f"{'preset':<28} {'hardware':<12} {'mappings':>8} {'seconds':>8} {'per s':>7}  {'per layer':>15}  best / as set")
    for path in design_preset_paths():
        design = load_design(path)
        activity, arch = synthetic_for(design, 0.1), architecture_of(design)
        rank_mappings(design, activity, arch)  # warm-up: numba kernels and caches
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            table = rank_mappings(design, activity, arch)
            times.append(time.perf_counter() - start)
        seconds = min(times)
        own = table[table["hand_set"]].iloc[0]
        whole = table[table["layers"].map(len) == 0]
        per_layer = (whole["energy_j"].min() / table["energy_j"].min(), whole["ann_energy_j"].min() / table["ann_energy_j"].min())
        total_mappings, total_s = total_mappings + len(table), total_s + seconds
        print(
            f"{design.name:<28} {design.hardware.preset:<12} {len(table):>8} {seconds:>8.2f} {len(table) / seconds:>7.0f}"
            f"  ×{per_layer[0]:.4f} / ×{per_layer[1]:.4f}  {table['energy_j'].iloc[0] * 1e6:.1f} / {own['energy_j'] * 1e6:.1f} µJ"
        )
    print(f"all presets: {total_mappings} mappings in {total_s:.1f} s, {total_mappings / total_s:.0f} mappings/s")


if __name__ == "__main__":
    main()
