"""Unsupervised STDP learning (Diehl & Cook 2015) with FSpiNN's optimizations (Putra & Shafique 2020), in numba."""

from .rule import STDPRule

__all__ = ["STDPRule"]
