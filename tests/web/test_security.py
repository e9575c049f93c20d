"""Session tokens (user, session epoch, expiry; the earlier format refused) and the login rate
limiter: per (e-mail, IP), per IP across e-mails, and bounded memory."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from backrehab.web.security import (
    PER_CLIENT_FAILURES,
    AuthenticationError,
    CsrfError,
    LoginRateLimiter,
    RateLimitedError,
    TokenClaims,
    check_csrf,
    make_token,
    read_token,
)

KEY = b"k" * 32
NOW = 1_800_000_000.0


class _Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_email_is_limited_per_client_address() -> None:
    """After ``max_failures`` failures an e-mail is refused from that address only, until the
    window has passed; a success clears it."""
    clock = _Clock()
    limiter = LoginRateLimiter(3, clock=clock)
    for _ in range(3):
        limiter.check("Doc@A.test", "10.0.0.1")
        limiter.fail("doc@a.test ", "10.0.0.1")
    with pytest.raises(RateLimitedError, match="wait a minute"):
        limiter.check("doc@a.test", "10.0.0.1")
    limiter.check("doc@a.test", "10.0.0.2")
    clock.now += 61
    limiter.check("doc@a.test", "10.0.0.1")
    limiter.fail("doc@a.test", "10.0.0.1")
    limiter.reset("doc@a.test", "10.0.0.1")
    assert limiter.tracked()[0] == 0


def test_one_address_trying_many_emails_is_capped() -> None:
    """An address is refused after :data:`PER_CLIENT_FAILURES` failures across e-mails (each
    under its own limit), a success on one account does not lift that, other addresses are not
    affected, and the window's end does."""
    clock = _Clock()
    limiter = LoginRateLimiter(5, clock=clock)
    assert limiter.max_failures_per_client == PER_CLIENT_FAILURES == 20
    for n in range(PER_CLIENT_FAILURES):
        limiter.check(f"user{n}@a.test", "10.0.0.9")
        limiter.fail(f"user{n}@a.test", "10.0.0.9")
    limiter.reset("user0@a.test", "10.0.0.9")
    with pytest.raises(RateLimitedError, match="from your network"):
        limiter.check("someone.else@a.test", "10.0.0.9")
    limiter.check("someone.else@a.test", "10.0.0.10")
    clock.now += 30
    with pytest.raises(RateLimitedError):
        limiter.check("someone.else@a.test", "10.0.0.9")
    clock.now += 31
    limiter.check("someone.else@a.test", "10.0.0.9")


def test_the_cap_per_address_follows_a_higher_account_limit() -> None:
    """With a per-account limit above a quarter of the per-address default, the per-address
    cap is four times the per-account limit (it never refuses before the account limit would);
    it can also be set."""
    assert LoginRateLimiter(10).max_failures_per_client == 40
    assert LoginRateLimiter(5, max_failures_per_client=7).max_failures_per_client == 7


def test_expired_failures_are_forgotten() -> None:
    """Failures older than the window are dropped on the next call: memory does not grow with
    every address and e-mail ever seen."""
    clock = _Clock()
    limiter = LoginRateLimiter(5, clock=clock)
    for n in range(300):
        limiter.fail(f"user{n}@a.test", f"10.0.{n // 256}.{n % 256}")
    assert limiter.tracked() == (300, 300)
    clock.now += 30
    limiter.fail("late@a.test", "10.9.9.9")
    assert limiter.tracked() == (301, 301)
    clock.now += 31
    limiter.check("anyone@a.test", "10.0.0.1")
    assert limiter.tracked() == (1, 1), "only the failure of the last minute is kept"


def test_memory_is_bounded_within_the_window() -> None:
    """Within one window each table keeps at most ``max_keys`` keys (the longest quiet one is
    dropped first) and each key at most its limit of failure times."""
    clock = _Clock()
    limiter = LoginRateLimiter(3, max_keys=50, clock=clock)
    for n in range(500):
        limiter.fail(f"user{n}@a.test", f"10.1.{n // 256}.{n % 256}")
    assert limiter.tracked() == (50, 50)
    for _ in range(10):
        limiter.fail("user499@a.test", "10.1.1.243")
    with pytest.raises(RateLimitedError):
        limiter.check("user499@a.test", "10.1.1.243")
    limiter.check("user0@a.test", "10.1.0.0")  # dropped first: its failure is forgotten


def _signed(payload_text: str, key: bytes = KEY) -> str:
    payload = base64.urlsafe_b64encode(payload_text.encode("ascii")).rstrip(b"=").decode()
    mac = hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_a_token_carries_the_user_and_the_session_epoch() -> None:
    """A token reads back as its user id and session epoch until it expires; the payload is
    ``user id:epoch:expiry``."""
    token = make_token(KEY, 7, epoch=3, max_age_s=60, now=NOW)
    assert read_token(KEY, token, now=NOW + 59) == TokenClaims(user_id=7, epoch=3)
    assert token == _signed(f"7:3:{int(NOW) + 60}")
    with pytest.raises(AuthenticationError, match="expired"):
        read_token(KEY, token, now=NOW + 60)


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (_signed(f"7:{int(NOW) + 60}"), "malformed"),  # the earlier format, no epoch
        (_signed(f"7:x:{int(NOW) + 60}"), "malformed"),
        (_signed(f"7:1:2:{int(NOW) + 60}"), "malformed"),
        (_signed(f"7:3:{int(NOW) + 60}", key=b"other" * 8), "signature"),
        (_signed(f"7:3:{int(NOW) + 60}")[:-2] + "AA", "signature"),
        ("no-dot", "signature"),
        ("caf\u00e9.sig", "malformed"),  # not ASCII: refused before hmac would raise
        ("%%%.%%%", "signature"),
    ],
)
def test_bad_and_old_tokens_are_authentication_errors(token: str, detail: str) -> None:
    """A token of the earlier format, a malformed, tampered, foreign or non-ASCII one is an
    :class:`AuthenticationError` saying "Please sign in." (a 401), never another exception."""
    with pytest.raises(AuthenticationError, match="Please sign in") as refused:
        read_token(KEY, token, now=NOW)
    assert detail in refused.value.detail


@pytest.mark.parametrize(
    ("cookie", "sent"),
    [("abc", "abd"), ("abc", "äbc"), ("äbc", "äbc-other"), ("abc", ""), (None, "abc")],
)
def test_a_wrong_or_non_ascii_csrf_token_is_refused_not_a_crash(
    cookie: str | None, sent: str
) -> None:
    """CSRF tokens that differ, are empty or contain non-ASCII characters are a CsrfError."""
    with pytest.raises(CsrfError):
        check_csrf(cookie, sent)


def test_the_matching_csrf_token_passes() -> None:
    """The token sent equals the cookie's: no error (non-ASCII alike)."""
    check_csrf("tok-123", "tok-123")
    check_csrf("äbc", "äbc")
