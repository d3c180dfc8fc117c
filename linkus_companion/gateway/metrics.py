"""Gateway metrics in the Prometheus text exposition format (counters plus gauges read at scrape time)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

Labels = tuple[tuple[str, str], ...]


class Metrics:
    """Counters bumped by the gateway and gauges computed when scraped."""

    def __init__(self) -> None:
        self._counters: Counter[tuple[str, Labels]] = Counter()
        self._help: dict[str, tuple[str, str]] = {}
        self._gauges: dict[str, Callable[[], float]] = {}

    def count(self, name: str, help_text: str, amount: int = 1, **labels: str) -> None:
        """Add `amount` to the counter `name` with `labels`."""
        self._help.setdefault(name, ("counter", help_text))
        self._counters[(name, tuple(sorted(labels.items())))] += amount

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        """Report `read()` as the gauge `name` on every scrape."""
        self._help[name] = ("gauge", help_text)
        self._gauges[name] = read

    def value(self, name: str, **labels: str) -> float:
        """A counter's or gauge's current value."""
        if name in self._gauges:
            return self._gauges[name]()
        return self._counters[(name, tuple(sorted(labels.items())))]

    def render(self) -> str:
        """Everything, as Prometheus text."""
        lines: list[str] = []
        for name in sorted(self._help):
            kind, help_text = self._help[name]
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
            if kind == "gauge":
                lines.append(f"{name} {self._gauges[name]():g}")
                continue
            for (counter, labels), amount in sorted(self._counters.items()):
                if counter == name:
                    lines.append(f"{name}{_labels(labels)} {amount}")
        return "\n".join(lines) + "\n"


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
