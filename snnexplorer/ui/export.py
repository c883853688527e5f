"""The files a design exports to — the same for ``snnexplorer export`` and the dashboard's export buttons.

The formats and what each file holds are :data:`FORMAT_HELP` (the CLI's help
reads it). ``nir`` is :func:`snnexplorer.interop.to_nir`; ``yaml`` loads back
with ``load_design``; ``csv`` is the breakdown by layer × memory level × data
kind × operation; ``html`` embeds Bokeh, so it opens offline.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..activity_source import ActivitySource
from ..errors import DesignError
from ..io import atomic_write_bytes

if TYPE_CHECKING:  # the CLI reads FORMAT_HELP when it builds its parser: nothing heavy at import
    from ..design import Design
    from ..hardware import Report

FORMAT_HELP = {
    "nir": "the trained network with its weights (NIR, HDF5)",
    "yaml": "the design",
    "json": "the report, every breakdown",
    "csv": "the report's breakdown table",
    "html": "the report's plots, standalone",
}
FORMATS = tuple(FORMAT_HELP)


def plots_html(report: Report | None, history=None, sweep=None) -> str:
    """The report's plots, and the trade-off scatters of a dashboard's ``history`` (and ``sweep``) when given, as one
    standalone HTML page."""
    import panel as pn
    from bokeh.document import Document
    from bokeh.resources import INLINE
    from panel.io.model import add_to_doc

    from . import plots
    from .plots import REPORT_PLOTS

    scatters = [] if history is None else [plots.pareto(history, sweep=sweep), plots.pareto(history, "latency_s", sweep)]
    layout = pn.Column(*(plot(report) for plot in REPORT_PLOTS), *scatters)
    document = Document()
    root = layout.get_root(document)
    _inline_stylesheets(root)
    add_to_doc(root, document, True)
    buffer = io.StringIO()
    pn.io.save.save(document, buffer, resources=INLINE, title="SNN Explorer plots")
    return buffer.getvalue()


def _inline_stylesheets(root) -> None:
    """Replace the stylesheets Panel's models import from its CDN by their text from the installed Panel, so that
    an exported page fetches nothing (INLINE resources inline the scripts, not these)."""
    from bokeh.models import ImportedStyleSheet, InlineStyleSheet
    from panel.io.resources import CDN_DIST, DIST_DIR

    inlined: dict[str, InlineStyleSheet] = {}

    def local(sheet):
        url = sheet.url if isinstance(sheet, ImportedStyleSheet) else sheet if isinstance(sheet, str) else None
        if url is None or not url.startswith(CDN_DIST):
            return sheet
        path = DIST_DIR / url[len(CDN_DIST) :].split("?")[0]
        if not path.is_file():
            return sheet
        if url not in inlined:
            inlined[url] = InlineStyleSheet(css=path.read_text(encoding="utf-8"))
        return inlined[url]

    for model in root.references():
        if hasattr(model, "stylesheets") and model.stylesheets:
            model.stylesheets = [local(sheet) for sheet in model.stylesheets]


def nir_bytes(design: Design) -> bytes:
    """The NIR file of ``design`` (HDF5 bytes)."""
    import nir

    from ..interop import to_nir

    buffer = io.BytesIO()
    nir.write(buffer, to_nir(design))
    return buffer.getvalue()


def export_bytes(design: Design, fmt: str, report: Report | None = None, history=None, sweep=None) -> bytes:
    """The content of ``design``'s ``fmt`` file; ``report`` is needed for json, csv and html."""
    if fmt not in FORMATS:
        raise DesignError.single("format", fmt, f"one of {list(FORMATS)}")
    if fmt == "nir":
        return nir_bytes(design)
    if fmt == "yaml":
        return design.to_yaml().encode()
    if report is None:
        raise DesignError.single("report", None, f"a Report of the design (the {fmt} file describes it)")
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2).encode()
    if fmt == "csv":
        return report.breakdown.to_csv(index=False).encode()
    return plots_html(report, history, sweep).encode()


def export(design: Design, fmt: str, out: str | Path, activity: ActivitySource | str = "simulate") -> Path:
    """Write ``design``'s ``fmt`` file to ``out`` atomically (evaluating it first where the file needs the report)."""
    report = None
    if fmt in ("json", "csv", "html"):
        from ..pipeline import evaluate

        report = evaluate(design, activity)
    return atomic_write_bytes(out, export_bytes(design, fmt, report))
