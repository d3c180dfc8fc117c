"""Open API plumbing: the errcode envelope, typed errors, parameter checks and pagination."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

ERRMSG = {
    -1: "FAILURE",
    0: "SUCCESS",
    10001: "INTERFACE NOT EXISTED",
    10003: "API VERSION UNSUPPORTED",
    10004: "TOKEN EXPIRED",
    40001: "PARAMETER SYNTAX ERROR",
    40002: "PARAMETER ERROR",
    40003: "DUPLICATE KEY VALUE",
    60001: "DATA NOT FOUND",
    70004: "ACCOUNT IP BLOCKED",
    70082: "OVERLOAD_TASK_RUNNING",
    70091: "CONNECTION_RELATION_EXISTED",
    70093: "PHONEBOOK_NOT_EXISTED",
}
MAX_PAGE_SIZE = 10_000


def envelope(errcode: int = 0, **fields: Any) -> dict[str, Any]:
    """`{"errcode": .., "errmsg": .., **fields}`."""
    return {"errcode": errcode, "errmsg": ERRMSG[errcode], **fields}


class ApiError(Exception):
    """An API-level failure, answered with HTTP 200 and its errcode."""

    def __init__(self, errcode: int, **fields: Any) -> None:
        super().__init__(ERRMSG[errcode])
        self.body = envelope(errcode, **fields)


def invalid(field: str, validation_type: str = "required") -> ApiError:
    """40002 PARAMETER ERROR naming one field."""
    return ApiError(40002, invalid_param_list=[{"field": field, "validation_type": validation_type}])


@dataclass(frozen=True)
class ApiRequest:
    """One endpoint call: merged query/body parameters, the caller's IP and access token."""

    params: dict[str, Any]
    ip: str
    token: str

    def get(self, name: str, default: Any = None) -> Any:
        """A parameter, or `default` when absent or empty."""
        value = self.params.get(name)
        return default if value is None or value == "" else value

    def required(self, *names: str) -> list[Any]:
        """The named parameters; 40002 listing every missing one."""
        missing = [n for n in names if self.get(n) is None]
        if missing:
            raise ApiError(
                40002, invalid_param_list=[{"field": n, "validation_type": "required"} for n in missing]
            )
        return [self.params[n] for n in names]

    def integer(self, name: str, default: int | None = None) -> int:
        """An integer parameter (query strings included); 40002 when required and missing or not a number."""
        value = self.get(name, default)
        if value is None:
            raise invalid(name)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise invalid(name, "integer") from None

    def page(
        self,
        rows: list[dict[str, Any]],
        sort_keys: tuple[str, ...] = ("id",),
        sort_on: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Sort (`sort_by` then id, `order_by`; `sort_on` maps a key to the field that orders it) and slice
        (`page`, `page_size`) list/search rows."""
        sort_by = self.get("sort_by", "id")
        if sort_by not in sort_keys:
            raise invalid("sort_by", "enum")
        sort_by = (sort_on or {}).get(sort_by, sort_by)
        order = self.get("order_by", "asc")
        if order not in ("asc", "desc"):
            raise invalid("order_by", "enum")
        size = self.integer("page_size", MAX_PAGE_SIZE)
        number = self.integer("page", 1)
        if not 1 <= size <= MAX_PAGE_SIZE or number < 1:
            raise invalid("page_size" if number >= 1 else "page", "range")
        ordered = sorted(rows, key=lambda r: (r[sort_by], r["id"]), reverse=order == "desc")
        return envelope(total_number=len(rows), data=ordered[(number - 1) * size : number * size])


Handler = Callable[[ApiRequest], Awaitable[dict[str, Any]]]
Routes = dict[tuple[str, str], Handler]
