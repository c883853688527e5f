"""Weights: trained parameters of one network or a specialized ensemble, as plain numpy.

Saved as ``weights.npz`` (arrays only, loaded with ``allow_pickle=False``) plus a
``meta.json`` sidecar holding the structure and the npz's SHA-256, so a
corrupt or tampered file is detected instead of loaded.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .io import atomic_write_bytes, atomic_write_text

Layers = list[tuple[np.ndarray, np.ndarray]]


class CorruptWeights(ValueError):
    """A weights file that is missing, truncated or does not match its checksum."""


@dataclass
class Weights:
    """``networks``: name → layers [(W [n_in, n_out], b [n_out])]; 'main' for a monolithic net,
    'expert0'… for experts (each with a 'not mine' output last), 'router' when routed.
    ``groups[i]``: the classes of expert i. ``recurrent``: name → layer index → W_rec [n_out, n_out] (row i: what
    a spike of neuron i adds to each neuron's input at the next step) of the recurrent layers."""

    networks: dict[str, Layers]
    groups: list[list[int]]
    combine: str = "argmax"
    meta: dict = field(default_factory=dict)
    recurrent: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)

    @property
    def experts(self) -> list[str]:
        return [name for name in self.networks if name.startswith("expert")]

    def parameter_count(self) -> int:
        feedback = sum(w.size for layers in self.recurrent.values() for w in layers.values())
        return int(sum(w.size + b.size for layers in self.networks.values() for w, b in layers) + feedback)

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        arrays = {}
        for name, layers in self.networks.items():
            for index, (w, b) in enumerate(layers):
                arrays[f"{name}/{index}/W"] = np.asarray(w, dtype=np.float32)
                arrays[f"{name}/{index}/b"] = np.asarray(b, dtype=np.float32)
        for name, layers in self.recurrent.items():
            for index, w in layers.items():
                arrays[f"{name}/{index}/W_rec"] = np.asarray(w, dtype=np.float32)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        payload = buffer.getvalue()
        atomic_write_bytes(folder / "weights.npz", payload)
        meta = {
            "networks": {name: len(layers) for name, layers in self.networks.items()},
            "recurrent": {name: sorted(layers) for name, layers in self.recurrent.items()},
            "groups": self.groups,
            "combine": self.combine,
            "meta": self.meta,
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
        atomic_write_text(folder / "meta.json", json.dumps(meta, indent=2))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Weights:
        folder = Path(folder)
        try:
            meta = json.loads((folder / "meta.json").read_text())
            payload = (folder / "weights.npz").read_bytes()
        except (OSError, ValueError) as exc:
            raise CorruptWeights(f"{folder}: {exc}") from None
        if hashlib.sha256(payload).hexdigest() != meta.get("sha256"):
            raise CorruptWeights(f"{folder}: weights.npz does not match its checksum")
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
                networks = {
                    name: [(arrays[f"{name}/{i}/W"], arrays[f"{name}/{i}/b"]) for i in range(count)]
                    for name, count in meta["networks"].items()
                }
                recurrent = {
                    name: {int(i): arrays[f"{name}/{int(i)}/W_rec"] for i in indices}
                    for name, indices in meta.get("recurrent", {}).items()
                }
        except (KeyError, ValueError, TypeError, OSError) as exc:
            raise CorruptWeights(f"{folder}: {exc}") from None
        return cls(networks, meta["groups"], meta["combine"], meta.get("meta", {}), recurrent)
