"""Signed session tokens (HMAC-SHA256, with expiry) and an in-memory login rate limiter.

A token is ``<base64url payload>.<base64url signature>``; the payload is ``<user id>:<session
epoch>:<expiry, unix seconds>``. The epoch is the user's ``session_epoch`` when the token was made:
signing out (or any other end of the user's sessions) increments it, so every token made before
is refused by :func:`backrehab.web.deps.user_for_token` although its signature and expiry are
good. Tokens of the earlier ``<user id>:<expiry>`` form are refused as malformed.

The limiter counts failed logins over a sliding minute per (e-mail, client IP), and per client
IP across e-mails (one address trying many accounts), in bounded memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Final, NamedTuple

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


class TokenClaims(NamedTuple):
    """What a valid session token says: whose it is and the session epoch it was made in."""

    user_id: int
    epoch: int


def make_token(
    key: bytes, user_id: int, *, epoch: int, max_age_s: int, now: float | None = None
) -> str:
    """A signed token for ``user_id`` in session epoch ``epoch``, valid for ``max_age_s``
    seconds."""
    expires = int((time.time() if now is None else now) + max_age_s)
    payload = _b64(f"{user_id}:{epoch}:{expires}".encode("ascii"))
    return f"{payload}.{_sign(key, payload)}"


def read_token(key: bytes, token: str, *, now: float | None = None) -> TokenClaims:
    """The claims of a valid token; :class:`AuthenticationError` if tampered, malformed (the
    earlier format without an epoch included) or expired.

    Whether the epoch is still the user's current one needs the database: see
    :func:`backrehab.web.deps.user_for_token`.
    """
    if not token.isascii():  # a token is ASCII; hmac and the signature need it to be
        raise AuthenticationError("Please sign in.", detail="malformed token")
    payload, _, signature = token.partition(".")
    if not payload or not signature or not hmac.compare_digest(signature, _sign(key, payload)):
        raise AuthenticationError("Please sign in.", detail="bad token signature")
    try:
        user_text, epoch_text, expires_text = _unb64(payload).decode("ascii").split(":")
        user_id, epoch, expires = int(user_text), int(epoch_text), int(expires_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AuthenticationError("Please sign in.", detail="malformed token") from exc
    if (time.time() if now is None else now) >= expires:
        raise AuthenticationError("Your session has expired; please sign in again.")
    return TokenClaims(user_id, epoch)


PER_CLIENT_FAILURES: Final = 20
"""Failed logins a client IP may make in the window across all e-mails (at least; see
:class:`LoginRateLimiter`)."""
MAX_TRACKED_KEYS: Final = 10_000
"""Keys (e-mail and IP pairs, or IPs) kept per table; past it the longest quiet one is dropped."""


class _FailureWindow:
    """Failure times per key in the last ``window_s`` seconds. Keys are kept least recently
    failed first, so expired ones are pruned from the front and memory stays bounded (at most
    ``max_keys`` keys of at most ``limit`` times each)."""

    def __init__(self, limit: int, window_s: float, max_keys: int) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    def prune(self, now: float) -> None:
        """Drop the keys whose last failure is out of the window."""
        cutoff = now - self.window_s
        while self._times:
            key, times = next(iter(self._times.items()))
            if times and times[-1] > cutoff:
                break
            del self._times[key]

    def count(self, key: str, now: float) -> int:
        """Failures of ``key`` in the window."""
        times = self._times.get(key)
        if times is None:
            return 0
        cutoff = now - self.window_s
        while times and times[0] <= cutoff:
            times.popleft()
        return len(times)

    def add(self, key: str, now: float) -> None:
        """One failure of ``key`` now (the longest quiet key goes when the table is full)."""
        times = self._times.get(key)
        if times is None:
            times = self._times[key] = deque(maxlen=self.limit)
        else:
            self._times.move_to_end(key)
        times.append(now)
        while len(self._times) > self.max_keys:
            self._times.popitem(last=False)

    def forget(self, key: str) -> None:
        """Drop the failures of ``key``."""
        self._times.pop(key, None)

    def __len__(self) -> int:
        return len(self._times)


class LoginRateLimiter:
    """Failed logins over the last ``window_s`` seconds (thread-safe, in memory): at most
    ``max_failures`` per (e-mail, client IP), and ``max_failures_per_client`` per client IP
    across e-mails (default: :data:`PER_CLIENT_FAILURES`, or four times ``max_failures`` if that
    is more). A successful login clears its (e-mail, IP) count, never the IP's: signing in to
    one account does not buy more guesses at others. Expired entries are pruned on every call
    and each table holds at most ``max_keys`` keys."""

    def __init__(
        self,
        max_failures: int,
        *,
        max_failures_per_client: int | None = None,
        window_s: float = 60.0,
        max_keys: int = MAX_TRACKED_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.max_failures_per_client = (
            max_failures_per_client
            if max_failures_per_client is not None
            else max(PER_CLIENT_FAILURES, 4 * max_failures)
        )
        self.window_s = window_s
        self._clock = clock
        self._accounts = _FailureWindow(max_failures, window_s, max_keys)
        self._clients = _FailureWindow(self.max_failures_per_client, window_s, max_keys)
        self._lock = threading.Lock()

    @staticmethod
    def _key(email: str, client: str) -> str:
        return f"{email.strip().lower()}|{client}"

    def _now(self) -> float:
        now = self._clock()
        self._accounts.prune(now)
        self._clients.prune(now)
        return now

    def check(self, email: str, client: str) -> None:
        """Raise :class:`RateLimitedError` when the e-mail from this client, or the client, is
        at its limit."""
        with self._lock:
            now = self._now()
            if self._clients.count(client, now) >= self.max_failures_per_client:
                raise RateLimitedError(
                    "Too many failed sign-in attempts from your network; wait a minute."
                )
            if self._accounts.count(self._key(email, client), now) >= self.max_failures:
                raise RateLimitedError("Too many failed sign-in attempts; wait a minute.")

    def fail(self, email: str, client: str) -> None:
        """Count one failure of the e-mail from this client."""
        with self._lock:
            now = self._now()
            self._accounts.add(self._key(email, client), now)
            self._clients.add(client, now)

    def reset(self, email: str, client: str) -> None:
        """Forget the failures of the e-mail from this client (after a successful login)."""
        with self._lock:
            self._accounts.forget(self._key(email, client))

    def tracked(self) -> tuple[int, int]:
        """How many (e-mail, IP) keys and IPs are held (memory use, for tests and monitoring)."""
        with self._lock:
            return len(self._accounts), len(self._clients)


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
    """Raise :class:`CsrfError` unless ``sent`` equals the cookie's token (compared as UTF-8
    bytes in constant time: a non-ASCII value is a mismatch, never a crash)."""
    if (
        not cookie_value
        or not sent
        or not hmac.compare_digest(
            cookie_value.encode("utf-8", "surrogateescape"), sent.encode("utf-8", "surrogateescape")
        )
    ):
        raise CsrfError(
            "This form has expired or did not come from this site; reload the page and try again."
        )
