"""Build the browser pose assets offline from pinned npm tarballs (``make assets``).

Input: ``@mediapipe/tasks-vision`` and ``@mediapipe/pose`` tarballs (``npm pack``, or a folder
given with ``--tarballs``), checked against pinned sha512 integrity values. Output, in
``src/backrehab/web/static/vendor/mediapipe/``: the wasm runtime, two pose ``.task`` models built
reproducibly, the licence and a ``SHA256SUMS`` manifest that must equal the committed
``src/backrehab/web/assets-manifest.sha256``. Network is used here only, never by the app.

Usage: python scripts/vendor_pose_assets.py [--check] [--tarballs DIR] [--update-manifest]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from backrehab.web.assets import (
    LICENSE_NAME,
    MANIFEST_NAME,
    MANIFEST_PATH,
    MODELS,
    POSE_PACKAGE_VERSION,
    TASKS_VISION_VERSION,
    VENDOR_DIR,
    AssetsError,
    compare,
    format_manifest,
    hash_tree,
    read_manifest,
)


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm package: name, exact version and the sha512 ``integrity`` of its tarball."""

    name: str
    version: str
    integrity: str

    @property
    def spec(self) -> str:
        """``name@version`` as npm takes it."""
        return f"{self.name}@{self.version}"

    @property
    def tarball_name(self) -> str:
        """The file name ``npm pack`` gives the tarball (``@a/b`` becomes ``a-b-<version>.tgz``)."""
        return f"{self.name.removeprefix('@').replace('/', '-')}-{self.version}.tgz"


# Integrity values as published by the registry (`npm view <spec> dist.integrity`), recorded in
# /work/shared/notes/browser-pose-feasibility.md and re-checked on 2026-12-03.
TASKS_VISION: Final = NpmPackage(
    "@mediapipe/tasks-vision",
    TASKS_VISION_VERSION,
    "sha512-HOvadwVRE6JC+45nyYhmnywnr5h/J8KZvOeUNVOG9q/0875pZgItznFB9bRTvLc264YSJqiZ1NsIpCStJw/egg==",
)
POSE: Final = NpmPackage(
    "@mediapipe/pose",
    POSE_PACKAGE_VERSION,
    "sha512-DFZsNWTsSphRIZppnUCuunzBiHP2FdJXR9ehc7mMi4KG+oPaOH0Em3d6kr7Py+TSyTXC1doH88KcF28k2sBxsQ==",
)
PACKAGES: Final = (TASKS_VISION, POSE)

#: The metadata writer whose output the committed manifest records (also the app's pin).
MEDIAPIPE_WRITER_VERSION: Final = "0.10.21"

#: Vendored path -> member of the tasks-vision tarball, copied byte for byte.
COPIED: Final = {
    "vision_bundle.mjs": "package/vision_bundle.mjs",
    "wasm/vision_wasm_internal.js": "package/wasm/vision_wasm_internal.js",
    "wasm/vision_wasm_internal.wasm": "package/wasm/vision_wasm_internal.wasm",
}
DETECTOR_DATA: Final = "package/pose_solution_packed_assets.data"
DETECTOR_LOADER: Final = "package/pose_solution_packed_assets_loader.js"
DETECTOR_PATH_IN_LOADER: Final = (
    "/third_party/mediapipe/modules/pose_detection/pose_detection.tflite"
)
LANDMARK_MODELS: Final = {variant: f"package/pose_landmark_{variant}.tflite" for variant in MODELS}

# Input normalisation added as TFLite metadata (Tasks refuses float inputs without it):
# detector input in [-1, 1] (pose_detection_cpu.pbtxt), landmark model input in [0, 1].
DETECTOR_NORM: Final = (127.5, 127.5)
LANDMARKS_NORM: Final = (0.0, 255.0)
# Member names hard-coded in MediaPipe's pose_landmarker_graph.cc.
TASK_DETECTOR: Final = "pose_detector.tflite"
TASK_LANDMARKS: Final = "pose_landmarks_detector.tflite"
ZIP_DATE_TIME: Final = (1980, 1, 1, 0, 0, 0)
ZIP_ALIGNMENT: Final = 4
TFLITE_ID: Final = b"TFL3"

ATTRIBUTION: Final = (
    "MediaPipe, Copyright The MediaPipe Authors, Apache-2.0; files from npm "
    f"{TASKS_VISION.spec} and {POSE.spec}; .task files built from the latter's models with "
    "TFLite metadata added"
)

