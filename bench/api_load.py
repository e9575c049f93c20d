"""API load: the clinician dashboard and a patient's progress page under concurrent load.

For each backend (SQLite, and PostgreSQL on a throwaway local server), in one run:
  1. seed one clinic with N patients (default 1,000), each with a year of daily session logs
     (one per day, with its §6.2 zone), questionnaires every four weeks, a plan and pending
     proposals; patient 1 is built through the web services (so its documents are real), the
     others are bulk copies of its rows with their own dates and pains;
  2. start ``backrehab serve`` (one uvicorn worker) in its own process;
  3. from a separate process, sign in and load ``GET /clinic`` (the dashboard, page 1 of 50
     rows ranked by attention over all patients) and ``GET /me/progress`` (patient 1's year:
     trends against the MCID, adherence, charts) with C concurrent clients for T seconds each;
prints p50/p95 latency (ms) and requests/s per page and backend. Target: dashboard p95 < 50 ms.
Both pages are cached under the clinic's database revision (any write recomputes them), so the
uncached service time of each (what the first request after a write costs) is printed too.

Usage: python bench/api_load.py [--patients 1000] [--days 365] [--concurrency 4] [--seconds 10]
                                [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"
CLINICIAN = "bench-doc@clinic.test"
PATIENT = "bench-patient@clinic.test"


def _pains(rng: random.Random) -> tuple[int, int, int]:
    before = rng.choice((1, 2, 2, 3, 3, 4))
    during = min(10, before + rng.choice((0, 0, 1, 1, 3)))
    return before, during, max(0, during - 1)


def _zone(worst: int) -> str:
    return "red" if worst >= 6 else ("amber" if worst > 2 else "green")


def seed(url: str, data_dir: Path, patients: int, days: int) -> dict[str, int]:
    """Seed the clinic; returns row counts."""
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session

    from backrehab.assess.red_flags import QUESTION_IDS
    from backrehab.db import make_engine, upgrade
    from backrehab.db.models import (
        Outcome,
        Patient,
        PlanRecord,
        PlanVersionRecord,
        ProposalRecord,
        QuestionnaireResponse,
        SessionLogRecord,
    )
    from backrehab.db.repository import create_clinic, create_user
    from backrehab.progress.logs import SessionLog
    from backrehab.web.services import assessments, plans, sessions
    from backrehab.web.services import patients as patient_service
    from backrehab.web.services.actor import Actor

    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(11)
    today = dt.date.today()
    start = today - dt.timedelta(days=days)
    with Session(engine, expire_on_commit=False) as session:
        clinic = create_clinic(session, name="Bench Clinic")
        doc = create_user(session, email=CLINICIAN, password=PASSWORD, role="clinician",
                          clinic_id=clinic.id)  # fmt: skip
        staff = Actor.of(doc)
        first = patient_service.new_patient(
            session, staff, clinic_id=clinic.id, ref="B-0001", display_name="Bench 1",
            clinician_id=doc.id, sex="female", email=PATIENT, password=PASSWORD,
        )  # fmt: skip
        assessments.screen_red_flags(
            session, staff, first,
            answers={**dict.fromkeys(QUESTION_IDS, False), "age_years": 44, "new_episode": False},
        )  # fmt: skip
        assessments.score_questionnaire(session, staff, first, instrument="startback",
                                        answers="1,0,1,1,0,0,0,0,2", taken_on=start)  # fmt: skip
        history = plans.generate(session, staff, first)
        item = next(i for i in history.current.items if i.setting == "home")
        for back in (3, 2, 1):
            sessions.log_session(
                session, staff, first, exercise_id=item.exercise_id,
                day=today - dt.timedelta(days=back), pain_before=2, pain_during_max=3,
                pain_after=2, done_sets=item.dose.sets, done_reps=item.dose.reps or 1,
                done_hold_s=item.dose.hold_s, form_pass_rate=1.0,
            )  # fmt: skip
        session.commit()
        template_log = SessionLog.model_validate(sessions.logs(session, first)[-1].model_dump())
        proposal_row = sessions.proposals(session, first)[-1]
        version = session.scalars(select(PlanVersionRecord)).first()
        assert version is not None
        first_id = first.id
        plan_doc = version.document
        # the other patients, in bulk
        rows = [
            {"clinic_id": clinic.id, "ref": f"B-{k:04d}", "display_name": f"Bench {k}",
             "clinician_id": doc.id, "sex": rng.choice(("female", "male")), "employed": True,
             "auto_progression": False, "questionnaire_interval_days": 28, "context": {},
             "questionnaire_due_on": today + dt.timedelta(days=rng.randint(-10, 20))}
            for k in range(2, patients + 1)
        ]  # fmt: skip
        session.execute(insert(Patient), rows)
        ids = [first_id, *session.scalars(select(Patient.id).where(Patient.id != first_id))]
        logs, outcomes, questionnaires, proposals, plan_rows = [], [], [], [], []
        real_days = {log.date for log in sessions.logs(session, first)}
        for pid in ids:
            for d in range(days):
                day = start + dt.timedelta(days=d)
                if pid == first_id and day in real_days:
                    continue
                before, during, after = _pains(rng)
                doc_json = template_log.model_copy(
                    update={"date": day, "pain_before": before, "pain_during_max": during,
                            "pain_after": after}
                ).model_dump(mode="json")  # fmt: skip
                logs.append({"patient_id": pid, "exercise_id": template_log.exercise_id,
                             "date": day, "source": "typed", "zone": _zone(max(during, after)),
                             "document": doc_json})  # fmt: skip
            for week in range(0, days, 28):
                day = start + dt.timedelta(days=week)
                odi = max(0.0, 40 - week / 10 + rng.uniform(-4, 4))
                questionnaires.append({"patient_id": pid, "instrument": "odi", "taken_on": day,
                                       "answers": {"text": "bench"}, "score": odi})  # fmt: skip
                outcomes.append({"patient_id": pid, "measure": "odi", "date": day, "value": odi})
                outcomes.append({"patient_id": pid, "measure": "nprs", "date": day,
                                 "value": float(rng.randint(1, 6))})  # fmt: skip
            if pid != first_id:
                plan_rows.append(pid)
                if rng.random() < 0.3:
                    proposals.append({
                        "patient_id": pid, "proposal_id": proposal_row.proposal_id,
                        "exercise_id": proposal_row.exercise_id,
                        "session_date": proposal_row.session_date, "zone": proposal_row.zone,
                        "action": rng.choice(("repeat", "advance", "flag_review")),
                        "status": "pending", "document": proposal_row.document,
                    })  # fmt: skip
        for chunk in range(0, len(logs), 20_000):
            session.execute(insert(SessionLogRecord), logs[chunk : chunk + 20_000])
        session.execute(insert(QuestionnaireResponse), questionnaires)
        session.execute(insert(Outcome), outcomes)
        if proposals:
            session.execute(insert(ProposalRecord), proposals)
        for pid in plan_rows:
            plan = PlanRecord(patient_id=pid)
            session.add(plan)
            session.flush()
            session.execute(insert(PlanVersionRecord), [{
                "plan_id": plan.id, "version": 1, "author": CLINICIAN, "action": "generate",
                "reason": "bench", "changed_at": version.changed_at, "document": plan_doc,
            }])  # fmt: skip
        session.commit()
    engine.dispose()
    return {"patients": len(ids), "session_logs": len(logs), "proposals": len(proposals) + 1}


@contextmanager
def serve(data_dir: Path, url: str) -> Iterator[str]:
    """``backrehab serve`` in its own process; yields the base URL."""
    import httpx

    from backrehab.db.devserver import free_port

    port = free_port()
    env = {**os.environ, "BACKREHAB_DATA_DIR": str(data_dir), "BACKREHAB_DATABASE_URL": url,
           "BACKREHAB_SECRET_KEY": "bench-" + "s" * 40, "BACKREHAB_LOG_LEVEL": "WARNING",
           "BACKREHAB_LOGIN_ATTEMPTS_PER_MINUTE": "1000"}  # fmt: skip
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "backrehab"), "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError((data_dir / "server.log").read_text())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _check(response: Any) -> None:
    """A failed request stops the run with its status and message (picklable, unlike httpx's)."""
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")


def _load(base: str, email: str, path: str, concurrency: int, seconds: float) -> list[float]:
    """Run in a separate process: sign in, then hammer ``path``; latencies in ms."""
    import httpx

    async def main() -> list[float]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            signed = await client.post("/api/v1/login", json={"email": email, "password": PASSWORD})
            _check(signed)
            _check(await client.get(path))
            latencies: list[float] = []
            end = time.perf_counter() + seconds

            async def worker() -> None:
                while time.perf_counter() < end:
                    tic = time.perf_counter()
                    response = await client.get(path)
                    latencies.append((time.perf_counter() - tic) * 1000.0)
                    _check(response)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return latencies

    return asyncio.run(main())


def measure(base: str, email: str, path: str, concurrency: int, seconds: float) -> dict[str, float]:
    """p50/p95 ms and requests/s of ``path`` under load from another process."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        latencies = pool.apply(_load, (base, email, path, concurrency, seconds))
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))],
        "rps": len(ordered) / seconds,
    }


def uncached_ms(url: str, repeat: int = 7) -> dict[str, float]:
    """Median in-process time of the dashboard ranking and the progress view, computed afresh
    (the server caches both under the clinic's revision; a write invalidates them)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from backrehab.db import make_engine
    from backrehab.db.models import Patient
    from backrehab.web.services import dashboard, progress

    engine = make_engine(url)
    out: dict[str, list[float]] = {"dashboard": [], "progress": []}
    with Session(engine) as session:
        patient = session.scalars(select(Patient).where(Patient.ref == "B-0001")).one()
        today = dt.date.today()
        for _ in range(repeat):
            tic = time.perf_counter()
            dashboard._ranking(session, patient.clinic_id, today)
            out["dashboard"].append((time.perf_counter() - tic) * 1000)
            tic = time.perf_counter()
            progress._progress_view(session, patient, today=today)
            out["progress"].append((time.perf_counter() - tic) * 1000)
    engine.dispose()
    return {k: statistics.median(v) for k, v in out.items()}


@contextmanager
def backend_url(name: str, folder: Path) -> Iterator[str]:
    """A fresh database URL of the backend (a throwaway PostgreSQL server for ``postgres``)."""
    if name == "sqlite":
        yield f"sqlite:///{folder / 'backrehab.sqlite3'}"
        return
    from sqlalchemy import text

    from backrehab.db import make_engine
    from backrehab.db.devserver import throwaway_postgres

    with throwaway_postgres() as server:
        admin = make_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench"'))
        admin.dispose()
        yield server.rsplit("/", 1)[0] + "/bench"


def run_backend(name: str, args: Any) -> dict[str, dict[str, float]]:
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-api-{name}-") as tmp,
        backend_url(name, Path(tmp)) as url,
    ):
        data = Path(tmp) / "data"
        data.mkdir()
        tic = time.perf_counter()
        counts = seed(url, data, args.patients, args.days)
        print(f"[{name}] seeded {counts} in {time.perf_counter() - tic:.1f} s", flush=True)
        cold = uncached_ms(url)
        print(
            f"[{name}] uncached service time (what a request costs after any write to the "
            f"clinic): dashboard {cold['dashboard']:.1f} ms, progress {cold['progress']:.1f} ms",
            flush=True,
        )
        with serve(data, url) as base:
            out = {}
            for label, email, path in (
                ("dashboard", CLINICIAN, "/clinic"),
                ("progress", PATIENT, "/me/progress"),
            ):
                out[label] = measure(base, email, path, args.concurrency, args.seconds)
                m = out[label]
                print(
                    f"[{name}] {label:9s} p50 {m['p50_ms']:6.1f} ms  p95 {m['p95_ms']:6.1f} ms  "
                    f"{m['rps']:6.1f} req/s  ({m['requests']} requests)",
                    flush=True,
                )
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    names = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results = {name: run_backend(name, args) for name in names}
    print(f"load average after: {os.getloadavg()}")
    for name, pages in results.items():
        p95 = pages["dashboard"]["p95_ms"]
        verdict = "meets" if p95 < 50 else "MISSES"
        print(f"{name}: dashboard p95 {p95:.1f} ms {verdict} the 50 ms target")


if __name__ == "__main__":
    main()
