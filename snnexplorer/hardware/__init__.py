"""Analytical memory-hierarchy model: Activity + Architecture + Mapping → Report.

No panel, no torch, no Design. Modules:

* :mod:`~snnexplorer.hardware.architecture` — hardware as data (a preset → arrays over variants);
* :mod:`~snnexplorer.hardware.workload` — Activity → the items (data kinds) and operations to price;
* :mod:`~snnexplorer.hardware.pricing` — the access-count rule (with a worked example) → :class:`Pricing`;
* :mod:`~snnexplorer.hardware.cost` — items priced on an architecture under a mapping → :class:`Report`;
* :mod:`~snnexplorer.hardware.report` — the Report.

The fields of a preset are declared in :mod:`snnexplorer.hardware_schema`.
"""

from .architecture import Architecture
from .cost import Mapping, cost, cost_variants, workload
from .pricing import Pricing, price
from .report import Report

__all__ = ["Architecture", "Mapping", "Pricing", "Report", "cost", "cost_variants", "price", "workload"]
