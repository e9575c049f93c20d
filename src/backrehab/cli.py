"""Command line: thin commands, each calling one library function and printing its result.

``backrehab analyze MEDIA``, ``backrehab demo`` and ``backrehab config show``. Errors of the
:class:`~backrehab.errors.BackrehabError` family print their message and exit with code 2.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from backrehab import __version__
from backrehab.config import AnalysisConfig, config_from_mapping, load_config, parse_overrides
from backrehab.errors import BackrehabError, ConfigError

app = typer.Typer(
    name="backrehab",
    help="Neuromuscular reeducation for back pain: measure, plan, coach, track. "
    "Not medical advice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Analysis settings.", no_args_is_help=True)
app.add_typer(config_app, name="config")
clinic_app = typer.Typer(
    help="Whole-clinic export and import (backups, moves).", no_args_is_help=True
)
app.add_typer(clinic_app, name="clinic")

err_console = Console(stderr=True)
out_console = Console()

DEMO_CLIP = "squat_rear_barbell.mp4"


def _cache_dir() -> Path:
    env = os.environ.get("BACKREHAB_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "backrehab" / "pose"


def _config(
    config_file: Path | None, overrides: list[str] | None, stride: int | None
) -> AnalysisConfig:
    cfg = load_config(config_file)
    data: dict[str, Any] = parse_overrides(overrides or [])
    if stride is not None:
        data.setdefault("extraction", {})["frame_stride"] = stride
    return config_from_mapping(data, cfg) if data else cfg


@contextmanager
def _progress(enabled: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} frames"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def run_analysis(
    media: Path,
    out: Path | None,
    *,
    config: AnalysisConfig,
    overlay: bool,
    use_cache: bool,
    show_progress: bool,
) -> dict[str, Any]:
    """Analyse one file and write its outputs; returns the summary (with output paths)."""
    from backrehab.pose.outputs import write_outputs
    from backrehab.pose.pipeline import analyze_media
    from backrehab.pose.posefile import PoseCache

    out_dir = out or Path("out") / media.stem
    cache = PoseCache(_cache_dir()) if use_cache else None
    with _progress(show_progress, f"Pose: {media.name}") as on_progress:
        result = analyze_media(media, config, cache=cache, on_progress=on_progress)
    with _progress(
        show_progress and overlay and result.raw.source.kind == "video", "Overlay"
    ) as on_progress:
        written = write_outputs(result, media, out_dir, overlay=overlay, on_progress=on_progress)
    summary = result.summary()
    summary["outputs"] = {k: str(p) for k, p in written.items()}
    return summary


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table(title=f"{summary['file']}", show_header=False)
    for key in ("frames", "detected_fraction", "fps", "duration_s", "view", "mean_visibility"):
        table.add_row(key, str(summary[key]))
    out_console.print(table)
    angles = Table(title="Angles (sound values only)")
    for col in ("angle", "sound %", "median °", "min °", "max °"):
        angles.add_column(col, justify="right" if col != "angle" else "left")
    for name, s in summary["angle_stats"].items():
        if s["sound_fraction"] > 0:
            angles.add_row(
                name,
                f"{100 * s['sound_fraction']:.0f}",
                *(f"{s[k]:.1f}" for k in ("median_deg", "min_deg", "max_deg")),
            )
    out_console.print(angles)
    if summary["cleaning"]["note"]:
        out_console.print(f"note: {summary['cleaning']['note']}")
    out_console.print("outputs: " + ", ".join(summary["outputs"].values()))


@app.command()
def analyze(
    media: Annotated[
        Path, typer.Argument(help="Photo (jpg, png, webp) or video (mp4, mov, avi, webm).")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default out/<name>).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    overlay: Annotated[
        bool, typer.Option("--overlay/--no-overlay", help="Write the annotated picture or video.")
    ] = True,
    stride: Annotated[
        int | None, typer.Option("--stride", help="Process every n-th frame.")
    ] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config", help="Settings TOML file.")
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a setting, e.g. cleaning.cutoff_hz=4."),
    ] = None,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse poses already estimated for the same file and settings.",
        ),
    ] = True,
) -> None:
    """Estimate the pose in a photo or video and write angles, an overlay and a summary."""
    cfg = _config(config_file, overrides, stride)
    summary = run_analysis(
        media,
        out,
        config=cfg,
        overlay=overlay,
        use_cache=cache,
        show_progress=not as_json and sys.stderr.isatty(),
    )
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        _print_summary(summary)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out/demo"),
) -> None:
    """Analyse the bundled demo clip (a barbell squat, CC BY 3.0) and print its summary."""
    clip = resources.files("backrehab._demo").joinpath(DEMO_CLIP)
    with resources.as_file(clip) as path:
        summary = run_analysis(
            Path(path),
            out,
            config=AnalysisConfig(),
            overlay=True,
            use_cache=True,
            show_progress=True,
        )
        reps = _coach_report(Path(path), "bodyweight_squat", "reps", as_json=True)
    _print_summary(summary)
    out_console.print(
        f"Camera coach: {reps['reps']} squats counted (peaks at "
        + ", ".join(f"{r['peak_s']:.1f} s" for r in reps["per_rep"] if r["complete"])
        + f"), form score {reps['form_score']}."
    )
    out_console.print("Demo clip: FitnessScape, CC BY 3.0, via Wikimedia Commons.")


def _print_findings(data: dict[str, Any], title: str) -> None:
    table = Table(title=title)
    for col in ("finding", "severity", "value", "side", "norm"):
        table.add_column(col)
    for f in data.get("findings", []):
        value = "" if f["value"] is None else f"{f['value']:g} {f['unit']}".strip()
        table.add_row(f["title"], f["severity"], value, f["side"], f["norm"])
    out_console.print(table)
    for name, why in data.get("not_judged", {}).items():
        out_console.print(f"[dim]not judged: {name}: {why}[/]")


def _emit(data: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        _print_findings(data, title)


def _sex(value: str | None) -> Literal["female", "male"] | None:
    if value is None:
        return None
    if value == "female":
        return "female"
    if value == "male":
        return "male"
    raise ConfigError(f"--sex must be female or male, not '{value}'.")


def _cache() -> Any:
    from backrehab.pose.posefile import PoseCache

    return PoseCache(_cache_dir())


@app.command()
def score(
    instrument: Annotated[str, typer.Argument(help="odi, rmdq, startback, nprs, psfs or fabq.")],
    answers: Annotated[
        str,
        typer.Option(
            "--answers",
            help="Comma-separated answers; empty or "
            '"na" = missing. psfs: "activity=rating;...". nprs: '
            '"current,best,worst".',
        ),
    ],
    not_employed: Annotated[
        bool, typer.Option("--not-employed", help="FABQ: no work scale.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score a questionnaire and show its bands, risk group and findings."""
    from backrehab.assess.questionnaires import (
        findings_from,
        parse_answers,
        result_to_json_dict,
        score_instrument,
    )

    name = instrument.lower()
    result = score_instrument(name, parse_answers(name, answers), employed=not not_employed)
    data = result_to_json_dict(result)
    data["findings"] = [f.model_dump(mode="json") for f in findings_from(result)]
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table(title=f"{result.version}", show_header=False)
    for key in (
        "score",
        "percent",
        "band",
        "total",
        "psychosocial",
        "risk",
        "physical_activity",
        "work",
        "mean_of_three",
    ):
        if key in data:
            table.add_row(key, str(data[key]))
    out_console.print(table)
    _print_findings(data, "Findings")


