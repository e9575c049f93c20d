"""Exercise library: packaged data, clinic files, validation errors and fidelity to shared data."""

from __future__ import annotations

import graphlib
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from backrehab.errors import ConfigError
from backrehab.exercises import (
    CATEGORIES,
    ENV_EXERCISES_DIR,
    PATIENT_GROUPS,
    SUITABILITY_LEVELS,
    CameraCheck,
    CycleRep,
    Exercise,
    ExerciseLibrary,
    HoldRep,
    load_library,
)
from tests.exercises import clinic_entry, write_library_file

REPO = Path(__file__).resolve().parents[2]
SHARED_ENTRY_COUNT = 57
NEW_IDS = (
    "bodyweight_squat",
    "forward_lunge",
    "push_up",
    "prone_back_extension",
    "quadruped_hip_extension",
    "reverse_lunge",
    "walking_lunge",
)
REQUIRED_IDS = (
    "glute_bridge",
    "bird_dog",
    "front_plank",
    "side_bridge",
    "kettlebell_deadlift",
    "hip_hinge_dowel",
    "bird_dog_elbow_to_knee",
    *NEW_IDS,
)


def _shared_dir() -> Path:
    env = os.environ.get("BACKREHAB_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


@pytest.fixture(scope="module")
def shared() -> dict[str, Any]:
    """The shared reference library; skips with a visible reason when absent (fails in CI)."""
    path = _shared_dir() / "exercise-library.yaml"
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"shared exercise library missing in CI: {path}")
        pytest.skip(f"shared exercise library not found at {path} (set BACKREHAB_SHARED_DIR)")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(autouse=True)
def _no_clinic_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without a clinic directory, whatever the developer's environment holds."""
    monkeypatch.delenv(ENV_EXERCISES_DIR, raising=False)


@pytest.fixture(scope="module")
def lib() -> ExerciseLibrary:
    """The packaged library alone."""
    return load_library()


# ------------------------------------------------------------------ packaged data


def test_packaged_library_holds_shared_and_new_entries(lib: ExerciseLibrary) -> None:
    """The packaged library has the 57 shared entries plus the new ones, all required ids."""
    assert len(lib) == SHARED_ENTRY_COUNT + len(NEW_IDS)
    missing = [i for i in REQUIRED_IDS if i not in lib]
    assert missing == []
    assert len(set(lib.ids())) == len(lib)


def test_packaged_ids_cover_the_shared_library(
    lib: ExerciseLibrary, shared: dict[str, Any]
) -> None:
    """Every shared id is packaged, and the only extra ids are the new entries."""
    shared_ids = {e["id"] for e in shared["exercises"]}
    assert len(shared_ids) == SHARED_ENTRY_COUNT
    assert set(lib.ids()) == shared_ids | set(NEW_IDS)


def test_progression_links_resolve(lib: ExerciseLibrary) -> None:
    """Every progression and regression id names a packaged exercise."""
    for exercise in lib:
        assert [e.id for e in lib.progressions(exercise.id)] == list(exercise.progression_ids)
        assert [e.id for e in lib.regressions(exercise.id)] == list(exercise.regression_ids)
        for linked in exercise.progression_ids + exercise.regression_ids:
            assert linked in lib, f"{exercise.id} -> {linked}"


def test_push_up_and_front_plank_are_linked_both_ways(lib: ExerciseLibrary) -> None:
    """push_up progresses from front_plank and regresses to it."""
    assert "push_up" in lib.get("front_plank").progression_ids
    assert "front_plank" in lib.get("push_up").regression_ids
    assert "bird_dog_elbow_to_knee" in lib.get("bird_dog").progression_ids
    assert lib.get("bird_dog_elbow_to_knee").regression_ids[0] == "bird_dog"


def test_progression_chains_never_loop(lib: ExerciseLibrary) -> None:
    """Following progressions (or regressions) always ends: both graphs are acyclic."""
    for name in ("progression_ids", "regression_ids"):
        graph = {e.id: getattr(e, name) for e in lib}
        graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a loop


def test_vocabularies_match_the_shared_conventions(
    lib: ExerciseLibrary, shared: dict[str, Any]
) -> None:
    """Categories, suitability values and basis values are those of the shared conventions."""
    conventions = shared["conventions"]
    assert set(CATEGORIES) == set(conventions["categories"])
    assert set(SUITABILITY_LEVELS) == set(conventions["suitability_values"])
    bases = set(conventions["threshold_basis_values"])
    for exercise in lib:
        assert exercise.category in conventions["categories"]
        assert dict(exercise.suitability.items()).keys() == set(PATIENT_GROUPS)
        assert {level for _, level in exercise.suitability.items()} <= set(SUITABILITY_LEVELS)
        assert exercise.default_dose.basis in bases
        assert {m.basis for m in exercise.camera_check.metrics} <= bases


