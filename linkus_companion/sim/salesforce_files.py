"""Salesforce Files: ContentVersion inserts (JSON base64 or multipart), their documents and links, VersionData."""

from __future__ import annotations

import base64
import binascii
import io
import json
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import Headers, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from linkus_companion.sim.file_store import FORM_LIMITS, FileStore, serve
from linkus_companion.sim.salesforce_data import ApiError, Org

MAX_MULTIPART_BYTES = 2 * 1024**3
"""ContentVersion blobs sent as multipart may be up to 2 GB."""
MAX_JSON_BYTES = 37_500_000
"""A base64 VersionData inside JSON may decode to about 37.5 MB (the 50 MB request limit)."""
FILE_TYPES = {"wav": "WAV", "mp3": "MP3", "pdf": "PDF", "png": "PNG", "txt": "TEXT"}


class ContentFiles:
    """The file side of the emulated org: blobs on disk, records in the org's tables."""

    def __init__(self, org: Org) -> None:
        self._org = org
        self.store = FileStore()

    async def insert(self, request: Request, user_id: str, version: str) -> str:
        """POST sobjects/ContentVersion: store the blob, create the document and its first-publish link."""
        kind = request.headers.get("content-type", "")
        if kind.startswith("multipart/form-data"):
            async with request.form(**FORM_LIMITS) as form:
                entity, blob = form.get("entity_content"), form.get("VersionData")
                if not isinstance(entity, str):
                    entity = (await entity.read()).decode() if entity is not None else ""
                if blob is None or isinstance(blob, str):
                    raise ApiError(
                        400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [VersionData]"
                    )
                if (blob.size or 0) > MAX_MULTIPART_BYTES:
                    raise ApiError(400, "STORAGE_LIMIT_EXCEEDED", "The file is larger than 2 GB.")
                return await self._insert(_fields(entity), blob, user_id, version)
        body = _fields((await request.body()).decode())
        encoded = body.pop("VersionData", None)
        if not isinstance(encoded, str):
            raise ApiError(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [VersionData]")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "JSON_PARSER_ERROR", "VersionData is not valid base64") from None
        if len(raw) > MAX_JSON_BYTES:
            raise ApiError(
                400, "STRING_TOO_LONG", "VersionData is too large for a JSON insert; use multipart."
            )
        upload = UploadFile(
            io.BytesIO(raw), size=len(raw), headers=Headers({"content-type": "application/octet-stream"})
        )
        return await self._insert(body, upload, user_id, version)

    def on_records(self) -> dict[str, str]:
        """Record id -> the VersionData URL of the latest file linked to it."""
        versions = {
            v["ContentDocumentId"]: v["VersionData"]
            for v in self._org.records["contentversion"].values()
            if v.get("IsLatest")
        }
        return {
            str(link["LinkedEntityId"]): str(versions[link["ContentDocumentId"]])
            for link in self._org.records["contentdocumentlink"].values()
            if link["ContentDocumentId"] in versions
        }

    def delete_document(self, document_id: str) -> None:
        """Deleting a ContentDocument deletes its versions (and their blobs) and its links, as Salesforce does."""
        for kind, key in (
            ("contentversion", "ContentDocumentId"),
            ("contentdocumentlink", "ContentDocumentId"),
        ):
            for record_id, record in list(self._org.records[kind].items()):
                if record.get(key) == document_id:
                    del self._org.records[kind][record_id]
                    if kind == "contentversion":
                        self.store.remove(record_id)

    def download(self, version_id: str) -> Response:
        """GET sobjects/ContentVersion/{id}/VersionData: the blob, with ranges."""
        stored = self.store.files.get(version_id)
        if stored is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return serve(stored)

    async def _insert(self, fields: dict[str, Any], blob: UploadFile, user_id: str, version: str) -> str:
        fields.pop("VersionData", None)
        path = str(fields.get("PathOnClient") or "")
        extension = PurePosixPath(path).suffix.lstrip(".").lower()
        publish_to = fields.get("FirstPublishLocationId")
        fields.setdefault("Title", PurePosixPath(path).stem)
        version_id = self._org.create("ContentVersion", fields, user_id)
        record = self._org.records["contentversion"][version_id]
        stored = await self.store.save(version_id, blob, name=PurePosixPath(path).name)
        media = {"wav": "audio/wav", "mp3": "audio/mpeg"}.get(extension)
        if media:
            self.store.files[version_id] = replace(stored, content_type=media)
        details = {
            "ContentSize": stored.size,
            "FileExtension": extension,
            "FileType": FILE_TYPES.get(extension, "UNKNOWN"),
        }
        document_id = record.get("ContentDocumentId")
        if not document_id:
            document_id = self._org.create("ContentDocument", {"Title": record["Title"]}, user_id)
            if publish_to:
                link = {
                    "ContentDocumentId": document_id,
                    "LinkedEntityId": publish_to,
                    "ShareType": "I",
                    "Visibility": "AllUsers",
                }
                self._org.create("ContentDocumentLink", link, user_id)
        for previous in self._org.records["contentversion"].values():
            if previous.get("ContentDocumentId") == document_id:
                previous["IsLatest"] = False
        number = 1 + sum(
            1
            for v in self._org.records["contentversion"].values()
            if v.get("ContentDocumentId") == document_id
        )
        record.update(
            details,
            ContentDocumentId=document_id,
            IsLatest=True,
            VersionNumber=str(number),
            VersionData=f"/services/data/v{version}/sobjects/ContentVersion/{version_id}/VersionData",
        )
        document = self._org.records["contentdocument"][document_id]
        document.update(details, LatestPublishedVersionId=version_id, Title=record["Title"])
        return version_id


def _fields(text: str) -> dict[str, Any]:
    try:
        fields = json.loads(text) if text.strip() else None
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "entity_content must be a JSON object of field values.")
    return fields
