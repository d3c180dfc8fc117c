"""Refresh the translation catalogues from the code, then compile them.

Run from the repository root with the project's virtualenv:  python resources/translations/update.py

1. `pyside6-lupdate` collects the texts of `linkus_companion/ui` and `app.py` into each `.ts` file
   (existing translations are kept).
2. The settings' docs (config schema) and the template variables' meanings are not literals in the UI
   code, so they are added here as the contexts `SettingDocs` and `TemplateVariables`; the core's
   `Text("...")` sentences (errors and statuses, see linkus_companion/texts.py) become `Errors`, and
   the command line's help texts and argparse's own words (linkus_companion/cli_help.py) `CommandLine`.
3. `pyside6-lrelease` compiles every `.ts` into the `.qm` file the app loads.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from linkus_companion.cli import build_parser  # noqa: E402
from linkus_companion.cli_help import CONTEXT as COMMAND_LINE  # noqa: E402
from linkus_companion.cli_help import ERROR_WORDS, SHOWN_WORDS, help_texts  # noqa: E402
from linkus_companion.config import SCHEMA  # noqa: E402
from linkus_companion.engine.templates import VARIABLES  # noqa: E402
from linkus_companion.texts import CONTEXT as TEXTS  # noqa: E402

LANGUAGES = ("zh_CN",)
TOOLS = Path(sys.executable).parent


def _sources() -> list[str]:
    ui = ROOT / "linkus_companion" / "ui"
    return [str(p) for p in sorted(ui.rglob("*.py"))] + [str(ROOT / "linkus_companion" / "app.py")]


def _core_texts() -> list[str]:
    """The literal templates of every `Text(...)` call outside the UI, in source order, once each."""
    found: dict[str, None] = {}
    for path in sorted((ROOT / "linkus_companion").rglob("*.py")):
        if "ui" in path.relative_to(ROOT / "linkus_companion").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Text"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value)
    return list(found)


def _kept(ts_file: Path, contexts: tuple[str, ...]) -> dict[tuple[str, str], ET.Element]:
    """The translations of `contexts` before lupdate drops them (their texts are not in the code)."""
    if not ts_file.exists():
        return {}
    kept = {}
    for node in ET.parse(ts_file).getroot().findall("context"):  # noqa: S314 - our own file
        name = node.findtext("name") or ""
        if name in contexts:
            for message in node.findall("message"):
                translation = message.find("translation")
                if translation is not None:
                    kept[(name, message.findtext("source") or "")] = translation
    return kept


def _merge(ts_file: Path, texts: dict[str, list[str]], kept: dict[tuple[str, str], ET.Element]) -> None:
    """Add a context per entry of `texts`, with the translations kept from before."""
    tree = ET.parse(ts_file)  # noqa: S314 - our own file
    root = tree.getroot()
    for context, sources in texts.items():
        node = ET.SubElement(root, "context")
        ET.SubElement(node, "name").text = context
        for text in sources:
            message = ET.SubElement(node, "message")
            ET.SubElement(message, "source").text = text
            previous = kept.get((context, text))
            if previous is not None:
                message.append(previous)
            else:
                ET.SubElement(message, "translation", type="unfinished")
    ET.indent(tree, space="    ")
    tree.write(ts_file, encoding="utf-8", xml_declaration=True)


def main() -> int:
    for language in LANGUAGES:
        ts_file = HERE / f"linkus_companion_{language}.ts"
        texts = {
            "SettingDocs": [s.doc for s in SCHEMA.values()],
            "TemplateVariables": list(VARIABLES.values()),
            TEXTS: _core_texts(),
            COMMAND_LINE: list(dict.fromkeys([*SHOWN_WORDS, *ERROR_WORDS, *help_texts(build_parser())])),
        }
        kept = _kept(ts_file, tuple(texts))
        subprocess.run(  # noqa: S603 - the Qt tools next to this Python
            [
                str(TOOLS / "pyside6-lupdate"),
                *_sources(),
                "-no-obsolete",
                "-locations",
                "none",
                "-ts",
                str(ts_file),
            ],
            check=True,
        )
        _merge(ts_file, texts, kept)
        subprocess.run([str(TOOLS / "pyside6-lrelease"), str(ts_file)], check=True)  # noqa: S603
    return 0


if __name__ == "__main__":
    sys.exit(main())
