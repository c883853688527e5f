"""The memory-level editor: one level of the draft's hardware at a time, its capacity and read energy, written into
``hardware.overrides`` (hardware as data, as in Accelergy and ZigZag). param only, no Panel."""

from __future__ import annotations

import param

from ..hardware import Architecture
from ..hardware_schema import MemoryLevel
from ..sections import Section


class LevelEditor(param.Parameterized):
    """Shows the chosen level's capacity and read energy (the override, else the preset's); an edit writes an
    override, and an edit back to the preset's value removes it."""

    level = param.Selector(
        default=None,
        objects=[],
        allow_None=True,
        doc="A memory level of the hardware to edit (hardware as data, as in Accelergy / ZigZag).",
    )
    capacity_kib = param.Number(
        default=0.0,
        bounds=(0.0, None),
        label="Capacity (KiB)",
        doc=MemoryLevel.param.capacity_bytes.doc.replace("(bytes)", "(KiB)"),
    )
    read_pj = param.Number(default=0.0, bounds=(0.0, None), label="Read energy (pJ/word)", doc=MemoryLevel.param.read_pj.doc)

    def __init__(self, **params):
        super().__init__(**params)
        self._arch: Architecture | None = None
        self._hardware: Section | None = None

    def show(self, arch: Architecture, hardware: Section) -> None:
        """Edit the levels of ``arch`` into ``hardware`` (the draft's hardware section), showing the chosen level's
        values without writing them back."""
        self._hardware = hardware
        if self._arch is None or self._arch.name != arch.name:
            self._arch = arch
            with param.parameterized.discard_events(self):
                self.param.level.objects = arch.level_names
                if self.level not in arch.level_names:
                    self.level = arch.level_names[0]
            self.param.trigger("level")  # shows the level (_show_level)
        else:
            self._show_level()

    def _preset(self, field: str) -> float:
        return float(self._arch.levels[field][0, self._arch.level_index(self.level)])

    @param.depends("level", watch=True)
    def _show_level(self) -> None:
        if self.level is None or self._arch is None:
            return
        overrides = self._hardware.overrides
        capacity = overrides.get(f"{self.level}.capacity_bytes", self._preset("capacity_bytes"))
        read = overrides.get(f"{self.level}.read_pj", self._preset("read_pj"))
        shown = (float(capacity) / 1024, float(read))
        if (self.capacity_kib, self.read_pj) == shown:
            return  # an edit elsewhere: the editor already shows these
        with param.parameterized.discard_events(self):
            self.capacity_kib, self.read_pj = shown
        self.param.trigger("capacity_kib", "read_pj")

    @param.depends("capacity_kib", "read_pj", watch=True)
    def _edit_level(self) -> None:
        if self.level is None or self._arch is None:
            return
        edits = {f"{self.level}.capacity_bytes": self.capacity_kib * 1024, f"{self.level}.read_pj": self.read_pj}
        preset = {
            f"{self.level}.capacity_bytes": self._preset("capacity_bytes"),
            f"{self.level}.read_pj": self._preset("read_pj"),
        }
        overrides = {k: v for k, v in self._hardware.overrides.items() if k not in edits}
        overrides.update({k: v for k, v in edits.items() if abs(v - preset[k]) > 1e-9 * max(1.0, preset[k])})
        if overrides != self._hardware.overrides:
            self._hardware.overrides = overrides
