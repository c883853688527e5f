"""Networks in and out of other tools: NIR (the Neuromorphic Intermediate Representation)."""

from .network import ImportedNetwork
from .nir_export import to_nir, write_nir
from .nir_import import from_nir

__all__ = ["ImportedNetwork", "from_nir", "to_nir", "write_nir"]
