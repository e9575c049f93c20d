"""Vendored browser pose assets: manifest check, reproducible build, integrity refusal, and the
built ``.task`` models against the server's ``mp.solutions.pose`` on a real photo."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from scripts import vendor_pose_assets as vpa

from backrehab.web.assets import (
    LICENSE_NAME,
    MANIFEST_NAME,
    MANIFEST_PATH,
    MODELS,
    VENDOR_DIR,
    AssetsError,
    assets_status,
    compare,
    format_manifest,
    parse_manifest,
    read_manifest,
    require_assets,
)

#: Worst normalised-coordinate difference allowed from mp.solutions.pose (BlazePose Full). The
#: full .task holds the very landmark network of the server's wheel (measured 0.002; a wrong
#: input normalisation of either model gives 0.011-0.019), the lite one a smaller network (0.011).
LANDMARK_TOLERANCE = {"full": 0.006, "lite": 0.03}


@pytest.fixture(scope="session")
def tarball_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two pinned npm tarballs, fetched once per session with ``npm pack`` (npm's cache)."""
    dest = tmp_path_factory.mktemp("npm-tarballs")
    try:
        vpa.npm_pack(vpa.PACKAGES, dest)
    except AssetsError as exc:
        pytest.fail(f"cannot fetch the pinned tarballs to test the build: {exc}")
    return dest


