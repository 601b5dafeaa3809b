"""One dead-letter format for ``azlogs send`` and the agent: what was not sent, where it came from, why.

A dead-letter file is NDJSON, one entry per line that could not be read or record that was refused:

    source         the file (or ``<stdin>``) it came from, when known
    line           its 1-based line in that file (``azlogs send``), when known
    offset         its byte offset in that file (the agent; ``send`` for JSON input), when known
    reason         what happened, in the user's terms; ``code``: the service's or azlogs' error code
    status, index  the HTTP status of a refusal, and the record's position in the upload (``send``)
    line_bytes     the full size when only the first bytes are kept (then ``raw_truncated``: true)
    record         the record as sent, when it is JSON; else
    raw            the bytes as read, when they are UTF-8 text; else
    raw_base64     the bytes as read, base64

The agent adds ``time`` and where the record was going (``input``, or ``stream_key``, ``stream``,
``endpoint``, ``dcr``). :func:`read_dead_letters` reads every such file back, including those that
agents before this format wrote (their non-UTF-8 lines are ``raw_latin1``).
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Protocol

import orjson

from azlogs._exceptions import InputError
from azlogs.ingest._result import FailedRecord, UploadError, UploadResult

__all__ = [
    "BadLine",
    "DeadLetter",
    "DeadLetterEntry",
    "Failure",
    "Located",
    "encode_entry",
    "raw_fields",
    "read_dead_letters",
]

# How many failures a DeadLetter remembers for its caller to show (the file holds them all).
KEPT_FAILURES: Final = 20


def raw_fields(raw: bytes) -> dict[str, str]:
    """The entry's fields for bytes as read: ``raw`` when they are UTF-8, else ``raw_base64``."""
    try:
        return {"raw": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {"raw_base64": base64.b64encode(raw).decode("ascii")}


@dataclass(frozen=True)
class Located:
    """Where a record came from: its file (or ``<stdin>``) and line."""

    source: str
    line: int


@dataclass(frozen=True)
class BadLine:
    """A line (or record) of the input that did not become a record to send.

    Attributes:
        source: the file, or ``<stdin>``.
        reason: why, naming the limit or the rule.
        raw: the bytes as read (only the first bytes of a line too large to hold).
        line: the 1-based line, when the reader counts lines (``azlogs send``).
        offset: the byte offset of ``raw`` in the input, when known (the agent; JSON input).
        code: ``RecordTooLarge`` when ``raw`` is only the start of the line.
        size: the line's full size when ``raw`` is only its first bytes.
    """

    source: str
    reason: str
    raw: bytes
    line: int | None = None
    offset: int | None = None
    code: str | None = None
    size: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The dead-letter entry."""
        entry: dict[str, Any] = {"source": self.source}
        if self.line is not None:
            entry["line"] = self.line
        if self.offset is not None:
            entry["offset"] = self.offset
        entry["reason"] = self.reason
        if self.code is not None:
            entry["code"] = self.code
        if self.size is not None:
            entry["line_bytes"] = self.size
            entry["raw_truncated"] = True
        return {**entry, **raw_fields(self.raw)}

    def to_json(self) -> bytes:
        """The dead-letter entry as one JSON line (without the newline)."""
        return orjson.dumps(self.to_dict())

    @property
    def failure(self) -> Failure:
        """What a user is shown of it."""
        return Failure(self.source, self.line, self.reason, self.code, self.offset)


@dataclass(frozen=True)
class Failure:
    """One failure as a user reads it: the file, the line (or byte offset), the reason and code."""

    source: str | None
    line: int | None
    reason: str
    code: str | None = None
    offset: int | None = None

    @property
    def where(self) -> str:
        """``file:line`` (or ``file@offset``, or the file alone)."""
        source = self.source or "?"
        if self.line is not None:
            return f"{source}:{self.line}"
        if self.offset is not None:
            return f"{source}@{self.offset}"
        return source


def _with_record(entry: bytes, record: bytes) -> bytes:
    # JSON has no raw newline inside a string, so CR and LF in a valid record are whitespace.
    body = record.strip().replace(b"\r", b" ").replace(b"\n", b" ")
    spliced = entry[:-1] + (b',"record":' if len(entry) > 2 else b'"record":') + body + b"}"
    try:
        orjson.loads(spliced)
    except orjson.JSONDecodeError:
        text = orjson.dumps(raw_fields(record))
        return entry[:-1] + (b"," if len(entry) > 2 else b"") + text[1:]
    return spliced


def encode_entry(entry: Mapping[str, Any] | BadLine, record: bytes | None = None) -> bytes:
    """One entry as a JSON line (no newline); ``record`` (JSON as read or sent) is kept as those bytes.

    The record is never parsed and serialised again (a record nested deeper than a serialiser
    allows must still be written): it becomes the entry's ``record`` when the entry stays valid
    JSON that way, else its text is the entry's ``raw`` (or ``raw_base64``).
    """
    data = entry.to_json() if isinstance(entry, BadLine) else orjson.dumps(dict(entry))
    return data if record is None else _with_record(data, record)


class Locations(Protocol):
    """Where the records of an upload came from, by index (``RecordReader.locations``)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Located: ...


class DeadLetter:
    """An NDJSON file of everything that was not sent: bad input lines and records the service refused.

    Opened on the first entry; :attr:`count` entries written, the first :data:`KEPT_FAILURES` of
    them also in :attr:`failures` for the caller to show.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.failures: list[Failure] = []
        self._fh: IO[bytes] | None = None
        self._lock = threading.Lock()

    def write(self, entry: Mapping[str, Any] | BadLine, record: bytes | None = None) -> None:
        """Append one entry (see :func:`encode_entry`)."""
        data = encode_entry(entry, record)
        if isinstance(entry, BadLine):
            shown = entry.failure
        else:
            shown = Failure(
                entry.get("source"), entry.get("line"), str(entry.get("reason") or ""), entry.get("code")
            )
        with self._lock:
            if self._fh is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fh = open(self.path, "ab")  # noqa: SIM115 - closed in close()
            self._fh.write(data + b"\n")
            self.count += 1
            if len(self.failures) < KEPT_FAILURES:
                self.failures.append(shown)

    def write_refused(self, locations: Locations, items: list[FailedRecord]) -> None:
        """Entries for records that failed without their bytes (a dry run's, or an upload's leftovers)."""
        for item in items:
            self.write({**_where(locations, item.index), **item.to_dict()})

    def write_upload(self, locations: Locations, failures: list[UploadError], result: UploadResult) -> None:
        """Every record an upload reported failed, with its file and line, as the bytes it sent.

        ``failures`` are what ``on_error`` was given (with the records' bytes); a failed record of
        ``result`` that none of them names is written without its bytes.
        """
        for failure in failures:
            records = failure.records or [b""] * len(failure.failed)
            for item, raw in zip(failure.failed, records, strict=False):
                self.write({**_where(locations, item.index), **item.to_dict()}, raw or None)
        reported = {f.index for u in failures for f in u.failed}
        self.write_refused(locations, [i for i in result.failed if i.index not in reported])

    def close(self) -> None:
        """Flush, fsync and close the file (if an entry was written)."""
        with self._lock:
            if self._fh is not None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()
                self._fh = None


def _where(locations: Locations, index: int) -> dict[str, Any]:
    if 0 <= index < len(locations):
        loc = locations[index]
        return {"source": loc.source, "line": loc.line}
    return {"source": None, "line": None}


@dataclass(frozen=True)
class DeadLetterEntry:
    """One entry read back from a dead-letter file (either writer's, of any azlogs version)."""

    doc: dict[str, Any]
    path: str
    number: int  # its line in the dead-letter file

    @property
    def failure(self) -> Failure:
        """Where the record came from and why it is here."""
        d = self.doc
        return Failure(
            d.get("source"), d.get("line"), str(d.get("reason") or ""), d.get("code"), d.get("offset")
        )

    @property
    def truncated(self) -> bool:
        """Whether only the first bytes of the line are kept."""
        return bool(self.doc.get("raw_truncated"))

    def content(self) -> bytes:
        """The line or record as it was read or sent (a kept ``record`` is serialised compactly)."""
        d = self.doc
        if "raw" in d:
            return str(d["raw"]).encode("utf-8")
        if "raw_base64" in d:
            return base64.b64decode(str(d["raw_base64"]))
        if "raw_latin1" in d:  # agents before the one format wrote non-UTF-8 lines this way
            return str(d["raw_latin1"]).encode("latin-1")
        if "record" in d:
            return orjson.dumps(d["record"])
        return b""


def read_dead_letters(path: str | Path) -> Iterator[DeadLetterEntry]:
    """The entries of a dead-letter file, in order.

    Raises:
        InputError: the file cannot be read, or a line of it is not a JSON object (named by its line).
    """
    name = str(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", source=name) from exc
    with fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                doc = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"line {number} is not a dead-letter entry: {exc}", source=name) from exc
            if not isinstance(doc, dict):
                raise InputError(f"line {number} is not a dead-letter entry (not an object)", source=name)
            yield DeadLetterEntry(doc, name, number)