def test_shared_patient_groups_are_the_schema_groups(shared: dict[str, Any]) -> None:
    """The shared entries rate exactly the schema's patient groups."""
    for entry in shared["exercises"]:
        assert set(entry["suitability"]) == set(PATIENT_GROUPS), entry["id"]


def test_patient_texts_are_our_own_words(lib: ExerciseLibrary, shared: dict[str, Any]) -> None:
    """Fewer than 20 % of form cues, faults and names equal the shared wording."""

    def norm(text: str) -> str:
        return " ".join(text.lower().replace("-", " ").split()).rstrip(".")

    for field in ("form_cues", "common_faults"):
        theirs = {norm(t) for e in shared["exercises"] for t in e[field]}
        ours = [norm(t) for e in lib for t in getattr(e, field)]
        same = sum(t in theirs for t in ours)
        assert ours
        assert same / len(ours) < 0.2, f"{field}: {same} of {len(ours)} copied"
    names = {e["id"]: norm(e["name"]) for e in shared["exercises"]}
    same_names = [i for i, n in names.items() if norm(lib.get(i).name) == n]
    assert len(same_names) / len(names) < 0.2, same_names


def test_camera_checks_are_faithful_to_shared_numbers(
    lib: ExerciseLibrary, shared: dict[str, Any]
) -> None:
    """Each shared entry's camera metrics, targets, rep rule and fault rules are kept unchanged."""
    for entry in shared["exercises"]:
        theirs = entry["camera_check"]
        ours = lib.get(entry["id"]).camera_check
        where = entry["id"]
        assert ours.supported == theirs["supported"], where
        assert ours.view == theirs.get("view"), where
        assert list(ours.landmarks) == theirs.get("landmarks", []), where
        assert [m.id for m in ours.metrics] == [m["id"] for m in theirs.get("metrics", [])], where
        for metric, ref in zip(ours.metrics, theirs.get("metrics", []), strict=True):
            target = list(metric.target) if isinstance(metric.target, tuple) else metric.target
            assert target == ref["target"], f"{where}.{metric.id}"
            assert (metric.expr, metric.phase, metric.basis) == (
                ref["expr"],
                ref.get("phase"),
                ref["basis"],
            ), f"{where}.{metric.id}"
        rep = ours.rep.model_dump(exclude_none=True) if ours.rep else None
        if rep is not None and "hold_conditions" in rep:
            rep["hold_conditions"] = list(rep["hold_conditions"])
        assert rep == theirs.get("rep"), where
        assert [(f.id, f.rule) for f in ours.faults] == [
            (f["id"], f["rule"]) for f in theirs.get("faults", [])
        ], where


def test_new_entries_are_complete(lib: ExerciseLibrary) -> None:
    """The added entries carry cues, a camera check, project-default thresholds and sources."""
    for exercise_id in NEW_IDS:
        exercise = lib.get(exercise_id)
        assert exercise.form_cues, exercise_id
        assert exercise.common_faults, exercise_id
        assert exercise.camera_check.supported != "none", exercise_id
        assert exercise.default_dose.basis == "project_default", exercise_id
        assert {m.basis for m in exercise.camera_check.metrics} == {"project_default"}
        assert set(exercise.sources) <= set(lib.sources), exercise_id
    assert lib.get("push_up").category == "strength"
    assert lib.get("prone_back_extension").directional_bias == "extension"
    assert lib.get("prone_back_extension").suitability["extension_intolerant"] == "avoid"


def test_rep_rules_are_typed(lib: ExerciseLibrary) -> None:
    """Hold rules name their metrics; cycle rules carry a signal and two thresholds."""
    bird_dog = lib.get("bird_dog").camera_check.rep
    assert isinstance(bird_dog, HoldRep)
    assert bird_dog.target_hold_s == 10
    squat = lib.get("bodyweight_squat").camera_check.rep
    assert isinstance(squat, CycleRep)
    assert (squat.signal, squat.start_zone, squat.end_threshold) == ("depth", ">= 160", "<= 120")


# ------------------------------------------------------------------ queries


def test_by_category_partitions_the_library(lib: ExerciseLibrary) -> None:
    """Every exercise is in exactly one category list; an unknown category is refused."""
    groups = [lib.by_category(c) for c in CATEGORIES]
    assert sum(len(g) for g in groups) == len(lib)
    assert all(e.category == c for c, g in zip(CATEGORIES, groups, strict=True) for e in g)
    with pytest.raises(ConfigError, match="cardio"):
        lib.by_category("cardio")  # type: ignore[arg-type]


