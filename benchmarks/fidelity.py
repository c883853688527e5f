"""How far to trust the numbers: the cost model against references, each case with its error.

(a) Ottati et al. 2023's conv layer under his mapping (every MAC / AC reads its
    own weight and input; 100 pJ per 64-bit access): ANN and SNN energy.
(b) ZigZag (zigzag-dse, the ``bench`` extra) on the same SRAM + DRAM hierarchy:
    the ANN twin of a fully connected 784×256 layer and of a 3×3 conv layer,
    partial sums in output registers or in SRAM (``mapping.accumulators``).
(c) The memory-free SOP proxy (synaptic ops × 0.9 pJ + MACs × 4.6 pJ) against
    the memory-aware energy of the shipped baseline on every preset.
(d) Per preset, the spike rate below which an SNN (784-256-256-10, 8-bit
    weights) costs less than its ⌈log2(T+1)⌉-bit QNN twin, next to Yan et al.
    2024's 5.7 % at T = 5.
(e) NeuroBench's metrics as ``evaluate --json`` reports them (from the engine's
    counters) against the ``neurobench`` package run on the snnTorch twin of the
    same trained network, same input spikes (mnist-baseline, mnist-conv,
    fashion-conv: rate and direct encoding, dense and conv).

    python benchmarks/fidelity.py
"""

from __future__ import annotations

from snnexplorer.design import Design, load_design
from snnexplorer.hardware import Architecture
from snnexplorer.hardware.fidelity import YAN_BREAKEVEN, breakeven_rate, ottati_case, zigzag_case
from snnexplorer.pipeline import evaluate
from snnexplorer.presets import hardware_preset_names


def show(case) -> None:
    print(
        f"  {case.name:52s} ours {case.model_j * 1e6:10.3f} µJ   reference {case.reference_j * 1e6:10.3f} µJ   error {case.error:+7.2%}"
    )


def main() -> None:
    print("(a) Ottati et al. 2023, conv layer 28x28x32 outputs, 3x3x144 kernels, T = 1")
    for case in ottati_case():
        show(case)
    print("\n(b) ZigZag 3.9 (minimum-energy mapping) on SRAM 1 MiB (20 pJ/word) + DRAM (1300 pJ/word), int8, 8 MAC lanes")
    try:
        for kind in ("dense", "conv"):
            for accumulators in ("registers", "memory"):
                show(zigzag_case(kind, accumulators))
    except ImportError:
        print("  zigzag-dse is not installed: pip install -e '.[bench]'")
    print("\n(c) SOP proxy (no memory) against the memory-aware energy, mnist-baseline, synthetic rate 0.1")
    for preset in hardware_preset_names():
        design = Design.from_dict({"hardware": {"preset": preset}})
        report = evaluate(design, "synthetic:0.1")
        proxy = report.sop_proxy["energy_j"]
        print(
            f"  {preset:14s} ours {report.energy_j * 1e6:9.3f} µJ   SOP proxy {proxy * 1e6:8.3f} µJ   ours / proxy {report.energy_j / proxy:8.1f}x"
        )
    print(f"\n(d) SNN vs QNN break-even spike rate, 784-256-256-10, int8 weights (Yan et al. 2024: {YAN_BREAKEVEN:.1%} at T = 5)")
    print(f"  {'preset':14s} {'T=5 dense QNN':>14s} {'T=5 zero-skip':>14s} {'T=10 dense':>11s}")
    for preset in hardware_preset_names():
        arch = Architecture.from_preset(preset)
        sizes = [784, 256, 256, 10]
        rates = (
            breakeven_rate(arch, sizes, 5),
            breakeven_rate(arch, sizes, 5, twin="qnn_zero_skipping_energy_j"),
            breakeven_rate(arch, sizes, 10),
        )
        print(f"  {preset:14s} {rates[0]:14.1%} {rates[1]:14.1%} {rates[2]:11.1%}")

    print("\n(e) NeuroBench metrics: ours (engine counters) vs the neurobench package on the snnTorch twin, 200 test samples")
    try:
        from snnexplorer.interop.neurobench_twin import neurobench_comparison

        for name in ("mnist-baseline", "mnist-conv", "fashion-conv"):
            for row in neurobench_comparison(load_design(name), 200):
                print(f"  {name:15s} {row[0]:32s} ours {row[1]:14,.4f}   neurobench {row[2]:14,.4f}   {row[3]}")
    except ImportError:
        print("  neurobench / snntorch are not installed: make install")


if __name__ == "__main__":
    main()
