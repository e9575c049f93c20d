"""Landmark streams for the live-coach tests: recorded from real clips at test time, synthetic
people, the committed demo stream, and a replay through :class:`LiveCoach`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from backrehab.coach.run import CoachReport
from backrehab.coach.specs import MovementSpec
from backrehab.coach.stream import LiveCoach, LiveState
from backrehab.coach.wire import WireFrame, decode_message, sequence_messages
from backrehab.pose.sequence import PoseSequence
from tests.synth import Posture, sequence_of

STREAMS = Path(__file__).resolve().parents[1] / "data" / "streams"
DEMO_STREAM = STREAMS / "squat_rear_barbell.jsonl.gz"
FPS = 30.0


def as_wire(sequence: PoseSequence) -> list[WireFrame]:
    """The sequence sent as JSON text, as the browser does, and parsed back by the server."""
    out = []
    for message in sequence_messages(sequence):
        frame = decode_message(json.dumps(message))
        assert isinstance(frame, WireFrame)
        out.append(frame)
    return out


def replay(spec: MovementSpec, frames: Iterable[WireFrame]) -> tuple[CoachReport, list[LiveState]]:
    """Step every frame through a fresh coach; the final report and every state."""
    coach = LiveCoach(spec)
    states = [coach.step_wire(f) for f in frames]
    return coach.finish(), states


def squat_postures(n_reps: int, *, period_s: float = 2.5, lead_s: float = 0.5) -> list[Posture]:
    """``n_reps`` smooth bodyweight squats (knees 0-100 deg), standing still before and after."""
    t = np.arange(0, n_reps * period_s + 2 * lead_s, 1 / FPS)
    phase = (1 - np.cos(2 * np.pi * np.clip(t - lead_s, 0, n_reps * period_s) / period_s)) / 2
    return [
        Posture(knee_flexion=100 * p, hip_flexion=90 * p, trunk_inclination=30 * p) for p in phase
    ]


def squat_frames(n_reps: int, *, yaw_deg: float = 90.0) -> list[WireFrame]:
    """Wire frames of synthetic squats seen from ``yaw_deg`` at 30 frames/s."""
    return as_wire(sequence_of(squat_postures(n_reps), yaw_deg=yaw_deg, fps=FPS))


def without_pose(frame: WireFrame) -> WireFrame:
    """The same frame, sent as "no pose found"."""
    return WireFrame(frame.seq, frame.t_s, None, None, None)


def counts(report: CoachReport) -> tuple[int, int]:
    """(complete, partial) repetitions."""
    return report.reps, report.partial_reps


def statuses(states: Sequence[LiveState]) -> set[str]:
    """The distinct statuses of a run."""
    return {s.status for s in states}


def messages_of(frames: Iterable[WireFrame]) -> list[dict[str, Any]]:
    """Frames back as wire messages (for tests that tamper with them)."""
    out = []
    for f in frames:
        if f.image_norm is None or f.visibility is None or f.world_m is None:
            out.append({"type": "frame", "seq": f.seq, "t": f.t_s, "lm": None, "wl": None})
            continue
        lm = np.column_stack([f.image_norm, f.visibility]).tolist()
        out.append({"type": "frame", "seq": f.seq, "t": f.t_s, "lm": lm, "wl": f.world_m.tolist()})
    return out