_LOADER_METADATA = re.compile(r"loadPackage\((\{.*?\})\)", re.DOTALL)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def integrity_of(data: bytes) -> str:
    """npm's Subresource-Integrity string of ``data``: ``sha512-<base64 digest>``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def verified_tarball(path: Path, package: NpmPackage) -> bytes:
    """The bytes of ``path`` after checking them against the package's pinned integrity.

    Raises
    ------
    AssetsError
        When the file is missing or its sha512 is not the pinned one.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssetsError(f"The tarball of {package.spec} cannot be read: {path}.") from exc
    actual = integrity_of(data)
    if actual != package.integrity:
        raise AssetsError(
            f"Refusing the tarball of {package.spec}: its sha512 integrity is not the pinned "
            "one, so it is not the published package (corrupt download, tampered mirror or "
            "registry change).",
            detail=f"{path}: expected {package.integrity}, got {actual}",
        )
    return data


def npm_pack(packages: Sequence[NpmPackage], dest: Path) -> dict[NpmPackage, Path]:
    """Download the packages' tarballs into ``dest`` with ``npm pack`` (no install scripts run).

    Raises
    ------
    AssetsError
        When npm is not installed or ``npm pack`` fails.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError(
            "npm is needed to fetch the pinned MediaPipe packages, and it was not found on PATH. "
            "Install Node.js with npm (Debian/Ubuntu: apt-get install npm), or pass --tarballs "
            "DIR with the tarballs downloaded elsewhere."
        )
    env = {
        **os.environ,
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    }
    command = [npm, "pack", "--json", "--ignore-scripts", "--prefer-offline"]
    command += ["--pack-destination", str(dest), *(p.spec for p in packages)]
    try:
        done = subprocess.run(  # fixed argument list, no shell
            command, cwd=dest, env=env, capture_output=True, text=True, timeout=900, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise AssetsError("npm pack took more than 15 minutes; is the registry reachable?") from exc
    if done.returncode != 0:
        raise AssetsError(
            "npm pack could not fetch the pinned MediaPipe packages (is the npm registry "
            "reachable?).",
            detail=f"exit {done.returncode}: {done.stderr.strip()[-800:]}",
        )
    paths = {p: dest / p.tarball_name for p in packages}
    for package, path in paths.items():
        if not path.is_file():
            raise AssetsError(
                f"npm pack did not write the tarball of {package.spec}.",
                detail=f"expected {path}; npm said: {done.stdout.strip()[-800:]}",
            )
    return paths


def fetch(dest: Path, tarball_dir: Path | None = None) -> dict[NpmPackage, bytes]:
    """The verified tarball bytes of both packages, from ``tarball_dir`` or from ``npm pack``."""
    if tarball_dir is None:
        paths = npm_pack(PACKAGES, dest)
    else:
        paths = {p: tarball_dir / p.tarball_name for p in PACKAGES}
    return {package: verified_tarball(path, package) for package, path in paths.items()}


def tar_members(tarball: bytes, package: NpmPackage, names: Sequence[str]) -> dict[str, bytes]:
    """Read the named members (and check ``package.json``) from a verified npm tarball."""
    wanted = [*names, "package/package.json"]
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for name in wanted:
            try:
                member = tar.getmember(name)
            except KeyError as exc:
                raise AssetsError(f"The tarball of {package.spec} has no {name}.") from exc
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                raise AssetsError(f"{name} in the tarball of {package.spec} is not a file.")
            out[name] = handle.read()
    meta = json.loads(out.pop("package/package.json"))
    found = (meta.get("name"), meta.get("version"), meta.get("license"))
    if found != (package.name, package.version, "Apache-2.0"):
        raise AssetsError(
            f"The tarball of {package.spec} describes another package or licence.",
            detail=f"package.json name, version, license = {found}",
        )
    return out


def detector_tflite(data: bytes, loader_js: bytes) -> bytes:
    """The pose detector model, which is the whole of ``pose_solution_packed_assets.data``.

    The Emscripten loader's metadata must list exactly one file, ``pose_detection.tflite``,
    from byte 0 to the end of the data, and the bytes must carry the TFLite identifier.

    Raises
    ------
    AssetsError
        When the package layout is not the one this recipe was measured on.
    """
    match = _LOADER_METADATA.search(loader_js.decode("utf-8", errors="replace"))
    if match is None:
        raise AssetsError(
            f"The packed-assets loader of {POSE.spec} has no loadPackage metadata; "
            "the detector cannot be located."
        )
    try:
        metadata = json.loads(match.group(1))
    except json.JSONDecodeError as exc:
        raise AssetsError(
            f"The packed-assets metadata of {POSE.spec} is not JSON.", detail=match.group(1)[:300]
        ) from exc
    expected = [{"filename": DETECTOR_PATH_IN_LOADER, "start": 0, "end": len(data)}]
    files = metadata.get("files")
    if files != expected or metadata.get("remote_package_size") != len(data):
        raise AssetsError(
            f"The packed assets of {POSE.spec} are not exactly pose_detection.tflite at start 0; "
            "refusing to guess which bytes are the detector.",
            detail=f"loader lists {files}, package size {metadata.get('remote_package_size')}, "
            f"data is {len(data)} bytes",
        )
    if data[4:8] != TFLITE_ID:
        raise AssetsError(
            f"The packed detector of {POSE.spec} is not a TFLite model.",
            detail=f"bytes 4-8 are {data[4:8]!r}, expected {TFLITE_ID!r}",
        )
    return data


def check_writer_version() -> None:
    """Refuse another mediapipe than the one the committed manifest was built with."""
    try:
        found = importlib.metadata.version("mediapipe")
    except importlib.metadata.PackageNotFoundError as exc:
        raise AssetsError(
            f"The Python package mediapipe=={MEDIAPIPE_WRITER_VERSION} is needed to build the "
            "pose models (its TFLite metadata writer); install the project with `make run`."
        ) from exc
    if found != MEDIAPIPE_WRITER_VERSION:
        raise AssetsError(
            f"mediapipe {found} is installed, but the pose models are built with "
            f"{MEDIAPIPE_WRITER_VERSION} (the committed manifest records its output).",
        )


def with_input_metadata(model: bytes, name: str, mean: float, std: float) -> bytes:
    """``model`` with TFLite metadata giving its image input's normalisation (mean, std)."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(
        name, f"BlazePose from npm {POSE.spec}; image-input metadata added by backrehab"
    )
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    populated: bytearray = writer.populate()[0]
    return bytes(populated)


