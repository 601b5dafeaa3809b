"""Retry policy: verdicts per status, Retry-After parsing, backoff bounds, giving up."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from azlogs._http import RetryPolicy, backoff_delay, parse_retry_after
from azlogs.ingest._retry import Fault, GiveUp, Verdict, classify_answer, next_delay

NOW = 1_750_000_000.0


class TestVerdicts:
    @pytest.mark.parametrize(
        ("status", "verdict"),
        [
            (204, Verdict.SUCCESS),
            (200, Verdict.CONFIGURATION),
            (202, Verdict.CONFIGURATION),
            (301, Verdict.CONFIGURATION),
            (400, Verdict.REJECTED),
            (401, Verdict.REAUTH),
            (403, Verdict.CONFIGURATION),
            (404, Verdict.CONFIGURATION),
            (408, Verdict.RETRY),
            (409, Verdict.CONFIGURATION),
            (413, Verdict.SPLIT),
            (429, Verdict.RETRY),
            (500, Verdict.RETRY),
            (502, Verdict.RETRY),
            (503, Verdict.RETRY),
            (504, Verdict.RETRY),
            (599, Verdict.RETRY),
        ],
    )
    def test_status_verdict(self, status: int, verdict: Verdict) -> None:
        """Without an error code each status gets its documented verdict (204 only is success)."""
        assert classify_answer(status, None).verdict is verdict

    @pytest.mark.parametrize(
        ("status", "code", "fault"),
        [
            (400, "InvalidStream", Fault.STREAM),  # Azure (Go recording, 2024)
            (404, "InvalidStream", Fault.STREAM),  # the emulator before it answered 400
            (404, "NotFound", Fault.DCR),  # Azure (Python recording, 2023)
            (404, "DataCollectionRuleNotFound", Fault.DCR),
            (403, "OperationFailed", Fault.ROLE),
            (401, "InvalidAudience", Fault.TOKEN),
            (413, "ContentLengthLimitExceeded", Fault.SIZE),
            (429, None, Fault.TRANSIENT),
            (500, "OperationFailed", Fault.TRANSIENT),
            (400, "InvalidRequestBody", Fault.RECORDS),
            (400, "RecordsTimeRangeIsMoreThan30Minutes", Fault.RECORDS),
            (400, "UnsupportedApiVersion", Fault.REQUEST),
            (400, "TransformationFailed", Fault.TRANSFORM),
            (404, "EndpointNotFound", Fault.ENDPOINT),
            (404, "ResourceNotFound", Fault.DESTINATION),
            (404, None, Fault.ENDPOINT),
        ],
    )
    def test_code_decides_whose_fault(self, status: int, code: str | None, fault: Fault) -> None:
        """The error code, not the status alone, says what is wrong: a 400 InvalidStream is not the records'."""
        assert classify_answer(status, code) is fault

    def test_only_records_faults_are_rejected(self) -> None:
        """An unknown stream or DCR is a configuration error; a refused record is REJECTED."""
        assert classify_answer(400, "InvalidStream").verdict is Verdict.CONFIGURATION
        assert classify_answer(404, "NotFound").verdict is Verdict.CONFIGURATION
        assert classify_answer(400, "InvalidPayload").verdict is Verdict.REJECTED

    @pytest.mark.parametrize(
        ("code", "verdict"),
        [
            ("RecordTooLarge", Verdict.SPLIT),
            ("RecordInvalid", Verdict.REJECTED),
            ("NotSent", Verdict.RETRY),
            ("TransportError", Verdict.RETRY),
            ("AuthError", Verdict.RETRY),
            ("DeadlineExceeded", Verdict.RETRY),
        ],
    )
    def test_no_answer_reads_azlogs_codes(self, code: str, verdict: Verdict) -> None:
        """Without an answer (status None) azlogs's own FailedRecord codes decide."""
        assert classify_answer(None, code).verdict is verdict


