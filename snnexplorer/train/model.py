"""The torch twin of the engine's LIF network (see :mod:`snnexplorer.sim` for the semantics).

Layer-major evaluation: each layer's currents for all steps come from one
matmul, then a scan over steps applies leak, fire and reset. Spikes use a
fast-sigmoid surrogate gradient (slope k: the design's ``training.surrogate_slope``). Fixed point follows
:mod:`snnexplorer.sim.quantize` exactly when ``fixed`` layers are given.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from ..design import Training
from ..topology import LayerSpec, dense_specs

SURROGATE_SLOPE: float = Training.param.surrogate_slope.default
"""The fast sigmoid's default slope k (the Design's, snnTorch's ``fast_sigmoid`` default): the spike's gradient is
1 / (k·|v − θ| + 1)²."""


class LIF(NamedTuple):
    """The neurons' parameters as one value (as snnTorch's and Norse's neuron modules keep them): membrane decay per
    step ``beta``, firing ``threshold``, reset to zero (``reset_zero``) or by subtracting the threshold, and the
    synaptic current's decay per step ``alpha`` (0: none)."""

    beta: float = 0.9
    threshold: float = 1.0
    reset_zero: bool = False
    alpha: float = 0.0

    @classmethod
    def of(cls, neuron) -> LIF:
        """The parameters of a Design's ``network.neuron`` section."""
        return cls(neuron.beta, neuron.threshold, neuron.reset == "zero", neuron.alpha)


DEFAULT_LIF = LIF()
"""β 0.9, θ 1, reset by subtraction, no synaptic current: the Design's default neuron."""


class _Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (ctx.slope * x.abs() + 1.0) ** 2, None


def lif_scan(
    currents: torch.Tensor, lif: LIF, recurrent: torch.Tensor | None = None, slope: float = SURROGATE_SLOPE
) -> torch.Tensor:
    """Spikes [B, T, n] of ``lif`` neurons driven by ``currents`` [B, T, n] (float, differentiable); with ``recurrent``
    W_rec [n, n] the spikes of step t − 1 add ``s · W_rec`` to the current of step t (BPTT goes through it); with
    ``lif.alpha`` > 0 the input charges a synaptic current first (i ← α·i + input, v ← β·v + i: current-based LIF).
    The spikes' gradient is the fast sigmoid's of ``slope`` (see :data:`SURROGATE_SLOPE`)."""
    beta, threshold, reset_zero, alpha = lif
    v = torch.zeros_like(currents[:, 0])
    s, synapse = torch.zeros_like(v), torch.zeros_like(v)
    out = []
    for current in currents.unbind(1):  # unbind: one backward stack, not a zero-filled gradient per step
        current = current if recurrent is None else current + s @ recurrent
        if alpha:
            synapse = alpha * synapse + current
            current = synapse
        v = beta * v + current
        s = _Spike.apply(v - threshold, slope)
        v = v * (1 - s) if reset_zero else v - threshold * s
        out.append(s)
    return torch.stack(out, dim=1)


def fixed_lif_scan(
    currents: torch.Tensor, beta_q: float, threshold: float, v_min: float, v_max: float, reset_zero: bool
) -> torch.Tensor:
    """Integer LIF (float64 holding integers), identical to the engine's fixed-point path."""
    v = torch.zeros_like(currents[:, 0])
    out = []
    for t in range(currents.shape[1]):
        v = torch.clamp(torch.floor(v * beta_q * (1.0 / 65536.0)) + currents[:, t], v_min, v_max)
        s = (v >= threshold).to(v.dtype)
        v = torch.where(s > 0, torch.zeros_like(v), v) if reset_zero else v - threshold * s
        out.append(s)
    return torch.stack(out, dim=1)


