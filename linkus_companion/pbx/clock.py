"""The PBX's local time zone and date/time display formats, converted to and from aware UTC datetimes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_TOKENS = {"YYYY": "%Y", "MM": "%m", "DD": "%d", "HH": "%H", "hh": "%H", "mm": "%M", "ss": "%S", "A": "%p"}
_TOKEN_RE = re.compile("|".join(sorted(_TOKENS, key=len, reverse=True)))
_EVENT_FORMAT = "%Y-%m-%d %H:%M:%S"
_SYSTEM_FORMAT = "%Y/%m/%d %H:%M:%S"
_OFFSET_STEP = 15 * 60


def _strftime(fmt: str) -> str:
    """A PBX display format as a strftime pattern; a 12-hour clock iff it has an `A` (AM/PM) marker."""
    pattern = _TOKEN_RE.sub(lambda m: _TOKENS[m.group(0)], fmt)
    return pattern.replace("%H", "%I") if "%p" in pattern else pattern


@dataclass(frozen=True)
class PbxClock:
    """How the PBX writes times: its UTC offset and its display format (from system/information)."""

    utc_offset: dt.timedelta = dt.timedelta(0)
    date_format: str = "YYYY/MM/DD"
    time_format: str = "HH:mm:ss"

    @classmethod
    def from_system_time(
        cls, system_time: str, timestamp: int, date_format: str, time_format: str
    ) -> PbxClock:
        """Derive the offset from `system_time` (local, `YYYY/MM/DD HH:mm:ss`) and `timestamp` (unix)."""
        local = dt.datetime.strptime(system_time.strip(), _SYSTEM_FORMAT).replace(tzinfo=dt.UTC)
        seconds = (local - dt.datetime.fromtimestamp(timestamp, dt.UTC)).total_seconds()
        rounded = round(seconds / _OFFSET_STEP) * _OFFSET_STEP
        return cls(dt.timedelta(seconds=rounded), date_format, time_format)

    @property
    def tz(self) -> dt.timezone:
        """The PBX's time zone as a fixed offset."""
        return dt.timezone(self.utc_offset)

    def display(self, when: dt.datetime) -> str:
        """`when` in the display format (cdr/search `start_time` / `end_time`)."""
        pattern = f"{_strftime(self.date_format)} {_strftime(self.time_format)}"
        return when.astimezone(self.tz).strftime(pattern)

    def parse_display(self, text: str) -> dt.datetime:
        """A display-format time (REST CDR `time`) as UTC; ValueError when it does not fit."""
        pattern = f"{_strftime(self.date_format)} {_strftime(self.time_format)}"
        return self._utc(dt.datetime.strptime(text.strip(), pattern))

    def parse_event(self, text: str) -> dt.datetime:
        """A `YYYY-MM-DD HH:mm:ss` local time (30012 `time_start`) as UTC; ValueError when malformed."""
        return self._utc(dt.datetime.strptime(text.strip(), _EVENT_FORMAT))

    def _utc(self, naive_local: dt.datetime) -> dt.datetime:
        return naive_local.replace(tzinfo=self.tz).astimezone(dt.UTC)
