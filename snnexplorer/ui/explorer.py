"""The Explorer: design controls on the left, live results on the right.

``ExplorerModel`` (param) turns control values into a Design, evaluates it
(simulated with trained weights when they are cached or shipped, else with
synthetic activity at a chosen rate until the user trains) and keeps the
session's history. ``Explorer`` (a Viewer) lays it out. Plots live in
:mod:`snnexplorer.ui.plots`; no model logic lives here beyond wiring.
"""

from __future__ import annotations

import asyncio
import threading
import time
from functools import partial

import holoviews as hv
import pandas as pd
import panel as pn
import param

from ..design import Design, load_design
from ..errors import DesignError
from ..pipeline import evaluate
from ..presets import design_preset_paths, hardware_preset_names
from . import plots

TIPS = {
    "preset": "A shipped design to start from (presets/designs).",
    "hardware": "Target hardware: memory hierarchy and compute energies, every number cited (presets/hardware).",
    "hidden": "Hidden widths, comma separated: width = each entry, depth = how many.",
    "experts": "Task specialization (Lebdeh et al. 2024): split the classes among this many small networks.",
    "grouping": "How classes are split among experts: one per expert, balanced groups, or confusable classes together.",
    "expert_hidden": "Hidden widths of each expert network.",
    "weight_bits": "Fixed-point weight bits (FSpiNN, Putra & Shafique 2020); 32 = float32.",
    "membrane_bits": "Membrane potential bits, saturating (FSpiNN).",
    "batch": "Samples per batch: weights are fetched once per batch.",
    "loop_order": "timestep-major: every layer each step; layer-major: one layer for all its steps (LD-SNN).",
    "neuron_update": "time-driven: every neuron every step; event-driven: only neurons that received input.",
    "activity": "simulate: trained weights on the test set; synthetic: a uniform spike rate, no training needed.",
    "spike_rate": "Spike rate of the synthetic activity, per neuron per step.",
    "level": "A memory level of the hardware to edit (hardware as data, as in Accelergy / ZigZag).",
    "capacity_kib": "Capacity of the chosen level in KiB; a smaller level forces data to stream from the next one.",
    "read_pj": "Energy per word read at the chosen level, in pJ (writes follow the preset).",
    "timesteps": "Timesteps of this layer (LD-SNN, Nallathambi et al. 2022: each layer its own count).",
    "learning_rule": "surrogate-gradient: supervised BPTT (torch); stdp: unsupervised STDP of one layer of excitatory "
                     "neurons (Diehl & Cook 2015), classes assigned afterwards; timesteps are then 0.5 ms steps.",
    "stdp_variant": "diehl-cook: inhibitory layer, depression at every input spike; fspinn: FSpiNN's reductions "
                    "(Putra & Shafique 2020) — direct inhibition, updates only at excitatory spikes, every 50 steps.",
}
STDP_STEPS = 700
"""Presentation length (0.5 ms steps) set when the learning rule switches to STDP; 25 when it switches back."""


REPORT_PLOTS = (plots.breakdown, partial(plots.breakdown, value="time_s"), plots.layer_activity, plots.layer_rates,
                plots.snn_vs_ann, plots.footprint)
"""Plots of the current Report, laid out two per row."""


