"""The engine against peer simulators on the same LIF network, all in one run.

784-512-256-10 LIF (β 0.9, θ 1.0, subtract reset), 1,000 rate-coded samples,
T = 25, input spike rates 0.02 / 0.1 / 0.3, 2 threads. Peers: a plain torch
loop, and snnTorch / SpikingJelly / Norse when installed (``make bench``
installs the ``bench`` extra). Each (simulator, rate) runs in its own process so
its peak memory (max RSS) is its own. Prints median seconds over repeats, the
engine's speed-up over each peer, and peak memory.

    python benchmarks/sim_vs_peers.py [--repeats 5] [--samples 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SIZES = [784, 512, 256, 10]
STEPS = 25
RATES = (0.02, 0.1, 0.3)
SIMULATORS = ("snnexplorer", "torch-loop", "snntorch", "spikingjelly", "norse")
PEERS = SIMULATORS[1:]


def network(seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 2.5 / np.sqrt(a), (a, b)).astype(np.float32), rng.normal(0, 0.05, b).astype(np.float32))
            for a, b in zip(SIZES[:-1], SIZES[1:])]


def runner(name, layers):
    """A function spikes(uint8 [B, T, 784]) -> predictions, for simulator ``name``."""
    import numpy as np

    if name == "snnexplorer":
        from snnexplorer.sim import simulate

        return lambda x: simulate(layers, x).predictions
    import torch

    torch.set_num_threads(2)
    weights = [(torch.from_numpy(w.T.copy()), torch.from_numpy(b)) for w, b in layers]
    if name == "torch-loop":
        def run(x):
            with torch.no_grad():
                s = torch.from_numpy(x).float()
                vs = [torch.zeros(x.shape[0], w.shape[0]) for w, _ in weights[:-1]]
                score = torch.zeros(x.shape[0], weights[-1][0].shape[0])
                for t in range(x.shape[1]):
                    h = s[:, t]
                    for i, (w, b) in enumerate(weights):
                        cur = torch.nn.functional.linear(h, w, b)
                        if i == len(weights) - 1:
                            score += cur
                        else:
                            vs[i] = 0.9 * vs[i] + cur
                            h = (vs[i] >= 1.0).float()
                            vs[i] -= h
                return score.argmax(1).numpy()
        return run
    linears = [torch.nn.Linear(w.shape[1], w.shape[0]) for w, _ in weights]
    for lin, (w, b) in zip(linears, weights):
        lin.weight.data, lin.bias.data = w, b
    if name == "snntorch":  # reset_delay=False: reset in the same step, as in the engine
        import snntorch as snn

        neurons = [snn.Leaky(beta=0.9, threshold=1.0, reset_mechanism="subtract", reset_delay=False) for _ in weights[:-1]]

        def step(i, cur, state):
            return neurons[i](cur, state)

        init = [lambda n=n: n.init_leaky() for n in neurons]
    elif name == "norse":  # LIFBoxCell: v += 0.1·(i − v) with dt·τ⁻¹ = 0.1, so 10·I gives v ← 0.9·v + I
        from norse.torch import LIFBoxCell, LIFBoxParameters
        from norse.torch.functional.reset import reset_subtract

        cells = [LIFBoxCell(LIFBoxParameters(tau_mem_inv=torch.tensor(100.0), v_th=torch.tensor(1.0), reset_method=reset_subtract))
                 for _ in weights[:-1]]

        def step(i, cur, state):
            return cells[i](10.0 * cur, state)

        init = [lambda: None for _ in cells]
    elif name == "spikingjelly":  # LIFNode, decay_input=False, soft reset: v ← (1 − 1/τ)·v + I, τ = 10
        from spikingjelly.activation_based import functional, neuron

        nodes = [neuron.LIFNode(tau=10.0, decay_input=False, v_threshold=1.0, v_reset=None, step_mode="m") for _ in weights[:-1]]

        def run(x):
            with torch.no_grad():
                h = torch.from_numpy(x).float().transpose(0, 1)
                for i, lin in enumerate(linears[:-1]):
                    h = nodes[i](lin(h))
                score = linears[-1](h).sum(0)
                for node in nodes:
                    functional.reset_net(node)
                return score.argmax(1).numpy()
        return run
    else:
        raise ValueError(name)

    def run(x):
        with torch.no_grad():
            s = torch.from_numpy(x).float()
            states = [make() for make in init]
            score = 0
            for t in range(x.shape[1]):
                h = s[:, t]
                for i, lin in enumerate(linears[:-1]):
                    h, states[i] = step(i, lin(h), states[i])
                score = score + linears[-1](h)
            return score.argmax(1).numpy()
    return run


def measure(name: str, rate: float, repeats: int, samples: int) -> dict:
    import resource

    import numpy as np

    layers = network()
    x = (np.random.default_rng(1).random((samples, STEPS, SIZES[0])) < rate).astype(np.uint8)
    run = runner(name, layers)
    predictions = run(x)  # warm-up (numba compile or cache load)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(x)
        times.append(time.perf_counter() - start)
    return {"median_s": float(np.median(times)), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "predictions": predictions.tolist()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], float(args.child[1]), args.repeats, args.samples)))
        return
    env = {**os.environ, "OMP_NUM_THREADS": "2", "NUMBA_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    print(f"784-512-256-10 LIF, {args.samples} samples, T={STEPS}, 2 threads, median of {args.repeats}")
    print(f"{'rate':>5} {'simulator':>13} {'median s':>9} {'engine x':>9} {'peak MB':>8} {'agree':>6}")
    for rate in RATES:
        results = {}
        for name in SIMULATORS:
            proc = subprocess.run([sys.executable, __file__, "--child", name, str(rate), "--repeats", str(args.repeats),
                                   "--samples", str(args.samples)], capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
                print(f"{rate:5.2f} {name:>13}   skipped: {last[:80]}")
                continue
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        ours = results["snnexplorer"]
        for name, r in results.items():
            agree = sum(a == b for a, b in zip(r["predictions"], ours["predictions"])) / len(ours["predictions"])
            speedup = r["median_s"] / ours["median_s"]
            print(f"{rate:5.2f} {name:>13} {r['median_s']:9.3f} {speedup:9.2f} {r['peak_rss_mb']:8.0f} {agree:6.3f}")
        peers = [r["median_s"] for n, r in results.items() if n in PEERS]
        if peers:
            print(f"{rate:5.2f} engine vs fastest peer: {min(peers) / ours['median_s']:.2f}x")


if __name__ == "__main__":
    main()
