"""The one error type that every layer raises for bad user input."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass

MAX_VALUE_CHARS = 100
"""Longest shown value in an error message; longer ones are cut (a list shows its first items)."""
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxlong, _SHORT.maxother = 3, 60, 40, 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 8


def short_repr(value: object) -> str:
    """``repr(value)`` cut to a readable length, in bounded time (no full repr of a huge or nested value)."""
    text = _SHORT.repr(value)
    if isinstance(value, str) and len(value) > _SHORT.maxstring:
        text += f" ({len(value):,} characters)"
    elif isinstance(value, (list, tuple, dict)) and len(value) > _SHORT.maxlist:
        text += f" ({len(value):,} items)"
    return _cut(text)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: where it is, what it was, and what is allowed."""

    field: str
    value: object
    allowed: str

    def __str__(self) -> str:
        return f"{_cut(self.field)}: {short_repr(self.value)} is not allowed; expected {self.allowed}"


class DesignError(ValueError):
    """Invalid design input; carries one :class:`FieldProblem` per bad field."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, field: str, value: object, allowed: str) -> DesignError:
        return cls([FieldProblem(field, value, allowed)])

    def bullets(self, heading: str = "") -> str:
        """The problems one per line ("• field: …"), under ``heading`` when given (a message for a person)."""
        lines = "\n".join(f"• {p}" for p in self.problems)
        return f"{heading}\n{lines}" if heading else lines


class TrainingCancelled(RuntimeError):
    """Training was cancelled (by the user, through a ``threading.Event``)."""
