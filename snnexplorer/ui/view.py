"""The Explorer view: design controls on the left, live results on the right (Panel).

Every design control is a widget of the draft Design's own parameters
(``pn.Param`` / ``Widget.from_param``), so its choices, bounds, label and help
text are the Design's. Custom widgets only where the representation differs:
width lists as text, per-layer settings as one slider per layer. The model
(:mod:`snnexplorer.ui.model`) holds all state; plots are functions of the
Report (:mod:`snnexplorer.ui.plots`).
"""

from __future__ import annotations

import asyncio
import io
from functools import partial

import holoviews as hv
import panel as pn

from .. import data
from ..design import PER_LAYER_FIELDS, Dataset, Design
from ..errors import DesignError
from ..format import HEADLINE_LABELS, headline, readable_comparison, readable_number, reference_points, search_summary
from ..interop.nir_export import exportable_problems
from ..presets import hardware_preset_names
from ..topology import ConvLayer, StackEntry, entry_kind, entry_value, is_recurrent
from ..yaml_input import parse_yaml
from . import plots
from .draft import parse_widths
from .export import export_bytes, plots_html
from .model import ExplorerModel
from .notebook_push import install as keep_notebook_messages_in_order
from .plots import REPORT_PLOTS
from .study_view import StudyPage
from .trade_off import TradeOffScatters, served
from .weak import release_widgets

keep_notebook_messages_in_order()

WIDE = dict(sizing_mode="stretch_width")
FIRST_EVALUATION = (
    "Evaluating the design… (on a server that has not warmed up, e.g. `panel serve apps/explorer.py`, the first page "
    "also loads the trained weights and the compiled kernels: up to a minute on a fresh install)"
)
TAP_HINT = "Every design of this session (the current one starred): click a design to load it."
INTEGER_INPUTS = (
    "batch time_window weight_tiles test_samples epochs batch_size timesteps seed train_samples update_interval label_samples"
).split()
"""Integer fields typed rather than slid: their ranges are far wider than a slider's useful resolution."""
TYPED_NUMBERS = {"lr": {"type": pn.widgets.FloatInput, "step": 1e-4}}
"""Float fields typed rather than slid (a learning rate of 0.002 on a 0..1 slider reads 0)."""
SURROGATE_ONLY = ("lr", "batch_size", "surrogate_slope", "quantization_aware", "augment")
"""Training fields of surrogate-gradient training that STDP does not read (hidden for STDP designs)."""


def _title(section, field: str) -> str:
    return "Timesteps" if field == "steps" else section.param[field].label


