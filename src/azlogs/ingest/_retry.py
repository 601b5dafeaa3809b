"""Retry policy: which answers are retried, how long to wait, when to give up. Pure functions.

- 204 is success; any other answer is a failure (the Logs Ingestion API answers 204 and only 204).
- 408, 429 and every 5xx are retried, with or without ``Retry-After``; so are connection errors,
  timeouts and a token endpoint that failed transiently.
- 413 is answered by splitting the request in halves (see ``_flow``); 401 by one token refresh.
- 400, 403, 404 and every other status are permanent: the same request gets the same answer.
- The wait honours ``Retry-After`` (seconds or HTTP-date), then ``retry-after-ms``, then
  ``x-ms-retry-after-ms`` (azure-core's order), else exponential backoff with full jitter
  (uniform in ``[0, min(cap, base * 2**(attempt-1))]``).
- A request is not retried past ``max_attempts``, past ``max_elapsed`` seconds since its first
  attempt, or past the upload's deadline; a wait that would end past a limit is not started.
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime


class Verdict(enum.Enum):
    """What to do with one HTTP answer."""

    SUCCESS = "success"
    RETRY = "retry"
    SPLIT = "split"
    REAUTH = "reauth"
    PERMANENT = "permanent"


def classify_status(status: int) -> Verdict:
    """The verdict for an HTTP status from the ingestion endpoint."""
    if status == 204:
        return Verdict.SUCCESS
    if status in (408, 429) or 500 <= status <= 599:
        return Verdict.RETRY
    if status == 413:
        return Verdict.SPLIT
    if status == 401:
        return Verdict.REAUTH
    return Verdict.PERMANENT


@dataclass(frozen=True)
class RetryPolicy:
    """How retries are paced and bounded.

    Attributes:
        max_attempts: attempts per request, the first included.
        backoff_base: seconds; the first backoff window is ``[0, backoff_base]``.
        backoff_cap: seconds; no backoff window is wider than this.
        max_elapsed: seconds a request may spend in retries since its first attempt.
        retry_after_jitter: seconds of jitter added after a ``Retry-After`` wait, so that
            concurrent requests told to wait the same time do not return in one burst.
    """

    max_attempts: int = 10
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_elapsed: float = 300.0
    retry_after_jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base < 0 or self.backoff_cap < 0 or self.max_elapsed < 0:
            raise ValueError("backoff_base, backoff_cap and max_elapsed must not be negative")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the service asked to wait, or None when it did not say (or said it unreadably).

    Args:
        headers: response headers; keys are looked up in lower case, so pass a case-insensitive
            mapping (``httpx.Headers``) or lower-case keys.
        now: the current wall-clock time (epoch seconds), for an HTTP-date value.
    """
    value = headers.get("retry-after")
    if value:
        seconds = _number(value.strip())
        if seconds is None:
            try:
                when = parsedate_to_datetime(value.strip())
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None and when.tzinfo is not None:
                seconds = when.timestamp() - now
        if seconds is not None:
            return max(0.0, seconds)
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name)
        if value:
            millis = _number(value.strip())
            if millis is not None:
                return max(0.0, millis / 1000.0)
    return None


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Full-jitter exponential backoff after the ``attempt``-th failed attempt (1-based)."""
    exponent = min(attempt - 1, 62)  # 2**62 * base is far past any cap; avoid huge floats
    window = min(policy.backoff_cap, policy.backoff_base * (2.0**exponent))
    return rng.uniform(0.0, window)


@dataclass(frozen=True)
class GiveUp:
    """A retry that will not be made, and why (a phrase for the failure reason)."""

    why: str
    deadline: bool = False  # the upload's deadline (not this request's limits) is what stops it


def next_delay(
    policy: RetryPolicy,
    *,
    attempt: int,
    retry_after: float | None,
    now: float,
    started: float,
    deadline_at: float | None,
    rng: random.Random,
) -> float | GiveUp:
    """Seconds to wait before the next attempt, or GiveUp.

    Args:
        attempt: attempts made so far (1 after the first failure).
        retry_after: what the service asked for, if anything.
        now: monotonic clock now; ``started`` and ``deadline_at`` are on the same clock.
        started: when the request's first attempt was made.
        deadline_at: the upload's deadline, or None.
    """
    if attempt >= policy.max_attempts:
        return GiveUp(f"gave up after {attempt} attempts")
    if retry_after is not None:
        delay = retry_after + rng.uniform(0.0, policy.retry_after_jitter)
    else:
        delay = backoff_delay(policy, attempt, rng)
    limit = started + policy.max_elapsed
    which = f"the retry limit of {policy.max_elapsed:g} s per request"
    if deadline_at is not None and deadline_at < limit:
        limit, which = deadline_at, "the upload deadline"
    if now + delay > limit:
        asked = " as the service asked" if retry_after is not None else ""
        return GiveUp(
            f"gave up after {attempt} attempts: waiting {delay:.1f} s{asked} would pass {which}",
            deadline=limit == deadline_at,
        )
    return delay
