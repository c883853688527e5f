"""LD-SNN per-layer timestep search (Nallathambi et al., ISLPED 2022).

From a trained network and an accuracy budget, find per-layer timestep counts
that keep accuracy within the budget of the uniform-T baseline and minimize
synaptic operations (or energy). What is implemented — a greedy layer-wise
reduction guided by accuracy sensitivity:

1. Start from the design's timesteps (uniform T: the baseline).
2. For every layer with more than ``min_steps`` steps, try cutting its count to
   ``⌊T_l · shrink⌋`` (at least one step less) and simulate the test subset
   (layer-major, rate-preserving re-timing between layers).
3. Among the trials that keep accuracy ≥ baseline − budget, take the one
   that saves the most of the objective per point of accuracy lost (cost
   saved / (accuracy drop + 1e-3)); stop when no trial is admissible.

The search runs on the design's test subset, as the paper reports test
accuracy; weights are not retrained.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..design import Design
from ..errors import DesignError
from ..inference import simulate_weights
from ..pipeline import cost_design
from ..sim.activity import Activity
from ..weights import Weights

OBJECTIVES = ("synaptic_ops", "energy_j")


@dataclass
class TimestepSearchResult:
    """The chosen per-layer timesteps, the baseline, and every trial (a tidy table)."""

    baseline_steps: list[int]
    steps: list[int]
    baseline_accuracy: float
    accuracy: float
    synaptic_ops_ratio: float
    neuron_updates_ratio: float
    energy_ratio: float
    trials: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        return (
            f"timesteps {self.baseline_steps} -> {self.steps}; accuracy {100 * self.baseline_accuracy:.2f} % -> "
            f"{100 * self.accuracy:.2f} %; {self.synaptic_ops_ratio:.2f}x fewer synaptic updates, "
            f"{self.neuron_updates_ratio:.2f}x fewer neuron evaluations, {self.energy_ratio:.2f}x less energy"
        )


def _measure(design: Design, weights: Weights, x, y) -> tuple[Activity, dict]:
    activity = simulate_weights(design, weights, x, y)
    report = cost_design(design, activity)
    return activity, {
        "accuracy": activity.accuracy,
        "synaptic_ops": float(activity.synaptic_ops.sum()),
        "neuron_updates": float(activity.neuron_updates.sum()),
        "energy_j": report.energy_j,
    }


def search_timesteps(
    design: Design,
    weights: Weights,
    x,
    y,
    budget: float = 0.01,
    objective: str = "synaptic_ops",
    shrink: float = 0.8,
    min_steps: int = 1,
) -> TimestepSearchResult:
    """Greedy sensitivity-guided per-layer timestep reduction (see the module docstring).

    ``budget``: accuracy (fraction, 0.01 = one point) the search may lose
    against the design's own timesteps.
    """
    if objective not in OBJECTIVES:
        raise DesignError.single("objective", objective, f"one of {list(OBJECTIVES)}")
    if not 0.0 <= budget <= 1.0:
        raise DesignError.single("budget", budget, "an accuracy fraction in 0..1")
    if not 0.0 < shrink < 1.0:
        raise DesignError.single("shrink", shrink, "a factor in (0, 1)")
    design = design.copy(mapping={**design.mapping.to_dict(), "loop_order": "layer-major"})
    steps = list(design.layer_timesteps)
    _, base = _measure(design, weights, x, y)
    current = dict(base)
    rows = [{"round": 0, "layer": None, "steps": list(steps), "chosen": True, **base}]
    floor = base["accuracy"] - budget
    for round_index in range(1, 10_000):
        best, best_score = None, -1.0
        for layer in range(len(steps)):
            if steps[layer] <= min_steps:
                continue
            trial = list(steps)
            trial[layer] = max(min_steps, min(steps[layer] - 1, int(steps[layer] * shrink)))
            _, measured = _measure(design.copy(timesteps=trial), weights, x, y)
            admissible = measured["accuracy"] >= floor
            rows.append({"round": round_index, "layer": layer, "steps": trial, "chosen": False, **measured})
            if admissible:
                saved = current[objective] - measured[objective]
                score = saved / (max(0.0, current["accuracy"] - measured["accuracy"]) + 1e-3)
                if score > best_score:
                    best, best_score = (len(rows) - 1, trial, measured), score
        if best is None:
            break
        index, steps, current = best[0], best[1], best[2]
        rows[index]["chosen"] = True
    return TimestepSearchResult(
        baseline_steps=list(design.layer_timesteps),
        steps=steps,
        baseline_accuracy=base["accuracy"],
        accuracy=current["accuracy"],
        synaptic_ops_ratio=base["synaptic_ops"] / max(1.0, current["synaptic_ops"]),
        neuron_updates_ratio=base["neuron_updates"] / max(1.0, current["neuron_updates"]),
        energy_ratio=base["energy_j"] / current["energy_j"] if current["energy_j"] else float("inf"),
        trials=pd.DataFrame(rows),
    )
