"""Shared fixtures: where the real media live, and the bundled clips that always exist."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NoReturn

import pytest

from backrehab.pose.posefile import PoseCache
from tests.dbfixtures import (  # one PostgreSQL server for the whole session
    db_url,
    engine,
    postgres_server,
    postgres_url,
    session,
)

__all__ = ["db_url", "engine", "postgres_server", "postgres_url", "session"]

REPO = Path(__file__).resolve().parents[1]
BUNDLED_MEDIA = REPO / "tests" / "data" / "media"
DEMO_CLIP = REPO / "src" / "backrehab" / "_demo" / "squat_rear_barbell.mp4"


def shared_media_dir() -> Path:
    """``$BACKREHAB_MEDIA_DIR`` or ``../shared/data/media`` next to the repository."""
    env = os.environ.get("BACKREHAB_MEDIA_DIR")
    return Path(env) if env else REPO.parent / "shared" / "data" / "media"


def missing_shared_media(what: object) -> NoReturn:
    """Stop a test whose shared media is missing: a skip with a visible reason, a failure under
    ``CI`` (CI never passes by skipping)."""
    if os.environ.get("CI"):
        pytest.fail(f"shared media missing in CI: {what}")
    pytest.skip(f"shared media not found: {what} (set BACKREHAB_MEDIA_DIR)")


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """The shared real media; skips with a visible reason when absent (never in CI)."""
    path = shared_media_dir()
    if not (path / "labels.json").exists():
        missing_shared_media(path)
    return path


@pytest.fixture(scope="session")
def labels(media_dir: Path) -> list[dict[str, Any]]:
    """The hand labels of the shared media (labels.json)."""
    data: list[dict[str, Any]] = json.loads((media_dir / "labels.json").read_text())
    return data


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> PoseCache:
    """One pose cache for the whole session, so every real clip is estimated once."""
    return PoseCache(tmp_path_factory.mktemp("shared-pose-cache"))


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the CLI's pose cache out of the user's home during tests."""
    monkeypatch.setenv("BACKREHAB_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
