"""Where spooled records go (routes.json), and where refused ones end up (the dead-letter directory).

A spool record carries only a short stream key. The key names a route: endpoint, DCR, stream and
identity. Routes are written durably *before* the first record with their key is spooled, and kept
while the spool may hold such records, so records spooled under an input that a reload removed
(or changed) are still delivered where they were meant to go.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from azlogs.agent._checkpoints import atomic_write
from azlogs.ingest.deadletter import encode_entry

# A dead-letter file is never written through a symlink planted in its place.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class Route:
    """A destination: a DCR stream on an endpoint, and the identity that sends to it."""

    key: str
    endpoint: str
    dcr: str
    stream: str
    source: str = "auto"
    client_id: str | None = None
    cloud: str | None = None  # None: AZURE_CLOUD, else the endpoint's host (azlogs.auth.clouds)

    @classmethod
    def make(
        cls,
        endpoint: str,
        dcr: str,
        stream: str,
        source: str,
        client_id: str | None,
        cloud: str | None = None,
    ) -> Route:
        """The route with its key derived from everything that decides the destination."""
        parts = [endpoint.rstrip("/"), dcr, stream, source, client_id or ""]
        if cloud:  # routes without a cloud keep the keys they had before clouds were configurable
            parts.append(cloud)
        text = "\n".join(parts)
        key = "r-" + hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
        return cls(key, endpoint, dcr, stream, source, client_id, cloud)

    @property
    def identity(self) -> str:
        """How the status names the identity: the source, and the client id if one is set."""
        return self.source + (f" (client id {self.client_id})" if self.client_id else "")


class RouteTable:
    """The durable map of stream keys to routes (``routes.json`` in the state directory)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        try:
            data = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            data = {}
        for key, value in (data.get("routes") or {}).items() if isinstance(data, dict) else []:
            try:
                self._routes[key] = Route(**value)
            except TypeError:
                continue

    def ensure(self, route: Route) -> None:
        """Make ``route`` durable before records with its key are spooled."""
        with self._lock:
            if self._routes.get(route.key) == route:
                return
            self._routes[route.key] = route
            self._write()

    def get(self, key: str) -> Route | None:
        """The route of stream key ``key``."""
        with self._lock:
            return self._routes.get(key)

    def all(self) -> list[Route]:
        """Every known route."""
        with self._lock:
            return list(self._routes.values())

    def prune(self, keep: set[str]) -> None:
        """Forget routes outside ``keep`` (keys still configured or with records in the spool)."""
        with self._lock:
            gone = set(self._routes) - keep
            if gone:
                for key in gone:
                    del self._routes[key]
                self._write()

    def _write(self) -> None:
        body = {"version": 1, "routes": {k: asdict(r) for k, r in sorted(self._routes.items())}}
        atomic_write(self.path, orjson.dumps(body, option=orjson.OPT_INDENT_2))


class DeadLetters:
    """NDJSON files of what could not be delivered, one per stream or input and day, fsynced per write.

    The entries are in the one dead-letter format of :mod:`azlogs.ingest.deadletter` (``azlogs send``
    writes the same), read back with :func:`azlogs.ingest.deadletter.read_dead_letters`.

    Args:
        directory: where the files go (created on first use, mode 0700).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self.written = 0

    def path(self, name: str, now: float | None = None) -> Path:
        """The file for ``name`` today."""
        day = time.strftime("%Y%m%d", time.gmtime(now if now is not None else time.time()))
        return self.directory / f"{name}-{day}.ndjson"

    def write(self, name: str, entries: list[dict[str, Any]]) -> Path:
        """Append ``entries`` durably (fsync) before the caller acks or checkpoints past them.

        Raises:
            OSError: the disk refused; the caller keeps the records (and retries later).
        """
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        data = b"".join(encode_entry({"time": stamp, **e}) + b"\n" for e in entries)
        path = self.path(name, now)
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(path, flags, 0o600)
            try:
                os.fchmod(fd, 0o600)  # whatever the umask, or the mode of a file left from before
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            self.written += len(entries)
        return path