def _ints(text: str, field: str) -> list[int]:
    try:
        values = [int(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise DesignError.single(field, text, "comma-separated integers ≥ 1") from None
    if not values:
        raise DesignError.single(field, text, "at least one integer ≥ 1")
    return values


class ExplorerModel(param.Parameterized):
    """Control values → Design → Report; the session's history of evaluated designs."""

    preset = param.Selector(doc=TIPS["preset"])
    hardware = param.Selector(doc=TIPS["hardware"])
    hidden = param.String(default="256", doc=TIPS["hidden"])
    experts = param.Integer(default=1, bounds=(1, 10), doc=TIPS["experts"])
    grouping = param.Selector(default="balanced", objects=["balanced", "one-vs-rest", "confusion"], doc=TIPS["grouping"])
    expert_hidden = param.String(default="64", doc=TIPS["expert_hidden"])
    timesteps = param.List(default=[25, 25], item_type=int, doc=TIPS["timesteps"])
    weight_bits = param.Integer(default=32, bounds=(1, 32), doc=TIPS["weight_bits"])
    membrane_bits = param.Integer(default=32, bounds=(1, 32), doc=TIPS["membrane_bits"])
    learning_rule = param.Selector(default="surrogate-gradient", objects=["surrogate-gradient", "stdp"], doc=TIPS["learning_rule"])
    stdp_variant = param.Selector(default="fspinn", objects=["diehl-cook", "fspinn"], doc=TIPS["stdp_variant"])
    batch = param.Integer(default=1, bounds=(1, 1024), doc=TIPS["batch"])
    loop_order = param.Selector(default="timestep-major", objects=["timestep-major", "layer-major"], doc=TIPS["loop_order"])
    neuron_update = param.Selector(default="time-driven", objects=["time-driven", "event-driven"], doc=TIPS["neuron_update"])
    activity = param.Selector(default="simulate", objects=["simulate", "synthetic"], doc=TIPS["activity"])
    spike_rate = param.Number(default=0.1, bounds=(0.0, 1.0), step=0.01, doc=TIPS["spike_rate"])
    level = param.Selector(default=None, objects=[], doc=TIPS["level"])
    capacity_kib = param.Number(default=0.0, bounds=(0.0, None), doc=TIPS["capacity_kib"])
    read_pj = param.Number(default=0.0, bounds=(0.0, None), doc=TIPS["read_pj"])
    overrides = param.Dict(default={}, doc="Hardware overrides made with the level controls (LEVEL.FIELD → value).")

    design = param.Parameter(default=None, doc="The current Design (None while the controls are invalid).")
    report = param.Parameter(default=None, doc="The current Report.")
    message = param.String(default="", doc="A readable error or status message.")
    needs_training = param.Boolean(default=False)
    training = param.Boolean(default=False)
    progress = param.Number(default=0.0, bounds=(0.0, 1.0))
    progress_text = param.String(default="")
    history = param.DataFrame(default=pd.DataFrame(columns=plots.HISTORY_COLUMNS))
    pins = param.DataFrame(default=pd.DataFrame(columns=plots.HISTORY_COLUMNS))
    sweep = param.DataFrame(default=None, allow_None=True, doc="Rows of a loaded sweep CSV (snnexplorer sweep).")
    update_seconds = param.Number(default=0.0)

    def __init__(self, design: Design | None = None, **params):
        presets = {p.stem: p for p in design_preset_paths()}
        self._presets = presets
        self.param.preset.objects = ["(custom)", *presets]
        self.param.hardware.objects = hardware_preset_names()
        params.setdefault("preset", "mnist-baseline" if "mnist-baseline" in presets else "(custom)")
        params.setdefault("hardware", "edge-soc")
        super().__init__(**params)
        self._cancel = threading.Event()
        self._designs: dict[str, Design] = {}
        self._base = (design or self._preset_design()).to_dict()
        self._loading = True
        self._on_hardware()
        self._loading = False
        self.load(Design.from_dict(self._base))

    def _preset_design(self) -> Design:
        if self.preset in self._presets:
            return load_design(self._presets[self.preset])
        return Design()

    @param.depends("preset", watch=True)
    def _on_preset(self):
        if self.preset in self._presets:
            self.load(self._preset_design())

    def load(self, design: Design) -> None:
        """Set every control from ``design`` (one evaluation afterwards)."""
        self._base = design.to_dict()
        self._loading = True
        try:
            self.param.update(
                hardware=design.hardware.preset, hidden=", ".join(map(str, design.network.hidden)),
                experts=design.specialization.experts, grouping=design.specialization.grouping,
                expert_hidden=", ".join(map(str, design.specialization.hidden)), timesteps=design.layer_timesteps,
                weight_bits=max(design.weight_bits), membrane_bits=max(design.membrane_bits), batch=design.mapping.batch,
                loop_order=design.mapping.loop_order, neuron_update=design.mapping.neuron_update,
                learning_rule=design.training.learning_rule)
            if design.training.learning_rule == "stdp":
                self.stdp_variant = "diehl-cook" if design.training.stdp.inhibitory_neurons else "fspinn"
            self.overrides = dict(design.hardware.overrides)
            self._show_level()
        finally:
            self._loading = False
        self.refresh()

    @param.depends("hardware", watch=True)
    def _on_hardware(self) -> None:
        from ..hardware import Architecture

        arch = Architecture.from_preset(self.hardware)
        self._arch = arch
        with param.parameterized.discard_events(self):
            self.param.level.objects = arch.level_names
            self.level = arch.level_names[0]
        self.overrides = {}
        self._show_level()

    @param.depends("level", watch=True)
    def _show_level(self) -> None:
        if self.level is None:
            return
        index = self._arch.level_index(self.level)
        capacity = self.overrides.get(f"{self.level}.capacity_bytes", self._arch.levels["capacity_bytes"][0, index])
        read = self.overrides.get(f"{self.level}.read_pj", self._arch.levels["read_pj"][0, index])
        with param.parameterized.discard_events(self):
            self.capacity_kib = float(capacity) / 1024
            self.read_pj = float(read)
        self.param.trigger("capacity_kib", "read_pj")

    @param.depends("capacity_kib", "read_pj", watch=True)
    def _edit_level(self) -> None:
        if self.level is None:
            return
        index = self._arch.level_index(self.level)
        edits = {f"{self.level}.capacity_bytes": self.capacity_kib * 1024, f"{self.level}.read_pj": self.read_pj}
        preset = {f"{self.level}.capacity_bytes": self._arch.levels["capacity_bytes"][0, index],
                  f"{self.level}.read_pj": self._arch.levels["read_pj"][0, index]}
        overrides = {k: v for k, v in self.overrides.items() if k not in edits}
        overrides.update({k: v for k, v in edits.items() if abs(v - preset[k]) > 1e-9 * max(1.0, preset[k])})
        if overrides != self.overrides:
            self.overrides = overrides

    @param.depends("learning_rule", watch=True, on_init=False)
    def _on_learning_rule(self) -> None:
        """STDP presents a sample for 350 ms (700 steps): switch the step counts with the rule."""
        if self._loading:
            return
        steps = STDP_STEPS if self.learning_rule == "stdp" else 25
        if (self.learning_rule == "stdp") != (max(self.timesteps) >= STDP_STEPS // 2):
            self._loading = True
            try:
                self.timesteps = [steps] * len(self.timesteps)
            finally:
                self._loading = False
        self.refresh()

    def _training(self, data: dict) -> dict:
        training = {**data["training"], "learning_rule": self.learning_rule}
        if self.learning_rule == "stdp" and data["training"].get("learning_rule") != "stdp":
            training["epochs"] = 1  # one pass, as the STDP presets (a surrogate design's epoch count is not STDP's)
        if self.learning_rule == "stdp":
            from ..design import STDP
            from ..stdp.rule import FSPINN

            label_samples = data["training"].get("stdp", {}).get("label_samples", STDP().label_samples)
            variant = FSPINN if self.stdp_variant == "fspinn" else {}
            training["stdp"] = {**STDP().to_dict(), **variant, "label_samples": label_samples}
        return training

    def build_design(self) -> Design:
        data = {k: v for k, v in self._base.items()}
        hidden = _ints(self.hidden, "network.hidden")
        expert_hidden = _ints(self.expert_hidden, "specialization.hidden")
        depth = (len(expert_hidden) if self.experts > 1 else len(hidden)) + 1
        steps = list(self.timesteps)
        steps = (steps + [steps[-1]] * depth)[:depth] if steps else [25] * depth
        data.update(
            network={**data["network"], "hidden": hidden},
            specialization={**data["specialization"], "experts": self.experts, "grouping": self.grouping, "hidden": expert_hidden},
            timesteps=steps,
            quantization={"weight_bits": self.weight_bits, "membrane_bits": self.membrane_bits},
            hardware={"preset": self.hardware, "overrides": {k: v for k, v in self.overrides.items()
                                                             if k.split(".")[0] in self._arch.level_names}},
            mapping={**data["mapping"], "batch": self.batch, "loop_order": self.loop_order, "neuron_update": self.neuron_update},
            training=self._training(data),
        )
        return Design.from_dict(data)

    @param.depends("hardware", "hidden", "experts", "grouping", "expert_hidden", "timesteps", "weight_bits",
                   "membrane_bits", "batch", "loop_order", "neuron_update", "activity", "spike_rate", "overrides",
                   "stdp_variant", watch=True)
    def refresh(self) -> None:
        """Re-evaluate the current controls (only the stages a change touches re-run)."""
        if self._loading:
            return
        start = time.perf_counter()
        try:
            design = self.build_design()
        except DesignError as exc:
            self.param.update(design=None, report=None, message="\n".join(f"• {p}" for p in exc.problems))
            return
        if len(design.layer_timesteps) != len(self.timesteps):
            self._loading = True
            self.timesteps = design.layer_timesteps
            self._loading = False
        activity = "simulate"
        from ..train import cached

        if self.activity == "synthetic" or cached(design) is None:
            activity = f"synthetic:{self.spike_rate}"
        try:
            report = evaluate(design, activity)
        except DesignError as exc:
            self.param.update(design=design, report=None, message="\n".join(f"• {p}" for p in exc.problems))
            return
        needs = self.activity == "simulate" and activity != "simulate"
        note = "No trained weights for this shape yet: showing synthetic activity. Train to see accuracy." if needs else ""
        if not report.feasible:
            note = "Infeasible on this hardware: " + "; ".join(report.reasons)
        self._remember(design, report)
        self.param.update(design=design, report=report, message=note, needs_training=needs,
                          update_seconds=time.perf_counter() - start)

    def _remember(self, design: Design, report) -> None:
        row = plots.history_row(design, report)
        self._designs[row["point"]] = design
        history = self.history[self.history["point"] != row["point"]] if len(self.history) else self.history
        self.history = pd.concat([history, pd.DataFrame([row])], ignore_index=True)

    def pin(self) -> None:
        """Keep the current design in the comparison table."""
        if self.design is None or self.report is None:
            return
        row = plots.history_row(self.design, self.report)
        pins = self.pins[self.pins["point"] != row["point"]] if len(self.pins) else self.pins
        self.pins = pd.concat([pins, pd.DataFrame([row])], ignore_index=True)

    def comparison(self) -> pd.DataFrame:
        """Pinned designs side by side, with each metric's change against the first pin."""
        return plots.with_deltas(self.pins)

    def load_sweep(self, text: str) -> None:
        """Show the points of a sweep result CSV beside the session's designs."""
        import io

        try:
            table = pd.read_csv(io.StringIO(text))
        except (ValueError, pd.errors.ParserError) as exc:
            self.message = f"Sweep rejected: not a CSV ({exc})"
            return
        missing = {"energy_j", "latency_s", "accuracy"} - set(table.columns)
        if missing:
            self.message = f"Sweep rejected: columns {sorted(missing)} are missing (expected a 'snnexplorer sweep' CSV)"
            return
        self.sweep = table

    def load_point(self, point: str) -> None:
        """Load a design evaluated earlier in this session (e.g. clicked in the scatter)."""
        if point in self._designs:
            self.preset = "(custom)"
            self.load(self._designs[point])

    async def train(self) -> None:
        """Train the current design in a worker thread, with progress; cancellable."""
        if self.design is None or self.training:
            return
        from ..train import TrainingCancelled, load_or_train

        self._cancel.clear()
        self.param.update(training=True, progress=0.0, progress_text="starting…")
        state = {}

        def report_progress(info: dict) -> None:
            state.update(info)

        async def poll() -> None:
            while self.training:
                if state:
                    done = (f"epoch {state['epoch']}/{state['epochs']}, loss {state['loss']:.3f}" if "epoch" in state
                            else f"{state['done']}/{state['total']} samples")
                    self.param.update(progress=state["fraction"],
                                      progress_text=f"{state['network']}: {done}, ETA {state['eta_s']:.0f} s")
                await asyncio.sleep(0.3)

        poller = asyncio.ensure_future(poll())
        try:
            await asyncio.to_thread(load_or_train, self.design, report_progress, self._cancel)
            message = ""
        except TrainingCancelled:
            message = "Training cancelled."
        finally:
            self.training = False
            await poller
        self.param.update(progress=0.0, progress_text="")
        self.refresh()
        if message:
            self.message = message

    def cancel(self) -> None:
        self._cancel.set()

    def to_yaml(self) -> str:
        return self.design.to_yaml() if self.design is not None else ""

    def load_yaml(self, text: str) -> None:
        """Load an uploaded design; field-level errors go to ``message``."""
        try:
            self.preset = "(custom)"
            self.load(Design.from_yaml(text if "\n" in text else text + "\n"))
        except DesignError as exc:
            self.message = "Upload rejected:\n" + "\n".join(f"• {p}" for p in exc.problems)


class Explorer(pn.viewable.Viewer):
    """The dashboard (served by ``snnexplorer serve``; also works inline in a notebook)."""

    def __init__(self, design: Design | None = None, **params):
        super().__init__(**params)
        self.model = ExplorerModel(design=design)
        m = self.model
        self._controls = pn.Param(m.param, parameters=["preset", "hardware", "level", "capacity_kib", "read_pj", "hidden",
                                                       "experts", "grouping", "expert_hidden", "weight_bits", "membrane_bits",
                                                       "learning_rule", "stdp_variant",
                                                       "batch", "loop_order", "neuron_update", "activity", "spike_rate"],
                                  widgets={"capacity_kib": pn.widgets.FloatInput, "read_pj": pn.widgets.FloatInput},
                                  show_name=False, sizing_mode="stretch_width")
        self._train_button = pn.widgets.Button(name="Train this design", button_type="primary", visible=False)
        self._train_button.on_click(lambda event: asyncio.ensure_future(m.train()))
        self._cancel_button = pn.widgets.Button(name="Cancel training", button_type="warning", visible=False)
        self._cancel_button.on_click(lambda event: m.cancel())
        self._progress = pn.indicators.Progress(value=0, max=100, visible=False, sizing_mode="stretch_width")
        self._progress_text = pn.pane.Markdown("", visible=False)
        self._download = pn.widgets.FileDownload(callback=self._yaml_file, filename="design.yaml", label="Export design YAML",
                                                 button_type="success", sizing_mode="stretch_width")
        self._report_download = pn.widgets.FileDownload(callback=self._report_file, filename="report.csv",
                                                        label="Export report CSV", sizing_mode="stretch_width")
        self._comparison_download = pn.widgets.FileDownload(callback=self._comparison_file, filename="comparison.csv",
                                                            label="Export comparison CSV", sizing_mode="stretch_width")
        self._plots_download = pn.widgets.FileDownload(callback=self._plots_file, filename="snn-explorer-plots.html",
                                                       label="Export plots (HTML)", sizing_mode="stretch_width")
        self._pin_button = pn.widgets.Button(name="Pin this design", sizing_mode="stretch_width")
        self._pin_button.on_click(lambda event: m.pin())
        self._upload = pn.widgets.FileInput(accept=".yaml,.yml", sizing_mode="stretch_width")
        self._upload.param.watch(self._on_upload, "value")
        self._sweep_upload = pn.widgets.FileInput(accept=".csv", sizing_mode="stretch_width")
        self._sweep_upload.param.watch(lambda event: m.load_sweep(event.new.decode("utf-8", errors="replace")) if event.new else None,
                                       "value")
        self._json_download = pn.widgets.FileDownload(callback=self._json_file, filename="design.json", label="Export design JSON",
                                                      sizing_mode="stretch_width")
        self._report_json_download = pn.widgets.FileDownload(callback=self._report_json_file, filename="report.json",
                                                             label="Export report JSON", sizing_mode="stretch_width")
        self._sliders = pn.Column(sizing_mode="stretch_width")
        self._x_of: dict[int, str] = {}
        self.report_views = [self._report_view(plot) for plot in REPORT_PLOTS]
        m.param.watch(self._rebuild_sliders, "timesteps")
        m.param.watch(self._sync_training, ["needs_training", "training", "progress", "progress_text"])
        self._rebuild_sliders()

    def _yaml_file(self):
        import io

        return io.StringIO(self.model.to_yaml())

    def _report_file(self):
        import io

        report = self.model.report
        return io.StringIO(report.breakdown.to_csv(index=False) if report is not None else "")

    def _json_file(self):
        import io

        return io.StringIO(self.model.design.to_json() if self.model.design is not None else "{}")

    def _report_json_file(self):
        import io
        import json

        report = self.model.report
        return io.StringIO(json.dumps(report.to_dict() if report is not None else {}, indent=2))

    def _comparison_file(self):
        import io

        return io.StringIO(self.model.comparison().to_csv(index=False))

    def _plots_file(self):
        import io

        from bokeh.resources import INLINE

        report = self.model.report
        layout = pn.Column(plots.breakdown(report), plots.breakdown(report, "time_s"), plots.snn_vs_ann(report),
                           plots.layer_activity(report), plots.layer_rates(report), plots.footprint(report),
                           plots.pareto(self.model.history, sweep=self.model.sweep),
                           plots.pareto(self.model.history, "latency_s", self.model.sweep))
        buffer = io.StringIO()
        layout.save(buffer, resources=INLINE, title="SNN Explorer plots")
        buffer.seek(0)
        return buffer

    def _on_upload(self, event) -> None:
        if event.new:
            self.model.load_yaml(event.new.decode("utf-8", errors="replace"))

    def _rebuild_sliders(self, *events) -> None:
        steps = self.model.timesteps
        if len(self._sliders) == len(steps):
            for slider, value in zip(self._sliders, steps):
                slider.value = value
            return
        sliders = []
        for index, value in enumerate(steps):
            label = "output layer" if index == len(steps) - 1 else f"hidden layer {index + 1}"
            slider = pn.widgets.IntSlider(name=f"Timesteps, {label}", start=1, end=50, value=value, sizing_mode="stretch_width")
            slider.param.watch(lambda event, i=index: self._set_step(i, event.new), "value_throttled")
            sliders.append(slider)
        self._sliders[:] = sliders

    def _set_step(self, index: int, value: int) -> None:
        steps = list(self.model.timesteps)
        if steps[index] != value:
            steps[index] = value
            self.model.timesteps = steps

    def _sync_training(self, *events) -> None:
        m = self.model
        self._train_button.visible = m.needs_training and not m.training
        self._cancel_button.visible = m.training
        self._progress.visible = self._progress_text.visible = m.training
        self._progress.value = int(100 * m.progress)
        self._progress_text.object = m.progress_text

    @param.depends("model.report", "model.message")
    def _numbers(self):
        m = self.model
        parts = []
        if m.message:
            parts.append(pn.pane.Alert(m.message, alert_type="warning" if m.report is not None else "danger"))
        if m.report is not None:
            parts.append(plots.big_numbers(m.report))
        return pn.Column(*parts, sizing_mode="stretch_width")

    @staticmethod
    def _pane(plot) -> pn.pane.HoloViews:
        # unlinked: plots sharing a dimension name (energy_j) must keep their own ranges
        return pn.pane.HoloViews(plot, linked_axes=False, sizing_mode="stretch_width")

    def _report_view(self, plot):
        """A view that re-renders ``plot(report)`` whenever the report changes."""
        return pn.bind(lambda report: self._pane(plot(report)), self.model.param.report)

    def _scatter(self, x: str):
        history = self.model.history
        scatter = plots.pareto(history, x, self.model.sweep)
        tap = hv.streams.Tap(source=scatter.get(1) if self.model.sweep is not None else scatter.get(0))

        def load_nearest(x=None, y=None):
            if x is None or history.empty:
                return
            values = history[self._x_of[id(tap)]].to_numpy(dtype=float)
            self.model.load_point(history["point"].iloc[int(abs(values - x).argmin())])

        self._x_of[id(tap)] = x
        tap.add_subscriber(load_nearest)
        return self._pane(scatter)

    @param.depends("model.history", "model.sweep")
    def _pareto(self):
        return self._scatter("energy_j")

    @param.depends("model.history", "model.sweep")
    def _pareto_latency(self):
        return self._scatter("latency_s")

    @param.depends("model.pins")
    def _comparison(self):
        table = self.model.comparison()
        if table.empty:
            return pn.pane.Markdown("*Pin designs to compare them here (deltas against the first pin).*")
        return pn.widgets.Tabulator(table.drop(columns=["point"]), disabled=True, show_index=False, sizing_mode="stretch_width")

    def sidebar(self) -> list:
        return [self._controls, pn.pane.Markdown(f"**Timesteps per layer** — {TIPS['timesteps']}"), self._sliders,
                self._train_button, self._cancel_button, self._progress, self._progress_text, self._pin_button,
                pn.pane.Markdown("**Import a design YAML**"), self._upload,
                pn.pane.Markdown("**Load a sweep CSV** (shown in grey in the scatters)"), self._sweep_upload,
                pn.pane.Markdown("**Export**"), self._download, self._json_download, self._report_download,
                self._report_json_download, self._comparison_download, self._plots_download]

    def main(self) -> list:
        return [
            pn.Column(self._numbers, sizing_mode="stretch_width"),
            *(pn.Row(*pair, sizing_mode="stretch_width") for pair in zip(self.report_views[::2], self.report_views[1::2])),
            pn.Row(self._pareto, self._pareto_latency, sizing_mode="stretch_width"),
            pn.pane.Markdown("### Pinned designs"),
            pn.Column(self._comparison, sizing_mode="stretch_width"),
        ]

    def __panel__(self):
        return pn.Row(pn.Column(*self.sidebar(), width=330), pn.Column(*self.main(), sizing_mode="stretch_width"))
