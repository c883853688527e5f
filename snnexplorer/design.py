"""The Design: everything a user can set, validated, hashed, and round-tripped.

A :class:`Design` is composed of sections, each a ``param.Parameterized`` class
(so the dashboard can bind widgets to them directly):

========================  =====================================================
``dataset``               :class:`Dataset` — data set, spike encoding, test subset
``network``               :class:`Network` — hidden widths (width, depth), :class:`Neuron`
``specialization``        :class:`Specialization` — experts, class grouping, combiner
``timesteps``             :class:`Timesteps` — one count, or one per layer
``quantization``          :class:`Quantization` — weight / membrane bits (per layer)
``hardware``              :class:`Hardware` — a preset name plus overrides
``mapping``               :class:`Mapping` — batch, loop order, update policy, placement
``training``              :class:`Training` — epochs, learning rate, seed, ...; learning rule
                          (surrogate gradient or :class:`STDP`)
========================  =====================================================

"Per layer" always means one entry per weight layer: the hidden layers of the
network that runs (the experts' ``specialization.hidden`` when ``experts > 1``)
plus the output layer.

Every invalid input raises :class:`~snnexplorer.errors.DesignError`, which lists
one problem per bad field with the field's path, the value and what is allowed.
Validation is generic: it reads each parameter's type and bounds from ``param``
and the list / per-layer limits from the section's ``_limits``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import param

from .catalog import CATALOG, EVENT_DATASETS, IMAGE_DATASETS
from .errors import DesignError, FieldProblem
from .hardware_schema import override_problems
from .per_layer import LAYER_MAPPING_FIELDS, resize
from .presets import hardware_preset, hardware_preset_names, presets_dir
from .sections import Section, allowed_text, check_section, check_value
from .topology import INPUT_SHAPES, LayerSpec, check_entries, geometry_problems, is_recurrent, stack
from .yaml_input import dump_yaml, parse_yaml, read_yaml

N_CLASSES = {name: info.classes for name, info in CATALOG.items()}
MAX_NAME_CHARS = 200
MAX_PARAMETERS = 10**9
"""Most synapses (weights and biases, every network of a design together): 4 GB of float32."""
STAGES = ("train", "simulate", "cost")


class Dataset(Section):
    """Which data, how pixels become spikes, and how many test samples are simulated."""

    _key = "dataset"
    _choices = {"name": list(N_CLASSES)}
    name = param.String(
        default="mnist",
        constant=False,
        doc=f"Data set: images ({', '.join(IMAGE_DATASETS)}) or events ({', '.join(EVENT_DATASETS)}).",
    )
    encoding = param.Selector(
        default="rate",
        objects=["rate", "direct", "latency", "rows", "events"],
        doc="rate: Bernoulli spikes with p = pixel; direct: the pixel as analog current every step; latency: one spike, "
        "earlier for brighter pixels; rows: a grey image fed row by row, one row of pixels as analog current per step "
        "(sequential MNIST: T = the image's height); events: an event data set's own events, counted per channel in "
        "each of T equal time bins of the recording.",
    )
    test_samples = param.Integer(default=1000, bounds=(1, 70000), doc="Test samples simulated for accuracy and activity.")


class Neuron(Section):
    """Leaky integrate-and-fire parameters shared by every spiking layer."""

    _key = "network.neuron"
    beta = param.Number(default=0.9, bounds=(0.0, 1.0), doc="Membrane decay per step (v ← β·v + I); 1 = no leak.")
    threshold = param.Number(
        default=1.0, bounds=(0.0, None), inclusive_bounds=(False, True), doc="Firing threshold θ (v ≥ θ spikes)."
    )
    reset = param.Selector(
        default="subtract", objects=["subtract", "zero"], doc="After a spike: v ← v − θ (subtract) or v ← 0 (zero)."
    )
    alpha = param.Number(
        default=0.0,
        bounds=(0.0, 1.0),
        inclusive_bounds=(True, False),
        label="Synaptic decay α",
        doc="Synaptic current decay per step (current-based LIF: NIR's CubaLIF, snnTorch's Synaptic): i ← α·i + input, "
        "then v ← β·v + i; the current is one more state value per neuron. 0: no synaptic current (v ← β·v + input). "
        "Dense, float, surrogate-gradient networks.",
    )


class Network(Section):
    """The SNN's hidden layers: ``hidden`` widths (fully connected), or a conv/pool/dense stack in ``layers``."""

    _key = "network"
    _limits = {"hidden": (1, 16384)}
    _checkers = {"layers": check_entries}
    hidden = param.List(
        default=[256],
        item_type=int,
        label="Hidden widths",
        doc="Hidden layer widths; width = each entry, depth = number of entries (the short form of an all-dense `layers`).",
    )
    layers = param.List(
        default=[],
        label="Layer stack",
        doc="Conv, pool and dense entries, e.g. [{conv: {channels: 16, kernel: 5, padding: 2}}, {pool: 2}, {dense: 128}]; "
        "when given it replaces `hidden` (see snnexplorer.topology).",
    )
    neuron = param.ClassSelector(class_=Neuron, default=Neuron(), instantiate=True, doc="LIF neuron parameters.")


