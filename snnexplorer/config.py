"""Configuration read from the environment, declared once: each variable, what it sets and its default.

==================================  =====================================================================
``SNNEXPLORER_CACHE``               the model cache's folder (``models/`` inside); default ``~/.cache/snnexplorer``
``SNNEXPLORER_DATA``                folders searched for data sets first (``os.pathsep``-separated); the first
                                    also receives downloads and built sets
``SNNEXPLORER_PRESETS``             a presets folder in place of the shipped one (``hardware/``, ``designs/``, ...)
``SNNEXPLORER_IGNORE_MEMORY_CHECK`` ``1``: train and simulate designs the memory estimate refuses
==================================  =====================================================================

These are environment variables (not arguments) because sweep workers, separate processes, must see them too:
``snnexplorer --ignore-memory-check`` sets the last one for itself and its workers (:func:`ignore_memory_check`).
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE, DATA, PRESETS, IGNORE_MEMORY_CHECK = (
    "SNNEXPLORER_CACHE",
    "SNNEXPLORER_DATA",
    "SNNEXPLORER_PRESETS",
    "SNNEXPLORER_IGNORE_MEMORY_CHECK",
)
DEFAULT_HOME = Path.home() / ".cache" / "snnexplorer"


def cache_home() -> Path:
    """The folder of the model cache and built data (``SNNEXPLORER_CACHE``)."""
    return Path(os.environ.get(CACHE, DEFAULT_HOME))


def data_folders() -> list[Path]:
    """The folders of ``SNNEXPLORER_DATA``, in order (none when unset)."""
    return [Path(p) for p in os.environ.get(DATA, "").split(os.pathsep) if p]


def presets_override() -> Path | None:
    """``SNNEXPLORER_PRESETS``, when set."""
    value = os.environ.get(PRESETS)
    return Path(value) if value else None


def memory_check_ignored() -> bool:
    return os.environ.get(IGNORE_MEMORY_CHECK, "") not in ("", "0")


def ignore_memory_check() -> None:
    """Skip the memory check in this process and the worker processes it starts."""
    os.environ[IGNORE_MEMORY_CHECK] = "1"
