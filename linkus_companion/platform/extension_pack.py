"""The browser extension's source folder and its reproducible zip (same files in, same bytes out)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from linkus_companion import paths

_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry; every entry gets it so the archive does not depend on mtimes."""
_SKIP = (".DS_Store", "Thumbs.db")


def extension_dir() -> Path:
    """The unpacked extension (load it with "Load unpacked" in chrome://extensions)."""
    return paths.resource_dir() / "browser_extension"


def pack(source: Path, out: Path) -> list[str]:
    """Zip every file under `source` in name order with fixed times and modes; returns the entry names."""
    names = sorted(
        p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file() and p.name not in _SKIP
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            entry = zipfile.ZipInfo(name, date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            archive.writestr(entry, (source / name).read_bytes(), compresslevel=9)
    return names