class Specialization(Section):
    """Task specialization (Lebdeh et al. 2024): the task split among several experts."""

    _key = "specialization"
    _limits = {"hidden": (1, 16384), "router_hidden": (1, 16384)}
    experts = param.Integer(
        default=1,
        bounds=(1, 64),
        doc="Task specialization (Lebdeh et al. 2024): split the classes among this many small networks; 1 = one monolithic network.",
    )
    grouping = param.Selector(
        default="balanced",
        objects=["one-vs-rest", "balanced", "confusion"],
        doc="How classes are split: one class per expert, balanced groups, or confusable classes together.",
    )
    combine = param.Selector(
        default="argmax",
        objects=["argmax", "router"],
        doc="argmax: all experts run, best class wins; router: a small network picks one expert.",
    )
    hidden = param.List(default=[64], item_type=int, label="Expert hidden widths", doc="Hidden widths of each expert.")
    router_hidden = param.List(
        default=[32], item_type=int, label="Router hidden widths", doc="Hidden widths of the router (combine = router)."
    )


class Timesteps(Section):
    """Timesteps per inference: one count for all layers, or one per layer (LD-SNN)."""

    _key = "timesteps"
    _limits = {"steps": (1, 1000)}
    _per_layer = ("steps",)
    steps = param.Parameter(
        default=25,
        doc="Timesteps: one int, or one per layer (hidden layers + output); LD-SNN (Nallathambi et al. 2022) gives each layer its own count.",
    )


class Quantization(Section):
    """Fixed-point bit widths; 32 weight bits means float32 (not quantized)."""

    _key = "quantization"
    _limits = {"weight_bits": (1, 32), "membrane_bits": (1, 32)}
    _per_layer = ("weight_bits", "membrane_bits")
    weight_bits = param.Parameter(
        default=32, doc="Fixed-point weight bits (FSpiNN, Putra & Shafique 2020; 32 = float32): one int or one per layer."
    )
    membrane_bits = param.Parameter(default=32, doc="Membrane bits with saturation (1..32): one int or one per layer.")


class Hardware(Section):
    """A hardware preset by name plus overrides such as ``{"L2.capacity_bytes": 262144}``."""

    _key = "hardware"
    preset = param.String(
        default="edge-soc",
        doc="Target hardware: a preset of presets/hardware (memory hierarchy and compute energies, every number cited).",
    )
    overrides = param.Dict(default={}, doc="LEVEL.FIELD or compute.FIELD → number, replacing the preset's value.")


def check_layer_mappings(value: Any, path: str) -> list[FieldProblem]:
    """Problems of ``mapping.layers``: a list of mappings, each naming only fields of :data:`LAYER_MAPPING_FIELDS`
    with one of their choices."""
    if not isinstance(value, list) or len(value) > Section._max_items:
        return [FieldProblem(path, value, f"a list of at most {Section._max_items} mappings, one per weight layer")]
    problems = []
    for index, entry in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(entry, dict):
            problems.append(FieldProblem(where, entry, f"a mapping of {', '.join(LAYER_MAPPING_FIELDS)} (each optional)"))
            continue
        for key, choice in entry.items():
            if key not in LAYER_MAPPING_FIELDS:
                problems.append(FieldProblem(f"{where}.{key}", choice, f"a field of {', '.join(LAYER_MAPPING_FIELDS)}"))
            elif not check_value(Mapping, key, Mapping.param[key], choice):
                problems.append(FieldProblem(f"{where}.{key}", choice, allowed_text(Mapping, key, Mapping.param[key])))
    return problems


