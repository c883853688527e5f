"""The dashboard's model: the Design being edited, its Report, and the session's designs. param only, no Panel.

``draft`` is a :class:`~snnexplorer.design.Design` whose sections the view
renders directly (``pn.Param(draft.mapping.param, ...)``), so every choice,
bound and help text is the Design's own. Each edit of the draft is validated
into ``design`` (None while invalid, with the problems in ``message``) and
evaluated into ``report`` — simulated with trained weights when they are cached
or shipped, else with synthetic activity at ``spike_rate`` until the user
trains. Loading a design (a preset, an upload, a point of the scatter)
replaces the draft, which the view re-renders.

State that is not part of a design stays here: the preset picked, the activity
mode and synthetic rate, the STDP variant shortcut and the memory-level editor
(which writes ``hardware.overrides``). Outputs are read-only parameters.

Domain rules applied to an edit, each next to the layer that owns it: a new
hardware preset drops the overrides (edits of the old one) and placements on levels it lacks; a
new learning rule takes :func:`snnexplorer.stdp.rule.with_learning_rule`;
per-layer lists follow the depth (:func:`snnexplorer.per_layer.resize`). An
edit and the edits its rules make are evaluated once, when the outermost
one returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import numba
import pandas as pd
import param
import yaml

from ..design import SECTIONS, Design, load_design
from ..errors import DesignError, FieldProblem
from ..explore.knobs import knob_effects
from ..hardware import Architecture, Report
from ..hardware_schema import MemoryLevel
from ..interop import ImportedNetwork, from_nir
from ..per_layer import resize
from ..pipeline import evaluate
from ..presets import design_preset_paths
from ..progress import ProgressEvent, Step
from ..sections import Section
from ..stdp.rule import VARIANTS, variant_of, with_learning_rule, with_variant
from ..topology import check_entries
from ..yaml_input import decode_utf8, parse_yaml

CUSTOM = "(custom)"
PER_LAYER_FIELDS = (("timesteps", "steps"), ("quantization", "weight_bits"), ("quantization", "membrane_bits"))
"""Per-layer settings, edited one layer at a time."""
KNOB_DELAY_S = 1.0
"""Seconds a served page waits after an evaluation before pricing every knob's step (a newer edit cancels it)."""
NUMBERS_FIRST_S = 0.03
"""Seconds a served page's event loop is left to send an evaluation's numbers before the history is redrawn (most
edits only write new rows into the scatters, but a new unit on an axis is a HoloViews redraw of 0.2-0.4 s)."""
HISTORY_COLUMNS = [
    "point",
    "name",
    "hardware",
    "hidden",
    "experts",
    "timesteps",
    "bits",
    "accuracy",
    "energy_j",
    "latency_s",
    "footprint_bytes",
]
DELTA_METRICS = ["accuracy", "energy_j", "latency_s", "footprint_bytes"]


def history_row(design: Design, report: Report) -> dict:
    """One design of the session: what tells it apart, and its Report's metrics."""
    metrics = report.metrics()
    return {
        "point": design.hash_for("cost"),
        "name": design.name,
        "hardware": design.hardware.preset,
        "hidden": str(design.hidden),
        "experts": design.specialization.experts,
        "timesteps": str(design.layer_timesteps),
        "bits": f"w{max(design.weight_bits)}/v{max(design.membrane_bits)}",
        **{k: metrics[k] for k in DELTA_METRICS},
        "accuracy": metrics["accuracy"] if metrics["accuracy"] is not None else float("nan"),
    }


def with_deltas(pins: pd.DataFrame) -> pd.DataFrame:
    """Pinned rows plus, per metric, the change against the first pin (relative for costs)."""
    table = pins.copy()
    if table.empty:
        return table
    first = table.iloc[0]
    table["Δ accuracy (points)"] = 100 * (table["accuracy"] - first["accuracy"])
    for metric in DELTA_METRICS[1:]:
        table[f"{metric} × first"] = table[metric] / first[metric]
    return table


