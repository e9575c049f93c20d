"""The login rate limiter: per (e-mail, IP), per IP across e-mails, and bounded memory."""

from __future__ import annotations

import pytest

from backrehab.web.security import PER_CLIENT_FAILURES, LoginRateLimiter, RateLimitedError


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
