"""Test doubles for the ingest unit tests: a fake credential, a fake clock, and a recording sink
that plugs into httpx.MockTransport. Nothing here patches azlogs internals."""

from __future__ import annotations

import base64
import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import ClientAuthenticationError
from hypothesis import strategies as st

from tests.unit import azure_answers as azure

ENDPOINT = "https://my-dce-abcd.eastus-1.ingest.monitor.azure.com"
RULE_ID = "dcr-0123456789abcdef0123456789abcdef"
STREAM = "Custom-MyTable_CL"
OID = "5f0c2b3a-1111-4222-8333-944445555666"


def make_jwt(claims: dict[str, Any]) -> str:
    """A JWT-shaped string with these claims (unsigned: the client never verifies)."""

    def seg(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(obj)).rstrip(b"=").decode()

    return f"{seg({'alg': 'RS256', 'typ': 'JWT'})}.{seg(claims)}.c2lnbmF0dXJl"


class FakeCredential:
    """A TokenCredential (get_token only) that counts calls and can fail its first calls."""

    def __init__(
        self,
        *,
        lifetime: float = 3600.0,
        oid: str = OID,
        fail_first: int = 0,
        now: Callable[[], float] = time.time,
        error: Exception | None = None,
        delay: float = 0.0,
    ) -> None:
        self.lifetime = lifetime
        self.oid = oid
        self.fail_first = fail_first
        self.now = now
        self.error = error
        self.delay = delay
        self.calls = 0
        self.scopes: list[tuple[str, ...]] = []
        self.issued: list[str] = []
        self._lock = threading.Lock()

    def _next(self, scopes: tuple[str, ...]) -> tuple[str, int]:
        if self.delay:
            time.sleep(self.delay)  # lets concurrent callers pile up on the single flight
        with self._lock:
            self.calls += 1
            self.scopes.append(scopes)
            if self.calls <= self.fail_first:
                raise self.error or ClientAuthenticationError("token endpoint answered 503")
            token = make_jwt({"oid": self.oid, "aud": "https://monitor.azure.com", "n": self.calls})
            self.issued.append(token)
            return token, int(self.now() + self.lifetime)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        token, expires = self._next(scopes)
        return AccessToken(token, expires)