def design_fields(design: Design) -> dict[str, str]:
    """Every field of ``design`` but its name, as ``section.field`` (nested sections flattened) → text."""
    out: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict) and value and prefix != "hardware.overrides":
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            out[prefix] = str(value)

    walk("", {k: v for k, v in design.to_dict().items() if k != "name"})
    return out


def differing_fields(designs: list[Design]) -> pd.DataFrame:
    """One row per design, one column per field whose value is not the same in all of them."""
    rows = pd.DataFrame([design_fields(d) for d in designs])
    return rows.loc[:, rows.nunique(dropna=False) > 1] if len(rows) else rows


def parse_widths(text: str, path: str) -> list[int]:
    """``"256, 128"`` → [256, 128]; a :class:`DesignError` naming ``path`` otherwise (bounds are the Design's)."""
    try:
        values = [int(v) for v in str(text).replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise DesignError.single(path, text, "comma-separated integers") from None
    if not values:
        raise DesignError.single(path, text, "at least one integer")
    return values


def parse_upload(content: str | bytes, filename: str = "upload") -> Design | DesignError:
    """The design in an uploaded file's bytes (or text), read under the YAML input limits, or why not."""
    try:
        text = decode_utf8(content, filename) if isinstance(content, bytes) else content
        return Design.from_dict(parse_yaml(text, filename))
    except DesignError as exc:
        return exc


def _evaluate_or_error(design: Design, activity: str, imported: ImportedNetwork | None = None) -> Report | DesignError:
    """``design``'s Report, or an imported network's under ``design``'s data, hardware and mapping; or why not."""
    try:
        return evaluate(design, activity) if imported is None else imported.evaluate(design, activity)
    except DesignError as exc:
        return exc


def _priced_on_one_core(design: Design, source: str, report: Report, stop) -> pd.DataFrame:
    """:func:`knob_effects` with this worker thread's numba kernels on one core, leaving the other to the edits."""
    previous = numba.get_num_threads()
    numba.set_num_threads(1)  # per thread, and restored: the pool thread may evaluate an edit next
    try:
        return knob_effects(design, source, report, stop)
    finally:
        numba.set_num_threads(previous)


def read_nir_upload(content: bytes, filename: str) -> ImportedNetwork:
    """An uploaded NIR file (its bytes) as an ImportedNetwork, or one DesignError saying why not."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.nir"
        path.write_bytes(content)
        try:
            return from_nir(path, name=Path(filename).stem or "imported")
        except DesignError as exc:  # name the upload, not the temporary file
            raise DesignError(
                [FieldProblem(p.field, filename if p.value == str(path) else p.value, p.allowed) for p in exc.problems]
            ) from None


def _sections_of(design: Design) -> list[tuple[str, Section]]:
    """Every section of ``design`` with its path, nested ones (``network.neuron``, ``training.stdp``) included."""
    out = []
    for key in SECTIONS:
        section = getattr(design, key)
        out.append((key, section))
        out.extend(
            (f"{key}.{name}", getattr(section, name)) for name in section.fields() if isinstance(getattr(section, name), Section)
        )
    return out


class ExplorerModel(param.Parameterized):
    """Draft Design → Design → Report; the session's history and pins. See the module docstring."""

    preset = param.Selector(default=CUSTOM, objects=[CUSTOM], doc="A shipped design to start from (presets/designs).")
    activity = param.Selector(
        default="simulate",
        objects=["simulate", "synthetic"],
        doc="simulate: trained weights on the test set; synthetic: a uniform spike rate, no training needed.",
    )
    spike_rate = param.Number(
        default=0.1, bounds=(0.0, 1.0), step=0.01, doc="Spike rate of the synthetic activity, per neuron per step."
    )
    stdp_variant = param.Selector(
        default="fspinn",
        objects=[*VARIANTS, "custom"],
        doc="diehl-cook: inhibitory layer, depression at every input spike; fspinn: FSpiNN's reductions "
        "(Putra & Shafique 2020) — direct inhibition, updates only at excitatory spikes, every 50 steps.",
    )
    level = param.Selector(
        default=None,
        objects=[],
        allow_None=True,
        doc="A memory level of the hardware to edit (hardware as data, as in Accelergy / ZigZag).",
    )
    capacity_kib = param.Number(
        default=0.0,
        bounds=(0.0, None),
        label="Capacity (KiB)",
        doc=MemoryLevel.param.capacity_bytes.doc.replace("(bytes)", "(KiB)"),
    )
    read_pj = param.Number(default=0.0, bounds=(0.0, None), label="Read energy (pJ/word)", doc=MemoryLevel.param.read_pj.doc)

    draft = param.ClassSelector(
        class_=Design,
        default=None,
        allow_None=True,
        constant=True,
        doc="The design being edited; the view binds its widgets to its sections.",
    )
    design = param.ClassSelector(
        class_=Design,
        default=None,
        allow_None=True,
        constant=True,
        doc="The current valid Design (None while the draft is invalid).",
    )
    report = param.ClassSelector(class_=Report, default=None, allow_None=True, constant=True, doc="The current Report.")
    message = param.String(default="", constant=True, doc="A readable error or status message.")
    layer_labels = param.List(default=[], constant=True, doc="One label per weight layer of the draft.")
    level_choices = param.List(default=["auto"], constant=True, doc="Placements of weights and state on the draft's hardware.")
    needs_training = param.Boolean(default=False, constant=True)
    training = param.Boolean(default=False, constant=True)
    progress = param.Number(default=0.0, bounds=(0.0, 1.0), constant=True)
    progress_text = param.String(default="", constant=True)
    history = param.DataFrame(default=pd.DataFrame(columns=HISTORY_COLUMNS), constant=True)
    pins = param.DataFrame(default=pd.DataFrame(columns=HISTORY_COLUMNS), constant=True)
    sweep = param.DataFrame(default=None, allow_None=True, constant=True, doc="Rows of a loaded sweep CSV (snnexplorer sweep).")
    update_seconds = param.Number(default=0.0, constant=True, doc="Server time of the last evaluation (s).")
    background = param.Boolean(
        default=False, doc="Evaluate edits in a worker thread (needs the running event loop of a served page)."
    )
    evaluating = param.Boolean(default=False, constant=True, doc="An evaluation of the latest edit is running.")
    closed = param.Boolean(default=False, doc="The page this model served has closed: background work stops.")
    knob_effects = param.DataFrame(
        default=None,
        allow_None=True,
        constant=True,
        doc="One step of each knob and its effect on the current design (snnexplorer.explore.knobs), largest first.",
    )
    knob_point = param.String(default="", constant=True, doc="The design (its cost hash) ``knob_effects`` belong to.")
    imported = param.ClassSelector(
        class_=ImportedNetwork,
        default=None,
        allow_None=True,
        constant=True,
        doc="A network read from a NIR file, costed in place of the design's own (its data, hardware and mapping apply).",
    )

    def __init__(self, design: Design | None = None, **params):
        presets = {p.stem: p for p in design_preset_paths()}
        self.param.preset.objects = [CUSTOM, *presets]
        if design is None and "preset" not in params and "mnist-baseline" in presets:
            params["preset"] = "mnist-baseline"
        super().__init__(**params)
        self._presets = presets
        self._cancel = threading.Event()
        self._designs: dict[str, Design] = {}
        self._draft_watchers: list = []
        self._text_problems: dict[str, FieldProblem] = {}
        self._edit_depth = 0
        self._uploads = 0
        self._evaluations = 0
        self._origin: Design | None = None
        self._arch: Architecture | None = None
        self.load(design if design is not None else self._preset_design())

    # ------------------------------------------------------------------ inputs
    def _set(self, **values) -> None:
        """Set read-only outputs in one batch."""
        with param.edit_constant(self):
            self.param.update(**values)

    def _preset_design(self) -> Design:
        return load_design(self._presets[self.preset]) if self.preset in self._presets else Design()

    @param.depends("preset", watch=True)
    def _on_preset(self) -> None:
        if self.preset in self._presets:
            self.load(self._preset_design())

    def load(self, design: Design) -> None:
        """Edit a copy of ``design`` from now on (one evaluation)."""
        self._load_data(design.to_dict())

    def load_nir(self, content: bytes, filename: str = "upload.nir") -> None:
        """Cost the network of an uploaded NIR file with the draft's data, encoding, timesteps, hardware and mapping
        (until a design is loaded); why a file cannot be read goes to ``message``."""
        try:
            network = read_nir_upload(content, filename)
        except DesignError as exc:
            self._set(message=exc.bullets("NIR file refused:"))
            return
        self._set(imported=network)
        self.refresh()

    def _load_data(self, data: dict) -> None:
        """A new draft from a design mapping whose sections are each valid (their combination need not be)."""
        self._set(imported=None)
        self._text_problems.clear()
        self._origin = None  # the first valid design of this draft: edits away from it get their own name
        sections = {key: cls(**({"steps": data[key]} if key == "timesteps" else data[key])) for key, cls in SECTIONS.items()}
        self._set(draft=Design(_validate=False, name=data["name"], **sections))

    @param.depends("draft", watch=True)
    def _on_new_draft(self) -> None:
        for section, watcher in self._draft_watchers:
            section.param.unwatch(watcher)
        self._draft_watchers = [
            (
                section,
                section.param.watch(self._on_edit, [n for n in section.fields() if not isinstance(getattr(section, n), Section)]),
            )
            for _, section in _sections_of(self.draft)
        ]
        if self.draft.training.learning_rule == "stdp":
            self.stdp_variant = variant_of(self.draft.training.stdp) or "custom"
        self.refresh()

    @contextlib.contextmanager
    def _one_edit(self):
        """Edits of several fields inside this block are evaluated once, at its end."""
        self._edit_depth += 1
        try:
            yield
        finally:
            self._edit_depth -= 1
        if self._edit_depth == 0:
            self.refresh()

    def _on_edit(self, *events) -> None:
        """An edit of the draft: apply the domain rules it triggers, then evaluate once (see the module docstring)."""
        self._edit_depth += 1
        try:
            for event in events:
                if event.name == "learning_rule":
                    variant = self.stdp_variant if self.stdp_variant in VARIANTS else "fspinn"
                    self._load_data(with_learning_rule(self.draft.to_dict(), event.new, variant))
                    return
                if event.name == "preset" and event.obj is self.draft.hardware:
                    self._fit_to_hardware()
        finally:
            self._edit_depth -= 1
        if self._edit_depth == 0:
            self.refresh()

    def _fit_to_hardware(self) -> None:
        """A new hardware preset: the overrides edited the old one and go; placements it lacks become 'auto'."""
        try:
            levels = Architecture.from_preset(self.draft.hardware.preset).level_names
        except DesignError:
            return  # refresh reports the bad preset
        hardware, mapping = self.draft.hardware, self.draft.mapping
        if hardware.overrides:
            hardware.overrides = {}
        placements = {f: "auto" for f in ("weights_level", "state_level") if getattr(mapping, f) not in ["auto", *levels]}
        if placements:
            mapping.param.update(**placements)

    @param.depends("stdp_variant", watch=True)
    def _on_stdp_variant(self) -> None:
        if self.stdp_variant in VARIANTS and self.draft.training.learning_rule == "stdp":
            stdp = with_variant(self.draft.to_dict(), self.stdp_variant)["training"]["stdp"]
            self.draft.training.stdp.param.update(**stdp)

    def set_widths(self, section: str, field: str, text: str) -> None:
        """A width list edited as text; a parse error is shown, and keeps the design invalid, until mended."""
        path = f"{section}.{field}"
        try:
            values = parse_widths(text, path)
        except DesignError as exc:
            self._text_problems[path] = exc.problems[0]
            self.refresh()
            return
        self._text_problems.pop(path, None)
        target = getattr(self.draft, section)
        if getattr(target, field) != values:
            setattr(target, field, values)
        else:
            self.refresh()

    def stack_text(self) -> str:
        """The draft's ``network.layers`` as one line of YAML (flow style), as a design file may write it."""
        return yaml.safe_dump(self.draft.network.layers, default_flow_style=True, sort_keys=False).strip()

    def set_stack_text(self, text: str) -> None:
        """``network.layers`` edited as YAML; a problem is shown, and keeps the design invalid, until mended."""
        path = "network.layers"
        try:
            layers = parse_yaml(text, path) if str(text).strip() else []
        except DesignError as exc:
            problems = exc.problems
        else:
            problems = check_entries(layers, path)
        if problems:
            self._text_problems[path] = problems[0]
            self.refresh()
            return
        self._text_problems.pop(path, None)
        if self.draft.network.layers != layers:
            self.draft.network.layers = layers
        else:
            self.refresh()

    def set_stack_entry(self, index: int, key: str, value: int) -> None:
        """One number of entry ``index`` of ``network.layers``: a conv field (``key``), a pool or a dense width."""
        layers = copy.deepcopy(self.draft.network.layers)
        kind = next(iter(layers[index]))
        if kind == "conv":
            layers[index]["conv"][key] = value
        else:
            layers[index] = {kind: value}
        if layers != self.draft.network.layers:
            self.draft.network.layers = layers

    def widths_text(self, section: str, field: str) -> str:
        return ", ".join(map(str, getattr(getattr(self.draft, section), field)))

    def per_layer(self, section: str, field: str) -> list[int]:
        """One value per weight layer of the draft."""
        value = resize(getattr(getattr(self.draft, section), field), self.draft.n_layers)
        return list(value) if isinstance(value, list) else [value] * self.draft.n_layers

    def set_per_layer(self, section: str, field: str, index: int, value: int) -> None:
        values = self.per_layer(section, field)
        if values[index] != value:
            values[index] = value
            setattr(getattr(self.draft, section), field, values)

    # ------------------------------------------------------- memory-level editor
    def _sync_level_editor(self, arch: Architecture) -> None:
        """Show the chosen level's capacity and read energy (override or preset) without writing them back."""
        if self._arch is None or self._arch.name != arch.name:
            self._arch = arch
            with param.parameterized.discard_events(self):
                self.param.level.objects = arch.level_names
                if self.level not in arch.level_names:
                    self.level = arch.level_names[0]
            self.param.trigger("level")  # shows the level (_show_level)
        else:
            self._show_level()

    @param.depends("level", watch=True)
    def _show_level(self) -> None:
        if self.level is None or self._arch is None:
            return
        index = self._arch.level_index(self.level)
        overrides = self.draft.hardware.overrides
        capacity = overrides.get(f"{self.level}.capacity_bytes", self._arch.levels["capacity_bytes"][0, index])
        read = overrides.get(f"{self.level}.read_pj", self._arch.levels["read_pj"][0, index])
        shown = (float(capacity) / 1024, float(read))
        if (self.capacity_kib, self.read_pj) == shown:
            return  # an edit elsewhere: the editor already shows these
        with param.parameterized.discard_events(self):
            self.capacity_kib, self.read_pj = shown
        self.param.trigger("capacity_kib", "read_pj")

    @param.depends("capacity_kib", "read_pj", watch=True)
    def _edit_level(self) -> None:
        if self.level is None or self._arch is None:
            return
        index = self._arch.level_index(self.level)
        edits = {f"{self.level}.capacity_bytes": self.capacity_kib * 1024, f"{self.level}.read_pj": self.read_pj}
        preset = {
            f"{self.level}.capacity_bytes": self._arch.levels["capacity_bytes"][0, index],
            f"{self.level}.read_pj": self._arch.levels["read_pj"][0, index],
        }
        overrides = {k: v for k, v in self.draft.hardware.overrides.items() if k not in edits}
        overrides.update({k: v for k, v in edits.items() if abs(v - preset[k]) > 1e-9 * max(1.0, preset[k])})
        if overrides != self.draft.hardware.overrides:
            self.draft.hardware.overrides = overrides

    # -------------------------------------------------------------- evaluation
    def _validated(self) -> Design:
        """The draft as a Design, per-layer lists fitted to its depth; DesignError lists every problem."""
        data = self.draft.to_dict()
        n_layers = self.draft.n_layers
        data["timesteps"] = resize(data["timesteps"], n_layers)
        for field in ("weight_bits", "membrane_bits"):
            data["quantization"][field] = resize(data["quantization"][field], n_layers)
        problems = list(self._text_problems.values())
        try:
            design = Design.from_dict(data)
        except DesignError as exc:
            problems += exc.problems
        if problems:
            raise DesignError(problems)
        return design

    @param.depends("activity", "spike_rate", watch=True)
    def refresh(self) -> None:
        """Validate the draft now and evaluate it (only the stages a change touches re-run).

        With ``background`` (a served dashboard, whose edits arrive on the server's event loop) the evaluation runs
        in a worker thread, so that a slow one (a first simulation, a cold kernel compile) neither freezes this
        page's controls nor holds up other sessions; of evaluations that overlap, the last edit's wins. Otherwise
        (notebooks, scripts, tests) it runs before ``refresh`` returns.
        """
        start = time.perf_counter()
        n_layers = self.draft.n_layers
        labels = ["output layer" if i == n_layers - 1 else f"hidden layer {i + 1}" for i in range(n_layers)]
        try:
            arch = Architecture.from_preset(self.draft.hardware.preset)
            self._sync_level_editor(arch)
            choices = ["auto", *arch.level_names]
        except DesignError:
            choices = ["auto"]
        self._evaluations += 1
        ticket = self._evaluations
        try:
            design = self._validated()
        except DesignError as exc:
            self._show(ticket, None, exc, labels, choices, start)
            return
        design = self._named(design)
        from ..train import cached

        imported = self.imported
        needs = imported is None and self.activity == "simulate" and cached(design) is None
        source = f"synthetic:{self.spike_rate}" if self.activity == "synthetic" or needs else "simulate"
        if not self.background:
            self._show(ticket, design, _evaluate_or_error(design, source, imported), labels, choices, start, needs)
            return
        self._set(evaluating=True, layer_labels=labels, level_choices=choices)
        # param's executor (Panel installs its own): the coroutine runs as a document callback of this session
        param.parameterized.async_executor(
            partial(self._evaluate_in_thread, ticket, design, source, labels, choices, start, needs)
        )

    def _named(self, design: Design) -> Design:
        """``design``, renamed ``NAME-abc123`` (its cost hash) when edits took it away from the design loaded as
        NAME, so that pins, the history and exports tell edited designs apart; the loaded one keeps its name."""
        if self._origin is None:
            self._origin = design
        elif design.name == self._origin.name and design != self._origin:
            with param.edit_constant(design):  # a fresh Design of the draft: nothing else holds it yet
                design.name = f"{self._origin.name}-{design.hash_for('cost')[:6]}"
        return design

    async def _evaluate_in_thread(self, ticket: int, design: Design, source: str, *shown) -> None:
        outcome = await asyncio.to_thread(_evaluate_or_error, design, source, self.imported)
        history = self._show(ticket, design, outcome, *shown, later=True)
        if history is None:
            return
        await asyncio.sleep(NUMBERS_FIRST_S)  # the page gets the new numbers before the scatters are redrawn
        if ticket != self._evaluations:
            return  # a newer edit redraws them
        self._set(history=history)
        self._set(evaluating=False)  # the spinner goes once the page's plots are redrawn too
        if isinstance(outcome, Report):
            await self._knobs_in_thread(ticket, design, source, outcome)

    async def _knobs_in_thread(self, ticket: int, design: Design, source: str, report: Report) -> None:
        """Price one step of each knob of the evaluated ``design`` in a worker thread, unless a newer edit comes."""
        await asyncio.sleep(KNOB_DELAY_S)  # an edit right after this one makes this work moot: let it come first
        if ticket != self._evaluations or self.imported is not None or self.closed:
            return
        table = await asyncio.to_thread(
            _priced_on_one_core, design, source, report, lambda: ticket != self._evaluations or self.closed
        )
        if ticket == self._evaluations:
            self._set(knob_effects=table, knob_point=design.hash_for("cost"))

    @param.depends("background", watch=True)
    def _on_background(self) -> None:
        """A page just served: price the knobs of the design it opened with (evaluated before it was served)."""
        if self.background and self.design is not None and self.report is not None and self.knob_effects is None:
            source = f"synthetic:{self.spike_rate}" if self.activity == "synthetic" or self.needs_training else "simulate"
            param.parameterized.async_executor(
                partial(self._knobs_in_thread, self._evaluations, self.design, source, self.report)
            )

    def compute_knob_effects(self) -> pd.DataFrame | None:
        """The knob table of the current design now (a served page fills it in the background after each edit)."""
        if self.design is None or self.report is None or self.imported is not None:
            return None
        source = f"synthetic:{self.spike_rate}" if self.activity == "synthetic" else "simulate"
        self._set(knob_effects=knob_effects(self.design, source, self.report), knob_point=self.design.hash_for("cost"))
        return self.knob_effects

    def apply_knob(self, row: int) -> None:
        """Apply row ``row`` of ``knob_effects`` to the draft (one evaluation); not while the chart still shows an
        earlier design's steps (it is kept, not blanked, while the latest edit's are priced)."""
        if self.knob_effects is None or not 0 <= row < len(self.knob_effects):
            return
        if self.design is None or self.knob_point != self.design.hash_for("cost"):
            self._set(message="The chart still shows the steps of an earlier edit; they are being priced for this one.")
            return
        changes = self.knob_effects["changes"].iloc[row]
        self._set(knob_effects=None)
        with self._one_edit():
            for key, values in changes.items():
                if key == "timesteps":
                    self.draft.timesteps.steps = values
                else:
                    getattr(self.draft, key).param.update(**values)

    def _show(
        self,
        ticket: int,
        design: Design | None,
        outcome: Report | DesignError,
        labels: list,
        choices: list,
        start: float,
        needs: bool = False,
        later: bool = False,
    ) -> pd.DataFrame | None:
        """Publish one evaluation's outcome, unless a later edit has started another. ``later``: leave the session's
        history to the caller (the new history is returned), so that the numbers can be sent first."""
        if ticket != self._evaluations:
            return None
        if isinstance(outcome, DesignError):  # an invalid draft (design None), or a valid one that cannot be evaluated here
            problems = outcome.bullets()
            self._set(
                design=design,
                report=None,
                message=problems,
                layer_labels=labels,
                level_choices=choices,
                needs_training=False,
                evaluating=False,
                knob_effects=None,
            )
            return None
        report = outcome
        note = "No trained weights for this shape yet: showing synthetic activity. Train to see accuracy." if needs else ""
        if self.imported is not None:
            note = (
                f"Imported NIR network {self.imported.name} ({len(self.imported.stages)} layers, "
                f"{self.imported.n_inputs} inputs): the network controls do not apply; load a design to leave it."
            )
        if not report.feasible:
            note = "Infeasible on this hardware: " + "; ".join(report.reasons)
        row = history_row(design, report)
        self._designs[row["point"]] = design
        history = self.history[self.history["point"] != row["point"]] if len(self.history) else self.history
        history = pd.concat([history, pd.DataFrame([row])], ignore_index=True)
        self._set(
            design=design,
            report=report,
            message=note,
            needs_training=needs,
            layer_labels=labels,
            level_choices=choices,
            update_seconds=time.perf_counter() - start,
            evaluating=later,
        )
        if later:
            return history
        self._set(history=history)
        return None

    # ------------------------------------------------------ session and files
    def pin(self) -> None:
        """Keep the current design in the comparison table."""
        if self.design is None or self.report is None:
            return
        row = history_row(self.design, self.report)
        pins = self.pins[self.pins["point"] != row["point"]] if len(self.pins) else self.pins
        self._set(pins=pd.concat([pins, pd.DataFrame([row])], ignore_index=True))

    def comparison(self) -> pd.DataFrame:
        """Pinned designs side by side: every field that differs between them, the metrics, and each metric's
        change against the first pin."""
        table = with_deltas(self.pins)
        if table.empty:
            return table
        fields = differing_fields([self._designs[point] for point in table["point"]])
        at = list(table.columns).index("name") + 1
        return pd.concat([table.iloc[:, :at], fields.set_index(table.index), table.iloc[:, at:]], axis=1)

    def show_sweep(self, table: pd.DataFrame) -> None:
        """Show the points of a sweep (rows of :func:`snnexplorer.explore.study.read_sweep`) beside the session's
        designs."""
        self._set(sweep=table)

    def load_point(self, point: str) -> None:
        """Load a design evaluated earlier in this session (e.g. clicked in the scatter)."""
        if point in self._designs:
            self.preset = CUSTOM
            self.load(self._designs[point])

    def to_yaml(self) -> str:
        return self.design.to_yaml() if self.design is not None else ""

    def load_yaml(self, content: str | bytes, filename: str = "upload") -> None:
        """Load an uploaded design (text, or the bytes of a file); field-level errors go to ``message``."""
        self._take_upload(parse_upload(content, filename))

    async def load_upload(self, content: bytes, filename: str = "upload") -> None:
        """:meth:`load_yaml` with the decoding, parsing and validation in a worker thread, so that no upload (all
        bounded by :mod:`snnexplorer.yaml_input`'s limits) holds up the server's event loop and the other sessions.
        Of uploads that overlap, the last one made wins, whichever finishes parsing first."""
        self._uploads += 1
        ticket = self._uploads
        parsed = await asyncio.to_thread(parse_upload, content, filename)
        if ticket == self._uploads:
            self._take_upload(parsed)

    def _take_upload(self, parsed: Design | DesignError) -> None:
        if isinstance(parsed, DesignError):
            self._set(message=parsed.bullets("Upload rejected:"))
            return
        self.preset = CUSTOM
        self.load(parsed)

    async def train(self) -> None:
        """Train the current design in a worker thread, with progress; cancellable."""
        if self.design is None or self.training:
            return
        from ..train import TrainingCancelled, load_or_train

        self._cancel.clear()
        self._set(training=True, progress=0.0, progress_text="starting…")
        latest: list[Step] = []

        def progress(event: ProgressEvent) -> None:
            if isinstance(event, Step):  # a stage line comes first, then the steps
                latest[:] = [event]

        async def poll() -> None:
            while self.training:
                if latest:
                    self._set(progress=latest[0].fraction, progress_text=latest[0].describe())
                await asyncio.sleep(0.3)

        poller = asyncio.ensure_future(poll())
        try:
            await asyncio.to_thread(load_or_train, self.design, progress, self._cancel)
            message = ""
        except TrainingCancelled:
            message = "Training cancelled."
        except DesignError as exc:  # e.g. more memory than this machine has
            message = exc.bullets("Training refused:")
        finally:
            self._set(training=False)
            await poller
        self._set(progress=0.0, progress_text="")
        self.refresh()
        if message:
            self._set(message=message)

    def cancel(self) -> None:
        self._cancel.set()
