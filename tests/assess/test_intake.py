"""A whole assessment from an intake: findings from every part, JSON round trip, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from backrehab.assess import from_media
from backrehab.assess.findings import Assessment, AssessmentFileError, Domain, Severity
from backrehab.assess.intake import build_assessment, parse_intake
from backrehab.errors import InvalidResponseError
from backrehab.pose.pipeline import AnalysisResult, analyze_sequence
from tests.conftest import BUNDLED_MEDIA
from tests.synth import Posture, sequence_of

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
                "ergonomics": [
                    {"photo": "side.jpg", "method": "rula"},
                    {"photo": "side.jpg", "method": "reba", "neutral_photo": "side.jpg"},
                ],
            }
        ),
        base_dir=tmp_path,
    )
    assert "calibrated" in a.results["ergonomics.1.reba"]["neck_offset_source"]
    assert a.results["ergonomics.0.rula"]["neck_neutral_offset_deg"] == 15.0
    assert any(f.code == "posture.forward_head" for f in a.findings)
    assert any(f.code == "ergonomics.rula" for f in a.findings)
    assert a.results["ergonomics.0.rula"]["seated"] is True
    assert Assessment.from_json(a.to_json()) == a  # camera findings round-trip too


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"questionnaires": {"odi": "9"}}, "ODI"),
        ({"sex": "other"}, "sex"),
        ({"unknown_part": 1}, "unknown_part"),
        ({"red_flags": {"not_a_question": True}}, "not_a_question"),
        ({"questionnaires": {"oswestry": "1"}}, "oswestry"),
        ({"screens": [{"video": "a.mp4", "test": "jump"}]}, "screens.0.test"),
        ({"holds": [{"video": "a.mp4", "test": "crunch"}]}, "holds.0.test"),
        ({"ergonomics": [{"photo": "a.jpg", "method": "owas"}]}, "ergonomics.0.method"),
        ({"posture_photos": {"top": ["a.jpg"]}}, "posture_photos"),
        ({"endurance_times_s": {"flexor": 150}}, "flexor"),
        ({"endurance_times_s": {"flexor_s": "150"}}, "flexor_s"),
        ({"endurance_times_s": {"flexor_s": -1}}, "flexor_s"),
        ({"endurance_times_s": {}}, "no hold time"),
        ({"settings": {"questionnaires": {"odi_min_answered": 11}}}, "settings.questionnaires"),
        ({"settings": {"questionnaires": {"fabq_pa_cutoff": "15"}}}, "fabq_pa_cutoff"),
        ({"settings": {"questionnaires": {"unknown": 1}}}, "settings.questionnaires.unknown"),
        ({"settings": {"red_flags": {"age_alone_level": "never"}}}, "age_alone_level"),
        ({"settings": {"posture": {"obliquity_flag_deg": -1}}}, "obliquity_flag_deg"),
        ({"settings": {"screens": {"sex": "other"}}}, "settings.screens.sex"),
        ({"settings": {"endurance": {"flex_ext_max": 2.0}}}, "flex_ext_moderate"),
        ({"settings": {"holds": {"grace_s": "1"}}}, "settings.holds.grace_s"),
        ({"settings": {"ergonomics": {"neck_offset": 1}}}, "settings.ergonomics.neck_offset"),
        ({"settings": {"mcid": {}}}, "settings.mcid"),
    ],
)
def test_bad_intake_names_the_problem(data: dict[str, object], message: str) -> None:
    """Bad intake documents are refused when parsed, naming the field, item or setting."""
    with pytest.raises(InvalidResponseError, match=message):
        parse_intake(data)


def test_missing_media_is_refused_before_anything_is_analysed(tmp_path: Path) -> None:
    """Every missing photo and video is named at once, relative to the intake folder."""
    (tmp_path / "front.jpg").write_bytes(b"not analysed: the check comes first")
    intake = parse_intake(
        {
            "posture_photos": {"front": ["front.jpg"]},
            "screens": [{"video": "squat.mp4", "test": "squat"}],
            "ergonomics": [{"photo": "desk.jpg", "neutral_photo": "upright.jpg"}],
        }
    )
    with pytest.raises(InvalidResponseError, match=r"squat\.mp4") as info:
        build_assessment(intake, base_dir=tmp_path)
    assert "desk.jpg" in info.value.user_message
    assert "upright.jpg" in info.value.user_message
    assert "front.jpg" not in info.value.user_message


def test_settings_overrides_change_the_result_and_are_recorded() -> None:
    """PROJECT DEFAULT thresholds set in the intake are used and stored in the assessment."""
    data = {
        "sex": "male",
        "questionnaires": {"odi": "1,1,1,1,1,1,1,na,na,na", "fabq": ",".join(["4"] * 16)},
        "red_flags": {"age_years": 60, "new_episode": True},
        "endurance_times_s": {"side_left_s": 80, "side_right_s": 86},
    }
    default = build_assessment(parse_intake(data))
    assert "disability.odi" not in {f.code for f in default.findings}  # 7 of 10: invalid
    assert default.findings[0].code == "safety.red_flag.review"
    custom = build_assessment(
        parse_intake(
            {
                **data,
                "settings": {
                    "questionnaires": {"odi_min_answered": 7, "fabq_pa_cutoff": 16},
                    "red_flags": {"age_alone_level": "urgent"},
                    "endurance": {
                        "side_bridge_asymmetry_max": 0.10,
                        "side_bridge_asymmetry_moderate": 0.2,
                    },
                    "posture": {"obliquity_flag_deg": 4.0},
                },
            }
        )
    )
    codes = {f.code: f for f in custom.findings}
    assert codes["disability.odi"].value == 20.0
    assert custom.findings[0].code == "safety.red_flag.urgent"
    fear = codes["psychosocial.fear_avoidance"]
    assert (fear.value, fear.severity) == (16.0, Severity.NORMAL)  # PA 16 is not above 16
    assert codes["endurance.side_bridge_asymmetry"].severity is Severity.NORMAL  # 1.075
    assert default.by_domain(Domain.ENDURANCE)[0].severity is Severity.MILD
    s = custom.settings
    assert s["questionnaires"]["odi_min_answered"] == 7
    assert s["red_flags"]["age_alone_level"] == "urgent"
    assert s["endurance"]["side_bridge_asymmetry_max"] == 0.10
    assert s["posture"]["obliquity_flag_deg"] == 4.0
    assert s["screens"]["sex"] == "male"  # the intake's sex reaches the FPPA limits
    assert default.settings["questionnaires"]["odi_min_answered"] == 8
    assert set(s) >= {"analysis", "questionnaires", "red_flags", "endurance", "posture"}
    assert set(s) >= {"screens", "holds", "ergonomics", "sex", "employed"}
    assert Assessment.from_json(custom.to_json()) == custom


def test_corrupt_assessment_document_is_refused() -> None:
    """A damaged assessment file raises AssessmentFileError naming the field."""
    with pytest.raises(AssessmentFileError, match="findings"):
        Assessment.from_json('{"findings": [{"code": "x"}]}')


def test_questionnaire_yellow_flags_reach_the_red_flag_screen() -> None:
    """§9.3: STarT Back high risk sets psychosocial_high_risk (review, plan allowed) with a note;
    without a red-flag part in the intake no screen is made up."""
    high = {"startback": "1,1,0,1,1,1,1,0,3"}
    a = build_assessment(parse_intake({"questionnaires": high, "red_flags": {}}))
    assert a.findings[0].code == "safety.red_flag.review"
    assert a.findings[0].evidence["triggers"] == ["psychosocial_high_risk"]
    assert a.findings[0].evidence["allow_plan"] is True
    assert any("STarT Back high risk" in n for n in a.results["red_flags"]["notes"])
    fabq = {"fabq": ",".join(["5"] * 16)}  # PA 20 > 14
    b = build_assessment(parse_intake({"questionnaires": fabq, "red_flags": {}}))
    assert any("elevated FABQ" in n for n in b.results["red_flags"]["notes"])
    unscreened = build_assessment(parse_intake({"questionnaires": high}))
    assert not any(f.code.startswith("safety.") for f in unscreened.findings)
    nprs = {"nprs": "3"}
    low = build_assessment(parse_intake({"questionnaires": nprs, "red_flags": {}}))
    assert low.findings[0].code == "safety.red_flag.none"


def _sorensen_analysis() -> AnalysisResult:
    """A synthetic Biering-Sørensen video: trunk level for 8 s, then dropped (hold ~7.9 s)."""
    level = Posture(trunk_inclination=90)
    dropped = Posture(trunk_inclination=115, hip_flexion=25)
    return analyze_sequence(sequence_of([level] * 80 + [dropped] * 20, yaw_deg=-90.0, fps=10.0))


def test_typed_times_and_hold_videos_form_one_battery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typed flexor time and a video-timed extensor hold of one visit give one battery with
    flex_ext; the video's holds are kept and no one-test battery findings are added."""
    (tmp_path / "sorensen.mp4").write_bytes(b"analysed by the patched pose step")
    analysis = _sorensen_analysis()
    monkeypatch.setattr(from_media, "analyze_media", lambda *a, **k: analysis)
    a = build_assessment(
        parse_intake(
            {
                "sex": "male",
                "endurance_times_s": {"flexor_s": 10.0},
                "holds": [{"video": "sorensen.mp4", "test": "biering_sorensen"}],
            }
        ),
        base_dir=tmp_path,
    )
    battery = a.results["endurance"]
    extensor_s = battery["times"]["extensor_s"]
    assert extensor_s == pytest.approx(7.9, abs=0.3)
    assert battery["flex_ext"] == pytest.approx(10.0 / extensor_s)
    assert battery["sources"]["flexor_s"] == {"source": "typed"}
    assert battery["sources"]["extensor_s"]["video"] == "sorensen.mp4"
    assert len(battery["sources"]["extensor_s"]["holds"]) == 1
    hold = a.results["hold.0.biering_sorensen"]
    assert (hold["battery_test"], hold["in_battery"]) == ("extensor", "endurance")
    codes = [f.code for f in a.findings if f.domain is Domain.ENDURANCE]
    assert "endurance.flexor_extensor_imbalance" in codes
    assert len(codes) == len(set(codes))  # each check once: no separate one-test battery


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "endurance_times_s": {"extensor_s": 60},
                "holds": [{"video": "a.mp4", "test": "biering_sorensen"}],
            },
            "holds.0: the extensor test is already given by endurance_times_s.extensor_s",
        ),
        (
            {
                "holds": [
                    {"video": "a.mp4", "test": "side_bridge", "side": "left"},
                    {"video": "b.mp4", "test": "side_bridge", "side": "left"},
                ]
            },
            "holds.1: the side bridge left test is already given by holds.0",
        ),
        ({"holds": [{"video": "a.mp4", "test": "plank", "side": "left"}]}, "holds.0.side"),
    ],
)
def test_a_battery_test_given_twice_is_refused(data: dict[str, object], message: str) -> None:
    """Each battery test comes from one place: typed or one video; only side bridges have a side."""
    with pytest.raises(InvalidResponseError, match=message):
        parse_intake(data)


def test_questionnaire_version_in_the_intake() -> None:
    """An ODI given with version v2.1a is scored; ODI v1.0 or the Fritz-modified ODI is refused
    when the intake is read, naming questionnaires.odi.version."""
    odi = "1,2,3,1,2,1,2,na,2,2"
    a = build_assessment(
        parse_intake({"questionnaires": {"odi": {"answers": odi, "version": "ODI v2.1a"}}})
    )
    assert a.results["questionnaire.odi"]["percent"] == 35.6
    for version, why in (("v1.0", "pain-intensity"), ("Fritz modified", "section 8")):
        with pytest.raises(InvalidResponseError, match=r"questionnaires\.odi\.version") as info:
            parse_intake({"questionnaires": {"odi": {"answers": odi, "version": version}}})
        assert why in info.value.user_message
    with pytest.raises(InvalidResponseError, match=r"questionnaires\.odi"):
        parse_intake({"questionnaires": {"odi": {"answers": odi, "form": "2.1a"}}})
