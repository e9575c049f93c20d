"""Record a video's landmark stream in the browser coach's wire format (JSON lines).

Input: a video file. Pose: MediaPipe ``solutions.pose`` through :mod:`backrehab.pose.extract`
(world landmarks in metres, normalised image landmarks, visibility), read from the pose cache
when it holds the clip. Output: one ``{"type": "frame", ...}`` message per video frame, 4 decimal
places, null landmarks where nobody was found; gzip-compressed when OUT ends in ``.gz``.

Usage: python scripts/record_landmark_stream.py CLIP OUT [--no-cache]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from backrehab.coach.wire import sequence_messages, write_stream
from backrehab.errors import BackrehabError
from backrehab.pose.extract import extract_pose
from backrehab.pose.posefile import PoseCache


def _cache_dir() -> Path:
    env = os.environ.get("BACKREHAB_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "backrehab" / "pose"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path, help="the video to record")
    parser.add_argument("out", type=Path, help="the stream file (.jsonl or .jsonl.gz)")
    parser.add_argument("--no-cache", action="store_true", help="always run the pose model")
    args = parser.parse_args(argv)
    try:
        cache = None if args.no_cache else PoseCache(_cache_dir())
        sequence = extract_pose(args.clip, cache=cache)
        n = write_stream(args.out, sequence_messages(sequence))
    except BackrehabError as exc:
        sys.stderr.write(f"error: {exc.user_message}\n")
        return 2
    found = int(sequence.detected.sum())
    sys.stdout.write(
        f"{args.out}: {n} frames ({found} with a pose), {args.out.stat().st_size} bytes\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
