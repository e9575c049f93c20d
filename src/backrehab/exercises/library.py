"""Load the exercise library: the packaged YAML plus a clinic's own YAML files.

Input: ``data/exercises.yaml`` (package data) and every ``*.yaml``/``*.yml`` file in
``$BACKREHAB_EXERCISES_DIR`` and ``extra_dirs`` except the coach's ``*.specs.yaml``. Output: a
frozen :class:`ExerciseLibrary`.
Every problem raises :class:`~backrehab.errors.ConfigError` naming the file, entry and field.
"""

from __future__ import annotations

import difflib
import functools
import graphlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from pydantic import ValidationError

from backrehab.errors import ConfigError
from backrehab.exercises.schema import (
    CATEGORIES,
    PATIENT_GROUPS,
    SOURCE_ID,
    Category,
    Conventions,
    Exercise,
    PatientGroup,
)
from backrehab.yamlfile import load_strict_yaml

#: Environment variable naming a directory of clinic exercise files (re-read on every load).
ENV_EXERCISES_DIR: Final = "BACKREHAB_EXERCISES_DIR"

#: File name suffixes read from a clinic directory.
LIBRARY_SUFFIXES: Final = (".yaml", ".yml")

#: Clinic movement-spec files (read by the camera coach) share the directory; the library skips
#: them.
SPEC_FILE_SUFFIXES: Final = (".specs.yaml", ".specs.yml")

_PACKAGE_DATA: Final = "backrehab.exercises.data"
_PACKAGED_FILE: Final = "exercises.yaml"
_CLINIC_KEYS: Final = frozenset({"schema_version", "sources", "exercises"})
_PACKAGED_KEYS: Final = _CLINIC_KEYS | {"conventions"}
_SCHEMA_VERSION: Final = 1
_MAX_ERRORS_SHOWN: Final = 5


