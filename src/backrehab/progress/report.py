"""Progress report per patient, as PDF (or HTML), with plots and a plain-language summary.

Input: a :class:`~backrehab.progress.patient_data.PatientData` (``backrehab report
PATIENT_DATA.json --out report.pdf``). Output: a PDF whose page 1 holds the title, the summary
for the patient and the pain and disability trend with the MCID band shaded; later pages show
the outcome table and adherence per week, the endurance ratios and the ROM trend. With an
``.html`` suffix the same content is written as one HTML file with the plots embedded as PNG.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import os
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from backrehab.errors import ConfigError
from backrehab.progress.adherence import AdherenceSummary, adherence_for, iso_week
from backrehab.progress.decisions import (
    DEFAULT_DECISION_SETTINGS,
    DecisionSettings,
    SessionAssessment,
    assess_sessions,
)
from backrehab.progress.outcomes import (
    OutcomeTrend,
    endurance_ratio_series,
    outcome_trends,
    questionnaire_trends,
    rom_trends,
)
from backrehab.progress.patient_data import PatientData, load_patient_data

__all__ = [
    "BAND_COLOR",
    "DEBUG_ENV",
    "DISABILITY_COLOR",
    "PAGE1_PNG",
    "PAIN_COLOR",
    "ReportContent",
    "build_report",
    "plain_summary",
    "report_figures",
    "report_from_file",
    "weekly_pain",
    "write_report",
]

PAIN_COLOR: Final = "#d62728"
"""Colour of the pain trend line (page 1); used by the tests to find the line in the image."""
DISABILITY_COLOR: Final = "#1f77b4"
BAND_COLOR: Final = "#9e9e9e"
ZONE_COLORS: Final = {"green": "#2ca02c", "amber": "#ff9f1c", "red": "#8b0000"}
PAGE1_PNG: Final = "report_page1.png"
DEBUG_ENV: Final = "BACKREHAB_REPORT_DEBUG"
"""Set to 1 to also write page 1 as ``report_page1.png`` next to the report."""

A4: Final = (8.27, 11.69)
_DISCLAIMER: Final = (
    "This report is for information. It does not replace advice from your clinician, "
    "and it is not a diagnosis."
)


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, computed once."""

    data: PatientData
    summary: tuple[str, ...]
    trends: dict[str, OutcomeTrend]
    adherence: AdherenceSummary
    assessments: tuple[SessionAssessment, ...]
    weekly_pain: tuple[tuple[dt.date, float], ...]


def weekly_pain(data: PatientData) -> list[tuple[dt.date, float]]:
    """Mean pain before the sessions per ISO week (the day's highest ``pain_before``), dated
    on the week's Thursday."""
    daily: dict[dt.date, int] = {}
    for log in data.sessions:
        daily[log.date] = max(log.pain_before, daily.get(log.date, log.pain_before))
    weeks: dict[str, list[int]] = {}
    for day, value in daily.items():
        weeks.setdefault(iso_week(day), []).append(value)
    out = []
    for label, values in sorted(weeks.items()):
        thursday = dt.date.fromisoformat(f"{label}-4")
        out.append((thursday, sum(values) / len(values)))
    return out


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _day(day: dt.date, *, year: bool = False) -> str:
    """``6 Jan`` or ``6 Jan 2025``."""
    return f"{day.day} {day:%b}" + (f" {day.year}" if year else "")


def _change_sentence(trend: OutcomeTrend, what: str, scale: str) -> str | None:
    if len(trend.points) < 2:
        return (
            f"{what} was {_fmt(trend.baseline.value)}{scale} at the start "
            f"({_day(trend.baseline.date, year=True)}). Your next check will show how it changes."
        )
    first, last = trend.baseline, trend.latest
    mcid = _fmt(trend.mcid_abs) if trend.mcid_abs is not None else ""
    text = (
        f"{what} went from {_fmt(first.value)} to {_fmt(last.value)}{scale} between "
        f"{_day(first.date)} and {_day(last.date, year=True)}."
    )
    if last.mark == "improved":
        text += (
            " That is a clear improvement: bigger than the smallest change that matters to "
            f"people with back pain ({mcid} points)."
        )
    elif last.mark == "worsened":
        text += " That is a clear step back. Please talk to your clinician about it."
    elif last.mark == "no_important_change":
        text += f" The change is smaller than {mcid} points, so it may not be a real change yet."
    return text


