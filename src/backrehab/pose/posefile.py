"""Save and load :class:`PoseSequence` in the ``.pose.npz`` format, and the pose cache.

Format (documented in ``docs/pose-file-format.md``): a compressed NumPy ``.npz`` zip with the
arrays ``t_s``, ``frame_index``, ``image_px``, ``visibility``, ``world_m`` and a JSON string
``meta`` (format name, version, :class:`SourceInfo`). Writes are atomic (temporary file, then
rename).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Final

import numpy as np

from backrehab.errors import PoseFileError
from backrehab.pose.sequence import PoseSequence, SourceInfo

logger = logging.getLogger(__name__)

FORMAT_NAME: Final = "backrehab.pose"
FORMAT_VERSION: Final = 1
SUFFIX: Final = ".pose.npz"
_ARRAYS: Final = ("t_s", "frame_index", "image_px", "visibility", "world_m")


def save_pose(sequence: PoseSequence, path: str | os.PathLike[str]) -> Path:
    """Write ``sequence`` to ``path`` atomically and return the path.

    The file is written next to its destination under a temporary name and renamed into place, so
    a crash never leaves a half-written pose file where a complete one is expected.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "source": sequence.source.to_dict(),
    }
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(
                handle,
                meta=np.array(json.dumps(meta)),
                **{name: getattr(sequence, name) for name in _ARRAYS},
            )
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def load_pose(path: str | os.PathLike[str]) -> PoseSequence:
    """Read a pose file written by :func:`save_pose`.

    Raises
    ------
    PoseFileError
        If the file is missing, not a pose file, of another format version, or inconsistent.
    """
    source_path = Path(path)
    try:
        with np.load(source_path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in (*_ARRAYS, "meta")}
    except FileNotFoundError as exc:
        raise PoseFileError(f"Pose file not found: {source_path}") from exc
    except KeyError as exc:
        raise PoseFileError(
            f"{source_path.name} is not a backrehab pose file.", detail=f"missing array {exc}"
        ) from exc
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as exc:
        raise PoseFileError(
            f"{source_path.name} is not a readable pose file.", detail=str(exc)
        ) from exc
    try:
        meta = json.loads(str(arrays.pop("meta")))
    except json.JSONDecodeError as exc:
        raise PoseFileError(f"{source_path.name} has corrupt metadata.", detail=str(exc)) from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise PoseFileError(f"{source_path.name} is not a backrehab pose file.")
    if meta.get("version") != FORMAT_VERSION:
        raise PoseFileError(
            f"{source_path.name} uses pose format version {meta.get('version')}; "
            f"this backrehab reads version {FORMAT_VERSION}. Analyse the media again."
        )
    source = SourceInfo.from_dict(dict(meta["source"]))
    return PoseSequence(source=source, **arrays)


class PoseCache:
    """Pose files keyed by the media's content hash and the extraction settings.

    Inference runs once per (file content, settings): ``get`` returns the stored sequence or None.
    Entries live at ``ROOT/ab/<sha256>-<settings fingerprint>.pose.npz``.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str, settings_fingerprint: str) -> Path:
        """Where the entry for this content and these settings lives."""
        if len(sha256) < 8 or not all(c in "0123456789abcdef" for c in sha256):
            raise PoseFileError("Cache key must be a hex content hash.", detail=sha256)
        return self.root / sha256[:2] / f"{sha256}-{settings_fingerprint}{SUFFIX}"

    def get(self, sha256: str, settings_fingerprint: str) -> PoseSequence | None:
        """The cached sequence, or None when absent.

        A damaged entry is removed (with a warning) and reported absent, so inference runs again.
        """
        path = self.path_for(sha256, settings_fingerprint)
        if not path.exists():
            return None
        try:
            return load_pose(path)
        except PoseFileError as exc:
            logger.warning("discarding damaged pose cache entry %s: %s", path.name, exc)
            path.unlink(missing_ok=True)
            return None

    def put(self, sequence: PoseSequence) -> Path:
        """Store ``sequence`` under its source's hash and settings fingerprint."""
        src = sequence.source
        return save_pose(sequence, self.path_for(src.sha256, src.settings_fingerprint))
