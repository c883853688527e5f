"""Event data: the EventSet and its binning rule, the emulator, the loaders on files in the data sets' native formats,
downloads against a local server, and event designs through validation, simulation and the cost model."""

from __future__ import annotations

import hashlib
import io
import zipfile

import numpy as np
import pytest

from snnexplorer import data
from snnexplorer.design import Design
from snnexplorer.errors import DesignError
from snnexplorer.events import EventSet, emulator
from snnexplorer.pipeline import evaluate


def test_events_are_binned_by_the_written_rule_and_slices_keep_their_own():
    """Two recordings on a 2×1×2 sensor, durations 100 and 40 µs, T = 4: event t goes to frame ⌊t·4 / D⌋."""
    events = EventSet.from_recordings(
        [(np.array([0, 24, 25, 99, 25]), np.array([0, 0, 1, 3, 1])), (np.array([10, 39]), np.array([2, 2]))],
        (2, 1, 2),
        durations_us=[100, 40],
    )
    frames = events.bin(4)
    assert frames.shape == (2, 4, 4) and frames.dtype == np.uint8
    assert frames[0, 0].tolist() == [2, 0, 0, 0]  # t = 0 and 24 → frame 0 (24·4/100 = 0.96)
    assert frames[0, 1].tolist() == [0, 2, 0, 0]  # the two events at t = 25 on channel 1: a count of 2
    assert frames[0, 3].tolist() == [0, 0, 0, 1]
    assert frames[1, 1, 2] == 1 and frames[1, 3, 2] == 1  # 10·4/40 = 1; 39·4/40 = 3.9
    second = events[np.array([1])]
    assert second.counts().tolist() == [2] and (second.bin(4)[0] == frames[1]).all()
    assert events[:1].bin(4).tolist() == frames[:1].tolist()


def test_the_emulator_is_deterministic_and_sees_edges_move_both_ways():
    image = np.zeros((28, 28), dtype=np.float32)
    image[10:18, 10:18] = 1.0  # a bright square on black
    first, again = emulator.emulate(image[None].reshape(1, -1), seed=3), emulator.emulate(image.reshape(1, -1), seed=3)
    assert (first.times_us == again.times_us).all() and (first.channels == again.channels).all()
    on = first.channels < 34 * 34
    assert on.sum() > 50 and (~on).sum() > 50  # leading edges brighten (ON), trailing edges darken (OFF)
    assert first.times_us.max() < emulator.DURATION_US
    blank = emulator.emulate(np.zeros((1, 784), dtype=np.float32))
    assert blank.counts().tolist() == [0]  # nothing moves on a blank screen: no events (no noise is modelled)


def test_emulated_mnist_has_the_splits_of_its_source_and_is_cached():
    test = data.load("nmnist-emulated", "test")
    source = data.load("mnist", "test")
    assert len(test) == len(source) and (test.y == source.y).all()
    assert test.x.shape == (2, 34, 34) and 1_000 < test.x.counts().mean() < 10_000
    assert "built in" in test.source
    built = sorted((data.data_home() / "emulated").glob("nmnist-emulated-test-*.npz"))
    assert built and built[0].stat().st_size > 0
    stamp = built[0].stat().st_mtime_ns
    data._load_cached.cache_clear()
    assert data.load("nmnist-emulated", "test").x.counts().sum() == test.x.counts().sum()
    assert built[0].stat().st_mtime_ns == stamp  # read back, not rebuilt


def test_emulated_fashion_has_the_test_split_of_its_source():
    test = data.load("fashion-dvs-emulated", "test")
    source = data.load("fashion-mnist", "test")
    assert len(test) == len(source) == 10_000 and (test.y == source.y).all()
    assert test.x.shape == (2, 34, 34) and test.x.counts().min() > 0


def _nmnist_bin(x, y, p, t) -> bytes:
    """N-MNIST's 40-bit events: x, y, then polarity (bit 7) and a 23-bit µs timestamp."""
    raw = np.zeros((len(x), 5), dtype=np.uint8)
    raw[:, 0], raw[:, 1] = x, y
    raw[:, 2] = (np.asarray(p) << 7) | ((np.asarray(t) >> 16) & 0x7F)
    raw[:, 3], raw[:, 4] = (np.asarray(t) >> 8) & 0xFF, np.asarray(t) & 0xFF
    return raw.tobytes()


