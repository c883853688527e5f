"""The dashboard: a param model (:mod:`.model`, no Panel), a Panel view (:mod:`.view`), HoloViews plots (:mod:`.plots`)."""

from .model import ExplorerModel
from .view import Explorer

__all__ = ["Explorer", "ExplorerModel"]
