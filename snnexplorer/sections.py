"""Validated parameter sections: ``param.Parameterized`` classes whose values are checked in one generic way.

A :class:`Section` declares its fields as ``param`` parameters (type, bounds,
choices, help text — each fact once); :func:`check_section` validates a plain
mapping against them and returns one :class:`~snnexplorer.errors.FieldProblem`
per bad field (path, value, what is allowed). The Design's sections
(:mod:`snnexplorer.design`) and the hardware schema
(:mod:`snnexplorer.hardware_schema`) are Sections; the dashboard renders
their parameters as widgets, so its choices and bounds are these.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

import param

from .errors import DesignError, FieldProblem


class Section(param.Parameterized):
    """Base of the design sections: generic validation and dict conversion.

    ``_limits`` maps a list-valued or per-layer parameter to its (min, max)
    integer bounds; ``_per_layer`` names the parameters that take one int or one
    int per layer; ``_choices`` gives the allowed values of a String parameter
    (``name``, which every Parameterized has, is a field only when listed
    there); ``_required`` names the fields a mapping must give; a list field
    holds at most ``_max_items`` entries (64: layers of a network);
    ``_checkers`` maps a field of a richer form to the function that returns
    its problems (value, path).
    """

    _key: ClassVar[str] = ""
    _choices: ClassVar[dict[str, list[str]]] = {}
    _limits: ClassVar[dict[str, tuple[int, int]]] = {}
    _per_layer: ClassVar[tuple[str, ...]] = ()
    _required: ClassVar[tuple[str, ...]] = ()
    _max_items: ClassVar[int] = 64
    _checkers: ClassVar[dict[str, Callable[[Any, str], list[FieldProblem]]]] = {}

    def __init__(self, **params: Any):
        checked, problems = check_section(type(self), params, type(self)._key)
        if problems:
            raise DesignError(problems)
        super().__init__(**checked)

    @classmethod
    def fields(cls) -> list[str]:
        return [n for n in cls.param if n != "name" or "name" in cls._choices]

    def to_dict(self) -> dict:
        out = {}
        for name in self.fields():
            value = getattr(self, name)
            out[name] = value.to_dict() if isinstance(value, Section) else copy.deepcopy(value)
        return out


def allowed_text(cls: type[Section], name: str, p: param.Parameter) -> str:
    if name in cls._per_layer:
        lo, hi = cls._limits[name]
        return f"an integer in {lo}..{hi} or a list of them, one per layer (at most {cls._max_items})"
    objects = cls._choices.get(name) or (p.objects if isinstance(p, param.Selector) else None)
    if objects:
        return "one of " + ", ".join(repr(o) for o in objects)
    if isinstance(p, param.Boolean):
        return "true or false"
    if isinstance(p, param.List):
        lo, hi = cls._limits[name]
        return f"a non-empty list of at most {cls._max_items} integers in {lo}..{hi}"
    if isinstance(p, param.Dict):
        return "a mapping"
    if isinstance(p, param.String):
        return "a string"
    if isinstance(p, (param.Integer, param.Number)):
        kind = "an integer" if isinstance(p, param.Integer) else "a number"
        lo, hi = p.bounds or (None, None)
        lo_incl, hi_incl = p.inclusive_bounds
        parts = []
        if lo is not None:
            parts.append(f"{'≥' if lo_incl else '>'} {lo}")
        if hi is not None:
            parts.append(f"{'≤' if hi_incl else '<'} {hi}")
        text = f"{kind} {' and '.join(parts)}".strip()
        return text + (" or null" if p.allow_None else "")
    return "a valid value"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_in(value: Any, lo: int, hi: int) -> bool:
    return _is_int(value) and lo <= value <= hi


def check_value(cls: type[Section], name: str, p: param.Parameter, value: Any) -> bool:
    """True if ``value`` is acceptable for parameter ``name`` of section ``cls``."""
    if name in cls._per_layer:
        lo, hi = cls._limits[name]
        if isinstance(value, list):
            return 0 < len(value) <= cls._max_items and all(_int_in(v, lo, hi) for v in value)
        return _int_in(value, lo, hi)
    if value is None:
        return bool(p.allow_None)
    if name in cls._choices:
        return value in cls._choices[name]
    if isinstance(p, param.Selector):
        return value in p.objects
    if isinstance(p, param.Boolean):
        return isinstance(value, bool)
    if isinstance(p, param.List):
        lo, hi = cls._limits[name]
        return isinstance(value, list) and 0 < len(value) <= cls._max_items and all(_int_in(v, lo, hi) for v in value)
    if isinstance(p, param.Dict):
        return isinstance(value, dict)
    if isinstance(p, param.String):
        return isinstance(value, str)
    if isinstance(p, (param.Integer, param.Number)):
        if isinstance(p, param.Integer) and not _is_int(value):
            return False
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
            return False
        lo, hi = p.bounds or (None, None)
        lo_incl, hi_incl = p.inclusive_bounds
        if lo is not None and (value < lo if lo_incl else value <= lo):
            return False
        if hi is not None and (value > hi if hi_incl else value >= hi):
            return False
        return True
    return True


def check_section(cls: type[Section], data: Any, prefix: str) -> tuple[dict, list[FieldProblem]]:
    """Validate a mapping for section ``cls``; returns (constructor kwargs, problems)."""
    if isinstance(data, Section):
        data = data.to_dict()
    if not isinstance(data, dict):
        return {}, [FieldProblem(prefix, data, f"a mapping with keys {cls.fields()}")]
    problems: list[FieldProblem] = []
    checked: dict[str, Any] = {}
    known = cls.fields()
    problems.extend(
        FieldProblem(f"{prefix}.{key}" if prefix else key, None, allowed_text(cls, key, cls.param[key]))
        for key in cls._required
        if key not in data
    )
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if key not in known:
            problems.append(FieldProblem(path, value, f"a known key: one of {known}"))
            continue
        p = cls.param[key]
        if key in cls._checkers:
            own = cls._checkers[key](value, path)
            problems.extend(own)
            if not own:
                checked[key] = copy.deepcopy(value)
            continue
        if isinstance(p, param.ClassSelector) and isinstance(p.class_, type) and issubclass(p.class_, Section):
            sub, sub_problems = check_section(p.class_, value, path)
            problems.extend(sub_problems)
            if not sub_problems:
                checked[key] = p.class_(**sub)
            continue
        if isinstance(value, float) and isinstance(p, param.Integer) and value.is_integer():
            value = int(value)
        if check_value(cls, key, p, value):
            checked[key] = copy.deepcopy(value)
        else:
            problems.append(FieldProblem(path, value, allowed_text(cls, key, p)))
    return checked, problems
