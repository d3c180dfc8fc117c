"""How the CRM has been answering: fine, or failing since when and why, from every request the engine makes."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from linkus_companion.crm.base import Connector, CrmError, NotFound, ValidationFailed
from linkus_companion.texts import text_of

log = logging.getLogger(__name__)

ANSWERED = (NotFound, ValidationFailed)
"""Errors that mean the CRM is up and answered: the request was wrong, the link is fine."""


@dataclass(frozen=True)
class CrmTrouble:
    """The CRM is failing: the last error (typed, with the user's sentence) and since when."""

    error: CrmError
    since: dt.datetime

    @property
    def reason(self) -> str:
        """The sentence to show (a `texts.Text` when the connector wrote one)."""
        return text_of(self.error)


class CrmHealth:
    """Follows the outcome of every CRM request: a failure shows at once, the next success clears it.

    Listeners are called with the new trouble (None: healthy again) on every change, and on every
    request when `each_request` asked for it (e.g. to recount the waiting call logs).
    """

    def __init__(self, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._clock = clock
        self.trouble: CrmTrouble | None = None
        self._listeners: list[tuple[Callable[[CrmTrouble | None], None], bool]] = []

    def add_listener(
        self, listener: Callable[[CrmTrouble | None], None], *, each_request: bool = False
    ) -> Callable[[], None]:
        """Call `listener(trouble)` on changes (and after each request with `each_request`); returns unsubscribe."""
        entry = (listener, each_request)
        self._listeners.append(entry)
        return lambda: self._listeners.remove(entry)

    def succeeded(self) -> None:
        """A request got an answer."""
        changed = self.trouble is not None
        if changed:
            log.info("the CRM answers again")
        self.trouble = None
        self._tell(changed)

    def failed(self, error: CrmError) -> None:
        """A request failed with `error`."""
        if isinstance(error, ANSWERED):
            self.succeeded()
            return
        previous = self.trouble
        since = previous.since if previous is not None else self._clock()
        self.trouble = CrmTrouble(error, since)
        self._tell(
            previous is None or type(previous.error) is not type(error) or str(previous.error) != str(error)
        )

    def _tell(self, changed: bool) -> None:
        for listener, each_request in list(self._listeners):
            if changed or each_request:
                listener(self.trouble)


class _Watched:
    """A connector whose coroutine methods report their outcome to a `CrmHealth`."""

    def __init__(self, inner: Connector, health: CrmHealth) -> None:
        self._inner = inner
        self._health = health

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(value):
            return value
        health = self._health

        @functools.wraps(value)
        async def watched(*args: Any, **kwargs: Any) -> Any:
            try:
                result = await value(*args, **kwargs)
            except CrmError as exc:
                health.failed(exc)
                raise
            health.succeeded()
            return result

        return watched


def watched(connector: Connector, health: CrmHealth) -> Connector:
    """`connector` reporting every request's outcome to `health` (same methods, same errors)."""
    return cast(Connector, _Watched(connector, health))
