"""The served dashboard page: the Explorer in a FastListTemplate (one per browser session)."""

from __future__ import annotations

import panel as pn

from ..presets import PROJECT_ROOT
from .explorer import Explorer

LOGO = PROJECT_ROOT / "assets" / "logo.svg"


def create_app(design=None) -> pn.template.FastListTemplate:
    """A new page; ``design`` starts the controls from that Design."""
    pn.extension(inline=True, notifications=True)
    explorer = Explorer(design=design)
    return pn.template.FastListTemplate(
        title="SNN Explorer", sidebar=explorer.sidebar(), main=explorer.main(), accent="#0072B2",
        logo=str(LOGO) if LOGO.exists() else None, sidebar_width=340, main_layout=None,
    )