def fake_quantize(weight: torch.Tensor, bias: torch.Tensor, bits: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights and bias on the engine's fixed-point grid (:mod:`snnexplorer.sim.quantize`), with a
    straight-through gradient; 32 bits = unchanged."""
    if bits >= 32:
        return weight, bias
    with torch.no_grad():
        if bits == 1:
            scale = weight.abs().mean().clamp_min(1e-12)
            w_q = torch.where(weight >= 0, 1.0, -1.0) * scale
        else:
            levels = 2 ** (bits - 1) - 1
            scale = (weight.abs().max() / levels).clamp_min(1e-12)
            w_q = torch.clamp(torch.round(weight / scale), -levels, levels) * scale
        b_q = torch.round(bias / scale) * scale
    return weight + (w_q - weight).detach(), bias + (b_q - bias).detach()


class SpikingNet(nn.Module):
    """A conv / pool / dense stack (:mod:`snnexplorer.topology`) of the engine's LIF neurons; ``forward`` returns
    the output score Σ_t I_out[t] for input [B, T, n_in].

    A conv layer convolves every step at once ([B·T, C, H, W]), its LIF
    neurons scan the steps, and its pooling ORs spike windows (max pooling
    of spikes), as :class:`snnexplorer.sim.Conv` does. ``weight_bits`` (one
    per layer) makes training quantization-aware: the forward pass uses
    fake-quantized weights (straight-through estimator). ``surrogate_slope``
    shapes the spikes' gradient (:func:`lif_scan`).
    """

    def __init__(
        self,
        specs: list[LayerSpec],
        lif: LIF = DEFAULT_LIF,
        weight_bits: list[int] | None = None,
        surrogate_slope: float = SURROGATE_SLOPE,
    ):
        super().__init__()
        self.specs = specs
        self.layers = nn.ModuleList(
            nn.Conv2d(s.conv.input_shape[0], s.conv.channels, s.conv.kernel, s.conv.stride, s.conv.padding)
            if s.conv
            else nn.Linear(s.n_in, s.n_out)
            for s in specs
        )
        self.recurrent = nn.ParameterDict(
            {str(i): nn.Parameter(torch.empty(s.n_out, s.n_out)) for i, s in enumerate(specs) if s.recurrent}
        )
        for weight in self.recurrent.values():  # as nn.Linear(n, n) draws its weights
            nn.init.kaiming_uniform_(weight, a=5**0.5)
        self.lif, self.surrogate_slope = lif, surrogate_slope
        self.weight_bits = weight_bits or [32] * len(self.layers)

    def _current(self, index: int, x: torch.Tensor) -> torch.Tensor:
        """Input currents of layer ``index`` for ``x`` [..., n_in] → [..., n_neurons]."""
        layer, conv = self.layers[index], self.specs[index].conv
        weight, bias = fake_quantize(layer.weight, layer.bias, self.weight_bits[index])
        if conv is None:
            return nn.functional.linear(x, weight, bias)
        lead = x.shape[:-1]
        maps = nn.functional.conv2d(x.reshape(-1, *conv.input_shape), weight, bias, conv.stride, conv.padding)
        return maps.reshape(*lead, -1)

    def _pool(self, index: int, x: torch.Tensor) -> torch.Tensor:
        """OR (max) pooling of layer ``index``'s output [..., n_neurons] → [..., n_out]; unchanged without pooling."""
        conv = self.specs[index].conv
        if conv is None or conv.pool == 1:
            return x
        lead = x.shape[:-1]
        maps = x.reshape(-1, conv.channels, *conv.map_shape)
        return nn.functional.max_pool2d(maps, conv.pool).reshape(*lead, -1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for index in range(len(self.layers) - 1):
            feedback = self.recurrent[str(index)] if str(index) in self.recurrent else None
            x = self._pool(index, lif_scan(self._current(index, x), self.lif, feedback, self.surrogate_slope))
        return self._current(len(self.layers) - 1, x).sum(dim=1)

    def numpy_recurrent(self) -> dict[int, np.ndarray]:
        """W_rec [n_out, n_out] float32 per recurrent layer (row: the neuron that spiked), as the engine reads it."""
        return {int(i): w.detach().numpy().astype(np.float32).copy() for i, w in self.recurrent.items()}

    def load_recurrent(self, recurrent: dict[int, np.ndarray]) -> SpikingNet:
        """Set the recurrent weights from :meth:`numpy_recurrent`'s form; returns self."""
        with torch.no_grad():
            for index, weight in recurrent.items():
                self.recurrent[str(index)].copy_(torch.from_numpy(weight))
        return self

    def load_numpy(self, layers: list) -> SpikingNet:
        """Set the weights from :meth:`numpy_layers`' form; returns self."""
        with torch.no_grad():
            for layer, spec, (weight, bias) in zip(self.layers, self.specs, layers):
                layer.weight.copy_(torch.from_numpy(weight if spec.conv else weight.T))
                layer.bias.copy_(torch.from_numpy(bias))
        return self

    def numpy_layers(self) -> list:
        """(W, b) per layer as the engine reads them: dense W [n_in, n_out], conv W [C_out, C_in, k, k]."""
        return [
            (
                (l.weight.detach() if spec.conv else l.weight.detach().T).contiguous().numpy().copy(),
                l.bias.detach().numpy().copy(),
            )
            for l, spec in zip(self.layers, self.specs)
        ]


class SpikingMLP(SpikingNet):
    """A fully connected :class:`SpikingNet` of layer ``sizes`` [inputs, hidden..., outputs]."""

    def __init__(self, sizes: list[int], lif: LIF = DEFAULT_LIF, weight_bits: list[int] | None = None):
        super().__init__(dense_specs(sizes), lif, weight_bits)


class EnsembleSNN(nn.Module):
    """E independent SpikingMLPs of one shape trained at once with batched matmuls.

    Weight ``layers[l]`` has shape [E, n_in, n_out]. All experts see the same
    input; their losses are summed, so each expert's gradient is its own and
    Adam (per parameter) updates each as if trained alone — at the cost of one
    network's Python and scan overhead instead of E.
    """

    def __init__(
        self,
        experts: int,
        sizes: list[int],
        lif: LIF = DEFAULT_LIF,
        weight_bits: list[int] | None = None,
        surrogate_slope: float = SURROGATE_SLOPE,
    ):
        super().__init__()
        self.weights, self.biases = nn.ParameterList(), nn.ParameterList()
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / n_in**0.5  # nn.Linear's default initialisation
            self.weights.append(nn.Parameter(torch.empty(experts, n_in, n_out).uniform_(-bound, bound)))
            self.biases.append(nn.Parameter(torch.empty(experts, 1, 1, n_out).uniform_(-bound, bound)))
        self.lif, self.surrogate_slope = lif, surrogate_slope
        self.weight_bits = weight_bits or [32] * len(self.weights)

    def _current(self, index: int, x: torch.Tensor) -> torch.Tensor:
        pairs = [fake_quantize(w, b, self.weight_bits[index]) for w, b in zip(self.weights[index], self.biases[index])]
        weight = torch.stack([w for w, _ in pairs])
        bias = torch.stack([b for _, b in pairs])
        pattern = "btn,enm->ebtm" if x.dim() == 3 else "ebtn,enm->ebtm"
        return torch.einsum(pattern, x, weight) + bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores [E, B, n_out] for input [B, T, n_in]."""
        for index in range(len(self.weights) - 1):
            current = self._current(index, x)
            e, b, t, n = current.shape
            spikes = lif_scan(current.permute(1, 2, 0, 3).reshape(b, t, e * n), self.lif, slope=self.surrogate_slope)
            x = spikes.reshape(b, t, e, n).permute(2, 0, 1, 3)
        return self._current(len(self.weights) - 1, x).sum(dim=2)

    def numpy_layers(self, expert: int, outputs: int) -> list:
        """Expert ``expert``'s layers as (W [n_in, n_out], b [n_out]), its output layer cut to ``outputs``."""
        layers = [
            (w[expert].detach().numpy().copy(), b[expert].reshape(-1).detach().numpy().copy())
            for w, b in zip(self.weights, self.biases)
        ]
        w, b = layers[-1]
        layers[-1] = (w[:, :outputs].copy(), b[:outputs].copy())
        return layers


class ExpertStack(nn.Module):
    """Experts with a conv stack: E :class:`SpikingNet` s of one shape, with :class:`EnsembleSNN`'s interface
    (scores [E, B, n_out]; one expert's numpy layers). Convolutions are not batched across experts."""

    def __init__(self, experts: list[SpikingNet]):
        super().__init__()
        self.experts = nn.ModuleList(experts)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([expert(x) for expert in self.experts])

    def numpy_layers(self, expert: int, outputs: int) -> list:
        """Expert ``expert``'s layers as the engine reads them, its output layer cut to ``outputs``."""
        layers = self.experts[expert].numpy_layers()
        w, b = layers[-1]
        layers[-1] = (w[:, :outputs].copy(), b[:outputs].copy())
        return layers


class ANN(SpikingNet):
    """The ANN twin (Ottati et al. 2023): the same stack with ReLU in place of LIF neurons, one pass over the pixels
    ([B, n_in] → scores [B, n_out])."""

    def __init__(self, specs: list[LayerSpec]):
        super().__init__(specs, LIF(beta=0.0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for index in range(len(self.layers) - 1):
            x = self._pool(index, torch.relu(self._current(index, x)))
        return self._current(len(self.layers) - 1, x)
