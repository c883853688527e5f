"""The engine against peer simulators on the same LIF network, all in one run.

``mlp`` (the default): 784-512-256-10 LIF (β 0.9, θ 1.0, subtract reset),
1,000 rate-coded samples, T = 25, input spike rates 0.02 / 0.1 / 0.3, 2
threads. Peers: a plain torch loop, and snnTorch / SpikingJelly / Norse when
installed (``make bench`` installs the ``bench`` extra).
``conv``: a CIFAR-shaped 3×32×32 → conv 32 (3×3, pad 1) → pool 2 → conv 64 →
pool 2 → 10 network, 200 samples, against a plain torch conv2d loop, snnTorch (Leaky per step) and SpikingJelly
(multi-step LIFNode, each layer's convolutions for all steps at once).
Each (simulator, rate) runs in its own process so its peak memory (max RSS) is
its own; their runs are interleaved (one of each in turn) so that a slow spell
of a shared machine does not fall on one simulator only. Prints median seconds
over repeats, the engine's speed-up over each peer, and peak memory.

    python benchmarks/sim_vs_peers.py [--network mlp|conv|all] [--repeats 7] [--samples 1000] [--rates 0.02 0.1 0.3]
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
SIMULATORS = {
    "mlp": ("snnexplorer", "torch-loop", "snntorch", "spikingjelly", "norse"),
    "conv": ("snnexplorer", "torch-loop", "snntorch", "spikingjelly"),
}
SAMPLES = {"mlp": 1000, "conv": 200}
IDLE_S = 0.3
"""Pause before each run, so OpenMP worker threads of the previous run (which spin a while) have gone idle."""


def network(seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return [
        (rng.normal(0, 2.5 / np.sqrt(a), (a, b)).astype(np.float32), rng.normal(0, 0.05, b).astype(np.float32))
        for a, b in zip(SIZES[:-1], SIZES[1:])
    ]


def conv_network(seed=0):
    import numpy as np

    from snnexplorer.sim import Conv

    rng = np.random.default_rng(seed)
    first = Conv(
        rng.normal(0, 1.5 / np.sqrt(27), (32, 3, 3, 3)).astype(np.float32),
        np.zeros(32, np.float32),
        (3, 32, 32),
        padding=1,
        pool=2,
    )
    second = Conv(
        rng.normal(0, 2.5 / np.sqrt(288), (64, 32, 3, 3)).astype(np.float32),
        np.zeros(64, np.float32),
        first.output_shape,
        padding=1,
        pool=2,
    )
    out = (rng.normal(0, 2.5 / np.sqrt(second.n_out), (second.n_out, 10)).astype(np.float32), np.zeros(10, np.float32))
    return [first, second, out]


def conv_runner(name, layers):
    """The conv network in the engine, as a plain torch loop (conv2d → LIF → max-pool per step), or with snnTorch's
    Leaky / SpikingJelly's multi-step LIFNode as the neurons (the same update as the engine's)."""
    if name == "snnexplorer":
        from snnexplorer.sim import simulate

        return lambda x: simulate(layers, x).predictions
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(2)
    convs = [(torch.from_numpy(c.weight), torch.from_numpy(c.bias), c) for c in layers[:-1]]
    out_w, out_b = (torch.from_numpy(a) for a in layers[-1])

    def maps(x):
        return torch.from_numpy(x).float().reshape(x.shape[0], x.shape[1], *layers[0].input_shape)

    if name == "spikingjelly":  # all steps of a layer at once: [T·B, C, H, W] convolutions, then the node scans T
        from spikingjelly.activation_based import functional, neuron

        nodes = [neuron.LIFNode(tau=10.0, decay_input=False, v_threshold=1.0, v_reset=None, step_mode="m") for _ in convs]

        def run(x):
            with torch.no_grad():
                h = maps(x).transpose(0, 1)  # [T, B, C, H, W]
                steps, batch = h.shape[:2]
                for node, (w, b, c) in zip(nodes, convs):
                    current = F.conv2d(h.flatten(0, 1), w, b, stride=c.stride, padding=c.padding)
                    spikes = node(current.reshape(steps, batch, *current.shape[1:]))
                    h = F.max_pool2d(spikes.flatten(0, 1), c.pool).reshape(steps, batch, c.channels, *c.output_shape[1:])
                    functional.reset_net(node)
                return (h.flatten(2) @ out_w + out_b).sum(0).argmax(1).numpy()

        return run
    if name == "snntorch":  # reset_delay=False: reset in the same step, as in the engine
        import snntorch as snn

        cells = [snn.Leaky(beta=0.9, threshold=1.0, reset_mechanism="subtract", reset_delay=False) for _ in convs]

        def fire(i, current, v):
            spikes, v = cells[i](current, v)
            return spikes, v

    else:

        def fire(i, current, v):
            v = 0.9 * v + current
            spikes = (v >= 1.0).float()
            return spikes, v - spikes

    def run(x):
        with torch.no_grad():
            s = maps(x)
            vs = [torch.zeros(x.shape[0], c.channels, *c.map_shape) for _, _, c in convs]
            score = 0
            for t in range(x.shape[1]):
                h = s[:, t]
                for i, (w, b, c) in enumerate(convs):
                    h, vs[i] = fire(i, F.conv2d(h, w, b, stride=c.stride, padding=c.padding), vs[i])
                    h = F.max_pool2d(h, c.pool)
                score = score + h.flatten(1) @ out_w + out_b
            return score.argmax(1).numpy()

    return run


def runner(name, layers):
    """A function spikes(uint8 [B, T, 784]) -> predictions, for simulator ``name``."""
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

        cells = [
            LIFBoxCell(LIFBoxParameters(tau_mem_inv=torch.tensor(100.0), v_th=torch.tensor(1.0), reset_method=reset_subtract))
            for _ in weights[:-1]
        ]

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


def serve(kind: str, name: str, rate: float, samples: int) -> None:
    """Child process: build the network and input, warm up, then time one run per ``run`` line on stdin.

    Replies ``ready``, then one duration in seconds per ``run``; on ``done`` prints the predictions and peak memory
    as JSON. The parent interleaves the simulators run by run, so a slow spell of the machine hits all of them.
    """
    import resource

    import numpy as np

    layers = network() if kind == "mlp" else conv_network()
    n_in = SIZES[0] if kind == "mlp" else layers[0].n_in
    x = (np.random.default_rng(1).random((samples, STEPS, n_in)) < rate).astype(np.uint8)
    run = (runner if kind == "mlp" else conv_runner)(name, layers)
    predictions = run(x)  # warm-up (numba compile or cache load)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "done":
            break
        start = time.perf_counter()
        run(x)
        print(time.perf_counter() - start, flush=True)
    print(
        json.dumps(
            {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "predictions": predictions.tolist()}
        ),
        flush=True,
    )


def compare(kind: str, repeats: int, samples: int, env: dict, rates=RATES) -> None:
    """Run every simulator of ``kind`` at every rate, each in its own process, runs interleaved; print the table."""
    import statistics

    title = "784-512-256-10 LIF" if kind == "mlp" else "3x32x32 conv32-pool-conv64-pool-10 LIF"
    print(f"{title}, {samples} samples, T={STEPS}, 2 threads, median of {repeats} interleaved runs")
    print(f"{'rate':>5} {'simulator':>13} {'median s':>9} {'engine x':>9} {'peak MB':>8} {'agree':>6}")
    for rate in rates:
        children = {}
        for name in SIMULATORS[kind]:
            child = subprocess.Popen(
                [sys.executable, __file__, "--child", kind, name, str(rate), "--samples", str(samples)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            if child.stdout.readline().strip() != "ready":
                last = (child.communicate()[1].strip().splitlines() or ["failed"])[-1]
                print(f"{rate:5.2f} {name:>13}   skipped: {last[:80]}")
                continue
            children[name] = child
        times = {name: [] for name in children}
        for _ in range(repeats):
            for name, child in children.items():
                time.sleep(IDLE_S)
                child.stdin.write("run\n")
                child.stdin.flush()
                times[name].append(float(child.stdout.readline()))
        results = {}
        for name, child in children.items():
            out, _ = child.communicate("done\n")
            results[name] = {**json.loads(out.strip().splitlines()[-1]), "median_s": statistics.median(times[name])}
        ours = results["snnexplorer"]
        for name, r in results.items():
            agree = sum(a == b for a, b in zip(r["predictions"], ours["predictions"])) / len(ours["predictions"])
            speedup = r["median_s"] / ours["median_s"]
            print(f"{rate:5.2f} {name:>13} {r['median_s']:9.3f} {speedup:9.2f} {r['peak_rss_mb']:8.0f} {agree:6.3f}")
        peers = [r["median_s"] for n, r in results.items() if n != "snnexplorer"]
        if peers:
            print(f"{rate:5.2f} engine vs fastest peer: {min(peers) / ours['median_s']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--network", choices=("mlp", "conv", "all"), default="mlp")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--samples", type=int, help="default: 1000 (mlp), 200 (conv)")
    parser.add_argument("--rates", type=float, nargs="+", default=RATES, help="input spike rates (default: %(default)s)")
    parser.add_argument("--child", nargs=3, metavar=("NETWORK", "SIMULATOR", "RATE"))
    args = parser.parse_args()
    if args.child:
        kind, name, rate = args.child
        serve(kind, name, float(rate), args.samples)
        return
    env = {**os.environ, "OMP_NUM_THREADS": "2", "NUMBA_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    for kind in ("mlp", "conv") if args.network == "all" else (args.network,):
        compare(kind, args.repeats, args.samples or SAMPLES[kind], env, args.rates)


if __name__ == "__main__":
    main()