class Mapping(Section):
    """How the workload is laid onto the hardware."""

    _key = "mapping"
    _checkers = {"layers": check_layer_mappings}
    batch = param.Integer(
        default=1,
        bounds=(1, 65536),
        doc="Samples processed together; weights fetched once per tile of the batch (run as the tiles that cost least, the last one perhaps smaller).",
    )
    loop_order = param.Selector(
        default="timestep-major",
        objects=["timestep-major", "layer-major"],
        doc="timestep-major: every layer each step (or each time window); layer-major: one layer for all its steps, then "
        "the next.",
    )
    time_window = param.Integer(
        default=1,
        bounds=(1, 65536),
        doc="Under timestep-major, the steps each layer runs per fetch of its weights before the next layer runs its "
        "(time batching, Lee et al., HPCA 2022): 1 is plain timestep-major; at or above a layer's timesteps the layer "
        "runs them all, as layer-major. Layer-major runs every step per fetch and ignores it.",
    )
    neuron_update = param.Selector(
        default="time-driven",
        objects=["time-driven", "event-driven"],
        doc="time-driven: every neuron every step; event-driven: only neurons that received input.",
    )
    experts = param.Selector(
        default="sequential",
        objects=["sequential", "parallel"],
        doc="Experts one after another on the same memory, or side by side on separate cores.",
    )
    spike_format = param.Selector(
        default="bitmap",
        objects=["bitmap", "address-event"],
        doc="Spike traffic as 1 bit per neuron per step, or one address word per spike.",
    )
    input_format = param.Selector(
        default="bitmap",
        objects=["bitmap", "address-event"],
        doc="How the network's input arrives: frames of 1 bit per input per step (8-bit counts for binned events), or "
        "one address-event packet per spike or event: its address (⌈log2 inputs⌉ bits) and a 16-bit timestamp.",
    )
    accumulators = param.Selector(
        default="registers",
        objects=["registers", "memory"],
        doc="Where a neuron's partial sum lives while its inputs are summed. registers: no memory traffic until "
        "the neuron update; memory: every accumulate / MAC reads and writes it at the innermost level (ZigZag's "
        "two-level mapping without output registers), and an operand read there per operation takes the sum's width "
        "of the port (fewer operations side by side).",
    )
    input_reuse = param.Selector(
        default="layer",
        objects=["layer", "per-operation"],
        doc="layer: each input (spike or activation) is read once per layer and reused for all its outputs; "
        "per-operation: every synaptic op / MAC reads its own input (Ottati et al. 2023's script).",
    )
    weight_reuse = param.Selector(
        default="per-operation",
        objects=["per-operation", "stationary"],
        doc="per-operation: every synaptic op / MAC reads its weight at the innermost level; stationary: a weight is "
        "read at most once per step it is used and held at the compute while it serves every output position "
        "(a conv layer's weight-stationary dataflow, as ZigZag's best conv mapping); a conv layer's inputs are then read per "
        "operation, whatever input_reuse says.",
    )
    weight_tiles = param.Integer(
        default=1,
        bounds=(1, 4096),
        doc="Blocks of output channels (a dense layer's neurons) a layer's weights are split into, so that one block "
        "with its state and output buffer fits a level the whole layer's do not (as ANN mappers tile): each block "
        "reads the layer's input again. 1: no tiling; at most one block per output channel.",
    )
    residency = param.Selector(
        default="per-batch",
        objects=["per-batch", "resident"],
        doc="per-batch: the weights are fetched again for every batch (a shared accelerator); resident: when the "
        "weights fit an on-chip level together with the state and the largest spike buffer, they stay there from "
        "one batch to the next (a deployed model, loaded once: no traffic beyond that level per inference).",
    )
    search = param.Selector(
        default="none",
        objects=["none", "energy", "latency", "edp"],
        doc="none: price the mapping as set here; energy | latency | edp: price every combination of the loop-nest "
        "choices (loop order and time window, input and weight reuse, accumulators, weight tiles, spike format), and per "
        "layer, and keep the best "
        "by that objective "
        "(edp: energy per inference × latency per batch); the Report names it and what this mapping would cost.",
    )
    layers = param.List(
        default=[],
        doc="Per weight layer, the loop-nest choices it makes apart from the design's (input_reuse, weight_reuse, "
        "accumulators, weight_tiles; a field left out takes the design's): [] for none, else one mapping per layer of each network.",
    )
    weights_level = param.String(default="auto", doc="Memory level that keeps the weights ('auto': the innermost that fits).")
    state_level = param.String(
        default="auto", doc="Memory level that keeps the membrane state ('auto': the innermost that fits)."
    )


SEARCHED_MAPPING_FIELDS = (
    "loop_order",
    "time_window",
    "input_reuse",
    "weight_reuse",
    "accumulators",
    "weight_tiles",
    "spike_format",
)
"""The mapping fields ``mapping.search`` chooses: the loop order and its time window, how the loop nest reuses
weights, inputs and partial sums, and what spikes look like. The others describe the deployment (batch, input
format, experts' sharing, neuron updates, residency) and stay as the design states them."""


