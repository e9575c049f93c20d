"""Run the coach over a whole analysed recording (the same engine the live coach steps).

Input: an :class:`~backrehab.pose.pipeline.AnalysisResult` and a movement spec. Output: a
:class:`CoachReport` with every repetition or hold, per-set counts, the form score and the
measured per-frame cost of the coach logic (ms, pose inference excluded).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from backrehab.coach.engine import (
    YAW_KEY,
    Frame,
    HoldEngine,
    HoldReport,
    RepEngine,
    RepReport,
    SetReport,
    hold_form_score,
    hold_set_reports,
    set_reports,
)
from backrehab.coach.signals import Body, compute_signals
from backrehab.coach.specs import MovementSpec
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import AnalysisResult

FloatArray = npt.NDArray[np.float64]


class CoachReport(BaseModel):
    """Everything the coach found in one recording."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exercise: str
    kind: str
    reps: int
    partial_reps: int
    reps_left: int
    reps_right: int
    per_rep: tuple[RepReport, ...]
    sets: tuple[SetReport, ...]
    form_score: float | None
    holds: tuple[HoldReport, ...]
    total_hold_s: float
    frames: int
    measurable_fraction: float
    coach_ms_per_frame: float

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the CLI contract keys (``per_rep`` items carry ``rom_deg``)."""
        data: dict[str, Any] = self.model_dump(mode="json")
        for rep in data["per_rep"]:
            rep["rom_deg"] = rep["rom"] if rep["rom_unit"] == "deg" else None
        return data


def spec_signal_names(spec: MovementSpec) -> list[str]:
    """Every signal a spec reads (drive signal first)."""
    names = [spec.signal] if spec.kind == "reps" else []
    names += [r.signal for r in spec.form_rules] + [c.signal for c in spec.hold_conditions]
    names += [c.signal for c in spec.position]
    if spec.rom_signal:
        names.append(spec.rom_signal)
    if spec.side_signals:
        names += list(spec.side_signals)
    return list(dict.fromkeys(names))


_RIGHT = (int(L.RIGHT_SHOULDER), int(L.RIGHT_HIP))
_LEFT = (int(L.LEFT_SHOULDER), int(L.LEFT_HIP))


def _nanmean2(a: FloatArray, b: FloatArray) -> FloatArray:
    """``np.nanmean`` of two arrays with its very arithmetic (sum of the finite values over
    their count), without its per-call overhead."""
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    total = np.where(nan_a, 0.0, a) + np.where(nan_b, 0.0, b)
    return np.asarray(total / ((~nan_a).astype(np.intp) + (~nan_b)), dtype=np.float64)


def yaw_deg(world_m: FloatArray) -> FloatArray:
    """:func:`~backrehab.pose.view.body_yaw_deg` without smoothing (identical values), cheap
    enough to run on every live frame."""
    with np.errstate(invalid="ignore", divide="ignore"):  # neither point seen: NaN
        right = _nanmean2(world_m[:, _RIGHT[0]], world_m[:, _RIGHT[1]])
        left = _nanmean2(world_m[:, _LEFT[0]], world_m[:, _LEFT[1]])
    axis = right - left
    return np.asarray(np.degrees(np.arctan2(axis[:, 2], -axis[:, 0])), dtype=np.float64)


def compute_features(world_m: FloatArray, spec: MovementSpec) -> dict[str, FloatArray]:
    """Every signal of the spec for (N, 33, 3) world landmarks (N may be 1 for live frames),
    plus the body yaw when a form rule is bound to a camera view."""
    body = Body(world_m)
    out = compute_signals(body, spec_signal_names(spec))
    if spec.needs_yaw:
        out[YAW_KEY] = yaw_deg(world_m)
    return out


def coach_sequence(result: AnalysisResult, spec: MovementSpec) -> CoachReport:
    """Step the engine through every frame of an analysed recording."""
    world = result.cleaned.world_m
    t = result.cleaned.t_s
    features = compute_features(world, spec)
    names = list(features)
    drive = features[spec.signal] if spec.kind == "reps" else np.zeros(len(t))
    # Only the drive signal decides whether a frame can be judged: a form rule whose landmarks
    # are hidden (feet out of a front view) is skipped, it does not pause the count.
    ok = np.isfinite(drive) if spec.kind == "reps" else np.isfinite(world[:, :, 0]).any(axis=1)
    engine: RepEngine | HoldEngine = RepEngine(spec) if spec.kind == "reps" else HoldEngine(spec)
    started = time.perf_counter()
    for i in range(len(t)):
        values = {n: float(features[n][i]) for n in names}
        engine.step(Frame(t_s=float(t[i]), ok=bool(ok[i]), signal=float(drive[i]), values=values))
    engine.finish()
    per_frame_ms = (time.perf_counter() - started) * 1000.0 / max(len(t), 1)
    measurable = round(float(ok.mean()), 4) if len(t) else 0.0
    return engine_report(
        engine, frames=len(t), measurable_fraction=measurable, coach_ms_per_frame=per_frame_ms
    )


def engine_report(
    engine: RepEngine | HoldEngine,
    *,
    frames: int,
    measurable_fraction: float,
    coach_ms_per_frame: float,
) -> CoachReport:
    """The report of a finished engine (offline and live paths alike)."""
    spec = engine.spec
    if isinstance(engine, RepEngine):
        reps = engine.reps
        sets = set_reports(reps, spec)
        complete = [r for r in reps if r.complete]
        scored = complete or reps
        return CoachReport(
            exercise=spec.exercise_id,
            kind="reps",
            reps=len(complete),
            partial_reps=len(reps) - len(complete),
            reps_left=sum(r.side == "left" for r in complete),
            reps_right=sum(r.side == "right" for r in complete),
            per_rep=tuple(reps),
            sets=tuple(sets),
            form_score=round(float(np.mean([r.score for r in scored])), 1) if scored else None,
            holds=(),
            total_hold_s=0.0,
            frames=frames,
            measurable_fraction=measurable_fraction,
            coach_ms_per_frame=round(coach_ms_per_frame, 4),
        )
    holds = engine.holds
    return CoachReport(
        exercise=spec.exercise_id,
        kind="hold",
        reps=0,
        partial_reps=0,
        reps_left=0,
        reps_right=0,
        per_rep=(),
        sets=tuple(hold_set_reports(holds)),
        form_score=hold_form_score(holds),
        holds=tuple(holds),
        total_hold_s=round(sum(h.duration_s for h in holds), 3),
        frames=frames,
        measurable_fraction=measurable_fraction,
        coach_ms_per_frame=round(coach_ms_per_frame, 4),
    )
