"""Request parameters as Zoho reads them: the query string overlaid with a urlencoded form body."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request


async def form_params(request: Request) -> dict[str, str]:
    """Query parameters (as in Zoho's docs) overlaid with `application/x-www-form-urlencoded` fields."""
    params = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = (await request.body()).decode("utf-8", errors="replace")
        params.update(parse_qsl(body, keep_blank_values=True))
    return params
