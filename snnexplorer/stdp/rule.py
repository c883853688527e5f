"""The unsupervised STDP network of Diehl & Cook (2015) and FSpiNN's optimizations, as data.

Network (Diehl & Cook, Front. Comput. Neurosci. 9:99, 2015, and their Brian code):
784 Poisson inputs (rate = pixel/255 × 63.75 Hz) → N excitatory conductance-based
LIF neurons with adaptive thresholds → lateral inhibition → learned by
trace-based STDP; labels are assigned to neurons afterwards by their strongest
class response. Simulated in steps of ``dt`` = 0.5 ms as in the paper (1 ms
steps let many neurons cross threshold before inhibition arrives, and learning
loses its winner-take-all), 700 steps = 350 ms per presentation; state is reset
between presentations instead of a 150 ms rest (which served to let it decay).

Per step, excitatory neuron i (mV, ms)::

    v_i += dt ((v_rest − v_i) + g_e,i (E_exc − v_i) + g_i,i (E_inh − v_i)) / τ_m   # unless refractory
    v_i ← clip(v_i, E_inh, E_exc)   # Euler overshoots when many inhibitory spikes land at once; the true v cannot
    spike where v_i > v_thresh + θ_i;  v_i ← v_reset, refractory 5 ms, θ_i += θ+ (learning only)
    g_e,i ← g_e,i · e^(−dt/τ_ge) + Σ_{inputs j spiking} w_ji                  # a synaptic operation each
    g_i,i ← g_i,i · e^(−dt/τ_gi) + inhibition

Lateral inhibition, the first switch (``inhibitory_neurons``):

* Diehl & Cook: N inhibitory LIF neurons, excitatory i drives inhibitory i
  (w 10.4), inhibitory i inhibits every excitatory neuron but i (w 17): 2N
  neuron updates per step;
* FSpiNN: no inhibitory neurons — an excitatory spike adds
  ``inhibition_strength`` to the others' g_i directly: N updates per step.

STDP (traces x = e^(−Δt/τ) since the last spike, set to 1 at a spike):

* Diehl & Cook ("pre-and-post", ``pre_depression`` on): at an input spike j,
  w_j· −= η_pre · x_post1 (every synapse of the input, N weight updates); at an
  excitatory spike i, w_·i += η_post · x_pre · x_post2(before) (784 updates);
* FSpiNN (``pre_depression`` off): updates only at excitatory spikes,
  w_·i += η_post · k · (x_pre − x_tar) — inputs silent lately are depressed in
  the same pass, so the per-input-spike updates disappear;
* ``update_interval`` > 1 (FSpiNN's timestep-based updates): excitatory spikes
  within an interval of that many steps are gathered and each spiking neuron's
  column is updated once, at the interval's end, with the traces then;
* ``adaptive_potentiation`` (our reading of FSpiNN's adaptive potentiation
  factor; the paper was not at hand): k = min(1, 5 / spikes so far in this
  presentation) — full potentiation while the sample is still weakly
  represented, damped when the network already answers it strongly (5 is
  Diehl & Cook's minimum response); k = 1 otherwise.

Weights are clipped to [0, w_max] and each neuron's incoming weights are
normalized to sum to 78 after every training presentation (Diehl & Cook).
``weight_bits`` < 32 keeps them on a grid of w_max / (2^b − 1) during learning
and inference (FSpiNN's fixed point); updates round to the grid stochastically
(unbiased, so η_pre's tiny steps still act on average) or to nearest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import param

from ..design import STDP

V_REST_E, V_RESET_E, V_THRESH_E, TAU_E, REFRACTORY_E = -65.0, -65.0, -52.0, 100.0, 5
V_REST_I, V_RESET_I, V_THRESH_I, TAU_I, REFRACTORY_I = -60.0, -45.0, -40.0, 10.0, 2
E_EXC, E_INH_E = 0.0, -100.0
TAU_GE, TAU_GI = 1.0, 2.0
W_EXC_INH, W_INH_EXC = 10.4, 17.0
THETA_PLUS = 0.05
TAU_PRE, TAU_POST1, TAU_POST2 = 20.0, 20.0, 40.0
ETA_PRE, W_MAX = 0.0001, 1.0
NORMALIZED_SUM = 78.0
MAX_RATE_HZ, RETRY_RATE_HZ, MIN_SPIKES, MAX_RETRIES = 63.75, 32.0, 5, 4
FSPINN = dict(
    inhibitory_neurons=False, pre_depression=False, update_interval=50, adaptive_potentiation=True, eta_post=0.002, x_tar=0.2
)
"""FSpiNN's switches as set here: η_post and x_tar tuned for the post-only rule (100 neurons, 2,000 MNIST samples:
η 0.01 / x_tar 0.4 gave 27.6 %, η 0.002 / x_tar 0.2 gave 69.3 %), updates every 50 steps (25 ms)."""
DT_MS = 0.5
PRESENTATION_STEPS = 700
"""Diehl & Cook's 350 ms presentation in steps of ``DT_MS``: the timesteps a design gets when it switches to STDP."""
SURROGATE_STEPS = 25
"""The timesteps a design gets when it switches from STDP back to surrogate-gradient training."""
VARIANTS: dict[str, dict] = {"diehl-cook": {}, "fspinn": FSPINN}
"""Named STDP settings over the defaults of :class:`~snnexplorer.design.STDP`: Diehl & Cook (all off), FSpiNN."""


