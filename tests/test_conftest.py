"""The shared-media guard of the test suite: a skip on a developer's machine, a failure in CI."""

from __future__ import annotations

import pytest

from tests.conftest import missing_shared_media


def test_missing_shared_media_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``CI`` a missing clip skips the test, naming it."""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"clip\.mp4"):
        missing_shared_media("clip.mp4")


def test_missing_shared_media_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under ``CI=1`` a missing clip fails the test: CI never passes by skipping."""
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match=r"missing in CI: clip\.mp4"):
        missing_shared_media("clip.mp4")
