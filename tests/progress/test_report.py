"""Progress report (PDF/HTML) checked as images, its plain-language summary, and PATIENT_DATA."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from backrehab.errors import ConfigError, InvalidResponseError
from backrehab.progress.patient_data import (
    PatientData,
    load_patient_data,
    patient_data_from_mapping,
)
from backrehab.progress.report import (
    BAND_COLOR,
    DEBUG_ENV,
    PAGE1_PNG,
    PAIN_COLOR,
    plain_summary,
    report_from_file,
    write_report,
)
from backrehab.progress.simulate import simulate_patient
from tests.progress import make_log

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "patient_data" / "demo_patient.json"


def _rgb(hex_color: str) -> npt.NDArray[np.int16]:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)


def _image(path: Path) -> npt.NDArray[np.int16]:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), dtype=np.int16)


def _colour_mask(
    pixels: npt.NDArray[np.int16], hex_color: str, tol: int = 40
) -> npt.NDArray[np.bool_]:
    mask: npt.NDArray[np.bool_] = np.abs(pixels - _rgb(hex_color)).max(axis=2) <= tol
    return mask


def _minimal(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "patient_ref": "P-001",
        "schedule": {"start": "2025-01-06", "sessions_per_week": 3},
        "baseline": {"date": "2025-01-06", "odi": 30},
    }
    raw.update(changes)
    return raw


@pytest.fixture(scope="module")
def flaring() -> PatientData:
    """The 12-week flaring patient."""
    return simulate_patient("flaring", seed=7).data


@pytest.fixture(scope="module")
def pdf_report(flaring: PatientData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flaring patient's PDF, written with the page-1 PNG alongside."""
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    return write_report(flaring, out, debug=True)


def _pdftoppm() -> str:
    exe = shutil.which("pdftoppm")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing in CI: install poppler-utils")
        pytest.skip(
            "pdftoppm not installed (apt install poppler-utils): the real PDF page was not "
            "rasterised; the page-1 PNG export was still checked"
        )
    return exe


