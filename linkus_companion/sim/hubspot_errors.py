"""HubSpot's error bodies (spec `Error` plus `status: "error"`) as an exception the emulator raises."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """A failed API call: HTTP status and the JSON body HubSpot would send."""

    def __init__(
        self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(str(body.get("message", "")))
        self.status = status
        self.body = dict(body)
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        """The error as an HTTP response."""
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def error(status: int, category: str, message: str, **extra: Any) -> ApiError:
    """A spec `Error` body: `status`, `message`, `correlationId`, `category` and any extra keys."""
    body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category}
    body.update(extra)
    return ApiError(status, body)


def invalid_properties(problems: list[tuple[str, str, str]]) -> ApiError:
    """400 for (property name, HubSpot error code, message) triples, worded as HubSpot words it."""
    listed = [
        {"isValid": False, "message": message, "error": code, "name": name}
        for name, code, message in problems
    ]
    return error(
        400,
        "VALIDATION_ERROR",
        f"Property values were not valid: {json.dumps(listed)}",
        errors=[
            {"message": message, "code": code, "in": name, "context": {"propertyName": [name]}}
            for name, code, message in problems
        ],
    )


def bad_request(message: str, field: str = "") -> ApiError:
    """400 VALIDATION_ERROR about the request itself (not a property value)."""
    details = [{"message": message, "in": field}] if field else [{"message": message}]
    return error(400, "VALIDATION_ERROR", message, errors=details)


def not_found(object_id: str) -> ApiError:
    """404 OBJECT_NOT_FOUND for a record id."""
    return error(
        404,
        "OBJECT_NOT_FOUND",
        "Object not found.  objectId are usually numeric.",
        context={"id": [object_id]},
    )


def oauth_error(status: int, code: str, legacy_status: str, description: str) -> ApiError:
    """OAuth failure: RFC 6749 `error`/`error_description` plus HubSpot's legacy and spec fields."""
    return ApiError(
        status,
        {
            "error": code,
            "error_description": description,
            "status": legacy_status,
            "message": description,
            "correlationId": str(uuid.uuid4()),
            "category": legacy_status,
        },
    )