class FakeInfoCredential(FakeCredential):
    """A credential with get_token_info, which reports refresh_on."""

    def __init__(self, *, refresh_in: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refresh_in = refresh_in

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        token, expires = self._next(scopes)
        refresh_on = int(self.now() + self.refresh_in) if self.refresh_in is not None else None
        return AccessTokenInfo(token, expires, refresh_on=refresh_on)


class FakeAsyncCredential(FakeCredential):
    """An AsyncTokenCredential."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:  # type: ignore[override]
        token, expires = self._next(scopes)
        return AccessToken(token, expires)

    async def close(self) -> None:
        return None


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


Responder = Callable[["Sink", httpx.Request, list[Any]], "httpx.Response | Exception | None"]


@dataclass
class Sink:
    """A fake ingestion endpoint: decodes each request, asks ``respond`` what to answer (None
    means 204), and keeps the records of accepted requests in arrival order."""

    respond: Responder | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    accepted: list[Any] = field(default_factory=list)
    accepted_batches: list[list[Any]] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    hold: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        raw = gzip.decompress(request.content)
        records = orjson.loads(raw)
        with self._lock:
            self.requests.append(request)
            self.bodies.append(raw)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            if self.hold is not None:
                self.hold()
            answer = self.respond(self, request, records) if self.respond else None
            if isinstance(answer, Exception):
                raise answer
            if answer is None:
                answer = httpx.Response(204)
            if answer.status_code == 204:
                with self._lock:
                    self.accepted.extend(records)
                    self.accepted_batches.append(records)
            return answer
        finally:
            with self._lock:
                self.in_flight -= 1

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def error_json(code: str, message: str) -> bytes:
    """The service's error body shape."""
    return orjson.dumps({"error": {"code": code, "message": message}})


# What Azure answers for a destination that is wrong (tests/unit/azure_answers.py), the code it
# carries, and what the diagnosis must name.
CONFIGURATION_ANSWERS = [
    pytest.param(
        lambda: azure.invalid_stream(STREAM, RULE_ID),
        "InvalidStream",
        [f"the stream '{STREAM}' is not declared in DCR {RULE_ID}", "streamDeclarations"],
        id="400-InvalidStream",
    ),
    pytest.param(
        lambda: azure.dcr_not_found(RULE_ID),
        "NotFound",
        [f"DCR {RULE_ID} is not known at this endpoint", "immutable id"],
        id="404-NotFound",
    ),
    pytest.param(
        lambda: azure.forbidden(RULE_ID, OID),
        "OperationFailed",
        [
            f"may not ingest into DCR {RULE_ID}",
            f"Monitoring Metrics Publisher role on the DCR to principal {OID}",
        ],
        id="403-OperationFailed",
    ),
    pytest.param(
        azure.unauthorized, None, ["refused the token", "https://monitor.azure.com/.default"], id="401"
    ),
]


def collect_records(errors: list[Any]) -> list[int]:
    """The "i" of every record handed back through on_error, sorted."""
    return sorted(orjson.loads(raw)["i"] for e in errors for raw in e.records)


def make_client(
    sink: Sink,
    credential: Any | None = None,
    clock: FakeClock | None = None,
    **kwargs: Any,
) -> Any:
    """A LogsClient wired to ``sink`` through httpx.MockTransport, with a fake clock."""
    from azlogs.ingest import LogsClient

    clock = clock or FakeClock()
    kwargs.setdefault("seed", 7)
    return LogsClient(
        ENDPOINT,
        RULE_ID,
        credential if credential is not None else FakeCredential(),
        transport=sink.transport(),
        clock=clock,
        sleep=clock.sleep,
        **kwargs,
    )


def records(n: int, pad: int = 20) -> list[dict[str, Any]]:
    """n small records numbered by "i"."""
    return [{"i": i, "p": "r" * pad} for i in range(n)]


# Random workloads for the property tests of both faces.
LIMIT = 700
SERVICE_LIMIT = 450  # the fake service refuses bodies over this with 413: exercises splitting

# What the fake service does with a request, drawn per request in order.
OUTCOMES = st.sampled_from(
    ["ok", "ok", "ok", "429", "429-ra", "503", "500", "408", "400", "401", "connect", "timeout"]
)


def poison(i: int) -> dict[str, Any]:
    return {"i": i, "bad": object()}


@st.composite
def workloads(draw: st.DrawFn) -> tuple[list[Any], list[str], int]:
    sizes = draw(st.lists(st.integers(min_value=0, max_value=LIMIT + 50) | st.just(-1), max_size=80))
    recs: list[Any] = [poison(i) if n < 0 else {"i": i, "p": "q" * n} for i, n in enumerate(sizes)]
    outcomes = draw(st.lists(OUTCOMES, max_size=40))
    concurrency = draw(st.sampled_from([1, 3]))
    return recs, outcomes, concurrency


def responder(outcomes: list[str]) -> Any:
    lock = threading.Lock()
    script = list(outcomes)

    def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response | Exception | None:
        if len(sink.bodies[-1]) > SERVICE_LIMIT and len(recs) > 1:
            return httpx.Response(413, content=error_json("ContentLengthLimitExceeded", "too large"))
        with lock:
            what = script.pop(0) if script else "ok"
        return {
            "ok": None,
            "429": httpx.Response(429),
            "429-ra": httpx.Response(429, headers={"Retry-After": "3"}),
            "503": httpx.Response(503),
            "500": httpx.Response(500),
            "408": httpx.Response(408),
            "400": httpx.Response(400, content=error_json("InvalidPayload", "bad")),
            "401": httpx.Response(401),
            "connect": httpx.ConnectError("refused"),
            "timeout": httpx.ConnectTimeout("timed out"),
        }[what]

    return respond
