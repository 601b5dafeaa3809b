"""Hash functions: ``hash``/``hash_xxhash64`` (xxHash64), ``hash_md5``, ``hash_sha1``, ``hash_sha256``,
``hash_combine`` and ``hash_many``.

What the Kusto documentation's examples pin (hash-function.md, hash-xxhash64-function.md,
hash-md5-function.md, hash-sha1-function.md, hash-sha256-function.md in MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query), and this module reproduces exactly:

* ``hash(s)`` of a string is XXH64 (seed 0) of its UTF-8 bytes, as a signed long
  (``hash("World")`` is 1846988464401551951); ``hash(s, 100)`` is 51;
* ``hash`` of a datetime is XXH64 of its 8 little-endian bytes of 100 ns ticks since 0001-01-01
  (``hash(datetime(2015-01-01))`` is 1380966698541616202);
* the digest functions hash the UTF-8 text form, where a datetime's text always has seven fractional
  digits (``2020-01-01T00:00:00.0000000Z``), unlike the trimmed form of query results.

Not pinned by any example (our reading, in docs/differences.md): ``hash`` of other non-string types
(longs, reals and timespans as their 8 little-endian bytes, others by their text), the sign rule of
``mod`` (here the unsigned hash modulo ``mod``), and ``hash_combine``'s mixing step, whose Kusto
algorithm is undocumented: combined values are stable and well spread but differ from Kusto's.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import datetime, timedelta
from typing import Any

from azlogs.kql._registry import register
from azlogs.kql._values import to_long, to_str, wrap_long

_M64 = (1 << 64) - 1
_P1 = 0x9E3779B185EBCA87
_P2 = 0xC2B2AE3D27D4EB4F
_P3 = 0x165667B19E3779F9
_P4 = 0x85EBCA77C2B2AE63
_P5 = 0x27D4EB2F165667C5
_GOLDEN = 0x9E3779B97F4A7C15


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M64


def _round(acc: int, lane: int) -> int:
    return _rotl((acc + lane * _P2) & _M64, 31) * _P1 & _M64


def _merge(acc: int, lane: int) -> int:
    return ((acc ^ _round(0, lane)) * _P1 + _P4) & _M64


def xxh64(data: bytes, seed: int = 0) -> int:
    """XXH64 of ``data`` (the reference algorithm, Yann Collet's xxHash), unsigned."""
    n = len(data)
    i = 0
    if n >= 32:
        v1, v2, v3, v4 = (seed + _P1 + _P2) & _M64, (seed + _P2) & _M64, seed & _M64, (seed - _P1) & _M64
        while i + 32 <= n:
            a, b, c, d = struct.unpack_from("<4Q", data, i)
            v1, v2, v3, v4 = _round(v1, a), _round(v2, b), _round(v3, c), _round(v4, d)
            i += 32
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _M64
        for v in (v1, v2, v3, v4):
            h = _merge(h, v)
    else:
        h = (seed + _P5) & _M64
    h = (h + n) & _M64
    while i + 8 <= n:
        (k,) = struct.unpack_from("<Q", data, i)
        h = (_rotl(h ^ _round(0, k), 27) * _P1 + _P4) & _M64
        i += 8
    if i + 4 <= n:
        (k32,) = struct.unpack_from("<I", data, i)
        h = (_rotl(h ^ (k32 * _P1 & _M64), 23) * _P2 + _P3) & _M64
        i += 4
    while i < n:
        h = _rotl(h ^ (data[i] * _P5 & _M64), 11) * _P1 & _M64
        i += 1
    h ^= h >> 33
    h = h * _P2 & _M64
    h ^= h >> 29
    h = h * _P3 & _M64
    h ^= h >> 32
    return h


def hash_text(value: Any) -> str:
    """The text the digest functions hash: ``tostring``'s (a datetime's with seven fractional digits)."""
    return value if isinstance(value, str) else to_str(value)


def _hash_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bool):
        return struct.pack("<q", int(value))
    if isinstance(value, (datetime, timedelta)):
        ticks = to_long(value)
        return struct.pack("<q", ticks if ticks is not None else 0)
    if isinstance(value, int) and -(1 << 63) <= value < 1 << 63:
        return struct.pack("<q", value)
    if isinstance(value, float):
        return struct.pack("<d", value)
    return hash_text(value).encode("utf-8")


def _xxhash(value: Any, mod: Any = None) -> int | None:
    if value is None:
        return None
    h = xxh64(_hash_bytes(value))
    if mod is None:
        return wrap_long(h)
    if isinstance(mod, bool) or not isinstance(mod, int) or mod <= 0:
        return None
    return h % mod


register("hash", 1, 2, "long", "query")(_xxhash)
register("hash_xxhash64", 1, 2, "long", "query")(_xxhash)


@register("hash_md5", 1, 1, "string", "query")
def hash_md5(v: Any) -> str:
    """MD5 of the UTF-8 text form, lower-case hex."""
    return hashlib.md5(hash_text(v).encode("utf-8"), usedforsecurity=False).hexdigest()


@register("hash_sha1", 1, 1, "string", "query")
def hash_sha1(v: Any) -> str:
    """SHA-1 of the UTF-8 text form, lower-case hex."""
    return hashlib.sha1(hash_text(v).encode("utf-8"), usedforsecurity=False).hexdigest()


@register("hash_sha256", 1, 1, "string", "dcr")
def hash_sha256(v: Any) -> str:
    """SHA-256 of the UTF-8 text form, lower-case hex."""
    return hashlib.sha256(hash_text(v).encode("utf-8")).hexdigest()


def _combine(hashes: tuple[Any, ...]) -> int | None:
    if any(h is None or isinstance(h, bool) or not isinstance(h, int) for h in hashes):
        return None
    acc = 0
    for h in hashes:
        # Boost-style mixing; Kusto's own step is undocumented (see the module docstring).
        acc ^= ((h & _M64) + _GOLDEN + (acc << 6) + (acc >> 2)) & _M64
    return wrap_long(acc)


@register("hash_combine", 2, 64, "long", "query")
def hash_combine(*hashes: Any) -> int | None:
    """One long from two or more hash values (order matters)."""
    return _combine(hashes)


@register("hash_many", 2, 64, "long", "query")
def hash_many(*values: Any) -> int | None:
    """``hash_combine`` of the ``hash`` of each value; null values count as 0."""
    return _combine(tuple(0 if v is None else _xxhash(v) for v in values))
