"""Surrogate-gradient training of the networks a Design describes; task specialization.

Monolithic (``experts: 1``): one SpikingNet (dense or conv stack) over all classes.
Specialized (Lebdeh et al. 2024): the classes are split into groups
(:func:`class_groups`), and each expert learns its group's classes plus a
"not mine" output (weighted so that both sides count equally). ``combine:
router`` adds a small router SNN that learns which group a sample belongs to.
Training is seeded and deterministic on CPU; it uses CUDA when available.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .. import data
from ..design import Design
from ..errors import TrainingCancelled
from ..events import EventSet
from ..per_layer import fit_to_depth
from ..progress import Progress, Step
from ..topology import LayerSpec, stack
from ..weights import Weights
from .model import ANN, LIF, EnsembleSNN, ExpertStack, SpikingNet


def class_groups(design: Design, confusion: np.ndarray | None = None) -> list[list[int]]:
    """The class groups of a specialization: one-vs-rest, balanced, or by confusion."""
    k, experts = design.n_classes, design.specialization.experts
    if experts == 1:
        return [list(range(k))]
    if design.specialization.grouping == "one-vs-rest":
        return [[c] for c in range(k)]
    if design.specialization.grouping == "balanced" or confusion is None:
        return [list(range(k))[g::experts] for g in range(experts)]
    return confusion_groups(confusion, experts)


def confusion_groups(confusion: np.ndarray, experts: int) -> list[list[int]]:
    """Greedy merge of the most confused groups, at most ⌈K/E⌉ classes per group."""
    k = confusion.shape[0]
    limit = math.ceil(k / experts)
    mutual = confusion + confusion.T
    np.fill_diagonal(mutual, 0)
    groups = [[c] for c in range(k)]
    while len(groups) > experts:
        best, pair = -1.0, None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if len(groups[i]) + len(groups[j]) <= limit:
                    score = float(mutual[np.ix_(groups[i], groups[j])].sum())
                    if score > best:
                        best, pair = score, (i, j)
        if pair is None:  # nothing fits: merge the two smallest
            order = sorted(range(len(groups)), key=lambda g: len(groups[g]))
            pair = tuple(sorted(order[:2]))
        i, j = pair
        groups[i] = sorted(groups[i] + groups[j])
        del groups[j]
    return sorted(groups)


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def encode_batch(x: torch.Tensor, encoding: str, steps: int, generator: torch.Generator) -> torch.Tensor:
    """Encode a batch on the fly in torch (the same codes as :mod:`snnexplorer.data`)."""
    if encoding == "rate":
        noise = torch.rand((x.shape[0], steps, x.shape[1]), generator=generator, device=x.device)
        return (noise < x[:, None, :]).to(x.dtype)
    if encoding == "direct":
        return x[:, None, :].expand(-1, steps, -1)
    if encoding == "events":  # already binned into frames [B, T, inputs] (see _fit)
        return x.to(torch.float32)
    if encoding == "rows":
        return x.reshape(x.shape[0], steps, -1)
    return torch.from_numpy(data.latency_encode(x.cpu().numpy(), steps)).to(x.device, x.dtype)


def shift_batch(x: torch.Tensor, shape: tuple[int, int, int], generator: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Shift each sample of ``x`` [B, ..., C·H·W] (an image, or every frame of a binned recording alike) by up to
    ``max_shift`` pixels in x and y (zero fill); ``shape`` is (C, H, W)."""
    _, height, width = shape
    maps = x.reshape(x.shape[0], -1, height, width)
    padded = torch.nn.functional.pad(maps, (max_shift,) * 4)
    offsets = torch.randint(0, 2 * max_shift + 1, (x.shape[0], 2), generator=generator, device=x.device).tolist()
    crops = [padded[k, :, dy : dy + height, dx : dx + width] for k, (dy, dx) in enumerate(offsets)]
    return torch.stack(crops).reshape(x.shape)


