"""The vendored browser pose assets (MediaPipe tasks-vision wasm and pose ``.task`` models).

Input: the files under ``static/vendor/mediapipe/`` (built by ``make assets``) and the committed
manifest ``assets-manifest.sha256`` (sha256sum format). Output: :func:`assets_status`, which
names what is missing or changed, so the live page can refuse with a clear message.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from backrehab.errors import BackrehabError

WEB_DIR: Final = Path(__file__).resolve().parent
#: Where ``make assets`` puts the vendored files (git-ignored, shipped in the wheel).
VENDOR_DIR: Final = WEB_DIR / "static" / "vendor" / "mediapipe"
#: The committed copy of the manifest: what the vendored files must match, byte for byte.
MANIFEST_PATH: Final = WEB_DIR / "assets-manifest.sha256"
#: The manifest written next to the vendored files (same content as :data:`MANIFEST_PATH`).
MANIFEST_NAME: Final = "SHA256SUMS"

#: Pinned exactly: 1.x versions send usage data to a third party (docs/browser-assets.md).
TASKS_VISION_VERSION: Final = "0.10.35"
#: Source of the pose models only; never served to the browser.
POSE_PACKAGE_VERSION: Final = "0.5.1675469404"

#: Paths, relative to :data:`VENDOR_DIR`, of what the live page loads.
BUNDLE: Final = "vision_bundle.mjs"
WASM_DIR: Final = "wasm"
MODELS: Final = {
    "lite": "models/pose_landmarker_lite.task",
    "full": "models/pose_landmarker_full.task",
}
LICENSE_NAME: Final = "LICENSE-mediapipe.txt"

REBUILD_HINT: Final = "run `make assets` (it needs npm once, to fetch the pinned packages)"

_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9._/-]+)$")
_CHUNK_BYTES: Final = 1 << 20


class AssetsError(BackrehabError):
    """The browser pose assets are missing, changed, or cannot be built or verified."""


@dataclass(frozen=True)
class AssetsStatus:
    """How the vendored files compare with the committed manifest.

    Attributes
    ----------
    vendor_dir
        The directory that was checked.
    missing
        Files the manifest lists that are not there.
    changed
        Files whose sha256 differs from the manifest.
    unexpected
        Files present that the manifest does not list.
    """

    vendor_dir: Path
    missing: tuple[str, ...]
    changed: tuple[str, ...]
    unexpected: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when every listed file is present and intact and nothing else is there."""
        return not (self.missing or self.changed or self.unexpected)

    @property
    def problems(self) -> str:
        """What is wrong, e.g. ``missing: a, b; changed: c`` ('' when :attr:`ok`)."""
        parts = []
        if self.missing:
            parts.append(f"missing: {_names(self.missing)}")
        if self.changed:
            parts.append(f"changed: {_names(self.changed)}")
        if self.unexpected:
            parts.append(f"not in the manifest: {_names(self.unexpected)}")
        return "; ".join(parts)

    @property
    def message(self) -> str:
        """One plain sentence for the patient page or the terminal ('' when :attr:`ok`)."""
        if self.ok:
            return ""
        return (
            "Live coaching in the browser is unavailable: the pose files are not installed "
            f"correctly in {self.vendor_dir} ({self.problems}). The server administrator "
            f"should {REBUILD_HINT}."
        )


def _names(paths: tuple[str, ...], limit: int = 4) -> str:
    shown = ", ".join(paths[:limit])
    return shown if len(paths) <= limit else f"{shown} and {len(paths) - limit} more"


def parse_manifest(text: str, *, source: str) -> dict[str, str]:
    """Read sha256sum-format lines (``<64 hex>  <relative path>``) into ``{path: sha256}``.

    Raises
    ------
    AssetsError
        On a malformed line, a repeated path, an absolute path or ``..``, or an empty manifest.
    """
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LINE.match(line)
        if match is None:
            raise AssetsError(
                f"The asset manifest {source} has a malformed line {number}.",
                detail=f"expected '<sha256>  <relative path>', got {line!r}",
            )
        digest, rel = match.groups()
        if rel.startswith("/") or ".." in rel.split("/"):
            raise AssetsError(f"The asset manifest {source} names an unsafe path: {rel!r}.")
        if rel in entries:
            raise AssetsError(f"The asset manifest {source} lists {rel!r} twice.")
        entries[rel] = digest
    if not entries:
        raise AssetsError(f"The asset manifest {source} is empty.")
    return entries


def format_manifest(entries: dict[str, str]) -> str:
    """sha256sum-format text, sorted by path (``sha256sum -c SHA256SUMS`` accepts it)."""
    return "".join(f"{entries[rel]}  {rel}\n" for rel in sorted(entries))


def read_manifest(path: Path = MANIFEST_PATH) -> dict[str, str]:
    """The manifest at ``path`` as ``{relative path: sha256}``.

    Raises
    ------
    AssetsError
        When the file is missing or malformed.
    """
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssetsError(f"The asset manifest {path} cannot be read.", detail=str(exc)) from exc
    return parse_manifest(text, source=str(path))


_hash_cache: dict[tuple[str, int, int, int], str] = {}


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file; remembered per (path, size, mtime, inode) so repeat checks are fast."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    cached = _hash_cache.get(key)
    if cached is not None:
        return cached
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    _hash_cache[key] = digest.hexdigest()
    return _hash_cache[key]


def hash_tree(root: Path, *, include_manifest: bool = False) -> dict[str, str]:
    """``{relative path: sha256}`` of every regular file under ``root``.

    ``SHA256SUMS`` at the top is left out unless ``include_manifest`` (it cannot list itself).
    """
    hashes = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and (include_manifest or rel != MANIFEST_NAME):
            hashes[rel] = sha256_file(path)
    return hashes


def expected_files(manifest: dict[str, str]) -> dict[str, str]:
    """The manifest's entries plus ``SHA256SUMS`` itself, whose content is the manifest."""
    sums = hashlib.sha256(format_manifest(manifest).encode("ascii")).hexdigest()
    return {**manifest, MANIFEST_NAME: sums}


def compare(root: Path, manifest: dict[str, str]) -> AssetsStatus:
    """Compare every file under ``root`` (``SHA256SUMS`` included) with ``manifest``."""
    expected = expected_files(manifest)
    actual = hash_tree(root, include_manifest=True) if root.is_dir() else {}
    return AssetsStatus(
        vendor_dir=root,
        missing=tuple(sorted(set(expected) - set(actual))),
        changed=tuple(sorted(r for r in expected if r in actual and actual[r] != expected[r])),
        unexpected=tuple(sorted(set(actual) - set(expected))),
    )


def assets_status(vendor_dir: Path = VENDOR_DIR, manifest: Path = MANIFEST_PATH) -> AssetsStatus:
    """Whether the vendored browser assets are present and match the committed manifest.

    Hashes about 27 MB on the first call (about 0.1 s), then only re-hashes files whose size or
    modification time changed.

    Raises
    ------
    AssetsError
        When the committed manifest itself is missing or malformed (a packaging error).
    """
    return compare(vendor_dir, read_manifest(manifest))


def require_assets(vendor_dir: Path = VENDOR_DIR, manifest: Path = MANIFEST_PATH) -> None:
    """Raise :class:`AssetsError` with :attr:`AssetsStatus.message` unless the assets are intact."""
    status = assets_status(vendor_dir, manifest)
    if not status.ok:
        raise AssetsError(status.message)
