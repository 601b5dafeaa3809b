"""Reading, decompressing, measuring and parsing an ingestion request body.

Size rule (the service says 1 MB "both compressed and uncompressed", Microsoft Learn, "Azure
Monitor service limits";
docs/differences.md says why and what Azure was seen to accept):

* the wire body (compressed, as sent) must be at most ``limit`` bytes;
* the inflated body must be at most ``limit`` bytes plus ``facts.SDK_SEPARATOR_BYTES`` per record:
  azure-monitor-ingestion packs records up to exactly 1 MiB measured on each record's own text and
  does not count the array's brackets and ", " separators, so its full chunks must pass;
* inflation stops at ``facts.INFLATED_BODY_FACTOR`` times the limit (no SDK chunk is larger), so
  a small gzip body cannot make the emulator hold, or parse, more than that.

Either breach answers 413 ``ContentLengthLimitExceeded`` with the service's message. A body nested
deeper than the store can write (``MAX_DEPTH``) is a 400, never a 500.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Final

import orjson

from azlogs import facts
from azlogs.emulator.ingestion.errors import (
    CONTENT_LENGTH_LIMIT,
    INVALID_CONTENT_ENCODING,
    MALFORMED_JSON,
    UNSUPPORTED_CONTENT_ENCODING,
    Refusal,
)

_decompressobj: Any
_IsalError: Any
try:  # ISA-L inflates gzip about twice as fast as zlib; same format, same errors
    from isal.isal_zlib import decompressobj as _decompressobj
    from isal.isal_zlib import error as _IsalError
except ImportError:  # pragma: no cover - isal is a dependency; zlib stays the fallback
    _decompressobj = zlib.decompressobj
    _IsalError = zlib.error

# JSON nesting the emulator takes, counting the body's array as one level: orjson, which writes the
# dynamic columns, stops at 255 levels. Azure's own depth limit is not documented.
MAX_DEPTH: Final = 254
# Past this much wire data an oversize body is no longer read to its end; the connection is closed.
DRAIN_CAP: Final = 64 * 1024 * 1024
_GZIP_MAGIC: Final = b"\x1f\x8b"


def too_large(limit: int, provided: int | str) -> Refusal:
    """The service's 413, with the text it answers ("Maximum allowed content length: ...", see facts.py)."""
    return Refusal(
        413,
        CONTENT_LENGTH_LIMIT,
        f"Maximum allowed content length: {limit} bytes ({limit / 1048576:g} MB). "
        f"Provided content length: {provided} bytes.",
    )


async def read_wire_body(chunks: AsyncIterator[bytes], content_length: str | None, limit: int) -> bytes:
    """The request body as sent, at most ``limit`` bytes; an oversize body is drained, then refused."""
    declared: int | None = None
    if content_length is not None and content_length.strip().isdigit():
        declared = int(content_length)
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            # Read the rest (up to a cap) so the client sees the 413 rather than a broken pipe.
            async for rest in chunks:
                size += len(rest)
                if size > DRAIN_CAP:
                    break
            raise too_large(limit, declared if declared is not None else size)
        parts.append(chunk)
    return b"".join(parts)


def decompress(wire: bytes, content_encoding: str | None, limit: int) -> bytes:
    """The body decompressed per ``Content-Encoding`` (gzip, or none/identity).

    Raises:
        Refusal: 415 for another encoding, 400 for a body that is not gzip, 413 for a zip bomb.
    """
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return wire
    if encoding not in ("gzip", "x-gzip"):
        raise Refusal(
            415,
            UNSUPPORTED_CONTENT_ENCODING,
            f"Content-Encoding '{content_encoding}' is not supported; send gzip or an uncompressed body.",
        )
    cap = limit * facts.INFLATED_BODY_FACTOR
    out: list[bytes] = []
    total = 0
    data = wire
    try:
        # A gzip file may hold several members back to back (RFC 1952); read them all.
        while data:
            d = _decompressobj(wbits=16 + zlib.MAX_WBITS)
            part = d.decompress(data, cap - total + 1)
            total += len(part)
            out.append(part)
            if total > cap:  # stop inflating: no conforming body is this large
                raise too_large(limit, f"more than {cap}")
            if not d.eof:
                raise zlib.error("the gzip stream is truncated")
            data = d.unused_data
    except (zlib.error, _IsalError) as exc:
        raise Refusal(
            400,
            INVALID_CONTENT_ENCODING,
            f"The request body could not be decompressed as gzip ({exc}); it has Content-Encoding: gzip.",
        ) from exc
    return b"".join(out)


@dataclass
class Decoded:
    """A parsed body: the JSON value and the uncompressed size (what throttling counts)."""

    value: Any
    uncompressed_size: int


def parse(raw: bytes, limit: int) -> Decoded:
    """Parse the decompressed body; apply the size rule and the depth limit.

    Raises:
        Refusal: 400 malformed JSON or nested too deep, 413 over the limit.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        hint = ""
        if raw[:2] == _GZIP_MAGIC:
            hint = " The body looks gzip-compressed: send the header Content-Encoding: gzip."
        raise Refusal(
            400,
            MALFORMED_JSON,
            f"The request body is malformed JSON: {exc}. Send a UTF-8 JSON array of objects.{hint}",
        ) from exc
    records = len(value) if isinstance(value, list) else 1
    if len(raw) > limit + facts.SDK_SEPARATOR_BYTES * records:
        raise too_large(limit, len(raw))
    _check_depth(raw, value)
    return Decoded(value, len(raw))


def _check_depth(raw: bytes, value: Any) -> None:
    # Fewer brackets than the limit cannot nest past it: most bodies stop here, at C speed.
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return
    # Record by record: one dumps() of the whole body reserves an output buffer of ~70 times the
    # body (108 MB for 2 MiB of "{}"), each record's only its own.
    where = "the body"
    if isinstance(value, list):
        dumps = orjson.dumps
        for i, item in enumerate(value):
            if type(item) is dict and not item:
                continue
            try:
                dumps([item])  # inside the body's array, as the store will write it
            except orjson.JSONEncodeError:
                where = f"record {i}"
                break
        else:
            return
    else:
        try:
            orjson.dumps(value)
            return
        except orjson.JSONEncodeError:
            pass
    raise Refusal(
        400,
        MALFORMED_JSON,
        f"The request body is nested too deep: {where} has JSON nested more than {MAX_DEPTH} levels "
        "(counting the body's array). Flatten the value or send it as a string column.",
    )