def _rasterise_page1(exe: str, pdf: Path) -> Path:
    prefix = pdf.with_name(pdf.stem + "-page1")
    subprocess.run(
        [exe, "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return prefix.with_suffix(".png")


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_is_written_with_four_pages(pdf_report: Path) -> None:
    """The PDF exists, is a PDF, and has the 4 pages (summary, adherence, endurance, ROM)."""
    content = pdf_report.read_bytes()
    assert content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", content)) == 4


def test_page1_png_shows_the_pain_trend(pdf_report: Path) -> None:
    """Page 1 PNG export: busy plot area and the pain-line colour below the summary text."""
    png = pdf_report.with_name(PAGE1_PNG)
    assert png.exists()
    pixels = _image(png)
    height = pixels.shape[0]
    plot_area = pixels[int(0.35 * height) : int(0.7 * height)]
    non_white = (plot_area < 235).any(axis=2).mean()
    assert non_white > 0.03
    pain = _colour_mask(pixels, PAIN_COLOR)
    assert pain.sum() > 800
    rows = np.nonzero(pain)[0]
    assert 0.3 * height < rows.mean() < 0.7 * height  # the line sits in the plot, not the text


def test_real_pdf_page1_shows_the_pain_trend(pdf_report: Path) -> None:
    """The real PDF page 1, rasterised by pdftoppm, shows the pain-trend line colour."""
    exe = _pdftoppm()
    pixels = _image(_rasterise_page1(exe, pdf_report))
    pain = _colour_mask(pixels, PAIN_COLOR)
    assert pain.sum() > 300
    height = pixels.shape[0]
    assert 0.3 * height < np.nonzero(pain)[0].mean() < 0.7 * height


def _band_rows(pixels: npt.NDArray[np.int16]) -> list[tuple[int, int]]:
    """(first row, rows) of each run of at least 3 rows of page 1's pain plot area (30-70 % of
    the height) that are mostly the MCID band's shade (BAND_COLOR at 30 % on white)."""
    height = pixels.shape[0]
    shade = np.round(255 - 0.3 * (255 - _rgb(BAND_COLOR))).astype(np.int16)
    banded = (np.abs(pixels - shade).max(axis=2) <= 8).mean(axis=1) > 0.3
    banded[: int(0.3 * height)] = False
    banded[int(0.7 * height) :] = False
    runs, start = [], None
    for row, on in enumerate([*banded, False]):
        if on and start is None:
            start = row
        elif not on and start is not None:
            if row - start >= 3:
                runs.append((start, row - start))
            start = None
    return runs


def test_real_pdf_page1_shades_the_mcid_band_around_the_pain_baseline(
    pdf_report: Path, tmp_path: Path
) -> None:
    """Page 1 of the real PDF shades baseline +- MCID behind the pain trend (a band tens of rows
    tall, split by the dashed baseline); without pain data there is no band there."""
    exe = _pdftoppm()
    pixels = _image(_rasterise_page1(exe, pdf_report))
    runs = _band_rows(pixels)
    assert sum(n for _, n in runs) > 0.05 * pixels.shape[0], runs
    assert len(runs) == 2, runs  # above and below the dashed baseline
    without = write_report(patient_data_from_mapping(_minimal()), tmp_path / "no-pain.pdf")
    assert _band_rows(_image(_rasterise_page1(exe, without))) == []


def _trend_patient(first: int, last: int) -> PatientData:
    """Six weeks of daily bird-dog logs whose resting pain moves linearly first -> last."""
    sessions = [
        make_log(n, before=round(first + (last - first) * n / 41), during=1, after=1).model_dump(
            mode="json"
        )
        for n in range(42)
    ]
    return patient_data_from_mapping(
        _minimal(schedule={"start": "2025-01-06", "sessions_per_week": 7}, sessions=sessions)
    )


def _left_line_row(exe: str, data: PatientData, out: Path) -> float:
    """Mean row (0 = top of page) of the pain-line pixels in the left third of page 1's pain
    plot, on the real PDF rasterised by pdftoppm (the legend sits at the right)."""
    pixels = _image(_rasterise_page1(exe, write_report(data, out)))
    height, width = pixels.shape[:2]
    pain = _colour_mask(pixels, PAIN_COLOR)
    pain[: int(0.3 * height)] = False  # the summary text above the plot
    pain[int(0.7 * height) :] = False  # the disability plot below it
    cols = np.nonzero(pain.any(axis=0))[0]
    assert cols.size > 0.5 * width * 0.84 * 0.5, "the pain line spans the plot"
    left = pain[:, : cols.min() + (cols.max() - cols.min()) // 3]
    return float(np.nonzero(left)[0].mean())


def test_real_pdf_page1_draws_the_direction_of_the_pain_trend(tmp_path: Path) -> None:
    """On page 1 of the real PDF the pain line starts high for a patient whose pain falls
    (8 -> 1) and low for one whose pain rises (1 -> 8): the image follows the data."""
    exe = _pdftoppm()
    falling = _left_line_row(exe, _trend_patient(8, 1), tmp_path / "falling.pdf")
    rising = _left_line_row(exe, _trend_patient(1, 8), tmp_path / "rising.pdf")
    height = _image(_rasterise_page1(exe, tmp_path / "falling.pdf")).shape[0]
    assert rising - falling > 0.05 * height  # pain 8 is drawn well above pain 1


def test_without_pain_data_the_colour_is_absent(tmp_path: Path) -> None:
    """Negative control: with no sessions and no NPRS, page 1 has no pain-line colour."""
    data = patient_data_from_mapping(_minimal())
    write_report(data, tmp_path / "r.pdf", debug=True)
    pixels = _image(tmp_path / PAGE1_PNG)
    assert _colour_mask(pixels, PAIN_COLOR).sum() < 20
    exe = shutil.which("pdftoppm")
    if exe is not None:
        pdf_pixels = _image(_rasterise_page1(exe, tmp_path / "r.pdf"))
        assert _colour_mask(pdf_pixels, PAIN_COLOR).sum() < 20


def test_no_png_without_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page-1 PNG is written only in debug mode (argument or environment variable)."""
    data = patient_data_from_mapping(_minimal())
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    write_report(data, tmp_path / "a.pdf")
    assert not (tmp_path / PAGE1_PNG).exists()
    monkeypatch.setenv(DEBUG_ENV, "1")
    write_report(data, tmp_path / "a.pdf")
    assert (tmp_path / PAGE1_PNG).exists()


# --- HTML ------------------------------------------------------------------------------------


def test_html_report_embeds_png_plots_and_the_summary(flaring: PatientData, tmp_path: Path) -> None:
    """A .html name writes one HTML file: summary, tables and 4 base64 PNG plots."""
    out = write_report(flaring, tmp_path / "report.html")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 4
    assert base64.b64decode(images[0]).startswith(b"\x89PNG")
    assert "Your pain score went from" in text
    assert "Adherence per week" in text
    assert not (tmp_path / "report.pdf").exists()


def test_other_suffix_is_refused(tmp_path: Path) -> None:
    """Only .pdf and .html reports."""
    with pytest.raises(ConfigError, match="pdf"):
        write_report(patient_data_from_mapping(_minimal()), tmp_path / "r.docx")


# --- summary ---------------------------------------------------------------------------------


def test_summary_for_an_improving_patient() -> None:
    """Plain words: pain and disability changes with their meaning, sessions done, zones."""
    summary = plain_summary(simulate_patient("improving", seed=1).data)
    text = " ".join(summary)
    assert "Your pain score went from" in text
    assert "clear improvement" in text
    assert "planned days" in text
    assert "green" in text
    assert summary[-1].startswith("This report is for information")


def test_summary_with_baseline_only() -> None:
    """Only a baseline: the summary says the next check will show the change."""
    text = " ".join(plain_summary(patient_data_from_mapping(_minimal())))
    assert "next check" in text


def test_summary_mentions_a_clinician_review() -> None:
    """Two red sessions in a row recently: the patient is told the clinician will review."""
    logs = [make_log(n, during=7).model_dump(mode="json") for n in (0, 1)]
    text = " ".join(plain_summary(patient_data_from_mapping(_minimal(sessions=logs))))
    assert "clinician has been asked to review" in text
    assert "2 difficult (red) sessions in a row" in text


def test_summary_small_change_is_not_overstated() -> None:
    """ODI 30 -> 25 is within the MCID: 'may not be a real change yet'."""
    data = patient_data_from_mapping(_minimal(follow_ups=[{"date": "2025-02-03", "odi": 25}]))
    assert "may not be a real change yet" in " ".join(plain_summary(data))


# --- PATIENT_DATA and the CLI entry ----------------------------------------------------------


def test_demo_example_is_the_simulated_patient_and_renders(tmp_path: Path) -> None:
    """The demo PATIENT_DATA equals simulate(flaring, seed 7) and report_from_file renders it."""
    assert load_patient_data(DEMO) == simulate_patient("flaring", seed=7).data
    out = report_from_file(DEMO, tmp_path / "demo.pdf")
    assert out.read_bytes().startswith(b"%PDF")


def test_bad_patient_data_names_the_field(tmp_path: Path) -> None:
    """A session pain of 12 is reported as sessions[0].pain_after."""
    raw = _minimal(sessions=[make_log(0).model_dump(mode="json")])
    raw["sessions"][0]["pain_after"] = 12
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(InvalidResponseError, match=r"sessions\[0\]\.pain_after"):
        report_from_file(path, tmp_path / "r.pdf")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"patient_ref": "Jane Doe"}, "patient_ref"),
        ({"schema_version": 2}, "schema_version"),
        ({"follow_ups": [{"date": "2025-01-01", "odi": 20}]}, r"follow_ups\[0\]\.date"),
        ({"baseline": {"date": "2025-01-06", "odi": 130}}, r"baseline\.odi"),
        ({"schedule": {"start": "2025-01-06", "sessions_per_week": 9}}, "sessions_per_week"),
        ({"endurance": [{"date": "2025-01-06", "flexor_s": -5}]}, r"endurance\[0\]\.flexor_s"),
        ({"rom": {"Lumbar Flexion": []}}, "rom"),
        ({"nickname": "x"}, "nickname"),
    ],
)
def test_patient_data_errors_name_the_field(changes: dict[str, Any], field: str) -> None:
    """Invalid PATIENT_DATA raises InvalidResponseError whose message names the field."""
    with pytest.raises(InvalidResponseError, match=field):
        patient_data_from_mapping(_minimal(**changes))


def test_duplicate_session_logs_are_refused() -> None:
    """One log per exercise per day."""
    log = make_log(0).model_dump(mode="json")
    with pytest.raises(InvalidResponseError, match="twice"):
        patient_data_from_mapping(_minimal(sessions=[log, log]))


def test_unreadable_or_invalid_json_files(tmp_path: Path) -> None:
    """A missing file and broken JSON (with line and column) raise InvalidResponseError."""
    with pytest.raises(InvalidResponseError, match="cannot read"):
        load_patient_data(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{\n "patient_ref": "P",\n}')
    with pytest.raises(InvalidResponseError, match="line 3"):
        load_patient_data(broken)
    listing = tmp_path / "list.json"
    listing.write_text("[]")
    with pytest.raises(InvalidResponseError, match="JSON object"):
        load_patient_data(listing)