@dataclass(frozen=True, slots=True, eq=False)
class ExerciseLibrary:
    """An immutable, validated set of exercises with unique ids and resolvable links.

    Parameters
    ----------
    exercises
        The entries, in library order (packaged file order, then clinic files).
    sources
        Reference id (``"S23"``) -> citation. Every id an exercise cites must be here.
    origins
        Exercise id -> file it was read from (used in error messages and :meth:`origin`).
    conventions
        How camera expressions are read; ``None`` for a library built without the packaged file.

    Raises
    ------
    ConfigError
        Two entries share an id, a progression/regression id names no exercise, the
        progressions (or regressions) form a loop, or a cited source is not in ``sources``.
    """

    exercises: tuple[Exercise, ...]
    sources: Mapping[str, str] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    conventions: Conventions | None = None
    _by_id: Mapping[str, Exercise] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Exercise] = {}
        for exercise in self.exercises:
            if exercise.id in by_id:
                raise ConfigError(
                    f"Exercise id '{exercise.id}' appears twice in the library.",
                    detail=f"defined in {self._where(exercise.id)}",
                )
            by_id[exercise.id] = exercise
        object.__setattr__(self, "exercises", tuple(self.exercises))
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))
        self._check_links()
        self._check_sources()

    def _where(self, exercise_id: str) -> str:
        return self.origins.get(exercise_id, "<unknown file>")

    def _check_links(self) -> None:
        for exercise in self.exercises:
            for name in ("progression_ids", "regression_ids"):
                for linked in getattr(exercise, name):
                    if linked not in self._by_id:
                        raise ConfigError(
                            f"Exercise '{exercise.id}' in {self._where(exercise.id)} lists "
                            f"'{linked}' in {name}, but no exercise has the id '{linked}'."
                            + _suggest(linked, self._by_id),
                        )
        for name in ("progression_ids", "regression_ids"):
            graph = {e.id: getattr(e, name) for e in self.exercises}
            try:
                graphlib.TopologicalSorter(graph).prepare()
            except graphlib.CycleError as exc:
                cycle = " -> ".join(exc.args[1])
                raise ConfigError(
                    f"The exercise {name} form a loop ({cycle}); a chain must end.",
                    detail="; ".join(
                        f"{i} in {self._where(i)}" for i in dict.fromkeys(exc.args[1])
                    ),
                ) from None

    def _check_sources(self) -> None:
        for exercise in self.exercises:
            for source in exercise.sources:
                if source not in self.sources:
                    raise ConfigError(
                        f"Exercise '{exercise.id}' in {self._where(exercise.id)} cites source "
                        f"'{source}', which no library file defines under 'sources:'.",
                        detail=f"known sources: {', '.join(sorted(self.sources))}",
                    )

    def __len__(self) -> int:
        return len(self.exercises)

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises)

    def __contains__(self, exercise_id: object) -> bool:
        return exercise_id in self._by_id

    def get(self, exercise_id: str) -> Exercise:
        """The exercise with this id.

        Raises
        ------
        ConfigError
            No exercise has this id; the message lists close matches.
        """
        try:
            return self._by_id[exercise_id]
        except KeyError:
            raise ConfigError(
                f"Unknown exercise id '{exercise_id}'." + _suggest(exercise_id, self._by_id)
            ) from None

    def ids(self) -> tuple[str, ...]:
        """All exercise ids, in library order."""
        return tuple(self._by_id)

    def origin(self, exercise_id: str) -> str:
        """The file the exercise was read from (the packaged file or a clinic file)."""
        self.get(exercise_id)
        return self._where(exercise_id)

    def by_category(self, category: Category) -> tuple[Exercise, ...]:
        """The exercises of one category, in library order.

        Raises
        ------
        ConfigError
            ``category`` is not one of :data:`~backrehab.exercises.schema.CATEGORIES`.
        """
        if category not in CATEGORIES:
            raise ConfigError(
                f"Unknown exercise category '{category}'; use one of {', '.join(CATEGORIES)}."
            )
        return tuple(e for e in self.exercises if e.category == category)

    def suitable_for(self, group: PatientGroup) -> tuple[Exercise, ...]:
        """The exercises not rated ``avoid`` for a patient group, in library order.

        ``test`` entries are included: the caller keeps them only when repeated-movement testing
        showed that they reduce or centralise symptoms (clinical reference §6.4).

        Raises
        ------
        ConfigError
            ``group`` is not one of :data:`~backrehab.exercises.schema.PATIENT_GROUPS`.
        """
        if group not in PATIENT_GROUPS:
            raise ConfigError(
                f"Unknown patient group '{group}'; use one of {', '.join(PATIENT_GROUPS)}."
            )
        return tuple(e for e in self.exercises if e.suitability[group] != "avoid")

    def progressions(self, exercise_id: str) -> tuple[Exercise, ...]:
        """The direct progressions (harder variants) of an exercise, first choice first."""
        return tuple(self._by_id[i] for i in self.get(exercise_id).progression_ids)

    def regressions(self, exercise_id: str) -> tuple[Exercise, ...]:
        """The direct regressions (easier variants) of an exercise, first choice first."""
        return tuple(self._by_id[i] for i in self.get(exercise_id).regression_ids)


@dataclass(frozen=True, slots=True)
class _Entry:
    exercise: Exercise
    number: int
    replaces: bool


@dataclass(frozen=True, slots=True)
class _LibraryFile:
    origin: str
    entries: tuple[_Entry, ...]
    sources: Mapping[str, str]
    conventions: Conventions | None


def load_library(extra_dirs: Sequence[Path] | None = None) -> ExerciseLibrary:
    """The packaged exercise library, extended by a clinic's own exercise files.

    The packaged file is read and validated once per process (cached); the clinic directories
    (``$BACKREHAB_EXERCISES_DIR`` first, then ``extra_dirs``) are re-read on every call, so edits
    to clinic files show up without a restart. Files are read in name order within a directory.

    Parameters
    ----------
    extra_dirs
        More directories of clinic ``*.yaml``/``*.yml`` files (same schema, top-level
        ``exercises:`` list); ``*.specs.yaml`` files there are movement specs, left to the coach.

    Returns
    -------
    ExerciseLibrary
        The merged library. A clinic entry whose id already exists must set ``replaces: true``;
        it then takes the place of the earlier entry.

    Raises
    ------
    ConfigError
        A directory is missing; a file is unreadable or not valid YAML; an entry breaks the
        schema (the message names file, entry and field); an id is defined twice without
        ``replaces: true``; ``replaces: true`` names no earlier entry; a progression or
        regression id names no exercise.
    """
    packaged = _packaged_library()
    files = [_read_file(path) for path in _clinic_files(extra_dirs)]
    if not files:
        return packaged
    return _merge(packaged, files)


