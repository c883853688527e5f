"""The project as a user gets it from a wheel, and the layering its modules keep."""

import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "snnexplorer"
BUILD_LEFTOVERS = shutil.ignore_patterns(
    ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "*.png"
)


@pytest.mark.slow
def test_wheel_carries_presets_and_zoo_and_evaluates_outside_the_repository(tmp_path):
    from snnexplorer.design import load_design
    from snnexplorer.train import shipped_accuracy

    source = tmp_path / "source"  # a clean copy: no stale build/ of an earlier layout can leak into the wheel
    shutil.copytree(ROOT, source, ignore=BUILD_LEFTOVERS)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "wheel"),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "wheel").glob("snnexplorer-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for preset in (ROOT / "presets").rglob("*.yaml"):
        assert f"snnexplorer/_shipped/presets/{preset.relative_to(ROOT / 'presets').as_posix()}" in names
    for model in (ROOT / "assets" / "zoo").rglob("*"):
        if model.is_file():
            assert f"snnexplorer/_shipped/assets/{model.relative_to(ROOT / 'assets').as_posix()}" in names

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere, cache = tmp_path / "elsewhere", tmp_path / "cache"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SNNEXPLORER_PRESETS"}
    env.update(PYTHONPATH=str(site), SNNEXPLORER_CACHE=str(cache))
    where = subprocess.run(
        [sys.executable, "-c", "import snnexplorer; print(snnexplorer.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(site)
    run = subprocess.run(
        [str(site / "bin" / "snnexplorer"), "evaluate", "mnist-baseline", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["accuracy"] == pytest.approx(shipped_accuracy(load_design("mnist-baseline")))
    assert report["feasible"] and report["energy_j"] > 0
    assert not list((cache / "models").glob("*/weights.npz"))  # the zoo answered: nothing was trained
    version = subprocess.run(
        [str(site / "bin" / "snnexplorer"), "--version"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.split()[-1] == "0.1.0"


def _imports(path: Path) -> set[str]:
    """Absolute module names ``path`` imports (relative imports resolved), at any depth in the file."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _modules(folder: Path) -> dict[str, set[str]]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts): _imports(p) for p in folder.rglob("*.py")}


UI_MODELS = ("model", "draft", "levels", "session", "knob_table", "training", "runner", "uploads", "outputs", "study_model")
"""The dashboard's param models: no Panel, no Bokeh (a notebook or a script drives them as they are)."""


def test_layering_hardware_needs_no_design_and_the_ui_models_no_panel():
    modules = _modules(PACKAGE)
    for name, imported in modules.items():
        if name.startswith("snnexplorer.hardware."):
            assert not {m for m in imported if m.startswith("snnexplorer.design")}, name
        below_ui = not name.startswith(("snnexplorer.ui", "snnexplorer.cli"))
        if below_ui or name.removeprefix("snnexplorer.ui.") in UI_MODELS:
            assert not {m for m in imported if m.split(".")[0] in ("panel", "bokeh")}, name
        if not name.startswith(("snnexplorer.explore", "snnexplorer.ui", "snnexplorer.cli")):
            assert not {m for m in imported if m.split(".")[0] == "dask"}, name


def test_no_import_cycle_between_modules():
    modules = _modules(PACKAGE)
    graph = {}
    for name, imported in modules.items():
        targets = {m for m in imported if m in modules} | {f"{m}.__init__" for m in imported if f"{m}.__init__" in modules}
        # a module reaching its own package's __init__ (which re-exports it) is how packages work, not a cycle
        graph[name] = {m for m in targets - {name} if not (m.endswith(".__init__") and name.startswith(m[: -len("__init__")]))}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                raise AssertionError(
                    "import cycle: " + " → ".join(trail[trail.index(nxt) :] + [node, nxt])
                    if nxt in trail
                    else f"import cycle through {node} → {nxt}"
                )
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_every_module_imports():
    """The fast tier touches every module: each imports on its own (a peer it needs only when called is imported
    inside the call)."""
    import importlib

    for name in sorted(_modules(PACKAGE)):
        importlib.import_module(name.removesuffix(".__init__"))
