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
  ``Dense``: every synapse every step, zero inputs included;
* ``membrane_updates`` — membrane values of the spiking neurons that change in
  a step. NeuroBench counts a change by comparing values; with a bias every
  neuron's membrane changes every step, so this is every hidden neuron every
  step, which is what is reported here.

Specialized designs sum over their experts (every expert runs).
"""

from __future__ import annotations

from ..per_layer import fit_to_depth
from .activity import Activity


def neurobench_metrics(activity: Activity, weight_bits: list[int]) -> dict:
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
            if layer.analog_input:
                effective_macs += ops
            else:
                effective_acs += ops
            dense += float(layer.connections) * layer.timesteps
            if not layer.is_output:
                neuron_steps += layer.n_out * layer.timesteps
        spikes += sum(float(counts.sum()) / samples for counts in net.layer_spikes)
    return {
        "footprint": footprint,
        "connection_sparsity": zeros / weights if known and weights else None,
        "activation_sparsity": 1.0 - spikes / neuron_steps if neuron_steps else None,
        "synaptic_operations": {"Effective_MACs": effective_macs, "Effective_ACs": effective_acs, "Dense": dense},
        "membrane_updates": float(neuron_steps),
    }
