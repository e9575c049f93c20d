"""Assessments straight from media files: analyse (or read the pose cache), then assess.

Input: photo or video paths and settings. Output: the assessment result models of
:mod:`~backrehab.assess.posture`, :mod:`~backrehab.assess.screens`,
:mod:`~backrehab.assess.endurance_video` and :mod:`~backrehab.assess.endurance`, as JSON-ready
dicts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from backrehab.assess.endurance import (
    EnduranceSettings,
    EnduranceTest,
    EnduranceTimes,
    Sex,
    evaluate_endurance,
)
from backrehab.assess.endurance import findings_from as endurance_findings
from backrehab.assess.endurance_video import HoldSettings, HoldTest, time_hold_test
from backrehab.assess.posture import PostureSettings, PostureView, assess_posture
from backrehab.assess.screens import ScreenSettings, ScreenTest, run_screen
from backrehab.config import AnalysisConfig
from backrehab.ergonomics.from_pose import PoseErgoSettings
from backrehab.pose.extract import ProgressCallback
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
        out["findings"] = [_dump(f) for f in endurance_findings(evaluation)]
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
    """The McGill battery from clinician-entered times; JSON-ready with ratios and findings."""
    times = EnduranceTimes(
        flexor_s=flexor_s,
        extensor_s=extensor_s,
        side_left_s=side_left_s,
        side_right_s=side_right_s,
        sex=sex,
    )
    result = evaluate_endurance(times, settings=settings)
    out = _dump(result)
    out["flags"] = list(result.flag_codes)
    out["findings"] = [_dump(f) for f in endurance_findings(result)]
    return out


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
    offset is then calibrated on it (§4.5) instead of the project default.
    """
    from pathlib import Path

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
    data["findings"] = [
        _dump(f)
        for f in findings_from(
            scored.score,
            side=scored.side,
            confidence=0.7,
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
