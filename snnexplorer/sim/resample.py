"""How spike trains cross between layers with different timestep counts (LD-SNN).

The engine evaluates layer by layer; layer l emits a train of ``T_l`` steps and
layer l+1 runs ``T_{l+1}`` steps. A *rule* maps the first onto the second.

``rate`` (the default): rate-preserving resampling. Both trains cover the same
inference window; the spikes of source step t land in target step
``⌊t · T_{l+1} / T_l⌋``. No spike is lost or made, so the spike count (and the
rate per unit of window) is preserved. When ``T_{l+1} < T_l`` several spikes of
one neuron can land in one step: the input is then *graded* (a count), and
each spike still costs one synaptic operation per synapse. When the counts are
equal the rule is the identity, so uniform T through this path equals plain
timestep-major simulation.

Rules are registered by name in :data:`RULES`; add one with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Rule = Callable[[np.ndarray, int], np.ndarray]
RULES: dict[str, Rule] = {}


def register(name: str) -> Callable[[Rule], Rule]:
    def wrap(rule: Rule) -> Rule:
        RULES[name] = rule
        return rule

    return wrap


def count_dtype(max_count: int) -> type:
    """Narrowest unsigned dtype holding spike counts up to ``max_count``."""
    return np.uint8 if max_count <= 255 else np.uint16


def rate_targets(source_steps: int, target_steps: int) -> np.ndarray:
    """The ``rate`` rule's map: the target step of each source step, ``⌊t · T_target / T_source⌋``."""
    return (np.arange(source_steps) * target_steps) // source_steps


def rate_preserving_counts(per_step: np.ndarray, target_steps: int) -> np.ndarray:
    """The ``rate`` rule on per-step totals [T_source] (synthetic activity): the totals per target step."""
    return np.bincount(rate_targets(len(per_step), target_steps), weights=per_step, minlength=target_steps)


@register("rate")
def rate_preserving(spikes: np.ndarray, target_steps: int) -> np.ndarray:
    """Resample [batch, T, n] spike counts onto ``target_steps`` steps (see module docstring)."""
    source_steps = spikes.shape[1]
    if source_steps == target_steps:
        return spikes
    target_of = rate_targets(source_steps, target_steps)
    per_target = np.bincount(target_of, minlength=target_steps).max()
    out = np.zeros(
        (spikes.shape[0], target_steps, spikes.shape[2]), dtype=count_dtype(int(per_target) * int(spikes.max(initial=0)))
    )
    np.add.at(out, (slice(None), target_of), spikes.astype(out.dtype))
    return out


def resample(spikes: np.ndarray, target_steps: int, rule: str = "rate") -> np.ndarray:
    """Apply the named rule."""
    if rule not in RULES:
        from ..errors import DesignError

        raise DesignError.single("timestep_rule", rule, f"one of {sorted(RULES)}")
    return RULES[rule](spikes, target_steps)
