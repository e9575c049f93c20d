"""The streaming coach and its wire format: recorded landmark streams of real clips count like
the hand labels and the offline path; dropped, repeated, late and missing frames; bad input."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrehab.coach.frame_signals import frame_features
from backrehab.coach.run import (
    CoachReport,
    coach_sequence,
    compute_features,
    spec_signal_names,
    yaw_deg,
)
from backrehab.coach.specs import spec_for
from backrehab.coach.stream import LiveCoach, StreamInputError, time_steps
from backrehab.coach.wire import (
    WireFinish,
    WireFormatError,
    WireFrame,
    decode_message,
    encode_frame,
    parse_frame,
    parse_message,
    read_stream,
    sequence_messages,
    write_stream,
)
from backrehab.errors import BackrehabError, ConfigError
from backrehab.pose.extract import extract_pose
from backrehab.pose.landmarks import Landmark as L
from backrehab.pose.pipeline import analyze_sequence
from backrehab.pose.posefile import PoseCache
from backrehab.pose.sequence import PoseSequence, SourceInfo
from backrehab.pose.view import body_yaw_deg
from tests.coach.streams import (
    DEMO_STREAM,
    FPS,
    as_wire,
    counts,
    replay,
    squat_frames,
    squat_postures,
    statuses,
    without_pose,
)
from tests.synth import Posture, sequence_of

SQUAT = spec_for("bodyweight_squat")


def _valid() -> dict[str, Any]:
    lm = [[0.5, 0.5, -0.1, 0.99]] * 33
    wl = [[0.1, -0.2, 0.05]] * 33
    return {"type": "frame", "seq": 7, "t": 1.25, "lm": lm, "wl": wl}


def _with(**changes: Any) -> dict[str, Any]:
    return {**_valid(), **changes}


def _row(field: str, index: int, row: Any) -> dict[str, Any]:
    msg = _valid()
    rows = list(msg[field])
    rows[index] = row
    msg[field] = rows
    return msg


# -- the wire format ---------------------------------------------------------------------------
def test_a_frame_message_parses_to_typed_arrays() -> None:
    """A valid frame gives seq, media time, (33, 3) image and world arrays and 33 visibilities."""
    frame = parse_frame(_valid())
    assert (frame.seq, frame.t_s, frame.found) == (7, 1.25, True)
    assert frame.image_norm is not None
    assert frame.image_norm.shape == (33, 3)
    assert frame.world_m is not None
    assert frame.world_m.shape == (33, 3)
    assert frame.visibility is not None
    assert frame.visibility.shape == (33,)
    assert frame.world_m[5].tolist() == [0.1, -0.2, 0.05]
    assert frame.visibility[0] == 0.99


def test_null_landmarks_mean_no_pose_was_found() -> None:
    """``lm`` and ``wl`` both null: a frame without a pose (the coach pauses on it)."""
    frame = parse_frame(_with(lm=None, wl=None))
    assert not frame.found
    assert frame.world_m is None
    assert frame.visibility is None
    assert frame.image_norm is None


BAD_FRAMES: list[tuple[str, Any, str]] = [
    ("a list", [1, 2], "must be a JSON object"),
    ("no type", {k: v for k, v in _valid().items() if k != "type"}, "type 'frame'"),
    ("missing t", {k: v for k, v in _valid().items() if k != "t"}, "missing the field(s) t"),
    ("missing lm and wl", {"type": "frame", "seq": 1, "t": 0.0}, "missing the field(s) lm, wl"),
    ("unknown field", _with(fps=30), "unknown field(s) fps"),
    ("seq a bool", _with(seq=True), "'seq' must be a whole number"),
    ("seq negative", _with(seq=-1), "'seq' must be a whole number"),
    ("seq a float", _with(seq=3.0), "'seq' must be a whole number"),
    ("seq too large", _with(seq=2**53), "'seq' must be a whole number"),
    ("t a string", _with(t="1.0"), "'t' (media time)"),
    ("t null", _with(t=None), "'t' (media time)"),
    ("t NaN", _with(t=math.nan), "'t' (media time)"),
    ("t infinite", _with(t=math.inf), "'t' (media time)"),
    ("t beyond 1e7 s", _with(t=2.0e7), "'t' (media time)"),
    ("t beyond a float", _with(t=10**400), "'t' (media time)"),
    ("lm an object", _with(lm={"0": [0, 0, 0, 1]}), "'lm' must be a list of 33"),
    ("lm 32 landmarks", _with(lm=[[0.5, 0.5, 0.0, 1.0]] * 32), "33 landmarks, got 32"),
    ("lm 34 landmarks", _with(lm=[[0.5, 0.5, 0.0, 1.0]] * 34), "33 landmarks, got 34"),
    ("lm row of 3", _row("lm", 4, [0.5, 0.5, 0.0]), "landmark 4 must be a list of 4"),
    ("lm row not a list", _row("lm", 0, 0.5), "landmark 0 must be a list of 4"),
    ("lm a string value", _row("lm", 2, [0.5, "0.5", 0.0, 1.0]), "landmark 2 has"),
    ("lm a null value", _row("lm", 2, [0.5, None, 0.0, 1.0]), "landmark 2 has null"),
    ("lm a bool value", _row("lm", 2, [0.5, True, 0.0, 1.0]), "landmark 2 has true"),
    ("lm NaN", _row("lm", 9, [math.nan, 0.5, 0.0, 1.0]), "landmark 9 has NaN"),
    ("lm far outside", _row("lm", 1, [12.0, 0.5, 0.0, 1.0]), "within +-10"),
    ("lm beyond a float", _row("lm", 1, [10**400, 0.5, 0.0, 1.0]), "within +-10"),
    ("visibility above 1", _row("lm", 3, [0.5, 0.5, 0.0, 1.2]), "visibility 1.2"),
    ("visibility below 0", _row("lm", 3, [0.5, 0.5, 0.0, -0.01]), "visibility -0.01"),
    ("wl rows of 4", _with(wl=[[0.0, 0.0, 0.0, 1.0]] * 33), "'wl': landmark 0 must be a list of 3"),
    ("wl 11 m away", _row("wl", 30, [0.0, 11.0, 0.0]), "'wl': landmark 30 has 11.0"),
    ("wl infinite", _row("wl", 30, [0.0, math.inf, 0.0]), "'wl': landmark 30 has Infinity"),
    ("lm null, wl given", _with(lm=None), "both be landmarks, or both null"),
    ("wl null, lm given", _with(wl=None), "both be landmarks, or both null"),
]


@pytest.mark.parametrize(
    ("case", "message", "expected"), BAD_FRAMES, ids=[c[0] for c in BAD_FRAMES]
)
def test_every_malformed_frame_is_a_clear_error(case: str, message: Any, expected: str) -> None:
    """Each malformed frame raises WireFormatError naming the problem (never a numpy error or a
    KeyError)."""
    with pytest.raises(WireFormatError) as err:
        parse_frame(message)
    assert expected in err.value.user_message, err.value.user_message
    assert isinstance(err.value, BackrehabError)


BAD_TEXTS: list[tuple[str, str | bytes, str]] = [
    ("not JSON", "{'type': 'frame'}", "not valid JSON"),
    ("truncated", json.dumps(_valid())[:-5], "not valid JSON"),
    ("NaN token", json.dumps(_with(t=float("nan"))), "must not contain NaN"),
    ("Infinity token", '{"type": "frame", "seq": 1, "t": Infinity}', "must not contain Infinity"),
    ("not UTF-8", b'{"type": "\xff"}', "not UTF-8"),
    ("too large", json.dumps({"type": "frame", "pad": "x" * 20_000}), "over the limit"),
    ("unknown type", '{"type": "hello"}', "Unknown live-coach message type 'hello'"),
    ("finish with data", '{"type": "finish", "reps": 3}', "no other field"),
    ("a number", "3", "must be a JSON object"),
    ("a 5000-digit number", '{"type": "frame", "seq": ' + "1" * 5000 + "}", "cannot be read"),
    ("nested 8000 deep", "[" * 8000 + "]" * 8000, "nested too deeply"),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD_TEXTS, ids=[c[0] for c in BAD_TEXTS])
def test_every_malformed_socket_message_is_a_clear_error(
    case: str, text: str | bytes, expected: str
) -> None:
    """Bad text, JSON, sizes and types raise WireFormatError with a message that says why."""
    with pytest.raises(WireFormatError) as err:
        decode_message(text)
    assert expected in err.value.user_message, err.value.user_message


def test_finish_and_frame_messages_are_told_apart() -> None:
    """``{"type": "finish"}`` ends the set; a frame message parses as a frame."""
    assert isinstance(decode_message('{"type": "finish"}'), WireFinish)
    assert isinstance(parse_message(_valid()), WireFrame)
    assert isinstance(decode_message(json.dumps(_valid()).encode()), WireFrame)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**308, max_value=10**400)  # beyond a float
    | st.floats()
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(["type", "seq", "t", "lm", "wl"]),
    value=_json,
    index=st.integers(0, 32),
    nested=st.booleans(),
)
def test_any_tampered_frame_is_accepted_or_a_wire_error(
    field: str, value: Any, index: int, nested: bool
) -> None:
    """Replacing a field, a landmark row or one number of a valid frame with any JSON value
    either still parses or raises WireFormatError: nothing else ever escapes."""
    msg = _valid()
    if nested and field in ("lm", "wl"):
        rows = [list(r) for r in msg[field]]
        rows[index][index % 3] = value
        msg[field] = rows
    else:
        msg[field] = value
    try:
        frame = parse_message(msg)
    except WireFormatError:
        return
    assert isinstance(frame, WireFrame | WireFinish)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_any_socket_text_is_parsed_or_a_wire_error(text: str | bytes) -> None:
    """Random text or bytes never raise anything but WireFormatError."""
    with contextlib.suppress(WireFormatError):
        decode_message(text)


_coords = st.floats(-2.0, 2.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(
    image=st.lists(st.tuples(_coords, _coords, _coords), min_size=33, max_size=33),
    world=st.lists(st.tuples(_coords, _coords, _coords), min_size=33, max_size=33),
    vis=st.lists(st.floats(0.0, 1.0), min_size=33, max_size=33),
    t=st.floats(-1.0, 1.0e6),
)
def test_encoded_frames_round_trip_to_four_decimals(
    image: list[tuple[float, ...]], world: list[tuple[float, ...]], vis: list[float], t: float
) -> None:
    """A frame encoded as the browser sends it decodes to the same values within 0.5e-4."""
    msg = encode_frame(3, t, np.array(image), np.array(vis), np.array(world))
    frame = decode_message(json.dumps(msg))
    assert isinstance(frame, WireFrame)
    assert frame.world_m is not None
    assert frame.image_norm is not None
    assert frame.visibility is not None
    assert np.abs(frame.world_m - np.array(world)).max() <= 0.5e-4 + 1e-12
    assert np.abs(frame.image_norm - np.array(image)).max() <= 0.5e-4 + 1e-12
    assert np.abs(frame.visibility - np.array(vis)).max() <= 0.5e-4 + 1e-12
    assert frame.t_s == pytest.approx(t, abs=1e-6)


def test_a_recorded_stream_reads_back_and_names_a_bad_line(tmp_path: Path) -> None:
    """write_stream / read_stream round-trip (plain and gzip); a bad line is named by number."""
    msgs = [encode_frame(i, i / 30, None, None, None) for i in range(1, 4)]
    for name in ("s.jsonl", "s.jsonl.gz"):
        path = tmp_path / name
        assert write_stream(path, msgs) == 3
        assert [f.seq for f in read_stream(path)] == [1, 2, 3]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(msgs[0]) + "\n" + '{"type": "frame", "seq": 2}\n')
    with pytest.raises(WireFormatError, match=r"bad\.jsonl, line 2: Frame message is missing"):
        read_stream(bad)
    with pytest.raises(WireFormatError, match="Cannot read the landmark stream"):
        read_stream(tmp_path / "absent.jsonl")


def test_a_photo_has_no_landmark_stream() -> None:
    """Recording a stream needs a video: a photo's sequence is refused with a clear error."""
    seq = sequence_of([Posture()], yaw_deg=0.0)
    photo = seq.replace(source=SourceInfo(**{**seq.source.to_dict(), "kind": "photo"}))
    with pytest.raises(WireFormatError, match="needs a video"):
        list(sequence_messages(photo))


