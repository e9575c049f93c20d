"""Write an analysis to a folder: pose file, angles.csv, angle_flags.csv, overlay, summary.json.

Input: an :class:`~backrehab.pose.pipeline.AnalysisResult` and the media it came from. Output:
files in ``out_dir`` (each written atomically), returned as a name -> path mapping.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from backrehab.pose.angles import Reliability
from backrehab.pose.extract import ProgressCallback
from backrehab.pose.pipeline import AnalysisResult
from backrehab.pose.posefile import SUFFIX, save_pose

FLAG_TEXT = {
    Reliability.SOUND: "",
    Reliability.MISSING: "missing",
    Reliability.OUT_OF_PLANE: "out_of_plane",
    Reliability.FAR_SIDE: "far_side",
    Reliability.DEPTH_ESTIMATED: "depth_estimated",
}


def atomic_write_text(path: Path, text: str) -> None:
    """Write text via a temporary file in the same folder and a rename (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def angles_csv(result: AnalysisResult) -> str:
    """CSV text: ``time_s, frame, view, yaw_deg`` then ``<angle>_deg`` per angle.

    A value that is not sound (missing, out of the camera plane, far side, depth estimated) is
    left empty; the reason is in :func:`angle_flags_csv`.
    """
    a = result.angles
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["time_s", "frame", "view", "yaw_deg", *[f"{n}_deg" for n in a.names]])
    sound = {name: a.sound(name) for name in a.names}
    for i in range(len(a.t_s)):
        yaw = a.yaw_deg[i]
        row = [
            f"{a.t_s[i]:.4f}",
            int(result.cleaned.frame_index[i]),
            result.views[i].value,
            "" if not np.isfinite(yaw) else f"{yaw:.1f}",
        ]
        row += ["" if not np.isfinite(sound[n][i]) else f"{sound[n][i]:.2f}" for n in a.names]
        writer.writerow(row)
    return buf.getvalue()


def angle_flags_csv(result: AnalysisResult) -> str:
    """CSV text with the same rows and angle columns as ``angles.csv``: why a value is empty."""
    a = result.angles
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["time_s", *[f"{n}_deg" for n in a.names]])
    for i in range(len(a.t_s)):
        writer.writerow(
            [
                f"{a.t_s[i]:.4f}",
                *[FLAG_TEXT[Reliability(int(a.reliability[n][i]))] for n in a.names],
            ]
        )
    return buf.getvalue()


def write_outputs(
    result: AnalysisResult,
    media_path: Path,
    out_dir: Path,
    *,
    overlay: bool = True,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Path]:
    """Write every output file of an analysis into ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(result.raw.source.file_name or media_path.name).stem
    written: dict[str, Path] = {}
    written["pose"] = save_pose(result.raw, out_dir / f"{stem}{SUFFIX}")
    for name, text in (("angles", angles_csv(result)), ("angle_flags", angle_flags_csv(result))):
        path = out_dir / f"{name}.csv"
        atomic_write_text(path, text)
        written[name] = path
    if overlay:
        from backrehab.pose import overlay as ov

        if result.raw.source.kind == "photo":
            from backrehab.pose.media import read_photo

            rgb, _ = read_photo(media_path)
            written["overlay"] = ov.write_photo_overlay(
                rgb, result.cleaned, result.angles, out_dir / "overlay.png"
            )
        else:
            written["overlay"] = ov.write_video_overlay(
                media_path,
                result.cleaned,
                result.angles,
                out_dir / "overlay.mp4",
                on_progress=on_progress,
            )
    summary = result.summary()
    summary["outputs"] = {k: p.name for k, p in written.items()}
    path = out_dir / "summary.json"
    atomic_write_text(path, json.dumps(summary, indent=2) + "\n")
    written["summary"] = path
    return written
