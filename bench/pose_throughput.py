"""Pose throughput: our end-to-end ``analyze`` against a bare MediaPipe loop, in one run.

For each shared clip, measured back to back in the same process:
  (a) bare loop   - OpenCV decode, BGR->RGB, ``pose.process`` with the same settings, nothing else;
  (b) end to end  - ``backrehab analyze`` without overlay and without cache (hash, decode, pose,
                    main-person check, cleaning, view, angles, pose file, CSVs, summary).
Prints frames/s of both and the ratio b/a (target >= 0.95), then peak memory (max RSS) of each
for the longest clip, each measured in a fresh subprocess.

Each clip is measured ``--repeat`` times, a and b alternating in order; the best wall time of each
is kept (the least disturbed run). The CPU time of the process (all threads) is reported too: on a
shared machine whose load average exceeds its cores, wall-clock ratios measure the neighbours,
and the CPU-time ratio is the figure to trust. Load averages are printed before and after.

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


Timing = tuple[int, float, float]  # frames, wall seconds, CPU seconds (all threads)


def bare_loop(path: Path) -> Timing:
    """Frames, wall and CPU seconds for decode + pose.process only."""
    import cv2
    import mediapipe as mp

    pose = mp.solutions.pose.Pose(
        static_image_mode=False,
        model_complexity=1,
        smooth_landmarks=False,
        enable_segmentation=False,
    )
    start, cpu = time.perf_counter(), time.process_time()
    cap = cv2.VideoCapture(str(path))
    frames = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        frames += 1
    cap.release()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    pose.close()
    return frames, elapsed, cpu


def end_to_end(path: Path, out_dir: Path) -> Timing:
    """Frames, wall and CPU seconds for ``backrehab analyze --no-overlay --no-cache``."""
    from backrehab.cli import run_analysis
    from backrehab.config import AnalysisConfig

    start, cpu = time.perf_counter(), time.process_time()
    summary = run_analysis(
        path, out_dir, config=AnalysisConfig(), overlay=False, use_cache=False, show_progress=False
    )
    return int(summary["frames"]), time.perf_counter() - start, time.process_time() - cpu


def warm_up() -> None:
    """Import everything both loops use, so neither pays for imports inside its timing."""
    import cv2  # noqa: F401
    import mediapipe  # noqa: F401

    import backrehab.cli
    import backrehab.pose.outputs
    import backrehab.pose.pipeline  # noqa: F401


def row(name: str, a: Timing, b: Timing) -> str:
    """One clip's line: frames, wall fps of a and b, their ratio and the CPU-time ratio."""
    fa, fb = a[0] / a[1], b[0] / b[1]
    ca, cb = a[0] / a[2], b[0] / b[2]
    return f"{name:40s} {a[0]:6d} {fa:6.1f} {fb:6.1f} {fb / fa:6.3f} {cb / ca:7.3f}"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages and the number of cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


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
    warm_up()
    print(f"before: {load_average()}")
    best: dict[str, dict[Path, Timing]] = {"a": {}, "b": {}}
    cpu_s: dict[str, float] = {"a": 0.0, "b": 0.0}
    header = f"{'clip':40s} {'frames':>6s} {'a fps':>6s} {'b fps':>6s} {'b/a':>6s} {'cpu b/a':>7s}"
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeat):
            for i, clip in enumerate(clips):
                order = ("a", "b") if (i + rep) % 2 == 0 else ("b", "a")
                for which in order:
                    if which == "a":
                        got = bare_loop(clip)
                    else:
                        got = end_to_end(clip, Path(tmp) / clip.stem)
                    cpu_s[which] += got[2]
                    kept = best[which].get(clip)
                    if kept is None or got[1] < kept[1]:
                        best[which][clip] = got
                    if kept is not None and got[0] != kept[0]:
                        sys.exit(f"{clip.name}: frame count changed between repeats")
                if rep == args.repeat - 1:
                    print(row(clip.name, best["a"][clip], best["b"][clip]))
    frames = {k: sum(t[0] for t in best[k].values()) for k in best}
    fps_a = frames["a"] / sum(t[1] for t in best["a"].values())
    fps_b = frames["b"] / sum(t[1] for t in best["b"].values())
    cpu_a = frames["a"] * args.repeat / cpu_s["a"]
    cpu_b = frames["b"] * args.repeat / cpu_s["b"]
    print(f"{'TOTAL':40s} {frames['a']:6d} {fps_a:6.1f} {fps_b:6.1f} {fps_b / fps_a:6.3f}")
    ratio = fps_b / fps_a
    print(f"wall: a {fps_a:.1f} fps, b {fps_b:.1f} fps, ratio b/a = {ratio:.3f} (target >= 0.95)")
    print(
        f"cpu:  a {cpu_a:.1f} frames per CPU-second, b {cpu_b:.1f}, ratio b/a = {cpu_b / cpu_a:.3f}"
    )
    print(f"after: {load_average()}")

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
