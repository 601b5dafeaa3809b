"""The agent's counters, its status document (status.json, ``/status``) and Prometheus metrics.

Counts are since the agent started; the spool's own counters (pending, corrupt records skipped)
come from :meth:`azlogs.spool.Spool.stats`. Nothing here ever holds a token: identities show the
token's source, expiry and identifying claims only.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from azlogs.spool import Spool, SpoolStats


@dataclass
class InputStats:
    """Counters of one input."""

    name: str
    type: str
    stream_key: str
    lines_read: int = 0
    bytes_read: int = 0
    records_in: int = 0
    """Records appended to the spool."""
    bad_lines: int = 0
    """Lines that could not be parsed (in the dead-letter directory)."""
    long_lines: int = 0
    rotations: int = 0
    truncations: int = 0
    symlinks_skipped: int = 0
    """Matched paths that are symlinks, not read (``follow_symlinks`` is false)."""
    checkpoint_errors: int = 0
    blocked: str | None = None
    """Why the input is waiting (spool full, disk full), or None."""
    last_error: str | None = None
    finished: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)
    listen: str | None = None
    """http and data-collector inputs: the address senders post to."""
    requests: int = 0
    """http and data-collector inputs: requests answered."""
    refused: int = 0
    """http and data-collector inputs: requests answered with another status than 200."""
    connections: int = 0
    """syslog and cef inputs over TCP/TLS: connections open now."""
    udp_dropped: int = 0
    """syslog and cef inputs over UDP: datagrams the kernel dropped because the socket's buffer was full."""


@dataclass
class StreamStats:
    """Counters of one destination (endpoint, DCR, stream, identity)."""

    key: str
    stream: str
    endpoint: str
    dcr: str
    identity: str
    records_sent: int = 0
    bytes_sent: int = 0
    requests: int = 0
    retried: int = 0
    """Records sent again after a retryable failure (by the client or by the agent)."""
    dead_lettered: int = 0
    bisections: int = 0
    last_error: str | None = None
    last_error_at: float | None = None
    last_sent_at: float | None = None


