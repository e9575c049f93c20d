"""The exercise library as the plan engine and the coach know it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backrehab.db.repository import NotFoundError
from backrehab.exercises import load_library
from backrehab.web.deps import UserDep
from backrehab.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/exercises", tags=["library"], responses=ERROR_RESPONSES)


@router.get("")
def list_exercises(user: UserDep) -> list[dict[str, Any]]:
    """Every exercise: id, name, category."""
    return [{"id": e.id, "name": e.name, "category": e.category} for e in load_library().exercises]


@router.get("/{exercise_id}")
def read_exercise(exercise_id: str, user: UserDep) -> dict[str, Any]:
    """One exercise, whole."""
    library = load_library()
    if exercise_id not in library:
        raise NotFoundError(f"No exercise with id {exercise_id!r}.")
    data: dict[str, Any] = library.get(exercise_id).model_dump(mode="json")
    return data
