"""The served dashboard page: the Explorer in a BootstrapTemplate (one per browser session).

Bootstrap rather than the Fast templates: Fast's design pulls a web font from
Google Fonts, which fails offline; everything here is served locally.
"""

from __future__ import annotations

import panel as pn

from ..shipped import logo_path
from .view import Explorer


def create_app(design=None) -> pn.template.BootstrapTemplate:
    """A new page; ``design`` starts the controls from that Design. The page is sent with the headline numbers and
    lines saying what is being drawn; the controls and the tabs follow once the browser has shown it."""
    pn.extension("tabulator", inline=True)
    explorer = Explorer(design=design)
    numbers, *tabs = explorer.main()
    sidebar = pn.Column(pn.pane.Markdown("Drawing the controls…"), sizing_mode="stretch_width")
    main = pn.Column(numbers, pn.pane.Markdown("Drawing the plots…", margin=(0, 10)), sizing_mode="stretch_width")

    def draw_the_rest() -> None:
        sidebar[:] = explorer.sidebar()
        main[:] = [numbers, *tabs]

    pn.state.onload(draw_the_rest)
    return pn.template.BootstrapTemplate(
        title="SNN Explorer",
        sidebar=[sidebar],
        main=[main],
        header=[explorer.spinner(styles={"color": "white"}, margin=(12, 10))],
        header_background="#0072B2",
        logo=str(logo_path()) if logo_path().exists() else None,
        sidebar_width=340,
    )