def test_suitable_for_excludes_avoid_only(lib: ExerciseLibrary) -> None:
    """suitable_for drops exactly the 'avoid' entries of the group and keeps 'test' ones."""
    for group in PATIENT_GROUPS:
        kept = {e.id for e in lib.suitable_for(group)}
        avoided = {e.id for e in lib if e.suitability[group] == "avoid"}
        assert kept == set(lib.ids()) - avoided
        assert avoided
    assert "prone_press_up" not in {e.id for e in lib.suitable_for("extension_intolerant")}
    assert "prone_press_up" in {e.id for e in lib.suitable_for("flexion_intolerant")}
    with pytest.raises(ConfigError, match="pregnant"):
        lib.suitable_for("pregnant")  # type: ignore[arg-type]


def test_get_suggests_the_right_id_for_a_typo(lib: ExerciseLibrary) -> None:
    """get() of a misspelt id raises ConfigError suggesting the intended id."""
    assert lib.get("side_bridge").id == "side_bridge"
    with pytest.raises(ConfigError, match=r"Did you mean: .*glute_bridge") as info:
        lib.get("glute_brige")
    assert "glute_brige" in str(info.value)


def test_iteration_follows_library_order(lib: ExerciseLibrary) -> None:
    """Iterating yields the entries in the order of ids()."""
    assert tuple(e.id for e in lib) == lib.ids()
    assert lib.ids()[0] == "diaphragmatic_breathing"


def test_entries_are_frozen(lib: ExerciseLibrary) -> None:
    """An exercise cannot be changed after loading."""
    exercise = lib.get("bird_dog")
    with pytest.raises(ValidationError):
        exercise.name = "Changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        exercise.default_dose.sets = 9  # type: ignore[misc]


def test_entries_are_hashable(lib: ExerciseLibrary) -> None:
    """Every exercise, including one with a grades mapping, can go into a set."""
    assert len(set(lib)) == len(lib)
    assert lib.get("mt_lumbar_pa_mobilization").grades is not None


# ------------------------------------------------------------------ clinic files


def test_clinic_env_dir_adds_an_exercise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A YAML file in $BACKREHAB_EXERCISES_DIR adds its exercise to the packaged ones."""
    path = write_library_file(tmp_path, "clinic.yaml", clinic_entry())
    monkeypatch.setenv(ENV_EXERCISES_DIR, str(tmp_path))
    lib = load_library()
    assert len(lib) == SHARED_ENTRY_COUNT + len(NEW_IDS) + 1
    assert lib.get("clinic_wall_push").name == "Push against the wall"
    assert lib.origin("clinic_wall_push") == str(path)
    assert lib.ids()[-1] == "clinic_wall_push"


def test_extra_dirs_add_exercises_after_the_env_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """extra_dirs are read too, after the env directory; .yml files count."""
    write_library_file(tmp_path / "env", "a.yaml", clinic_entry())
    write_library_file(
        tmp_path / "extra", "b.yml", clinic_entry(id="clinic_step_up", progression_ids=[])
    )
    (tmp_path / "extra" / "notes.txt").write_text("not a library file")
    monkeypatch.setenv(ENV_EXERCISES_DIR, str(tmp_path / "env"))
    lib = load_library([tmp_path / "extra"])
    assert lib.ids()[-2:] == ("clinic_wall_push", "clinic_step_up")


def test_clinic_dir_is_reread_on_every_load(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A clinic file added after a load shows up on the next load; the packaged part is cached."""
    monkeypatch.setenv(ENV_EXERCISES_DIR, str(tmp_path))
    assert "clinic_wall_push" not in load_library()
    write_library_file(tmp_path, "clinic.yaml", clinic_entry())
    assert "clinic_wall_push" in load_library()
    monkeypatch.delenv(ENV_EXERCISES_DIR)
    assert load_library() is load_library()


