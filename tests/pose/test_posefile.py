"""Pose files round-trip exactly, refuse what they cannot trust, and back the cache."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from backrehab.errors import PoseFileError
from backrehab.pose.posefile import PoseCache, load_pose, save_pose
from backrehab.pose.sequence import PoseSequence
from tests.synth import Posture, sequence_of


def _seq() -> PoseSequence:
    seq = sequence_of([Posture(knee_flexion=k) for k in (0, 30, 60)], yaw_deg=90.0)
    image = seq.image_px.copy()
    image[1] = np.nan  # a frame without a person
    src = dataclasses.replace(seq.source, sha256="ab" * 32, settings_fingerprint="f00d")
    return seq.replace(image_px=image, source=src)


def test_round_trip_is_exact(tmp_path: Path) -> None:
    """Saving and loading gives back the same arrays (NaN included) and metadata."""
    seq = _seq()
    loaded = load_pose(save_pose(seq, tmp_path / "a.pose.npz"))
    for name in ("t_s", "frame_index", "image_px", "visibility", "world_m"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(seq, name))
    assert loaded.source == seq.source
    assert loaded.detected.tolist() == [True, False, True]


def test_arrays_are_read_only() -> None:
    """A sequence's arrays cannot be modified in place."""
    seq = _seq()
    with pytest.raises(ValueError, match="read-only"):
        seq.image_px[0, 0, 0] = 1.0


def test_inconsistent_shapes_are_refused() -> None:
    """Arrays whose frame counts disagree raise a PoseFileError naming the array."""
    seq = _seq()
    with pytest.raises(PoseFileError) as info:
        seq.replace(visibility=np.ones((2, 33)))
    assert "visibility" in info.value.detail


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04garbage"])
def test_corrupt_file_is_refused(tmp_path: Path, content: bytes) -> None:
    """A file that is not a pose file raises PoseFileError, not a numpy error."""
    path = tmp_path / "bad.pose.npz"
    path.write_bytes(content)
    with pytest.raises(PoseFileError):
        load_pose(path)


def test_other_format_version_is_refused(tmp_path: Path) -> None:
    """A pose file of another format version asks the user to analyse again."""
    seq = _seq()
    meta = json.dumps({"format": "backrehab.pose", "version": 99, "source": seq.source.to_dict()})
    path = tmp_path / "v99.pose.npz"
    np.savez(
        path,
        meta=np.array(meta),
        t_s=seq.t_s,
        frame_index=seq.frame_index,
        image_px=seq.image_px,
        visibility=seq.visibility,
        world_m=seq.world_m,
    )
    with pytest.raises(PoseFileError, match="version 99"):
        load_pose(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    """Loading a missing pose file says it is not found."""
    with pytest.raises(PoseFileError, match="not found"):
        load_pose(tmp_path / "nope.pose.npz")


def test_cache_keys_on_hash_and_settings(tmp_path: Path) -> None:
    """The cache returns a stored sequence only for the same content hash and settings."""
    cache = PoseCache(tmp_path)
    seq = _seq()
    assert cache.get(seq.source.sha256, "f00d") is None
    cache.put(seq)
    hit = cache.get(seq.source.sha256, "f00d")
    assert hit is not None
    np.testing.assert_array_equal(hit.world_m, seq.world_m)
    assert cache.get(seq.source.sha256, "beef") is None
    assert cache.get("cd" * 32, "f00d") is None


def test_corrupt_cache_entry_is_discarded(tmp_path: Path) -> None:
    """A damaged cache entry is removed and reported as a miss, so inference runs again."""
    cache = PoseCache(tmp_path)
    seq = _seq()
    path = cache.put(seq)
    path.write_bytes(b"damaged")
    assert cache.get(seq.source.sha256, "f00d") is None
    assert not path.exists()


def test_failed_save_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while writing leaves the previous file intact and no temporary file behind."""
    seq = _seq()
    target = save_pose(seq, tmp_path / "a.pose.npz")
    before = target.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", boom)
    with pytest.raises(OSError, match="disk full"):
        save_pose(seq, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.pose.npz"]
