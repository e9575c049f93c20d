"""The generic coach engine on synthetic signals: counting, partials, pauses, sets, sides, form."""

from __future__ import annotations

import numpy as np
import pytest

from backrehab.coach.engine import (
    YAW_KEY,
    Frame,
    HoldEngine,
    RepEngine,
    hold_form_score,
    hold_set_reports,
    set_reports,
)
from backrehab.coach.specs import MovementSpec

FPS = 30.0
SQUAT = MovementSpec(
    exercise_id="test_squat",
    kind="reps",
    signal="hip_height",
    signal_unit="leg_lengths",
    start=0.88,
    end=0.72,
    hysteresis=0.03,
    min_rep_s=0.6,
    form_rules=(
        {
            "id": "lean",
            "signal": "trunk_inclination",
            "max": 45,
            "phase": "peak",
            "cue": "Keep your chest up",
            "weight": 25,
        },
    ),
)


def _cycles(
    n: int,
    *,
    period_s: float = 2.0,
    low: float = 0.55,
    high: float = 0.98,
    lead_s: float = 1.0,
    tail_s: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(0, lead_s + n * period_s + tail_s, 1 / FPS)
    phase = np.clip(t - lead_s, 0, n * period_s)
    x = high - (high - low) * (1 - np.cos(2 * np.pi * phase / period_s)) / 2
    return t, x


def _run(
    spec: MovementSpec,
    t: np.ndarray,
    x: np.ndarray,
    ok: np.ndarray | None = None,
    values: dict[str, np.ndarray] | None = None,
) -> RepEngine:
    engine = RepEngine(spec)
    ok = np.ones(len(t), bool) if ok is None else ok
    for i in range(len(t)):
        vals = {k: float(v[i]) for k, v in (values or {}).items()}
        engine.step(Frame(t_s=float(t[i]), ok=bool(ok[i]), signal=float(x[i]), values=vals))
    engine.finish()
    return engine


@pytest.mark.parametrize("n", [1, 3, 5, 8])
def test_n_clean_cycles_give_n(n: int) -> None:
    """N clean squat cycles give exactly N complete repetitions and no partial."""
    engine = _run(SQUAT, *_cycles(n))
    assert engine.count == n
    assert all(r.complete for r in engine.reps)


def test_noise_and_dropouts_do_not_change_the_count() -> None:
    """Noise (2 % of leg length) and tracking dropouts (10 % of frames) still give 5 reps."""
    t, x = _cycles(5)
    rng = np.random.default_rng(7)
    noisy = x + rng.normal(0, 0.02, x.shape)
    ok = rng.random(len(t)) > 0.1
    noisy[~ok] = np.nan
    engine = _run(SQUAT, t, noisy, ok)
    assert engine.count == 5
    assert sum(not r.complete for r in engine.reps) == 0


def test_static_hold_gives_zero() -> None:
    """Standing still, or holding the bottom, counts nothing."""
    t = np.arange(0, 10, 1 / FPS)
    assert _run(SQUAT, t, np.full(len(t), 0.97)).reps == []
    assert _run(SQUAT, t, np.full(len(t), 0.5)).reps == []


def test_half_repetition_is_partial_not_counted() -> None:
    """Going two thirds of the way down and back is a partial; a small dip is ignored."""
    t, x = _cycles(1, low=0.78)  # never reaches the 0.72 end zone
    engine = _run(SQUAT, t, x)
    assert engine.count == 0
    assert [r.complete for r in engine.reps] == [False]
    t, x = _cycles(1, low=0.85)  # a wobble
    assert _run(SQUAT, t, x).reps == []


def test_recording_ending_at_the_bottom_is_partial() -> None:
    """Two full reps then the clip stops at the bottom of the third: 2 reps + 1 partial."""
    t, x = _cycles(3)
    keep = t <= 1.0 + 2 * 2.0 + 1.0  # cut at the third bottom
    engine = _run(SQUAT, t[keep], x[keep])
    assert engine.count == 2
    assert [r.complete for r in engine.reps] == [True, True, False]


def test_pause_mid_repetition_neither_counts_nor_resets() -> None:
    """Leaving the frame for 0.8 s at the bottom pauses; the rep completes on return."""
    t, x = _cycles(3)
    ok = ~((t > 3.6) & (t < 4.4))  # around the second bottom (t = 4.0)
    engine = _run(SQUAT, t, x, ok)
    assert engine.count == 3
    assert len(engine.reps) == 3


def test_getting_into_position_is_not_counted() -> None:
    """Walking in half-crouched (never in the start zone) is not a repetition."""
    t = np.arange(0, 3, 1 / FPS)
    walk_in = 0.7 + 0.05 * np.sin(t * 3)
    t2, x2 = _cycles(2)
    engine = _run(SQUAT, np.concatenate([t, t2 + 3.0 + 1 / FPS]), np.concatenate([walk_in, x2]))
    assert engine.count == 2
    assert sum(not r.complete for r in engine.reps) == 0


def test_too_fast_is_not_a_repetition() -> None:
    """A 0.3 s dip (tracking glitch) is not counted."""
    t, x = _cycles(1, period_s=0.3)
    assert _run(SQUAT, t, x).count == 0


def test_peak_time_and_duration() -> None:
    """The peak is the middle of the bottom; start, end and duration frame the repetition."""
    t, x = _cycles(2, period_s=3.0)
    reps = _run(SQUAT, t, x).reps
    assert [r.peak_s for r in reps] == pytest.approx([2.5, 5.5], abs=0.05)
    assert reps[0].start_s < reps[0].peak_s < reps[0].end_s
    assert reps[0].duration_s == pytest.approx(reps[0].end_s - reps[0].start_s, abs=2e-3)


def test_rising_signal_spec_and_start_in_end_zone() -> None:
    """A rising signal counts too; a set may begin in the end position when the spec allows."""
    lift = MovementSpec(
        exercise_id="lift",
        kind="reps",
        signal="trunk_inclination",
        start=25,
        end=50,
        hysteresis=4,
        start_in_end_zone=True,
    )
    t, x = _cycles(2, low=5.0, high=75.0)  # x starts high (75 deg): in the end zone
    x = 80.0 - x  # start at the bottom (75 deg), rise to 5, ...
    engine = _run(lift, t, x)
    assert engine.count == 2


def test_sets_are_split_by_a_long_rest() -> None:
    """A 20 s rest between two groups of reps makes two sets."""
    t1, x1 = _cycles(3)
    rest = np.arange(t1[-1] + 1 / FPS, t1[-1] + 20, 1 / FPS)
    t2, x2 = _cycles(2)
    t = np.concatenate([t1, rest, t2 + rest[-1] + 1 / FPS])
    x = np.concatenate([x1, np.full(len(rest), 0.98), x2])
    engine = _run(SQUAT, t, x)
    sets = set_reports(engine.reps, SQUAT)
    assert [s.reps for s in sets] == [3, 2]


def test_sides_are_counted_separately() -> None:
    """Alternating legs: the leg with the larger knee excursion owns each rep."""
    spec = MovementSpec(
        exercise_id="lunge",
        kind="reps",
        signal="hip_height",
        start=0.88,
        end=0.74,
        hysteresis=0.03,
        side_signals=("left_knee_flexion", "right_knee_flexion"),
    )
    t, x = _cycles(4)
    rep_index = np.clip(((t - 1.0) // 2.0).astype(int), 0, 3)
    depth = (0.98 - x) * 200
    left = np.where(rep_index % 2 == 0, depth, depth * 0.3)
    right = np.where(rep_index % 2 == 1, depth, depth * 0.3)
    engine = _run(spec, t, x, values={"left_knee_flexion": left, "right_knee_flexion": right})
    assert [r.side for r in engine.reps] == ["left", "right", "left", "right"]
    sets = set_reports(engine.reps, spec)
    assert (sets[0].reps_left, sets[0].reps_right) == (2, 2)


def test_form_fault_lowers_the_score_with_its_cue() -> None:
    """Leaning 60° at the bottom of every rep is a fault with its cue; the score drops to 75."""
    t, x = _cycles(3)
    lean = np.where(x < 0.72, 60.0, 20.0)
    engine = _run(SQUAT, t, x, values={"trunk_inclination": lean})
    assert all(r.faults and r.faults[0].cue == "Keep your chest up" for r in engine.reps)
    assert set_reports(engine.reps, SQUAT)[0].form_score == 75.0
    clean = _run(SQUAT, t, x, values={"trunk_inclination": np.full(len(t), 20.0)})
    assert set_reports(clean.reps, SQUAT)[0].form_score == 100.0


def test_view_bound_rule_is_not_judged_from_the_wrong_view() -> None:
    """A frontal-plane rule gives no fault (and no cue) when the camera sees the side."""
    spec = SQUAT.model_copy(
        update={
            "form_rules": (
                SQUAT.form_rules[0].model_copy(
                    update={"signal": "left_knee_fppa", "max": 10.0, "view": "frontal"}
                ),
            )
        }
    )
    t, x = _cycles(2)
    valgus = np.full(len(t), 25.0)
    side = _run(spec, t, x, values={"left_knee_fppa": valgus, YAW_KEY: np.full(len(t), 90.0)})
    front = _run(spec, t, x, values={"left_knee_fppa": valgus, YAW_KEY: np.full(len(t), 5.0)})
    assert all(not r.faults for r in side.reps)
    assert all(r.faults for r in front.reps)


PLANK = MovementSpec(
    exercise_id="plank",
    kind="hold",
    hold_conditions=({"signal": "body_arch", "max": 15, "cue": "Keep a straight line"},),
    grace_s=0.5,
    min_hold_s=2.0,
)


def test_hold_timer_runs_only_in_posture_and_bridges_short_lapses() -> None:
    """A plank with a 0.3 s wobble is one hold; a 2 s sag ends it with the cue."""
    t = np.arange(0, 16, 1 / FPS)
    arch = np.full(len(t), 5.0)
    arch[t < 0.9] = 40.0  # getting into position
    arch[(t > 5.0) & (t < 5.3)] = 25.0  # a short wobble
    arch[(t > 11.0) & (t < 13.0)] = 30.0  # sagging
    engine = HoldEngine(PLANK)
    for i in range(len(t)):
        engine.step(
            Frame(t_s=float(t[i]), ok=True, signal=0.0, values={"body_arch": float(arch[i])})
        )
    engine.finish()
    spans = [(h.start_s, h.end_s, h.end_reason) for h in engine.holds]
    assert spans[0][0] == pytest.approx(0.9, abs=0.05)
    assert spans[0][1] == pytest.approx(11.0, abs=0.05)
    assert spans[0][2] == "Keep a straight line"
    assert len(spans) == 2
    assert spans[1][2] == "recording ended"


def test_hold_pauses_when_the_person_is_not_seen() -> None:
    """Out of view for 2 s ends the hold as not measurable, never with a form cue."""
    t = np.arange(0, 10, 1 / FPS)
    ok = ~((t > 4) & (t < 6))
    engine = HoldEngine(PLANK)
    for i in range(len(t)):
        engine.step(Frame(t_s=float(t[i]), ok=bool(ok[i]), signal=0.0, values={"body_arch": 3.0}))
        if not ok[i]:
            assert engine.cue == ""
    engine.finish()
    assert engine.holds[0].end_reason == "not measurable"
    assert len(engine.holds) == 2


def test_spec_validation() -> None:
    """A spec with an unknown signal or too much hysteresis is refused."""
    with pytest.raises(ValueError, match="unknown signal"):
        MovementSpec(exercise_id="x", kind="reps", signal="nonsense", start=0, end=1)
    with pytest.raises(ValueError, match="hysteresis"):
        MovementSpec(
            exercise_id="x", kind="reps", signal="hip_height", start=0.9, end=0.7, hysteresis=0.2
        )
    with pytest.raises(ValueError, match="hold_conditions"):
        MovementSpec(exercise_id="x", kind="hold")


def test_a_quick_dip_is_neither_a_repetition_nor_a_partial() -> None:
    """A 0.3 s dip two thirds of the way down is a tracking glitch, not an attempt."""
    t, x = _cycles(1, period_s=0.3, low=0.78)
    assert _run(SQUAT, t, x).reps == []


def test_a_short_island_after_a_gap_is_not_evidence() -> None:
    """Two reps, then 1.5 s unseen, then 0.1 s of a 'person' at the bottom (a title card or a
    cross-fade): still 2 reps and no partial."""
    t, x = _cycles(2)
    t_end = t[-1]
    island_t = t_end + 1.5 + np.arange(3) / FPS
    t = np.concatenate([t, [t_end + 0.5], island_t, island_t[-1] + [0.5, 1.0]])
    x = np.concatenate([x, [np.nan], np.full(3, 0.5), [np.nan, np.nan]])
    engine = _run(SQUAT, t, x, np.isfinite(x))
    assert engine.count == 2
    assert len(engine.reps) == 2


def test_after_a_gap_counting_resumes_once_the_person_is_seen_again() -> None:
    """Unseen for 1 s while standing between reps, then seen again: the reps after count."""
    t, x = _cycles(4, period_s=4.0)
    ok = ~((t > 4.5) & (t < 5.5))  # standing after the second rep (t = 5 s)
    engine = _run(SQUAT, t, np.where(ok, x, np.nan), ok)
    assert engine.count == 4


QUADRUPED = MovementSpec(
    exercise_id="test_quadruped",
    kind="reps",
    signal="min_hip_flexion",
    start=70,
    end=40,
    hysteresis=5,
    side_signals=("left_hip_flexion", "right_hip_flexion"),
    follow_side=True,
    position=({"signal": "trunk_from_vertical", "min": 50, "cue": "Get on all fours"},),
)


def _quadruped(
    n: int, *, hide_peak: bool, kneel_up: bool
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Right-leg extensions (95 -> 10 deg); the left leg rests at 95 deg."""
    t, x = _cycles(n, low=10.0, high=95.0)
    right = x.copy()
    if hide_peak:  # the moving leg is unseen around each peak (out of the frame)
        right[right < 30.0] = np.nan
    left = np.full(len(t), 95.0)
    trunk = np.full(len(t), 85.0)
    if kneel_up:  # from kneeling upright down onto all fours, and back up at the end
        lead, tail = t < 0.6, t > t[-1] - 0.6
        trunk[lead], trunk[tail] = 5.0, 5.0
        left[lead], left[tail] = 5.0, 5.0
        right[lead], right[tail] = 5.0, 5.0
    return t, {"left_hip_flexion": left, "right_hip_flexion": right, "trunk_from_vertical": trunk}


def _run_sided(spec: MovementSpec, t: np.ndarray, values: dict[str, np.ndarray]) -> RepEngine:
    drive = np.fmin(values["left_hip_flexion"], values["right_hip_flexion"])
    return _run(spec, t, drive, values=values)


def test_a_one_sided_rep_follows_the_moving_limb_through_occlusion() -> None:
    """When the lifted leg is unseen at the top, the count pauses instead of reading the resting
    leg as a return: 3 right-leg reps. Reading the lower of both legs would not."""
    t, values = _quadruped(3, hide_peak=True, kneel_up=False)
    engine = _run_sided(QUADRUPED, t, values)
    assert engine.count == 3
    assert [r.side for r in engine.reps] == ["right"] * 3
    naive = _run_sided(QUADRUPED.model_copy(update={"follow_side": False}), t, values)
    assert naive.count != 3 or len(naive.reps) != 3


def test_getting_onto_all_fours_and_back_up_is_not_counted() -> None:
    """Kneeling up before and after the set (hip flexion near 0, trunk upright) is outside the
    exercise position: 3 reps and no partial; without the position rule it adds a partial."""
    t, values = _quadruped(3, hide_peak=False, kneel_up=True)
    engine = _run_sided(QUADRUPED, t, values)
    assert engine.count == 3
    assert len(engine.reps) == 3
    assert engine.status.startswith("Get into position")
    ungated = _run_sided(QUADRUPED.model_copy(update={"position": ()}), t, values)
    assert len(ungated.reps) > 3


def test_the_coach_asks_for_the_camera_view_a_form_rule_needs() -> None:
    """A front-view rule seen from the side is skipped and the coach asks to face the camera;
    seen from the front it asks nothing."""
    spec = SQUAT.model_copy(
        update={
            "form_rules": (
                SQUAT.form_rules[0].model_copy(
                    update={"signal": "left_knee_fppa", "max": 10.0, "view": "frontal"}
                ),
            )
        }
    )
    t, x = _cycles(1)
    for yaw, expected in ((90.0, "face the camera"), (5.0, "")):
        values = {"left_knee_fppa": np.full(len(t), 25.0), YAW_KEY: np.full(len(t), yaw)}
        engine = _run(spec, t, x, values=values)
        assert (expected in engine.view_hint) if expected else engine.view_hint == ""


def test_follow_side_needs_side_signals() -> None:
    """follow_side without side_signals is refused."""
    with pytest.raises(ValueError, match="follow_side"):
        MovementSpec(
            exercise_id="x",
            kind="reps",
            signal="min_hip_flexion",
            start=70,
            end=40,
            follow_side=True,
        )


def _hold(spec: MovementSpec, t: np.ndarray, values: dict[str, np.ndarray]) -> HoldEngine:
    engine = HoldEngine(spec)
    for i in range(len(t)):
        vals = {k: float(v[i]) for k, v in values.items()}
        engine.step(Frame(t_s=float(t[i]), ok=True, signal=0.0, values=vals))
    engine.finish()
    return engine


def test_a_lapse_within_the_grace_period_is_a_fault_of_the_hold() -> None:
    """A 0.3 s sag that recovers keeps the hold running but costs it the lapse weight, with the
    condition's cue; a clean hold scores 100."""
    t = np.arange(0, 10, 1 / FPS)
    arch = np.full(len(t), 5.0)
    arch[(t > 5.0) & (t < 5.3)] = 25.0
    wobbly = _hold(PLANK, t, {"body_arch": arch}).holds
    assert len(wobbly) == 1
    assert [(f.id, f.cue) for f in wobbly[0].faults] == [
        ("lapse_body_arch", "Keep a straight line")
    ]
    assert wobbly[0].faults[0].fraction == pytest.approx(0.03, abs=0.01)
    assert wobbly[0].score == 100.0 - PLANK.lapse_weight
    clean = _hold(PLANK, t, {"body_arch": np.full(len(t), 5.0)}).holds
    assert clean[0].faults == ()
    assert clean[0].score == 100.0


def test_form_rules_judge_the_frames_of_a_hold() -> None:
    """A form rule broken over most of a hold is a fault with its cue and weight, shown live."""
    rule = {
        "id": "hips_high",
        "signal": "body_arch",
        "max": 8,
        "cue": "Lower your hips",
        "weight": 30,
        "min_fraction": 0.5,
    }
    spec = MovementSpec.model_validate({**PLANK.model_dump(), "form_rules": [rule]})
    t = np.arange(0, 8, 1 / FPS)
    engine = HoldEngine(spec)
    for i in range(len(t)):
        engine.step(Frame(t_s=float(t[i]), ok=True, signal=0.0, values={"body_arch": 12.0}))
        assert engine.cue == "Lower your hips"
    engine.finish()
    hold = engine.holds[0]
    assert [f.id for f in hold.faults] == ["hips_high"]
    assert hold.score == 70.0


def test_holds_far_apart_are_different_sets() -> None:
    """Two holds 5 s apart are one set; a third after a 20 s rest starts set 2, and each set
    reports its hold seconds, hold count and a duration-weighted form score."""
    t = np.arange(0, 60, 1 / FPS)
    arch = np.full(len(t), 40.0)
    arch[(t >= 1) & (t < 11)] = 5.0
    arch[(t >= 16) & (t < 21)] = 5.0
    arch[(t > 18) & (t < 18.3)] = 25.0  # a lapse in the second hold
    arch[(t >= 41) & (t < 51)] = 5.0
    holds = _hold(PLANK, t, {"body_arch": arch}).holds
    assert [h.set_index for h in holds] == [1, 1, 2]
    sets = hold_set_reports(holds)
    assert [(s.index, s.holds) for s in sets] == [(1, 2), (2, 1)]
    assert sets[0].hold_s == pytest.approx(15.0, abs=0.1)
    assert sets[0].form_score == pytest.approx((100 * 10 + 90 * 5) / 15, abs=0.5)
    assert sets[0].fault_counts == {"lapse_body_arch": 1}
    assert sets[1].form_score == 100.0
    assert hold_form_score([]) is None


def test_a_view_bound_hold_is_not_timed_from_the_wrong_view() -> None:
    """A side-view plank condition seen from the front times nothing, gives no form cue and asks
    the person to turn side-on; from the side it times the hold."""
    spec = PLANK.model_copy(
        update={
            "hold_conditions": (PLANK.hold_conditions[0].model_copy(update={"view": "sagittal"}),)
        }
    )
    assert spec.needs_yaw
    assert not PLANK.needs_yaw
    t = np.arange(0, 6, 1 / FPS)
    arch = np.full(len(t), 30.0)  # would be a sag, if it could be judged
    front = HoldEngine(spec)
    for i in range(len(t)):
        front.step(
            Frame(
                t_s=float(t[i]),
                ok=True,
                signal=0.0,
                values={"body_arch": float(arch[i]), YAW_KEY: 3.0},
            )
        )
        assert front.cue == ""
        assert "side-on" in front.view_hint
    front.finish()
    assert front.holds == []
    side = _hold(spec, t, {"body_arch": np.full(len(t), 5.0), YAW_KEY: np.full(len(t), 88.0)})
    assert side.holds[0].duration_s == pytest.approx(6.0, abs=0.1)
    assert side.view_hint == ""


def test_position_conditions_cannot_be_bound_to_a_view() -> None:
    """A view on a position condition is refused: the exercise position is judged from any view."""
    with pytest.raises(ValueError, match="position conditions"):
        SQUAT.model_validate(
            {
                **SQUAT.model_dump(),
                "position": [
                    {"signal": "trunk_inclination", "max": 30, "cue": "Stand", "view": "frontal"}
                ],
            }
        )


def test_each_repetition_reports_its_tempo_and_peak_angles() -> None:
    """The time to the peak and back adds up to the duration (equal halves for a symmetric
    cycle); the spec's angle signals are reported at the peak (median over the end zone),
    lengths are not."""
    t, x = _cycles(2, period_s=3.0)
    lean = np.where(x < 0.72, 30.0, 10.0)
    reps = _run(SQUAT, t, x, values={"trunk_inclination": lean}).reps
    for r in reps:
        assert r.to_peak_s is not None
        assert r.from_peak_s is not None
        assert r.to_peak_s + r.from_peak_s == pytest.approx(r.duration_s, abs=2e-3)
        assert r.to_peak_s == pytest.approx(r.from_peak_s, abs=0.1)  # a symmetric cycle
        assert r.peak_angles_deg == {"trunk_inclination": 30.0}