def _write_fixtures(root):
    """A few recordings of each recorded data set, in its native format and Tonic's folder layout."""
    import h5py

    for split, folder in (("train", "Train"), ("test", "Test")):
        for digit in (3, 7):
            path = root / "NMNIST" / folder / str(digit) / f"0000{digit}.bin"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_nmnist_bin([1, 33, 5], [2, 0, 5], [1, 0, 1], [10, 70_000, 300_000]))
        gesture = root / "DVSGesture" / f"ibmGesture{folder}" / "user01_fluorescent"
        gesture.mkdir(parents=True, exist_ok=True)
        for label in (4, 10):  # columns x, y, p, t (ms)
            np.save(gesture / f"{label}.npy", np.array([[0, 0, 1, 5.0], [127, 127, 0, 6.5], [64, 3, 1, 1500.0]]))
        (root / "SHD").mkdir(exist_ok=True)
        with h5py.File(root / "SHD" / f"shd_{split}.h5", "w") as file:
            ragged = h5py.vlen_dtype(np.float32)
            times = file.create_dataset("spikes/times", (2,), dtype=ragged)
            units = file.create_dataset("spikes/units", (2,), dtype=h5py.vlen_dtype(np.uint16))
            times[0], units[0] = np.array([0.01, 0.5], np.float32), np.array([699, 0], np.uint16)
            times[1], units[1] = np.array([0.2], np.float32), np.array([42], np.uint16)
            file.create_dataset("labels", data=np.array([19, 0], dtype=np.uint16))


def test_recorded_event_sets_load_from_their_native_formats(tmp_path, monkeypatch):
    _write_fixtures(tmp_path)
    monkeypatch.setenv("SNNEXPLORER_DATA", str(tmp_path))
    data._load_cached.cache_clear()
    try:
        nmnist = data.load("nmnist", "train")
        assert nmnist.y.tolist() == [3, 7] and nmnist.x.shape == (2, 34, 34)
        frames = nmnist.x.bin(1)[0, 0]
        assert frames[0 * 34 * 34 + 2 * 34 + 1] == 1  # ON event at x 1, y 2: channel 0
        assert frames[1 * 34 * 34 + 0 * 34 + 33] == 1  # OFF event at x 33, y 0: channel 1
        assert nmnist.x.times_us[:3].tolist() == [10, 70_000, 300_000]
        gesture = data.load("dvs-gesture", "test")
        assert gesture.y.tolist() == [10, 4] and gesture.x.shape == (2, 128, 128)
        assert gesture.x.times_us[:3].tolist() == [0, 1_500, 1_495_000]  # ms → µs, from the recording's first event
        shd = data.load("shd", "train")
        assert shd.y.tolist() == [19, 0] and shd.x.shape == (1, 1, 700)
        assert shd.x.channels[:2].tolist() == [699, 0] and shd.x.times_us[:2].tolist() == [10_000, 500_000]
        design = Design.from_dict(
            {"dataset": {"name": "shd", "encoding": "events", "test_samples": 2}, "network": {"hidden": [16]}, "timesteps": 5}
        )
        assert design.n_inputs == 700 and design.n_classes == 20
    finally:
        data._load_cached.cache_clear()


def test_event_downloads_are_checked_and_unpacked_in_tonics_layout(http_server, tmp_path):
    root, url = http_server
    sums = {}
    for name, folder in (("train.zip", "Train"), ("test.zip", "Test")):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"{folder}/5/00001.bin", _nmnist_bin([4], [4], [1], [100]))
        (root / name).write_bytes(buffer.getvalue())
        sums[name] = hashlib.md5(buffer.getvalue()).hexdigest()
    from snnexplorer.events import datasets

    dest = tmp_path / "data"
    folder = datasets.download("nmnist", dest, mirrors=["http://127.0.0.1:9/", url], timeout_s=5, sums=sums)
    assert (folder / "Train" / "5" / "00001.bin").is_file() and (folder / "Test" / "5" / "00001.bin").is_file()
    (root / "test.zip").write_bytes(b"not the archive")
    with pytest.raises(OSError, match="md5"):
        datasets.download("nmnist", tmp_path / "other", mirrors=[url], timeout_s=5, sums=sums)
    assert not (tmp_path / "other" / "NMNIST" / "Test").exists()  # nothing half-unpacked


