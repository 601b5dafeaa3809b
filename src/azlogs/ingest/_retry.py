"""Retry policy: what an answer means, how long to wait, when to give up. Pure functions.

The pacing shared with every client that retries (``RetryPolicy``, ``parse_retry_after``,
``backoff_delay``) is azlogs._http's; this module reads the ingestion endpoint's answers.

``classify_answer`` is the one reading of an answer of the ingestion endpoint, used by the sync and
async clients (through ``_flow``), the agent (on each ``FailedRecord``) and ``doctor``. It reads the
status and the error code (body ``error.code`` or ``x-ms-error-code``), because the status alone
does not say whose fault a refusal is: Azure answers an unknown stream with 400 ``InvalidStream``,
the status of a refused record.

- 204 is success; any other answer is a failure (the Logs Ingestion API answers 204 and only 204).
- 408, 429 and every 5xx are retried, with or without ``Retry-After``; so are connection errors,
  timeouts and a token endpoint that failed transiently.
- 413 is answered by splitting the request in halves (see ``_flow``); 401 by one token refresh.
- A 400 refuses the records (the same records get the same answer; others may pass), unless its
  code names the destination.
- Everything else is a configuration error: the stream, the DCR, the endpoint, the role or the
  token is wrong (404 ``NotFound``, 400 ``InvalidStream``, 403 ``OperationFailed``, a second 401,
  any other status). No record can land until it is fixed, and no record is to blame.
- The wait honours ``Retry-After`` (seconds or HTTP-date), then ``retry-after-ms``, then
  ``x-ms-retry-after-ms`` (azure-core's order), else exponential backoff with full jitter
  (uniform in ``[0, min(cap, base * 2**(attempt-1))]``).
- A request is not retried past ``max_attempts``, past ``max_elapsed`` seconds since its first
  attempt, or past the upload's deadline; a wait that would end past a limit is not started.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from typing import Final

from azlogs._http import RetryPolicy, backoff_delay
from azlogs.facts import CODE_DCR_NOT_FOUND, CODE_INVALID_STREAM
from azlogs.ingest._result import RECORD_INVALID, RECORD_TOO_LARGE


class Verdict(enum.Enum):
    """What to do with one HTTP answer."""

    SUCCESS = "success"
    RETRY = "retry"  # the same request later
    SPLIT = "split"  # too large: send the halves; a single record is refused
    REAUTH = "reauth"  # once with a fresh token; a second refusal is CONFIGURATION
    REJECTED = "rejected"  # these records are refused; other records may pass
    CONFIGURATION = "configuration"  # the destination is wrong: no record can land until it is fixed


class Fault(enum.Enum):
    """What an answer says is wrong, if anything: the part to fix."""

    NONE = "none"  # accepted
    TRANSIENT = "transient"  # throttled, unavailable, no answer: later
    SIZE = "size"  # the request (or one record) is over the size limit
    RECORDS = "records"  # the service refused the records themselves
    TOKEN = "token"  # the token was refused (audience, tenant, expiry)
    ROLE = "role"  # the identity may not ingest into the DCR (or the DCR is not bound to the endpoint)
    DCR = "dcr"  # no DCR with this immutable id at this endpoint
    STREAM = "stream"  # the DCR does not declare the stream
    DESTINATION = "destination"  # the DCR, the stream or the endpoint; the answer does not say which
    ENDPOINT = "endpoint"  # the URL does not serve the Logs Ingestion API
    REQUEST = "request"  # the request itself: api-version, encoding, method (the client's configuration)
    TRANSFORM = "transform"  # the DCR's transformKql cannot run

    @property
    def verdict(self) -> Verdict:
        """What the client does about it."""
        return _VERDICTS.get(self, Verdict.CONFIGURATION)


_VERDICTS: Final = {
    Fault.NONE: Verdict.SUCCESS,
    Fault.TRANSIENT: Verdict.RETRY,
    Fault.SIZE: Verdict.SPLIT,
    Fault.TOKEN: Verdict.REAUTH,
    Fault.RECORDS: Verdict.REJECTED,
}

# Codes that name the destination whatever the status. Azure's are in azlogs.facts (from its recorded
# sessions); the others are the emulator's words where Azure's are not recorded ([U], docs/ingestion.md),
# and "DataCollectionRuleNotFound" is the emulator's 404 code before it answered Azure's "NotFound".
_CODE_FAULTS: Final = {
    CODE_INVALID_STREAM: Fault.STREAM,
    CODE_DCR_NOT_FOUND: Fault.DCR,
    "DataCollectionRuleNotFound": Fault.DCR,
    "EndpointNotFound": Fault.ENDPOINT,
    "MissingApiVersionParameter": Fault.REQUEST,
    "UnsupportedApiVersion": Fault.REQUEST,
    "InvalidContentEncoding": Fault.REQUEST,
    "UnsupportedContentEncoding": Fault.REQUEST,
    "TransformationNotSupported": Fault.TRANSFORM,
    "TransformationFailed": Fault.TRANSFORM,
}


def classify_answer(status: int | None, code: str | None = None) -> Fault:
    """What an answer of the ingestion endpoint says is wrong; ``.verdict`` says what to do.

    Args:
        status: the HTTP status, or None when there was no answer (then ``code`` is azlogs's own
            ``FailedRecord.code``: ``RecordTooLarge`` and ``RecordInvalid`` are the records' fault,
            anything else is transient).
        code: the error code: the body's ``error.code``, else the ``x-ms-error-code`` header.
    """
    if status is None:
        if code == RECORD_TOO_LARGE:
            return Fault.SIZE
        return Fault.RECORDS if code == RECORD_INVALID else Fault.TRANSIENT
    if status == 204:
        return Fault.NONE
    if status in (408, 429) or 500 <= status <= 599:
        return Fault.TRANSIENT
    if status == 413:
        return Fault.SIZE
    if status == 401:
        return Fault.TOKEN
    if code in _CODE_FAULTS:
        return _CODE_FAULTS[code]
    if status == 403:
        return Fault.ROLE
    if status == 404:
        # Azure's answers carry a code; a 404 without one comes from something else at that URL.
        return Fault.DESTINATION if code else Fault.ENDPOINT
    if status == 400:
        return Fault.RECORDS
    if 200 <= status < 400:
        return Fault.ENDPOINT  # a proxy or portal, not the ingestion API
    return Fault.REQUEST


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
