"""Pose throughput: our end-to-end ``analyze`` against a bare MediaPipe loop, in one run.

For each shared clip, measured back to back in the same process:
  (a) bare loop   - OpenCV decode, BGR->RGB, ``pose.process`` with the same settings, nothing else;
  (b) end to end  - ``backrehab analyze`` without overlay and without cache (hash, decode, pose,
                    main-person check, cleaning, view, angles, pose file, CSVs, summary).
Prints frames/s of both and the ratio b/a (target >= 0.95), then peak memory (max RSS) of each
for the longest clip, each measured in a fresh subprocess.

Usage: python bench/pose_throughput.py [--media DIR] [--clips N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def bare_loop(path: Path) -> tuple[int, float]:
    """Frames and seconds for decode + pose.process only."""
    import cv2
    import mediapipe as mp

    pose = mp.solutions.pose.Pose(
        static_image_mode=False,
        model_complexity=1,
        smooth_landmarks=False,
        enable_segmentation=False,
    )
    cap = cv2.VideoCapture(str(path))
    frames = 0
    start = time.perf_counter()
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        frames += 1
    elapsed = time.perf_counter() - start
    cap.release()
    pose.close()
    return frames, elapsed


def end_to_end(path: Path, out_dir: Path) -> tuple[int, float]:
    """Frames and seconds for ``backrehab analyze --no-overlay --no-cache``."""
    from backrehab.cli import run_analysis
    from backrehab.config import AnalysisConfig

    start = time.perf_counter()
    summary = run_analysis(
        path, out_dir, config=AnalysisConfig(), overlay=False, use_cache=False, show_progress=False
    )
    return int(summary["frames"]), time.perf_counter() - start


def peak_rss_mb(code: str) -> float:
    """Max resident set size (MB) of a fresh Python running ``code``, as it reports itself."""
    report = "; import resource; print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    done = subprocess.run(
        [sys.executable, "-c", code + report], check=True, cwd=REPO, capture_output=True, text=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RSS "))
    return int(line.split()[1]) / 1024.0


def frame_count(path: Path) -> int:
    """Frames in a clip according to its container."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_media = Path(os.environ.get("BACKREHAB_MEDIA_DIR", REPO.parent / "shared/data/media"))
    parser.add_argument("--media", type=Path, default=default_media)
    parser.add_argument("--clips", type=int, default=0, help="only the first N clips (0 = all)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    clips = sorted(args.media.glob("*.mp4"))
    if args.clips:
        clips = clips[: args.clips]
    if not clips:
        sys.exit(f"no clips in {args.media}")
    os.environ.setdefault("GLOG_minloglevel", "2")
    totals = {"a": [0, 0.0], "b": [0, 0.0]}
    print(f"{'clip':42s} {'frames':>6s} {'a fps':>7s} {'b fps':>7s} {'b/a':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeat):
            for i, clip in enumerate(clips):
                order = ("a", "b") if (i + rep) % 2 == 0 else ("b", "a")
                result = {}
                for which in order:
                    if which == "a":
                        result["a"] = bare_loop(clip)
                    else:
                        result["b"] = end_to_end(clip, Path(tmp) / clip.stem)
                for k in ("a", "b"):
                    totals[k][0] += result[k][0]
                    totals[k][1] += result[k][1]
                fa = result["a"][0] / result["a"][1]
                fb = result["b"][0] / result["b"][1]
                print(f"{clip.name:42s} {result['a'][0]:6d} {fa:7.1f} {fb:7.1f} {fb / fa:6.3f}")
    fps_a = totals["a"][0] / totals["a"][1]
    fps_b = totals["b"][0] / totals["b"][1]
    print(f"{'TOTAL':42s} {totals['a'][0]:6d} {fps_a:7.1f} {fps_b:7.1f} {fps_b / fps_a:6.3f}")
    print(f"ratio b/a = {fps_b / fps_a:.3f} (target >= 0.95)")

    longest = max(clips, key=frame_count)
    bench = json.dumps(str(Path(__file__).resolve().parent))
    code_a = (
        f"import sys; sys.path.insert(0, {bench}); import pose_throughput as p; "
        f"p.bare_loop(__import__('pathlib').Path({json.dumps(str(longest))}))"
    )
    code_b = (
        f"import sys, tempfile, pathlib; sys.path.insert(0, {bench}); "
        f"import pose_throughput as p; "
        f"p.end_to_end(pathlib.Path({json.dumps(str(longest))}), "
        f"pathlib.Path(tempfile.mkdtemp()))"
    )
    rss_a = peak_rss_mb(code_a)
    rss_b = peak_rss_mb(code_b)
    print(
        f"peak memory on {longest.name}: bare loop {rss_a:.0f} MB, analyze {rss_b:.0f} MB "
        f"(ratio {rss_b / rss_a:.2f})"
    )


if __name__ == "__main__":
    main()
