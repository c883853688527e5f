"""Build step that puts the top-level ``presets/`` and ``assets/`` into the wheel (see snnexplorer/shipped.py)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {
    "presets": ["hardware/*.yaml", "designs/*.yaml", "studies/*.yaml", "operations/*.yaml"],
    "assets": ["logo.svg", "zoo/*/*"],
}


class BuildPyWithShippedData(build_py):
    """build_py, then a copy of the shipped files into ``snnexplorer/_shipped`` (not for editable installs,
    which read the source folders directly)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "snnexplorer" / "_shipped"
        for folder, patterns in SHIPPED.items():
            for pattern in patterns:
                for source in sorted((ROOT / folder).glob(pattern)):
                    destination = target / folder / source.relative_to(ROOT / folder)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildPyWithShippedData})
