"""Where the shipped presets live and how their YAML is read.

Presets are plain YAML files a user can copy and edit:
``presets/hardware/*.yaml`` (memory hierarchies, see :mod:`snnexplorer.hardware`)
and ``presets/designs/*.yaml`` (designs, see :mod:`snnexplorer.design`).
``SNNEXPLORER_PRESETS`` points at another folder with the same layout.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import DesignError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def presets_dir() -> Path:
    """The folder holding ``hardware/`` and ``designs/``."""
    return Path(os.environ.get("SNNEXPLORER_PRESETS", PROJECT_ROOT / "presets"))


def hardware_preset_names() -> list[str]:
    """Names (file stems) of the hardware presets, sorted."""
    return sorted(p.stem for p in (presets_dir() / "hardware").glob("*.yaml"))


def design_preset_paths() -> list[Path]:
    """Paths of the shipped design presets, sorted."""
    return sorted((presets_dir() / "designs").glob("*.yaml"))


def read_yaml(path: str | Path) -> dict:
    """Read a YAML mapping with ``yaml.safe_load``; a clear error otherwise."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DesignError.single("file", str(path), "an existing YAML file") from None
    except yaml.YAMLError as exc:
        raise DesignError.single("file", str(path), f"valid YAML ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(data, dict):
        raise DesignError.single("file", str(path), "a YAML mapping at the top level")
    return data


@lru_cache(maxsize=64)
def _hardware_preset_cached(path: str, mtime: float) -> dict:
    return read_yaml(path)


def hardware_preset(name: str) -> dict:
    """The raw mapping of hardware preset ``name`` (cached until the file changes)."""
    path = presets_dir() / "hardware" / f"{name}.yaml"
    if not path.is_file():
        raise DesignError.single("hardware.preset", name, f"one of {hardware_preset_names()}")
    return _hardware_preset_cached(str(path), path.stat().st_mtime)