def _review_triggers(
    assessments: Sequence[SessionAssessment], settings: DecisionSettings
) -> list[tuple[SessionAssessment, str]]:
    """Sessions that flag clinician review (§6.2): peripheralisation or consecutive reds."""
    out = []
    runs: dict[str, int] = {}
    for a in assessments:
        runs[a.exercise_id] = runs.get(a.exercise_id, 0) + 1 if a.zone == "red" else 0
        if a.symptom_change == "peripheralised":
            out.append((a, "your symptoms spread further down the leg"))
        elif runs[a.exercise_id] >= settings.reds_to_review:
            out.append((a, f"{runs[a.exercise_id]} difficult (red) sessions in a row"))
    return out


def plain_summary(
    data: PatientData,
    *,
    trends: dict[str, OutcomeTrend] | None = None,
    adherence: AdherenceSummary | None = None,
    assessments: Sequence[SessionAssessment] | None = None,
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> list[str]:
    """Short paragraphs for the patient, in plain words: pain, daily life, activities,
    sessions done, how the last two weeks went, any clinician review, and a disclaimer."""
    trends = questionnaire_trends(data) if trends is None else trends
    adherence = adherence_for(data) if adherence is None else adherence
    assessed = assess_sessions(data.sessions, settings) if assessments is None else assessments
    out = []
    if "nprs" in trends:
        sentence = _change_sentence(trends["nprs"], "Your pain score", " out of 10")
        if sentence:
            out.append(sentence)
    disability = trends.get("odi") or trends.get("rmdq")
    if disability is not None:
        scale = " %" if disability.measure == "odi" else " out of 24"
        sentence = _change_sentence(
            disability, "Your score for how much back pain gets in the way of daily life", scale
        )
        if sentence:
            out.append(sentence)
    if "psfs" in trends:
        sentence = _change_sentence(
            trends["psfs"],
            "Your rating of the activities you chose (higher is better)",
            " out of 10",
        )
        if sentence:
            out.append(sentence)
    if adherence.planned:
        pct = round(100 * (adherence.adherence or 0.0))
        text = f"You exercised on {adherence.done} of {adherence.planned} planned days ({pct} %)."
        if adherence.dose_completion is not None:
            text += (
                f" On those days you did {round(100 * adherence.dose_completion)} % of the "
                "planned amount."
            )
        if pct < 70:
            text += " Regular short sessions help more than doing a lot at once."
        out.append(text)
    if assessed:
        last_day = max(a.date for a in assessed)
        recent = [a for a in assessed if (last_day - a.date).days < 14]
        counts = {z: sum(a.zone == z for a in recent) for z in ("green", "amber", "red")}
        out.append(
            f"In the last two weeks, {counts['green']} exercise sessions were green (little or "
            f"no pain: ready to progress), {counts['amber']} amber (some pain: keep the same "
            f"level) and {counts['red']} red (too much pain, pain the next morning or rising "
            "pain: the exercise is made easier)."
        )
        triggers = [(a, why) for a, why in _review_triggers(assessed, settings) if a in recent]
        if triggers:
            a, why = triggers[-1]
            out.append(
                f"Your clinician has been asked to review your programme because {why} "
                f"(last on {_day(a.date)})."
            )
    out.append(_DISCLAIMER)
    return out


def build_report(
    data: PatientData, *, settings: DecisionSettings = DEFAULT_DECISION_SETTINGS
) -> ReportContent:
    """Compute the report's content (trends, adherence, zones, summary)."""
    trends = outcome_trends(data)
    adherence = adherence_for(data)
    assessments = tuple(assess_sessions(data.sessions, settings))
    summary = plain_summary(
        data, trends=trends, adherence=adherence, assessments=assessments, settings=settings
    )
    return ReportContent(
        data=data,
        summary=tuple(summary),
        trends=trends,
        adherence=adherence,
        assessments=assessments,
        weekly_pain=tuple(weekly_pain(data)),
    )


# ---------------------------------------------------------------------------------------------
# figures


_EPOCH: Final = dt.date(1970, 1, 1)


def _num(day: dt.date) -> float:
    """Days since 1970-01-01 (matplotlib's date number)."""
    return float((day - _EPOCH).days)


def _x(days: Iterable[dt.date]) -> list[float]:
    return [_num(d) for d in days]


def _date_axis(ax: Axes) -> None:
    """Date ticks on the 1st and 15th of each month (1st only beyond 8 months) over the data."""
    low, high = ax.dataLim.intervalx
    if not (math.isfinite(low) and math.isfinite(high)):
        return
    first = _EPOCH + dt.timedelta(days=math.floor(low))
    last = _EPOCH + dt.timedelta(days=math.ceil(high))
    days_of_month = (1,) if (last - first).days > 240 else (1, 15)
    ticks = []
    day = first
    while day <= last:
        if day.day in days_of_month:
            ticks.append(day)
        day += dt.timedelta(days=1)
    ax.set_xlim(low - 4, high + 4)
    ax.set_xticks(_x(ticks), [f"{d.day} {d:%b}" for d in ticks])
    ax.grid(True, color="#e0e0e0", linewidth=0.6)


def _band(ax: Axes, trend: OutcomeTrend, low: float, high: float) -> None:
    """Shade baseline ± MCID: changes inside the band are not clinically important."""
    if trend.mcid_abs is None:
        return
    base = trend.baseline.value
    ax.axhspan(
        max(low, base - trend.mcid_abs),
        min(high, base + trend.mcid_abs),
        color=BAND_COLOR,
        alpha=0.3,
        linewidth=0,
        label=f"Baseline ± MCID ({_fmt(trend.mcid_abs)}): no important change",
    )
    ax.axhline(base, color=BAND_COLOR, linewidth=0.8, linestyle="--")


def _mark_points(ax: Axes, trend: OutcomeTrend, color: str, label: str) -> None:
    days = _x(p.date for p in trend.points)
    values = [p.value for p in trend.points]
    ax.plot(days, values, color=color, marker="s", markersize=7, linewidth=1.2, label=label)
    for p in trend.points[1:]:
        if p.mark in ("improved", "worsened"):
            text = "MCID ✓" if p.mark == "improved" else "MCID ✗"
            ax.annotate(
                text,
                (_num(p.date), p.value),
                textcoords="offset points",
                xytext=(0, 9),
                ha="center",
                fontsize=8,
                color=color,
            )


def _page1(content: ReportContent) -> Figure:
    data = content.data
    fig = Figure(figsize=A4)
    fig.text(0.06, 0.965, "Back rehabilitation progress report", fontsize=17, weight="bold")
    first = data.schedule.start
    fig.text(
        0.06,
        0.94,
        f"Patient {data.patient_ref} · programme from {_day(first, year=True)} to "
        f"{_day(data.last_day, year=True)}",
        fontsize=10,
        color="#444444",
    )
    y = 0.915
    for paragraph in content.summary:
        wrapped = textwrap.fill(paragraph, width=100)
        fig.text(0.06, y, wrapped, fontsize=9, va="top")
        y -= 0.0135 * (wrapped.count("\n") + 1) + 0.008

    pain = fig.add_axes((0.1, 0.34, 0.84, max(0.18, min(0.34, y - 0.045 - 0.34))))
    nprs = content.trends.get("nprs")
    if nprs is not None:
        _band(pain, nprs, 0, 10)
    if content.weekly_pain:
        days = _x(d for d, _ in content.weekly_pain)
        values = [v for _, v in content.weekly_pain]
        pain.plot(
            days,
            values,
            color=PAIN_COLOR,
            linewidth=2.8,
            marker="o",
            markersize=4,
            label="Weekly mean pain before sessions",
        )
    if nprs is not None:
        _mark_points(pain, nprs, PAIN_COLOR, "Pain (NPRS) at assessment")
    pain.set_ylim(0, 10)
    pain.set_ylabel("Pain, 0-10")
    pain.set_title("Pain trend", loc="left", fontsize=11)
    _date_axis(pain)
    if pain.get_legend_handles_labels()[0]:
        pain.legend(fontsize=7, loc="upper right")
    else:
        pain.text(0.5, 0.5, "No pain scores recorded yet", ha="center", va="center")

    disability = content.trends.get("odi") or content.trends.get("rmdq")
    dis = fig.add_axes((0.1, 0.06, 0.84, 0.2))
    if disability is not None:
        top = 100 if disability.measure == "odi" else 24
        _band(dis, disability, 0, top)
        _mark_points(dis, disability, DISABILITY_COLOR, disability.label)
        dis.set_ylim(0, top)
        dis.set_ylabel("ODI %" if disability.measure == "odi" else "RMDQ, 0-24")
        dis.legend(fontsize=7, loc="upper right")
    else:
        dis.text(0.5, 0.5, "No disability questionnaire recorded", ha="center", va="center")
    dis.set_title("Disability trend", loc="left", fontsize=11)
    _date_axis(dis)
    return fig


def _page2(content: ReportContent) -> Figure:
    fig = Figure(figsize=A4)
    fig.text(0.06, 0.965, "Outcomes and adherence", fontsize=15, weight="bold")
    rows = []
    for trend in questionnaire_trends(content.data).values():
        last = trend.latest
        change = last.change
        rows.append(
            [
                trend.label,
                f"{_fmt(trend.baseline.value)} ({trend.baseline.date:%d %b})",
                f"{_fmt(last.value)} ({last.date:%d %b})" if len(trend.points) > 1 else "-",
                "-" if change is None else f"{change.delta:+.1f}",
                "-" if trend.mcid_abs is None else _fmt(trend.mcid_abs),
                last.mark.replace("_", " ") if len(trend.points) > 1 else "baseline only",
            ]
        )
    table_ax = fig.add_axes((0.06, 0.72, 0.88, 0.21))
    table_ax.axis("off")
    if rows:
        table = table_ax.table(
            cellText=rows,
            colLabels=["Measure", "Baseline", "Latest", "Better by", "MCID", "Change"],
            colWidths=[0.33, 0.16, 0.16, 0.1, 0.07, 0.18],
            loc="upper center",
            cellLoc="left",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        table.scale(1, 1.4)
    table_ax.set_title(
        "Questionnaires vs baseline ('Better by' is positive when better)", fontsize=10, loc="left"
    )

    weeks = content.adherence.weeks
    ax = fig.add_axes((0.1, 0.4, 0.8, 0.26))
    xs = list(range(len(weeks)))
    ax.bar(xs, [w.planned for w in weeks], color="white", edgecolor="#555555", label="Planned days")
    ax.bar(xs, [w.done for w in weeks], width=0.55, color=DISABILITY_COLOR, label="Days done")
    ax.set_xticks(xs, [w.week[-3:] for w in weeks], fontsize=7)
    ax.set_ylabel("Sessions (days)")
    overall = content.adherence.adherence
    ax.set_title(
        "Adherence per week" + ("" if overall is None else f" (overall {round(100 * overall)} %)"),
        loc="left",
        fontsize=11,
    )
    dose = ax.twinx()
    dose.plot(
        xs,
        [100 * w.dose_completion if w.dose_completion is not None else float("nan") for w in weeks],
        color="#ff7f0e",
        marker="o",
        label="Dose completion %",
    )
    dose.set_ylim(0, 105)
    dose.set_ylabel("Dose completion %")
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = dose.get_legend_handles_labels()
    ax.legend(handles + h2, labels + l2, fontsize=7, loc="lower left")

    zones = fig.add_axes((0.1, 0.07, 0.8, 0.22))
    index = {w.week: i for i, w in enumerate(weeks)}
    bottom = [0] * len(weeks)
    for zone, color in ZONE_COLORS.items():
        counts = [0] * len(weeks)
        for a in content.assessments:
            i = index.get(iso_week(a.date))
            if i is not None and a.zone == zone:
                counts[i] += 1
        zones.bar(xs, counts, bottom=bottom, color=color, label=zone)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    zones.set_ylim(0, max([*bottom, 1]) * 1.3)
    zones.set_xticks(xs, [w.week[-3:] for w in weeks], fontsize=7)
    zones.set_ylabel("Exercise sessions")
    zones.set_title("Session zones per week (§6.2 traffic light)", loc="left", fontsize=11)
    zones.legend(fontsize=7, loc="upper left", ncols=3)
    return fig


_RATIO_LABELS: Final = {
    "flex_ext": ("Flexor / extensor", "target ≤ 1.00"),
    "rl_sb": ("Right / left side bridge", "target 0.95-1.05"),
    "sb_ext_right": ("Right side bridge / extensor", "target ≤ 0.75"),
    "sb_ext_left": ("Left side bridge / extensor", "target ≤ 0.75"),
}


def _page3(content: ReportContent) -> Figure:
    fig = Figure(figsize=A4)
    fig.text(0.06, 0.965, "Trunk endurance (McGill battery)", fontsize=15, weight="bold")
    ratios = endurance_ratio_series(content.data)
    ax = fig.add_axes((0.1, 0.55, 0.84, 0.36))
    if ratios:
        for name, series in ratios.items():
            label, target = _RATIO_LABELS[name]
            ax.plot(
                _x(d for d, _ in series),
                [v for _, v in series],
                marker="o",
                label=f"{label} ({target})",
            )
        ax.axhline(1.0, color="#555555", linestyle="--", linewidth=0.8)
        ax.axhspan(0.95, 1.05, color=BAND_COLOR, alpha=0.2, linewidth=0)
        ax.axhline(0.75, color="#555555", linestyle=":", linewidth=0.8)
        ax.legend(fontsize=7, loc="best")
        _date_axis(ax)
    else:
        ax.text(0.5, 0.5, "No endurance tests recorded", ha="center", va="center")
    ax.set_ylabel("Ratio")
    ax.set_title("Endurance ratios (McGill targets)", loc="left", fontsize=11)

    times = fig.add_axes((0.1, 0.1, 0.84, 0.36))
    shown = False
    for key, trend in content.trends.items():
        if key.startswith("endurance."):
            times.plot(
                _x(p.date for p in trend.points),
                [p.value for p in trend.points],
                marker="o",
                label=trend.label,
            )
            shown = True
    if shown:
        times.legend(fontsize=7, loc="best")
        _date_axis(times)
    else:
        times.text(0.5, 0.5, "No endurance tests recorded", ha="center", va="center")
    times.set_ylabel("Hold time, s")
    times.set_title("Hold times", loc="left", fontsize=11)
    return fig


def _page4(content: ReportContent) -> Figure:
    fig = Figure(figsize=A4)
    fig.text(0.06, 0.965, "Range of motion and posture", fontsize=15, weight="bold")
    rom = fig.add_axes((0.1, 0.55, 0.84, 0.36))
    series = rom_trends(content.data)
    for trend in series.values():
        rom.plot(
            _x(p.date for p in trend.points),
            [p.value for p in trend.points],
            marker="o" if len(trend.points) < 30 else None,
            label=trend.label,
        )
    if series:
        rom.legend(fontsize=7, loc="best")
        _date_axis(rom)
    else:
        rom.text(0.5, 0.5, "No range-of-motion data recorded", ha="center", va="center")
    rom.set_ylabel("Degrees")
    rom.set_title("Range of motion (ROM) trend", loc="left", fontsize=11)

    posture = fig.add_axes((0.1, 0.1, 0.84, 0.36))
    shown = False
    for key, trend in content.trends.items():
        if key.startswith("posture."):
            posture.plot(
                _x(p.date for p in trend.points),
                [p.value for p in trend.points],
                marker="o",
                label=trend.label,
            )
            shown = True
    if shown:
        posture.legend(fontsize=7, loc="best")
        _date_axis(posture)
    else:
        posture.text(0.5, 0.5, "No posture metrics recorded", ha="center", va="center")
    posture.set_title("Posture metrics (camera proxies, trend only)", loc="left", fontsize=11)
    return fig


def report_figures(content: ReportContent) -> list[Figure]:
    """The report pages as matplotlib figures (A4 portrait), page 1 first."""
    return [_page1(content), _page2(content), _page3(content), _page4(content)]


# ---------------------------------------------------------------------------------------------
# output


def _png(fig: Figure, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(content: ReportContent, figures: Sequence[Figure]) -> str:
    data = content.data
    images = [base64.b64encode(_png(fig)).decode("ascii") for fig in figures]
    outcome_rows = []
    for trend in content.trends.values():
        for p in trend.points:
            delta = "" if p.change is None else f"{p.change.delta:+.1f}"
            outcome_rows.append(
                [trend.label, f"{p.date:%Y-%m-%d}", _fmt(p.value), delta, p.mark.replace("_", " ")]
            )
    adherence_rows = [
        [
            w.week,
            str(w.planned),
            str(w.done),
            "-" if w.adherence is None else f"{round(100 * w.adherence)} %",
            "-" if w.dose_completion is None else f"{round(100 * w.dose_completion)} %",
        ]
        for w in content.adherence.weeks
    ]
    summary = "".join(f"<p>{html.escape(p)}</p>" for p in content.summary)
    figs = "".join(
        f'<figure><img alt="report page {i + 1}" src="data:image/png;base64,{img}"></figure>'
        for i, img in enumerate(images)
    )
    title = f"Back rehabilitation progress report – {html.escape(data.patient_ref)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.2em .5em}}
img{{max-width:100%}}</style></head><body>
<h1>{title}</h1>
<p>Programme from {data.schedule.start:%d %b %Y} to {data.last_day:%d %b %Y}.</p>
<h2>Summary</h2>{summary}
<h2>Plots</h2>{figs}
<h2>Outcomes</h2>{_table(["Measure", "Date", "Value", "Better by", "Change"], outcome_rows)}
<h2>Adherence per week</h2>{
        _table(["Week", "Planned", "Done", "Adherence", "Dose completion"], adherence_rows)
    }
</body></html>
"""


def _debug_enabled(debug: bool | None) -> bool:
    if debug is not None:
        return debug
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")


def write_report(
    data: PatientData,
    out_path: Path | str,
    *,
    debug: bool | None = None,
    settings: DecisionSettings = DEFAULT_DECISION_SETTINGS,
) -> Path:
    """Write the progress report: PDF for ``.pdf``, one self-contained HTML file for ``.html``.

    With ``debug`` (or the environment variable ``BACKREHAB_REPORT_DEBUG=1``), page 1 is also
    saved as ``report_page1.png`` in the same folder.

    Raises
    ------
    ConfigError
        Another suffix.
    """
    out = Path(out_path)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise ConfigError(f"report: use a .pdf or .html file name, got {out.name!r}")
    content = build_report(data, settings=settings)
    figures = report_figures(content)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        metadata = {
            "Title": f"Back rehabilitation progress report {data.patient_ref}",
            "Creator": "backrehab",
        }
        with PdfPages(out, metadata=metadata) as pdf:
            for fig in figures:
                pdf.savefig(fig)
    else:
        out.write_text(_html(content, figures), encoding="utf-8")
    if _debug_enabled(debug):
        figures[0].savefig(out.with_name(PAGE1_PNG), format="png", dpi=100)
    return out


def report_from_file(
    patient_data: Path | str, out: Path | str, *, debug: bool | None = None
) -> Path:
    """``backrehab report PATIENT_DATA.json --out report.pdf``: load, validate, write.

    Raises
    ------
    InvalidResponseError
        The PATIENT_DATA file is missing or invalid (the message names the field).
    ConfigError
        ``out`` is neither .pdf nor .html.
    """
    return write_report(load_patient_data(patient_data), out, debug=debug)
