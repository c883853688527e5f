"""Callbacks that hold their object weakly.

HoloViews keeps an element's plot hooks in a process-wide options tree (``Store._custom_options``) until every element
sharing those options is collected; a hook that is a bound method of a view would keep the view, its model and its
session alive after the page closed. A view hands HoloViews :func:`weak_method` instead, and releases the widgets
Panel would keep (:func:`release_widgets`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

import panel as pn


def weak_method(method: Callable) -> Callable:
    """A function calling the bound ``method`` while its object lives (a no-op returning None after), holding the
    object weakly."""
    reference = weakref.WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> Any:
        bound = reference()
        return None if bound is None else bound(*args, **kwargs)

    return call


def release_widgets(widgets: Iterable[pn.viewable.Viewable]) -> None:
    """Drop ``widgets``' (and their parts') entries in Panel's process-wide registry of JS links and callbacks.

    An editable slider links its own text box to its slider through ``pn.links.Callback.registry``: weakly keyed by
    the box, but the entry holds the slider, which holds the box, so the entry (and whatever the slider's watchers
    reach: a view, its model) outlives the page. Call this for widgets a view drops, and for all of a closed page's.
    """
    registry = pn.links.Callback.registry
    for widget in widgets:
        for part in widget.select():
            registry.pop(part, None)