# -- input checks of the coach -----------------------------------------------------------------
BAD_STEPS: list[tuple[str, Any, Any, Any, str]] = [
    ("time a string", "0.1", np.zeros((33, 3)), np.ones(33), "must be a number of seconds"),
    ("time a bool", True, np.zeros((33, 3)), np.ones(33), "must be a number of seconds"),
    ("time NaN", math.nan, np.zeros((33, 3)), np.ones(33), "must be finite"),
    ("world (33, 2)", 0.1, np.zeros((33, 2)), np.ones(33), "shape (33, 3), got (33, 2)"),
    ("world (32, 3)", 0.1, np.zeros((32, 3)), np.ones(33), "shape (33, 3), got (32, 3)"),
    ("world ragged", 0.1, [[0.0, 0.0], [0.0]], np.ones(33), "arrays of numbers"),
    ("world text", 0.1, [["a", "b", "c"]] * 33, np.ones(33), "arrays of numbers"),
    ("world infinite", 0.1, np.full((33, 3), np.inf), np.ones(33), "within +-10"),
    ("world 20 m", 0.1, np.full((33, 3), 20.0), np.ones(33), "within +-10"),
    ("visibility (34,)", 0.1, np.zeros((33, 3)), np.ones(34), "shape (33,), got (34,)"),
    ("visibility NaN", 0.1, np.zeros((33, 3)), np.full(33, np.nan), "in 0-1 (no NaN)"),
    ("visibility 2", 0.1, np.zeros((33, 3)), np.full(33, 2.0), "in 0-1"),
    ("visibility alone", 0.1, None, np.ones(33), "without world landmarks"),
    ("world alone", 0.1, np.zeros((33, 3)), None, "need their visibility"),
]


