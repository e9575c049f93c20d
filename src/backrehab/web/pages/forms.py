"""Form fields of the questionnaire and red-flag pages, and their conversion to the answer forms
the library scores (item fields ``item_<n>``; PSFS ``activity_<n>`` with ``rating_<n>``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backrehab.assess.items import InstrumentText, item_texts
from backrehab.assess.red_flags import QUESTIONS
from backrehab.errors import InvalidResponseError

PSFS_ROWS = 5


def instrument_form(instrument: str) -> dict[str, Any]:
    """What the questionnaire template needs: title, instructions, items with their choices."""
    text: InstrumentText = item_texts(instrument)
    items = [
        {
            "number": item.number,
            "topic": item.topic,
            "options": list(enumerate(item.options or text.options)),
        }
        for item in text.items
    ]
    return {
        "instrument": instrument,
        "title": text.title,
        "instructions": text.instructions,
        "items": items,
        "psfs": instrument == "psfs",
        "psfs_rows": range(1, PSFS_ROWS + 1),
    }


def questionnaire_answers(instrument: str, form: Mapping[str, Any]) -> str:
    """The answers of a submitted questionnaire form as the scoring text form."""
    if instrument == "psfs":
        parts = []
        for n in range(1, PSFS_ROWS + 1):
            activity = str(form.get(f"activity_{n}", "")).strip().replace(";", ",")
            rating = str(form.get(f"rating_{n}", "")).strip()
            if activity and rating:
                parts.append(f"{activity}={rating}")
            elif activity or rating:
                raise InvalidResponseError(
                    f"psfs: activity {n} needs both a name and a rating from 0 to 10"
                )
        return ";".join(parts)
    count = len(item_texts(instrument).items)
    return ",".join(str(form.get(f"item_{n}", "")).strip() for n in range(1, count + 1))


def red_flag_questions() -> list[dict[str, str]]:
    """The red-flag questions in screening order."""
    return [{"id": q.id, "tier": q.tier, "question": q.question} for q in QUESTIONS]


def red_flag_answers(form: Mapping[str, Any]) -> dict[str, object]:
    """Every question answered yes/no (``yes``/``no`` radio values), plus age and new episode."""
    answers: dict[str, object] = {}
    missing = []
    for q in QUESTIONS:
        value = form.get(q.id)
        if value not in ("yes", "no"):
            missing.append(q.id)
            continue
        answers[q.id] = value == "yes"
    if missing:
        raise InvalidResponseError(
            f"red flags: answer every question (missing: {', '.join(missing[:5])}"
            f"{'…' if len(missing) > 5 else ''})"
        )
    age = str(form.get("age_years", "")).strip()
    if age:
        if not age.isdigit():
            raise InvalidResponseError(f"red flags: age {age!r} is not a whole number of years")
        answers["age_years"] = int(age)
    answers["new_episode"] = form.get("new_episode") == "yes"
    return answers
