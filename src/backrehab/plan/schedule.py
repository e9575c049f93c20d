"""Weekly schedule: which days each home item is done, keeping every day within a time budget.

Input: requests (minutes per session and sessions per week) in priority order, the budget in
minutes per day, and optionally the minutes already booked. Output: the days of each request
(possibly fewer than asked, or none = dropped) and the booked minutes per weekday.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: Final[tuple[Weekday, ...]] = get_args(Weekday)

TIME_PATTERN: Final = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
#: Tolerance when comparing booked minutes with the budget.
EPS_MIN: Final = 1e-6


class ScheduleSettings(BaseModel):
    """Schedule settings (PROJECT DEFAULT values; every one configurable).

    Attributes
    ----------
    budget_min
        Most home minutes on any one day (all home items, education parts included).
    education_part_min
        Longest part of a home education module; a module is split over several days.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    budget_min: float = Field(20.0, gt=0.0, le=240.0)
    education_part_min: float = Field(5.0, gt=0.0, le=60.0)


class ItemSchedule(BaseModel):
    """When one plan item is done: weekdays, start time (local, ``HH:MM``), minutes per day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: tuple[Weekday, ...] = ()
    time_of_day: str = Field("18:00", pattern=TIME_PATTERN)
    minutes: float = Field(0.0, ge=0.0)


@dataclass(frozen=True, slots=True)
class SlotRequest:
    """One home item to place: minutes per session and sessions wanted per week."""

    key: str
    minutes: float
    days_per_week: int


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a request went: its days (empty = dropped) and how many days were asked for."""

    key: str
    days: tuple[Weekday, ...]
    requested: int

    @property
    def dropped(self) -> bool:
        """No day had room."""
        return not self.days

    @property
    def reduced(self) -> bool:
        """Placed, but on fewer days than asked for."""
        return 0 < len(self.days) < self.requested


def spread_pattern(n: int) -> tuple[int, ...]:
    """``n`` weekday indices spread over the week, starting Monday (3 -> Mon, Wed, Sat)."""
    if not 1 <= n <= 7:
        raise ValueError(f"days per week must be 1-7, not {n}")
    return tuple(sorted({math.floor(k * 7 / n + 0.5) % 7 for k in range(n)}))


def min_days(n: int) -> int:
    """Fewest days an item may be reduced to before it is dropped: ceil(2n/3) (PROJECT DEFAULT)."""
    return max(1, math.ceil(2 * n / 3))


def empty_loads() -> dict[Weekday, float]:
    """Zero minutes on every weekday."""
    return dict.fromkeys(WEEKDAYS, 0.0)


def place_one(
    request: SlotRequest, loads: dict[Weekday, float], budget_min: float
) -> tuple[Weekday, ...]:
    """Days for one request given the minutes already booked; ``loads`` is not changed.

    Tries the spread pattern of ``days_per_week`` in its 7 rotations and keeps the one with the
    lowest busiest day (then lowest total, then earliest rotation) that stays within
    ``budget_min``. If none fits, the item goes on the days that still have room (least busy
    first) if there are at least :func:`min_days` of them, else it is dropped (empty tuple).
    """
    n = max(1, min(7, request.days_per_week))
    m = request.minutes
    if m > budget_min + EPS_MIN:
        return ()
    idx = [loads[d] for d in WEEKDAYS]
    best: tuple[tuple[float, float, int], tuple[int, ...]] | None = None
    for r in range(7):
        days = tuple(sorted((p + r) % 7 for p in spread_pattern(n)))
        if any(idx[d] + m > budget_min + EPS_MIN for d in days):
            continue
        key = (max(idx[d] + m for d in days), sum(idx[d] for d in days), r)
        if best is None or key < best[0]:
            best = (key, days)
    if best is not None:
        return tuple(WEEKDAYS[d] for d in best[1])
    room = [d for d in range(7) if idx[d] + m <= budget_min + EPS_MIN]
    if len(room) < min_days(n):
        return ()
    chosen = sorted(sorted(room, key=lambda d: (idx[d], d))[:n])
    return tuple(WEEKDAYS[d] for d in chosen)


def place_all(
    requests: Sequence[SlotRequest],
    budget_min: float,
    loads: dict[Weekday, float] | None = None,
) -> tuple[list[Placement], dict[Weekday, float]]:
    """Place requests in the order given (highest priority first) within ``budget_min``.

    Returns every placement (same order) and the booked minutes per weekday; no day exceeds
    the budget.
    """
    booked = dict(loads) if loads is not None else empty_loads()
    placements: list[Placement] = []
    for request in requests:
        days = place_one(request, booked, budget_min)
        for d in days:
            booked[d] += request.minutes
        placements.append(Placement(request.key, days, request.days_per_week))
    return placements, booked


def order_days(days: Sequence[str]) -> tuple[Weekday, ...]:
    """Distinct weekdays in Monday-first order."""
    return tuple(d for d in WEEKDAYS if d in set(days))
