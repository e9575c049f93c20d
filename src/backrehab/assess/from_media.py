"""Assessments straight from media files: analyse (or read the pose cache), then assess.

Input: photo or video paths and settings. Output: the assessment result models of
:mod:`~backrehab.assess.posture`, :mod:`~backrehab.assess.screens`,
:mod:`~backrehab.assess.endurance_video` and :mod:`~backrehab.assess.endurance`, as JSON-ready
dicts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from backrehab.assess.endurance import (
    EnduranceSettings,
    EnduranceTest,
    EnduranceTimes,
    Sex,
    evaluate_endurance,
    times_from_mapping,
)
from backrehab.assess.endurance import findings_from as endurance_findings
from backrehab.assess.endurance_video import (
    HoldSettings,
    HoldTest,
    HoldTimingResult,
    time_hold_test,
)
from backrehab.assess.posture import (
    PostureSettings,
    PostureView,
    assess_posture,
    capture_confidence,
)
from backrehab.assess.screens import ScreenSettings, ScreenTest, run_screen
from backrehab.config import AnalysisConfig
from backrehab.ergonomics.from_pose import PoseErgoSettings
from backrehab.errors import InvalidResponseError, PoseQualityError
from backrehab.pose.extract import ProgressCallback
from backrehab.pose.landmarks import Landmark
from backrehab.pose.pipeline import analyze_media
from backrehab.pose.posefile import PoseCache

PathLike = str | os.PathLike[str]


def _dump(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json")
    return data


def posture_from_photos(
    photos: Sequence[PathLike],
    *,
    view: PostureView | None = None,
    settings: PostureSettings | None = None,
    config: AnalysisConfig | None = None,
    cache: PoseCache | None = None,
) -> dict[str, Any]:
    """Posture of one or more photos of one view; JSON-ready with ``findings`` and ``metrics``."""
    results = [analyze_media(p, config, cache=cache) for p in photos]
    posture = assess_posture(results, view=view, settings=settings)
    out = _dump(posture)
    out["metrics"] = {m["name"]: m for m in out["metrics"]}
    out["findings"] = out.pop("findings")
    return out


def screen_from_video(
    video: PathLike,
    test: ScreenTest,
    *,
    settings: ScreenSettings | None = None,
    config: AnalysisConfig | None = None,
    cache: PoseCache | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """A movement screen of one video; JSON-ready with ``findings``, ``metrics`` and ``reps``."""
    analysis = analyze_media(video, config, cache=cache, on_progress=on_progress)
    result = run_screen(analysis, test, settings)
    out = _dump(result)
    out["metrics"] = out.pop("summary")
    return out


def hold_from_video(
    video: PathLike,
    test: HoldTest,
    *,
    sex: Sex | None = None,
    settings: HoldSettings | None = None,
    endurance_settings: EnduranceSettings | None = None,
    config: AnalysisConfig | None = None,
    cache: PoseCache | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Time a hold test in one video; McGill tests are also compared with the norms.

    The longest hold is the test time. For the battery's tests (flexor, Biering-Sørensen,
    side bridge) it is evaluated as a partial battery with ``endurance_settings``, so low
    endurance against the sex-matched norm is reported when ``sex`` is given; the plank has no
    norm in the reference.
    """
    analysis = analyze_media(video, config, cache=cache, on_progress=on_progress)
    timing = time_hold_test(analysis, test, settings)
    out = _dump(timing)
    out["findings"] = []
    if test != "plank" and timing.holds:
        battery_test = EnduranceTest.from_hold_test(test, timing.side)
        times = EnduranceTimes(sex=sex, **{battery_test.times_field: timing.longest_hold_s})
        evaluation = evaluate_endurance(times, settings=endurance_settings)
        out["battery_test"] = battery_test.value
        out["findings"] = [
            _dump(f)
            for f in endurance_findings(evaluation, confidence={battery_test: timing.confidence})
        ]
    return out


BATTERY_HOLD_TESTS: Final[Mapping[EnduranceTest, HoldTest]] = MappingProxyType(
    {
        EnduranceTest.FLEXOR: "flexor",
        EnduranceTest.EXTENSOR: "biering_sorensen",
        EnduranceTest.SIDE_BRIDGE_LEFT: "side_bridge",
        EnduranceTest.SIDE_BRIDGE_RIGHT: "side_bridge",
    }
)
"""The video hold test that times each test of the McGill battery."""


@dataclass(frozen=True, slots=True)
class TimedBatteryHold:
    """One test of the McGill battery timed from a video.

    Attributes
    ----------
    test
        The battery test the video was filmed for.
    video
        The video's file name (for the report; not opened again).
    timing
        Every hold found in the video (:func:`~backrehab.assess.endurance_video.time_hold_test`);
        the longest is the test time.
    """

    test: EnduranceTest
    video: str
    timing: HoldTimingResult