def test_event_data_and_the_events_encoding_go_together():
    with pytest.raises(DesignError, match=r"dataset.encoding: 'rate'.*'events' for the event data set nmnist-emulated"):
        Design.from_dict({"dataset": {"name": "nmnist-emulated", "encoding": "rate"}})
    with pytest.raises(DesignError, match=r"dataset.encoding: 'events'.*for the image data set mnist"):
        Design.from_dict({"dataset": {"name": "mnist", "encoding": "events"}})
    conv = Design.from_dict(
        {
            "dataset": {"name": "nmnist-emulated", "encoding": "events"},
            "network": {"layers": [{"conv": {"channels": 4, "kernel": 5}}, {"pool": 2}, {"dense": 32}]},
        }
    )
    assert conv.network_specs()["main"][0].conv.input_shape == (2, 34, 34)  # polarity as the conv's input channels


def test_address_event_input_is_priced_per_event_with_its_address_and_timestamp():
    """Hand count on 20 emulated digits, T = 10: address-event input = events × (⌈log2 2312⌉ = 12 + 16) bits; frames
    = 2312 inputs × 10 steps × 8 bits (binned events are counts)."""
    base = {
        "dataset": {"name": "nmnist-emulated", "encoding": "events", "test_samples": 20},
        "network": {"hidden": [32]},
        "timesteps": 10,
    }
    test = data.load("nmnist-emulated", "test").head(20)
    from snnexplorer.sim import simulate

    rng = np.random.default_rng(0)
    layers = [(rng.normal(0, 0.1, (2312, 32)).astype(np.float32), np.zeros(32, np.float32))]
    layers.append((rng.normal(0, 0.1, (32, 10)).astype(np.float32), np.zeros(10, np.float32)))
    activity = simulate(layers, data.encode(test.x, "events", 10), timesteps=10)
    events = test.x.counts().sum() / 20
    assert activity.layers[0].input_spikes.sum() / 20 == events  # every event is an input spike (count ≥ 1)

    def input_bytes(fmt):
        report = evaluate(Design.from_dict({**base, "mapping": {"input_format": fmt}}), activity)
        rows = report.breakdown.query("kind == 'inputs' and op == 'read' and level == 'DRAM'")
        return float(rows["bytes"].sum())

    assert input_bytes("address-event") == pytest.approx(events * (12 + 16) / 8)
    assert input_bytes("bitmap") == pytest.approx(2312 * 10 * 8 / 8)


@pytest.mark.slow
def test_a_dense_snn_learns_emulated_nmnist():
    design = Design.from_dict(
        {
            "name": "nmnist-emulated-smoke",
            "dataset": {"name": "nmnist-emulated", "encoding": "events", "test_samples": 500},
            "network": {"hidden": [64]},
            "timesteps": 8,
            "training": {"epochs": 2, "timesteps": 8, "train_samples": 3000, "lr": 0.003},
        }
    )
    report = evaluate(design)
    assert report.accuracy > 0.7
    assert report.layers[0].input_spikes > 1000  # the events, not encoded pixels


def test_augmentation_shifts_every_frame_of_a_recording_alike():
    import torch

    from snnexplorer.train.trainer import shift_batch

    frames = torch.zeros((3, 4, 2 * 34 * 34), dtype=torch.uint8)
    frames[:, :, 34 * 10 + 10] = 1  # ON channel, pixel (10, 10), every step
    frames[:, :, 34 * 34 + 34 * 20 + 5] = 2  # OFF channel, pixel (20, 5)
    shifted = shift_batch(frames, (2, 34, 34), torch.Generator().manual_seed(1)).reshape(3, 4, 2, 34, 34)
    for sample in shifted:
        on, off = (torch.nonzero(sample[:, c]) for c in (0, 1))
        assert len(on) == 4 and len(off) == 4 and (on[:, 1:] == on[0, 1:]).all() and (off[:, 1:] == off[0, 1:]).all()
        assert (on[0, 1:] - torch.tensor([10, 10])).abs().max() <= 2
        assert (off[0, 1:] - on[0, 1:] == torch.tensor([10, -5])).all()  # both polarities moved together
        assert sample.sum() == 4 * 3


def test_the_dashboard_shows_one_recording_and_its_frames():
    import holoviews as hv

    from snnexplorer.ui.plots import event_sample

    test = data.load("nmnist-emulated", "test")
    recording, label = data.event_sample("nmnist-emulated")  # emulated alone, without building the set
    assert label == test.y[0] and (recording.bin(8) == test.x[:1].bin(8)).all()
    column = event_sample(recording, label, 8)
    raster, frames = (pane.object for pane in column)
    assert len(raster) == test.x.counts()[0] and set(raster.data["polarity"]) == {"ON", "OFF"}
    assert isinstance(frames, hv.Image) and frames.dimension_values(2, flat=False).shape == (34, 8 * 34 + 7 * 2)
