"""Will a design's training and simulation fit this machine's memory? Checked before the work starts.

Estimates, in bytes (what dominates, not every temporary):

* training, surrogate gradient (torch BPTT, the networks one after another): per
  network, its parameters four times (weights, gradients, Adam's two moments,
  float32) plus what backpropagation through time keeps: for every sample of a
  mini-batch and every training step, the input and three float32 values
  (membrane, spike, surrogate input) per neuron of every layer. STDP: the
  float64 weights and their traces, three times;
* simulation: the encoded test subset (1 byte per input per step, 4 for direct
  encoding), every layer's spike train (1 byte per neuron per step and sample)
  and the float32 weights.

:func:`check_memory` refuses, with a :class:`~snnexplorer.errors.DesignError`
that names the design's size and the memory available, when an estimate is
over :data:`USABLE_FRACTION` of the memory available now. ``snnexplorer
--ignore-memory-check`` (or ``SNNEXPLORER_IGNORE_MEMORY_CHECK=1``) skips it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import os
import sys

from .config import memory_check_ignored
from .design import Design
from .errors import DesignError

USABLE_FRACTION = 0.8
"""Share of the available memory a design may plan to use."""
STAGES = ("train", "simulate")


def available_bytes() -> int:
    """Memory available to a new allocation now (``MemAvailable`` of /proc/meminfo, else free physical pages)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def training_bytes(design: Design) -> int:
    """Estimated peak memory of training ``design`` (see the module docstring)."""
    networks = design.network_specs().values()
    if design.training.learning_rule == "stdp":
        return max(3 * 8 * specs[0].n_in * specs[0].n_neurons for specs in networks)
    t, batch = design.training.timesteps, design.training.batch_size
    peaks = []
    for specs in networks:
        kept = batch * t * (specs[0].n_in + 3 * sum(s.n_neurons for s in specs))
        peaks.append(4 * (4 * sum(s.parameters for s in specs) + kept))
    return max(peaks)


def simulation_bytes(design: Design) -> int:
    """Estimated peak memory of simulating ``design`` on its test subset (see the module docstring)."""
    samples = design.dataset.test_samples
    input_bytes = 4 if design.dataset.encoding == "direct" else 1
    steps = design.layer_timesteps
    total = 0
    for specs in design.network_specs().values():
        trains = sum(s.n_neurons * steps[min(i, len(steps) - 1)] for i, s in enumerate(specs))
        total += samples * (specs[0].n_in * steps[0] * input_bytes + trains) + 4 * sum(s.parameters for s in specs)
    return total


def check_memory(design: Design, stage: str, available: int | None = None) -> None:
    """Refuse ``stage`` ('train' or 'simulate') of ``design`` when its estimate exceeds the usable memory."""
    if stage not in STAGES:
        raise DesignError.single("stage", stage, f"one of {list(STAGES)}")
    if memory_check_ignored():
        return
    need = training_bytes(design) if stage == "train" else simulation_bytes(design)
    available = available_bytes() if available is None else available
    if need > USABLE_FRACTION * available:
        gib, work = 2**30, {"train": "training", "simulate": "simulation"}[stage]
        raise DesignError.single(
            f"{stage} memory",
            f"{need / gib:,.1f} GiB",
            f"at most {USABLE_FRACTION * available / gib:,.1f} GiB ({USABLE_FRACTION:.0%} of the {available / gib:,.1f} GiB "
            f"available) for {design.name}: {design.parameter_count:,} parameters, networks {design.network_sizes()}; "
            f"shrink it, use --activity synthetic:RATE (no {work}), or pass --ignore-memory-check",
        )


MMAP_THRESHOLD_BYTES = 128 * 1024
"""Blocks at least this large come straight from the system (glibc's default threshold, held fixed: see
:func:`return_large_blocks_at_once`)."""
_M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter number of the mmap threshold (``malloc.h``)."""


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``malloc_trim``), else None."""
    try:
        library = ctypes.CDLL(ctypes.util.find_library("c"))
    except (OSError, TypeError):  # no C library found
        return None
    return library if hasattr(library, "malloc_trim") and hasattr(library, "mallopt") else None


def return_freed_memory() -> None:
    """Collect garbage, then hand the C heap's free pages back to the system (glibc's ``malloc_trim``: without it a
    server's resident memory stays at its peak after its sessions' arrays are freed). Elsewhere, the collection only."""
    gc.collect()
    if (library := _glibc()) is not None:
        library.malloc_trim(0)


def return_large_blocks_at_once() -> bool:
    """A long-lived process (the dashboard's server): hold glibc's mmap threshold at :data:`MMAP_THRESHOLD_BYTES`, so
    that every array of that size or more is mapped on its own and goes back to the system when freed. glibc raises
    the threshold to the size of each mapped block freed (up to 32 MiB), after which a session's arrays come from the
    heap, where the holes they leave keep the server's memory near its peak once the sessions close. False where the
    C library is not glibc (nothing changed)."""
    library = _glibc()
    return library is not None and library.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1


def run_with_system_allocator(module_args: list[str]) -> None:
    """A long-lived process (the dashboard's server): start again, as the same process, with Python's small objects
    taken from glibc's heap (``PYTHONMALLOC=malloc``) and run ``python -m snnexplorer.cli *module_args``. Python's own
    allocator keeps them in 1 MiB arenas, each returned only when every object in it is gone, so a few long-lived
    objects made during a burst of sessions hold whole arenas; from glibc's heap :func:`return_freed_memory` returns
    every free page. Measured with ``benchmarks/sessions_load.py`` (8 sessions for 2 minutes, 60 s after they close):
    see docs/dashboard.md. Returns (nothing changed) where ``PYTHONMALLOC`` is already set or the C library is not
    glibc; otherwise does not return."""
    if os.environ.get("PYTHONMALLOC") or _glibc() is None:
        return
    sys.stdout.flush()
    os.execve(
        sys.executable,
        [sys.executable, "-m", "snnexplorer.cli", *module_args],
        {**os.environ, "PYTHONMALLOC": "malloc"},
    )