@pytest.mark.parametrize(
    ("case", "t", "world", "vis", "expected"), BAD_STEPS, ids=[c[0] for c in BAD_STEPS]
)
def test_bad_landmarks_given_to_the_coach_are_clear_errors(
    case: str, t: Any, world: Any, vis: Any, expected: str
) -> None:
    """Wrong shapes, infinite or out-of-range values raise StreamInputError naming them, and
    the coach is unchanged (the next good frame is accepted)."""
    coach = LiveCoach(SQUAT)
    with pytest.raises(StreamInputError) as err:
        coach.step(t, world, vis)
    assert expected in err.value.user_message, err.value.user_message
    assert coach.frames == 0
    assert coach.step(0.2, None, None).accepted


def test_min_visibility_must_be_in_0_1() -> None:
    """A visibility threshold outside 0-1 is a ConfigError."""
    with pytest.raises(ConfigError, match="min_visibility"):
        LiveCoach(SQUAT, min_visibility=1.5)


def test_finish_is_final_and_repeatable() -> None:
    """finish() returns the same report twice; a frame after it is refused with a clear error."""
    coach = LiveCoach(SQUAT)
    for f in squat_frames(1):
        coach.step_wire(f)
    report = coach.finish()
    assert coach.finish() is report
    assert coach.finished
    with pytest.raises(StreamInputError, match="finished"):
        coach.step(100.0, None, None)


