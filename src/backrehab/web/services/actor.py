"""Who is acting: the signed-in user as the services and the audit log see them.

Entries written while the web app serves a request name its route (``detail.route``, e.g.
``GET /clinic``): the request's session carries it under :data:`ROUTE_INFO_KEY`.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

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

ROUTE_INFO_KEY: Final = "backrehab.audit_route"
"""Key of ``Session.info`` holding the route of the request the session serves."""


def local_operator() -> Actor:
    """The person running a server command (``backrehab clinic export``): their login and host,
    as ``cli:<user>@<host>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment nor the password database
        user = "unknown"
    return Actor(email=f"cli:{user}@{socket.gethostname()}"[:320], role="operator")


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | str,
    **detail: object,
) -> None:
    """Append one audit entry for ``actor`` (naming the request's route, if any)."""
    route = session.info.get(ROUTE_INFO_KEY)
    if route is not None:
        detail = {"route": route, **detail}
    record_audit(
        session,
        actor=actor.email,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail={k: v for k, v in detail.items() if v is not None},
    )


def audit_list_read(
    session: Session, actor: Actor, clinic_id: int, patient_ids: Sequence[int], **detail: object
) -> None:
    """One entry for a read of a list of the clinic's patients (the patient list, the
    dashboard): entity ``clinic``, naming the patients shown (``patient_ids``) and their count."""
    audit(
        session,
        actor,
        "read_list",
        "clinic",
        clinic_id,
        patient_ids=list(patient_ids),
        count=len(patient_ids),
        **detail,
    )
