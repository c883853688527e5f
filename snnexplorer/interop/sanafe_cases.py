"""The ``loihi`` preset against SANA-FE's Loihi, network by network, component by component.

Each case is a network (an :class:`~snnexplorer.interop.ImportedNetwork`) and input spikes [batch, T, n_in]:

* ``dense-random``: a random 784-256-10 LIF network (β 0.9, reset to zero), Bernoulli input at rate 0.1,
  T = 25 (the network of the issue that found the old neuromorphic preset fifty times optimistic on latency);
* ``mnist-baseline``: the shipped preset's trained 784-256-10 network (read back from its NIR export),
  rate-coded MNIST test digits, T = 25;
* ``conv-sinabs``: a Sinabs-shaped convolutional network (Conv2d 8×3×3 stride 2 → IF → Conv2d 16×3×3 stride 2 →
  IF → Flatten → Linear → IF, the node types Sinabs' ``to_nir`` writes; random weights), rate-coded MNIST digits,
  T = 20.

:func:`compare` simulates the network in our engine, prices the Activity on ``loihi`` and runs the same spikes
through SANA-FE (:mod:`.sanafe_reference`) with the placement our model chose. ``benchmarks/fidelity.py``
prints the table, ``tests/test_sanafe.py`` holds the tolerances (energy 10 %, latency 15 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ..hardware import Architecture, cost
from ..hardware.fidelity import REFERENCE_MAPPING

CASES = ("dense-random", "mnist-baseline", "conv-sinabs")
COMPONENTS = ("synapse", "soma", "network", "total", "latency")
"""What both report: SANA-FE's synapse, soma and network energy, their total (J per sample) and latency (s)."""


@dataclass(frozen=True)
class SanafeComparison:
    """One network: ours and SANA-FE's per component (:data:`COMPONENTS`), spikes per stage in both, cores."""

    name: str
    ours: dict[str, float]
    sanafe: dict[str, float]
    spikes_ours: np.ndarray
    spikes_sanafe: np.ndarray
    cores: list[int]
    samples: int
    timesteps: int

    def error(self, component: str) -> float:
        """Relative error of ours against SANA-FE for ``component``."""
        return self.ours[component] / self.sanafe[component] - 1.0


def _lif(shape: tuple[int, ...], beta: float, dt: float):
    import nir

    tau = dt / (1 - beta)
    return nir.LIF(
        tau=np.full(shape, tau), r=np.ones(shape), v_leak=np.zeros(shape), v_threshold=np.ones(shape), v_reset=np.zeros(shape)
    )


def _if(shape: tuple[int, ...]):
    import nir

    return nir.IF(r=np.ones(shape), v_threshold=np.ones(shape), v_reset=np.zeros(shape))


def dense_random(samples: int, seed: int = 0):
    """``dense-random``: (network, spikes)."""
    import nir

    from .nir_import import from_nir

    rng = np.random.default_rng(seed)
    beta, dt = 0.9, 1e-3
    first, second = rng.normal(0, 0.1, (256, 784)), rng.normal(0, 0.3, (10, 256))
    graph = nir.NIRGraph.from_list(
        nir.Input(input_type=np.array([784])),
        nir.Affine(weight=first / (1 - beta), bias=np.zeros(256)),  # the LIF's input gain (1 − β) undone
        _lif((256,), beta, dt),
        nir.Affine(weight=second / (1 - beta), bias=np.zeros(10)),
        _lif((10,), beta, dt),
        nir.Output(output_type=np.array([10])),
    )
    return from_nir(graph, dt=dt, name="dense-random"), rng.random((samples, 25, 784)) < 0.1


def _digits(samples: int, steps: int, seed: int) -> np.ndarray:
    from .. import data

    test = data.load("mnist", "test").head(samples)
    return data.encode(test.x, "rate", steps, seed=seed)


def mnist_baseline(samples: int):
    """``mnist-baseline``: the shipped preset's network and its own encoding of the first test digits."""
    from ..design import load_design
    from .nir_export import to_nir
    from .nir_import import from_nir

    design = load_design("mnist-baseline")
    network = from_nir(to_nir(design), dt=1e-3, name="mnist-baseline")
    return network, _digits(samples, design.layer_timesteps[0], design.training.seed + 1)


def conv_sinabs(samples: int, seed: int = 0):
    """``conv-sinabs``: (network, spikes)."""
    import nir

    from .nir_import import from_nir

    rng = np.random.default_rng(seed)

    def conv(shape, weight):
        return nir.Conv2d(input_shape=shape, weight=weight, stride=2, padding=0, dilation=1, groups=1, bias=np.zeros(len(weight)))

    graph = nir.NIRGraph.from_list(
        nir.Input(input_type=np.array([1, 28, 28])),
        conv((28, 28), rng.normal(0.35, 0.5, (8, 1, 3, 3))),
        _if((8, 13, 13)),
        conv((13, 13), rng.normal(0.05, 0.3, (16, 8, 3, 3))),
        _if((16, 6, 6)),
        nir.Flatten(input_type={"input": np.array([16, 6, 6])}, start_dim=0),
        nir.Linear(weight=rng.normal(0.02, 0.15, (10, 576))),
        _if((10,)),
        nir.Output(output_type=np.array([10])),
    )
    return from_nir(graph, dt=1.0, name="conv-sinabs"), _digits(samples, 20, seed)


BUILDERS = {"dense-random": dense_random, "mnist-baseline": mnist_baseline, "conv-sinabs": conv_sinabs}


def _ours(report) -> dict[str, float]:
    parts = report.by("level", "kind")
    energy = dict(zip(parts["level"] + "." + parts["kind"], parts["energy_j"]))
    soma = sum(energy.get(f"compute.{kind}", 0.0) for kind in ("neuron_access", "neuron_update", "spike_out"))
    return {
        "synapse": energy.get("compute.accumulate", 0.0) + energy.get("compute.mac", 0.0),
        "soma": soma,
        "network": energy.get("network-on-chip.spikes", 0.0),
        "total": report.energy_j,
        "latency": report.latency_s,
    }


def compare(case: str, samples: int = 20) -> SanafeComparison:
    """Our ``loihi`` pricing of case ``case`` (one of :data:`CASES`) beside SANA-FE's, over ``samples`` samples."""
    from .sanafe_reference import run_sanafe

    network, spikes = BUILDERS[case](samples)
    activity = network.simulate(spikes)
    bits = [8] * len(network.stages)
    report = cost(activity, Architecture.from_preset("loihi"), SimpleNamespace(**REFERENCE_MAPPING), bits, bits, case)
    chip = report.chip
    cores = [int(layer.cores) for layer in chip.layers]
    conv = [any(kind == "Conv2d" for kind in stage.kinds) for stage in network.stages]
    reference = run_sanafe(network, spikes, cores, int(chip.input_cores), conv)
    theirs = {
        "synapse": reference.synapse_j,
        "soma": reference.soma_j,
        "network": reference.network_j,
        "total": reference.total_j,
        "latency": reference.latency_s,
    }
    ours_spikes = np.array([layer.output_spikes.sum() / len(spikes) for layer in activity.layers])
    return SanafeComparison(
        case, _ours(report), theirs, ours_spikes, reference.spikes_per_stage, cores, len(spikes), spikes.shape[1]
    )
