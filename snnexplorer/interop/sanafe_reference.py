"""SANA-FE's calibrated Loihi model run on one of our networks: the reference the ``loihi`` preset is held to.

SANA-FE (Boyle et al., IEEE TCAD 44(8) 2025; PyPI ``sanafe``, imported only here; the ``test`` extra
installs it) simulates a spiking network mapped onto the cores of a neuromorphic chip and charges each
hardware event its energy and latency from ``sanafe/examples/loihi.yaml`` (SPICE-derived Loihi numbers,
predicting measured Loihi energy within 12 % and latency within 25 %, per the paper).

:func:`run_sanafe` builds the same network (an :class:`~snnexplorer.interop.ImportedNetwork`: every stage's
composed synapses as explicit connections, its neurons as Loihi LIF compartments), places it the way our cost
model does (input neurons, then each stage, on consecutive cores, a stage's neurons split evenly over the cores
:mod:`snnexplorer.hardware.cores` gives it), feeds each sample the same input spikes and returns SANA-FE's energy
per component and simulated time per sample.

Semantics, and how the comparison handles them:

* a spike reaches the next layer one step later (the chip is a pipeline), so a sample runs ``T + L`` chip
  steps for L stages (the input neurons are the first): every stage then sees the same input train as in our
  engine, shifted by its depth. Our model prices a core chip over the same ``T + L`` steps (:mod:`snnexplorer.hardware.cores`);
* SANA-FE's LIF fires at ``v > θ`` and truncates the membrane to multiples of 1/64 before adding its input
  (Loihi's fixed point); weights stay floats (SANA-FE takes them as given). A stage that fires at ``v ≥ θ``
  (our designs) or is non-spiking (a readout) is written with the threshold that gives the same behaviour
  (θ − 1e-6, or 1e30); the spike counts of the two runs are returned so the functional difference is seen;
* input neurons are SANA-FE's zero-cost ``input`` somas on their own cores, so each input spike costs its
  axon-out messages and hops (what an on-chip spike generator costs), as in our model.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

SYNAPSE_UNITS = {"dense": "loihi_dense_synapse", "conv": "loihi_conv_synapse"}
NEVER_FIRES = 1e30


@dataclass(frozen=True)
class SanafeRun:
    """SANA-FE's figures per sample (J, s) and the spikes each stage emitted per sample (mean over samples)."""

    synapse_j: float
    soma_j: float
    network_j: float
    total_j: float
    latency_s: float
    spikes_per_stage: np.ndarray
    chip_steps: int


def stage_weights(stage) -> tuple[np.ndarray, np.ndarray]:
    """What one step of a stage adds to each membrane: weights float64 [n_in, n_out] (input i → neuron j) and a
    constant per neuron [n_out], the composed synapses scaled by the neurons' input gain (``mem_gain``)."""
    if stage.recurrent or len(stage.inputs) != 1:
        raise ValueError(f"stage {stage.name}: the SANA-FE cases are chains (one input, no recurrence)")
    weights, constant = stage.affine_map()
    gain = stage.neurons.mem_gain.astype(np.float64)
    return weights.astype(np.float64) * gain[None, :], stage.neurons.mem_offset.astype(np.float64) + gain * constant


def _compartments(stage, bias: np.ndarray) -> list[dict]:
    """Loihi LIF attributes per neuron of ``stage`` with constant input ``bias`` (module docstring: thresholds)."""
    coeff = stage.neurons
    if coeff.has_synapse:
        raise ValueError(f"stage {stage.name}: SANA-FE's LIF has no synaptic current; give a stage without one")
    nudge = 1e-6 if coeff.fires_at_threshold else 0.0
    out = []
    for j in range(stage.n_out):
        threshold = float(coeff.threshold[j]) - nudge if coeff.spiking else NEVER_FIRES
        out.append(
            {
                "threshold": threshold,
                "leak_decay": float(coeff.mem_decay[j]),
                "bias": float(bias[j]),
                "reset": float(coeff.v_reset[j]),
                "reset_mode": "soft" if coeff.subtract else "hard",
            }
        )
    return out