def task_bundle(detector: bytes, landmarks: bytes) -> bytes:
    """A pose_landmarker ``.task``: a zip of the two models, stored, 4-byte aligned, fixed time."""
    from mediapipe.tasks.python.metadata.metadata_writers.model_asset_bundle_utils import (
        AlignZipFile,
    )

    buffer = io.BytesIO()
    with AlignZipFile(buffer, mode="w", alignment=ZIP_ALIGNMENT) as bundle:
        for name, data in ((TASK_DETECTOR, detector), (TASK_LANDMARKS, landmarks)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, whatever the build machine
            info.external_attr = 0o644 << 16
            bundle.writestr(info, data)
    return buffer.getvalue()


def license_text() -> str:
    """The Apache-2.0 text as MediaPipe ships it (its wheel's LICENSE), plus the attribution."""
    try:
        full = importlib.metadata.distribution("mediapipe").read_text("LICENSE")
    except importlib.metadata.PackageNotFoundError as exc:
        raise AssetsError("mediapipe is not installed; its LICENSE cannot be copied.") from exc
    if full is None:
        raise AssetsError("The installed mediapipe has no LICENSE file to copy.")
    # The Apache text ends where the notices of unrelated bundled components begin.
    apache = full.split("\n=====", 1)[0].rstrip() + "\n"
    if (
        not apache.lstrip().startswith("Apache License")
        or "Version 2.0, January 2004" not in apache
    ):
        raise AssetsError("mediapipe's LICENSE does not start with the Apache-2.0 text.")
    return f"{ATTRIBUTION}.\n\n{apache}"


def build(out_dir: Path, tarballs: Mapping[NpmPackage, bytes]) -> dict[str, str]:
    """Write every vendored file and ``SHA256SUMS`` into the empty ``out_dir``; return the manifest.

    Deterministic: the same verified tarballs and writer version give byte-identical files.
    """
    check_writer_version()
    vision = tar_members(tarballs[TASKS_VISION], TASKS_VISION, list(COPIED.values()))
    pose = tar_members(
        tarballs[POSE], POSE, [DETECTOR_DATA, DETECTOR_LOADER, *LANDMARK_MODELS.values()]
    )
    files: dict[str, bytes] = {rel: vision[member] for rel, member in COPIED.items()}
    raw_detector = detector_tflite(pose[DETECTOR_DATA], pose[DETECTOR_LOADER])
    detector = with_input_metadata(raw_detector, "pose_detector", *DETECTOR_NORM)
    for variant, member in LANDMARK_MODELS.items():
        landmarks = with_input_metadata(pose[member], "pose_landmarks_detector", *LANDMARKS_NORM)
        files[MODELS[variant]] = task_bundle(detector, landmarks)
    files[LICENSE_NAME] = license_text().encode("utf-8")
    for rel, data in files.items():
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    manifest = hash_tree(out_dir)
    (out_dir / MANIFEST_NAME).write_text(format_manifest(manifest), encoding="ascii")
    return manifest


def _differences(built: Mapping[str, str], committed: Mapping[str, str]) -> str:
    changed = sorted(r for r in built if r in committed and built[r] != committed[r])
    new = sorted(set(built) - set(committed))
    gone = sorted(set(committed) - set(built))
    parts = [
        f"{label}: {', '.join(names)}"
        for label, names in (("changed", changed), ("new", new), ("no longer built", gone))
        if names
    ]
    return "; ".join(parts)


def vendor(
    vendor_dir: Path = VENDOR_DIR,
    manifest_path: Path = MANIFEST_PATH,
    *,
    tarball_dir: Path | None = None,
    update_manifest: bool = False,
) -> str:
    """Make ``vendor_dir`` match the committed manifest, building it only when needed.

    Returns a one-line summary. The new files replace the old ones only after the whole build
    matched the manifest (or ``update_manifest`` rewrote it on purpose).

    Raises
    ------
    AssetsError
        On a refused tarball, a missing tool, or a build that differs from the committed manifest.
    """
    committed = None if update_manifest else read_manifest(manifest_path)
    if committed is not None:
        status = compare(vendor_dir, committed)
        if status.ok:
            return f"browser pose assets up to date ({len(committed)} files in {vendor_dir})"
        if vendor_dir.exists():
            _say(f"rebuilding browser pose assets in {vendor_dir} ({status.problems})")
        else:
            _say(f"building browser pose assets into {vendor_dir}")
    vendor_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix=f".{vendor_dir.name}.build-", dir=vendor_dir.parent
    ) as tmp:
        staging = Path(tmp) / vendor_dir.name
        staging.mkdir()
        download = Path(tmp) / "npm"
        download.mkdir()
        built = build(staging, fetch(download, tarball_dir))
        if committed is not None and built != committed:
            raise AssetsError(
                f"The freshly built browser assets differ from the committed manifest "
                f"{manifest_path} ({_differences(built, committed)}). Either a pinned upstream "
                f"file changed or this toolchain (mediapipe {MEDIAPIPE_WRITER_VERSION}, Python "
                f"{platform.python_version()}) builds differently. If you changed a pinned "
                "version on purpose, rerun with --update-manifest and commit the manifest."
            )
        if vendor_dir.exists():
            shutil.rmtree(vendor_dir)
        staging.rename(vendor_dir)
    if update_manifest:
        manifest_path.write_text(format_manifest(built), encoding="ascii")
        return f"built {len(built)} files into {vendor_dir}; wrote {manifest_path}"
    return f"built {len(built)} files into {vendor_dir}; they match {manifest_path}"


