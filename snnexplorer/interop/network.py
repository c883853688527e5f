"""An imported network: simulate it, cost it on any hardware preset, with a Design's data and mapping."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..activity_source import ActivitySource
from ..errors import DesignError
from ..sim.activity import Activity, LayerActivity, read_back
from ..sim.graph import Stage, simulate_graph


@dataclass
class ImportedNetwork:
    """The :class:`~snnexplorer.sim.graph.Stage` s (each reading only earlier ones, or itself) read from another tool (:func:`snnexplorer.interop.from_nir`).

    ``input_shape``: one sample's input per step (e.g. (784,) or (2, 34, 34));
    ``dt``: the integration step in seconds the neuron coefficients were derived at;
    ``populations``: the neuron node each stage is (its name in the file), where known.
    """

    stages: list[Stage]
    input_shape: tuple[int, ...]
    dt: float
    name: str = "imported"
    populations: tuple[str, ...] = ()

    @property
    def n_inputs(self) -> int:
        return math.prod(self.input_shape)

    @property
    def n_outputs(self) -> int:
        return self.stages[-1].n_out

    def layers(self) -> pd.DataFrame:
        """One row per stage: its nodes, synapse kinds, inputs, neurons, parameters, synapses (recurrent ones among them
        also on their own), whether it spikes."""
        return pd.DataFrame(
            {
                "layer": range(len(self.stages)),
                "nodes": [stage.name for stage in self.stages],
                "synapses": ["+".join(stage.kinds) or "identity" for stage in self.stages],
                "inputs": [stage.n_in for stage in self.stages],
                "neurons": [stage.n_out for stage in self.stages],
                "parameters": [stage.parameters for stage in self.stages],
                "connections": [stage.connections for stage in self.stages],
                "recurrent": [stage.recurrent_connections for stage in self.stages],
                "spiking": [stage.neurons.spiking for stage in self.stages],
            }
        )

    def simulate(self, spikes: np.ndarray, labels: np.ndarray | None = None) -> Activity:
        """Simulate ``spikes`` [batch, T, n_inputs] (as :func:`snnexplorer.sim.simulate` takes them) and count."""
        spikes = np.asarray(spikes)
        if spikes.ndim != 3 or spikes.shape[2] != self.n_inputs:
            raise DesignError.single("spikes", spikes.shape, f"an array [batch, T, {self.n_inputs}] (input {self.input_shape})")
        return simulate_graph(self.stages, spikes, labels, self.name)

    def synthetic(self, timesteps: int, rate: float) -> Activity:
        """Every input and spiking neuron fires with probability ``rate`` per step (expected counts), as
        :func:`snnexplorer.sim.synthetic.synthetic_activity` does for a Design, with each stage's own fan-out."""
        layers = []
        for index, stage in enumerate(self.stages):
            is_output = index == len(self.stages) - 1
            feed_forward = np.full(timesteps, round(rate * stage.n_in), dtype=np.int64)
            fed_back = read_back(np.full(timesteps, round(rate * stage.n_out) if stage.recurrent else 0, dtype=np.int64))
            recurrent_ops = np.rint(fed_back * float(np.mean(stage.recurrent_fan_out if stage.recurrent else 0))).astype(np.int64)
            layers.append(
                LayerActivity(
                    stage.n_in + (stage.n_out if stage.recurrent else 0),
                    stage.n_out,
                    timesteps,
                    1,
                    feed_forward + fed_back,
                    np.rint(feed_forward * float(stage.fan_out.mean())).astype(np.int64) + recurrent_ops,
                    np.full(timesteps, stage.n_out, dtype=np.int64),
                    np.full(timesteps, stage.n_out if rate > 0 else 0, dtype=np.int64),
                    np.zeros(timesteps, np.int64) if is_output else np.full(timesteps, round(rate * stage.n_out), np.int64),
                    is_output,
                    path="synthetic",
                    parameters=stage.parameters,
                    connections=stage.connections,
                    recurrent_synaptic_ops=recurrent_ops if stage.recurrent else None,
                    recurrent_connections=stage.recurrent_connections,
                )
            )
        spike_counts = [np.full((1, stage.n_out), rate * timesteps) for stage in self.stages[:-1]]
        return Activity(layers, np.zeros(1, np.int64), np.zeros((1, self.n_outputs)), spike_counts, None, self.name)

    def evaluate(self, design=None, activity: ActivitySource | Activity | str = "simulate"):
        """The :class:`~snnexplorer.hardware.Report` of this network under ``design``'s data, encoding, timesteps
        (its first layer's count), test subset, hardware and mapping (default: the ``mnist-baseline`` preset).

        ``activity``: simulate the test subset, synthetic at a rate (an :class:`ActivitySource` or its text), or an
        Activity.
        The dataset's inputs per sample must equal this network's.
        """
        from .. import data
        from ..design import Design, load_design
        from ..hardware import cost
        from ..pipeline import architecture_of

        design = load_design(design or "mnist-baseline") if not isinstance(design, Design) else design
        steps = design.layer_timesteps[0]
        source = None if isinstance(activity, Activity) else ActivitySource.parse(activity)
        if source is not None and not source.simulated:
            activity = self.synthetic(steps, source.rate)
        elif source is not None:
            if design.n_inputs != self.n_inputs:
                raise DesignError.single(
                    "dataset.name",
                    design.dataset.name,
                    f"a dataset with {self.n_inputs} inputs per sample, as {self.name} takes ({self.input_shape}); "
                    f"{design.dataset.name} has {design.n_inputs}",
                )
            test = data.load(design.dataset.name, "test").head(design.dataset.test_samples)
            spikes = data.encode(test.x, design.dataset.encoding, steps, seed=design.training.seed + 1)
            activity = self.simulate(spikes, test.y)
        full_precision = [32] * len(activity.layers)
        return cost(activity, architecture_of(design), design.mapping, full_precision, full_precision, self.name)
