"""The draft editor: the Design being edited in the dashboard, the domain rules an edit triggers, and its validation.
param only, no Panel.

``draft`` is a :class:`~snnexplorer.design.Design` built without validation whose sections the view renders
directly (``pn.Param(draft.mapping.param, ...)``), so every choice, bound and help text is the Design's own. Each
edit is reported once to the owner (``changed``), which validates it (:meth:`DraftEditor.validated`) and evaluates
it. Domain rules applied to an edit, each next to the layer that owns it: a new hardware preset drops the overrides
(edits of the old one) and placements on levels it lacks; a new learning rule takes
:func:`snnexplorer.stdp.rule.with_learning_rule`; per-layer lists follow the depth
(:func:`snnexplorer.per_layer.resize`). An edit and the edits its rules make are reported once, when the outermost
one returns.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable

import param

from ..design import SECTIONS, Design, fit_per_layer
from ..errors import DesignError, FieldProblem
from ..hardware import Architecture
from ..per_layer import resize
from ..sections import Section
from ..stdp.rule import VARIANTS, variant_of, with_learning_rule, with_variant
from ..topology import check_entries, entry_kind, is_recurrent
from ..yaml_input import dump_yaml, parse_yaml


def parse_widths(text: str, path: str) -> list[int]:
    """``"256, 128"`` → [256, 128]; a :class:`DesignError` naming ``path`` otherwise (bounds are the Design's)."""
    try:
        values = [int(v) for v in str(text).replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise DesignError.single(path, text, "comma-separated integers") from None
    if not values:
        raise DesignError.single(path, text, "at least one integer")
    return values


def sections_of(design: Design) -> list[tuple[str, Section]]:
    """Every section of ``design`` with its path, nested ones (``network.neuron``, ``training.stdp``) included."""
    out = []
    for key in SECTIONS:
        section = getattr(design, key)
        out.append((key, section))
        out.extend(
            (f"{key}.{name}", getattr(section, name)) for name in section.fields() if isinstance(getattr(section, name), Section)
        )
    return out


def _own_fields(section: Section) -> list[str]:
    """A section's fields that are values, not nested sections."""
    return [n for n in section.fields() if not isinstance(getattr(section, n), Section)]


def controls_shape(design: Design) -> tuple:
    """What decides which controls the dashboard builds for a draft: whether it learns by STDP (its cards and training
    fields) and, for a conv stack, the kind of each entry (a row of inputs each); a width list's is its own."""
    layers = tuple(entry_kind(entry)[0] for entry in design.network.layers)
    return (design.training.learning_rule == "stdp", layers)


class DraftEditor(param.Parameterized):
    """The draft and its edits; see the module docstring. ``changed(new_draft)`` is called once per edit (``new_draft``:
    a new draft replaced the old one, e.g. a loaded design)."""

    draft = param.ClassSelector(
        class_=Design,
        default=None,
        allow_None=True,
        constant=True,
        doc="The design being edited; the view binds its widgets to its sections.",
    )
    stdp_variant = param.Selector(
        default="fspinn",
        objects=[*VARIANTS, "custom"],
        doc="diehl-cook: inhibitory layer, depression at every input spike; fspinn: FSpiNN's reductions "
        "(Putra & Shafique 2020) — direct inhibition, updates only at excitatory spikes, every 50 steps.",
    )

    def __init__(self, changed: Callable[[bool], None], **params):
        super().__init__(**params)
        self._changed = changed
        self._watchers: list = []
        self._text_problems: dict[str, FieldProblem] = {}
        self._edit_depth = 0
        self._loaded = self._loading = False
        self._origin: Design | None = None

    def load(self, design: Design) -> None:
        """Edit a copy of ``design`` from now on (one evaluation)."""
        self._load_data(design.to_dict())

    def _load_data(self, data: dict) -> None:
        """Edit a design mapping whose sections are each valid (their combination need not be): written into the
        draft's own sections when the dashboard shows the same controls for both (:func:`controls_shape`), so that
        the widgets bound to them follow; else a new draft."""
        self._text_problems.clear()
        self._origin = None  # the first valid design of this draft: edits away from it get their own name
        sections = {key: cls(**({"steps": data[key]} if key == "timesteps" else data[key])) for key, cls in SECTIONS.items()}
        loaded = Design(_validate=False, name=data["name"], **sections)
        if self.draft is None or controls_shape(self.draft) != controls_shape(loaded):
            with param.edit_constant(self):
                self.draft = loaded
            return
        self._loading = True  # the loaded design is taken as it is: no domain rule applies to its fields
        try:
            with self.one_edit(new_draft=True):
                with param.edit_constant(self.draft):
                    self.draft.name = loaded.name
                for (_, section), (_, new) in zip(sections_of(self.draft), sections_of(loaded)):
                    section.param.update(**{n: getattr(new, n) for n in _own_fields(new)})
                self._show_stdp_variant()
        finally:
            self._loading = False

    @param.depends("draft", watch=True)
    def _on_new_draft(self) -> None:
        for section, watcher in self._watchers:
            section.param.unwatch(watcher)
        self._watchers = [
            (section, section.param.watch(self._on_edit, _own_fields(section))) for _, section in sections_of(self.draft)
        ]
        self._show_stdp_variant()
        self._changed(True)

    def _show_stdp_variant(self) -> None:
        if self.draft.training.learning_rule == "stdp":
            self.stdp_variant = variant_of(self.draft.training.stdp) or "custom"

    @contextlib.contextmanager
    def one_edit(self, new_draft: bool = False):
        """Edits of several fields inside this block are reported once, at its end (``new_draft``: as a loaded
        design, which is not an edit of the last one)."""
        self._edit_depth += 1
        self._loaded |= new_draft
        try:
            yield
        finally:
            self._edit_depth -= 1
        if self._edit_depth == 0:
            new_draft, self._loaded = self._loaded, False
            self._changed(new_draft)

    def _report(self) -> None:
        """Report an edit now, or at the end of the :meth:`one_edit` block it happens in."""
        if self._edit_depth == 0:
            self._changed(False)

    def _on_edit(self, *events) -> None:
        """An edit of the draft: apply the domain rules it triggers, then report it once."""
        if self._loading:
            return  # reported once the whole design is written
        for event in events:
            if event.name == "learning_rule":  # a new draft, which reports itself
                variant = self.stdp_variant if self.stdp_variant in VARIANTS else "fspinn"
                self._load_data(with_learning_rule(self.draft.to_dict(), event.new, variant))
                return
        with self.one_edit():
            for event in events:
                if event.name == "preset" and event.obj is self.draft.hardware:
                    self._fit_to_hardware()

    def _fit_to_hardware(self) -> None:
        """A new hardware preset: the overrides edited the old one and go; placements it lacks become 'auto'."""
        try:
            levels = Architecture.from_preset(self.draft.hardware.preset).level_names
        except DesignError:
            return  # the validation reports the bad preset
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

    def _text_edit(self, path: str, problem: FieldProblem | None, section: Section, field: str, value) -> None:
        """A field edited as text: its parse ``problem`` is reported (and keeps the design invalid until mended), or
        the field takes ``value`` (its watcher reports the edit). Text that mends a problem without changing the
        field is reported too, so that the problem goes; other text that leaves the field as it is is no edit."""
        if problem is not None:
            self._text_problems[path] = problem
            self._report()
            return
        mended = self._text_problems.pop(path, None) is not None
        if getattr(section, field) != value:
            setattr(section, field, value)
        elif mended:
            self._report()

    def set_widths(self, section: str, field: str, text: str) -> None:
        """A width list edited as text; a parse error is shown, and keeps the design invalid, until mended."""
        path = f"{section}.{field}"
        try:
            values, problem = parse_widths(text, path), None
        except DesignError as exc:
            values, problem = None, exc.problems[0]
        self._text_edit(path, problem, getattr(self.draft, section), field, values)

    def widths_text(self, section: str, field: str) -> str:
        return ", ".join(map(str, getattr(getattr(self.draft, section), field)))

    def stack_text(self) -> str:
        """The draft's ``network.layers`` as one line of YAML (flow style), as a design file may write it."""
        return dump_yaml(self.draft.network.layers, default_flow_style=True, sort_keys=False).strip()

    def set_stack_text(self, text: str) -> None:
        """``network.layers`` edited as YAML; a problem is shown, and keeps the design invalid, until mended."""
        path = "network.layers"
        try:
            layers = parse_yaml(text, path) if str(text).strip() else []
        except DesignError as exc:
            layers, problems = None, exc.problems
        else:
            problems = check_entries(layers, path)
        self._text_edit(path, problems[0] if problems else None, self.draft.network, "layers", layers)

    def set_stack_entry(self, index: int, key: str, value: int | bool) -> None:
        """One value of entry ``index`` of ``network.layers``: a conv field (``key``), a pool, a dense width, or
        whether a dense layer is ``recurrent``."""
        layers = copy.deepcopy(self.draft.network.layers)
        kind, _ = entry_kind(layers[index])
        if kind == "conv":
            layers[index]["conv"][key] = value
        elif key == "recurrent":
            layers[index] = {"dense": layers[index]["dense"], **({"recurrent": True} if value else {})}
        else:
            layers[index] = {kind: value, **({"recurrent": True} if is_recurrent(layers[index]) else {})}
        if layers != self.draft.network.layers:
            self.draft.network.layers = layers

    def per_layer(self, section: str, field: str) -> list[int]:
        """One value per weight layer of the draft."""
        value = resize(getattr(getattr(self.draft, section), field), self.draft.n_layers)
        return list(value) if isinstance(value, list) else [value] * self.draft.n_layers

    def set_per_layer(self, section: str, field: str, index: int, value: int) -> None:
        values = self.per_layer(section, field)
        if values[index] != value:
            values[index] = value
            setattr(getattr(self.draft, section), field, values)

    def layer_labels(self) -> list[str]:
        n_layers = self.draft.n_layers
        return ["output layer" if i == n_layers - 1 else f"hidden layer {i + 1}" for i in range(n_layers)]

    def validated(self) -> Design:
        """The draft as a Design, per-layer lists fitted to its depth, renamed ``NAME-abc123`` (its cost hash) when
        edits took it away from the design loaded as NAME (pins, the history and exports tell edited designs apart);
        a DesignError lists every problem."""
        data = fit_per_layer(self.draft.to_dict(), self.draft.n_layers)
        problems = list(self._text_problems.values())
        try:
            design = Design.from_dict(data)
        except DesignError as exc:
            problems += exc.problems
        if problems:
            raise DesignError(problems)
        if self._origin is None:
            self._origin = design
        elif design.name == self._origin.name and design != self._origin:
            with param.edit_constant(design):  # a fresh Design of the draft: nothing else holds it yet
                design.name = f"{self._origin.name}-{design.hash_for('cost')[:6]}"
        return design
