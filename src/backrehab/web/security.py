"""Signed session tokens (HMAC-SHA256, with expiry) and an in-memory login rate limiter.

A token is ``<base64url payload>.<base64url signature>``; the payload is ``<user id>:<expiry, unix
seconds>``. The limiter counts failed logins per (e-mail, client IP) over a sliding minute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from backrehab.errors import BackrehabError


class AuthenticationError(BackrehabError):
    """No valid session, or wrong credentials (HTTP 401)."""


class PermissionDeniedError(BackrehabError, PermissionError):
    """The signed-in user's role may not do this (HTTP 403)."""


class RateLimitedError(BackrehabError):
    """Too many failed attempts (HTTP 429)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def make_token(key: bytes, user_id: int, *, max_age_s: int, now: float | None = None) -> str:
    """A signed token for ``user_id`` valid for ``max_age_s`` seconds."""
    expires = int((time.time() if now is None else now) + max_age_s)
    payload = _b64(f"{user_id}:{expires}".encode("ascii"))
    return f"{payload}.{_sign(key, payload)}"


def read_token(key: bytes, token: str, *, now: float | None = None) -> int:
    """The user id of a valid token; :class:`AuthenticationError` if tampered or expired."""
    payload, _, signature = token.partition(".")
    if not payload or not signature or not hmac.compare_digest(signature, _sign(key, payload)):
        raise AuthenticationError("Please sign in.", detail="bad token signature")
    try:
        user_text, expires_text = _unb64(payload).decode("ascii").split(":")
        user_id, expires = int(user_text), int(expires_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AuthenticationError("Please sign in.", detail="malformed token") from exc
    if (time.time() if now is None else now) >= expires:
        raise AuthenticationError("Your session has expired; please sign in again.")
    return user_id


class LoginRateLimiter:
    """Failed logins per key over the last ``window_s`` seconds (thread-safe, in memory)."""

    def __init__(
        self,
        max_failures: int,
        *,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        times = self._failures[key]
        cutoff = self._clock() - self.window_s
        while times and times[0] <= cutoff:
            times.popleft()
        return times

    def check(self, key: str) -> None:
        """Raise :class:`RateLimitedError` when ``key`` is at the limit."""
        with self._lock:
            if len(self._recent(key)) >= self.max_failures:
                raise RateLimitedError("Too many failed sign-in attempts; wait a minute.")

    def fail(self, key: str) -> None:
        """Count one failure for ``key``."""
        with self._lock:
            self._recent(key).append(self._clock())

    def reset(self, key: str) -> None:
        """Forget the failures of ``key`` (after a successful login)."""
        with self._lock:
            self._failures.pop(key, None)


# --- CSRF: double-submit token ---------------------------------------------------------------

CSRF_COOKIE = "backrehab_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class CsrfError(BackrehabError):
    """A state-changing request without the page's CSRF token (HTTP 403)."""


def new_csrf_token() -> str:
    """A fresh random token (set as a cookie and echoed by every form and HTMX request)."""
    return secrets.token_urlsafe(32)


def check_csrf(cookie_value: str | None, sent: str | None) -> None:
    """Raise :class:`CsrfError` unless ``sent`` equals the cookie's token."""
    if not cookie_value or not sent or not hmac.compare_digest(cookie_value, sent):
        raise CsrfError(
            "This form has expired or did not come from this site; reload the page and try again."
        )
