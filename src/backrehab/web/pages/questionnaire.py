"""The questionnaire page, shared by clinicians (for a patient) and patients (for themselves):
show the form, and on submit score it or show it again with the item named and the answers kept.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backrehab.db.models import Patient
from backrehab.errors import BackrehabError, InvalidResponseError
from backrehab.web.pages.forms import instrument_form, questionnaire_answers
from backrehab.web.pages.render import redirect, render
from backrehab.web.services import assessments
from backrehab.web.services.actor import Actor


def check_instrument(instrument: str, allowed: Collection[str]) -> None:
    """Refuse an instrument not offered on this page (422 naming the choices)."""
    if instrument not in allowed:
        raise InvalidResponseError(
            f"questionnaire: {instrument!r} is not one of {', '.join(allowed)}"
        )


def form_page(
    request: Request,
    patient: Patient,
    instrument: str,
    *,
    action: str,
    back: str,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The questionnaire form (our own paraphrased items), optionally refilled with an error."""
    context = {
        "patient": patient,
        "q": instrument_form(instrument),
        "action": action,
        "back": back,
        "values": values or {},
        "error": error,
    }
    return render(request, "questionnaire.html", context, status)


async def submit(
    request: Request,
    session: Session,
    actor: Actor,
    patient: Patient,
    instrument: str,
    *,
    action: str,
    back: str,
    done: str,
) -> Response:
    """Score the submitted form and go to ``done`` with the score; on a bad answer show the
    form again (422) with nothing stored."""
    form = dict((await request.form()).items())
    try:
        result = assessments.score_questionnaire(
            session,
            actor,
            patient,
            instrument=instrument,
            answers=questionnaire_answers(instrument, form),
        )
    except BackrehabError as exc:
        session.rollback()
        return form_page(
            request, patient, instrument, action=action, back=back, values=form,
            error=exc.user_message, status=422,
        )  # fmt: skip
    return redirect(done, f"{instrument.upper()} scored: {result.get('score')}")
