"""Tests of backrehab.progress; shared builders for session logs and a fake dose ladder."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backrehab.progress.logs import DoneSet, PrescribedDose, SessionLog

DAY0 = dt.date(2025, 1, 6)  # a Monday


def day(n: int) -> dt.date:
    """The n-th day after DAY0."""
    return DAY0 + dt.timedelta(days=n)


def dose(reps: int = 10, sets: int = 1, hold_s: float = 0.0) -> PrescribedDose:
    """A simple prescribed dose."""
    return PrescribedDose(sets=sets, reps=reps, hold_s=hold_s)


def make_log(
    n: int = 0,
    *,
    exercise_id: str = "bird_dog",
    during: int = 1,
    after: int = 1,
    before: int = 2,
    morning: tuple[int, int] | None = (2, 2),
    symptom: str = "unchanged",
    form: float | None = 0.9,
    prescribed: PrescribedDose | None = None,
    done_reps: int | None = None,
    **extra: Any,
) -> SessionLog:
    """A session log on day ``n``: full dose done unless ``done_reps`` is given."""
    rx = prescribed or dose()
    reps = rx.reps if done_reps is None else done_reps
    done = tuple(DoneSet(reps=reps, hold_s=rx.hold_s or None) for _ in range(rx.sets))
    return SessionLog(
        exercise_id=exercise_id,
        date=day(n),
        prescribed=rx,
        done=done,
        pain_before=before,
        pain_during_max=during,
        pain_after=after,
        next_morning_pain=None if morning is None else morning[0],
        usual_pain=None if morning is None else morning[1],
        symptom_change=symptom,
        form_pass_rate=form,
        **extra,
    )


class RepsLadder:
    """Fake ladder: one rung = one more repetition per set, from 1 to ``top`` reps."""

    def __init__(self, top: int = 200) -> None:
        self.top = top

    def advance(self, rx: PrescribedDose) -> PrescribedDose | None:
        """One more rep, None at the top."""
        return rx.model_copy(update={"reps": rx.reps + 1}) if rx.reps < self.top else None

    def step_back(self, rx: PrescribedDose) -> PrescribedDose | None:
        """One rep fewer, None at 1 rep."""
        return rx.model_copy(update={"reps": rx.reps - 1}) if rx.reps > 1 else None
