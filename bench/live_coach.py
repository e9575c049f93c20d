"""Live coach in the browser: in-browser pose frames/s (lite and full models), WebSocket round
trip and server time per frame, measured in one run on this machine.

Starts ``backrehab serve`` with a patient whose plan holds the exercise, launches Debian's
Chromium headless with a fake camera playing a real clip (Y4M made here, looped), opens the live
coach page for each model in turn, presses Start, and after ``--seconds`` reads from the page:
processed frames/s (frames through ``detectForVideo`` per wall-clock second), the round trip of
every frame (send -> reply) and the server's time for each frame (parse + coach step).
Then, the browser idle, a Python client sends the recorded demo stream over the same socket at
30 frames/s. Targets: >= 15 fps with the lite model here, round trip p95 < 20 ms, server < 1 ms
a frame, judged on the server thread's CPU time (the wall clock is printed too: with browser and
server on the same two cores it also counts the time the server waited for a core).

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
        "server_p50_ms": statistics.median(data["server"]),
        "server_cpu_p50_ms": statistics.median(data["cpu"]),
        "server_p95_ms": _pct(data["server"], 0.95),
        "server_cpu_mean_ms": statistics.fmean(data["cpu"]),
    }


def replay(base: str, cookies: list[dict[str, Any]], exercise: str) -> dict[str, float]:
    """The recorded demo stream (213 real frames) sent over the same socket at 30 frames/s
    from a Python client while the browser is idle: the server's time per frame when it has a
    core to itself, measured in this run."""
    import gzip
    import json

    from websockets.sync.client import connect
    from websockets.typing import Origin

    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    url = base.replace("http://", "ws://") + f"/ws/coach?exercise={exercise}"
    wall: list[float] = []
    cpu: list[float] = []
    stream = REPO / "tests/data/streams/squat_rear_barbell.jsonl.gz"
    with gzip.open(stream, "rt", encoding="utf-8") as recorded:
        lines = recorded.read().splitlines()
    with connect(url, origin=Origin(base), additional_headers={"Cookie": cookie}) as socket:
        json.loads(socket.recv())  # hello
        for line in lines:
            tic = time.perf_counter()
            socket.send(line)
            reply = json.loads(socket.recv())
            wall.append(reply["server_ms"])
            cpu.append(reply["server_cpu_ms"])
            time.sleep(max(0.0, 1 / 30 - (time.perf_counter() - tic)))
    return {
        "frames": len(wall),
        "server_mean_ms": statistics.fmean(wall),
        "server_p50_ms": statistics.median(wall),
        "server_p95_ms": _pct(wall, 0.95),
        "server_cpu_mean_ms": statistics.fmean(cpu),
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
            context = chromium.new_context()
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "one@live.test")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/me")
            cookies = context.cookies()
            page.close()
            idle = replay(base, cookies, args.exercise)
    print(f"load average after: {os.getloadavg()}")
    for model, r in results.items():
        print(
            f"{model:4s}: {r['fps']:5.1f} pose frames/s ({r['frames']:.0f} frames)  "
            f"round trip p50 {r['rtt_p50_ms']:5.1f} ms p95 {r['rtt_p95_ms']:5.1f} ms  "
            f"server {r['server_mean_ms']:.3f} ms mean, {r['server_p50_ms']:.3f} ms p50, "
            f"{r['server_p95_ms']:.3f} ms p95 (CPU {r['server_cpu_mean_ms']:.3f} ms mean, "
            f"{r['server_cpu_p50_ms']:.3f} ms p50)"
        )
    print(
        f"idle browser, recorded stream over the socket ({idle['frames']:.0f} frames at 30/s): "
        f"server {idle['server_mean_ms']:.3f} ms mean, {idle['server_p50_ms']:.3f} ms p50, "
        f"{idle['server_p95_ms']:.3f} ms p95 (CPU {idle['server_cpu_mean_ms']:.3f} ms mean)"
    )
    lite = results["lite"]
    for label, ok in (
        (f"lite >= 15 fps ({lite['fps']:.1f})", lite["fps"] >= 15),
        (f"round trip p95 < 20 ms ({lite['rtt_p95_ms']:.1f})", lite["rtt_p95_ms"] < 20),
        (
            f"server < 1 ms a frame: the server thread's CPU time, mean "
            f"({lite['server_cpu_mean_ms']:.3f})",
            lite["server_cpu_mean_ms"] < 1,
        ),
    ):
        print(f"{'meets' if ok else 'MISSES'}: {label}")
    print(
        f"note: server wall clock p50 {lite['server_p50_ms']:.3f} ms, mean "
        f"{lite['server_mean_ms']:.3f} ms: the mean also counts the time the server waited for "
        "a core while the browser's pose model held both (browser and server share this "
        f"machine); with the browser idle the wall clock is {idle['server_mean_ms']:.3f} ms mean"
    )


if __name__ == "__main__":
    main()
