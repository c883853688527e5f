"""Which surrogate slope trains the recurrent sequential-MNIST network: a short training per (slope, β), scored on
training digits it did not see.

Each variant of ``presets/designs/smnist-recurrent.yaml`` trains for ``--epochs`` on the first 50,000 of MNIST's
60,000 training digits; the engine then classifies the other 10,000 (a validation split: the official test digits
stay untouched, so picking the slope does not tune on them). One torch thread per run (about 2 minutes per
4-epoch variant on this 2-core machine); nothing is cached.

    python benchmarks/surrogate_slope.py                         # k 25, 10, 5, 2, 1 at β 0.95
    python benchmarks/surrogate_slope.py --slopes 5 2 --betas 0.9
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from snnexplorer import data
from snnexplorer.design import load_design
from snnexplorer.inference import simulate_weights
from snnexplorer.train.trainer import train_network
from snnexplorer.weights import Weights

PRESET = Path(__file__).resolve().parents[1] / "presets" / "designs" / "smnist-recurrent.yaml"
TRAIN_DIGITS = 50_000
"""The first this many training digits train; the rest validate."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slopes", type=float, nargs="+", default=[25.0, 10.0, 5.0, 2.0, 1.0])
    parser.add_argument("--betas", type=float, nargs="+", default=[0.95])
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(1)
    split = data.load("mnist-full", "train")
    x_train, y_train = split.x[:TRAIN_DIGITS], split.y[:TRAIN_DIGITS]
    x_val, y_val = split.x[TRAIN_DIGITS:], split.y[TRAIN_DIGITS:]
    print(f"{'k':>5s} {'β':>5s}  {'train loss':>10s} {'train acc':>9s} {'validation':>10s} {'s':>5s}")
    for beta in args.betas:
        for slope in args.slopes:
            design = load_design(PRESET)
            design.network.neuron.beta = beta
            design.training.surrogate_slope, design.training.epochs = slope, args.epochs
            steps = []
            started = time.perf_counter()
            layers, recurrent = train_network(design.network_specs()["main"], x_train, y_train, design, progress=steps.append)
            weights = Weights({"main": layers}, [list(range(design.n_classes))], recurrent={"main": recurrent})
            accuracy = simulate_weights(design, weights, x_val, y_val).accuracy
            last = steps[-1]
            print(
                f"{slope:5g} {beta:5g}  {last.loss:10.4f} {100 * last.accuracy:8.2f}% {100 * accuracy:9.2f}% "
                f"{time.perf_counter() - started:5.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
