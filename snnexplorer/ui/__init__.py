"""The dashboard: a param model (:mod:`.model`, no Panel), a Panel view (:mod:`.view`), HoloViews plots (:mod:`.plots`),
the exported files (:mod:`.export`). Imported lazily, so that the CLI reads :mod:`.export`'s formats without Panel."""

from __future__ import annotations

__all__ = ["Explorer", "ExplorerModel"]


def __getattr__(name: str):
    if name == "Explorer":
        from .view import Explorer

        return Explorer
    if name == "ExplorerModel":
        from .model import ExplorerModel

        return ExplorerModel
    raise AttributeError(name)