# -- synthetic streams ---------------------------------------------------------------------------
def test_synthetic_squats_count_and_match_the_offline_path() -> None:
    """Four squats sent over the wire: 4 reps live, as many as the offline path counts on the
    same landmarks, and the report is the offline path's CoachReport."""
    seq = sequence_of(squat_postures(4), yaw_deg=90.0, fps=FPS)
    report, states = replay(SQUAT, as_wire(seq))
    offline = coach_sequence(analyze_sequence(seq), SQUAT)
    assert isinstance(report, CoachReport)
    assert counts(report) == counts(offline) == (4, 0)
    assert [s.reps for s in states][-1] == 4
    assert sorted({s.reps for s in states}) == [0, 1, 2, 3, 4]  # counted one at a time
    assert statuses(states) == {"counting"}
    assert report.frames == len(states)
    assert report.measurable_fraction == 1.0
    assert report.sets[0].reps == 4


def test_dropped_frames_keep_the_count() -> None:
    """Every other frame dropped (the browser busy with inference): still 4 reps."""
    frames = squat_frames(4)
    report, states = replay(SQUAT, frames[::2])
    assert counts(report) == (4, 0)
    assert all(s.accepted for s in states)


def test_repeated_and_late_frames_are_ignored_and_said_so() -> None:
    """Every 5th frame sent twice and every 7th pair swapped (the late one arrives after its
    successor): those are not accepted, change nothing, and the count is the clean one."""
    frames = squat_frames(4)
    sent: list[WireFrame] = []
    for i, f in enumerate(frames):
        sent.append(f)
        if i % 5 == 0:
            sent.append(f)
    for i in range(1, len(sent) - 1, 7):
        sent[i], sent[i + 1] = sent[i + 1], sent[i]
    coach = LiveCoach(SQUAT)
    rejected = 0
    for f in sent:
        before = coach.state
        state = coach.step_wire(f)
        if not state.accepted:
            rejected += 1
            assert (state.reps, state.status, state.cue) == (before.reps, before.status, before.cue)
    report = coach.finish()
    assert rejected >= len(frames) // 5
    assert coach.frames == len(sent) - rejected
    assert counts(report) == counts(replay(SQUAT, frames)[0]) == (4, 0)