def test_duplicate_id_without_replaces_names_both_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A clinic entry reusing a packaged id without replaces: true is refused, naming both files."""
    path = write_library_file(
        tmp_path, "clinic.yaml", clinic_entry(id="bird_dog", progression_ids=[])
    )
    monkeypatch.setenv(ENV_EXERCISES_DIR, str(tmp_path))
    with pytest.raises(ConfigError) as info:
        load_library()
    message = str(info.value)
    assert "'bird_dog'" in message
    assert str(path) in message
    assert "exercises/data/exercises.yaml" in message
    assert "replaces: true" in message


def test_duplicate_id_across_clinic_files_names_both(tmp_path: Path) -> None:
    """Two clinic files defining the same new id are refused, naming both files."""
    first = write_library_file(tmp_path, "a.yaml", clinic_entry())
    second = write_library_file(tmp_path, "b.yaml", clinic_entry())
    with pytest.raises(ConfigError) as info:
        load_library([tmp_path])
    assert str(first) in str(info.value)
    assert str(second) in str(info.value)


def test_replaces_true_overrides_a_packaged_entry(tmp_path: Path) -> None:
    """With replaces: true a clinic entry takes the packaged entry's place."""
    packaged = load_library()
    position = packaged.ids().index("bird_dog")
    clinic = clinic_entry(
        id="bird_dog",
        name="Bird dog, clinic version",
        category="motor_control",
        progression_ids=["bird_dog_elbow_to_knee"],
        regression_ids=["bird_dog_single_limb"],
        replaces=True,
    )
    path = write_library_file(tmp_path, "clinic.yaml", clinic)
    lib = load_library([tmp_path])
    assert len(lib) == len(packaged)
    assert lib.get("bird_dog").name == "Bird dog, clinic version"
    assert lib.ids().index("bird_dog") == position
    assert lib.origin("bird_dog") == str(path)
    assert packaged.get("bird_dog").name != "Bird dog, clinic version"


def test_replaces_without_an_earlier_entry_is_refused(tmp_path: Path) -> None:
    """replaces: true on an id nobody defined (a typo) is refused with a suggestion."""
    write_library_file(
        tmp_path, "clinic.yaml", clinic_entry(id="bird_dogg", replaces=True, progression_ids=[])
    )
    with pytest.raises(ConfigError, match=r"replaces: true.*Did you mean: bird_dog"):
        load_library([tmp_path])


def test_replaces_must_be_a_boolean(tmp_path: Path) -> None:
    """replaces: 'yes please' is refused, naming the field."""
    path = write_library_file(tmp_path, "clinic.yaml", clinic_entry(replaces="yes please"))
    with pytest.raises(ConfigError, match="'replaces'") as info:
        load_library([tmp_path])
    assert str(path) in str(info.value)


def test_dangling_progression_is_refused_naming_it(tmp_path: Path) -> None:
    """A progression id that names no exercise raises ConfigError naming that id and the file."""
    path = write_library_file(tmp_path, "clinic.yaml", clinic_entry(progression_ids=["push_upp"]))
    with pytest.raises(ConfigError) as info:
        load_library([tmp_path])
    message = str(info.value)
    assert "'push_upp'" in message
    assert "progression_ids" in message
    assert str(path) in message
    assert "Did you mean: push_up" in message


def test_dangling_regression_left_by_a_replacement_is_refused(tmp_path: Path) -> None:
    """Links are checked after merging, so a replacement cannot break the graph silently."""
    write_library_file(
        tmp_path,
        "clinic.yaml",
        clinic_entry(id="clinic_wall_push", progression_ids=[], regression_ids=["not_there"]),
    )
    with pytest.raises(ConfigError, match="'not_there' in regression_ids"):
        load_library([tmp_path])


def test_progression_loop_is_refused(tmp_path: Path) -> None:
    """A clinic entry that closes a progression loop is refused, naming the loop."""
    loop = clinic_entry(id="clinic_wall_push", progression_ids=["clinic_knee_push"])
    back = clinic_entry(id="clinic_knee_push", progression_ids=["clinic_wall_push"])
    write_library_file(tmp_path, "clinic.yaml", loop, back)
    with pytest.raises(ConfigError, match=r"loop.*clinic_wall_push"):
        load_library([tmp_path])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"default_dose": {"sets": -1, "basis": "project_default"}}, "default_dose.sets"),
        ({"colour": "red"}, "colour"),
        ({"category": "cardio"}, "category"),
        ({"default_dose": {"per_side": "yes", "basis": "literature"}}, "default_dose.per_side"),
        ({"default_dose": {"hold_s": "10", "basis": "literature"}}, "default_dose.hold_s"),
        ({"suitability": {"flexion_intolerant": "fine"}}, "suitability.flexion_intolerant"),
        ({"id": "Wall Push"}, "id"),
        ({"sources": []}, "sources"),
        (
            {
                "camera_check": {
                    "supported": "full",
                    "view": "sagittal",
                    "landmarks": ["hip_{side}"],
                    "metrics": [{"id": "x", "expr": "e", "target": [10, 5], "basis": "literature"}],
                    "rep": {"type": "hold", "target_hold_s": 5, "hold_conditions": ["x"]},
                }
            },
            "camera_check.metrics[0]",
        ),
        (
            {
                "camera_check": {
                    "supported": "partial",
                    "view": "sagittal",
                    "landmarks": ["hip_{side}"],
                    "metrics": [{"id": "x", "expr": "e", "target": [0, 5], "basis": "literature"}],
                    "rep": {"type": "hold", "target_hold_s": -5, "hold_conditions": ["x"]},
                }
            },
            "camera_check.rep.target_hold_s",
        ),
    ],
    ids=[
        "negative-sets",
        "unknown-key",
        "unknown-category",
        "per-side-text",
        "hold-as-text",
        "bad-suitability",
        "id-not-snake-case",
        "no-sources",
        "reversed-target",
        "negative-hold",
    ],
)
def test_bad_field_names_file_entry_and_field(
    tmp_path: Path, overrides: dict[str, Any], field: str
) -> None:
    """A schema error raises ConfigError naming the file, the entry and the field."""
    entry = clinic_entry(**overrides)
    path = write_library_file(
        tmp_path, "clinic.yaml", clinic_entry(id="clinic_ok", progression_ids=[]), entry
    )
    with pytest.raises(ConfigError) as info:
        load_library([tmp_path])
    message = str(info.value)
    assert str(path) in message
    assert f"'{entry['id']}' (entry 2)" in message
    assert f"field '{field}" in message


