"""Event data sets: recordings read through Tonic, and emulated ones built offline.

=========================  =======================================================  ==================
name                       source (in each folder of the data search path)          shape, classes
=========================  =======================================================  ==================
``nmnist``                 N-MNIST as Tonic lays it out: ``NMNIST/Train/<digit>/``   2×34×34, 10
                           ``*.bin`` and ``NMNIST/Test/…`` (read by Tonic's
                           ``read_mnist_file``)
``dvs-gesture``            DVS128 Gesture in Tonic's form: ``DVSGesture/``           2×128×128, 11
                           ``ibmGestureTrain/userNN_lighting/<class>.npy`` (x, y,
                           p, t in ms) and ``ibmGestureTest/…``
``shd``                    Spiking Heidelberg Digits: ``SHD/shd_train.h5``,          1×1×700, 20
                           ``SHD/shd_test.h5`` (``spikes/times`` s, ``spikes/units``,
                           ``labels``), as Tonic reads them
``nmnist-emulated``        MNIST through :mod:`.emulator` (same split as ``mnist``)  2×34×34, 10
``fashion-dvs-emulated``   Fashion-MNIST through :mod:`.emulator`                    2×34×34, 10
=========================  =======================================================  ==================

Polarity is a channel: ON (brighter) events are channel 0, OFF channel 1, for
every data set. :func:`download` fetches the recordings' archives from the URLs
Tonic lists, checks Tonic's MD5 for each, and unpacks them in place; emulated
sets are built on first use and cached (``~/.cache/snnexplorer/data/emulated``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from ..catalog import CATALOG, EVENT_DATASETS
from ..errors import DesignError
from ..io import atomic_write_bytes, fetch_checked
from . import emulator
from .eventset import EventSet

DATASETS = {name: CATALOG[name] for name in EVENT_DATASETS}
EMULATED_FROM = {name: info.emulated_from for name, info in DATASETS.items() if info.emulated_from}
TONIC_CLASSES = {"nmnist": "NMNIST", "dvs-gesture": "DVSGesture", "shd": "SHD"}
"""The Tonic data set class of each recorded set: its folder name, archive names, URLs and MD5 sums."""


def load(name: str, split: str, roots: list[Path], cache: Path, source=None) -> tuple[EventSet, np.ndarray, str] | None:
    """(events, labels, source) of ``split`` of event data set ``name``, or None when its files are not found;
    ``source``: for an emulated set, the same split of the image set it is built from (:data:`EMULATED_FROM`)."""
    if name in EMULATED_FROM:
        return _emulated(name, split, cache, source)
    reader = {"nmnist": _nmnist, "dvs-gesture": _dvs_gesture, "shd": _shd}[name]
    for root in roots:
        found = reader(root / TONIC_CLASSES[name], split)
        if found is not None:
            return found
    return None


# ----------------------------------------------------------------------------- emulated
def emulated_path(name: str, split: str, cache: Path, source) -> Path:
    """Where the build of ``split`` of emulated set ``name`` from the image split ``source`` is cached."""
    key = hashlib.sha256(f"{source.source}|{len(source)}|{emulator.VERSION}".encode()).hexdigest()[:12]
    return cache / "emulated" / f"{name}-{split}-{key}.npz"


def _emulated(name: str, split: str, cache: Path, source) -> tuple[EventSet, np.ndarray, str]:
    path = emulated_path(name, split, cache, source)
    meta = path.with_suffix(".json")
    if not (path.is_file() and meta.is_file()):
        start = time.perf_counter()
        events = emulator.emulate(source.x, seed=0)
        events.save(path)
        stats = {"build_s": round(time.perf_counter() - start, 2), "samples": len(events)}
        atomic_write_bytes(meta, json.dumps(stats).encode())
    stats = json.loads(meta.read_text())
    events = EventSet.load(path)
    return events, source.y, f"{source.source} through the emulator v{emulator.VERSION} (built in {stats['build_s']} s)"


# ----------------------------------------------------------------------------- recorded, Tonic's layouts
def _channel(polarity_on: np.ndarray, y: np.ndarray, x: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """Channel index of each event: ON polarity → channel 0, OFF → 1."""
    _, height, width = shape
    return ((1 - polarity_on.astype(np.int64)) * height * width + y.astype(np.int64) * width + x.astype(np.int64)).astype(
        np.int32
    )


def _nmnist(folder: Path, split: str) -> tuple[EventSet, np.ndarray, str] | None:
    from tonic.io import read_mnist_file

    shape = DATASETS["nmnist"].shape
    part = folder / ("Train" if split == "train" else "Test")
    files = sorted(part.glob("[0-9]/*.bin"))
    if not files:
        return None
    dtype = np.dtype([("x", int), ("y", int), ("t", int), ("p", int)])
    recordings = []
    for path in files:
        events = read_mnist_file(str(path), dtype=dtype)
        recordings.append((events["t"], _channel(events["p"], events["y"], events["x"], shape)))
    labels = np.array([int(path.parent.name) for path in files], dtype=np.int64)
    return EventSet.from_recordings(recordings, shape), labels, f"N-MNIST .bin files in {part}"


def _dvs_gesture(folder: Path, split: str) -> tuple[EventSet, np.ndarray, str] | None:
    shape = DATASETS["dvs-gesture"].shape
    part = folder / ("ibmGestureTrain" if split == "train" else "ibmGestureTest")
    files = sorted(part.glob("user*_*/*.npy"))
    if not files:
        return None
    recordings = []
    for path in files:
        events = np.load(path, allow_pickle=False)  # columns x, y, p, t (ms), Tonic's preprocessed form
        times = np.rint(events[:, 3] * 1000).astype(np.int64)
        recordings.append((times - (times.min() if len(times) else 0), _channel(events[:, 2], events[:, 1], events[:, 0], shape)))
    labels = np.array([int(path.stem) for path in files], dtype=np.int64)
    return EventSet.from_recordings(recordings, shape), labels, f"DVS Gesture .npy files in {part}"


def _shd(folder: Path, split: str) -> tuple[EventSet, np.ndarray, str] | None:
    import h5py

    path = folder / f"shd_{split}.h5"
    if not path.is_file():
        return None
    with h5py.File(path, "r") as file:
        times, units, labels = file["spikes/times"], file["spikes/units"], np.asarray(file["labels"], dtype=np.int64)
        recordings = [
            (np.rint(np.asarray(t, dtype=np.float64) * 1e6), np.asarray(u, dtype=np.int32)) for t, u in zip(times, units)
        ]
    return EventSet.from_recordings(recordings, DATASETS["shd"].shape), labels, f"SHD HDF5 file {path}"


# ----------------------------------------------------------------------------- download
def archives(name: str) -> list[tuple[str, str, str]]:
    """(URL, archive file name, MD5) of each archive of recorded set ``name``, as Tonic lists them."""
    import tonic.datasets

    cls = getattr(tonic.datasets, TONIC_CLASSES[name])
    if name == "shd":
        return [
            (cls.base_url + zip_name, zip_name, md5)
            for zip_name, md5 in ((cls.train_zip, cls.train_md5), (cls.test_zip, cls.test_md5))
        ]
    return [(cls.train_url, cls.train_filename, cls.train_md5), (cls.test_url, cls.test_filename, cls.test_md5)]


def download(name: str, dest: Path, mirrors: list[str] | None = None, timeout_s: float = 600.0, sums: dict | None = None) -> Path:
    """Fetch and unpack recorded set ``name`` into ``dest/<Tonic folder>``; each archive's MD5 is checked first.

    ``mirrors`` (base URLs tried before Tonic's own URL, the archive name appended) and ``sums`` (archive name →
    MD5, replacing Tonic's) serve tests against a local server. An archive is unpacked into a temporary folder
    and moved into place only when complete.
    """
    if name not in TONIC_CLASSES:
        raise DesignError.single("dataset.name", name, f"one of {list(TONIC_CLASSES)} (downloadable event data)")
    folder = Path(dest) / TONIC_CLASSES[name]
    folder.mkdir(parents=True, exist_ok=True)
    for url, filename, md5 in archives(name):
        urls = [base.rstrip("/") + "/" + filename for base in mirrors or []] + [url]
        _unpack(fetch_checked(urls, (sums or {}).get(filename, md5), timeout_s), filename, folder)
    return folder


def _unpack(payload: bytes, filename: str, folder: Path) -> None:
    """Unpack an archive (zip, tar.gz, or a gzipped single file) into ``folder``, all or nothing."""
    import gzip
    import io

    with tempfile.TemporaryDirectory(dir=folder) as staging:
        staging_path = Path(staging)
        if filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                _safe_names(archive.namelist(), staging_path)
                archive.extractall(staging_path)
        elif filename.endswith((".tar.gz", ".tgz")):
            with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as archive:
                archive.extractall(staging_path, filter="data")
        elif filename.endswith(".gz"):
            (staging_path / filename[:-3]).write_bytes(gzip.decompress(payload))
        else:
            raise OSError(f"{filename}: not a .zip, .tar.gz or .gz archive")
        for item in staging_path.iterdir():
            target = folder / item.name
            if target.exists():
                shutil.rmtree(target) if target.is_dir() else target.unlink()
            item.replace(target)


def _safe_names(names: list[str], root: Path) -> None:
    for member in names:
        if not (root / member).resolve().is_relative_to(root.resolve()):
            raise OSError(f"archive member {member!r} would be written outside {root}")
