"""NeuroBench's metrics of a network, computed from what the engine measured.

NeuroBench (Yik et al., "The neurobench framework for benchmarking neuromorphic
computing algorithms and systems", Nature Communications 2025; PyPI
``neurobench``) names the figures papers compare; these are its definitions as
its package (2.3) computes them on the snnTorch twin of a network
(:mod:`snnexplorer.interop.neurobench_twin`: one ``Linear``/``Conv2d`` per weight
layer, one ``snn.Leaky`` per spiking layer, the readout a ``Linear`` summed over
the steps), per sample:

* ``footprint`` — bytes of the weights and biases, here at the design's weight
  bits (NeuroBench also counts the tensors a framework registers as buffers, such
  as snnTorch's per-layer β and threshold; a twin at 32 bits differs by exactly those);
* ``connection_sparsity`` — share of weights (not biases) that are exactly zero;
  None for synthetic activity, which has no weights;
* ``activation_sparsity`` — share of zero outputs of the spiking neurons (every
  hidden neuron, every step; a convolution's before its pooling);
* ``synaptic_operations`` — ``Effective_ACs``: input spikes × the synapses each
  reaches, every step (our synaptic ops); ``Effective_MACs``: the same for
  analog (direct-encoded) inputs, counting each non-zero value once;
  ``Dense``: every synapse every step, zero inputs included. A recurrent
  layer's feedback (an ``snn.RLeaky``'s all-to-all ``recurrent`` ``Linear`` in
  the twin) is one more connection layer fed the layer's spikes of the step
  before: accumulates, even in a layer whose other input is analog;
* ``membrane_updates`` — membrane values of the spiking neurons that change in
  a step. NeuroBench counts a change by comparing values; with a bias every
  neuron's membrane changes every step, so this is every hidden neuron every
  step, which is what is reported here.

Specialized designs sum over their experts (every expert runs).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..per_layer import fit_to_depth
from .activity import Activity


@dataclass(frozen=True)
class SynapticOperations:
    """NeuroBench's SynapticOperations per sample: multiply-accumulates (analog input), accumulates (spike input), and
    the dense count (every connection every timestep)."""

    effective_macs: float
    effective_acs: float
    dense: float


@dataclass(frozen=True)
class NeuroBenchMetrics:
    """NeuroBench's metrics of a design, per sample: ``footprint`` (bytes of weights), ``connection_sparsity`` (share
    of zero weights; None when unknown), ``activation_sparsity`` (1 − spikes / neuron steps; None without hidden
    neurons), ``synaptic_operations``, ``membrane_updates``. :meth:`to_dict` uses NeuroBench's own names."""

    footprint: float
    connection_sparsity: float | None
    activation_sparsity: float | None
    synaptic_operations: SynapticOperations
    membrane_updates: float

    def to_dict(self) -> dict:
        ops = self.synaptic_operations
        return {
            "footprint": self.footprint,
            "connection_sparsity": self.connection_sparsity,
            "activation_sparsity": self.activation_sparsity,
            "synaptic_operations": {"Effective_MACs": ops.effective_macs, "Effective_ACs": ops.effective_acs, "Dense": ops.dense},
            "membrane_updates": self.membrane_updates,
        }


def neurobench_metrics(activity: Activity, weight_bits: list[int]) -> NeuroBenchMetrics:
    """NeuroBench's metrics (module docstring) of ``activity``'s networks, per sample, under NeuroBench's names."""
    footprint = 0.0
    zeros, weights, known = 0, 0, True
    spikes = neuron_steps = 0
    effective_acs = effective_macs = dense = 0.0
    for net in activity.experts or [activity]:
        samples = max(1, net.layers[0].batch)
        for layer, bits in zip(net.layers, fit_to_depth(weight_bits, len(net.layers))):
            footprint += layer.parameters * bits / 8
            weights += layer.weights
            known = known and layer.zero_weights is not None
            zeros += layer.zero_weights or 0
            ops = float(layer.synaptic_ops.sum()) / samples
            recurrent_ops = layer.recurrent_ops / samples
            if layer.analog_input:  # the layer's own spikes of the step before are spikes: accumulates
                effective_macs += ops - recurrent_ops
                effective_acs += recurrent_ops
            else:
                effective_acs += ops
            dense += float(layer.connections) * layer.timesteps
            if not layer.is_output:
                neuron_steps += layer.n_out * layer.timesteps
        spikes += sum(float(counts.sum()) / samples for counts in net.layer_spikes)
    return NeuroBenchMetrics(
        footprint,
        zeros / weights if known and weights else None,
        1.0 - spikes / neuron_steps if neuron_steps else None,
        SynapticOperations(effective_macs, effective_acs, dense),
        float(neuron_steps),
    )
