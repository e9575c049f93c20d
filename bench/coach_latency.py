"""Coach latency: per-frame cost of the coach logic, and live end-to-end frames/s on one core.

Measured in one run, side by side:
  (a) coach logic per frame (One-Euro filter, the spec's signals, the engine step; pose inference
      excluded), stepping real landmarks of a clip frame by frame exactly as the live coach does;
      target < 1 ms;
  (b) end-to-end live coaching of a 720p video on one core (decode, pose, coach, no window),
      beside a bare decode + pose loop on the same core; target >= 30 fps.

Usage: python bench/coach_latency.py [--media DIR] [--clip NAME] [--exercise ID]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def coach_logic_ms(clip: Path, exercise: str, repeat: int) -> tuple[float, float, int]:
    """Mean and 95th-percentile ms per frame of the coach logic on the clip's landmarks: what
    ``LiveCoach.step`` (the live path of ``backrehab coach`` and of the browser coach) costs,
    input checks, One-Euro filter, signals, engine and state included."""
    from backrehab.coach.specs import spec_for
    from backrehab.coach.stream import LiveCoach
    from backrehab.pose.extract import extract_pose

    seq = extract_pose(clip)
    spec = spec_for(exercise)
    costs: list[float] = []
    for _ in range(repeat):
        coach = LiveCoach(spec)
        for i in range(seq.n_frames):
            world, vis = seq.world_m[i], seq.visibility[i]
            found = bool(np.isfinite(vis).all())  # no person: both None
            coach.step(float(seq.t_s[i]), world if found else None, vis if found else None)
        costs.extend(coach.costs_ms)
    return float(np.mean(costs)), float(np.percentile(costs, 95)), seq.n_frames


def _one_core(code: str) -> dict[str, float]:
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "GLOG_minloglevel": "2",
    }
    prefix = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    done = subprocess.run(
        [*prefix, sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("{"))
    result: dict[str, float] = json.loads(line)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_media = Path(os.environ.get("BACKREHAB_MEDIA_DIR", REPO.parent / "shared/data/media"))
    parser.add_argument("--media", type=Path, default=default_media)
    parser.add_argument("--clip", default="squat_front_side_01.mp4", help="a 720p clip")
    parser.add_argument("--exercise", default="bodyweight_squat")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    clip = args.media / args.clip
    if not clip.exists():
        sys.exit(f"clip not found: {clip}")
    mean_ms, p95_ms, frames = coach_logic_ms(clip, args.exercise, args.repeat)
    print(
        f"(a) coach logic on {clip.name} ({frames} frames x {args.repeat}): mean {mean_ms:.3f} "
        f"ms, p95 {p95_ms:.3f} ms per frame (target < 1 ms: {'met' if mean_ms < 1 else 'NOT met'};"
        f" ratio {mean_ms / 1.0:.2f})"
    )
    bare = _one_core(
        "import json, time, cv2, mediapipe as mp\n"
        f"cap = cv2.VideoCapture({str(clip)!r})\n"
        "pose = mp.solutions.pose.Pose(model_complexity=1, smooth_landmarks=False)\n"
        "n = 0; t = time.perf_counter()\n"
        "while True:\n"
        "    ok, bgr = cap.read()\n"
        "    if not ok: break\n"
        "    pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)); n += 1\n"
        "print(json.dumps({'fps': n / (time.perf_counter() - t)}))\n"
    )
    live = _one_core(
        "import json\nfrom pathlib import Path\n"
        "from backrehab.coach.live import run_live\nfrom backrehab.coach.specs import spec_for\n"
        f"s = run_live(spec_for({args.exercise!r}), video=Path({str(clip)!r}), "
        "show_window=False)\n"
        "print(json.dumps({'fps': s.frames_per_s, 'reps': s.reps, 'ms': s.coach_ms_mean}))\n"
    )
    print(
        f"(b) one core, {clip.name}: bare decode+pose {bare['fps']:.1f} fps, live coach "
        f"{live['fps']:.1f} fps (ratio {live['fps'] / bare['fps']:.3f}; target >= 30 fps: "
        f"{'met' if live['fps'] >= 30 else 'NOT met'}), reps counted {int(live['reps'])}, "
        f"coach logic in the live run {live['ms']:.3f} ms/frame (target < 1 ms: "
        f"{'met' if live['ms'] < 1 else 'NOT met'}; measured between pose inferences on the "
        "same core, slower than (a))"
    )


if __name__ == "__main__":
    main()
