"""A whole assessment from an intake: findings from every part, JSON round trip, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from backrehab.assess.findings import Assessment, AssessmentFileError, Domain
from backrehab.assess.intake import build_assessment, parse_intake
from backrehab.errors import InvalidResponseError
from tests.conftest import BUNDLED_MEDIA

INTAKE = {
    "patient_ref": "test-001",
    "sex": "male",
    "questionnaires": {"odi": "1,2,3,1,2,1,2,na,2,2", "startback": "1,1,0,1,1,1,1,0,3"},
    "red_flags": {"inflammatory_features": True, "age_years": 45, "new_episode": True},
    "endurance_times_s": {
        "flexor_s": 150,
        "extensor_s": 120,
        "side_left_s": 80,
        "side_right_s": 95,
    },
}


def test_questionnaires_red_flags_and_endurance_become_findings() -> None:
    """Each part adds its findings and raw result; the safety screen comes first."""
    a = build_assessment(parse_intake(INTAKE))
    assert a.findings[0].code == "safety.red_flag.review"
    codes = {f.code for f in a.findings}
    assert {
        "disability.odi",
        "psychosocial.startback_risk",
        "endurance.flexor_extensor_imbalance",
    } <= codes
    assert a.results["questionnaire.odi"]["percent"] == 35.6
    assert a.patient_ref == "test-001"
    assert a.by_domain(Domain.ENDURANCE)[0].severity.rank >= 1


def test_assessment_round_trips_through_json() -> None:
    """to_json then from_json gives back an equal assessment."""
    a = build_assessment(parse_intake(INTAKE))
    assert Assessment.from_json(a.to_json()) == a


@pytest.mark.video
def test_posture_photo_in_the_intake(tmp_path: Path) -> None:
    """Photo paths are resolved against the intake folder and give posture and RULA findings."""
    photo = tmp_path / "side.jpg"
    photo.write_bytes((BUNDLED_MEDIA / "sitting_upright_side_01.jpg").read_bytes())
    a = build_assessment(
        parse_intake(
            {
                "posture_photos": {"side": ["side.jpg"]},
                "ergonomics": [{"photo": "side.jpg", "method": "rula"}],
            }
        ),
        base_dir=tmp_path,
    )
    assert any(f.code == "posture.forward_head" for f in a.findings)
    assert any(f.code == "ergonomics.rula" for f in a.findings)
    assert a.results["ergonomics.0.rula"]["seated"] is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"questionnaires": {"odi": "9"}}, "ODI"),
        ({"sex": "other"}, "sex"),
        ({"unknown_part": 1}, "unknown_part"),
        ({"red_flags": {"not_a_question": True}}, "not_a_question"),
    ],
)
def test_bad_intake_names_the_problem(data: dict[str, object], message: str) -> None:
    """Bad intake documents raise InvalidResponseError naming the field or item."""
    with pytest.raises(InvalidResponseError, match=message):
        build_assessment(parse_intake(data))


def test_corrupt_assessment_document_is_refused() -> None:
    """A damaged assessment file raises AssessmentFileError naming the field."""
    with pytest.raises(AssessmentFileError, match="findings"):
        Assessment.from_json('{"findings": [{"code": "x"}]}')
