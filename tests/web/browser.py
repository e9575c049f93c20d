"""Helpers of the browser tests: a real server in a subprocess on a free port, Debian's
Chromium driven by Playwright, and where screenshots go.

Chromium is started headless without sandbox or background networking (this machine's network
is closed, and Chromium would otherwise keep trying to reach Google). Screenshots are written to
``$BACKREHAB_TEST_ARTIFACTS`` (default ``test-artifacts/`` in the repository).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def artifacts_dir() -> Path:
    """Where screenshots of the browser tests are saved (created)."""
    path = Path(os.environ.get("BACKREHAB_TEST_ARTIFACTS", REPO / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def require_chromium() -> None:
    """Skip (visibly) without Debian's Chromium; in CI its absence is a failure."""
    if CHROMIUM.exists() and shutil.which("chromium"):
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is required in CI (make test installs Debian's chromium)")
    pytest.skip("Debian's chromium is not installed (make test installs it)")


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``backrehab serve`` on a free port with its own data folder; yields its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "BACKREHAB_DATA_DIR": str(data_dir),
        "BACKREHAB_SECRET_KEY": "browser-test-secret-" + "k" * 32,
        "BACKREHAB_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    environment.pop("BACKREHAB_DATABASE_URL", None)
    environment.pop("DATABASE_URL", None)
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "backrehab"),
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError(
                    f"server did not start:\n{(data_dir / 'server.log').read_text()}"
                )
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextmanager
def browser(extra_args: list[str] | None = None) -> Iterator[Any]:
    """A Playwright Chromium browser (Debian's binary, never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=False,  # --headless=new is passed as an argument (Debian's build)
            args=[*CHROMIUM_ARGS, *(extra_args or [])],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def screenshot_on_failure(page: Any, name: str) -> Iterator[None]:
    """Keep a screenshot and the page's text when a step inside fails."""
    try:
        yield
    except BaseException:
        folder = artifacts_dir()
        page.screenshot(path=str(folder / f"FAILED-{name}.png"), full_page=True)
        (folder / f"FAILED-{name}.txt").write_text(page.inner_text("body"))
        raise
