"""NIR graphs run by snnexplorer, by Norse 1.1.0, snnTorch 1.0 and Sinabs 3.1: do the executors agree?

Same graph file, same input spikes, every executor stepped over the same T.
Two spellings of one network are written: ``r = tau/dt`` with plain weights
(snnTorch's exporter's convention) and ``r = 1`` with the gain folded into
the weights (what Norse's importer, which ignores ``r``, needs). In NIR's
equations they are the same network. Prints, per graph and executor, the
share of output neurons whose spike counts equal ours and the time per
sample. Also: the shipped mnist-baseline exported with ``snnexplorer export``
and run by Norse (its output summed over steps, as Norse drops NIR's ``I``
node) against our engine; and whether snnTorch's own exporter runs.

Run: ``python benchmarks/nir_peers.py`` (peers from ``make bench``).
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings

import nir
import numpy as np
import torch

from snnexplorer import data
from snnexplorer.design import load_design
from snnexplorer.interop import from_nir, to_nir
from snnexplorer.pipeline import simulate_design

DT = 1e-4  # snnTorch 1.0's importer assumes this step whatever the file says
STEPS, BATCH = 60, 64


def lif(tau: np.ndarray, r_one: bool) -> nir.LIF:
    zeros = np.zeros_like(tau)
    return nir.LIF(
        tau=tau, r=np.ones_like(tau) if r_one else tau / DT, v_leak=zeros, v_threshold=np.ones_like(tau), v_reset=zeros
    )


def dense_graph(rng, r_one: bool, sizes=(200, 128, 64, 10)) -> nir.NIRGraph:
    nodes = [nir.Input(input_type={"input": np.array([sizes[0]])})]
    for n_in, n_out in zip(sizes, sizes[1:]):
        tau = rng.uniform(5e-4, 2e-3, n_out)
        gain = tau / DT if r_one else np.ones(n_out)
        weight = rng.normal(0.3 / np.sqrt(n_in), 1.5 / np.sqrt(n_in), (n_out, n_in))
        nodes += [nir.Affine(weight=weight * gain[:, None], bias=rng.normal(0.02, 0.02, n_out) * gain), lif(tau, r_one)]
    return nir.NIRGraph.from_list(*nodes, nir.Output(output_type={"output": np.array([sizes[-1]])}))


def conv_graph(rng, r_one: bool) -> nir.NIRGraph:
    """Conv2d 2→8, 3×3, stride 2 on 2×34×34 (an event camera's two polarities) → LIF → Flatten → Affine → LIF."""
    tau_conv, tau_out = rng.uniform(5e-4, 2e-3, (8, 16, 16)), rng.uniform(5e-4, 2e-3, 10)
    gain_conv = (tau_conv / DT) if r_one else np.ones_like(tau_conv)
    gain_out = (tau_out / DT) if r_one else np.ones_like(tau_out)
    weight = rng.normal(0.15, 0.5, (8, 2, 3, 3))
    nodes = [
        nir.Input(input_type={"input": np.array([2, 34, 34])}),
        # a per-neuron gain cannot fold into a shared kernel, so the conv layer's tau is one per channel here
        nir.Conv2d(
            input_shape=(34, 34),
            weight=weight * gain_conv[:, :1, :1, None],
            stride=2,
            padding=0,
            dilation=1,
            groups=1,
            bias=0.02 * gain_conv[:, 0, 0],
        ),
        lif(np.broadcast_to(tau_conv[:, :1, :1], tau_conv.shape).copy(), r_one),
        # torch executors hand start_dim to torch.nn.Flatten, which counts the batch axis; nir's type check does not
        nir.Flatten(input_type={"input": np.array([8, 16, 16])}, start_dim=1),
        nir.Affine(weight=rng.normal(0.01, 0.05, (10, 2048)) * gain_out[:, None], bias=np.zeros(10)),
        lif(tau_out, r_one),
    ]
    return nir.NIRGraph.from_list(*nodes, nir.Output(output_type={"output": np.array([10])}), type_check=False)


def _round_trip(graph: nir.NIRGraph) -> nir.NIRGraph:
    buffer = io.BytesIO()
    nir.write(buffer, graph)
    buffer.seek(0)
    return nir.read(buffer, type_check=False)


def _steps(graph, spikes: np.ndarray) -> torch.Tensor:
    """``spikes`` [batch, T, n] as [batch, T, *input shape] (a torch executor's conv wants maps)."""
    shape = tuple(int(v) for v in graph.nodes["input"].input_type["input"])
    return torch.tensor(spikes, dtype=torch.float32).reshape(*spikes.shape[:2], *shape)


def run_norse(graph, spikes: np.ndarray, dt: float = DT, **options) -> np.ndarray:
    import norse.torch as norse

    module = norse.from_nir(graph, dt=dt, ignore_warnings=True, **options)
    x = _steps(graph, spikes)
    state, total = None, 0
    with torch.no_grad():
        for t in range(x.shape[1]):
            out, state = module(x[:, t], state)
            total = total + out
    return total.numpy()


def run_snntorch(graph, spikes: np.ndarray) -> np.ndarray:
    from snntorch.import_nir import import_from_nir

    with contextlib.redirect_stdout(io.StringIO()):  # it prints every per-neuron array it rescales
        module = import_from_nir(graph)
    x = _steps(graph, spikes)
    total = 0
    with torch.no_grad():
        for t in range(x.shape[1]):
            out = module(x[:, t])
            total = total + (out[0] if isinstance(out, tuple) else out)
    return total.numpy()


def timed(run):
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def compare(label: str, make) -> None:
    rng = np.random.default_rng(0)
    for r_one in (False, True):
        graph = _round_trip(make(np.random.default_rng(1), r_one))
        n_in = int(np.prod(graph.nodes["input"].input_type["input"]))
        spikes = (rng.random((BATCH, STEPS, n_in)) < 0.1).astype(np.uint8)
        from_nir(graph, dt=DT).simulate(spikes[:2])  # compiled before it is timed
        ours, ours_s = timed(lambda: from_nir(graph, dt=DT).simulate(spikes).output_potential)
        row = [
            f"{label:6s} r={'1' if r_one else 'tau/dt':6s}",
            f"ours {ours.sum():8.0f} spikes {1e3 * ours_s / BATCH:6.2f} ms/sample",
        ]
        for name, run in (("norse", lambda: run_norse(graph, spikes)), ("snntorch", lambda: run_snntorch(graph, spikes))):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    theirs, seconds = timed(run)
            except Exception as exc:  # a peer's importer refusing the graph is a result
                row.append(f"{name}: fails ({type(exc).__name__}: {str(exc).splitlines()[0][:60]})")
                continue
            agree = np.mean(theirs == ours)
            row.append(f"{name} {theirs.sum():8.0f} spikes, {100 * agree:5.1f} % equal, {1e3 * seconds / BATCH:6.2f} ms/sample")
        print(" | ".join(row))


def baseline_through_norse(samples: int = 1000) -> None:
    from norse.torch.functional.reset import reset_subtract

    design = load_design("mnist-baseline").copy(dataset={"test_samples": samples})
    graph = _round_trip(to_nir(design))
    test = data.load("mnist", "test").head(samples)
    spikes = data.encode(test.x, design.dataset.encoding, design.layer_timesteps[0], seed=design.training.seed + 1)
    ours = simulate_design(design)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = run_norse(graph, spikes, dt=1e-3, reset_method=reset_subtract)
    agree = np.mean(np.argmax(scores, axis=1) == ours.predictions)
    accuracy = np.mean(np.argmax(scores, axis=1) == test.y)
    print(
        f"mnist-baseline → NIR → Norse (reset_subtract, output summed over steps): predictions equal ours on "
        f"{100 * agree:.1f} % of {samples} test digits; accuracy {100 * accuracy:.1f} % (ours {100 * ours.accuracy:.1f} %)"
    )


def sinabs_graphs(batch: int = 16, steps: int = 40) -> None:
    """A Sinabs conv net exported with ``sinabs.to_nir`` (in memory: its tensors are not writable by ``nir.write``)
    and read at dt = 1 (Sinabs' layers are discrete-time, r = 1), against Sinabs running it."""
    import sinabs
    import sinabs.layers as sl

    spikes = (np.random.default_rng(0).random((batch, steps, 784)) < 0.2).astype(np.uint8)
    for label, options in (
        ("default IAF (MultiSpike, subtract)", {}),
        (
            "IAF SingleSpike + MembraneReset",
            {"spike_fn": sinabs.activation.SingleSpike, "reset_fn": sinabs.activation.MembraneReset()},
        ),
    ):
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3, stride=2, bias=False),
            sl.IAFSqueeze(batch_size=batch, **options),
            sl.SumPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(8 * 6 * 6, 10, bias=False),
            sl.IAFSqueeze(batch_size=batch, **options),
        )
        with torch.no_grad():
            for layer in (model[0], model[4]):
                layer.weight.mul_(3)
            graph = sinabs.to_nir(model, torch.zeros(batch, 1, 28, 28))
            theirs = model(torch.tensor(spikes, dtype=torch.float32).reshape(-1, 1, 28, 28)).reshape(batch, steps, 10).sum(1)
        ours = from_nir(graph, dt=1.0).simulate(spikes).output_potential
        print(
            f"sinabs {label}: ours {ours.sum():.0f} output spikes, Sinabs {theirs.sum():.0f}; "
            f"{100 * np.mean(ours == theirs.numpy()):.1f} % of output neurons equal"
        )


def snntorch_exporter() -> None:
    import snntorch as snn
    from snntorch.export_nir import export_to_nir

    net = torch.nn.Sequential(torch.nn.Linear(20, 8), snn.Leaky(beta=0.9, init_hidden=True), torch.nn.Linear(8, 2))
    try:
        export_to_nir(net, torch.zeros(1, 20))
        print("snnTorch export_to_nir on Linear → Leaky → Linear: works")
    except Exception as exc:
        print(
            f"snnTorch export_to_nir on Linear → Leaky → Linear: fails ({type(exc).__name__}: {str(exc).splitlines()[0][:100]})"
        )


if __name__ == "__main__":
    torch.set_num_threads(2)
    compare("dense", dense_graph)
    compare("conv", conv_graph)
    baseline_through_norse()
    sinabs_graphs()
    snntorch_exporter()
