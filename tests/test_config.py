"""Settings: defaults in one place, TOML and --set overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from backrehab.config import AnalysisConfig, config_from_mapping, load_config, parse_overrides
from backrehab.errors import ConfigError


def test_defaults_have_units_in_their_names() -> None:
    """Every numeric setting with a physical unit carries it in its key."""
    cfg = AnalysisConfig()
    assert cfg.cleaning.cutoff_hz == 6.0
    assert cfg.cleaning.max_gap_s == 0.25
    assert cfg.angles.view_tolerance_deg == 30.0


def test_toml_file_overrides_defaults(tmp_path: Path) -> None:
    """A TOML file changes only the keys it names."""
    path = tmp_path / "clinic.toml"
    path.write_text("[cleaning]\ncutoff_hz = 4.0\n")
    cfg = load_config(path)
    assert cfg.cleaning.cutoff_hz == 4.0
    assert cfg.cleaning.max_gap_s == 0.25


def test_set_overrides_parse_values() -> None:
    """--set items become nested, typed values."""
    data = parse_overrides(["cleaning.cutoff_hz=3.5", "extraction.frame_stride=2"])
    assert data == {"cleaning": {"cutoff_hz": 3.5}, "extraction": {"frame_stride": 2}}
    cfg = config_from_mapping(data)
    assert cfg.extraction.frame_stride == 2


@pytest.mark.parametrize(
    "data",
    [
        {"cleaning": {"cutoff_hz": -1}},
        {"cleaning": {"typo_hz": 1}},
        {"extraction": {"frame_stride": 0}},
    ],
)
def test_invalid_settings_name_the_key(data: dict[str, dict[str, float]]) -> None:
    """An out-of-range or unknown key raises ConfigError naming it."""
    with pytest.raises(ConfigError) as info:
        config_from_mapping(data)
    key = next(iter(next(iter(data.values()))))
    assert key in info.value.user_message


def test_bad_files_and_items_are_clear_errors(tmp_path: Path) -> None:
    """Missing or malformed files and items raise ConfigError."""
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[cleaning\n")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load_config(bad)
    with pytest.raises(ConfigError, match=r"section\.key=value"):
        parse_overrides(["nonsense"])


def test_fingerprint_depends_only_on_inference_settings() -> None:
    """The cache key changes with what alters stored poses (stride, confidences, main-person
    jump, model), not with the file size limit or the detection share required."""
    base = AnalysisConfig().extraction
    for same in ({"max_file_mb": 1.0}, {"min_detected_fraction": 0.5}):
        assert base.fingerprint() == base.model_copy(update=same).fingerprint()
    for changed in (
        {"frame_stride": 2},
        {"min_detection_confidence": 0.6},
        {"min_tracking_confidence": 0.6},
        {"main_person_max_jump": 2.0},
    ):
        assert base.fingerprint() != base.model_copy(update=changed).fingerprint(), changed
    assert base.fingerprint("model A") != base.fingerprint("model B")


@pytest.mark.parametrize("order", [3, 5])
def test_odd_filter_order_is_refused(order: int) -> None:
    """A zero-phase filter has an even effective order; an odd one is refused by name."""
    with pytest.raises(ConfigError, match=r"filter_order.*even"):
        config_from_mapping({"cleaning": {"filter_order": order}})


def test_documented_settings_match_the_defaults() -> None:
    """The TOML block in docs/config-reference.md equals the model defaults (no drift)."""
    import re
    import tomllib

    doc = (Path(__file__).resolve().parents[1] / "docs" / "config-reference.md").read_text()
    block = re.search(r"```toml\n(.*?)```", doc, re.S)
    assert block is not None
    assert tomllib.loads(block.group(1)) == AnalysisConfig().model_dump()
