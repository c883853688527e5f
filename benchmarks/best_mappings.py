"""The seeds' conclusions as the designs set their mappings and at each side's best mapping (``mapping.search``).

Each conclusion compares two costs; a hand-set mapping can favour one side. Here each is priced twice: with the
mappings as the designs state them, and with ``mapping.search: energy``, where every design and every twin gets
the mapping that costs it least (:mod:`snnexplorer.mapping_search`).

* SNN vs QNN break-even (Yan et al. 2024): the synthetic spike rate below which a 784-256-256-10 int8 SNN beats its
  ⌈log2(T+1)⌉-bit QNN twin, T = 5 and 10, on the CMOS presets (the fidelity suite's mapping as set).
* Events vs frames (presets/studies/event-vs-frame.yaml): the SNN ÷ ANN energy on MNIST frames and on emulated
  N-MNIST events, input as frames, on edge-soc, loihi and gpu.
* Specialization (Lebdeh et al. 2024): the specialized ensembles' energy ÷ the monolithic baseline's.
* LD-SNN (Nallathambi et al. 2022): the per-layer-timestep design's energy ÷ the same network's at a uniform T.

Simulated on the shipped weights (2,000 test digits each; the event-vs-frame MNIST network trains once if it is not
cached).

    python benchmarks/best_mappings.py
"""

from __future__ import annotations

import time
from pathlib import Path

from snnexplorer.design import Design, load_design
from snnexplorer.explore.study import Study
from snnexplorer.hardware.fidelity import break_even
from snnexplorer.pipeline import activity_for, cost_design, synthetic_for

STUDIES = Path(__file__).resolve().parents[1] / "presets" / "studies"
CMOS = ("desktop-cpu", "edge-soc", "gpu", "server-cpu")


def searched(design: Design) -> Design:
    return design.copy(mapping={**design.mapping.to_dict(), "search": "energy"})


def breakeven(hardware: str, timesteps: int, search: bool) -> float:
    """The synthetic spike rate where the SNN's energy equals its QNN twin's (bisection; 0: the SNN never wins)."""
    design = Design.from_dict(
        {
            "network": {"hidden": [256, 256]},
            "timesteps": timesteps,
            "quantization": {"weight_bits": 8, "membrane_bits": 8},
            "hardware": {"preset": hardware},
            "mapping": {"loop_order": "layer-major"},
        }
    )
    design = searched(design) if search else design

    def snn_over_qnn(rate: float) -> float:
        report = cost_design(design, synthetic_for(design, max(rate, 1e-4)))
        return report.ann.snn_over_qnn_energy or float("inf")

    return break_even(snn_over_qnn, steps=20)


def energy_ratio(design: Design, reference: Design) -> float:
    """``design``'s energy per inference ÷ ``reference``'s, each on its simulated activity."""
    return cost_design(design, activity_for(design)).energy_j / cost_design(reference, activity_for(reference)).energy_j


def main() -> None:
    started = time.perf_counter()
    print(f"{'conclusion':58s} {'as set':>9s} {'best':>9s}")
    for hardware in CMOS:
        for steps in (5, 10):
            as_set, best = breakeven(hardware, steps, False), breakeven(hardware, steps, True)
            print(f"{f'SNN beats its QNN below this spike rate, T = {steps}, {hardware}':58s} {as_set:9.1%} {best:9.1%}")
    for design in Study.from_yaml(STUDIES / "event-vs-frame.yaml").designs():
        if design.mapping.input_format != "bitmap":
            continue
        label = f"SNN ÷ ANN energy, {design.dataset.name}, {design.hardware.preset}"
        as_set = cost_design(design, activity_for(design)).ann.snn_over_ann_energy
        best = cost_design(searched(design), activity_for(design)).ann.snn_over_ann_energy
        print(f"{label:58s} {as_set:9.2f} {best:9.2f}")
    baseline, ldsnn = load_design("mnist-baseline"), load_design("mnist-ldsnn")
    for design, reference, label in (
        (load_design("mnist-specialized"), baseline, "specialized ÷ baseline energy (edge-soc)"),
        (load_design("mnist-one-vs-rest"), baseline, "one-vs-rest ÷ baseline energy (edge-soc)"),
        (ldsnn, ldsnn.copy(timesteps=25), "LD-SNN [25, 15, 10] ÷ the same at T = 25 (edge-soc)"),
    ):
        as_set = energy_ratio(design, reference)
        best = energy_ratio(searched(design), searched(reference))
        print(f"{label:58s} {as_set:9.4f} {best:9.4f}")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