class Stats:
    """Every counter of a running agent; thread-safe through one lock."""

    def __init__(self, config_path: str, state_dir: str) -> None:
        self.lock = threading.Lock()
        self.config_path = config_path
        self.state_dir = state_dir
        self.started = time.time()
        self.state = "starting"
        self.inputs: dict[str, InputStats] = {}
        self.streams: dict[str, StreamStats] = {}
        self.errors: collections.deque[dict[str, Any]] = collections.deque(maxlen=20)
        self.spool: Spool | None = None
        self.identities: Callable[[], list[dict[str, Any]]] = list
        self.reloads = 0
        self._last_spool: SpoolStats | None = None

    def error(self, where: str, message: str) -> None:
        """Remember a recent error for the status (the log has them all)."""
        with self.lock:
            self.errors.append({"time": _iso(time.time()), "where": where, "error": message})

    def stream(self, key: str) -> StreamStats | None:
        """The counters of stream key ``key``."""
        return self.streams.get(key)

    def snapshot(self) -> dict[str, Any]:
        """The status document: totals, per input, per stream, spool, identities."""
        spool = self.spool
        sp = spool.stats() if spool is not None and not spool.closed else self._last_spool
        self._last_spool = sp  # after close, the last figures stay in the final status
        with self.lock:
            inputs = {n: asdict(i) for n, i in self.inputs.items()}
            streams = {k: asdict(s) for k, s in self.streams.items()}
            errors = list(self.errors)
        pending = sp.pending_by_stream if sp is not None else {}
        for key, s in streams.items():
            s["pending"] = pending.get(key, 0)
            for stamp in ("last_error_at", "last_sent_at"):
                s[stamp] = _iso(s[stamp]) if s[stamp] else None
        spool_doc: dict[str, Any] | None = None
        if sp is not None:
            spool_doc = {
                "path": sp.path,
                "records_pending": sp.records_pending,
                "bytes_pending": sp.bytes_pending,
                "records_leased": sp.records_leased,
                "records_recovered": sp.records_recovered,
                "segments": sp.segments,
                "disk_bytes": sp.disk_bytes,
                "max_bytes": sp.max_bytes,
                "corrupt_records": sp.corrupt_records,
                "corrupt_bytes": sp.corrupt_bytes,
                "torn_tails": sp.torn_tails,
                "lost_unknown": sp.lost_unknown,
                "damaged_files": sp.damaged_files,
                "foreign_files": sp.foreign_files,
                "append_errors": sp.append_errors,
                "ack_write_errors": sp.ack_write_errors,
                "full_waits": sp.full_waits,
                "problems": [str(p) for p in sp.problems[-10:]],
                "problems_total": len(sp.problems),
            }
        totals = {
            "records_in": sum(i["records_in"] for i in inputs.values()),
            "bad_lines": sum(i["bad_lines"] for i in inputs.values()),
            "spooled": sp.records_pending if sp is not None else None,
            "sent": sum(s["records_sent"] for s in streams.values()),
            "retried": sum(s["retried"] for s in streams.values()),
            "dead_lettered": sum(s["dead_lettered"] for s in streams.values()),
            "corrupt_skipped": sp.corrupt_records if sp is not None else None,
        }
        now = time.time()
        return {
            "pid": os.getpid(),
            "state": self.state,
            "config": self.config_path,
            "state_dir": self.state_dir,
            "started": _iso(self.started),
            "updated": _iso(now),
            "updated_epoch": now,
            "uptime_seconds": round(now - self.started, 1),
            "reloads": self.reloads,
            "totals": totals,
            "inputs": inputs,
            "streams": streams,
            "spool": spool_doc,
            "identities": self.identities(),
            "recent_errors": errors,
        }


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _label(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def prometheus(doc: dict[str, Any]) -> str:
    """The status document in the Prometheus text exposition format (version 0.0.4)."""
    out: list[str] = []

    def metric(name: str, kind: str, help_text: str, rows: list[tuple[dict[str, Any], Any]]) -> None:
        out.append(f"# HELP azlogs_agent_{name} {help_text}")
        out.append(f"# TYPE azlogs_agent_{name} {kind}")
        for labels, value in rows:
            if value is None:
                continue
            text = ",".join(f"{k}={_label(v)}" for k, v in labels.items())
            out.append(
                f"azlogs_agent_{name}{{{text}}} {float(value):g}"
                if text
                else f"azlogs_agent_{name} {float(value):g}"
            )

    inputs = doc["inputs"]
    streams = doc["streams"]
    for key, kind, text in (
        ("requests", "counter", "Requests an http or data-collector input answered."),
        (
            "refused",
            "counter",
            "Requests an http or data-collector input answered with another status than 200.",
        ),
        ("lines_read", "counter", "Lines read by the input."),
        ("bytes_read", "counter", "Bytes read by the input."),
        ("records_in", "counter", "Records the input appended to the spool."),
        ("bad_lines", "counter", "Lines that could not be parsed (dead-lettered)."),
        ("rotations", "counter", "Rotations (rename, delete, copytruncate) seen."),
        ("udp_dropped", "counter", "UDP datagrams the kernel dropped (socket buffer full)."),
        ("connections", "gauge", "TCP/TLS connections open now."),
    ):
        metric(
            f"input_{key}_total" if kind == "counter" else f"input_{key}",
            kind,
            text,
            [({"input": n}, i[key]) for n, i in inputs.items()],
        )
    metric(
        "input_blocked",
        "gauge",
        "1 while the input waits for the spool (full, or disk full).",
        [({"input": n}, 1 if i["blocked"] else 0) for n, i in inputs.items()],
    )
    for key, text in (
        ("records_sent", "Records the service accepted (204)."),
        ("requests", "Ingestion requests made."),
        ("retried", "Records sent again after a retryable failure."),
        ("dead_lettered", "Records the service refused, written to the dead-letter directory."),
    ):
        metric(
            f"stream_{key}_total",
            "counter",
            text,
            [({"stream": s["stream"], "key": k}, s[key]) for k, s in streams.items()],
        )
    metric(
        "stream_pending",
        "gauge",
        "Records spooled and not yet delivered.",
        [({"stream": s["stream"], "key": k}, s["pending"]) for k, s in streams.items()],
    )
    spool = doc.get("spool") or {}
    for key, kind, text in (
        ("records_pending", "gauge", "Records in the spool not yet acknowledged."),
        ("bytes_pending", "gauge", "Payload bytes in the spool not yet acknowledged."),
        ("disk_bytes", "gauge", "Bytes of spool segments on disk."),
        ("max_bytes", "gauge", "The spool's size limit."),
        ("corrupt_records", "counter", "Corrupt spool records skipped."),
        ("torn_tails", "counter", "Torn spool tails truncated at recovery."),
        ("lost_unknown", "counter", "Spool segments that lost an unknown number of records."),
        ("foreign_files", "gauge", "Files in the spool directory the spool does not use."),
        ("append_errors", "counter", "Spool appends that failed (disk full, I/O error)."),
    ):
        name = f"spool_{key}_total" if kind == "counter" else f"spool_{key}"
        metric(name, kind, text, [({}, spool.get(key))] if spool else [])
    metric(
        "token_expires_in_seconds",
        "gauge",
        "Seconds until the current access token expires.",
        [
            ({"source": i.get("source") or "", "client_id": i.get("client_id") or ""}, i.get("expires_in"))
            for i in doc.get("identities", [])
        ],
    )
    metric("uptime_seconds", "gauge", "Seconds since the agent started.", [({}, doc["uptime_seconds"])])
    return "\n".join(out) + "\n"
