"""HubSpot's Files API v3 (multipart upload, stat by path, signed URLs) and its https file host (hubfs)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from linkus_companion.sim.file_store import FORM_LIMITS, FileStore, StoredFile, serve
from linkus_companion.sim.hubspot_api import Fault, with_faults
from linkus_companion.sim.hubspot_errors import ApiError, bad_request, error
from linkus_companion.sim.hubspot_oauth import OAuthServer
from linkus_companion.sim.hubspot_store import iso

ACCESS = (
    "PUBLIC_INDEXABLE",
    "PUBLIC_NOT_INDEXABLE",
    "HIDDEN_INDEXABLE",
    "HIDDEN_NOT_INDEXABLE",
    "HIDDEN_PRIVATE",
    "PRIVATE",
    "HIDDEN_SENSITIVE",
    "SENSITIVE",
)
PRIVATE = frozenset({"HIDDEN_PRIVATE", "PRIVATE", "HIDDEN_SENSITIVE", "SENSITIVE"})
"""Files whose URL needs a signed, expiring link; the others are fetched by URL alone."""
MAX_FILE_BYTES = 2 * 1024**3
SIGNED_URL_SECONDS = 3600
TYPES = {"wav": "AUDIO", "mp3": "AUDIO", "png": "IMG", "jpg": "IMG", "pdf": "DOCUMENT"}
SCOPE = "files"


@dataclass(frozen=True)
class HubFile:
    """A file manager entry."""

    id: str
    folder: str
    name: str
    """Without the extension (HubSpot keeps it apart)."""
    extension: str
    access: str
    stored: StoredFile
    created: dt.datetime
    updated: dt.datetime

    @property
    def path(self) -> str:
        """`/folder/name.ext`."""
        return (
            f"{self.folder}/{self.name}.{self.extension}" if self.extension else f"{self.folder}/{self.name}"
        )


class FilesApi:
    """`/files/v3/files...` on the API host; the bytes are served by `host_routes()` on the file host."""

    def __init__(
        self, oauth: OAuthServer, hub_id: int, file_host: Callable[[], str], faults: list[Fault]
    ) -> None:
        self._oauth = oauth
        self._faults = faults
        self._hub_id = hub_id
        self._file_host = file_host
        self.store = FileStore()
        self.files: dict[str, HubFile] = {}
        self._ids = itertools.count(180_000_000_001)
        self._signed: dict[str, tuple[str, float]] = {}

    def routes(self) -> list[Route]:
        """The API routes."""
        guard = self._guard
        return [
            Route("/files/v3/files", guard(self._upload), methods=["POST"]),
            Route("/files/v3/files/stat/{path:path}", guard(self._stat), methods=["GET"]),
            Route("/files/v3/files/{file_id}/signed-url", guard(self._signed_url), methods=["GET"]),
            Route("/files/v3/files/{file_id}", guard(self._get), methods=["GET"]),
            Route("/files/v3/files/{file_id}", guard(self._delete), methods=["DELETE"]),
        ]

    def host_routes(self) -> list[Route]:
        """The file host: `/hubfs/{hub_id}/{path}` (public files) and signed links (private ones)."""
        return [Route("/hubfs/{hub}/{path:path}", self._download, methods=["GET", "HEAD"])]

    def by_url(self, url: str) -> HubFile | None:
        """The file a (public) file URL names."""
        return next((f for f in self.files.values() if self._url(f) == url), None)

    # --- API ---------------------------------------------------------------------------------------

    def _guard(
        self, handler: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def guarded(request: Request) -> Response:
            try:
                self._oauth.authenticate(request, SCOPE)
                return await with_faults(self._faults, request, handler)
            except ApiError as exc:
                return exc.response()

        return guarded

    async def _upload(self, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise bad_request("Upload the file as multipart/form-data", "file")
        async with request.form(**FORM_LIMITS) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise bad_request("Missing file part", "file")
            options = _options(form.get("options"))
            folder = _folder(form.get("folderPath"), form.get("folderId"))
            file_name = str(form.get("fileName") or upload.filename or "")
            if not file_name:
                raise bad_request("Give fileName or a file name in the part", "fileName")
            if (upload.size or 0) > MAX_FILE_BYTES:
                raise error(413, "VALIDATION_ERROR", "File is larger than the 2 GB limit")
            name, _, extension = file_name.rpartition(".") if "." in file_name else (file_name, "", "")
            existing = next(
                (
                    f
                    for f in self.files.values()
                    if f.folder == folder and (f.name, f.extension) == (name, extension)
                ),
                None,
            )
            if existing is not None and not options.get("overwrite"):
                name = f"{name}-{secrets.token_hex(3)}"  # HubSpot renames rather than replaces
                existing = None
            file_id = existing.id if existing is not None else str(next(self._ids))
            stored = await self.store.save(file_id, upload, name=file_name)
        now = dt.datetime.now(dt.UTC)
        entry = HubFile(
            file_id,
            folder,
            name,
            extension.lower(),
            options["access"],
            stored,
            existing.created if existing else now,
            now,
        )
        self.files[file_id] = entry
        return JSONResponse(self._view(entry), status_code=201)

    async def _get(self, request: Request) -> Response:
        return JSONResponse(self._view(self._file(request)))

    async def _stat(self, request: Request) -> Response:
        path = "/" + unquote(request.path_params["path"]).strip("/")
        found = next((f for f in self.files.values() if f.path == path), None)
        if found is None:
            raise error(404, "OBJECT_NOT_FOUND", f"No file or folder at {path[:200]}")
        return JSONResponse({"file": self._view(found), "folder": None})

    async def _signed_url(self, request: Request) -> Response:
        found = self._file(request)
        token = secrets.token_urlsafe(24)
        expires = time.time() + SIGNED_URL_SECONDS
        self._signed[token] = (found.id, expires)
        url = f"{self._url(found)}?token={token}"
        body = {
            "url": url,
            "expiresAt": iso(dt.datetime.fromtimestamp(expires, dt.UTC)),
            "name": found.name,
            "extension": found.extension,
            "type": TYPES.get(found.extension, "OTHER"),
            "size": found.stored.size,
        }
        return JSONResponse(body)

    async def _delete(self, request: Request) -> Response:
        found = self._file(request)
        del self.files[found.id]
        self.store.remove(found.id)
        return Response(status_code=204)

    # --- file host ---------------------------------------------------------------------------------

    async def _download(self, request: Request) -> Response:
        path = "/" + unquote(request.path_params["path"])
        found = next((f for f in self.files.values() if f.path == path), None)
        if found is None or request.path_params["hub"] != str(self._hub_id):
            return PlainTextResponse("Not found\n", status_code=404)
        if found.access in PRIVATE:
            signed = self._signed.get(request.query_params.get("token", ""))
            if signed is None or signed[0] != found.id or signed[1] < time.time():
                return PlainTextResponse("Forbidden\n", status_code=403)
        return serve(found.stored)

    def _file(self, request: Request) -> HubFile:
        found = self.files.get(request.path_params["file_id"])
        if found is None:
            raise error(404, "OBJECT_NOT_FOUND", "File not found")
        return found

    def _url(self, entry: HubFile) -> str:
        return f"{self._file_host()}/hubfs/{self._hub_id}{quote(entry.path)}"

    def _view(self, entry: HubFile) -> dict[str, Any]:
        view = {
            "id": entry.id,
            "createdAt": iso(entry.created),
            "updatedAt": iso(entry.updated),
            "archived": False,
            "parentFolderId": str(abs(hash(entry.folder)) % 10**11),
            "name": entry.name,
            "path": entry.path,
            "size": entry.stored.size,
            "type": TYPES.get(entry.extension, "OTHER"),
            "extension": entry.extension,
            "access": entry.access,
            "isUsableInContent": entry.access not in PRIVATE,
            "encoding": "",
        }
        if entry.access not in PRIVATE:
            view["url"] = view["defaultHostingUrl"] = self._url(entry)
        return view


def _options(raw: object) -> dict[str, Any]:
    try:
        options = json.loads(str(raw)) if raw is not None else None
    except ValueError:
        options = None
    if not isinstance(options, dict) or options.get("access") not in ACCESS:
        raise bad_request(f"options must be JSON with access one of {', '.join(ACCESS)}", "options")
    return options


def _folder(path: object, folder_id: object) -> str:
    if path is None and folder_id is None:
        raise bad_request("Either folderId or folderPath is required", "folderPath")
    text = str(path) if path is not None else f"/folder-{folder_id}"
    return "/" + text.strip("/")
