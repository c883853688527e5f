"""Where the files that ship with SNN Explorer live: the presets, the zoo of trained models, the logo.

In a source checkout (and an editable install) they are the top-level
``presets/`` and ``assets/`` folders users know. A wheel carries the same
folders inside the package, as ``snnexplorer/_shipped/{presets,assets}``
(copied there by ``setup.py``'s build step), read through
:mod:`importlib.resources`. ``SNNEXPLORER_PRESETS`` overrides the presets
folder (see :mod:`snnexplorer.presets`).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SHIPPED_FOLDERS = ("presets", "assets")
SOURCE_ROOT = Path(__file__).resolve().parents[1]


def shipped_dir(folder: str) -> Path:
    """The folder ``presets`` or ``assets`` of this installation."""
    if folder not in SHIPPED_FOLDERS:
        raise ValueError(f"shipped folder {folder!r}: expected one of {SHIPPED_FOLDERS}")
    inside = Path(str(files("snnexplorer").joinpath("_shipped", folder)))
    return inside if inside.is_dir() else SOURCE_ROOT / folder


def zoo_dir() -> Path:
    """The shipped trained models (``assets/zoo/<cache key>/``)."""
    return shipped_dir("assets") / "zoo"


def logo_path() -> Path:
    return shipped_dir("assets") / "logo.svg"