def test_entry_without_id_is_named_by_position(tmp_path: Path) -> None:
    """An entry missing its id is named by its position, and the missing field is named."""
    entry = clinic_entry()
    del entry["id"]
    write_library_file(tmp_path, "clinic.yaml", entry)
    with pytest.raises(ConfigError, match=r"entry 1 is invalid: field 'id': required"):
        load_library([tmp_path])


def test_hold_conditions_must_name_metrics() -> None:
    """A hold rule naming an unknown metric is a schema error."""
    with pytest.raises(ValidationError, match="hold_conditions"):
        CameraCheck.model_validate(
            {
                "supported": "full",
                "view": "frontal",
                "landmarks": ["left_hip"],
                "metrics": [{"id": "a", "expr": "e", "target": [0, 1], "basis": "literature"}],
                "rep": {"type": "hold", "target_hold_s": 3, "hold_conditions": ["b"]},
            }
        )


def test_exercise_cannot_list_itself_as_progression() -> None:
    """An entry whose progression_ids contain its own id is a schema error."""
    with pytest.raises(ValidationError, match="itself"):
        Exercise.model_validate(clinic_entry(progression_ids=["clinic_wall_push"]))


def test_malformed_yaml_names_the_file(tmp_path: Path) -> None:
    """A file that is not valid YAML raises ConfigError naming the file and the line."""
    path = tmp_path / "broken.yaml"
    path.write_text("exercises:\n  - id: a\n    name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_library([tmp_path])
    assert str(path) in str(info.value)
    assert "line" in str(info.value)


def test_repeated_yaml_key_is_refused(tmp_path: Path) -> None:
    """A key written twice in one entry is refused instead of silently keeping the last."""
    path = tmp_path / "clinic.yaml"
    path.write_text("exercises:\n  - id: a\n    id: b\n")
    with pytest.raises(ConfigError, match="duplicate key") as info:
        load_library([tmp_path])
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "text",
    ["", "- just a list\n", "exercises: {id: a}\n", "exercises: []\nextra: 1\n"],
    ids=["empty", "top-level-list", "exercises-not-a-list", "unknown-top-level-key"],
)
def test_file_without_an_exercises_list_is_refused(tmp_path: Path, text: str) -> None:
    """A clinic file must be a mapping with an 'exercises:' list and only known keys."""
    path = tmp_path / "clinic.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_library([tmp_path])
    assert str(path) in str(info.value)


def test_unknown_source_is_refused(tmp_path: Path) -> None:
    """An entry citing a source no file defines is refused; a clinic may define its own."""
    write_library_file(tmp_path / "bad", "clinic.yaml", clinic_entry(sources=["S99"]))
    with pytest.raises(ConfigError, match="'S99'"):
        load_library([tmp_path / "bad"])
    good = tmp_path / "good" / "clinic.yaml"
    good.parent.mkdir()
    good.write_text(
        yaml.safe_dump(
            {"sources": {"CLINIC_1": "Our protocol 2024"}, "exercises": [clinic_entry()]}
        )
    )
    assert load_library([good.parent]).sources["CLINIC_1"] == "Our protocol 2024"


def test_missing_clinic_dir_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A clinic directory that does not exist raises ConfigError naming it and its origin."""
    monkeypatch.setenv(ENV_EXERCISES_DIR, str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match=rf"nowhere.*{ENV_EXERCISES_DIR}"):
        load_library()
