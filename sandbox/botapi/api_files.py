"""The stand-in's file methods: photos, documents, getFile."""

from __future__ import annotations

import io
from typing import Any

import aiohttp

from .errors import bad_request
from .params import Params, UploadedFile
from .state import StoredFile


class FileMethods:
    """Photos, documents, getFile, and reading uploads or URLs (a BotApiServer mixin)."""

    async def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
        upload = params.file(name)
        if upload is not None:
            return self._store_upload(upload, kind)
        reference = params.str(name)
        if not reference:
            raise bad_request(f"there is no {name} in the request")
        if reference in self.files:
            return self.files[reference]
        if reference.startswith(("http://", "https://")):
            data, content_type = await self._fetch(reference)
            name_in_url = reference.rsplit("/", 1)[-1] or name
            return self._store_upload(UploadedFile(name_in_url, content_type, data), kind)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store_upload(self, upload: UploadedFile, kind: str) -> StoredFile:
        if kind == "photo":
            mime_type = upload.content_type if upload.content_type.startswith("image/") else "image/jpeg"
        else:
            mime_type = upload.content_type
        return self.store_file(upload.data, kind=kind, mime_type=mime_type, file_name=upload.filename)

    async def _fetch(self, url: str) -> tuple[bytes, str]:
        try:
            async with self._client().get(url, timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status != 200:
                    raise bad_request("failed to get HTTP URL content")
                return await response.read(), response.content_type
        except (aiohttp.ClientError, TimeoutError):
            raise bad_request("failed to get HTTP URL content") from None

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        return self._http

    # ---- files ---------------------------------------------------------------------------

    async def _api_sendPhoto(self, params: Params) -> dict[str, Any]:
        user = self._chat_to_write(params)
        caption, entities = self._caption(params)
        stored = await self._input_file(params, "photo", "photo")
        return self._send(
            user, params, photo=[_photo_size(stored)], caption=caption, caption_entities=entities
        )

    async def _api_sendDocument(self, params: Params) -> dict[str, Any]:
        user = self._chat_to_write(params)
        caption, entities = self._caption(params)
        stored = await self._input_file(params, "document", "document")
        return self._send(
            user, params, document=_document(stored), caption=caption, caption_entities=entities
        )

    async def _api_getFile(self, params: Params) -> dict[str, Any]:
        stored = self.files.get(params.str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_api()



def _image_size(data: bytes) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None


def _photo_size(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": stored.width or 0,
        "height": stored.height or 0,
        "file_size": len(stored.data),
    }


def _document(stored: StoredFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "mime_type": stored.mime_type,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    return data
