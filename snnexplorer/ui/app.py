"""The first dashboard page: the design form and a live cost estimate.

The full explorer (trained accuracy, per-layer plots, Pareto, export) is the
dashboard issue's; this page already prices the chosen design on the chosen
hardware with synthetic activity at a spike rate the user sets.
"""

from __future__ import annotations

import holoviews as hv
import holoviews.plotting.bokeh  # noqa: F401  (registers the Bokeh renderer for .opts)
import panel as pn
import param

from ..design import Design, load_design
from ..errors import DesignError
from ..pipeline import evaluate
from ..presets import design_preset_paths, hardware_preset_names

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]  # Okabe-Ito, colour-blind safe


def _si(value: float, unit: str) -> str:
    for factor, prefix in ((1, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


class FirstPage(pn.viewable.Viewer):
    """Design controls on the left, the cost of the design on the right."""

    preset = param.Selector(doc="A shipped design to start from.")
    hardware = param.Selector(doc="Target hardware preset.")
    hidden = param.String(default="256", doc="Hidden widths, comma separated (width and depth).")
    timesteps = param.Integer(default=25, bounds=(1, 200), doc="Timesteps per inference (all layers).")
    weight_bits = param.Integer(default=32, bounds=(1, 32), doc="Weight bits (32 = float32).")
    spike_rate = param.Number(default=0.1, bounds=(0.0, 1.0), step=0.01, doc="Synthetic spike rate per neuron per step.")

    def __init__(self, **params):
        presets = {p.stem: p for p in design_preset_paths()}
        self.param.preset.objects = list(presets)
        self.param.hardware.objects = hardware_preset_names()
        params.setdefault("preset", next(iter(presets), None))
        params.setdefault("hardware", "edge-soc")
        self._presets = presets
        super().__init__(**params)
        self._load_preset()

    @param.depends("preset", watch=True)
    def _load_preset(self):
        if self.preset:
            design = load_design(self._presets[self.preset])
            self.param.update(hidden=", ".join(str(h) for h in design.network.hidden), hardware=design.hardware.preset,
                              timesteps=design.layer_timesteps[0], weight_bits=design.weight_bits[0])

    def design(self) -> Design:
        base = load_design(self._presets[self.preset]).to_dict() if self.preset else {}
        try:
            hidden = [int(h) for h in self.hidden.split(",") if h.strip()]
        except ValueError:
            raise DesignError.single("network.hidden", self.hidden, "comma-separated integers ≥ 1") from None
        base.update(network={**base.get("network", {}), "hidden": hidden}, timesteps=self.timesteps,
                    quantization={"weight_bits": self.weight_bits, "membrane_bits": 32},
                    hardware={"preset": self.hardware, "overrides": {}}, specialization={"experts": 1})
        return Design.from_dict(base)

    @param.depends("preset", "hardware", "hidden", "timesteps", "weight_bits", "spike_rate")
    def results(self):
        try:
            report = evaluate(self.design(), activity=f"synthetic:{self.spike_rate}")
        except DesignError as exc:
            return pn.pane.Alert("\n\n".join(str(p) for p in exc.problems), alert_type="danger")
        if not report.feasible:
            return pn.pane.Alert("Infeasible: " + "; ".join(report.reasons), alert_type="warning")
        numbers = pn.Row(
            pn.indicators.String(label="Energy / inference", value=_si(report.energy_j, "J"), font_size="22pt", title_size="11pt"),
            pn.indicators.String(label="Latency / batch", value=_si(report.latency_s, "s"), font_size="22pt", title_size="11pt"),
            pn.indicators.String(label="Footprint", value=f"{report.footprint_bytes / 2**10:,.1f} KiB", font_size="22pt", title_size="11pt"),
            pn.indicators.String(label="ANN twin energy", value=_si(report.ann["energy_j"], "J"), font_size="22pt", title_size="11pt"),
        )
        table = report.by("level", "kind")
        bars = hv.Bars(table, ["level", "kind"], "energy_j").opts(
            stacked=True, cmap=PALETTE, width=640, height=320, ylabel="energy per inference (J)", tools=["hover"],
            title="Energy by memory level and data kind (synthetic activity)")
        return pn.Column(numbers, bars)

    def __panel__(self):
        controls = pn.Param(self.param, parameters=["preset", "hardware", "hidden", "timesteps", "weight_bits", "spike_rate"],
                            show_name=False)
        note = pn.pane.Markdown("**Coming:** trained accuracy, per-layer timesteps, specialization, Pareto fronts and export.")
        return pn.Row(pn.Column(controls, note, width=320), self.results)


def create_app() -> pn.template.FastListTemplate:
    """A new page (one per browser session)."""
    pn.extension(inline=True)
    page = FirstPage()
    return pn.template.FastListTemplate(title="SNN Explorer", main=[page], accent="#0072B2")