def _two_plus_two_with_a_pause() -> list[WireFrame]:
    """Two squats, 3 s standing still, two squats."""
    still = [squat_postures(1)[0]] * int(3 * FPS)
    postures = squat_postures(2) + still + squat_postures(2)
    return as_wire(sequence_of(postures, yaw_deg=90.0, fps=FPS))


def test_a_two_second_gap_without_a_pose_pauses_and_does_not_reset() -> None:
    """Two squats, 2 s in which no pose is found (frames with null landmarks), two squats: the
    coach says paused during the gap with a message and no cue, keeps the 2 reps, ends with 4."""
    frames = _two_plus_two_with_a_pause()
    gap_start = 5.8
    sent = [without_pose(f) if gap_start <= f.t_s < gap_start + 2.0 else f for f in frames]
    report, states = replay(SQUAT, sent)
    in_gap = [s for s in states if gap_start <= s.t_s < gap_start + 2.0]
    assert in_gap
    assert all(s.status == "paused" for s in in_gap)
    assert all(s.reps == 2 and s.cue is None and s.message for s in in_gap)
    assert all(s.view == "unknown" for s in in_gap)
    assert counts(report) == (4, 0)
    assert report.measurable_fraction < 1.0


def test_a_two_second_gap_without_frames_does_not_reset() -> None:
    """The same 2 s with no frames at all (the socket stalled): 4 reps."""
    frames = [f for f in _two_plus_two_with_a_pause() if not 5.8 <= f.t_s < 7.8]
    report, states = replay(SQUAT, frames)
    after = next(s for s in states if s.t_s >= 7.8)
    assert after.status == "paused"
    assert after.reps == 2
    assert counts(report) == (4, 0)


def test_a_gap_at_the_bottom_of_a_squat_keeps_the_repetition() -> None:
    """Unseen for 2 s while holding the bottom of a squat: the repetition continues when the
    person is seen again and is counted once they stand up."""
    down = [Posture(knee_flexion=100 * p, hip_flexion=90 * p) for p in np.linspace(0, 1, 30)]
    bottom = [down[-1]] * int(3 * FPS)
    postures = [Posture()] * 15 + down + bottom + down[::-1] + [Posture()] * 15
    frames = as_wire(sequence_of(postures, yaw_deg=90.0, fps=FPS))
    start = frames[50].t_s
    sent = [without_pose(f) if start <= f.t_s < start + 2.0 else f for f in frames]
    report, states = replay(SQUAT, sent)
    assert {s.status for s in states if start <= s.t_s < start + 2.0} == {"paused"}
    assert counts(report) == (1, 0)


def test_someone_who_never_gets_into_position_gets_no_reps() -> None:
    """Standing and squatting in front of a glute-bridge coach: 0 reps, getting_ready the whole
    time, told to lie down, never a form cue."""
    report, states = replay(spec_for("glute_bridge"), squat_frames(3))
    assert counts(report) == (0, 0)
    assert statuses(states) == {"getting_ready"}
    assert all(s.cue is None for s in states)
    assert states[-1].message == "Get into position: Lie on your back with your knees bent"


def test_someone_who_never_reaches_the_start_position_gets_no_reps() -> None:
    """Half crouched the whole time (hips between the squat's zones): 0 reps, getting_ready."""
    crouch = [Posture(knee_flexion=60, hip_flexion=55, trunk_inclination=20)] * int(4 * FPS)
    report, states = replay(SQUAT, as_wire(sequence_of(crouch, yaw_deg=90.0, fps=FPS)))
    assert counts(report) == (0, 0)
    assert statuses(states) == {"getting_ready"}
    assert states[-1].message == "Get into the start position"


