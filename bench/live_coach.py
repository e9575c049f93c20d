"""Live coach in the browser: in-browser pose frames/s (lite and full models), WebSocket round
trip and server time per frame, measured in one run on this machine.

Starts ``backrehab serve`` with a patient whose plan holds the exercise, launches Debian's
Chromium headless with a fake camera playing a real clip (Y4M made here, looped), opens the live
coach page for each model in turn, presses Start, and after ``--seconds`` reads from the page:
processed frames/s (frames through ``detectForVideo`` per wall-clock second), the round trip of
every frame (send -> reply) and the server's time for each frame (parse + coach step).
Targets: >= 15 fps with the lite model here, round trip p95 < 20 ms, server < 1 ms a frame (wall
clock and the thread's CPU time are both printed: on a loaded machine the wall clock also counts
the time the server was waiting for a core).

Usage: python bench/live_coach.py [--clip squat_side_01.mp4] [--exercise bodyweight_squat]
                                  [--seconds 20] [--media DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.web.browser import browser, server  # noqa: E402
from tests.web.test_live import PASSWORD, seed_live  # noqa: E402
from tests.web.y4m import write_y4m  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))] if ordered else float("nan")


def run(model: str, chromium: Any, base: str, exercise: str, seconds: float) -> dict[str, float]:
    page = chromium.new_page(viewport={"width": 900, "height": 1000})
    page.set_default_timeout(90_000)
    page.goto(f"{base}/login")
    page.fill("input[name=email]", "one@live.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/me")
    page.goto(f"{base}/me/exercises/{exercise}/live?model={model}")
    page.wait_for_selector("#live-start:visible")
    page.click("#live-start")
    time.sleep(seconds)
    data = page.evaluate(
        "() => ({fps: window.backrehabLive.fps(), rtts: window.backrehabLive.rtts,"
        " server: window.backrehabLive.serverMs, cpu: window.backrehabLive.serverCpuMs,"
        " frames: window.backrehabLive.processed()})"
    )
    page.click("#live-finish")
    page.wait_for_selector("#live-summary:visible")
    page.close()
    return {
        "fps": data["fps"],
        "frames": data["frames"],
        "rtt_p50_ms": statistics.median(data["rtts"]),
        "rtt_p95_ms": _pct(data["rtts"], 0.95),
        "server_mean_ms": statistics.fmean(data["server"]),
        "server_p95_ms": _pct(data["server"], 0.95),
        "server_cpu_mean_ms": statistics.fmean(data["cpu"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_media = Path(os.environ.get("BACKREHAB_MEDIA_DIR", REPO.parent / "shared/data/media"))
    parser.add_argument("--media", type=Path, default=default_media)
    parser.add_argument("--clip", default="squat_side_01.mp4")
    parser.add_argument("--exercise", default="bodyweight_squat")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        folder = Path(tmp)
        write_y4m(args.media / args.clip, folder / "camera.y4m", lead_s=0.0, tail_s=0.0)
        data = folder / "data"
        data.mkdir()
        seed_live(f"sqlite:///{data / 'backrehab.sqlite3'}")
        flags = [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={folder / 'camera.y4m'}",
        ]
        with server(data) as base, browser(flags) as chromium:
            results = {
                m: run(m, chromium, base, args.exercise, args.seconds) for m in ("lite", "full")
            }
    print(f"load average after: {os.getloadavg()}")
    for model, r in results.items():
        print(
            f"{model:4s}: {r['fps']:5.1f} pose frames/s ({r['frames']:.0f} frames)  "
            f"round trip p50 {r['rtt_p50_ms']:5.1f} ms p95 {r['rtt_p95_ms']:5.1f} ms  "
            f"server {r['server_mean_ms']:.3f} ms mean, {r['server_p95_ms']:.3f} ms p95 "
            f"(CPU {r['server_cpu_mean_ms']:.3f} ms)"
        )
    lite = results["lite"]
    for label, ok in (
        (f"lite >= 15 fps ({lite['fps']:.1f})", lite["fps"] >= 15),
        (f"round trip p95 < 20 ms ({lite['rtt_p95_ms']:.1f})", lite["rtt_p95_ms"] < 20),
        (f"server < 1 ms a frame, wall ({lite['server_mean_ms']:.3f})", lite["server_mean_ms"] < 1),
        (
            f"server < 1 ms a frame, CPU ({lite['server_cpu_mean_ms']:.3f})",
            lite["server_cpu_mean_ms"] < 1,
        ),
    ):
        print(f"{'meets' if ok else 'MISSES'}: {label}")


if __name__ == "__main__":
    main()
