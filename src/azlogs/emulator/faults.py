"""Fault injection per endpoint group, switchable at run time through ``/_emulator/faults``.

A rule applies to one endpoint group (``imds``, ``arc``, ``appservice``, ``automation``, ``entra``,
``arm``, ``graph``, ``ingestion``, ``query`` or ``*``) and does one of: answer a status code (429/500/503/410/...,
with an optional ``Retry-After``), delay the real answer, hang (hold the request until the client
gives up or the delay ends), or reset (start the answer and drop the connection). It fires for the
next ``count`` matching requests, or for a ``fraction`` of them, or both.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from azlogs._exceptions import UsageError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

GROUPS = ("imds", "arc", "appservice", "automation", "entra", "arm", "graph", "ingestion", "query", "*")
_GUID_PATH = re.compile(r"^/[0-9a-fA-F-]{36}/")


def endpoint_group(path: str) -> str | None:
    """Which endpoint group a request path belongs to (None for the emulator's own endpoints)."""
    if path.startswith("/_emulator"):
        return None
    if path.startswith("/metadata/"):
        return "imds"
    if path.startswith("/arc/"):
        return "arc"
    if path.startswith("/appservice/"):
        return "appservice"
    if path.startswith("/automation/"):
        return "automation"
    if path.startswith("/subscriptions/") or path.startswith("/providers/"):
        return "arm"
    if path.startswith(("/v1.0/", "/beta/")):
        return "graph"
    if path.startswith(("/dce/", "/dcr/", "/ods/")):
        return "ingestion"
    if path.startswith(("/query/", "/v1/")):  # the query API under /query and at the origin
        return "query"
    if _GUID_PATH.match(path) or path.startswith(("/common/", "/organizations/", "/aks/")):
        return "entra"
    return None


@dataclass
class FaultRule:
    """One injected fault; see the module docstring."""

    endpoint: str
    status: int | None = None
    count: int | None = None
    fraction: float | None = None
    delay: float = 0.0
    hang: bool = False
    reset: bool = False
    retry_after: float | None = None
    id: int = 0
    fired: int = field(default=0)

    def validate(self) -> None:
        if self.endpoint not in GROUPS:
            raise UsageError(f"unknown endpoint group {self.endpoint!r}; one of {', '.join(GROUPS)}")
        if self.status is None and not (self.delay or self.hang or self.reset):
            raise UsageError("a fault needs a status, a delay, hang or reset")
        if self.fraction is not None and not 0.0 < self.fraction <= 1.0:
            raise UsageError("fraction must be in (0, 1]")
        if self.count is not None and self.count < 1:
            raise UsageError("count must be at least 1")


class FaultRegistry:
    """Thread-safe set of fault rules."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._next = 1
        self._random = random.Random()

    def add(self, rule: FaultRule) -> FaultRule:
        rule.validate()
        with self._lock:
            rule.id = self._next
            self._next += 1
            self._rules.append(rule)
        return rule

    def clear(self, endpoint: str | None = None) -> int:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if endpoint is not None and r.endpoint != endpoint]
            return before - len(self._rules)

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(r) for r in self._rules]

    def pick(self, group: str) -> FaultRule | None:
        """The rule that fires for this request, consuming one of its count."""
        with self._lock:
            for rule in self._rules:
                if rule.endpoint not in (group, "*"):
                    continue
                if rule.fraction is not None and self._random.random() >= rule.fraction:
                    continue
                rule.fired += 1
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                return rule
        return None


class _Reset(Exception):
    """Raised after the response has started, so the server drops the connection."""


class FaultMiddleware:
    """ASGI middleware that applies the registry's rules before the real endpoint runs."""

    def __init__(self, app: ASGIApp, registry: FaultRegistry) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        group = endpoint_group(scope["path"])
        rule = self.registry.pick(group) if group else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.hang:
            await asyncio.sleep(rule.delay or 3600.0)
        elif rule.delay:
            await asyncio.sleep(rule.delay)
        if rule.reset:
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]}
            )
            raise _Reset("injected connection reset")
        if rule.status is None:
            await self.app(scope, receive, send)
            return
        body = orjson.dumps(
            {
                "error": {
                    "code": "InjectedFault",
                    "message": f"Fault injected by the azlogs emulator (rule {rule.id}).",
                }
            }
        )
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if rule.retry_after is not None:
            headers.append((b"retry-after", str(int(rule.retry_after)).encode()))
        await send({"type": "http.response.start", "status": rule.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