class Explorer(pn.viewable.Viewer):
    """The dashboard (served by ``snnexplorer serve``; also works inline in a notebook)."""

    def __init__(self, design: Design | None = None, **params):
        super().__init__(**params)
        # a served page evaluates in the background from its first design on: the page is sent at once, saying what
        # it does, and its numbers follow (a notebook's model evaluates before each line returns)
        self.model = m = ExplorerModel(design=design, background=served())
        if m.background:
            pn.state.on_session_destroyed(self._close)
        # the headline numbers watch the report before any plot does, so they are updated (and sent) first
        self._alert = pn.pane.Alert("", visible=False, **WIDE)
        self._headline = [
            pn.indicators.String(label=label, value="", font_size="20pt", title_size="10pt", width=175)
            for label in HEADLINE_LABELS
        ]
        self._headline_row = pn.FlexBox(*self._headline, flex_wrap="wrap", **WIDE)  # two lines in a narrow cell
        self._reference = pn.pane.Markdown("", margin=(0, 10), **WIDE)
        self.numbers = pn.Column(self._alert, self._headline_row, self._reference, **WIDE)
        m.param.watch(self._sync_numbers, ["report", "message", "evaluating"])
        self._sync_numbers()
        self._parameter_table = pn.widgets.Tabulator(disabled=True, show_index=False, layout="fit_data_stretch", **WIDE)
        m.param.watch(self._sync_parameters, "report")
        self._sync_parameters()
        self._session = pn.Param(m.param, parameters=["preset", "activity", "spike_rate"], show_name=False, **WIDE)
        self._level_editor = pn.Param(
            m.levels.param,
            parameters=["level", "capacity_kib", "read_pj"],
            show_name=False,
            margin=0,
            widgets={"capacity_kib": pn.widgets.FloatInput, "read_pj": pn.widgets.FloatInput},
            **WIDE,
        )
        self._controls = pn.Column(**WIDE)
        self._per_layer = {key: pn.Column(**WIDE) for key in PER_LAYER_FIELDS}
        self._placements: list[pn.widgets.Select] = []
        self._search_note = pn.pane.Markdown("", **WIDE)  # what mapping.search chose (the Mapping card; kept across loads)
        self._train_button = pn.widgets.Button(label="Train this design", color="primary", visible=False, **WIDE)
        self._train_button.on_click(lambda event: asyncio.ensure_future(m.train()))
        self._cancel_button = pn.widgets.Button(label="Cancel training", color="warning", visible=False, **WIDE)
        self._cancel_button.on_click(lambda event: m.trainer.cancel())
        self._progress = pn.indicators.Progress(value=0, max=100, visible=False, **WIDE)
        self._progress_text = pn.pane.Markdown("", visible=False)
        self._pin_buttons = [pn.widgets.Button(label="Pin this design", **WIDE) for _ in ("sidebar", "compare tab")]
        for button in self._pin_buttons:
            button.on_click(lambda event: m.pin())
        self._upload = pn.widgets.FileInput(accept=".yaml,.yml", **WIDE)
        self._upload.param.watch(self._on_upload, "value")
        self._nir_upload = pn.widgets.FileInput(accept=".nir,.h5,.hdf5", **WIDE)
        self._nir_upload.param.watch(
            lambda event: m.uploads.network(event.new, self._nir_upload.filename or "upload.nir") if event.new else None,
            "value",
        )
        self._nir_download = pn.widgets.FileDownload(
            callback=self._nir_file, filename="network.nir", label="Export NIR (network)", **WIDE
        )
        self._comparison_download = pn.widgets.FileDownload(
            callback=self._comparison_file, filename="comparison.csv", label="Export comparison CSV", **WIDE
        )
        self._downloads = [
            pn.widgets.FileDownload(
                callback=self._yaml_file, filename="design.yaml", label="Export design YAML", color="success", **WIDE
            ),
            pn.widgets.FileDownload(callback=self._json_file, filename="design.json", label="Export design JSON", **WIDE),
            pn.widgets.FileDownload(
                callback=partial(self._report_export, "csv"), filename="report.csv", label="Export report CSV", **WIDE
            ),
            pn.widgets.FileDownload(
                callback=partial(self._report_export, "json"), filename="report.json", label="Export report JSON", **WIDE
            ),
            self._nir_download,
            self._comparison_download,
            pn.widgets.FileDownload(
                callback=self._plots_file, filename="snn-explorer-plots.html", label="Export plots (HTML)", **WIDE
            ),
        ]
        m.param.watch(self._sync_downloads, ["design", "report", "imported"])
        self._sync_downloads()
        self.trade_offs = TradeOffScatters(m, self._load_nearest)
        self.study = StudyPage(explorer=m)
        m.editor.param.watch(self._build_controls, "draft")
        m.param.watch(self._build_per_layer, "layer_labels")
        m.param.watch(self._sync_per_layer, "design")  # an edit from Python (a notebook) or a knob: the values follow
        m.param.watch(self._update_placements, "level_choices")
        m.param.watch(self._show_search, "report")
        self._show_search()
        m.param.watch(self._sync_training, ["needs_training"])
        m.trainer.param.watch(self._sync_training, ["training", "progress", "progress_text"])
        self._build_controls()

    def _show_search(self, *events) -> None:
        report = self.model.report
        self._search_note.object = search_summary(report) if report is not None else ""

    @property
    def design(self) -> Design | None:
        """The current valid Design (the model's)."""
        return self.model.design

    # ----------------------------------------------------------------- controls
    def _params(self, section, parameters: list[str], widgets: dict | None = None) -> pn.Param:
        return pn.Param(section.param, parameters=parameters, widgets=widgets or {}, show_name=False, margin=0, **WIDE)

    def _widths(self, section: str, field: str) -> pn.widgets.TextInput:
        parameter = getattr(self.model.editor.draft, section).param[field]
        text = pn.widgets.TextInput(
            label=f"{parameter.label} (comma-separated)",
            value=self.model.editor.widths_text(section, field),
            description=parameter.doc,
            **WIDE,
        )
        text.param.watch(lambda event: self.model.editor.set_widths(section, field, event.new), "value")

        def follow(event) -> None:  # a loaded design, an edit from Python: the text shows it (a typed one stays)
            try:
                shown = parse_widths(text.value, field)
            except DesignError:
                shown = None
            if shown != event.new:
                text.value = self.model.editor.widths_text(section, field)

        getattr(self.model.editor.draft, section).param.watch(follow, field)
        return text

    def _network_shape(self):
        """Hidden widths as text; for a conv stack, one row of numbers per entry and the stack as YAML."""
        if not self.model.editor.draft.network.layers:
            return self._widths("network", "hidden")
        parameter = self.model.editor.draft.network.param.layers
        text = pn.widgets.TextAreaInput(
            label=f"{parameter.label} (YAML)", value=self.model.editor.stack_text(), description=parameter.doc, rows=3, **WIDE
        )
        text.param.watch(lambda event: self.model.editor.set_stack_text(event.new), "value")
        self._stack_text = text
        self._stack_rows = pn.Column(*self._stack_entries(), margin=0, **WIDE)

        def follow(event) -> None:
            """The stack changed (typed YAML, a row's input, a loaded design, Python): the rows and the YAML show it,
            the rows' inputs kept where each entry is of the same kind."""
            layers = event.new
            try:
                shown = parse_yaml(text.value, "network.layers") if text.value.strip() else []
            except DesignError:
                shown = None
            if shown != layers:
                text.value = self.model.editor.stack_text()
            if self._stack_kinds != [entry_kind(entry)[0] for entry in layers]:
                self._stack_rows[:] = self._stack_entries()
                return
            for (index, key), widget in self._stack_inputs.items():
                value = entry_value(layers[index], key)
                if widget.value != value:
                    widget.value = value

        self.model.editor.draft.network.param.watch(follow, "layers")
        return pn.Column(self._stack_rows, text, margin=0, **WIDE)

    def _stack_entries(self) -> list:
        """One row per entry of the draft's stack: a conv layer's channels, kernel, stride and padding; a pool;
        a dense width. Bounds, labels and help are the topology's parameters."""
        rows = []
        layers = self.model.editor.draft.network.layers
        self._stack_kinds = [entry_kind(entry)[0] for entry in layers]
        self._stack_inputs: dict[tuple[int, str], pn.widgets.Widget] = {}  # (entry, key) → its input
        for index, (kind, entry) in enumerate(zip(self._stack_kinds, layers)):
            section = ConvLayer if kind == "conv" else StackEntry
            inputs = []
            for key in section.fields() if kind == "conv" else [kind]:
                p = section.param[key]
                start, end = p.bounds
                number = pn.widgets.IntInput(
                    label=key if kind == "conv" else f"{index}: {kind}",
                    value=entry_value(entry, key),
                    start=start,
                    end=end,
                    description=p.doc,
                    width=62 if kind == "conv" else 120,
                    margin=(2, 3),
                )
                number.param.watch(lambda event, i=index, k=key: self.model.editor.set_stack_entry(i, k, event.new), "value")
                inputs.append(number)
                self._stack_inputs[index, key] = number
            if kind == "dense":
                toggle = pn.widgets.Checkbox(
                    label=StackEntry.param.recurrent.label, value=is_recurrent(entry), margin=(28, 0, 2, 8)
                )
                toggle.param.watch(lambda event, i=index: self.model.editor.set_stack_entry(i, "recurrent", event.new), "value")
                self._stack_inputs[index, "recurrent"] = toggle
                inputs += [toggle, pn.widgets.TooltipIcon(value=StackEntry.param.recurrent.doc, margin=(24, 0, 0, 0))]
            row = pn.Row(*inputs, margin=0)
            rows.append(pn.Column(pn.pane.Markdown(f"{index}: conv", margin=(0, 3)), row, margin=0) if kind == "conv" else row)
        return rows

    def _select(self, section, field: str, options: list, label: str | None = None) -> pn.widgets.Select:
        return pn.widgets.Select.from_param(
            section.param[field],
            options=options,
            label=label or section.param[field].label,
            description=section.param[field].doc,
            **WIDE,
        )

    def _build_controls(self, *events) -> None:
        """Cards of the draft's sections (rebuilt when a design is loaded; edits keep them). A collapsed card builds
        its widgets when first opened: the first page carries only what it shows."""
        d = self.model.editor.draft
        self._placements = [self._select(d.mapping, f, self.model.level_choices) for f in ("weights_level", "state_level")]
        typed_inputs = {**dict.fromkeys(INTEGER_INPUTS, pn.widgets.IntInput), **TYPED_NUMBERS}
        several_experts = d.specialization.param.experts.rx() > 1  # expert controls only where there are experts
        training = [
            "learning_rule",
            "epochs",
            "lr",
            "seed",
            "batch_size",
            "timesteps",
            "train_samples",
            "surrogate_slope",
            "quantization_aware",
            "augment",
        ]
        cards = [
            (
                "Network",
                lambda: [self._network_shape(), self._params(d.network.neuron, ["beta", "alpha", "threshold", "reset"])],
                False,
            ),
            (
                "Timesteps per layer",
                lambda: [pn.pane.Markdown(d.timesteps.param.steps.doc), self._per_layer[("timesteps", "steps")]],
                False,
            ),
            (
                "Hardware",
                lambda: [self._select(d.hardware, "preset", hardware_preset_names(), "Hardware preset"), self._level_editor],
                False,
            ),
            (
                "Mapping",
                lambda: [
                    self._params(
                        d.mapping,
                        [
                            "batch",
                            "loop_order",
                            "time_window",
                            "neuron_update",
                            "spike_format",
                            "input_format",
                            "accumulators",
                            "input_reuse",
                            "weight_reuse",
                            "weight_tiles",
                            "residency",
                            "search",
                        ],
                        typed_inputs,
                    ),
                    self._search_note,
                    pn.Column(self._params(d.mapping, ["experts"]), visible=several_experts, margin=0, **WIDE),
                    *self._placements,
                ],
                False,
            ),
            (
                "Specialization",
                lambda: [
                    self._params(d.specialization, ["experts"], {"experts": pn.widgets.IntInput}),
                    pn.Column(
                        self._params(d.specialization, ["grouping", "combine"]),
                        self._widths("specialization", "hidden"),
                        self._widths("specialization", "router_hidden"),
                        visible=several_experts,
                        margin=0,
                        **WIDE,
                    ),
                ],
                True,
            ),
            (
                "Quantization",
                lambda: [self._per_layer[("quantization", "weight_bits")], self._per_layer[("quantization", "membrane_bits")]],
                True,
            ),
            (
                "Dataset",
                lambda: [
                    self._select(d.dataset, "name", Dataset._choices["name"], "Data set"),
                    self._params(d.dataset, ["encoding", "test_samples"], typed_inputs),
                ],
                True,
            ),
            (
                "Training",
                lambda: [
                    self._params(
                        d.training,
                        [f for f in training if d.training.learning_rule != "stdp" or f not in SURROGATE_ONLY],
                        typed_inputs,
                    )
                ],
                True,
            ),
        ]
        if d.training.learning_rule == "stdp":
            cards.insert(
                1,
                (
                    "STDP learning",
                    lambda: [
                        pn.Param(self.model.editor.param, parameters=["stdp_variant"], show_name=False, **WIDE),
                        self._params(d.training.stdp, d.training.stdp.fields(), typed_inputs),
                    ],
                    False,
                ),
            )
        self._controls[:] = [self._card(title, body, collapsed) for title, body, collapsed in cards]
        self._build_per_layer()

    @staticmethod
    def _card(title: str, body, collapsed: bool) -> pn.Card:
        """A card of ``body()``'s widgets, built when the card is first open."""
        card = pn.Card(title=title, collapsed=collapsed, **WIDE)

        def fill(*events) -> None:
            if not card.collapsed and not card.objects:
                card.objects = body()

        card.param.watch(fill, "collapsed")
        fill()
        return card

    def _build_per_layer(self, *events) -> None:
        """One slider per weight layer for each per-layer setting; hard bounds from the Design's limits."""
        m = self.model
        for (section, field), box in self._per_layer.items():
            owner = getattr(m.editor.draft, section)
            lo, hi = type(owner)._limits[field]
            sliders = []
            for index, (label, value) in enumerate(zip(m.layer_labels, m.editor.per_layer(section, field))):
                slider = pn.widgets.EditableIntSlider(
                    label=f"{_title(owner, field)}, {label}",
                    value=value,
                    start=lo,
                    end=min(hi, max(50, 2 * value)),
                    fixed_start=lo,
                    fixed_end=hi,
                    **WIDE,
                )
                slider.param.watch(
                    lambda event, s=section, f=field, i=index: m.editor.set_per_layer(s, f, i, event.new), "value_throttled"
                )
                sliders.append(slider)
            release_widgets(box.objects)
            box[:] = sliders

    def _close(self, session_context) -> None:
        """The page closed: the model stops its background work, Panel's registries let go of the sliders."""
        self.model.close()
        release_widgets(slider for box in self._per_layer.values() for slider in box)

    def _sync_per_layer(self, *events) -> None:
        """Each per-layer slider shows the draft's value (set from Python, or by a knob), its range widened to it."""
        m = self.model
        for (section, field), box in self._per_layer.items():
            for slider, value in zip(box, m.editor.per_layer(section, field)):
                if slider.value != value:
                    slider.param.update(end=max(slider.end, value), value=value)

    def _update_placements(self, *events) -> None:
        for select in self._placements:
            select.options = list(self.model.level_choices)

    def _sync_training(self, *events) -> None:
        m = self.model
        trainer = m.trainer
        self._train_button.visible = m.needs_training and not trainer.training
        self._cancel_button.visible = trainer.training
        self._progress.visible = self._progress_text.visible = trainer.training
        self._progress.value = int(100 * trainer.progress)
        self._progress_text.object = trainer.progress_text

    # -------------------------------------------------------------------- files
    def _yaml_file(self):
        return io.StringIO(self.model.design.to_yaml() if self.model.design is not None else "")

    def _json_file(self):
        return io.StringIO(self.model.design.to_json() if self.model.design is not None else "{}")

    def _report_export(self, fmt: str):
        return io.BytesIO(export_bytes(self.model.design, fmt, self.model.report))

    def _nir_file(self):
        return io.BytesIO(export_bytes(self.model.design, "nir"))

    def _sync_downloads(self, *events) -> None:
        """Downloads that need a valid, evaluated design (and, for NIR, one float network of its own) are disabled
        otherwise, their tooltip saying why: no empty files. The comparison is always there to export."""
        design, report = self.model.design, self.model.report
        invalid = "Nothing to export until the design is valid (see the message above the results)."
        reasons = {}
        for download in self._downloads:
            reasons[download] = invalid if design is None or report is None else ""
        reasons[self._comparison_download] = ""
        if design is not None:
            reasons[self._nir_download] = "; ".join(str(p) for p in exportable_problems(design))
        if self.model.imported is not None:
            reasons[self._nir_download] = "The page shows an imported network: export its source file instead."
        for download, reason in reasons.items():
            download.disabled = bool(reason)
            download.description = reason or None

    def _comparison_file(self):
        return io.StringIO(self.model.session.comparison().to_csv(index=False))

    def _plots_file(self):
        return io.StringIO(plots_html(self.model.report, self.model.session.history, self.model.session.sweep))

    async def _on_upload(self, event) -> None:
        if event.new:
            await self.model.uploads.design_in_thread(event.new, self._upload.filename or "upload")

    # ------------------------------------------------------------------ results
    def _sync_numbers(self, *events) -> None:
        """The headline numbers and the message, updated in place (watching the report before any plot does)."""
        m = self.model
        first = m.report is None and m.evaluating and not m.message
        self._alert.object = FIRST_EVALUATION if first else m.message
        self._alert.alert_type = "info" if first else "warning" if m.report is not None else "danger"
        self._alert.visible = bool(self._alert.object)
        shown = m.report is not None
        for indicator, text in zip(self._headline, headline(m.report) if shown else []):
            indicator.value = text
        self._headline_row.visible = self._reference.visible = shown
        self._reference.object = reference_points(m.report) if shown else ""

    @staticmethod
    def _pane(plot) -> pn.pane.HoloViews:
        # unlinked: plots sharing a dimension name (energy_j) must keep their own ranges
        return pn.pane.HoloViews(plot, linked_axes=False, **WIDE)

    def _live(self, plot, *arguments) -> hv.DynamicMap:
        """``plot(*arguments)`` as a DynamicMap: redrawn in place (new data, same Bokeh figure) when a parameter among
        them changes, and not at all while its tab is hidden."""
        return hv.DynamicMap(pn.bind(plot, *arguments))

    def _load_nearest(self, axis: str, x=None, y=None) -> None:
        point = None if x is None or y is None else plots.nearest_design(self.model.session.history, axis, x, y)
        if point is not None:
            self.model.load_custom(self.model.session.design_of(point))

    def _tornado(self) -> pn.pane.HoloViews:
        chart = self._live(plots.tornado, self.model.knobs.param.effects)
        hv.streams.Selection1D(source=chart).add_subscriber(self._apply_knob)
        return self._pane(chart)

    def _apply_knob(self, index) -> None:
        effects = self.model.knobs.effects
        if index and effects is not None:  # the bars are drawn last step first
            self.model.apply_knob(len(effects.head(plots.TORNADO_ROWS)) - 1 - index[0])

    @staticmethod
    def _event_sample(design):
        """One sample of the design's event data, as a user would look at it (nothing for image data)."""
        if design is None or design.dataset.encoding != "events":
            return pn.Column(**WIDE)
        recording, label = data.event_sample(design.dataset.name)
        sample = plots.event_sample(recording, label, design.layer_timesteps[0])
        return pn.Card(sample, title=f"The data: one {design.dataset.name} recording", collapsed=False, **WIDE)

    def _comparison(self, pins):
        table = self.model.session.comparison()
        if table.empty:
            return pn.pane.Markdown("*Pin designs to compare them here (deltas against the first pin).*")
        return pn.widgets.Tabulator(readable_comparison(table), disabled=True, show_index=False, **WIDE)

    def _sync_parameters(self, *events) -> None:
        """The hardware-number table, updated in place (hidden while the draft has no report)."""
        report = self.model.report
        self._parameter_table.visible = report is not None
        if report is not None:
            self._parameter_table.value = report.parameters.assign(value=report.parameters["value"].map(readable_number))

    def sidebar(self) -> list:
        return [
            self._session,
            self._controls,
            self._train_button,
            self._cancel_button,
            self._progress,
            self._progress_text,
            self._pin_buttons[0],
            pn.pane.Markdown("**Import a design YAML**"),
            self._upload,
            pn.pane.Markdown(
                "**Import NIR** (a network from snnTorch, Norse, Sinabs, …; costed with this design's data and hardware)"
            ),
            self._nir_upload,
            pn.pane.Markdown("**Export**"),
            *self._downloads,
        ]

    def spinner(self, **params) -> pn.indicators.LoadingSpinner:
        """ "Evaluating the latest edit…" while an edit is evaluated and its plots redrawn (a page shows it in its
        header, where it moves nothing: showing it above the numbers re-laid the whole page out twice per edit)."""
        m = self.model
        return pn.indicators.LoadingSpinner(
            value=m.param.evaluating, visible=m.param.evaluating, size=20, label="Evaluating the latest edit…", **params
        )

    def main(self) -> list:
        """The headline numbers, then the tabs: Overview (the trade-off and what to change), Breakdown (where energy
        and time go), Compare (pinned designs) and Study (sweeps). Hidden tabs are not drawn."""
        m = self.model
        breakdown = [self._pane(self._live(plot, m.param.report)) for plot in REPORT_PLOTS]
        tabs = pn.Tabs(
            ("Overview", pn.Column(pn.pane.Markdown(TAP_HINT, margin=(0, 10), **WIDE), self.trade_offs, self._tornado(), **WIDE)),
            (
                "Breakdown",
                pn.Column(
                    pn.Column(pn.bind(self._event_sample, m.param.design), **WIDE),
                    *(pn.Row(*pair, **WIDE) for pair in zip(breakdown[::2], breakdown[1::2])),
                    pn.Card(
                        self._parameter_table,
                        title="Every hardware number used, with its source",
                        collapsed=True,
                        **WIDE,
                    ),
                    **WIDE,
                ),
            ),
            (
                "Compare",
                pn.Column(self._pin_buttons[1], pn.Column(pn.bind(self._comparison, m.session.param.pins), **WIDE), **WIDE),
            ),
            ("Study", self.study),
            dynamic=True,
            **WIDE,
        )
        return [self.numbers, tabs]

    def __panel__(self):
        return pn.Row(pn.Column(*self.sidebar(), width=330), pn.Column(self.spinner(), *self.main(), **WIDE))