def test_hidden_legs_ask_to_adjust_the_camera_and_name_the_parts() -> None:
    """Knees and ankles below the visibility threshold: adjust_camera, the message names them,
    no cue, no count."""
    frames = squat_frames(2)
    coach = LiveCoach(SQUAT)
    hidden = [int(L.LEFT_KNEE), int(L.RIGHT_KNEE), int(L.LEFT_ANKLE), int(L.RIGHT_ANKLE)]
    for f in frames:
        assert f.visibility is not None
        vis = f.visibility.copy()
        vis[hidden] = 0.2
        state = coach.step(f.t_s, f.world_m, vis)
        assert state.status == "adjust_camera"
        assert state.cue is None
        assert state.message is not None
        assert "knees, ankles" in state.message
    assert counts(coach.finish()) == (0, 0)


@pytest.mark.parametrize(
    ("yaw", "view"), [(90.0, "left side"), (-90.0, "right side"), (0.0, "front")]
)
def test_the_state_names_the_camera_view(yaw: float, view: str) -> None:
    """The view of the body in each frame: side-on or from the front."""
    _, states = replay(SQUAT, squat_frames(1, yaw_deg=yaw))
    assert {s.view for s in states} == {view}


def test_a_view_bound_form_check_says_which_way_to_turn() -> None:
    """From the side, the squat's knee-valgus checks (frontal) cannot be judged: the message
    asks the patient to face the camera for them."""
    _, states = replay(SQUAT, squat_frames(1, yaw_deg=90.0))
    assert all("face the camera" in (s.message or "") for s in states)


def test_a_plank_is_timed_live() -> None:
    """Standing, then a 5 s forearm plank: getting ready, then holding with a running timer,
    and the report holds one ~4.9 s hold."""
    plank = [Posture(trunk_inclination=90, shoulder_flexion=90)] * int(5 * FPS)
    frames = as_wire(sequence_of([Posture()] * 15 + plank, yaw_deg=90.0, fps=FPS))
    report, states = replay(spec_for("front_plank"), frames)
    assert states[0].status == "getting_ready"
    assert states[0].message
    assert states[-1].status == "holding"
    assert states[-1].hold_s == pytest.approx(4.9, abs=0.1)
    assert states[-1].sets == 1
    assert len(report.holds) == 1
    assert report.total_hold_s == pytest.approx(4.9, abs=0.1)


def test_state_json_is_plain_and_complete() -> None:
    """The state serialises to JSON with every field the page shows."""
    _, states = replay(SQUAT, squat_frames(1))
    data = json.loads(json.dumps(states[-1].to_json_dict()))
    assert {"reps", "partial_reps", "hold_s", "status", "cue", "message", "view"} <= set(data)
    assert {"accepted", "coach_ms", "sets", "reps_left", "reps_right", "t_s"} <= set(data)


@settings(max_examples=100, deadline=None)
@given(
    world=st.lists(st.tuples(*[st.floats(-2, 2) | st.just(math.nan)] * 3), min_size=33, max_size=33)
)
def test_the_live_yaw_equals_the_pose_layers_yaw(world: list[tuple[float, ...]]) -> None:
    """The per-frame yaw of the live path is exactly body_yaw_deg's (NaN landmarks included)."""
    w = np.array(world)[None]
    assert np.array_equal(yaw_deg(w), body_yaw_deg(w), equal_nan=True)


# -- recorded streams ----------------------------------------------------------------------------
def _stream_sequence(frames: list[WireFrame], width: int, height: int) -> PoseSequence:
    """A pose sequence rebuilt from a stream, for the offline path on the very same landmarks."""
    n = len(frames)
    nan = np.full((33, 3), np.nan)
    scale = np.array([width, height, width])
    return PoseSequence(
        t_s=np.array([f.t_s for f in frames]),
        frame_index=np.arange(n),
        image_px=np.stack(
            [f.image_norm * scale if f.image_norm is not None else nan for f in frames]
        ),
        visibility=np.stack(
            [f.visibility if f.visibility is not None else np.full(33, np.nan) for f in frames]
        ),
        world_m=np.stack([f.world_m if f.world_m is not None else nan for f in frames]),
        source=SourceInfo(
            file_name="stream", sha256="", kind="video", fps=30.0,
            frame_width_px=width, frame_height_px=height,
        ),
    )  # fmt: skip