class TestRetryAfter:
    def h(self, **items: str) -> httpx.Headers:
        return httpx.Headers({k.replace("_", "-"): v for k, v in items.items()})

    def test_seconds(self) -> None:
        """Retry-After in seconds (integer or decimal)."""
        assert parse_retry_after(self.h(Retry_After="7"), NOW) == 7.0
        assert parse_retry_after(self.h(Retry_After=" 1.5 "), NOW) == 1.5

    def test_http_date(self) -> None:
        """Retry-After as an HTTP-date is the time until that date."""
        when = datetime.fromtimestamp(NOW + 30, tz=timezone.utc)
        assert parse_retry_after(self.h(Retry_After=format_datetime(when, usegmt=True)), NOW) == 30.0

    def test_date_in_the_past_is_zero(self) -> None:
        """A date already passed means retry now, never a negative wait."""
        when = datetime.fromtimestamp(NOW - 30, tz=timezone.utc)
        assert parse_retry_after(self.h(Retry_After=format_datetime(when, usegmt=True)), NOW) == 0.0

    def test_milliseconds_headers(self) -> None:
        """retry-after-ms, then x-ms-retry-after-ms, in milliseconds."""
        assert parse_retry_after(self.h(retry_after_ms="250"), NOW) == 0.25
        assert parse_retry_after(self.h(x_ms_retry_after_ms="1500"), NOW) == 1.5
        assert parse_retry_after(self.h(retry_after_ms="100", x_ms_retry_after_ms="900"), NOW) == 0.1

    def test_retry_after_wins_over_ms(self) -> None:
        """Retry-After is read first (azure-core's order)."""
        assert parse_retry_after(self.h(Retry_After="2", retry_after_ms="100"), NOW) == 2.0

    @pytest.mark.parametrize("value", ["soon", "", "nan", "inf", "Mon, 99 Foo 2025"])
    def test_unreadable_is_none(self, value: str) -> None:
        """An unreadable value means 'not said': backoff applies."""
        assert parse_retry_after(self.h(Retry_After=value), NOW) is None

    def test_absent_is_none(self) -> None:
        """No header: None."""
        assert parse_retry_after(httpx.Headers(), NOW) is None


class TestBackoff:
    @given(st.integers(min_value=1, max_value=200), st.integers())
    def test_full_jitter_within_window(self, attempt: int, seed: int) -> None:
        """Backoff is within [0, min(cap, base * 2**(attempt-1))]."""
        policy = RetryPolicy(backoff_base=0.5, backoff_cap=30.0)
        delay = backoff_delay(policy, attempt, random.Random(seed))
        assert 0.0 <= delay <= min(30.0, 0.5 * 2 ** min(attempt - 1, 62))

    def test_windows_grow_then_cap(self) -> None:
        """Over many draws the largest delay per attempt doubles until the cap."""
        policy = RetryPolicy(backoff_base=1.0, backoff_cap=8.0)
        rng = random.Random(1)
        tops = [max(backoff_delay(policy, a, rng) for _ in range(2000)) for a in range(1, 7)]
        assert tops[0] <= 1.0 < tops[1] <= 2.0 < tops[2] <= 4.0 < tops[3] <= 8.0
        assert tops[4] <= 8.0 and tops[5] <= 8.0

    def test_policy_validation(self) -> None:
        """A policy with no attempts or negative times is refused."""
        with pytest.raises(ValueError, match="max_attempts"):
            RetryPolicy(max_attempts=0)
        with pytest.raises(ValueError, match="negative"):
            RetryPolicy(backoff_cap=-1)


class TestGivingUp:
    def call(self, policy: RetryPolicy, **kw: object) -> float | GiveUp:
        args: dict[str, object] = {
            "attempt": 1,
            "retry_after": None,
            "now": 100.0,
            "started": 100.0,
            "deadline_at": None,
            "rng": random.Random(0),
        }
        args.update(kw)
        return next_delay(policy, **args)  # type: ignore[arg-type]

    def test_attempts_exhausted(self) -> None:
        """No retry after max_attempts attempts."""
        result = self.call(RetryPolicy(max_attempts=3), attempt=3)
        assert isinstance(result, GiveUp) and "3 attempts" in result.why

    def test_retry_after_is_honoured_with_small_jitter(self) -> None:
        """The wait is what the service asked, plus at most retry_after_jitter."""
        result = self.call(RetryPolicy(retry_after_jitter=0.25), retry_after=12.0)
        assert isinstance(result, float) and 12.0 <= result <= 12.25

    def test_wait_past_max_elapsed_is_not_started(self) -> None:
        """A wait that would end past max_elapsed since the first attempt gives up."""
        result = self.call(RetryPolicy(max_elapsed=60.0), retry_after=30.0, now=140.0, started=100.0)
        assert isinstance(result, GiveUp) and "60 s per request" in result.why

    def test_wait_past_deadline_is_not_started(self) -> None:
        """A wait that would end past the upload deadline gives up, naming the deadline."""
        result = self.call(RetryPolicy(), retry_after=5.0, now=100.0, deadline_at=103.0)
        assert isinstance(result, GiveUp) and "upload deadline" in result.why
