"""Do SNNs win on event data? The event-vs-frame study as one table (presets/studies/event-vs-frame.yaml).

The same digits as static frames (MNIST: rate-coded spikes for the SNN, pixels for its ANN twin) and as events
(emulated N-MNIST: the SNN reads the events binned into its 10 steps, the ANN twin their counts in one frame),
784/2312-256-10, input sent as frames or address-event packets, on edge-soc, loihi and gpu. Per point:
the SNN's accuracy and the ANN twin's, energy per inference of the SNN, of the dense and zero-skipping ANN twins
and of the QNN twin, the SNN/ANN ratios, and the two data kinds that cost the SNN most.

    python benchmarks/event_vs_frame.py            # trains the two SNNs and two ANN twins once (cached)
"""

from __future__ import annotations

import time
from pathlib import Path

from snnexplorer.explore.study import Study
from snnexplorer.pipeline import ann_accuracy, evaluate

STUDY = Path(__file__).resolve().parents[1] / "presets" / "studies" / "event-vs-frame.yaml"


def main() -> None:
    started = time.perf_counter()
    designs = Study.from_yaml(STUDY).designs()
    twin_accuracy = {}
    print(
        f"{'data':16s} {'input':13s} {'hardware':12s} {'SNN acc':>8s} {'ANN acc':>8s} {'SNN µJ':>9s} {'ANN µJ':>9s} "
        f"{'ANN0 µJ':>9s} {'QNN µJ':>9s} {'SNN/ANN':>8s} {'SNN/ANN0':>9s} {'lat SNN/ANN':>11s}  top SNN terms"
    )
    for design in designs:
        report = evaluate(design)
        key = design.dataset.name
        if key not in twin_accuracy:
            twin_accuracy[key] = ann_accuracy(design)
        ann = report.ann
        kinds = report.breakdown.groupby("kind")["energy_j"].sum().sort_values(ascending=False)
        top = ", ".join(f"{kind} {share:.0%}" for kind, share in (kinds / report.energy_j).head(2).items())
        print(
            f"{key:16s} {design.mapping.input_format:13s} {design.hardware.preset:12s} {report.accuracy:8.2%} "
            f"{twin_accuracy[key]:8.2%} {report.energy_j * 1e6:9.3f} {ann.energy_j * 1e6:9.3f} "
            f"{ann.zero_skipping_energy_j * 1e6:9.3f} {ann.qnn_energy_j * 1e6:9.3f} "
            f"{report.energy_j / ann.energy_j:8.2f} {report.energy_j / ann.zero_skipping_energy_j:9.2f} "
            f"{report.latency_s / ann.latency_s:11.2f}  {top}"
        )
    print(f"\n{len(designs)} points in {time.perf_counter() - started:.0f} s (ANN0: the zero-skipping ANN twin)")


if __name__ == "__main__":
    main()
