"""Request and response bodies of the API (kept apart from the ORM classes)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LoginRequest(BaseModel):
    """E-mail and password."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class UserRead(BaseModel):
    """The signed-in user."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    role: str
    clinic_id: int | None


class PatientRead(BaseModel):
    """A patient as shown to clinicians and to the patient."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    clinic_id: int
    ref: str
    display_name: str
    clinician_id: int | None
