"""What a doctor check found: one line, either fine or a problem with what to do about it."""

from __future__ import annotations

from dataclasses import dataclass

from linkus_companion.texts import Text


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    area: str
    """`policy`, `keyring`, `browser`, `pbx`, `crm` or `gateway`."""
    text: str
    problem: bool = False

    def __str__(self) -> str:
        return self.line

    @property
    def line(self) -> Text:
        """`PROBLEM  pbx      ...`: the mark and area stay as they are (scripts read them), the text is typed."""
        return Text(
            "{mark} {area} {text}",
            mark=f"{'PROBLEM' if self.problem else 'ok':<8}",
            area=f"{self.area:<8}",
            text=self.text,
        )


def ok(area: str, text: str) -> Finding:
    """A check that passed, or a fact worth showing."""
    return Finding(area, text)


def problem(area: str, text: str) -> Finding:
    """Something to fix; `text` says what to do."""
    return Finding(area, text, problem=True)
