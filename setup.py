"""Build hook: a wheel carries `resources/` (icons, compiled translations) as `linkus_companion/resources`."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("icons/*.svg", "translations/*.qm")
"""What the app loads at run time; sources (.ts, update.py) stay out of the wheel."""


class BuildWithResources(build_py):
    """`build_py` plus the resource files the app finds next to its package (ui/resources.py)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads the source tree's resources/ directly
        source = Path(__file__).resolve().parent / "resources"
        target = Path(self.build_lib) / "linkus_companion" / "resources"
        for pattern in SHIPPED:
            for path in sorted(source.glob(pattern)):
                destination = target / path.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)


setup(cmdclass={"build_py": BuildWithResources})