def _fit(
    model: nn.Module,
    x: np.ndarray,
    design: Design,
    loss_of: Callable,
    correct_of: Callable,
    progress: Progress | None,
    cancel: threading.Event | None,
    label: str,
    spiking: bool = True,
) -> nn.Module:
    """The training loop shared by single networks, expert ensembles and the ANN twin.

    Adam with a cosine-annealed learning rate; ``loss_of(score, idx)`` and
    ``correct_of(score, idx)`` get the model's score / T for the batch indices
    (``spiking=False``: the ANN's output for the pixels themselves).
    """
    settings = design.training
    if isinstance(x, EventSet):  # events are binned once, at the training T (the ANN twin: counts in one frame)
        x = x.bin(settings.timesteps) if spiking else data.frames(x)
    dev = device()
    model.to(dev)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr)
    generator = torch.Generator(device=dev).manual_seed(settings.seed)
    xs = torch.from_numpy(x).to(dev)
    n, steps, bs = len(xs), settings.timesteps, settings.batch_size
    batches = math.ceil(n / bs)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings.epochs * batches)
    start = time.perf_counter()
    for epoch in range(settings.epochs):
        order = torch.randperm(n, generator=torch.Generator().manual_seed(settings.seed + epoch)).to(dev)
        total, correct = 0.0, 0.0
        for b in range(batches):
            if cancel is not None and cancel.is_set():
                raise TrainingCancelled(f"training of {label} cancelled")
            idx = order[b * bs : (b + 1) * bs]
            images = shift_batch(xs[idx], design.image_shape, generator) if settings.augment else xs[idx]
            if spiking:
                score = model(encode_batch(images, design.dataset.encoding, steps, generator)) / steps
            else:
                score = model(images)
            loss = loss_of(score, idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            seen = min(n, (b + 1) * bs)
            total += loss.item() * len(idx)
            correct += float(correct_of(score, idx))
            if progress is not None and (b % 20 == 0 or b == batches - 1):
                done = (epoch * batches + b + 1) / (settings.epochs * batches)
                elapsed = time.perf_counter() - start
                progress(
                    Step(
                        label,
                        epoch * batches + b + 1,
                        settings.epochs * batches,
                        "batches",
                        elapsed / done * (1 - done),
                        epoch=epoch + 1,
                        epochs=settings.epochs,
                        loss=total / seen,
                        accuracy=correct / seen,
                    )
                )
    return model.cpu()


def _bits(design: Design, n_layers: int) -> list[int] | None:
    if not design.training.quantization_aware:
        return None
    return fit_to_depth(design.weight_bits, n_layers)


def train_network(
    specs: list[LayerSpec],
    x: np.ndarray,
    y: np.ndarray,
    design: Design,
    class_weight: np.ndarray | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    label: str = "main",
) -> tuple[list, dict[int, np.ndarray]]:
    """Train one SpikingNet of ``specs`` on cross-entropy of score / T; returns numpy layers and the recurrent
    layers' W_rec (through time: BPTT)."""
    torch.manual_seed(design.training.seed)
    model = SpikingNet(specs, LIF.of(design.network.neuron), _bits(design, len(specs)), design.training.surrogate_slope)
    weight = None if class_weight is None else torch.as_tensor(class_weight, dtype=torch.float32, device=device())
    loss_fn = nn.CrossEntropyLoss(weight=weight)
    ys = torch.from_numpy(y).to(device())
    model = _fit(
        model,
        x,
        design,
        lambda score, idx: loss_fn(score, ys[idx]),
        lambda score, idx: (score.argmax(1) == ys[idx]).sum(),
        progress,
        cancel,
        label,
    )
    return [(w.astype(np.float32), b.astype(np.float32)) for w, b in model.numpy_layers()], model.numpy_recurrent()


def ann_specs(design: Design) -> list[LayerSpec]:
    """The ANN twin's layers: the design's stack, or one network of the hidden widths that run (an expert's)."""
    return stack(design.stack_entries(), [], design.input_shape, design.n_classes)


def train_ann(design: Design, progress: Progress | None = None, cancel: threading.Event | None = None) -> Weights:
    """The ANN twin (ReLU network of the same topology), trained the same way on the pixels."""
    x, y = _training_data(design)
    torch.manual_seed(design.training.seed)
    model = ANN(ann_specs(design))
    ys = torch.from_numpy(y).to(device())
    loss_fn = nn.CrossEntropyLoss()
    started = time.perf_counter()
    model = _fit(
        model,
        x,
        design,
        lambda score, idx: loss_fn(score, ys[idx]),
        lambda score, idx: (score.argmax(1) == ys[idx]).sum(),
        progress,
        cancel,
        "ANN twin",
        spiking=False,
    )
    meta = {"design": design.stage_inputs("train"), "train_seconds": round(time.perf_counter() - started, 2), "ann": True}
    layers = model.numpy_layers()
    return Weights({"ann": layers}, [list(range(design.n_classes))], "argmax", meta)


def train_experts(
    groups: list[list[int]],
    x: np.ndarray,
    y: np.ndarray,
    design: Design,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, list]:
    """Train every expert at once (:class:`EnsembleSNN`): expert g learns its group's classes + 'not mine'.

    'Not mine' is weighted |group| / (K − |group|) so both sides count equally;
    the output slots an expert does not have (smaller groups) are masked out.
    """
    k, experts = design.n_classes, len(groups)
    outputs = [len(g) + 1 for g in groups]
    width = max(outputs)
    targets = np.empty((experts, len(y)), dtype=np.int64)
    class_weight = np.zeros((experts, width), dtype=np.float32)
    mask = np.full((experts, 1, width), -1e9, dtype=np.float32)
    for g, group in enumerate(groups):
        local = np.full(k, len(group), dtype=np.int64)
        local[group] = np.arange(len(group))
        targets[g] = local[y]
        class_weight[g, : len(group)] = 1.0
        class_weight[g, len(group)] = len(group) / (k - len(group))
        mask[g, 0, : outputs[g]] = 0.0
    torch.manual_seed(design.training.seed)
    neuron, hidden = design.network.neuron, design.specialization.hidden
    specs = stack(design.stack_entries(), [], design.input_shape, width)
    bits = _bits(design, len(specs))
    lif, slope = LIF.of(neuron), design.training.surrogate_slope
    if design.is_conv:
        model = ExpertStack([SpikingNet(specs, lif, bits, slope) for _ in range(experts)])
    else:
        model = EnsembleSNN(experts, [design.n_inputs, *hidden, width], lif, bits, slope)
    dev = device()
    targets_t, weight_t, mask_t = (torch.from_numpy(a).to(dev) for a in (targets, class_weight, mask))

    def loss_of(score, idx):
        masked = score + mask_t
        return sum(nn.functional.cross_entropy(masked[g], targets_t[g, idx], weight=weight_t[g]) for g in range(experts))

    def correct_of(score, idx):
        return ((score + mask_t).argmax(2) == targets_t[:, idx]).float().mean(0).sum()

    model = _fit(model, x, design, loss_of, correct_of, progress, cancel, f"{experts} experts")
    return {
        f"expert{g}": [(w.astype(np.float32), b.astype(np.float32)) for w, b in model.numpy_layers(g, outputs[g])]
        for g in range(experts)
    }


def _training_data(design: Design) -> tuple[np.ndarray, np.ndarray]:
    split = data.load(design.dataset.name, "train").head(design.training.train_samples)
    return split.x, split.y


def train(
    design: Design, progress: Progress | None = None, cancel: threading.Event | None = None, confusion: np.ndarray | None = None
) -> Weights:
    """Train every network of ``design``; ``confusion`` feeds confusion grouping."""
    if design.training.learning_rule == "stdp":
        from ..stdp.design_bridge import train_design

        return train_design(design, progress, cancel)
    x, y = _training_data(design)
    k = design.n_classes
    started = time.perf_counter()
    spec = design.specialization
    recurrent = {}
    if spec.experts == 1:
        layers, feedback = train_network(design.network_specs()["main"], x, y, design, progress=progress, cancel=cancel)
        networks, recurrent = {"main": layers}, ({"main": feedback} if feedback else {})
        groups = [list(range(k))]
    else:
        groups = class_groups(design, confusion)
        networks = train_experts(groups, x, y, design, progress, cancel)
        if spec.combine == "router":
            group_of = np.zeros(k, dtype=np.int64)
            for g, group in enumerate(groups):
                group_of[group] = g
            networks["router"], _ = train_network(
                design.network_specs()["router"], x, group_of[y], design, progress=progress, cancel=cancel, label="router"
            )
    meta = {
        "design": design.stage_inputs("train"),
        "train_seconds": round(time.perf_counter() - started, 2),
        "train_samples": int(len(y)),
        "torch": torch.__version__,
        "device": str(device()),
    }
    return Weights(networks, groups, spec.combine if spec.experts > 1 else "argmax", meta, recurrent)
