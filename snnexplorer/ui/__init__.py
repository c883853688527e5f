"""Panel components and HoloViews plots; no model logic here."""

from .explorer import Explorer, ExplorerModel

__all__ = ["Explorer", "ExplorerModel"]