def variant_of(stdp: STDP) -> str | None:
    """The name of the variant ``stdp`` equals, or None for a custom mix of switches."""
    settings = stdp.to_dict()
    for name, switches in VARIANTS.items():
        expected = {**STDP().to_dict(), **switches, "label_samples": settings["label_samples"]}
        if settings == expected:
            return name
    return None


def with_variant(design_data: dict, variant: str) -> dict:
    """A design mapping whose ``training.stdp`` is the named variant (its ``label_samples`` kept)."""
    training = dict(design_data.get("training", {}))
    label_samples = training.get("stdp", {}).get("label_samples", STDP().label_samples)
    training["stdp"] = {**STDP().to_dict(), **VARIANTS[variant], "label_samples": label_samples}
    return {**design_data, "training": training}


def with_learning_rule(design_data: dict, rule: str, variant: str = "fspinn") -> dict:
    """A design mapping switched to learning ``rule`` with what that rule needs.

    To ``stdp``: the STDP ``variant``, one training pass (as the STDP presets) and
    :data:`PRESENTATION_STEPS` timesteps; back to ``surrogate-gradient``:
    :data:`SURROGATE_STEPS` timesteps. Each keeps the number of per-layer entries.
    """
    data = {**design_data, "training": {**design_data.get("training", {}), "learning_rule": rule}}
    steps = PRESENTATION_STEPS if rule == "stdp" else SURROGATE_STEPS
    current = data.get("timesteps", steps)
    data["timesteps"] = [steps] * len(current) if isinstance(current, list) else steps
    if rule == "stdp":
        data["training"]["epochs"] = 1
        data = with_variant(data, variant)
    return data


class KernelRule(NamedTuple):
    """An STDP rule as the numba kernels take it (:meth:`STDPRule.kernel_args`): FSpiNN's switches and the
    learning rate and target of the post-synaptic update; ``levels`` are the weight grid's steps (0: float)."""

    inhibitory_neurons: bool
    inhibition_strength: float
    pre_depression: bool
    update_interval: int
    adaptive_potentiation: bool
    levels: int
    stochastic: bool
    eta_post: float
    x_tar: float


class STDPRule(STDP):
    """The design's STDP section plus the weight bits: everything the kernel needs (all switches off = Diehl & Cook)."""

    weight_bits = param.Integer(
        default=32, bounds=(1, 32), doc="Weight bits (32 = float); below, weights stay on a fixed-point grid."
    )

    @classmethod
    def of(cls, stdp: STDP, weight_bits: int) -> STDPRule:
        return cls(**stdp.to_dict(), weight_bits=weight_bits)

    @classmethod
    def diehl_cook(cls, **overrides) -> STDPRule:
        """The baseline: every optimization off."""
        return cls(**overrides)

    @classmethod
    def fspinn(cls, **overrides) -> STDPRule:
        """All of FSpiNN's optimizations on (inhibition strength and update interval as tuned here)."""
        return cls(**{**FSPINN, **overrides})

    def kernel_args(self) -> KernelRule:
        """The rule as the numba kernel takes it."""
        levels = 0 if self.weight_bits >= 32 else 2**self.weight_bits - 1
        return KernelRule(
            bool(self.inhibitory_neurons),
            float(self.inhibition_strength),
            bool(self.pre_depression),
            int(self.update_interval),
            bool(self.adaptive_potentiation),
            int(levels),
            self.rounding == "stochastic",
            float(self.eta_post),
            float(self.x_tar),
        )


def input_rates(images: np.ndarray, max_rate_hz: float = MAX_RATE_HZ) -> np.ndarray:
    """Spike probability per step of each pixel (images in [0, 1], [n, 784])."""
    return np.asarray(images, dtype=np.float64) * max_rate_hz * DT_MS / 1000.0


def initial_weights(n_inputs: int, n_neurons: int, seed: int) -> np.ndarray:
    """Uniform in [0, 0.3] (Diehl & Cook), [n_inputs, n_neurons] float64."""
    return np.random.default_rng(seed).uniform(0.0, 0.3, (n_inputs, n_neurons))
