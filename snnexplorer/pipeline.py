"""Design → (train) → simulate → cost: the stages wired together.

Each stage is a pure function of the design's stage inputs
(:meth:`Design.stage_inputs`); trained weights are cached on disk by
:mod:`snnexplorer.train`, simulated Activity in memory by ``hash_for('simulate')``.
This is where a Design meets the layers that need none: :func:`cost_design`
hands its mapping, bit widths and hardware to :mod:`snnexplorer.hardware`.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pandas as pd

from . import data
from .activity_source import ActivitySource
from .design import Design
from .format import mapping_label
from .hardware import Architecture, Report, cost, cost_variants
from .hardware.cost import metrics_variants
from .inference import simulate_weights
from .kept import Kept
from .mapping_search import searched
from .progress import Progress, Stage
from .resources import check_memory
from .sim.activity import Activity
from .sim.synthetic import synthetic_activity

SIMULATE = ActivitySource.simulate()
ACTIVITIES_KEPT = 32
"""Simulations kept in this process (dashboard sessions evaluate in worker threads)."""
_ACTIVITY_CACHE: Kept[Activity] = Kept(lambda activities: len(activities) <= ACTIVITIES_KEPT)
_SIMULATING: dict[str, threading.Event] = {}
"""Simulations running now, by simulate hash: a second request for one waits for it rather than run it again (under
``_ACTIVITY_CACHE.lock``)."""


def synthetic_for(design: Design, rate: float) -> Activity:
    """Synthetic activity of every network of ``design`` at a uniform spike rate."""
    specs = design.network_specs()
    if design.training.learning_rule == "stdp":  # one layer of excitatory neurons, no output layer
        return synthetic_activity(specs["stdp"], design.layer_timesteps[:1], rate, name="main")
    experts = [name for name in specs if name != "router"]
    current = design.network.neuron.alpha > 0
    nets = [
        synthetic_activity(specs[name], design.layer_timesteps, rate, name=name, synaptic_current=current) for name in experts
    ]
    for net in nets:
        net.sequential = design.dataset.encoding == "rows"
    if len(nets) == 1:
        nets[0].name = "main"
        return nets[0]
    return Activity(
        nets[0].layers, nets[0].predictions, nets[0].output_potential, nets[0].layer_spikes, name="ensemble", experts=nets
    )


Source = ActivitySource | Activity | str
"""What the pipeline's functions take as activity: an :class:`ActivitySource` (or its text, parsed by
:meth:`ActivitySource.parse`), or an Activity already simulated."""


def activity_for(design: Design, activity: Source = SIMULATE, progress: Progress | None = None) -> Activity:
    """The Activity of ``design``: simulated (cached by the simulate hash) or synthetic."""
    if isinstance(activity, Activity):
        return activity
    source = ActivitySource.parse(activity)
    if not source.simulated:
        return synthetic_for(design, source.rate)
    key = design.hash_for("simulate")
    while True:
        with _ACTIVITY_CACHE.lock:
            kept = _ACTIVITY_CACHE.get(key)
            if kept is not None:
                return kept
            running = _SIMULATING.get(key)
            if running is None:
                done = _SIMULATING[key] = threading.Event()
                break
        running.wait()  # another thread simulates the same design (another session's edit): its result is kept
    try:
        result = simulate_design(design, progress)
        _ACTIVITY_CACHE.put(key, result)  # not while no page is open (a served dashboard's)
    finally:
        with _ACTIVITY_CACHE.lock:
            del _SIMULATING[key]
        done.set()  # the threads that waited find the result kept (or else simulate it themselves)
    return result


def keep_simulations(keep: bool) -> None:
    """Keep the simulations (:func:`activity_for`'s) and rate codes made from now on (True, the default), or drop
    every kept one and keep none (False): a served dashboard stops keeping them when its last page closes (a
    simulation still running then is not kept when it ends) and keeps them again when a page opens."""
    if keep:
        _ACTIVITY_CACHE.keep_again()
    else:
        _ACTIVITY_CACHE.stop_keeping()
    data.keep_rate_codes(keep)


def simulate_design(design: Design, progress: Progress | None = None, cancel: threading.Event | None = None) -> Activity:
    """Train (or load) the design's weights and simulate its test subset (each checked against the memory first).

    ``progress`` receives ``{"stage": text}`` at each stage and training's progress dicts.
    """
    from .train import load_or_train

    check_memory(design, "simulate")
    weights = load_or_train(design, progress, cancel)
    test = data.load(design.dataset.name, "test").head(design.dataset.test_samples)
    if progress is not None:
        progress(Stage(f"simulating {design.name} on {len(test.y):,} test samples"))
    return simulate_weights(design, weights, test.x, test.y)


def ann_accuracy(design: Design) -> float:
    """Test accuracy of the design's ANN twin (trained once and cached), on the same test subset."""
    import torch

    from .train import load_or_train_ann
    from .train.model import ANN
    from .train.trainer import ann_specs

    model = ANN(ann_specs(design)).load_numpy(load_or_train_ann(design).networks["ann"])
    test = data.load(design.dataset.name, "test").head(design.dataset.test_samples)
    with torch.no_grad():
        scores = model(torch.from_numpy(data.frames(test.x))).numpy()
    return float(np.mean(np.argmax(scores, axis=1) == test.y))


def architecture_of(design: Design) -> Architecture:
    """The design's hardware preset with its overrides."""
    return Architecture.from_preset(design.hardware.preset, design.hardware.overrides)


def cost_design(design: Design, activity: Activity, arch: Architecture | None = None, variant: int = 0) -> Report:
    """The Report of ``activity`` under ``design``'s mapping (the best one when ``mapping.search`` asks, see
    :mod:`snnexplorer.mapping_search`) and bit widths on ``arch`` (default: its hardware)."""
    arch = arch or architecture_of(design)
    priced, twin_mapping, search = searched(design, activity, arch, variant)
    report = cost(activity, arch, priced.mapping, design.weight_bits, design.membrane_bits, design.name, variant, twin_mapping)
    return report if search is None else dataclasses.replace(report, search=search)


def cost_design_variants(design: Design, activity: Activity, arch: Architecture) -> pd.DataFrame:
    """Totals of every hardware variant of ``arch`` at once (see :func:`snnexplorer.hardware.cost_variants`), under
    the design's mapping as set (no search)."""
    return cost_variants(activity, arch, design.mapping, design.weight_bits, design.membrane_bits)


def metrics_of(design: Design, activity: Source = SIMULATE) -> dict:
    """``evaluate(design, activity).metrics()`` without the Report's breakdown tables and twins' details, and the
    ``mapping`` it was priced at in words (:func:`~snnexplorer.format.mapping_label`: the best one under
    ``mapping.search``)."""
    measured, arch = activity_for(design, activity), architecture_of(design)
    priced, twin_mapping, _ = searched(design, measured, arch)
    metrics = metrics_variants(measured, arch, priced.mapping, design.weight_bits, design.membrane_bits).iloc[0].to_dict()
    if twin_mapping is not None:  # the ANN twin at its own best mapping
        twin = metrics_variants(measured, arch, twin_mapping, design.weight_bits, design.membrane_bits).iloc[0]
        metrics.update(ann_energy_j=twin["ann_energy_j"], ann_latency_s=twin["ann_latency_s"])
    return {**metrics, "mapping": mapping_label(priced.mapping.to_dict())}


def metrics_of_hardware_variants(design: Design, overrides: list[dict], activity: Source = SIMULATE) -> list[dict]:
    """:meth:`Report.metrics` of ``design`` with each of ``overrides`` as its ``hardware.overrides`` (numbers, checked
    by the caller), priced in one vectorized call on one Activity: each a variant of the design's preset (one by one,
    each with its own search, when ``mapping.search`` asks)."""
    if design.mapping.search != "none":
        return [metrics_of(design.copy(hardware={"preset": design.hardware.preset, "overrides": o}), activity) for o in overrides]
    base = Architecture.from_preset(design.hardware.preset)
    fields = {}
    for key in sorted({k for o in overrides for k in o}):
        level, name = key.split(".")
        default = base.compute[name][0] if level == "compute" else base.levels[name][0, base.level_index(level)]
        fields[f"{level}__{name}"] = [float(o.get(key, default)) for o in overrides]
    arch = (
        base.variants(**fields)
        if fields
        else base.variants(compute__clock_hz=np.repeat(base.compute["clock_hz"], len(overrides)))
    )
    table = metrics_variants(activity_for(design, activity), arch, design.mapping, design.weight_bits, design.membrane_bits)
    table["mapping"] = mapping_label(design.mapping.to_dict())
    return table.to_dict(orient="records")


def evaluate(design: Design, activity: Source = SIMULATE, progress: Progress | None = None) -> Report:
    """The Report of ``design``: accuracy, energy, latency, footprint, SNN and ANN (``progress``: see simulate_design)."""
    return cost_design(design, activity_for(design, activity, progress))


def training_report(design: Design) -> Report | None:
    """What on-line learning costs per training sample on the design's hardware (STDP designs; None otherwise)."""
    if design.training.learning_rule != "stdp":
        return None
    from .stdp.design_bridge import training_activity
    from .train import load_or_train

    return cost_design(design, training_activity(design, load_or_train(design)))
