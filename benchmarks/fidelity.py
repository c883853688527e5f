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
(f) The loihi preset against SANA-FE's silicon-calibrated Loihi model (``sanafe``, the
    ``test`` extra) on the same networks and input spikes: synapse, soma and network
    energy, their total and latency per inference, and the spikes each layer emitted in
    both (SANA-FE truncates the membrane to Loihi's 1/64 grid).

    python benchmarks/fidelity.py [--samples 20]
"""

from __future__ import annotations

import argparse

from snnexplorer.design import Design, load_design
from snnexplorer.hardware import Architecture
from snnexplorer.hardware.fidelity import YAN_BREAKEVEN, breakeven_rate, ottati_case, zigzag_case, zigzag_lanes
from snnexplorer.mapping_search import mapping_space
from snnexplorer.pipeline import evaluate
from snnexplorer.presets import hardware_preset_names


def show(case) -> None:
    print(
        f"  {case.name:52s} ours {case.model_j * 1e6:10.3f} µJ   reference {case.reference_j * 1e6:10.3f} µJ   error {case.error:+7.2%}"
    )


def sanafe_table(samples: int) -> None:
    """(f): per network, ours and SANA-FE's per component."""
    from snnexplorer.interop.sanafe_cases import CASES, COMPONENTS, compare

    print(f"\n(f) loihi preset vs SANA-FE 2.2.9's Loihi (sanafe/examples/loihi.yaml), {samples} samples per network")
    print(f"  {'network':15s} {'component':9s} {'ours':>12s} {'SANA-FE':>12s} {'error':>8s}")
    for case in CASES:
        try:
            result = compare(case, samples)
        except ImportError:
            print("  sanafe is not installed: make install")
            return
        for component in COMPONENTS:
            scale, unit = (1e6, "µs") if component == "latency" else (1e6, "µJ")
            print(
                f"  {case:15s} {component:9s} {result.ours[component] * scale:9.3f} {unit} "
                f"{result.sanafe[component] * scale:9.3f} {unit} {result.error(component):+8.2%}"
            )
        spikes = ", ".join(f"{a:,.1f} / {b:,.1f}" for a, b in zip(result.spikes_ours[:-1], result.spikes_sanafe[:-1]))
        print(f"  {case:15s} cores per layer {result.cores}; hidden spikes per sample ours / SANA-FE: {spikes}")


REUSE_DATAFLOWS = mapping_space(("input_reuse", "weight_reuse"))
"""Every reuse choice of our mapping space (the accumulators are the case's hardware): our mapper's best of them
against ZigZag's own best."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20, help="samples per network in the SANA-FE comparison (f)")
    samples = parser.parse_args().samples
    print("(a) Ottati et al. 2023, conv layer 28x28x32 outputs, 3x3x144 kernels, T = 1")
    for case in ottati_case():
        show(case)
    print("\n(b) ZigZag 3.9 (minimum-energy mapping) on SRAM 1 MiB (20 pJ/word) + DRAM (1300 pJ/word), int8, 8 MAC lanes")
    try:
        for kind in ("dense", "conv"):
            for accumulators in ("registers", "memory"):
                show(zigzag_case(kind, accumulators))
                show(zigzag_case(kind, accumulators, REUSE_DATAFLOWS))
        registers, sram = zigzag_lanes()
        print(
            f"  conv: ZigZag computes {registers} output channels side by side with the partial sums in registers, "
            f"{sram} with them in SRAM (its 64-bit port carries a 32-bit sum per channel); ours prices an operand read "
            "per operation at the sum's width there"
        )
    except ImportError:
        print("  zigzag-dse is not installed: pip install -e '.[bench]'")
    print("\n(c) SOP proxy (no memory) against the memory-aware energy, mnist-baseline, synthetic rate 0.1")
    for preset in hardware_preset_names():
        design = Design.from_dict({"hardware": {"preset": preset}})
        report = evaluate(design, "synthetic:0.1")
        proxy = report.sop_proxy.energy_j
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

        for name in ("mnist-baseline", "mnist-conv", "fashion-conv", "smnist-recurrent"):
            for row in neurobench_comparison(load_design(name), 200):
                print(f"  {name:15s} {row[0]:32s} ours {row[1]:14,.4f}   neurobench {row[2]:14,.4f}   {row[3]}")
    except ImportError:
        print("  neurobench / snntorch are not installed: make install")
    sanafe_table(samples)


if __name__ == "__main__":
    main()
