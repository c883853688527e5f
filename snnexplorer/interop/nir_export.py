"""NIR out: :func:`to_nir` writes a Design's trained network, weights included, as a NIR graph.

The engine's neuron (``v ← β·v + I``, fire at ``v ≥ θ``, reset by subtracting
θ or to 0; :mod:`snnexplorer.sim`) is NIR's LIF at step ``dt`` with ``tau =
dt / (1 − β)``, ``v_leak = 0``, ``v_threshold = θ``, ``v_reset = 0`` and
``r = 1``; the gain ``1 / (1 − β)`` that keeps the update ``β·v + I`` is
folded into the Affine before it (weights and bias), so a reader that
ignores ``r`` (Norse 1.1.0 does) still computes the same currents. β = 1
(no leak) is an IF node. Firing at ``v ≥ θ`` and reset by subtraction are
written as node metadata (:data:`~snnexplorer.interop.nir_import.RESET_KEY`,
:data:`~snnexplorer.interop.nir_import.FIRES_AT_KEY`), which other readers
ignore: for them the neuron resets to 0 and fires above θ. The engine's
output layer, a leak-free sum of its currents over the steps, is NIR's
integrator ``I`` with ``r = 1 / dt`` (a reader without ``I`` that sums the
last Affine's output over steps gets the same scores).

With a synaptic current (``network.neuron.alpha`` α > 0: ``i ← α·i + I``, ``v ← β·v + i``) a hidden layer is
NIR's CubaLIF with ``tau_syn = dt / (1 − α)`` and ``w_in = 1 / (1 − α)`` beside the LIF's fields, so that both
updates keep unit gains at ``dt``.

A recurrent layer's W_rec is a Linear node from its LIF node back to it
(``lif_1 → lif_1_rec → lif_1``, the gain folded in like the Affine's), which
:func:`~snnexplorer.interop.from_nir` reads as recurrence. One network per
file: specialized designs (several experts), STDP designs and fixed-point
designs (NIR has no fixed-point neuron) are refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..design import Design
from ..errors import DesignError, FieldProblem
from ..io import atomic_write_bytes
from .nir_import import FIRES_AT_KEY, RESET_KEY


def exportable_problems(design: Design) -> list[FieldProblem]:
    """Why ``design`` cannot be written as one NIR graph (empty when it can)."""
    problems = []
    if design.specialization.experts > 1:
        problems.append(FieldProblem("specialization.experts", design.specialization.experts, "1 (one network per NIR file)"))
    if design.training.learning_rule == "stdp":
        problems.append(FieldProblem("training.learning_rule", "stdp", "'surrogate-gradient' (an STDP layer has no readout)"))
    neuron = design.network.neuron
    if neuron.alpha > 0 and neuron.beta >= 1:
        problems.append(
            FieldProblem("network.neuron.beta", neuron.beta, "below 1 with a synaptic current: NIR has no current-based IF")
        )
    low = [bits for bits in (*design.weight_bits, *design.membrane_bits) if bits < 32]
    if low:
        problems.append(FieldProblem("quantization", low, "32-bit (float) weights and membranes: NIR has no fixed-point neuron"))
    return problems


def to_nir(design: Design, dt: float = 1e-3, weights=None):
    """The ``nir.NIRGraph`` of ``design``'s trained network (trained or loaded from the cache unless ``weights``)."""
    import nir

    problems = exportable_problems(design)
    if problems:
        raise DesignError(problems)
    if weights is None:
        from ..train import load_or_train

        weights = load_or_train(design)
    layers = weights.networks["main"]
    neuron = design.network.neuron
    gain = 1.0 / (1.0 - neuron.beta) if neuron.beta < 1 else 1.0 / dt
    metadata = {FIRES_AT_KEY: ">="}
    if neuron.reset == "subtract":
        metadata[RESET_KEY] = "subtract"
    nodes = [nir.Input(input_type={"input": np.array([design.n_inputs])})]
    for index, (weight, bias) in enumerate(layers):
        n_out = weight.shape[1]
        output = index == len(layers) - 1
        scale = 1.0 if output else gain
        nodes.append(nir.Affine(weight=(np.asarray(weight, np.float64).T * scale), bias=np.asarray(bias, np.float64) * scale))
        ones = np.ones(n_out)
        if output:
            nodes.append(nir.I(r=ones / dt))
        elif neuron.alpha > 0:  # i ← α·i + input, v ← β·v + i: unit gains once discretized at dt (the importer's rule)
            nodes.append(
                nir.CubaLIF(
                    tau_syn=ones * dt / (1.0 - neuron.alpha),
                    tau_mem=ones * dt / (1.0 - neuron.beta),
                    r=ones,
                    v_leak=0 * ones,
                    v_threshold=ones * neuron.threshold,
                    v_reset=0 * ones,
                    w_in=ones / (1.0 - neuron.alpha),
                    metadata=metadata,
                )
            )
        elif neuron.beta < 1:
            tau = ones * dt / (1.0 - neuron.beta)
            nodes.append(
                nir.LIF(
                    tau=tau, r=ones, v_leak=0 * ones, v_threshold=ones * neuron.threshold, v_reset=0 * ones, metadata=metadata
                )
            )
        else:
            nodes.append(nir.IF(r=ones, v_threshold=ones * neuron.threshold, v_reset=0 * ones, metadata=metadata))
    nodes.append(nir.Output(output_type={"output": np.array([layers[-1][0].shape[1]])}))
    graph = nir.NIRGraph.from_list(*nodes)
    names = list(graph.nodes)  # input, affine, lif, affine_1, lif_1, …
    for index, feedback in weights.recurrent.get("main", {}).items():
        neurons = names[2 + 2 * index]  # its spikes, through W_rec (the gain folded in too), back into it
        graph.nodes[f"{neurons}_rec"] = nir.Linear(weight=np.asarray(feedback, np.float64).T * gain)
        graph.edges += [(neurons, f"{neurons}_rec"), (f"{neurons}_rec", neurons)]
    graph.metadata = {"source": "snnexplorer", "design": design.name, "dt": dt}
    return graph


def write_nir(design: Design, path: str | Path, dt: float = 1e-3) -> Path:
    """Write ``to_nir(design)`` to ``path`` atomically (a reader never sees half a file)."""
    import io

    import nir

    buffer = io.BytesIO()
    nir.write(buffer, to_nir(design, dt))
    return atomic_write_bytes(path, buffer.getvalue())