class STDP(Section):
    """Unsupervised STDP learning (Diehl & Cook 2015) and FSpiNN's switches; see :mod:`snnexplorer.stdp.rule`.

    The defaults are Diehl & Cook's network; FSpiNN (Putra & Shafique 2020)
    turns off the inhibitory layer and the per-input-spike depression, updates
    weights every ``update_interval`` steps and adapts the potentiation.
    """

    _key = "training.stdp"
    inhibitory_neurons = param.Boolean(
        default=True, doc="A separate inhibitory layer (Diehl & Cook) or direct lateral inhibition (FSpiNN)."
    )
    inhibition_strength = param.Number(
        default=17.0, bounds=(0.0, None), doc="Direct inhibition added to g_i per excitatory spike (no inhibitory layer)."
    )
    pre_depression = param.Boolean(
        default=True, doc="Depress at every input spike (Diehl & Cook) or update only at excitatory spikes (FSpiNN)."
    )
    update_interval = param.Integer(
        default=1,
        bounds=(1, 10000),
        doc="Steps between weight updates: 1 = at each spike, more = FSpiNN's timestep-based updates.",
    )
    adaptive_potentiation = param.Boolean(
        default=False, doc="Scale potentiation by min(1, 5 / spikes so far in the presentation)."
    )
    eta_post = param.Number(default=0.01, bounds=(0.0, 1.0), doc="Potentiation rate η_post.")
    x_tar = param.Number(
        default=0.4, bounds=(0.0, 1.0), doc="Presynaptic trace target of the post-only rule (below it, depression)."
    )
    rounding = param.Selector(
        default="stochastic", objects=["stochastic", "nearest"], doc="How fixed-point weight updates round to the grid."
    )
    label_samples = param.Integer(
        default=1000, bounds=(10, 1_000_000), doc="Training samples presented (frozen) to assign each neuron its class."
    )


class Training(Section):
    """Training settings (part of the trained-model cache key): surrogate-gradient BPTT, or unsupervised STDP."""

    _key = "training"
    epochs = param.Integer(default=3, bounds=(1, 1000), doc="Passes over the training set.")
    lr = param.Number(
        default=1e-3, bounds=(0.0, 1.0), inclusive_bounds=(False, True), label="Learning rate", doc="Adam's learning rate."
    )
    seed = param.Integer(default=0, bounds=(0, 2**31 - 1), doc="Seed of initialisation, shuffling and spike encoding.")
    batch_size = param.Integer(default=128, bounds=(1, 65536), doc="Training mini-batch size.")
    timesteps = param.Integer(
        default=25, bounds=(1, 1000), doc="Uniform timesteps used in training (BPTT); simulation may use others."
    )
    train_samples = param.Integer(default=None, bounds=(1, 1_000_000), allow_None=True, doc="Training samples used (null = all).")
    surrogate_slope = param.Number(
        default=25.0,
        bounds=(0.0, 1000.0),
        inclusive_bounds=(False, True),
        softbounds=(0.5, 50.0),
        step=0.5,
        doc="Slope k of the spikes' fast-sigmoid surrogate gradient 1 / (k·|v − θ| + 1)² (snnTorch's default 25; lower: "
        "wider, which trains deep and recurrent networks through time better).",
    )
    quantization_aware = param.Boolean(default=False, doc="Train with the design's fixed-point quantization (straight-through).")
    augment = param.Boolean(
        default=False,
        doc="Shift each training sample by up to 2 pixels in x and y at random (an image, or every frame of a recording alike).",
    )
    learning_rule = param.Selector(
        default="surrogate-gradient",
        objects=["surrogate-gradient", "stdp"],
        doc="Supervised BPTT with surrogate gradients, or unsupervised STDP (one layer of excitatory neurons: network.hidden = [N]).",
    )
    stdp = param.ClassSelector(class_=STDP, default=STDP(), instantiate=True, doc="STDP settings (learning_rule = stdp).")


SECTIONS: dict[str, type[Section]] = {
    "dataset": Dataset,
    "network": Network,
    "specialization": Specialization,
    "timesteps": Timesteps,
    "quantization": Quantization,
    "hardware": Hardware,
    "mapping": Mapping,
    "training": Training,
}
PER_LAYER_FIELDS = tuple((key, name) for key, cls in SECTIONS.items() for name in cls._per_layer)
"""Every per-layer setting, as (section, field): one int, or one per weight layer (each section's ``_per_layer``)."""


