"""The life of one batch, written once for both faces: a generator that yields actions.

``batch_flow`` yields ``Send`` (get a token, gzip, POST once) and ``Sleep`` actions and receives the
driver's ``Answer`` or ``Failure`` for each ``Send``; it returns a ``BatchReport``. The sync client
drives it in a worker thread, the async client in a task; neither repeats any retry logic (the same
shape as httpx's ``Auth.auth_flow``).

Every record of the batch ends in exactly one place: sent (204), or in ``BatchReport.failures``.
After a 413 (or a gzip body over the limit) the records are split in halves, the first half sent
before the second, so order within the batch is kept; a single record that is still refused fails.
An answer that says the destination is wrong (an unknown stream or DCR, a missing role, a refused
token: ``Verdict.CONFIGURATION``) fails the batch and stops the upload (``BatchReport.stop``), since
no later request could land either; the records not sent are reported, never dropped.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field

from azlogs._exceptions import AuthError, AzlogsError, DeadlineExceeded, NotSentError, OversizeBody
from azlogs._http import RetryPolicy, parse_retry_after
from azlogs.auth import Token
from azlogs.ingest._batching import Batch
from azlogs.ingest._diagnose import Target, diagnose, read_answer
from azlogs.ingest._result import (
    AUTH_FAILED,
    DEADLINE_EXCEEDED,
    NOT_SENT,
    RECORD_TOO_LARGE,
    TRANSPORT_FAILED,
)
from azlogs.ingest._retry import GiveUp, Verdict, classify_answer, next_delay


@dataclass(slots=True)
class Send:
    """Action: send ``batch`` once. ``rejected`` is the token a 401 refused: use a fresh one."""

    batch: Batch
    rejected: Token | None = None


@dataclass(slots=True)
class Sleep:
    """Action: wait this many seconds before the next ``Send``."""

    seconds: float


@dataclass(slots=True)
class Answer:
    """The service answered."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    body_size: int
    gzip_size: int
    token: Token | None


@dataclass(slots=True)
class Failure:
    """No answer: a TransportError, an AuthError from the credential, or (``oversize``) a gzip body
    over the limit that was not sent."""

    error: AzlogsError
    oversize: bool = False


Action = Send | Sleep
Reply = Answer | Failure


@dataclass
class FlowContext:
    """What a flow needs besides its batch: where, how to retry, which clocks."""

    target: Target
    policy: RetryPolicy
    clock: Callable[[], float]  # monotonic: backoff and deadlines
    wall: Callable[[], float]  # epoch: HTTP-date Retry-After
    rng: random.Random
    deadline_at: float | None = None


@dataclass(slots=True)
class BatchFailure:
    """Records of one request that did not land, and the error that says why."""

    batch: Batch
    error: AzlogsError
    status: int | None
    code: str | None


@dataclass
class BatchReport:
    """What happened to one batch."""

    sent: int = 0
    bytes_sent: int = 0
    bytes_gzip: int = 0
    requests: int = 0
    retries: int = 0
    splits: int = 0
    failures: list[BatchFailure] = field(default_factory=list)
    stop: str | None = None  # set when no later batch can succeed either (no token, deadline, destination)


def _annotate(error: AzlogsError, why: str) -> AzlogsError:
    error.message = f"{error.message}; {why}"
    error.args = (error.message,)
    return error


def batch_flow(batch: Batch, ctx: FlowContext) -> Generator[Action, Reply | None, BatchReport]:
    """Send one batch to the end: success, or every record accounted for as failed."""
    report = BatchReport()
    todo = [batch]
    while todo:
        part = todo.pop()
        if report.stop is not None:
            report.failures.append(
                BatchFailure(part, NotSentError(f"not sent: {report.stop}"), None, NOT_SENT)
            )
            continue
        yield from _part_flow(part, ctx, report, todo)
    return report


def _split(part: Batch, report: BatchReport, todo: list[Batch]) -> None:
    first, second = part.halves()
    report.splits += 1
    todo.append(second)
    todo.append(first)  # popped first: order kept