def time_battery_hold(
    video: PathLike,
    test: EnduranceTest | str,
    *,
    settings: HoldSettings | None = None,
    config: AnalysisConfig | None = None,
    cache: PoseCache | None = None,
    on_progress: ProgressCallback | None = None,
) -> TimedBatteryHold:
    """Time one battery test (flexor, extensor, left or right side bridge) in a video.

    Parameters
    ----------
    video
        Video of the test.
    test
        The battery test (:class:`~backrehab.assess.endurance.EnduranceTest` or its value, or
        ``biering_sorensen``), or ``side_bridge``: then the side is the one seen in the video
        (the lower, supporting shoulder).
    settings, config, cache, on_progress
        Hold conditions, pose analysis settings, pose cache and progress callback.

    Returns
    -------
    TimedBatteryHold
        To be combined into a battery with :func:`endurance_battery`.

    Raises
    ------
    InvalidResponseError
        ``test`` is not a battery test (the plank is not one).
    """
    hold_test: HoldTest
    if test == "side_bridge":
        hold_test = "side_bridge"
    else:
        try:
            hold_test = BATTERY_HOLD_TESTS[EnduranceTest(test)]
        except ValueError as exc:
            raise InvalidResponseError(
                f"'{test}' is not a test of the McGill endurance battery.",
                detail="expected flexor, extensor/biering_sorensen, side_bridge_left, "
                "side_bridge_right or side_bridge",
            ) from exc
    analysis = analyze_media(video, config, cache=cache, on_progress=on_progress)
    timing = time_hold_test(analysis, hold_test, settings)
    battery_test = (
        EnduranceTest.from_hold_test(hold_test, timing.side)
        if test == "side_bridge"
        else EnduranceTest(test)
    )
    return TimedBatteryHold(test=battery_test, video=Path(video).name, timing=timing)


def _video_time_s(hold: TimedBatteryHold) -> float:
    """The test time of a video-timed hold; refuses a video that does not fit its test."""
    test, timing = hold.test, hold.timing
    label = test.value.replace("_", " ")
    if timing.test != BATTERY_HOLD_TESTS[test]:
        raise InvalidResponseError(
            f"{hold.video}: timed as a {timing.test.replace('_', ' ')} hold, which is not the "
            f"{label} test (expected {BATTERY_HOLD_TESTS[test]})."
        )
    if not timing.holds:
        raise PoseQualityError(
            f"No {label} hold was found in {hold.video}: the test posture was never held for the "
            "minimum time in view. Film the whole body from the side, or type the time instead."
        )
    if test.side != "none" and timing.side != test.side:
        raise PoseQualityError(
            f"{hold.video} shows a {timing.side} side bridge (the {timing.side} shoulder is the "
            f"lower, supporting one), not the {test.side} side bridge it was given for."
        )
    return timing.longest_hold_s


def endurance_battery(
    *,
    typed_s: Mapping[str, float | None] | None = None,
    timed: Sequence[TimedBatteryHold] = (),
    sex: Sex | None = None,
    settings: EnduranceSettings | None = None,
) -> dict[str, Any]:
    """One McGill battery from typed times and video-timed holds together.

    Each of the four tests comes from at most one place: a typed time or a video (the longest
    hold found in it). The §3.3 ratios and flags are computed across all of them, as for a fully
    typed battery.

    Parameters
    ----------
    typed_s
        ``flexor_s``, ``extensor_s``, ``side_left_s``, ``side_right_s`` -> seconds or None.
    timed
        Tests timed from video (:func:`time_battery_hold`).
    sex
        For the norms; None compares ratios only.
    settings
        Flag thresholds.

    Returns
    -------
    dict
        The :class:`~backrehab.assess.endurance.EnduranceResult` fields, ``flags``,
        ``findings`` (each with the lowest confidence of the tests it uses: a video timing's
        ``confidence``, 1.0 for a typed time) and ``sources``: per test given,
        ``{"source": "typed"}`` or ``{"source": "video", "video": ..., "hold_test": ...,
        "time_s": ..., "holds": [...], ...}`` (every hold segment found in the video, the
        longest being the test time).

    Raises
    ------
    InvalidResponseError
        A bad typed time (named), a test given twice (typed and from video, or two videos), no
        test at all, or a timing of the wrong hold test.
    PoseQualityError
        A video in which no hold was found, or a side bridge filmed on the other side.
    """
    checked = times_from_mapping(dict(typed_s or {}))  # unknown fields, bad times named here
    times: dict[str, float | None] = {t.times_field: checked.time_of(t) for t in EnduranceTest}
    sources: dict[str, dict[str, Any]] = {
        field: {"source": "typed"} for field, value in times.items() if value is not None
    }
    for hold in timed:
        field = hold.test.times_field
        if field in sources:
            first = sources[field].get("video", "a typed time")
            raise InvalidResponseError(
                f"The {hold.test.value.replace('_', ' ')} test is given twice ({first} and "
                f"{hold.video}); give each test once, typed or from one video."
            )
        times[field] = _video_time_s(hold)
        timing = _dump(hold.timing)
        sources[field] = {
            "source": "video",
            "video": hold.video,
            "hold_test": timing.pop("test"),
            "time_s": hold.timing.longest_hold_s,
            **timing,
        }
    if not sources:
        raise InvalidResponseError(
            "The endurance battery needs at least one hold time, typed or from a video."
        )
    battery = EnduranceTimes(
        flexor_s=times["flexor_s"],
        extensor_s=times["extensor_s"],
        side_left_s=times["side_left_s"],
        side_right_s=times["side_right_s"],
        sex=sex,
    )
    result = evaluate_endurance(battery, settings=settings)
    out = _dump(result)
    out["flags"] = list(result.flag_codes)
    trust = {hold.test: hold.timing.confidence for hold in timed}
    out["findings"] = [_dump(f) for f in endurance_findings(result, confidence=trust)]
    out["sources"] = {
        t.times_field: sources[t.times_field] for t in EnduranceTest if t.times_field in sources
    }
    return out


