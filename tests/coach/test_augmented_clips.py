"""Generalisation: the labelled clips mirrored, at half the frame rate, rotated, zoomed out and
cropped in still give the hand counts, with each peak within 0.5 s of a labelled time.

The transformed videos are made at test time from the shared media (nothing copied into the
repository). Half the frame rate is every other frame (``frame_stride=2``).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from backrehab.coach.run import CoachReport, coach_sequence
from backrehab.coach.specs import spec_for
from backrehab.config import ExtractionConfig
from backrehab.pose.extract import extract_pose
from backrehab.pose.pipeline import analyze_sequence
from backrehab.pose.posefile import PoseCache
from tests.coach.augment import TRANSFORMS, transformed

pytestmark = [pytest.mark.video, pytest.mark.slow]

#: One clip of each exercise of the other (unseen) real-clip set, and the way its camera is
#: rolled (both ways across the set, a few degrees, to keep the run short).
CLIPS = {
    "squat_front_01.mp4": "rotate_6",
    "squat_side_01.mp4": "rotate_-6",
    "glute_bridge_side_01.mp4": "rotate_6",
    "pushup_side_01.mp4": "rotate_-6",
}
CASES = [
    (clip, t)
    for clip, roll in CLIPS.items()
    for t in (*TRANSFORMS, "half_rate")
    if not t.startswith("rotate") or t == roll
]


@pytest.fixture(scope="session")
def augmented_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the transformed videos of this session are written."""
    return tmp_path_factory.mktemp("augmented-clips")


def _coach(
    media_dir: Path, clip: str, transform: str, folder: Path, cache: PoseCache, exercise: str
) -> CoachReport:
    if transform == "half_rate":
        seq = extract_pose(media_dir / clip, ExtractionConfig(frame_stride=2), cache=cache)
    else:
        seq = extract_pose(transformed(media_dir / clip, transform, folder), cache=cache)
    return coach_sequence(analyze_sequence(seq), spec_for(exercise))


def _entry(labels: list[dict[str, Any]], clip: str) -> dict[str, Any]:
    return next(x for x in labels if Path(x["file"]).name == clip)


@pytest.mark.parametrize(("clip", "transform"), CASES)
def test_transformed_clip_gives_the_hand_count(
    clip: str,
    transform: str,
    media_dir: Path,
    labels: list[dict[str, Any]],
    augmented_dir: Path,
    shared_cache: PoseCache,
) -> None:
    """Counts and partials as labelled, and each peak within 0.5 s, after the transform."""
    entry = _entry(labels, clip)
    report = _coach(media_dir, clip, transform, augmented_dir, shared_cache, entry["exercise_id"])
    assert (report.reps, report.partial_reps) == (entry["complete_reps"], entry["partial_reps"])
    for rep in report.per_rep:
        if rep.complete:
            assert min(abs(rep.peak_s - e) for e in entry["event_times_s"]) <= 0.5, rep.peak_s


def test_mirrored_lunges_swap_sides(
    media_dir: Path, labels: list[dict[str, Any]], augmented_dir: Path, shared_cache: PoseCache
) -> None:
    """The lunge clip (a walking lunge: the legs alternate) mirrored left-right: the same 8 reps,
    each on the other leg."""
    clip = "lunge_side_01.mp4"
    entry = _entry(labels, clip)
    original = coach_sequence(
        analyze_sequence(extract_pose(media_dir / clip, cache=shared_cache)),
        spec_for(entry["exercise_id"]),
    )
    mirrored = _coach(media_dir, clip, "mirror", augmented_dir, shared_cache, entry["exercise_id"])
    assert mirrored.reps == original.reps == entry["complete_reps"]
    swap = {"left": "right", "right": "left"}
    assert [r.side for r in mirrored.per_rep] == [swap[r.side] for r in original.per_rep]
    sides = [r.side for r in original.per_rep]
    assert all(a != b for a, b in itertools.pairwise(sides)), sides
