"""What the batch tiling and the weights' residency do to a design's cost (synthetic activity, rate 0.1).

(a) A batch sweep of 784-256-10 float32 on edge-soc and desktop-cpu: energy per inference and the tiling chosen
    (tile + last, smaller tile), next to the best even tiling (tiles that divide the batch: what the model did
    before a last tile could be smaller).
(b) Every shipped dense preset at its own batch on the CMOS presets, weights fetched for every batch
    (``residency: per-batch``) and kept on chip between batches (``resident``): SNN and ANN-twin energy per
    inference, the SNN / ANN ratio, where the weights stay.

    python benchmarks/batch_and_residency.py
"""

from __future__ import annotations

import numpy as np

from snnexplorer.design import Design, load_design
from snnexplorer.hardware.cost import tiled
from snnexplorer.pipeline import architecture_of, cost_design, synthetic_for
from snnexplorer.presets import design_preset_paths

BATCHES = [64, 128, 160, 192, 224, 256, 320, 384, 512, 1000]
RATE = 0.1


def even_energy_j(design: Design) -> float:
    """The cheapest tiling whose tiles divide the batch (energy per inference, J)."""
    activity, mapping = synthetic_for(design, RATE), design.mapping
    snn = tiled(activity, architecture_of(design), mapping, design.weight_bits, design.membrane_bits)
    energy = [p.energy_j[0] for t, p in zip(snn.tiles, snn.pricings) if mapping.batch % t == 0]
    return float(np.min(energy))


def batch_sweep() -> None:
    print("(a) 784-256-10 float32, rate 0.1: energy per inference (µJ) by batch; tiling chosen; even tiles only")
    for hardware in ("edge-soc", "desktop-cpu"):
        print(f"  {hardware}")
        for batch in BATCHES:
            design = Design.from_dict(
                {"network": {"hidden": [256]}, "hardware": {"preset": hardware}, "mapping": {"batch": batch}}
            )
            report = cost_design(design, synthetic_for(design, RATE))
            tiling = f"{report.batch_tile}" + (f" + last {report.last_tile}" if report.last_tile else "")
            print(
                f"    batch {batch:5d}: {report.energy_j * 1e6:6.2f} µJ  tiles of {tiling:<14} even tiles only {even_energy_j(design) * 1e6:6.2f} µJ"
            )


def residency() -> None:
    print("(b) shipped dense presets at their batch, rate 0.1: per-batch → resident (µJ per inference)")
    for path in design_preset_paths():
        base = load_design(path)
        if base.network.layers or base.training.learning_rule == "stdp":
            continue
        for hardware in ("edge-soc", "desktop-cpu", "gpu"):
            rows = []
            for residency in ("per-batch", "resident"):
                design = base.copy()
                design.hardware.preset, design.mapping.residency = hardware, residency
                rows.append(cost_design(design, synthetic_for(design, RATE)))
            fetched, kept = rows
            print(
                f"  {base.name:<24} {hardware:<12} SNN {fetched.energy_j * 1e6:8.1f} → {kept.energy_j * 1e6:7.1f}"
                f"   ANN {fetched.ann.energy_j * 1e6:8.1f} → {kept.ann.energy_j * 1e6:7.1f}"
                f"   SNN/ANN {fetched.energy_j / fetched.ann.energy_j:5.2f} → {kept.energy_j / kept.ann.energy_j:5.2f}"
                f"   weights kept in {kept.mapping.weights_kept_in or 'none (they do not fit)'}"
            )


if __name__ == "__main__":
    batch_sweep()
    residency()
