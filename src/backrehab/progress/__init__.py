"""Progress: session logs, the pain-monitoring decisions, outcomes, adherence and the report.

* :mod:`~backrehab.progress.logs` — :class:`SessionLog` (prescribed vs done, effort, pain,
  symptom location change) from typed entries or the camera coach (:func:`log_from_coach`).
* :mod:`~backrehab.progress.decisions` — the §6.2 green/amber/red zones and a
  :class:`Proposal` per exercise after each logged day; :class:`ProposalQueue` for clinician
  approval or auto-progression.
* :mod:`~backrehab.progress.outcomes` and :mod:`~backrehab.progress.adherence` — outcomes with
  clinically important change vs baseline, and sessions done vs planned.
* :mod:`~backrehab.progress.patient_data` — the PATIENT_DATA.json document.
* :mod:`~backrehab.progress.plan_link` — a plan's doses to log (:func:`prescribed_from_dose`),
  proposals on the plan's own ladders (:func:`propose_for_plan`), approved proposals applied to
  the plan history (:func:`apply_proposal`) and the plan's adherence schedule.
* :mod:`~backrehab.progress.report` — PDF/HTML report (imports matplotlib; import it directly).
* :mod:`~backrehab.progress.simulate` — synthetic patients for tests and demos.
"""

from backrehab.progress.adherence import AdherenceSummary, WeekAdherence, adherence, adherence_for
from backrehab.progress.decisions import (
    DEFAULT_DECISION_SETTINGS,
    Action,
    DecisionSettings,
    ExerciseTrack,
    LadderLike,
    Proposal,
    ProposalQueue,
    Reason,
    SessionAssessment,
    Status,
    Zone,
    assess_sessions,
    classify_zone,
    decide,
    propose,
    propose_day,
    weekly_trend,
)
from backrehab.progress.logs import (
    DoneSet,
    PrescribedDose,
    SessionLog,
    SymptomChange,
    check_logs,
    done_sets,
    log_from_coach,
    session_log_from_mapping,
    typed_log,
    with_next_morning,
)
from backrehab.progress.outcomes import (
    OutcomePoint,
    OutcomeTrend,
    endurance_ratio_series,
    mark_trend,
    outcome_trends,
    questionnaire_trends,
    rom_trends,
)
from backrehab.progress.patient_data import (
    EnduranceRecord,
    OutcomeRecord,
    PatientData,
    Schedule,
    SeriesPoint,
    dump_patient_data,
    load_patient_data,
    patient_data_from_mapping,
)
from backrehab.progress.plan_link import (
    apply_proposal,
    prescribed_from_dose,
    propose_for_plan,
    schedule_from_plan,
    track_for,
    tracks_for,
)

__all__ = [
    "DEFAULT_DECISION_SETTINGS",
    "Action",
    "AdherenceSummary",
    "DecisionSettings",
    "DoneSet",
    "EnduranceRecord",
    "ExerciseTrack",
    "LadderLike",
    "OutcomePoint",
    "OutcomeRecord",
    "OutcomeTrend",
    "PatientData",
    "PrescribedDose",
    "Proposal",
    "ProposalQueue",
    "Reason",
    "Schedule",
    "SeriesPoint",
    "SessionAssessment",
    "SessionLog",
    "Status",
    "SymptomChange",
    "WeekAdherence",
    "Zone",
    "adherence",
    "adherence_for",
    "apply_proposal",
    "assess_sessions",
    "check_logs",
    "classify_zone",
    "decide",
    "done_sets",
    "dump_patient_data",
    "endurance_ratio_series",
    "load_patient_data",
    "log_from_coach",
    "mark_trend",
    "outcome_trends",
    "patient_data_from_mapping",
    "prescribed_from_dose",
    "propose",
    "propose_day",
    "propose_for_plan",
    "questionnaire_trends",
    "rom_trends",
    "schedule_from_plan",
    "session_log_from_mapping",
    "track_for",
    "tracks_for",
    "typed_log",
    "weekly_trend",
    "with_next_morning",
]
