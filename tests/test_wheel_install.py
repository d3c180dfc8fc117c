"""A wheel built from the sdist (not an editable install) carries the icons and translations, and the
desktop started from it offscreen in zh_CN loads them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import json, sys
from linkus_companion.app import make_application
from linkus_companion.ui.i18n import Translations
from linkus_companion.ui.resources import icon, resource_dir
from PySide6.QtCore import QCoreApplication
app = make_application([sys.argv[0]])
language = Translations(app).apply("zh_CN")
print(json.dumps({
    "resources": str(resource_dir()),
    "language": language,
    "add_to_crm": QCoreApplication.translate("AddRecordDialog", "Add to CRM"),
    "icons": [not icon(n).isNull() for n in ("app", "state-connected", "state-error")],
}))
"""


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


@pytest.mark.timeout(300)
def test_the_built_wheel_starts_in_chinese_with_its_icons(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT, cwd=tmp_path)
    (wheel,) = dist.glob("*.whl")
    assert len(list(dist.glob("*.tar.gz"))) == 1
    shipped = zipfile.ZipFile(wheel).namelist()
    assert "linkus_companion/resources/translations/linkus_companion_zh_CN.qm" in shipped
    assert "linkus_companion/resources/icons/app.svg" in shipped
    assert not [name for name in shipped if name.endswith((".ts", "update.py"))]

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # PySide6 and the rest
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp_path,
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env |= {"QT_QPA_PLATFORM": "offscreen", "LINKUS_COMPANION_HOME": str(tmp_path / "home")}
    probe = json.loads(_run(python, "-c", PROBE, cwd=tmp_path, env=env))
    assert Path(probe["resources"]).is_relative_to(site)  # the wheel's copy, not the source tree's
    assert probe["language"] == "zh_CN" and probe["add_to_crm"] == "添加到 CRM"
    assert probe["icons"] == [True, True, True]

    app = venv / "bin" / "linkus-companion"
    _run(app, "config", "set", "ui.language", "zh_CN", cwd=tmp_path, env=env)
    assert "smoke test" in _run(app, "run", "--smoke-test", cwd=tmp_path, env=env)
    log = "\n".join(p.read_text() for p in (tmp_path / "home").rglob("*.log"))
    assert "no linkus_companion translation" not in log