def endurance_from_times(
    *,
    flexor_s: float | None,
    extensor_s: float | None,
    side_left_s: float | None,
    side_right_s: float | None,
    sex: Sex | None = None,
    settings: EnduranceSettings | None = None,
) -> dict[str, Any]:
    """The McGill battery from clinician-entered times; JSON-ready with ratios and findings.

    :func:`endurance_battery` with typed times only (every source ``typed``).
    """
    return endurance_battery(
        typed_s={
            "flexor_s": flexor_s,
            "extensor_s": extensor_s,
            "side_left_s": side_left_s,
            "side_right_s": side_right_s,
        },
        sex=sex,
        settings=settings,
    )


def ergonomics_from_photo(
    photo: PathLike,
    method: str,
    *,
    overlay_dir: PathLike | None = None,
    neutral_photo: PathLike | None = None,
    settings: PoseErgoSettings | None = None,
    config: AnalysisConfig | None = None,
    cache: PoseCache | None = None,
) -> dict[str, Any]:
    """RULA or REBA of a side-view photo: the score (worse side), the angles used, the findings
    and, when ``overlay_dir`` is given, an overlay PNG with the angles drawn.

    ``neutral_photo``: a side-view photo of the same person upright and looking ahead; the neck
    offset is then calibrated on it (§4.5) instead of the project default. ``confidence`` (also
    on the finding) is the mean visibility of the scored side's ear, shoulder, elbow, wrist,
    hip, knee and ankle times cos(offset of the camera from a side view).
    """
    from backrehab.ergonomics import findings_from, score_to_json_dict
    from backrehab.ergonomics.from_pose import (
        calibrated,
        ergonomics_from_pose,
        neck_offset_from_neutral,
        write_ergonomics_overlay,
    )
    from backrehab.ergonomics.schema import check_method

    path = Path(photo)
    name = check_method(method)
    if neutral_photo is not None:
        neutral = Path(neutral_photo)
        offset = neck_offset_from_neutral(analyze_media(neutral, config, cache=cache), settings)
        settings = calibrated(settings, offset, neutral.name)
    used = settings or PoseErgoSettings()
    analysis = analyze_media(path, config, cache=cache)
    scored = ergonomics_from_pose(analysis, name, used)
    data = score_to_json_dict(scored.score, side=scored.side)
    data.update(
        angles_used=scored.angles_used,
        angle_sources=scored.angle_sources,
        other_side_score=scored.other_side_score,
        seated=scored.seated,
        inferred=list(scored.inferred),
        neck_neutral_offset_deg=used.neck_neutral_offset_deg,
        neck_offset_source=used.neck_offset_source,
    )
    side = scored.side.upper()
    points = tuple(
        Landmark[f"{side}_{j}"]
        for j in ("EAR", "SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE")
    )
    data["confidence"] = capture_confidence(analysis, points, "side")
    data["findings"] = [
        _dump(f)
        for f in findings_from(
            scored.score,
            side=scored.side,
            confidence=data["confidence"],
            source_note=f"from a side-view photo ({path.name})",
        )
    ]
    if overlay_dir is not None:
        folder = Path(overlay_dir)
        folder.mkdir(parents=True, exist_ok=True)
        data["overlay"] = str(
            write_ergonomics_overlay(path, analysis, scored, folder / "overlay.png")
        )
    return data
