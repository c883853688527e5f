"""A design's network as an snnTorch model, measured by the ``neurobench`` package itself.

This is the reference the metrics of :mod:`snnexplorer.sim.neurobench` are
checked against: the same weights and neurons in snnTorch (``snn.Leaky`` integrating and
firing at ``v ≥ threshold`` as the engine does; the twin applies the reset
itself, because snnTorch's own reset, even with ``reset_delay=False``, also
lowers the next step's membrane of a neuron that stays above threshold),
fed the same encoded spikes, run through NeuroBench's ``Benchmark``. A recurrent
layer is an ``snn.RLeaky`` with all-to-all feedback: its ``recurrent`` ``Linear``
(no bias) holds W_rec and adds the layer's spikes of the step before to its input,
as the engine does; NeuroBench counts it as one more connection layer. Needs the
optional ``snntorch`` and ``neurobench`` packages; float (32-bit) weights.
"""

from __future__ import annotations

import numpy as np

from .. import data
from ..design import Design
from ..errors import DesignError, FieldProblem
from ..topology import LayerSpec

STATIC = ("footprint", "connection_sparsity")
WORKLOAD = ("classification_accuracy", "activation_sparsity", "synaptic_operations", "membrane_updates")


def snntorch_twin(specs: list[LayerSpec], layers: list, beta: float, threshold: float, reset: str, recurrent: dict | None = None):
    """An ``nn.Module`` stepping the network once per call: input [B, n_in] → (output current [B, n_out], None).
    ``recurrent``: W_rec [n, n] (row: the neuron that spiked) by layer index, for the layers whose spec is recurrent."""
    import snntorch as snn
    import torch
    from torch import nn

    recurrent = recurrent or {}

    def fires(shifted: torch.Tensor) -> torch.Tensor:  # the engine fires at v ≥ threshold
        return (shifted >= 0).to(shifted.dtype)

    def neuron(index: int, spec: LayerSpec) -> nn.Module:
        common = {"beta": beta, "threshold": threshold, "reset_mechanism": "none", "spike_grad": fires}
        if not spec.recurrent:
            return snn.Leaky(**common)
        cell = snn.RLeaky(linear_features=spec.n_out, all_to_all=True, **common)
        cell.recurrent = nn.Linear(spec.n_out, spec.n_out, bias=False)  # the engine's W_rec has no bias
        with torch.no_grad():
            cell.recurrent.weight.copy_(torch.from_numpy(recurrent[index].T))
        return cell

    class Twin(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.synapses = nn.ModuleList(
                nn.Conv2d(s.conv.input_shape[0], s.conv.channels, s.conv.kernel, s.conv.stride, s.conv.padding)
                if s.conv
                else nn.Linear(s.n_in, s.n_out)
                for s in specs
            )
            self.neurons = nn.ModuleList(neuron(index, spec) for index, spec in enumerate(specs[:-1]))
            with torch.no_grad():
                for synapse, spec, (weight, bias) in zip(self.synapses, specs, layers):
                    synapse.weight.copy_(torch.from_numpy(weight if spec.conv else weight.T))
                    synapse.bias.copy_(torch.from_numpy(bias))

        def reset(self) -> None:  # NeuroBench calls this before each batch (snntorch.utils.reset sees no nested neurons)
            for neuron in self.neurons:
                neuron.reset_mem()

        def forward(self, x: torch.Tensor):
            for spec, synapse, neuron in zip(specs, self.synapses, self.neurons):
                current = synapse(x.reshape(-1, *spec.conv.input_shape) if spec.conv else x)
                spikes, membrane = neuron(current)
                neuron.mem = membrane * (1 - spikes) if reset == "zero" else membrane - threshold * spikes
                if spec.conv and spec.conv.pool > 1:
                    spikes = nn.functional.max_pool2d(spikes, spec.conv.pool)
                x = spikes.reshape(len(spikes), -1)
            return self.synapses[-1](x), None

    return Twin()


def neurobench_reference(design: Design, samples: int = 200, batch_size: int = 100) -> dict:
    """NeuroBench's own figures for ``design``'s trained network on its first ``samples`` test images (per sample),
    plus ``buffer_bytes``: what the snnTorch neurons register as buffers (counted in NeuroBench's footprint)."""
    import torch
    from neurobench.benchmarks import Benchmark
    from neurobench.metrics.static import ConnectionSparsity, Footprint
    from neurobench.metrics.workload import ActivationSparsity, ClassificationAccuracy, MembraneUpdates, SynapticOperations
    from neurobench.models import SNNTorchModel
    from torch.utils.data import DataLoader, TensorDataset

    from ..train import load_or_train

    problems = [
        FieldProblem(path, value, allowed)
        for path, value, allowed, fits in (
            (
                "specialization.experts",
                design.specialization.experts,
                "1 (the twin is one network)",
                design.specialization.experts == 1,
            ),
            (
                "training.learning_rule",
                design.training.learning_rule,
                "'surrogate-gradient'",
                design.training.learning_rule == "surrogate-gradient",
            ),
            ("quantization.weight_bits", design.weight_bits, "32 (the twin's weights are float)", min(design.weight_bits) >= 32),
            (
                "network.neuron.alpha",
                design.network.neuron.alpha,
                "0 (the twin's neurons are snnTorch's Leaky and RLeaky, no synaptic current)",
                design.network.neuron.alpha == 0,
            ),
            (
                "timesteps",
                design.layer_timesteps,
                "one count for every layer (the twin steps them together)",
                len(set(design.layer_timesteps)) == 1,
            ),
        )
        if not fits
    ]
    if problems:
        raise DesignError(problems)
    neuron = design.network.neuron
    specs = design.network_specs()["main"]
    weights = load_or_train(design)
    twin = snntorch_twin(
        specs, weights.networks["main"], neuron.beta, neuron.threshold, neuron.reset, weights.recurrent.get("main")
    )
    test = data.load(design.dataset.name, "test").head(samples)
    spikes = data.encode(test.x, design.dataset.encoding, design.layer_timesteps[0], seed=design.training.seed + 1)
    loader = DataLoader(
        TensorDataset(torch.from_numpy(np.ascontiguousarray(spikes, dtype=np.float32)), torch.from_numpy(test.y)),
        batch_size=batch_size,
    )
    benchmark = Benchmark(
        SNNTorchModel(twin),
        loader,
        [],
        [lambda currents: currents.sum(1).argmax(1)],
        [[Footprint, ConnectionSparsity], [ClassificationAccuracy, ActivationSparsity, SynapticOperations, MembraneUpdates]],
    )
    buffer_bytes = sum(b.numel() * b.element_size() for b in twin.buffers())  # before a step sizes the state
    return benchmark.run(quiet=True) | {"buffer_bytes": buffer_bytes}


def neurobench_comparison(design: Design, samples: int = 200) -> list[tuple[str, float, float, str]]:
    """(metric, ours, NeuroBench's, note) for every NeuroBench metric of ``design`` on its first ``samples`` test
    images: ours as ``evaluate`` reports them (:mod:`snnexplorer.sim.neurobench`), theirs from :func:`neurobench_reference`."""
    from ..pipeline import evaluate

    subset = design.to_dict()
    subset["dataset"]["test_samples"] = samples
    design = Design.from_dict(subset)
    ours, theirs = evaluate(design).neurobench.to_dict(), neurobench_reference(design, samples)
    rows = [
        (
            "footprint_bytes",
            ours["footprint"],
            theirs["Footprint"],
            f"NeuroBench adds {theirs['buffer_bytes']} B of snnTorch buffers",
        )
    ]
    for key, name in (
        ("connection_sparsity", "ConnectionSparsity"),
        ("activation_sparsity", "ActivationSparsity"),
        ("membrane_updates", "MembraneUpdates"),
    ):
        rows.append((key, ours[key], theirs[name], ""))
    rows += [(f"synaptic_operations.{k}", v, theirs["SynapticOperations"][k], "") for k, v in ours["synaptic_operations"].items()]
    return rows
