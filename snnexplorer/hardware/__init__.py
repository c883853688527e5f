"""Analytical memory-hierarchy model: Activity + Architecture + Mapping → Report.

No panel, no torch. See :mod:`snnexplorer.hardware.cost` for the access-count
rule and a worked example, :mod:`snnexplorer.hardware.workload` for the data
kinds, and ``presets/hardware/*.yaml`` for the hardware described as data.
"""

from .architecture import Architecture
from .model import cost, cost_variants, workload
from .report import Report

__all__ = ["Architecture", "Report", "cost", "cost_variants", "workload"]
