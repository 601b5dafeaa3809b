"""In-process agent fixtures: a recording ingestion endpoint on httpx.MockTransport, a fake credential,
a config writer, and a helper that runs an Agent in a thread. Nothing patches agent internals."""

from __future__ import annotations

import base64
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from azure.core.credentials import AccessToken

from azlogs.agent import Agent, load_config

ENDPOINT = "https://dce.test.ingest.monitor.azure.com"
DCR = "dcr-0123456789abcdef0123456789abcdef"
STREAM = "Custom-T"


def make_jwt(claims: dict[str, Any]) -> str:
    """A JWT-shaped (unsigned) token carrying ``claims``."""

    def seg(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(obj)).rstrip(b"=").decode()

    return f"{seg({'alg': 'RS256'})}.{seg(claims)}.c2ln"


class FakeCredential:
    """get_token only; tokens live an hour."""

    def __init__(self) -> None:
        self.calls = 0

    def get_token(self, *scopes: str, **kw: Any) -> AccessToken:
        self.calls += 1
        exp = int(time.time()) + 3600
        return AccessToken(make_jwt({"oid": "oid-1", "appid": "app-1", "exp": exp}), exp)


def credentials(source: str, client_id: str | None) -> tuple[Any, str, str]:
    """The factory the agent uses in these tests: a fake credential, named like the real source."""
    return FakeCredential(), "vm" if source == "auto" else source, "test credential"


class Sink:
    """The ingestion endpoint: records every accepted record; ``decide`` picks the answer."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.requests = 0
        self.lock = threading.Lock()
        self.decide: Callable[[list[dict[str, Any]]], httpx.Response | None] = lambda records: None

    def handler(self, request: httpx.Request) -> httpx.Response:
        records = orjson.loads(gzip.decompress(request.content))
        with self.lock:
            self.requests += 1
        answer = self.decide(records)
        if answer is not None:
            return answer
        with self.lock:
            self.records.extend(records)
        return httpx.Response(204)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def values(self, key: str) -> list[Any]:
        with self.lock:
            return [r.get(key) for r in self.records]


def write_config(tmp_path: Path, inputs: str, extra: str = "") -> Path:
    """An agent config with fast timings for tests, and ``inputs`` appended."""
    path = tmp_path / "agent.toml"
    path.write_text(
        f"""
[agent]
state_dir = "state"
drain_timeout = 5
status_interval = 0.05
{extra}

[sender]
workers = 2
upload_timeout = 5
backoff_initial = 0.05
backoff_max = 0.2

[spool]
max_size = "16MiB"
segment_size = "1MiB"
block_timeout = 0.5

[defaults]
endpoint = "{ENDPOINT}"
dcr = "{DCR}"
stream = "{STREAM}"
id_column = "AzlogsId"
poll_interval = 0.02
glob_interval = 0.05
rotate_wait = 0.2

{inputs}
"""
    )
    return path


class Running:
    """An Agent running ``run()`` in a thread."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.code: int | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.code = self.agent.run()

    def start(self) -> Running:
        self.agent.start()
        self.thread.start()
        return self

    def stop(self, timeout: float = 30) -> int | None:
        self.agent.request_stop()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the agent did not stop"
        return self.code

    def status(self) -> dict[str, Any]:
        return self.agent.stats.snapshot()


def wait_for(cond: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Poll ``cond`` until true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def sink() -> Sink:
    """A fresh recording endpoint."""
    return Sink()


@pytest.fixture
def run_agent(sink: Sink) -> Iterator[Callable[..., Running]]:
    """Start agents for a config path; every agent still running at the end is stopped."""
    started: list[Running] = []

    def start(config: Path, **kw: Any) -> Running:
        kw.setdefault("transport", sink.transport())
        kw.setdefault("credentials", credentials)
        agent = Agent(load_config(config, env={}), **kw)
        running = Running(agent).start()
        started.append(running)
        return running

    yield start
    for r in started:
        if r.thread.is_alive():
            r.stop()
