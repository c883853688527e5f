"""Where the shipped presets live and how their YAML is read.

Presets are plain YAML files a user can copy and edit:
``presets/hardware/*.yaml`` (memory hierarchies, checked against
:mod:`snnexplorer.hardware_schema`), ``presets/designs/*.yaml`` (designs, see
:mod:`snnexplorer.design`) and ``presets/studies/*.yaml`` (see
:mod:`snnexplorer.explore.study`). They ship with the package
(:mod:`snnexplorer.shipped`); ``SNNEXPLORER_PRESETS`` points at another folder
with the same layout.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .config import presets_override
from .errors import DesignError
from .hardware_schema import preset_problems
from .shipped import shipped_dir
from .yaml_input import read_yaml


def presets_dir() -> Path:
    """The folder holding ``hardware/``, ``designs/`` and ``studies/``."""
    return presets_override() or shipped_dir("presets")


def hardware_preset_names() -> list[str]:
    """Names (file stems) of the hardware presets, sorted."""
    return sorted(p.stem for p in (presets_dir() / "hardware").glob("*.yaml"))


def design_preset_paths() -> list[Path]:
    """Paths of the shipped design presets, sorted."""
    return sorted((presets_dir() / "designs").glob("*.yaml"))


@lru_cache(maxsize=64)
def _hardware_preset_cached(path: str, mtime: float) -> dict:
    raw = read_yaml(path)
    problems = preset_problems(raw, path)
    if problems:
        raise DesignError(problems)
    return raw


def hardware_preset(name: str) -> dict:
    """The mapping of hardware preset ``name``, checked against the hardware schema (cached until the file changes)."""
    path = presets_dir() / "hardware" / f"{name}.yaml"
    if not path.is_file():
        raise DesignError.single("hardware.preset", name, f"one of {hardware_preset_names()}")
    return _hardware_preset_cached(str(path), path.stat().st_mtime)