def check(vendor_dir: Path = VENDOR_DIR, manifest_path: Path = MANIFEST_PATH) -> str:
    """Verify ``vendor_dir`` against the committed manifest without building anything.

    Raises
    ------
    AssetsError
        Naming every missing, changed or unexpected file.
    """
    committed = read_manifest(manifest_path)
    status = compare(vendor_dir, committed)
    if not status.ok:
        raise AssetsError(status.message)
    return f"browser pose assets intact: {len(committed)} files match {manifest_path}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; exit 0 on success, 2 with the message on any refusal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="verify only; build nothing")
    parser.add_argument("--tarballs", type=Path, help="use the npm tarballs in DIR (offline)")
    parser.add_argument(
        "--update-manifest",
        action="store_true",
        help="rebuild and rewrite the committed manifest (after changing a pinned version)",
    )
    parser.add_argument("--vendor-dir", type=Path, default=VENDOR_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, default=MANIFEST_PATH, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.check:
            summary = check(args.vendor_dir, args.manifest)
        else:
            summary = vendor(
                args.vendor_dir,
                args.manifest,
                tarball_dir=args.tarballs,
                update_manifest=args.update_manifest,
            )
    except AssetsError as exc:
        sys.stderr.write(f"error: {exc.user_message}\n")
        if exc.detail:
            sys.stderr.write(f"detail: {exc.detail}\n")
        return 2
    _say(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