@functools.cache
def _packaged_library() -> ExerciseLibrary:
    """The packaged library, validated once per process."""
    resource = resources.files(_PACKAGE_DATA).joinpath(_PACKAGED_FILE)
    origin = str(resource)
    try:
        text = resource.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the packaged exercise library {origin}.") from exc
    parsed = _parse(text, origin, allowed_keys=_PACKAGED_KEYS)
    return _merge(ExerciseLibrary(exercises=()), [parsed])


def _clinic_files(extra_dirs: Sequence[Path] | None) -> list[Path]:
    """Clinic library files: env directory first, then ``extra_dirs``; name order in each."""
    dirs: list[tuple[Path, str]] = []
    env = os.environ.get(ENV_EXERCISES_DIR, "").strip()
    if env:
        dirs.append((Path(env).expanduser(), f"${ENV_EXERCISES_DIR}"))
    dirs.extend((Path(d).expanduser(), "extra_dirs") for d in extra_dirs or ())
    seen: set[Path] = set()
    files: list[Path] = []
    for directory, how in dirs:
        if not directory.is_dir():
            raise ConfigError(
                f"Clinic exercise directory {directory} (from {how}) does not exist or is not "
                "a directory."
            )
        resolved = directory.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        files.extend(
            sorted(
                p
                for p in directory.iterdir()
                if p.is_file()
                and p.suffix.lower() in LIBRARY_SUFFIXES
                and not p.name.lower().endswith(SPEC_FILE_SUFFIXES)
                and not p.name.startswith(".")
            )
        )
    return files


def _read_file(path: Path) -> _LibraryFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read exercise library file {path}.", detail=str(exc)) from exc
    return _parse(text, str(path), allowed_keys=_CLINIC_KEYS)


def _parse(text: str, origin: str, *, allowed_keys: frozenset[str]) -> _LibraryFile:
    """Validate one library file's text; ``origin`` names it in errors."""
    data = load_strict_yaml(text, f"Exercise library file {origin}", ConfigError)
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), list):
        raise ConfigError(
            f"Exercise library file {origin} must hold a top-level 'exercises:' list."
        )
    unknown = sorted(str(k) for k in data if k not in allowed_keys)
    if unknown:
        raise ConfigError(
            f"Exercise library file {origin} has unknown top-level keys {unknown}; "
            f"allowed: {sorted(allowed_keys)}."
        )
    version = data.get("schema_version", _SCHEMA_VERSION)
    if version != _SCHEMA_VERSION or isinstance(version, bool):
        raise ConfigError(
            f"Exercise library file {origin} has schema_version {version!r}; "
            f"this version reads {_SCHEMA_VERSION}."
        )
    conventions = None
    if "conventions" in data:
        try:
            conventions = Conventions.model_validate(data["conventions"])
        except ValidationError as exc:
            raise ConfigError(
                f"Exercise library file {origin}: 'conventions' is invalid: {_describe(exc)}."
            ) from exc
    return _LibraryFile(
        origin=origin,
        entries=_parse_entries(data["exercises"], origin),
        sources=_parse_sources(data.get("sources", {}), origin),
        conventions=conventions,
    )


def _parse_sources(raw: object, origin: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f"Exercise library file {origin}: 'sources' must map ids to citations.")
    sources: dict[str, str] = {}
    for key, value in raw.items():
        if not (isinstance(key, str) and isinstance(value, str) and value.strip()):
            raise ConfigError(
                f"Exercise library file {origin}: source {key!r} must be a text citation."
            )
        if not SOURCE_ID.fullmatch(key):
            raise ConfigError(
                f"Exercise library file {origin}: source id {key!r} must be letters, digits or _."
            )
        sources[key] = value.strip()
    return sources


