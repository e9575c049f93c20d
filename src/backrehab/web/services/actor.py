"""Who is acting: the signed-in user as the services and the audit log see them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from backrehab.db.models import User
from backrehab.db.repository import record_audit


@dataclass(frozen=True, slots=True)
class Actor:
    """A user acting on the clinic's data (``system`` jobs have no user id)."""

    email: str
    role: str
    user_id: int | None = None
    clinic_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        """The actor of a signed-in user."""
        return cls(email=user.email, role=user.role, user_id=user.id, clinic_id=user.clinic_id)

    @property
    def is_staff(self) -> bool:
        """A clinician or an admin."""
        return self.role in ("clinician", "admin")


SYSTEM = Actor(email="system", role="system")
"""The actor of background jobs and automatic steps (auto-progression)."""


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | str,
    **detail: object,
) -> None:
    """Append one audit entry for ``actor``."""
    record_audit(
        session,
        actor=actor.email,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail={k: v for k, v in detail.items() if v is not None},
    )
