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
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from backrehab import __version__
from backrehab.config import AnalysisConfig, config_from_mapping, load_config, parse_overrides
from backrehab.errors import BackrehabError

app = typer.Typer(
    name="backrehab",
    help="Neuromuscular reeducation for back pain: measure, plan, coach, track. "
    "Not medical advice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Analysis settings.", no_args_is_help=True)
app.add_typer(config_app, name="config")

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
    _print_summary(summary)
    out_console.print("Demo clip: FitnessScape, CC BY 3.0, via Wikimedia Commons.")


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
