"""Desktop entry files: Exec quoting per the Desktop Entry Specification, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkus_companion.platform import desktop_entry


@pytest.mark.parametrize(
    ("argv", "field_code", "value"),
    [
        (["/usr/bin/lc", "dial"], "%u", "/usr/bin/lc dial %u"),
        (["/opt/My App/lc"], "", '"/opt/My App/lc"'),
        (["/opt/100%/lc"], "", "/opt/100%%/lc"),
        (["/opt/$HOME/lc"], "", '"/opt/\\$HOME/lc"'),
        (['/opt/say "hi"/lc'], "", '"/opt/say \\"hi\\"/lc"'),
        (["/opt/a\\b/lc"], "", '"/opt/a\\\\b/lc"'),
    ],
)
def test_exec_value_quotes_reserved_characters(argv: list[str], field_code: str, value: str) -> None:
    assert desktop_entry.exec_value(argv, field_code) == value


def test_control_characters_are_refused() -> None:
    with pytest.raises(ValueError, match="control characters"):
        desktop_entry.exec_value(["/opt/lc\n[Desktop Entry]"])


def test_written_values_escape_backslashes_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "apps" / "x.desktop"
    desktop_entry.write(path, {"Name": "X", "Exec": desktop_entry.exec_value(["/opt/a\\b/lc"])})
    assert 'Exec="/opt/a\\\\\\\\b/lc"' in path.read_text()
    assert desktop_entry.read(path) == {"Name": "X", "Exec": '"/opt/a\\\\\\\\b/lc"'}
    assert not list(path.parent.glob(".*partial"))


def test_read_ignores_other_groups_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "x.desktop"
    path.write_text("# c\n[Desktop Entry]\nName=X\n#Hidden=true\n[Desktop Action new]\nHidden=true\n")
    assert desktop_entry.read(path) == {"Name": "X"}
    assert desktop_entry.read(tmp_path / "missing.desktop") is None
