"""The torch twin of the engine's LIF network (see :mod:`snnexplorer.sim` for the semantics).

Layer-major evaluation: each layer's currents for all steps come from one
matmul, then a scan over steps applies leak, fire and reset. Spikes use a
fast-sigmoid surrogate gradient (slope 25). Fixed point follows
:mod:`snnexplorer.sim.quantize` exactly when ``fixed`` layers are given.
"""

from __future__ import annotations

import torch
from torch import nn

SURROGATE_SLOPE = 25.0


class _Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (SURROGATE_SLOPE * x.abs() + 1.0) ** 2


def lif_scan(currents: torch.Tensor, beta: float, threshold: float, reset_zero: bool) -> torch.Tensor:
    """Spikes [B, T, n] of LIF neurons driven by ``currents`` [B, T, n] (float, differentiable)."""
    v = torch.zeros_like(currents[:, 0])
    out = []
    for current in currents.unbind(1):  # unbind: one backward stack, not a zero-filled gradient per step
        v = beta * v + current
        s = _Spike.apply(v - threshold)
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


class SpikingMLP(nn.Module):
    """Fully connected LIF network; ``forward`` returns the output score Σ_t I_out[t].

    ``weight_bits`` (one per layer) makes training quantization-aware: the
    forward pass uses fake-quantized weights (straight-through estimator).
    """

    def __init__(
        self, sizes: list[int], beta: float, threshold: float, reset: str = "subtract", weight_bits: list[int] | None = None
    ):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.beta, self.threshold, self.reset_zero = beta, threshold, reset == "zero"
        self.weight_bits = weight_bits or [32] * len(self.layers)

    def _current(self, index: int, x: torch.Tensor) -> torch.Tensor:
        layer = self.layers[index]
        weight, bias = fake_quantize(layer.weight, layer.bias, self.weight_bits[index])
        return nn.functional.linear(x, weight, bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for index in range(len(self.layers) - 1):
            x = lif_scan(self._current(index, x), self.beta, self.threshold, self.reset_zero)
        return self._current(len(self.layers) - 1, x).sum(dim=1)

    def numpy_layers(self) -> list:
        return [(l.weight.detach().T.contiguous().numpy().copy(), l.bias.detach().numpy().copy()) for l in self.layers]


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
        beta: float,
        threshold: float,
        reset: str = "subtract",
        weight_bits: list[int] | None = None,
    ):
        super().__init__()
        self.weights, self.biases = nn.ParameterList(), nn.ParameterList()
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / n_in**0.5  # nn.Linear's default initialisation
            self.weights.append(nn.Parameter(torch.empty(experts, n_in, n_out).uniform_(-bound, bound)))
            self.biases.append(nn.Parameter(torch.empty(experts, 1, 1, n_out).uniform_(-bound, bound)))
        self.beta, self.threshold, self.reset_zero = beta, threshold, reset == "zero"
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
            spikes = lif_scan(current.permute(1, 2, 0, 3).reshape(b, t, e * n), self.beta, self.threshold, self.reset_zero)
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


class MLP(nn.Module):
    """The ANN twin: the same topology with ReLU (Ottati et al. 2023)."""

    def __init__(self, sizes: list[int]):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)