def fit_per_layer(data: dict, n_layers: int) -> dict:
    """A design mapping (:meth:`Design.to_dict`) with every per-layer list cut or extended to ``n_layers`` entries
    (:func:`snnexplorer.per_layer.resize`), for a network whose depth changed."""
    out = copy.deepcopy(data)
    for key, name in PER_LAYER_FIELDS:
        if key == Timesteps._key:  # a one-field section is written as its value
            out[key] = resize(out[key], n_layers)
        else:
            out[key][name] = resize(out[key][name], n_layers)
    return out


class Design(param.Parameterized):
    """Everything that defines one design point; see the module docstring."""

    dataset = param.ClassSelector(class_=Dataset, instantiate=True)
    network = param.ClassSelector(class_=Network, instantiate=True)
    specialization = param.ClassSelector(class_=Specialization, instantiate=True)
    timesteps = param.ClassSelector(class_=Timesteps, instantiate=True)
    quantization = param.ClassSelector(class_=Quantization, instantiate=True)
    hardware = param.ClassSelector(class_=Hardware, instantiate=True)
    mapping = param.ClassSelector(class_=Mapping, instantiate=True)
    training = param.ClassSelector(class_=Training, instantiate=True)

    def __init__(self, _validate: bool = True, **params: Any):
        for key, cls in SECTIONS.items():
            if params.get(key) is None:
                params[key] = cls()
        params.setdefault("name", "design")
        super().__init__(**params)
        problems = self.problems() if _validate else []
        if problems:
            raise DesignError(problems)

    # ----------------------------------------------------------------- derived
    @property
    def n_classes(self) -> int:
        return N_CLASSES[self.dataset.name]

    @property
    def n_inputs(self) -> int:
        """Inputs the network reads per step."""
        return math.prod(self.input_shape)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one sample of the data set."""
        return INPUT_SHAPES[self.dataset.name]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of what the network reads per step: the image, or one row of it (``rows``)."""
        channels, height, width = self.image_shape
        return (channels, 1, width) if self.dataset.encoding == "rows" else (channels, height, width)

    @property
    def is_recurrent(self) -> bool:
        """Whether a layer of the stack is recurrent."""
        return any(is_recurrent(entry) for entry in self.network.layers)

    def stack_entries(self) -> list[dict]:
        """The ``network.layers`` entries of the network(s) that run: the stack (or ``hidden`` as dense entries);
        an expert's is the stack's conv layers followed by ``specialization.hidden``."""
        if self.specialization.experts > 1:
            convs = [entry for entry in self.network.layers if "dense" not in entry]
            return convs + [{"dense": width} for width in self.specialization.hidden]
        return list(self.network.layers) or [{"dense": width} for width in self.network.hidden]

    def network_specs(self) -> dict[str, list[LayerSpec]]:
        """The weight layers (:class:`~snnexplorer.topology.LayerSpec`) of every network the design trains and runs;
        an STDP network has no output layer."""
        shape = self.input_shape
        if self.training.learning_rule == "stdp":
            return {"stdp": stack([], self.network.hidden, shape, 0)[:-1]}
        spec = self.specialization
        entries = self.stack_entries()
        if spec.experts == 1:
            return {"main": stack(entries, [], shape, self.n_classes)}
        specs = {f"expert{g}": stack(entries, [], shape, outputs) for g, outputs in enumerate(self.expert_outputs)}
        if spec.combine == "router":
            specs["router"] = stack([], spec.router_hidden, shape, spec.experts)
        return specs

    def network_sizes(self) -> dict[str, list[int]]:
        """Widths [inputs, each layer's outputs...] of every network the design trains and runs (a conv layer's:
        the pooled spikes it sends on)."""
        return {name: [specs[0].n_in, *(s.n_out for s in specs)] for name, specs in self.network_specs().items()}

    @property
    def parameter_count(self) -> int:
        """Weights and biases of every network of the design."""
        return sum(s.parameters for specs in self.network_specs().values() for s in specs)

    @property
    def is_conv(self) -> bool:
        """Whether the network has convolutional layers."""
        return any("conv" in entry for entry in self.network.layers)

    @property
    def hidden(self) -> list[int]:
        """Hidden widths of the network(s) that run: the experts' when specialized; a conv layer's is the number of
        (pooled) outputs it sends on."""
        if self.network.layers:
            return [s.n_out for s in stack(self.stack_entries(), [], self.input_shape, 1)[:-1]]
        return list(self.specialization.hidden if self.specialization.experts > 1 else self.network.hidden)

    @property
    def expert_outputs(self) -> list[int]:
        """Outputs of each network: all classes, or each expert's group size + 1 ('not mine')."""
        k, experts = self.n_classes, self.specialization.experts
        if experts == 1:
            return [k]
        return [len(range(k)[g::experts]) + 1 for g in range(experts)]

    @property
    def n_layers(self) -> int:
        """Weight layers per (sub-)network: hidden layers + output."""
        return len(self.hidden) + 1

    def per_layer(self, section: str, field: str) -> list[int]:
        """A per-layer setting expanded to one int per layer."""
        value = getattr(getattr(self, section), field)
        return list(value) if isinstance(value, list) else [value] * self.n_layers

    @property
    def layer_timesteps(self) -> list[int]:
        return self.per_layer("timesteps", "steps")

    @property
    def weight_bits(self) -> list[int]:
        return self.per_layer("quantization", "weight_bits")

    @property
    def membrane_bits(self) -> list[int]:
        return self.per_layer("quantization", "membrane_bits")

    # -------------------------------------------------------------- validation
    def _sequence_problems(self) -> list[FieldProblem]:
        """What row-by-row input and recurrent layers need: a grey image data set, T = its height, dense layers;
        float, surrogate-gradient, unspecialized recurrent networks."""
        out = []
        if self.dataset.encoding == "rows":
            channels, height, _ = self.image_shape
            if channels != 1 or self.dataset.name in EVENT_DATASETS:
                out.append(FieldProblem("dataset.encoding", "rows", f"a grey image data set ({self.dataset.name} is not)"))
            for path, steps in (("timesteps", self.timesteps.steps), ("training.timesteps", self.training.timesteps)):
                if steps != height:
                    out.append(FieldProblem(path, steps, f"{height} (one step per row of the image) for encoding rows"))
            if self.is_conv:
                out.append(FieldProblem("network.layers", self.network.layers, "dense layers only for encoding rows"))
        if self.is_recurrent:
            why = "for a recurrent layer"
            if self.specialization.experts != 1:
                out.append(FieldProblem("specialization.experts", self.specialization.experts, f"1 {why}"))
            out.extend(self._stepped_problems(why))
        if self.network.neuron.alpha > 0:
            why = f"with a synaptic current (network.neuron.alpha {self.network.neuron.alpha})"
            if self.is_conv:
                out.append(FieldProblem("network.layers", self.network.layers, f"dense layers only {why}"))
            out.extend(self._stepped_problems(why))
        return out

    def _stepped_problems(self, why: str) -> list[FieldProblem]:
        """What a neuron stepped one by one with per-neuron state (recurrence, a synaptic current) needs: float and
        surrogate-gradient training (``why`` says for what)."""
        out = []
        if self.training.learning_rule != "surrogate-gradient":
            out.append(FieldProblem("training.learning_rule", self.training.learning_rule, f"surrogate-gradient {why}"))
        for field in ("weight_bits", "membrane_bits"):
            value = getattr(self.quantization, field)
            if any(bits != 32 for bits in (value if isinstance(value, list) else [value])):
                out.append(FieldProblem(f"quantization.{field}", value, f"32 (float) {why}: fixed point is not modelled"))
        return out

    def problems(self) -> list[FieldProblem]:
        """Cross-field problems (each section validated itself already)."""
        out: list[FieldProblem] = []
        n_layers = self.n_layers
        for section, field in PER_LAYER_FIELDS:
            value = getattr(getattr(self, section), field)
            if isinstance(value, list) and len(value) != n_layers:
                path = "timesteps" if section == "timesteps" else f"{section}.{field}"
                out.append(
                    FieldProblem(path, value, f"one int or a list of {n_layers} ints (hidden layers {self.hidden} + output)")
                )
        out.extend(self._sequence_problems())
        if out:
            return out
        if self.network.layers:
            out.extend(geometry_problems(self.network.layers, self.input_shape))
            if self.training.learning_rule == "stdp":
                out.append(FieldProblem("network.layers", self.network.layers, "[] for learning_rule stdp (one dense layer)"))
            if out:
                return out
        is_events = self.dataset.name in EVENT_DATASETS
        if is_events != (self.dataset.encoding == "events"):
            kind = "event" if is_events else "image"
            allowed = "'events'" if is_events else "'rate', 'direct', 'latency' or 'rows'"
            out.append(
                FieldProblem("dataset.encoding", self.dataset.encoding, f"{allowed} for the {kind} data set {self.dataset.name}")
            )
        if self.training.learning_rule == "stdp":
            if len(self.network.hidden) != 1:
                out.append(
                    FieldProblem(
                        "network.hidden", self.network.hidden, "one width (the excitatory neurons) for learning_rule stdp"
                    )
                )
            if self.specialization.experts != 1:
                out.append(FieldProblem("specialization.experts", self.specialization.experts, "1 for learning_rule stdp"))
            if self.dataset.encoding != "rate":
                out.append(
                    FieldProblem("dataset.encoding", self.dataset.encoding, "'rate' (Poisson inputs) for learning_rule stdp")
                )
        spec = self.specialization
        if spec.experts <= self.n_classes and self.parameter_count > MAX_PARAMETERS:
            out.append(
                FieldProblem(
                    "network",
                    f"{self.parameter_count:,} parameters",
                    f"at most {MAX_PARAMETERS:,} parameters (weights and biases of every network)",
                )
            )
        if spec.experts > self.n_classes:
            out.append(
                FieldProblem("specialization.experts", spec.experts, f"at most {self.n_classes} (classes of {self.dataset.name})")
            )
        elif spec.experts > 1 and spec.grouping == "one-vs-rest" and spec.experts != self.n_classes:
            out.append(
                FieldProblem(
                    "specialization.experts", spec.experts, f"{self.n_classes} for one-vs-rest grouping (one expert per class)"
                )
            )
        presets = hardware_preset_names()
        if self.hardware.preset not in presets:
            out.append(FieldProblem("hardware.preset", self.hardware.preset, f"one of {presets}"))
            return out
        try:
            preset = hardware_preset(self.hardware.preset)
        except DesignError as exc:  # a broken preset file: its own problems
            return out + exc.problems
        levels = [level["name"] for level in preset["levels"]]
        for key, value in self.hardware.overrides.items():
            out.extend(override_problems(key, value, levels))
        if self.mapping.layers and len(self.mapping.layers) != self.n_layers:
            out.append(
                FieldProblem("mapping.layers", self.mapping.layers, f"[] or {self.n_layers} mappings (one per weight layer)")
            )
        for field in ("weights_level", "state_level"):
            value = getattr(self.mapping, field)
            if value != "auto" and value not in levels:
                out.append(FieldProblem(f"mapping.{field}", value, f"'auto' or a level of {self.hardware.preset}: {levels}"))
        return out

    # --------------------------------------------------------------- round trip
    def to_dict(self) -> dict:
        out: dict[str, Any] = {"name": self.name}
        for key in SECTIONS:
            out[key] = getattr(self, key).to_dict()
        out["timesteps"] = out["timesteps"]["steps"]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Design:
        """Build a design from a plain mapping; missing keys take their defaults."""
        if not isinstance(data, dict):
            raise DesignError.single("design", data, "a mapping of sections")
        problems: list[FieldProblem] = []
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "name":
                if isinstance(value, str) and value and len(value) <= MAX_NAME_CHARS:
                    kwargs["name"] = value
                else:
                    problems.append(FieldProblem("name", value, f"a non-empty string of at most {MAX_NAME_CHARS} characters"))
            elif key not in SECTIONS:
                problems.append(FieldProblem(str(key), value, f"a known key: one of {['name', *SECTIONS]}"))
            else:
                if key == "timesteps" and not isinstance(value, dict):
                    value = {"steps": value}
                checked, sub = check_section(SECTIONS[key], value, key)
                if sub:
                    problems.extend(
                        FieldProblem("timesteps", p.value, p.allowed) if p.field == "timesteps.steps" else p for p in sub
                    )
                else:
                    kwargs[key] = SECTIONS[key](**checked)
        if problems:
            # also report cross-field problems among the sections that did parse
            failed = {p.field.split(".")[0] for p in problems}
            partial = cls(_validate=False, **kwargs)
            problems.extend(p for p in partial.problems() if p.field.split(".")[0] not in failed)
            raise DesignError(problems)
        return cls(**kwargs)

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The design as YAML; written atomically to ``path`` when given."""
        text = dump_yaml(self.to_dict(), sort_keys=False, default_flow_style=None)
        if path is not None:
            from .io import atomic_write_text

            atomic_write_text(path, text)
        return text

    @classmethod
    def from_yaml(cls, path_or_text: str | Path) -> Design:
        """Load from a YAML file path (or, for a string containing a newline, YAML text)."""
        if isinstance(path_or_text, str) and "\n" in path_or_text:
            return cls.from_dict(parse_yaml(path_or_text))
        return cls.from_dict(read_yaml(path_or_text))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def copy(self, **changes: Any) -> Design:
        """A new design with top-level sections replaced, e.g. ``copy(timesteps=10)``."""
        data = self.to_dict()
        data.update(changes)
        return Design.from_dict(data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Design) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.hash_for("cost"))

    # -------------------------------------------------------------------- hash
    def stage_inputs(self, stage: str) -> dict:
        """What determines the output of ``stage`` ('train', 'simulate', 'cost').

        train: dataset and its encoding, the network (or the experts and their
        grouping), neuron, training settings (and the quantization when training
        is quantization-aware). simulate adds timesteps, quantization and the
        test subset. cost adds hardware and mapping.
        """
        if stage not in STAGES:
            raise DesignError.single("stage", stage, f"one of {list(STAGES)}")
        d = self.to_dict()
        spec = d["specialization"] if d["specialization"]["experts"] > 1 else {"experts": 1}
        if spec.get("combine") == "argmax":
            spec.pop("router_hidden")
        training = d["training"]
        stdp = training["learning_rule"] == "stdp"
        if not stdp:  # a surrogate-gradient design's weights do not depend on the STDP fields: they stay out
            training = {k: v for k, v in training.items() if k not in ("learning_rule", "stdp")}
        network = d["network"]
        # the form that describes the network is hashed: `hidden` for an all-dense one, else the stack
        network.pop("hidden" if network["layers"] else "layers")
        if not network["neuron"]["alpha"]:  # no synaptic current: the plain LIF's hash, as before the field existed
            network["neuron"].pop("alpha")
        if training.get("surrogate_slope") == Training.surrogate_slope:  # the default slope: the hash as before the field
            training.pop("surrogate_slope")
        inputs: dict[str, Any] = {
            "dataset": {"name": d["dataset"]["name"], "encoding": d["dataset"]["encoding"]},
            "network": network if spec["experts"] == 1 else _expert_network(network),
            "specialization": spec,
            "training": training,
        }
        if stdp:  # STDP learns with the presentation length and the fixed-point weights it is simulated with
            inputs["timesteps"] = self.layer_timesteps
            inputs["quantization"] = {"weight_bits": self.weight_bits}
        if d["training"]["quantization_aware"]:
            inputs["quantization"] = {"weight_bits": self.weight_bits, "membrane_bits": self.membrane_bits}
        if stage in ("simulate", "cost"):
            inputs["timesteps"] = self.layer_timesteps
            inputs["quantization"] = {"weight_bits": self.weight_bits, "membrane_bits": self.membrane_bits}
            inputs["test_samples"] = d["dataset"]["test_samples"]
        if stage == "cost":
            inputs["hardware"] = d["hardware"]
            inputs["mapping"] = d["mapping"]
        return inputs

    def hash_for(self, stage: str) -> str:
        """Content hash (16 hex chars) of what determines ``stage``'s output."""
        return content_hash(self.stage_inputs(stage))

    def cost_hashes(self, overrides: list[dict]) -> list[str]:
        """``hash_for('cost')`` of this design were each of ``overrides`` its ``hardware.overrides`` (a study's
        hardware variants): the rest is encoded once and each overrides mapping spliced into it."""
        inputs = self.stage_inputs("cost")
        inputs["hardware"]["overrides"] = SPLICE
        head, tail = _canonical(inputs).split(_canonical(SPLICE))
        return [hashlib.sha256((head + _canonical(o) + tail).encode()).hexdigest()[:16] for o in overrides]


SPLICE = "\x00overrides\x00"
"""A stand-in no design field holds, marking where :meth:`Design.cost_hashes` splices each overrides mapping."""


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def content_hash(inputs: dict) -> str:
    """16 hex characters of the SHA-256 of ``inputs`` as canonical JSON (:meth:`Design.hash_for` of stage inputs)."""
    return hashlib.sha256(_canonical(inputs).encode()).hexdigest()[:16]


def _expert_network(network: dict) -> dict:
    """What of ``network`` an expert is trained with: the neuron, and a stack's conv layers (its dense layers are
    ``specialization.hidden``)."""
    convs = [entry for entry in network.get("layers", []) if "dense" not in entry]
    return {"neuron": network["neuron"], **({"layers": convs} if convs else {})}


def load_design(path_or_name: str | Path) -> Design:
    """A design from a YAML path, or the name of a shipped preset (e.g. 'mnist-baseline')."""
    path = Path(path_or_name)
    if not path.exists() and not str(path_or_name).endswith((".yaml", ".yml")):
        candidate = presets_dir() / "designs" / f"{path_or_name}.yaml"
        if candidate.exists():
            path = candidate
    return Design.from_yaml(path)