def test_the_committed_demo_stream_counts_its_two_squats() -> None:
    """The recorded stream of the bundled CC BY demo clip (2 hand-counted squats): 2 reps live,
    and the offline path counts the same on the same landmarks."""
    frames = read_stream(DEMO_STREAM)
    assert len(frames) == 213
    assert all(f.found for f in frames)
    report, states = replay(SQUAT, frames)
    offline = coach_sequence(analyze_sequence(_stream_sequence(frames, 1280, 720)), SQUAT)
    assert counts(report) == counts(offline) == (2, 0)
    assert states[-1].reps == 2


def test_cues_and_messages_only_where_the_status_allows_them() -> None:
    """Over a real stream: a cue only while counting or holding; a message whenever paused,
    badly framed or getting ready."""
    _, states = replay(SQUAT, read_stream(DEMO_STREAM))
    for s in states:
        if s.cue is not None:
            assert s.status in ("counting", "holding")
        if s.status in ("paused", "adjust_camera", "getting_ready"):
            assert s.message


def test_coach_step_time_on_a_real_stream(record_property: Any) -> None:
    """LiveCoach.step's cost per frame (mean and p95, ms) on the demo stream, printed and
    recorded; the 1 ms target is checked by bench/live_coach.py, not asserted here."""
    timing = time_steps(SQUAT, read_stream(DEMO_STREAM), repeat=3)
    record_property("live_coach_step_mean_ms", timing.mean_ms)
    record_property("live_coach_step_p95_ms", timing.p95_ms)
    print(f"\nLiveCoach.step on {timing.frames} frames: {timing}")  # noqa: T201
    assert timing.frames == 3 * 213
    assert 0 < timing.mean_ms <= timing.max_ms  # a few slow frames may pull the mean past p95
    assert 0 < timing.p95_ms <= timing.max_ms


def test_features_of_one_frame_equal_those_of_the_batch() -> None:
    """The live path's float signals of one frame equal the batch computation of the stream
    (within 1e-9: numpy's vector loops may round the last bit differently from scalars)."""
    frames = read_stream(DEMO_STREAM)
    world = np.stack([f.world_m for f in frames if f.world_m is not None])
    batch = compute_features(world, SQUAT)
    names = spec_signal_names(SQUAT)
    for i in range(len(world)):
        single = frame_features(world[i].tolist(), SQUAT, names)
        assert single.keys() == batch.keys()
        for name, value in single.items():
            assert value == pytest.approx(float(batch[name][i]), abs=1e-9, nan_ok=True), name


CLIPS = [
    ("squat_side_01.mp4", "bodyweight_squat"),
    ("glute_bridge_side_01.mp4", "glute_bridge"),
    ("pushup_side_01.mp4", "push_up"),
]


@pytest.mark.video
@pytest.mark.parametrize(("clip", "exercise"), CLIPS)
def test_recorded_clip_streams_count_like_the_labels_and_the_offline_path(
    clip: str,
    exercise: str,
    media_dir: Path,
    shared_cache: PoseCache,
    labels: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    """A real clip's landmark stream, recorded at test time in the wire format (JSON lines, 4
    decimals) and replayed through LiveCoach: the hand-labelled count, and the same count as
    the offline path (``backrehab reps``) on the clip."""
    entry = next(x for x in labels if Path(x["file"]).name == clip)
    sequence = extract_pose(media_dir / clip, cache=shared_cache)
    path = tmp_path / f"{clip}.jsonl"
    write_stream(path, sequence_messages(sequence))
    frames = read_stream(path)
    assert len(frames) == sequence.n_frames
    spec = spec_for(exercise)
    report, states = replay(spec, frames)
    offline = coach_sequence(analyze_sequence(sequence), spec)
    assert counts(report) == (entry["complete_reps"], entry.get("partial_reps", 0))
    assert counts(report) == counts(offline)
    assert states[-1].reps == entry["complete_reps"]
    for rep in report.per_rep:  # live peaks near the labelled times too
        assert min(abs(rep.peak_s - e) for e in entry["event_times_s"]) <= 0.5
