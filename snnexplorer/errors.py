"""The one error type that every layer raises for bad user input."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: where it is, what it was, and what is allowed."""

    field: str
    value: object
    allowed: str

    def __str__(self) -> str:
        return f"{self.field}: {self.value!r} is not allowed; expected {self.allowed}"


class DesignError(ValueError):
    """Invalid design input; carries one :class:`FieldProblem` per bad field."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, field: str, value: object, allowed: str) -> DesignError:
        return cls([FieldProblem(field, value, allowed)])


class TrainingCancelled(RuntimeError):
    """Training was cancelled (by the user, through a ``threading.Event``)."""
