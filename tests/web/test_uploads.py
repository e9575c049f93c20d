"""Upload size limits: the request body is refused (413, with the reason) before it is read when
its declared length is over the limit, and while it streams when it has none; nothing is stored."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope, Send

from backrehab.db import make_engine
from backrehab.db.models import AnalysisJob, Media
from backrehab.web.app import create_app
from backrehab.web.services.jobs import UploadLimits
from backrehab.web.uploads import FORM_OVERHEAD_BYTES, BodySizeLimit, body_limit_bytes
from tests.web.apps import App, sign_in

LIMIT = 100


def _scope(path: str = "/api/v1/x", length: int | None = None) -> Scope:
    headers = [(b"content-type", b"application/octet-stream")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http", "method": "POST", "path": path, "headers": headers,
            "query_string": b"", "root_path": ""}  # fmt: skip


class _Client:
    """The client side of one request: body chunks to hand out, and what was sent back."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.handed = 0
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        if self.handed == len(self.chunks):
            return {"type": "http.disconnect"}
        self.handed += 1
        more = self.handed < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[self.handed - 1], "more_body": more}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(next(m["status"] for m in self.sent if m["type"] == "http.response.start"))

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


class _Reader:
    """An app that reads the whole body and answers 200 with its size (or 400 if reading
    fails, as a framework does)."""

    def __init__(self) -> None:
        self.called = False
        self.read = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        status = 200
        try:
            while True:
                message = await receive()
                self.read += len(message.get("body", b""))
                if not message.get("more_body"):
                    break
        except Exception:  # noqa: BLE001 - a framework turns a failed read into a 400
            status = 400
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": str(self.read).encode()})


def _run(client: _Client, scope: Scope) -> _Reader:
    inner = _Reader()
    asyncio.run(BodySizeLimit(inner, max_bytes=LIMIT)(scope, client.receive, client.send))
    return inner


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    """A Content-Length over the limit gets a 413 with the reason, without the app being called
    or a byte of the body being read."""
    client = _Client([b"x" * (LIMIT + 1)])
    inner = _run(client, _scope(length=LIMIT + 1))
    assert client.status == 413
    assert "too large" in json.loads(client.body)["error"]
    assert not inner.called
    assert client.handed == 0


def test_a_chunked_body_is_stopped_once_it_passes_the_limit() -> None:
    """Without a Content-Length the body is counted while it streams: reading stops at the chunk
    that passes the limit, and the 413 replaces whatever the app answered."""
    client = _Client([b"x" * 40, b"x" * 40, b"x" * 40, b"x" * 40])
    inner = _run(client, _scope())
    assert client.status == 413
    assert "too large" in json.loads(client.body)["error"]
    assert client.handed == 3, "no chunk is read after the one over the limit"
    assert [m["type"] for m in client.sent] == ["http.response.start", "http.response.body"]
    assert inner.read == 80


def test_a_body_at_the_limit_goes_through() -> None:
    """A body of exactly the limit (declared or chunked) reaches the app whole."""
    for scope in (_scope(length=LIMIT), _scope()):
        client = _Client([b"x" * 60, b"x" * 40])
        inner = _run(client, scope)
        assert client.status == 200
        assert inner.read == LIMIT


def test_the_limit_is_the_larger_upload_limit_plus_the_form() -> None:
    """The request limit is the larger of the photo and video limits plus the form overhead."""
    limits = UploadLimits(photo_bytes=1_000, video_bytes=5_000)
    assert body_limit_bytes(limits) == 5_000 + FORM_OVERHEAD_BYTES


def _stored(app: App) -> tuple[int, int, list[Path]]:
    engine = make_engine(app.settings.database_url)
    try:
        with Session(engine) as session:
            media = session.scalar(select(func.count()).select_from(Media)) or 0
            jobs = session.scalar(select(func.count()).select_from(AnalysisJob)) or 0
    finally:
        engine.dispose()
    files = sorted(p for p in app.settings.media_dir.rglob("*") if p.is_file())
    return media, jobs, files


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = "walkboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nposture\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="param"\r\n\r\nside\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    body = head + b"\xff\xd8\xff" + b"0" * size + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _chunks(data: bytes, size: int = 16_384) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_too_large_uploads_are_refused_and_store_nothing(app: App) -> None:
    """Through the app, an upload over the limit (declared length, or chunked without one) is a
    413 naming the limit, as JSON under /api and as a page elsewhere; no media file, media row
    or job is stored, and the next request is served as usual."""
    settings = app.settings.model_copy(update={"max_photo_mb": 0.01, "max_video_mb": 0.02})
    body, content_type = _multipart(2 * body_limit_bytes(settings.upload_limits))
    api = f"/api/v1/patients/{app.world.p1}/media"
    page = f"/clinic/patients/{app.world.p1}/upload"
    with TestClient(create_app(settings), follow_redirects=False) as client:
        sign_in(client, app.world.emails["clinician"])
        before = _stored(app)  # after the start-up, which runs the queued analysis
        headers: dict[str, Any] = {"content-type": content_type}
        declared = client.post(api, content=body, headers=headers)
        assert declared.status_code == 413
        assert declared.json()["error"] == (
            "The request is too large: uploads are limited to 0.02 MB."
        )
        chunked = client.post(api, content=_chunks(body), headers=headers)
        assert chunked.status_code == 413
        assert "too large" in chunked.json()["error"]
        shown = client.post(page, content=_chunks(body), headers=headers)
        assert shown.status_code == 413
        assert "uploads are limited to 0.02 MB" in shown.text
        assert shown.headers["content-type"].startswith("text/html")
        assert shown.headers["x-frame-options"] == "DENY", "the refusal has the security headers"
        assert client.get(f"/api/v1/patients/{app.world.p1}").status_code == 200
    assert _stored(app) == before
