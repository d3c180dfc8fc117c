"""The simulated PBX's clock and its date/time display formats (system/information, REST CDR)."""

from __future__ import annotations

import datetime as dt
import re

DATE_FORMATS = ("YYYY/MM/DD", "MM/DD/YYYY", "DD/MM/YYYY")
TIME_FORMATS = ("hh:mm:ss", "HH:mm:ss", "hh:mm:ss A")
_TOKENS = {"YYYY": "%Y", "MM": "%m", "DD": "%d", "HH": "%H", "hh": "%H", "mm": "%M", "ss": "%S", "A": "%p"}
_TOKEN_RE = re.compile("|".join(sorted(_TOKENS, key=len, reverse=True)))


def _strftime_pattern(fmt: str) -> str:
    """Translate a PBX display format into a strftime pattern; 12-hour clock iff it has an `A` marker."""
    pattern = _TOKEN_RE.sub(lambda m: _TOKENS[m.group(0)], fmt)
    return pattern.replace("%H", "%I") if "%p" in pattern else pattern


class PbxClock:
    """Wall-clock time in the PBX's time zone, rendered in its display and event formats."""

    def __init__(
        self, tz: dt.tzinfo = dt.UTC, date_format: str = "YYYY/MM/DD", time_format: str = "hh:mm:ss"
    ) -> None:
        if date_format not in DATE_FORMATS or time_format not in TIME_FORMATS:
            raise ValueError(f"unsupported display format {date_format!r} {time_format!r}")
        self.tz = tz
        self.skew = dt.timedelta(0)
        """How far this PBX's clock is ahead of the real time (a PBX without NTP drifts)."""
        self.date_format = date_format
        self.time_format = time_format
        self._display = f"{_strftime_pattern(date_format)} {_strftime_pattern(time_format)}"

    def now(self) -> dt.datetime:
        """The current time, aware, in the PBX time zone."""
        return dt.datetime.now(self.tz) + self.skew

    def display(self, when: dt.datetime) -> str:
        """`when` in the PBX date/time display format (REST CDR `time`, cdr/search bounds)."""
        return when.astimezone(self.tz).strftime(self._display)

    def parse_display(self, text: str) -> dt.datetime:
        """Parse a display-format string (raises ValueError) into an aware datetime."""
        return dt.datetime.strptime(text.strip(), self._display).replace(tzinfo=self.tz)

    def event_time(self, when: dt.datetime) -> str:
        """`YYYY-MM-DD HH:mm:ss`, the fixed format of 30012 `time_start`."""
        return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")

    def system_time(self, when: dt.datetime) -> str:
        """`YYYY/MM/DD HH:mm:ss` (system/information `system_time`, system events' `create_time`)."""
        return when.astimezone(self.tz).strftime("%Y/%m/%d %H:%M:%S")

    def compact(self, when: dt.datetime) -> str:
        """`YYYYMMDDHHMMSS`, the prefix of recording file names."""
        return when.astimezone(self.tz).strftime("%Y%m%d%H%M%S")
