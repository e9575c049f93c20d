"""HTTP statuses of the project's errors (one table for the API, the pages and the sockets)."""

from __future__ import annotations

from backrehab.db.repository import NotFoundError
from backrehab.errors import BackrehabError, ConflictError, MediaTooLargeError
from backrehab.web.security import (
    AuthenticationError,
    CsrfError,
    PermissionDeniedError,
    RateLimitedError,
)

STATUS: tuple[tuple[type[BackrehabError], int], ...] = (
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (CsrfError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (MediaTooLargeError, 413),
    (RateLimitedError, 429),
)
"""HTTP status of each error class; any other project error is a 422."""


def status_for(exc: BackrehabError) -> int:
    """The HTTP status of a project error (422 unless listed in :data:`STATUS`)."""
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 422)