def _part_flow(
    part: Batch, ctx: FlowContext, report: BatchReport, todo: list[Batch]
) -> Generator[Action, Reply | None, None]:
    started = ctx.clock()
    attempt = 0
    rejected: Token | None = None
    reauthed = False
    while True:
        if ctx.deadline_at is not None and ctx.clock() >= ctx.deadline_at:
            report.stop = "the upload deadline passed"
            err = DeadlineExceeded("not sent: the upload deadline passed before this request could be made")
            report.failures.append(BatchFailure(part, err, None, DEADLINE_EXCEEDED))
            return
        attempt += 1
        reply = yield Send(part, rejected)
        rejected = None
        if reply is None:  # a driver bug; fail loudly rather than lose the batch
            raise RuntimeError("batch_flow expects an Answer or Failure after Send")
        if isinstance(reply, Failure):
            error = reply.error
            if reply.oversize:
                if len(part) > 1:
                    _split(part, report, todo)
                    return
                report.failures.append(BatchFailure(part, error, None, RECORD_TOO_LARGE))
                return
            is_auth = isinstance(error, AuthError)
            if not is_auth:
                report.requests += 1
            code = AUTH_FAILED if is_auth else TRANSPORT_FAILED
            if error.retryable:
                delay = next_delay(
                    ctx.policy,
                    attempt=attempt,
                    retry_after=None,
                    now=ctx.clock(),
                    started=started,
                    deadline_at=ctx.deadline_at,
                    rng=ctx.rng,
                )
                if not isinstance(delay, GiveUp):
                    report.retries += 1
                    yield Sleep(delay)
                    continue
                error = _annotate(error, delay.why)
                if delay.deadline:
                    report.stop = "the upload deadline would pass before the next retry"
            if is_auth:
                report.stop = f"no token for the ingestion endpoint: {error}"  # with its fix
            report.failures.append(BatchFailure(part, error, None, code))
            return

        report.requests += 1
        answer = read_answer(reply.status, reply.headers, reply.content)
        verdict = classify_answer(answer.status, answer.code).verdict
        if verdict is Verdict.SUCCESS:
            report.sent += len(part)
            report.bytes_sent += reply.body_size
            report.bytes_gzip += reply.gzip_size
            return
        if verdict is Verdict.SPLIT and len(part) > 1:
            _split(part, report, todo)
            return
        if verdict is Verdict.REAUTH and not reauthed:
            reauthed = True
            rejected = reply.token
            report.retries += 1
            continue
        claims = reply.token.claims if reply.token is not None else None
        if verdict is Verdict.RETRY:
            delay = next_delay(
                ctx.policy,
                attempt=attempt,
                retry_after=parse_retry_after(reply.headers, ctx.wall()),
                now=ctx.clock(),
                started=started,
                deadline_at=ctx.deadline_at,
                rng=ctx.rng,
            )
            if not isinstance(delay, GiveUp):
                report.retries += 1
                yield Sleep(delay)
                continue
            failed: AzlogsError = _annotate(diagnose(answer, ctx.target, claims), delay.why)
            if delay.deadline:
                report.stop = "the upload deadline would pass before the next retry"
        else:
            failed = diagnose(answer, ctx.target, claims)
            if verdict in (Verdict.CONFIGURATION, Verdict.REAUTH):
                # The stream, DCR, role or token is wrong: every later request would be refused the
                # same way, and no record is to blame. Stop; the records not sent are reported.
                report.stop = f"the destination refused the request: {failed.message}"
        report.failures.append(BatchFailure(part, failed, reply.status, answer.code))
        return


def oversize_failure(gzip_size: int, limit: int) -> Failure:
    """The reply for a gzip body over the wire limit (sent to nobody; the flow splits the batch)."""
    error = OversizeBody(
        f"the record is {gzip_size:,} bytes even gzipped, over the {limit:,}-byte request limit",
        hint="shorten the record (it barely compresses)",
    )
    return Failure(error, oversize=True)
