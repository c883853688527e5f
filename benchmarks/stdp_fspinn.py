"""Diehl & Cook against FSpiNN: accuracy, memory, training/inference energy, operations, kernel speed — one run.

For each excitatory-neuron count (default 100, 400, 900; ``--neurons 4900``
for the paper's size) it trains, labels and tests the baseline (float32) and
FSpiNN (float32, 8- and 4-bit weights) on MNIST (or ``--dataset fashion-mnist``),
prices inference and training per sample on ``--hardware``, and prints the
ratios. Then it switches FSpiNN's optimizations on one by one (at the first
neuron count) and prints the operations each removes. Last, it times the numba
kernel against the plain numpy network (:mod:`snnexplorer.stdp.reference`) on
the same presentations and prints synaptic events per second.

    python benchmarks/stdp_fspinn.py [--neurons 100 400 900] [--train 4000] [--test 2000] [--hardware edge-soc]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from snnexplorer.design import Design, load_design
from snnexplorer.pipeline import evaluate, training_report
from snnexplorer.stdp import reference
from snnexplorer.stdp.kernel import COUNTERS, present
from snnexplorer.stdp.learn import train
from snnexplorer.stdp.rule import FSPINN, STDPRule, initial_weights, input_rates
from snnexplorer.train import load_or_train

STEPS = 700
VARIANTS = (("diehl-cook", 32), ("fspinn", 32), ("fspinn", 8), ("fspinn", 4))
"""(rule, weight bits) compared; the first is the baseline."""


def design(variant: str, neurons: int, bits: int, args) -> Design:
    base = load_design("mnist-stdp-diehl-cook" if variant == "diehl-cook" else "mnist-stdp-fspinn").to_dict()
    base["name"] = f"{variant}-{neurons}-{bits}bit"
    base["dataset"].update(name=args.dataset, test_samples=args.test)
    base["network"]["hidden"] = [neurons]
    base["quantization"]["weight_bits"] = bits
    base["hardware"]["preset"] = args.hardware
    base["training"]["train_samples"] = args.train
    return Design.from_dict(base)


def compare(args) -> None:
    print(f"{args.dataset}, {args.train} training / {args.test} test samples, {STEPS} steps of 0.5 ms, {args.hardware}")
    print(f"{'neurons':>7} {'variant':>16} {'accuracy':>8} {'memory KiB':>10} {'infer µJ':>9} {'train µJ':>9} {'train s':>7}")
    for neurons in args.neurons:
        rows = {}
        for variant, bits in VARIANTS:
            d = design(variant, neurons, bits, args)
            report = evaluate(d)
            training = training_report(d)
            seconds = load_or_train(d).meta["train_seconds"]  # when it was trained (cached since)
            rows[(variant, bits)] = report, training
            print(
                f"{neurons:7d} {variant + f' {bits}-bit':>16} {report.accuracy:8.4f} {report.footprint_bytes / 1024:10.1f} "
                f"{report.energy_j * 1e6:9.1f} {training.energy_j * 1e6:9.1f} {seconds:7.1f}"
            )
        base, _ = rows[("diehl-cook", 32)]
        base_training = rows[("diehl-cook", 32)][1]
        for key in VARIANTS[1:]:
            report, training = rows[key]
            print(
                f"{neurons:7d} {key[0] + f' {key[1]}-bit':>16} vs baseline: memory {base.footprint_bytes / report.footprint_bytes:.2f}x, "
                f"inference energy {base.energy_j / report.energy_j:.2f}x, training energy "
                f"{base_training.energy_j / training.energy_j:.2f}x, accuracy {100 * (report.accuracy - base.accuracy):+.2f} points"
            )


def ablation(args) -> None:
    """FSpiNN's switches on one by one: operations per training sample."""
    from snnexplorer import data

    images = data.load(args.dataset, "train").x[: args.ablation_samples]
    neurons = args.neurons[0]
    steps = [
        ("Diehl & Cook", {}),
        ("+ direct inhibition", {"inhibitory_neurons": False}),
        ("+ post-only STDP", {"pre_depression": False, "eta_post": FSPINN["eta_post"], "x_tar": FSPINN["x_tar"]}),
        ("+ 50-step updates", {"update_interval": FSPINN["update_interval"]}),
        ("+ adaptive potentiation", {"adaptive_potentiation": True}),
    ]
    print(f"\nOperations per training sample, {neurons} neurons, {len(images)} samples (switches added in order)")
    print(f"{'rule':>24} {'synaptic':>10} {'neuron upd':>10} {'inhibition':>10} {'weight upd':>10}")
    settings: dict = {}
    for label, change in steps:
        settings.update(change)
        _, _, counts = train(STDPRule(**settings), neurons, images, STEPS)
        per = {
            name: counts.total(name) / counts.samples
            for name in ("synaptic_ops", "neuron_updates", "inhibition_ops", "weight_updates")
        }
        print(
            f"{label:>24} {per['synaptic_ops']:10.0f} {per['neuron_updates']:10.0f} {per['inhibition_ops']:10.0f} "
            f"{per['weight_updates']:10.0f}"
        )


def kernel_speed(args) -> None:
    """The numba kernel against the plain numpy network, same presentations, learning on."""
    from snnexplorer import data

    neurons = args.speed_neurons
    rates = input_rates(data.load(args.dataset, "train").x[: args.speed_samples])
    print(f"\nKernel speed, {neurons} neurons, {len(rates)} learning presentations, Diehl & Cook (FSpiNN)")
    for name, rule in (("Diehl & Cook", STDPRule.diehl_cook()), ("FSpiNN", STDPRule.fspinn())):
        timings = {}
        for impl in ("numba", "numpy"):
            weights, theta = initial_weights(784, neurons, 0), np.zeros(neurons)
            events = 0
            started = time.perf_counter()
            for sample, r in enumerate(rates):
                if impl == "numba":
                    counters = np.zeros((len(COUNTERS), STEPS), dtype=np.int64)
                    present(r, 0, sample, STEPS, weights, theta, True, rule.kernel_args(), counters, np.zeros(neurons, np.int64))
                else:
                    _, _, counters = reference.present(r, 0, sample, STEPS, weights, theta, True, rule)
                events += int(counters[COUNTERS.index("synaptic_ops")].sum() + counters[COUNTERS.index("weight_updates")].sum())
            timings[impl] = (time.perf_counter() - started, events)
        (numba_s, events), (numpy_s, _) = timings["numba"], timings["numpy"]
        print(
            f"{name:>13}: numba {numba_s:.3f} s ({events / numba_s / 1e6:.1f} M synaptic events/s), numpy {numpy_s:.3f} s "
            f"({events / numpy_s / 1e6:.1f} M/s): {numpy_s / numba_s:.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--neurons", type=int, nargs="+", default=[100, 400, 900])
    parser.add_argument("--train", type=int, default=4000)
    parser.add_argument("--test", type=int, default=2000)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--hardware", default="edge-soc")
    parser.add_argument("--ablation-samples", type=int, default=300)
    parser.add_argument("--speed-samples", type=int, default=20)
    parser.add_argument("--speed-neurons", type=int, default=400)
    args = parser.parse_args()
    present(
        input_rates(np.zeros((1, 784)))[0],
        0,
        0,
        10,
        initial_weights(784, 2, 0),
        np.zeros(2),
        True,
        STDPRule.diehl_cook().kernel_args(),
        np.zeros((len(COUNTERS), 10), np.int64),
        np.zeros(2, np.int64),
    )  # compile
    compare(args)
    ablation(args)
    kernel_speed(args)


if __name__ == "__main__":
    main()
