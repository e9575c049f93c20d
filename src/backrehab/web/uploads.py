"""Upload size limits: the request body is refused while it arrives, the file again after.

:class:`BodySizeLimit` (pure ASGI middleware, outermost but for the security headers) answers 413
before anything reads the body when the declared ``Content-Length`` is over the limit, and stops a
body without one (chunked) as soon as the bytes received pass it: Starlette would otherwise spool
the whole multipart body to a temporary file before a route sees it. The limit is the larger
upload limit plus :data:`FORM_OVERHEAD_BYTES` for the multipart framing and the other fields.
:func:`read_upload` then holds the file to the same per-request limit (the per-type limit is
checked by content later, in the job service).
"""

from __future__ import annotations

from typing import Final

from fastapi import UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backrehab.errors import MediaTooLargeError
from backrehab.web.services.jobs import UploadLimits

CHUNK_BYTES = 1 << 20
FORM_OVERHEAD_BYTES: Final = 64 * 1024
"""Room for the multipart boundaries, part headers and the small fields beside the file."""


def body_limit_bytes(limits: UploadLimits) -> int:
    """The largest request body the app reads: the larger upload limit plus the form overhead."""
    return max(limits.photo_bytes, limits.video_bytes) + FORM_OVERHEAD_BYTES


class _BodyTooLarge(Exception):
    """Raised to the app from ``receive`` once the body has passed the limit."""


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


class BodySizeLimit:
    """Pure ASGI middleware refusing (413, with the reason) a request body over ``max_bytes``:
    at once for a declared ``Content-Length``, while streaming for a chunked body (whatever the
    app answers to the body it could not finish reading is replaced by the 413)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        over = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, over
            if over:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the app's answer to a body cut short: the 413 below replaces it
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not over or started:
                raise
        if over and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = (
            f"The request is too large: uploads are limited to "
            f"{(self.max_bytes - FORM_OVERHEAD_BYTES) / 1e6:g} MB."
        )
        request = Request(scope, receive)
        response: Response
        if request.url.path.startswith("/api/"):
            response = JSONResponse({"error": message}, status_code=413)
        else:
            from backrehab.web.pages.render import render_error

            response = render_error(request, message, 413)
        response.headers["connection"] = "close"  # the rest of the body is never read
        await response(scope, receive, send)


async def read_upload(file: UploadFile, limits: UploadLimits) -> bytes:
    """The bytes of ``file``, at most the larger of the limits (the type limit is checked by
    content afterwards); :class:`MediaTooLargeError` (413) once it passes that."""
    limit = max(limits.photo_bytes, limits.video_bytes)
    chunks: list[bytes] = []
    size = 0
    while chunk := await file.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise MediaTooLargeError(f"upload: the file is over the {limit / 1e6:g} MB limit")
        chunks.append(chunk)
    return b"".join(chunks)
