"""Event-driven simulation of feed-forward LIF networks (numba), producing Activity.

Neuron semantics — written once here, and shared by the torch training model
(:mod:`snnexplorer.train.model`) so trained weights behave identically in both.
For every spiking layer and step t (float32 arithmetic, or integers in fixed point)::

    I[t] = s_in[t] · W + b           # s_in: input spikes (or counts, or analog values)
                                      # a recurrent layer adds s[t-1] · W_rec (its own spikes, step before)
    v[t] = β · v[t-1] + I[t]          # fixed point: ⌊v·β_q / 2^16⌋ + I, then saturate
    s[t] = v[t] ≥ θ                   # spike
    v[t] ← v[t] − θ·s[t]              # reset = 'subtract'   (or v[t] ← 0 where s[t], 'zero')

The output layer does not spike: its score is the sum over its steps of its
input current (a non-leaky integrator, Σ_t I[t]); the class is the argmax.
Each layer l runs its own T_l steps, evaluated layer by layer; spike trains
cross layers by a named rule (:mod:`snnexplorer.sim.resample`).
"""

from .activity import Activity, LayerActivity
from .conv import Conv
from .engine import DENSE_DENSITY, RecurrentDense, simulate
from .resample import RULES, resample

__all__ = ["Activity", "LayerActivity", "Conv", "RecurrentDense", "simulate", "resample", "RULES", "DENSE_DENSITY"]
