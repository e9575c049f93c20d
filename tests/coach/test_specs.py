"""The packaged movement specs: valid, tied to the exercise library, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from backrehab.coach.specs import _load, packaged_specs, spec_for
from backrehab.errors import ConfigError
from backrehab.exercises import load_library
from tests.exercises import clinic_entry, write_library_file


def test_every_spec_is_an_exercise_of_the_library() -> None:
    """Each movement spec belongs to an exercise id of the library."""
    library = load_library()
    assert set(packaged_specs()) <= set(library.ids())


def test_the_exercises_of_the_real_clips_have_specs() -> None:
    """The exercises the labelled clips show can all be coached."""
    for exercise in (
        "bodyweight_squat",
        "forward_lunge",
        "glute_bridge",
        "push_up",
        "kettlebell_deadlift",
        "prone_back_extension",
        "bird_dog_elbow_to_knee",
        "front_plank",
        "quadruped_hip_extension",
        "side_bridge",
    ):
        assert spec_for(exercise).exercise_id == exercise


def test_unknown_and_uncoachable_exercises_are_explained() -> None:
    """A typo lists the coached exercises; a library exercise without a spec says so."""
    with pytest.raises(ConfigError, match="bodyweight_squat"):
        spec_for("squatt")
    with pytest.raises(ConfigError, match="cannot follow it yet"):
        spec_for("diaphragmatic_breathing")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("specs: [", "not valid YAML"),
        ("other: 1", "top-level 'specs'"),
        ("specs:\n  x: {kind: reps, signal: nope, start: 0, end: 1}", "unknown signal"),
    ],
)
def test_bad_spec_files_are_refused(text: str, message: str) -> None:
    """Malformed spec data raises ConfigError naming the problem."""
    with pytest.raises(ConfigError, match=message):
        _load(text, "test.yaml")


def test_a_clinic_adds_a_spec_without_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A *.specs.yaml file in BACKREHAB_EXERCISES_DIR adds (or replaces) a movement spec."""
    (tmp_path / "ours.specs.yaml").write_text(
        "specs:\n  wall_sit:\n    kind: reps\n    signal: hip_height\n    start: 0.9\n"
        "    end: 0.7\n    hysteresis: 0.02\n"
    )
    monkeypatch.setenv("BACKREHAB_EXERCISES_DIR", str(tmp_path))
    assert spec_for("wall_sit").kind == "reps"
    (tmp_path / "bad.specs.yaml").write_text("specs:\n  x: {kind: reps, signal: nope}\n")
    with pytest.raises(ConfigError, match=r"bad\.specs\.yaml"):
        spec_for("wall_sit")


def test_clinic_specs_sit_beside_clinic_exercises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clinic folder holding both an exercise file and a spec file for it loads both: the
    library skips *.specs.yaml, the coach follows the clinic's new exercise."""
    write_library_file(
        tmp_path, "ours.yaml", clinic_entry(id="clinic_wall_squat", name="Clinic wall squat")
    )
    (tmp_path / "ours.specs.yaml").write_text(
        "specs:\n  clinic_wall_squat:\n    kind: reps\n    signal: hip_height\n"
        "    start: 0.9\n    end: 0.7\n    hysteresis: 0.02\n"
    )
    monkeypatch.setenv("BACKREHAB_EXERCISES_DIR", str(tmp_path))
    assert "clinic_wall_squat" in load_library()
    assert spec_for("clinic_wall_squat").kind == "reps"


def test_a_clinic_spec_for_an_unknown_exercise_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spec whose id is in no exercise file is refused, naming the file and the id."""
    (tmp_path / "typo.specs.yaml").write_text(
        "specs:\n  wal_sit:\n    kind: hold\n    hold_conditions:\n"
        "      - {signal: hip_height, max: 0.8, cue: Lower}\n"
    )
    monkeypatch.setenv("BACKREHAB_EXERCISES_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match=r"typo\.specs\.yaml.*'wal_sit'"):
        spec_for("wall_sit")
