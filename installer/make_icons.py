"""Render resources/icons/app.svg into the icon files the builds need: app.ico, app.icns and app.png."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn on a transparent square of `size` pixels."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    return image


def main(out: Path) -> int:
    """Write the icons into `out`; exit status 1 if Qt cannot write one of the formats."""
    _app = QGuiApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    svg = ROOT / "resources" / "icons" / "app.svg"
    targets = {"app.ico": 256, "app.icns": 1024, "app.png": 512}
    for name, size in targets.items():
        if not render(svg, size).save(str(out / name)):
            print(f"could not write {out / name}", file=sys.stderr)
            return 1
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"))