@pytest.fixture(scope="session")
def built(tarball_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of the assets into a temporary directory."""
    out = tmp_path_factory.mktemp("build-a")
    vpa.build(out, vpa.fetch(out, tarball_dir))
    return out


def _fake_tree(root: Path) -> dict[str, str]:
    """A small vendored-like tree with its SHA256SUMS; returns the manifest."""
    (root / "models").mkdir(parents=True)
    (root / "a.js").write_text("a")
    (root / "models" / "m.task").write_bytes(b"model")
    manifest = vpa.hash_tree(root)
    (root / MANIFEST_NAME).write_text(format_manifest(manifest))
    return manifest


def test_vendored_assets_match_the_committed_manifest() -> None:
    """The assets `make assets` built are exactly those the committed manifest lists."""
    status = assets_status()
    assert status.ok, f"{status.message} (`make test` runs `make assets` first)"
    require_assets()
    assert vpa.main(["--check"]) == 0


def test_committed_manifest_lists_what_the_page_loads() -> None:
    """The manifest pins the bundle, the SIMD wasm runtime, both models and the licence."""
    assert set(read_manifest()) == {
        "vision_bundle.mjs",
        "wasm/vision_wasm_internal.js",
        "wasm/vision_wasm_internal.wasm",
        *MODELS.values(),
        LICENSE_NAME,
    }


def test_vendored_files_have_no_telemetry_endpoint() -> None:
    """The served JavaScript holds none of the 1.x usage-logging beacon (pinned 0.10.35)."""
    for rel in ("vision_bundle.mjs", "wasm/vision_wasm_internal.js"):
        text = (VENDOR_DIR / rel).read_text(encoding="utf-8")
        for marker in ("odml.pa.googleapis.com", "x-goog-api-key", "_mediapipeLogger"):
            assert marker not in text, f"{marker} in {rel}"


def test_licence_ships_apache_text_and_attribution() -> None:
    """LICENSE-mediapipe.txt states the sources, the modification and the full Apache-2.0 text."""
    text = (VENDOR_DIR / LICENSE_NAME).read_text(encoding="utf-8")
    assert text.startswith("MediaPipe, Copyright The MediaPipe Authors, Apache-2.0;")
    assert "@mediapipe/tasks-vision@0.10.35" in text
    assert "@mediapipe/pose@0.5.1675469404" in text
    assert "TFLite metadata added" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text


@pytest.mark.slow
def test_build_is_reproducible(built: Path, tarball_dir: Path, tmp_path: Path) -> None:
    """Two builds give byte-identical files, equal to the committed manifest."""
    second = tmp_path / "build-b"
    second.mkdir()
    manifest_b = vpa.build(second, vpa.fetch(second, tarball_dir))
    manifest_a = parse_manifest((built / MANIFEST_NAME).read_text(), source="build a")
    assert manifest_a == manifest_b == read_manifest()
    assert (built / MANIFEST_NAME).read_bytes() == (second / MANIFEST_NAME).read_bytes()
    assert compare(second, read_manifest()).ok


@pytest.mark.slow
def test_task_bundle_layout(built: Path) -> None:
    """Each .task holds exactly the two stored, aligned models under MediaPipe's member names."""
    import zipfile

    for rel in MODELS.values():
        with zipfile.ZipFile(built / rel) as bundle:
            infos = bundle.infolist()
            assert [i.filename for i in infos] == [vpa.TASK_DETECTOR, vpa.TASK_LANDMARKS]
            for info in infos:
                assert info.compress_type == zipfile.ZIP_STORED
                assert info.date_time == vpa.ZIP_DATE_TIME
                assert bundle.read(info)[4:8] == vpa.TFLITE_ID


@pytest.mark.slow
@pytest.mark.video
@pytest.mark.parametrize("variant", sorted(MODELS))
def test_task_models_find_the_pose_of_solutions_pose(
    variant: str, built: Path, media_dir: Path
) -> None:
    """Python PoseLandmarker with our .task finds 33 landmarks close to mp.solutions.pose."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    bgr = cv2.imread(str(media_dir / "standing_front_01.jpg"))
    assert bgr is not None
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        reference = pose.process(rgb).pose_landmarks
    assert reference is not None
    expected = np.array([[p.x, p.y] for p in reference.landmark])

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(built / MODELS[variant])),
        running_mode=vision.RunningMode.IMAGE,
        num_poses=1,
    )
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
    assert len(result.pose_landmarks) == 1
    found = np.array([[p.x, p.y] for p in result.pose_landmarks[0]])
    assert found.shape == (33, 2)
    worst = float(np.abs(found - expected).max())
    assert worst < LANDMARK_TOLERANCE[variant], f"{variant}: worst landmark differs by {worst:.3f}"


def test_tampered_tarball_is_refused(tarball_dir: Path, tmp_path: Path) -> None:
    """A tarball one byte off its pinned sha512 is refused, naming the package, and nothing is
    vendored."""
    bad = tmp_path / "tarballs"
    shutil.copytree(tarball_dir, bad)
    path = bad / vpa.POSE.tarball_name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    vendor_dir = tmp_path / "vendor" / "mediapipe"
    with pytest.raises(AssetsError, match=r"Refusing the tarball of @mediapipe/pose@") as info:
        vpa.vendor(vendor_dir, MANIFEST_PATH, tarball_dir=bad)
    assert vpa.POSE.integrity in info.value.detail
    assert not vendor_dir.exists()
    assert list(vendor_dir.parent.iterdir()) == []


@pytest.mark.slow
def test_build_differing_from_the_manifest_is_refused(tarball_dir: Path, tmp_path: Path) -> None:
    """A build whose output differs from the committed manifest is refused and not installed."""
    manifest = read_manifest()
    manifest["vision_bundle.mjs"] = "0" * 64
    manifest_path = tmp_path / "manifest.sha256"
    manifest_path.write_text(format_manifest(manifest))
    vendor_dir = tmp_path / "vendor" / "mediapipe"
    with pytest.raises(AssetsError, match=r"differ from the committed manifest .*vision_bundle"):
        vpa.vendor(vendor_dir, manifest_path, tarball_dir=tarball_dir)
    assert not vendor_dir.exists()


def test_integrity_string_matches_npm_format() -> None:
    """integrity_of gives npm's 'sha512-<base64>' form (known vector: the empty string)."""
    assert vpa.integrity_of(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


def test_loader_listing_other_files_is_refused() -> None:
    """The detector bytes are used only when the loader lists exactly pose_detection.tflite at 0."""
    data = b"\x1c\x00\x00\x00TFL3" + bytes(24)
    good = {"filename": vpa.DETECTOR_PATH_IN_LOADER, "start": 0, "end": len(data)}

    def loader(files: list[dict[str, object]]) -> bytes:
        meta = {"files": files, "remote_package_size": len(data)}
        return f"var x=1;\nloadPackage({json.dumps(meta)})\n}})();".encode()

    assert vpa.detector_tflite(data, loader([good])) == data
    other = {"filename": "/x/other.tflite", "start": 0, "end": 4}
    for files in ([good, other], [{**good, "start": 8}], [{**good, "filename": "/x/a.tflite"}]):
        with pytest.raises(AssetsError, match=r"not exactly pose_detection\.tflite at start 0"):
            vpa.detector_tflite(data, loader(files))
    with pytest.raises(AssetsError, match="not a TFLite model"):
        vpa.detector_tflite(bytes(len(data)), loader([good]))
    with pytest.raises(AssetsError, match="no loadPackage metadata"):
        vpa.detector_tflite(data, b"nothing here")


def test_status_names_missing_changed_and_unexpected_files(tmp_path: Path) -> None:
    """assets_status lists each kind of difference and the message says to run make assets."""
    root = tmp_path / "mediapipe"
    manifest = _fake_tree(root)
    assert compare(root, manifest).ok
    assert compare(root, manifest).message == ""
    (root / "a.js").write_text("tampered")
    (root / "models" / "m.task").unlink()
    (root / "extra.js").write_text("x")
    status = compare(root, manifest)
    assert not status.ok
    assert status.changed == ("a.js",)
    assert status.missing == ("models/m.task",)
    assert status.unexpected == ("extra.js",)
    assert "missing: models/m.task" in status.message
    assert "make assets" in status.message


def test_status_of_an_absent_directory_lists_everything(tmp_path: Path) -> None:
    """With no vendored directory every manifest entry, SHA256SUMS included, is missing."""
    status = compare(tmp_path / "absent", {"a.js": "0" * 64})
    assert status.missing == (MANIFEST_NAME, "a.js")


def test_require_assets_raises_the_status_message(tmp_path: Path) -> None:
    """require_assets refuses with the same plain message the live page shows."""
    manifest_path = tmp_path / "manifest.sha256"
    manifest_path.write_text(format_manifest({"a.js": "0" * 64}))
    with pytest.raises(AssetsError, match="Live coaching in the browser is unavailable"):
        require_assets(tmp_path / "absent", manifest_path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("abc  a.js\n", "malformed line 1"),
        (f"{'0' * 64}  ../a.js\n", "unsafe path"),
        (f"{'0' * 64}  /etc/a\n", "unsafe path"),
        (f"{'0' * 64}  a.js\n{'1' * 64}  a.js\n", "twice"),
    ],
    ids=["empty", "short-digest", "parent", "absolute", "repeated"],
)
def test_malformed_manifest_is_refused(text: str, problem: str) -> None:
    """A manifest with a bad line, an unsafe or repeated path, or no entry is refused."""
    with pytest.raises(AssetsError, match=problem):
        parse_manifest(text, source="m")


def test_check_mode_exits_2_naming_the_changed_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check on a tampered copy exits 2 and names the file; on an intact copy exits 0."""
    root = tmp_path / "mediapipe"
    manifest = _fake_tree(root)
    manifest_path = tmp_path / "manifest.sha256"
    manifest_path.write_text(format_manifest(manifest))
    args = ["--check", "--vendor-dir", str(root), "--manifest", str(manifest_path)]
    assert vpa.main(args) == 0
    (root / "models" / "m.task").write_bytes(b"other model")
    assert vpa.main(args) == 2
    assert "changed: models/m.task" in capsys.readouterr().err


def test_intact_assets_are_left_alone_without_npm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the files match the manifest nothing is rebuilt and npm is not needed."""
    root = tmp_path / "mediapipe"
    manifest = _fake_tree(root)
    manifest_path = tmp_path / "manifest.sha256"
    manifest_path.write_text(format_manifest(manifest))
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert "up to date" in vpa.vendor(root, manifest_path)
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before


def test_missing_npm_is_said_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without npm on PATH the build stops with a message saying to install npm."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(AssetsError, match=r"npm is needed .* apt-get install npm"):
        vpa.npm_pack(vpa.PACKAGES, tmp_path)