def _parse_entries(raw_entries: list[Any], origin: str) -> tuple[_Entry, ...]:
    entries: list[_Entry] = []
    first_number: dict[str, int] = {}
    for number, raw in enumerate(raw_entries, start=1):
        label = _entry_label(raw, number)
        if not isinstance(raw, dict):
            raise ConfigError(
                f"Exercise library file {origin}: {label} must be a mapping of fields."
            )
        fields = dict(raw)
        replaces = fields.pop("replaces", False)
        if not isinstance(replaces, bool):
            raise ConfigError(
                f"Exercise library file {origin}: {label}, field 'replaces': "
                f"must be true or false (got {replaces!r})."
            )
        try:
            exercise = Exercise.model_validate(fields)
        except ValidationError as exc:
            raise ConfigError(
                f"Exercise library file {origin}: {label} is invalid: {_describe(exc)}.",
            ) from exc
        if exercise.id in first_number:
            raise ConfigError(
                f"Exercise library file {origin} defines '{exercise.id}' twice "
                f"(entries {first_number[exercise.id]} and {number})."
            )
        first_number[exercise.id] = number
        entries.append(_Entry(exercise=exercise, number=number, replaces=replaces))
    return tuple(entries)


def _merge(base: ExerciseLibrary, files: Sequence[_LibraryFile]) -> ExerciseLibrary:
    """``base`` extended by ``files`` in order; ids clash unless the later entry replaces."""
    exercises = {e.id: e for e in base.exercises}
    origins = dict(base.origins)
    sources = dict(base.sources)
    source_origins = dict.fromkeys(base.sources, "the packaged library")
    conventions = base.conventions
    for lib_file in files:
        conventions = conventions or lib_file.conventions
        for source_id, citation in lib_file.sources.items():
            if source_id in sources and sources[source_id] != citation:
                raise ConfigError(
                    f"Source '{source_id}' in {lib_file.origin} is already defined differently "
                    f"in {source_origins[source_id]}; give the citation another id."
                )
            sources[source_id] = citation
            source_origins.setdefault(source_id, lib_file.origin)
        for entry in lib_file.entries:
            exercise_id = entry.exercise.id
            if exercise_id in exercises and not entry.replaces:
                raise ConfigError(
                    f"Exercise id '{exercise_id}' in {lib_file.origin} (entry {entry.number}) "
                    f"is already defined in {origins[exercise_id]}. Use another id, or set "
                    "'replaces: true' on the entry to replace the earlier one."
                )
            if exercise_id not in exercises and entry.replaces:
                raise ConfigError(
                    f"Exercise '{exercise_id}' in {lib_file.origin} (entry {entry.number}) sets "
                    "'replaces: true', but no earlier library file defines that id."
                    + _suggest(exercise_id, exercises)
                )
            exercises[exercise_id] = entry.exercise  # a replacement keeps the original position
            origins[exercise_id] = lib_file.origin
    return ExerciseLibrary(
        exercises=tuple(exercises.values()),
        sources=sources,
        origins=origins,
        conventions=conventions,
    )


def _entry_label(raw: object, number: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return f"exercise '{raw['id']}' (entry {number})"
    return f"entry {number}"


def _field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a dotted field path, e.g. ``camera_check.metrics[0].target``."""
    path = ""
    previous: int | str = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif previous == "rep" and part in ("hold", "cycle"):
            pass  # discriminated-union tag, not a field
        elif part.isidentifier():
            path += f".{part}" if path else part
        # else: a union member such as 'tuple[float, float]'
        previous = part
    return path or "(entry)"


def _describe(exc: ValidationError) -> str:
    """Pydantic errors as "field 'a.b': message" parts, each field once."""
    parts: dict[str, str] = {}
    for error in exc.errors():
        path = _field_path(tuple(error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "required field is missing"
        elif error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against docs/exercise-library.md)"
        elif isinstance(error.get("input"), str | int | float | bool):
            message += f" (got {error['input']!r})"
        parts.setdefault(path, f"field '{path}': {message}")
    shown = list(parts.values())[:_MAX_ERRORS_SHOWN]
    more = len(parts) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _suggest(name: str, known: Mapping[str, object]) -> str:
    matches = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" Did you mean: {', '.join(matches)}?" if matches else ""