def _coach_report(video: Path, exercise: str, kind: str, as_json: bool) -> dict[str, Any]:
    from backrehab.coach.run import coach_sequence
    from backrehab.coach.specs import spec_for
    from backrehab.pose.pipeline import analyze_media

    spec = spec_for(exercise)
    if spec.kind != kind:
        what = "a hold" if spec.kind == "hold" else "counted in repetitions"
        other = "hold" if spec.kind == "hold" else "reps"
        raise ConfigError(f"'{exercise}' is {what}: use backrehab {other}.")
    with _progress(not as_json and sys.stderr.isatty(), f"Pose: {video.name}") as on_progress:
        analysis = analyze_media(video, cache=_cache(), on_progress=on_progress)
    return coach_sequence(analysis, spec).to_json_dict()


@app.command()
def reps(
    video: Annotated[Path, typer.Argument(help="Video of the exercise.")],
    exercise: Annotated[
        str, typer.Option("--exercise", help="Exercise id, e.g. bodyweight_squat.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count repetitions, time them and check form in a video."""
    data = _coach_report(video, exercise, "reps", as_json)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table(
        title=f"{exercise}: {data['reps']} reps, {data['partial_reps']} partial, "
        f"form score {data['form_score']}"
    )
    for col in ("#", "start s", "peak s", "end s", "ROM", "side", "faults"):
        table.add_column(col)
    for r in data["per_rep"]:
        table.add_row(
            str(r["index"]) + ("" if r["complete"] else " (partial)"),
            f"{r['start_s']:.2f}",
            f"{r['peak_s']:.2f}",
            f"{r['end_s']:.2f}",
            f"{r['rom']:.0f} {r['rom_unit']}",
            r["side"],
            "; ".join(f["cue"] for f in r["faults"]),
        )
    out_console.print(table)


@app.command()
def hold(
    video: Annotated[Path, typer.Argument(help="Video of the hold.")],
    exercise: Annotated[str, typer.Option("--exercise", help="Exercise id, e.g. front_plank.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Time the holds of an isometric exercise in a video."""
    data = _coach_report(video, exercise, "hold", as_json)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    for h in data["holds"]:
        out_console.print(
            f"hold {h['start_s']:.1f}-{h['end_s']:.1f} s: {h['duration_s']:.1f} s "
            f"({h['end_reason']})"
        )
    out_console.print(f"total {data['total_hold_s']:.1f} s")


@app.command()
def coach(
    exercise: Annotated[str, typer.Option("--exercise", help="Exercise id.")],
    camera: Annotated[int | None, typer.Option("--camera", help="Camera index, e.g. 0.")] = None,
    video: Annotated[
        Path | None, typer.Option("--video", help="Coach a video file as if live.")
    ] = None,
    window: Annotated[
        bool, typer.Option("--window/--no-window", help="Show the OpenCV window.")
    ] = True,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the annotated video (MP4).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Live camera coach: skeleton, count, hold timer and cues (q or Esc to stop)."""
    from backrehab.coach.live import run_live
    from backrehab.coach.specs import spec_for

    if (camera is None) == (video is None):
        raise ConfigError("Give --camera N or --video FILE.")
    if video is not None and not window and out is None:
        out = Path("out") / f"{video.stem}_coach.mp4"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
    summary = run_live(
        spec_for(exercise), camera=camera, video=video, show_window=window, output=out
    )
    if as_json:
        typer.echo(summary.model_dump_json(indent=2))
    else:
        out_console.print(summary.model_dump())


@app.command()
def assess(
    intake: Annotated[Path, typer.Argument(help="Intake JSON (docs/assessment-intake.md).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the assessment JSON.")] = Path(
        "assessment.json"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment JSON.")] = False,
) -> None:
    """Run a whole assessment from an intake file and write the assessment JSON (findings)."""
    from backrehab.assess.intake import build_assessment, parse_intake
    from backrehab.pose.outputs import atomic_write_text

    document = parse_intake(_read_json(intake))
    result = build_assessment(document, base_dir=intake.parent, cache=_cache())
    atomic_write_text(out, result.to_json() + "\n")
    if as_json:
        typer.echo(result.to_json())
        return
    _print_findings(
        {"findings": [f.model_dump(mode="json") for f in result.findings]},
        f"Assessment ({len(result.findings)} findings) written to {out}",
    )


@app.command()
def ergo(
    photo: Annotated[
        Path | None, typer.Argument(help="Side-view photo of the work posture.")
    ] = None,
    method: Annotated[str, typer.Option("--method", help="rula or reba.")] = "rula",
    angles: Annotated[
        Path | None,
        typer.Option(
            "--angles", help="JSON file of angles and adjustments (docs/ergonomics-angles.md)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the overlay PNG (default out/<photo name>)."),
    ] = None,
    neutral: Annotated[
        Path | None,
        typer.Option(
            "--neutral", help="Side photo of the person upright, to calibrate the neck angle."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """RULA or REBA workstation score, from measured angles or from a side-view photo."""
    from backrehab.ergonomics import (
        findings_from,
        score_from_dict,
        score_to_json_dict,
        side_from_dict,
    )

    name = method.lower()
    if name not in ("rula", "reba"):
        raise ConfigError(f"--method must be rula or reba, not '{method}'.")
    if (photo is None) == (angles is None):
        raise ConfigError("Give either a PHOTO or --angles FILE.json (not both).")
    if neutral is not None and photo is None:
        raise ConfigError("--neutral calibrates a PHOTO; it does not apply to --angles.")
    if angles is not None:
        data = _read_json(angles)
        score = score_from_dict(name, data)
        side = side_from_dict(data)
        result = score_to_json_dict(score, side=side)
        result["findings"] = [f.model_dump(mode="json") for f in findings_from(score, side=side)]
    else:
        assert photo is not None
        from backrehab.assess.from_media import ergonomics_from_photo

        result = ergonomics_from_photo(
            photo,
            name,
            cache=_cache(),
            overlay_dir=out or Path("out") / f"{photo.stem}_{name}",
            neutral_photo=neutral,
        )
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    out_console.print(
        f"{name.upper()} score {result['score']} (action level "
        f"{result['action_level']}, {result['side']} side): {result['action']}"
    )
    _print_findings(result, "Findings")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"File not found: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path.name} is not valid JSON.", detail=str(exc)) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name} must hold a JSON object of angles and adjustments.")
    return data


@app.command()
def posture(
    photos: Annotated[
        list[Path],
        typer.Argument(
            help="One or more photos of the same view (3 captures recommended); a video is "
            "judged on its stillest second."
        ),
    ],
    view: Annotated[
        str | None, typer.Option("--view", help="front or side (default: as seen in the photo).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Posture from photos: head, shoulders, pelvis, trunk and knees against the norms."""
    from backrehab.assess.from_media import posture_from_photos

    if view not in (None, "front", "side"):
        raise ConfigError(f"--view must be front or side, not '{view}'.")
    data = posture_from_photos(photos, view=view, cache=_cache())  # type: ignore[arg-type]
    _emit(data, as_json, f"Posture ({data['view']} view)")


@app.command()
def screen(
    video: Annotated[Path, typer.Argument(help="Video of the movement.")],
    test: Annotated[str, typer.Option("--test", help="squat, hinge or single_leg_stance.")],
    sex: Annotated[str | None, typer.Option("--sex", help="female or male (FPPA limits).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Movement screen from video: per-repetition values, a summary and findings."""
    from backrehab.assess.from_media import screen_from_video
    from backrehab.assess.screens import SCREEN_TESTS, ScreenSettings

    if test not in SCREEN_TESTS:
        raise ConfigError(f"--test must be one of {', '.join(SCREEN_TESTS)}, not '{test}'.")
    with _progress(not as_json and sys.stderr.isatty(), f"Pose: {video.name}") as on_progress:
        data = screen_from_video(
            video,
            test,
            settings=ScreenSettings(sex=_sex(sex)),
            cache=_cache(),
            on_progress=on_progress,
        )
    _emit(data, as_json, f"{test} screen: {len(data['reps'])} repetitions")


@app.command()
def endurance(
    video: Annotated[Path | None, typer.Argument(help="Video of one hold test (optional).")] = None,
    test: Annotated[
        str | None,
        typer.Option(
            "--test", help="With a video: plank, side_bridge, biering_sorensen or flexor."
        ),
    ] = None,
    flexor: Annotated[float | None, typer.Option("--flexor", help="Flexor hold, s.")] = None,
    extensor: Annotated[
        float | None, typer.Option("--extensor", help="Biering-Sørensen extensor hold, s.")
    ] = None,
    side_left: Annotated[
        float | None, typer.Option("--side-left", help="Left side bridge, s.")
    ] = None,
    side_right: Annotated[
        float | None, typer.Option("--side-right", help="Right side bridge, s.")
    ] = None,
    flexor_video: Annotated[
        Path | None, typer.Option("--flexor-video", help="Video of the flexor test, to time.")
    ] = None,
    extensor_video: Annotated[
        Path | None,
        typer.Option("--extensor-video", help="Video of the Biering-Sørensen test, to time."),
    ] = None,
    side_left_video: Annotated[
        Path | None,
        typer.Option("--side-left-video", help="Video of the left side bridge, to time."),
    ] = None,
    side_right_video: Annotated[
        Path | None,
        typer.Option("--side-right-video", help="Video of the right side bridge, to time."),
    ] = None,
    sex: Annotated[str | None, typer.Option("--sex", help="female or male (norms).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Trunk endurance: the battery's ratios and flags from typed times and/or videos of each
    test (--flexor-video ...), or the holds of one video (VIDEO --test)."""
    from backrehab.assess import from_media
    from backrehab.assess.endurance import EnduranceTest
    from backrehab.assess.endurance_video import HOLD_TESTS

    typed = {
        "flexor_s": flexor,
        "extensor_s": extensor,
        "side_left_s": side_left,
        "side_right_s": side_right,
    }
    videos = {
        test_: path
        for test_, path in (
            (EnduranceTest.FLEXOR, flexor_video),
            (EnduranceTest.EXTENSOR, extensor_video),
            (EnduranceTest.SIDE_BRIDGE_LEFT, side_left_video),
            (EnduranceTest.SIDE_BRIDGE_RIGHT, side_right_video),
        )
        if path is not None
    }
    if video is None:
        if test is not None:
            raise ConfigError(
                "--test needs a VIDEO; for typed times use --flexor, --extensor, "
                "--side-left and --side-right."
            )
        if all(v is None for v in typed.values()) and not videos:
            raise ConfigError(
                "Give hold times (--flexor, --extensor, --side-left, --side-right), videos of "
                "the tests (--flexor-video, --extensor-video, --side-left-video, "
                "--side-right-video) or a VIDEO with --test."
            )
        if not videos:
            data = from_media.endurance_from_times(
                flexor_s=flexor,
                extensor_s=extensor,
                side_left_s=side_left,
                side_right_s=side_right,
                sex=_sex(sex),
            )
            _emit(data, as_json, "Trunk endurance battery")
            return
        chosen_sex = _sex(sex)
        missing = [str(p) for p in videos.values() if not p.is_file()]
        if missing:
            raise ConfigError(f"File not found: {', '.join(missing)}")
        timed = []
        for battery_test, path in videos.items():
            with _progress(
                not as_json and sys.stderr.isatty(), f"Pose: {path.name}"
            ) as on_progress:
                timed.append(
                    from_media.time_battery_hold(
                        path, battery_test, cache=_cache(), on_progress=on_progress
                    )
                )
        data = from_media.endurance_battery(typed_s=typed, timed=timed, sex=chosen_sex)
        if not as_json:
            for field, source in data["sources"].items():
                if source["source"] == "video":
                    out_console.print(
                        f"{field}: {source['time_s']:.1f} s, longest of "
                        f"{len(source['holds'])} hold(s) in {source['video']}"
                    )
        _emit(data, as_json, "Trunk endurance battery")
        return
    if videos or any(v is not None for v in typed.values()):
        raise ConfigError(
            "VIDEO --test times the holds of one video on its own; to combine videos with typed "
            "times in one battery use --flexor-video, --extensor-video, --side-left-video and "
            "--side-right-video (without VIDEO)."
        )
    if test not in HOLD_TESTS:
        raise ConfigError(f"--test must be one of {', '.join(HOLD_TESTS)} with a video.")
    with _progress(not as_json and sys.stderr.isatty(), f"Pose: {video.name}") as on_progress:
        data = from_media.hold_from_video(
            video,
            test,
            sex=_sex(sex),
            cache=_cache(),
            on_progress=on_progress,
        )
    if not as_json:
        for h in data["holds"]:
            out_console.print(
                f"hold {h['start_s']:.1f}-{h['end_s']:.1f} s: "
                f"{h['duration_s']:.1f} s ({h['end_reason']})"
            )
    _emit(data, as_json, f"{test}: longest hold {data['longest_hold_s']:.1f} s")


def _read_document(path: Path) -> str:
    """Text of a JSON document given on the command line (missing or unreadable: exit 2)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"File not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}.", detail=str(exc)) from exc


@app.command("plan")
def plan_command(
    assessment: Annotated[Path, typer.Argument(help="Assessment JSON (from `backrehab assess`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan JSON.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the plan JSON here.")
    ] = None,
    budget_min: Annotated[
        float | None,
        typer.Option("--budget-min", help="Daily home minutes (default: context, else 20)."),
    ] = None,
    context_file: Annotated[
        Path | None,
        typer.Option("--context", help="Patient-context JSON (overrides the assessment's)."),
    ] = None,
) -> None:
    """Build the treatment plan of an assessment, with the reasons for every item."""
    from backrehab.assess.findings import Assessment
    from backrehab.plan import context_from_mapping, generate_plan, render_markdown
    from backrehab.pose.outputs import atomic_write_text

    document = Assessment.from_json(_read_document(assessment))
    context = None
    if context_file is not None:
        try:
            raw = json.loads(_read_document(context_file))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{context_file.name} is not valid JSON.", detail=str(exc)) from exc
        context = context_from_mapping(raw)
    result = generate_plan(document, context=context, budget_min=budget_min)
    if out is not None:
        atomic_write_text(out, result.to_json() + "\n")
    if as_json:
        typer.echo(result.to_json())
        return
    typer.echo(render_markdown(result))


@app.command("ics")
def ics_command(
    plan_file: Annotated[
        Path, typer.Argument(help="Plan JSON (from `backrehab plan --out`) or a plan history.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the .ics calendar.")],
    start: Annotated[
        str | None, typer.Option("--start", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks to schedule (1-52).")] = 4,
    reminder_min: Annotated[
        int, typer.Option("--reminder-min", help="Reminder minutes before each session (0-1440).")
    ] = 15,
    no_reminder: Annotated[
        bool, typer.Option("--no-reminder", help="Write the events without reminders.")
    ] = False,
) -> None:
    """Write the plan's weekly routine as an iCalendar (.ics) file with reminders."""
    from datetime import date

    from backrehab.plan import Plan, PlanHistory, plan_to_ics
    from backrehab.pose.outputs import atomic_write_text

    text = _read_document(plan_file)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{plan_file.name} is not valid JSON.", detail=str(exc)) from exc
    if isinstance(raw, dict) and "versions" in raw:
        plan = PlanHistory.from_json(text).current
    else:
        plan = Plan.from_json(text)
    try:
        first = date.fromisoformat(start) if start is not None else date.today()
    except ValueError as exc:
        raise ConfigError(f"--start must be a date YYYY-MM-DD, not '{start}'.") from exc
    reminder = None if no_reminder else reminder_min
    atomic_write_text(out, plan_to_ics(plan, start=first, weeks=weeks, reminder_min=reminder))
    typer.echo(f"Wrote {out} ({len(plan.items)} items, {weeks} weeks from {first.isoformat()}).")


@app.command()
def report(
    patient_data: Annotated[Path, typer.Argument(help="PATIENT_DATA.json (docs/progress.md).")],
    out: Annotated[Path, typer.Option("--out", help="report.pdf, or report.html for HTML.")] = Path(
        "report.pdf"
    ),
) -> None:
    """Progress report for one patient: trends with MCID bands, adherence, endurance, ROM."""
    from backrehab.progress.report import report_from_file

    written = report_from_file(patient_data, out)
    out_console.print(f"report written to {written}")


@config_app.command("show")
def config_show(
    config_file: Annotated[
        Path | None, typer.Option("--config", help="Settings TOML file.")
    ] = None,
    overrides: Annotated[
        list[str] | None, typer.Option("--set", help="Override a setting.")
    ] = None,
) -> None:
    """Print the effective analysis settings as JSON."""
    typer.echo(json.dumps(_config(config_file, overrides, None).model_dump(), indent=2))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Database and media folder (default: the data dir)."),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Seed the demo clinic if the database is empty.")
    ] = False,
) -> None:
    """Start the clinic web app (pages and /api/v1). Behind TLS: see docs/deployment.md."""
    from backrehab.web.server import serve as run_server

    run_server(host=host, port=port, data_dir=data_dir, demo=demo, echo=typer.echo)


@clinic_app.command("export")
def clinic_export(
    name: Annotated[str, typer.Argument(help="The clinic's name.")],
    out: Annotated[Path, typer.Option("--out", help="JSON file to write.")] = Path(
        "clinic-export.json"
    ),
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data folder.")] = None,
) -> None:
    """Write every record of a clinic (and its media files) to one JSON document."""
    from backrehab.web.services.clinic_io import export_clinic_file

    count = export_clinic_file(name, out, data_dir=data_dir)
    typer.echo(f"Wrote {out} ({count} records).")


@clinic_app.command("import")
def clinic_import(
    document: Annotated[Path, typer.Argument(help="A clinic export (JSON).")],
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data folder.")] = None,
) -> None:
    """Import a clinic export into this database (refused if anything would collide)."""
    from backrehab.web.services.clinic_io import import_clinic_file

    name = import_clinic_file(document, data_dir=data_dir)
    typer.echo(f"Imported clinic {name!r}.")


@app.command()
def version() -> None:
    """Print the backrehab version."""
    typer.echo(__version__)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, turning our errors into exit code 2."""
    logging.basicConfig(
        level=os.environ.get("BACKREHAB_LOG_LEVEL", "WARNING"),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        app(args=argv)
    except BackrehabError as exc:
        err_console.print(f"[bold red]Error:[/] {exc.user_message}", highlight=False)
        if exc.detail:
            err_console.print(f"[dim]{exc.detail}[/]", highlight=False)
        sys.exit(2)
