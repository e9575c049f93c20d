"""Item texts: our paraphrases by default, a clinic's licensed wording from a checked YAML file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backrehab.assess.items import ENV_ITEM_TEXTS, ITEM_TEXTS, item_texts, load_item_texts
from backrehab.errors import ConfigError


def _rmdq(items: int = 24, options: int = 2) -> dict[str, object]:
    return {
        "title": "Licensed RMDQ",
        "instructions": "Licensed instructions.",
        "licence": "Test licence, for tests only",
        "items": [{"topic": f"Licensed statement {n}"} for n in range(1, items + 1)],
        "options": [f"label {k}" for k in range(options)],
    }


def _odi(item3_options: int = 6) -> dict[str, object]:
    items = [
        {"topic": f"Section {n}", "options": [f"S{n} statement {k}" for k in range(6)]}
        for n in range(1, 11)
    ]
    items[2]["options"] = [f"S3 statement {k}" for k in range(item3_options)]
    return {
        "title": "Licensed ODI",
        "instructions": "Licensed ODI instructions.",
        "licence": "Test licence",
        "items": items,
    }


def _write(tmp_path: Path, instruments: dict[str, object], version: int = 1) -> Path:
    path = tmp_path / "licensed.yaml"
    path.write_text(yaml.safe_dump({"schema_version": version, "instruments": instruments}))
    return path


def test_licensed_file_replaces_only_the_instruments_it_gives(tmp_path: Path) -> None:
    """The file's RMDQ and ODI wording is used; the other instruments keep our paraphrases."""
    texts = load_item_texts(_write(tmp_path, {"rmdq": _rmdq(), "odi": _odi()}))
    assert texts["rmdq"].title == "Licensed RMDQ"
    assert texts["rmdq"].items[23].topic == "Licensed statement 24"
    assert texts["rmdq"].items[23].number == 24
    assert texts["odi"].items[2].options[5] == "S3 statement 5"
    assert texts["fabq"] == ITEM_TEXTS["fabq"]
    assert ITEM_TEXTS["rmdq"].title.endswith("paraphrased")  # the defaults are untouched


def test_environment_variable_points_item_texts_at_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With $BACKREHAB_ITEM_TEXTS set, item_texts gives the licensed wording."""
    assert item_texts("rmdq") == ITEM_TEXTS["rmdq"]
    monkeypatch.setenv(ENV_ITEM_TEXTS, str(_write(tmp_path, {"rmdq": _rmdq()})))
    assert item_texts("RMDQ").title == "Licensed RMDQ"
    assert item_texts("nprs") == ITEM_TEXTS["nprs"]


@pytest.mark.parametrize(
    ("instruments", "message"),
    [
        ({"rmdq": _rmdq(items=23)}, "rmdq needs 24 items"),
        ({"rmdq": _rmdq(options=3)}, "rmdq needs 2 shared answer labels"),
        ({"odi": _odi(item3_options=5)}, "odi item 3 needs 6 answer labels"),
        ({"oswestry": _odi()}, "unknown instrument"),
        ({"rmdq": {**_rmdq(), "licence": ""}}, "licence"),
        ({"rmdq": {k: v for k, v in _rmdq().items() if k != "licence"}}, "licence"),
        ({"rmdq": {**_rmdq(), "colour": "red"}}, "colour"),
    ],
)
def test_bad_files_are_refused_naming_the_problem(
    tmp_path: Path, instruments: dict[str, object], message: str
) -> None:
    """Wrong counts, unknown instruments or keys and a missing licence are ConfigErrors."""
    with pytest.raises(ConfigError, match=message):
        load_item_texts(_write(tmp_path, instruments))


def test_missing_file_wrong_version_and_repeated_key(tmp_path: Path) -> None:
    """A missing file, another schema version and a repeated YAML key are refused."""
    with pytest.raises(ConfigError, match="not found"):
        load_item_texts(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="schema_version"):
        load_item_texts(_write(tmp_path, {"rmdq": _rmdq()}, version=2))
    repeated = tmp_path / "repeated.yaml"
    repeated.write_text("schema_version: 1\nschema_version: 1\ninstruments: {}\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_item_texts(repeated)