def _split(n: int, cores: int) -> np.ndarray:
    """Core offset (0..cores−1) of each of ``n`` neurons split evenly and contiguously."""
    per_core = math.ceil(n / cores)
    return np.arange(n) // per_core


@contextmanager
def _torch_threads_kept() -> Iterator[None]:
    """SANA-FE's OpenMP runtime leaves the process's OpenMP thread count at 1, which torch shares: training after a
    SANA-FE run would then sum in another order. Restore torch's count."""
    threads = torch.get_num_threads()
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def run_sanafe(network, spikes: np.ndarray, cores: list[int], input_cores: int, conv: list[bool]) -> SanafeRun:
    """Run ``network`` (an ImportedNetwork) on SANA-FE's Loihi for each sample of ``spikes`` [batch, T, n_in].

    ``cores``: cores per stage; ``input_cores``: cores holding the input neurons; ``conv``: per stage, whether its
    synapses are convolutional (SANA-FE's conv synapse unit) or dense. Returns per-sample means.
    """
    import sanafe

    spikes = np.asarray(spikes).astype(bool)
    n_batch, n_steps, n_in = spikes.shape
    stages = network.stages
    chip_steps = n_steps + len(stages)
    arch = sanafe.load_loihi()
    hw_cores = arch.cores()
    if input_cores + sum(cores) > len(hw_cores):
        raise ValueError(f"{input_cores + sum(cores)} cores needed; SANA-FE's Loihi has {len(hw_cores)}")
    net = sanafe.Network()
    groups = [net.create_neuron_group("input", n_in, soma_hw_name="loihi_inputs[0]")]
    in_core = _split(n_in, input_cores)
    for i in range(n_in):
        slot = i - int(np.searchsorted(in_core, in_core[i]))
        groups[0][i].set_attributes(soma_hw_name=f"loihi_inputs[{slot}]")
        groups[0][i].map_to_core(hw_cores[int(in_core[i])])
    first = input_cores
    for index, (stage, n_cores, is_conv) in enumerate(zip(stages, cores, conv)):
        group = net.create_neuron_group(
            f"stage{index}",
            stage.n_out,
            soma_hw_name="loihi_lif",
            default_synapse_hw_name=SYNAPSE_UNITS["conv" if is_conv else "dense"],
            log_spikes=True,
        )
        matrix, bias = stage_weights(stage)
        for j, (attributes, offset) in enumerate(zip(_compartments(stage, bias), _split(stage.n_out, n_cores))):
            group[j].set_attributes(model_attributes=attributes)
            group[j].map_to_core(hw_cores[first + int(offset)])
        first += n_cores
        src, dst = np.nonzero(matrix)
        groups[-1].connect_neurons_sparse(group, {"weight": matrix[src, dst].tolist()}, list(zip(src.tolist(), dst.tolist())))
        groups.append(group)
    totals = np.zeros(5)
    fired = np.zeros(len(stages))
    pad = np.zeros((chip_steps - n_steps, n_in), dtype=bool)
    with _torch_threads_kept():
        chip = sanafe.SpikingChip(arch)
        chip.load(net)
        for sample in spikes:
            chip.reset()
            train = np.concatenate([sample, pad])
            for i, neuron in enumerate(chip.mapped_neuron_groups["input"]):
                neuron.set_attributes(model_attributes={"spikes": train[:, i].tolist()})
            result = chip.sim(chip_steps, timing_model="detailed", spike_trace=True)
            energy = result["energy"]
            totals += [energy["synapse"], energy["soma"], energy["network"], energy["total"], result["sim_time"]]
            for step in result["spike_trace"]:
                for address in step:
                    if address.group_name.startswith("stage"):
                        fired[int(address.group_name[5:])] += 1
    synapse, soma, network_j, total, latency = totals / n_batch
    return SanafeRun(synapse, soma, network_j, total, latency, fired / n_batch, chip_steps)
