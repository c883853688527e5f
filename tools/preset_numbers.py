"""Every shipped preset's ``evaluate --json`` numbers, written to a file, and the diff of two such files.

    python tools/preset_numbers.py snapshot before.json   # each design on its own hardware (simulated activity),
                                                          # and each design on every hardware preset (synthetic)
    python tools/preset_numbers.py diff before.json after.json

A refactoring that changes no behaviour leaves ``diff`` silent (exit 0). The runs go through the CLI's
``main`` in this process, so the numbers are those a user gets from ``snnexplorer evaluate --json``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
from pathlib import Path

from snnexplorer.cli import main as cli_main
from snnexplorer.presets import design_preset_paths, hardware_preset_names

SYNTHETIC_RATE = "synthetic:0.1"
RELATIVE_TOLERANCE = 1e-9


def _evaluate(argv: list[str]) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(["--quiet", "evaluate", *argv, "--json"])
    if code != 0:
        raise SystemExit(f"evaluate {' '.join(argv)} exited {code}")
    return json.loads(out.getvalue())


def snapshot(path: Path) -> None:
    runs: dict[str, dict] = {}
    for design in (path.stem for path in design_preset_paths()):
        runs[f"{design} simulate"] = _evaluate([design])
        for hardware in hardware_preset_names():
            runs[f"{design} on {hardware} {SYNTHETIC_RATE}"] = _evaluate(
                [design, "--activity", SYNTHETIC_RATE, "--hardware", hardware]
            )
        print(f"{design}: {len(runs)} runs so far", file=sys.stderr)
    path.write_text(json.dumps(runs, indent=1, sort_keys=True))


def _differences(before, after, where: str):
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            if key not in before or key not in after:
                yield f"{where}.{key}: only in {'after' if key in after else 'before'}"
            else:
                yield from _differences(before[key], after[key], f"{where}.{key}")
    elif isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            yield f"{where}: {len(before)} items before, {len(after)} after"
        for index, (b, a) in enumerate(zip(before, after)):
            yield from _differences(b, a, f"{where}[{index}]")
    elif isinstance(before, float) and isinstance(after, (int, float)):
        if not math.isclose(before, after, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-30) and before == before:
            yield f"{where}: {before!r} -> {after!r}"
    elif before != after:
        yield f"{where}: {before!r} -> {after!r}"


def diff(before_path: Path, after_path: Path) -> int:
    before, after = json.loads(before_path.read_text()), json.loads(after_path.read_text())
    found = list(_differences(before, after, "runs"))
    for line in found:
        print(line)
    print(f"{len(before)} runs before, {len(after)} after; {len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    command, *paths = sys.argv[1:]
    if command == "snapshot" and len(paths) == 1:
        snapshot(Path(paths[0]))
    elif command == "diff" and len(paths) == 2:
        sys.exit(diff(Path(paths[0]), Path(paths[1])))
    else:
        sys.exit(__doc__)
