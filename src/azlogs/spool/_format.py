"""On-disk format of spool segments and ack files: framing, checksums, scanning with resync.

Pure functions over bytes; no file I/O. All integers are little-endian.

A segment file ``seg-<20-digit number>.log`` is a sequence of record frames::

    offset  size  field
    0       4     magic      F5 7A 53 01  (0xF5 never occurs in UTF-8, so JSON payloads rarely hold it)
    4       4     crc32      zlib.crc32 of every byte from offset 8 to the end of the frame
    8       4     seq        record number inside this segment (0, 1, 2 ...): gaps count lost records
    12      4     length     payload length
    16      2     key_len    length of the stream key (1 .. MAX_KEY_BYTES)
    18      k     key        stream key, UTF-8
    18+k    n     payload    the record, opaque bytes

An ack file ``seg-<same number>.ack`` is a sequence of ack frames, each naming frames of its
segment (by byte offset) that were delivered::

    0  4  magic  F5 7A 41 01     4  4  crc32 of bytes 8..end     8  4  count     12  4*count  offsets

Scanning never trusts a length it has not checked against the checksum. When a frame is invalid the
scanner searches forward for the next magic that starts a valid frame (resync); the bytes in between
are a corrupt region. Invalid bytes with no valid frame after them are the torn tail of an append that
a crash interrupted; the caller truncates them away.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Final

MAGIC: Final = b"\xf5zS\x01"
ACK_MAGIC: Final = b"\xf5zA\x01"
HEADER_BYTES: Final = 18
ACK_HEADER_BYTES: Final = 12
MAX_KEY_BYTES: Final = 1024
MAX_PAYLOAD_BYTES: Final = 0xFFFF_FFFF

_HEAD = struct.Struct("<4sIIIH")
_CRC_PART = struct.Struct("<IIH")
_U32 = struct.Struct("<I")
_ACK_HEAD = struct.Struct("<4sII")


@dataclass(frozen=True, slots=True)
class Frame:
    """A valid record frame found in a segment."""

    offset: int
    size: int
    seq: int
    key: str
    payload_offset: int
    payload_len: int


@dataclass(frozen=True, slots=True)
class Region:
    """A run of bytes that holds no valid frame: corrupt (mid-file) or torn (at the end)."""

    offset: int
    length: int
    records: int
    """Records lost in the region, from the gap in frame sequence numbers (at least 1; 0 if torn)."""


@dataclass(frozen=True, slots=True)
class SegmentScan:
    """What a scan of one segment found."""

    frames: list[Frame]
    corrupt: list[Region]
    torn: Region | None
    valid_end: int
    """Length of the segment once the torn tail is cut off."""


@dataclass(frozen=True, slots=True)
class AckScan:
    """What a scan of one ack file found."""

    offsets: set[int]
    corrupt: list[Region]
    torn: Region | None
    valid_end: int


def frame_size(key: bytes, payload_len: int) -> int:
    """Bytes a record takes on disk."""
    return HEADER_BYTES + len(key) + payload_len


def encode_frame(seq: int, key: bytes, payload: bytes) -> bytes:
    """Frame one record: magic, checksum, sequence number, lengths, stream key, payload."""
    part = _CRC_PART.pack(seq, len(payload), len(key))
    crc = zlib.crc32(payload, zlib.crc32(key, zlib.crc32(part)))
    return b"".join((MAGIC, _U32.pack(crc), part, key, payload))


def parse_frame(buf: bytes, pos: int) -> Frame | None:
    """The valid frame starting at ``pos``, or None if the bytes there are not one."""
    end_of_buf = len(buf)
    if end_of_buf - pos < HEADER_BYTES:
        return None
    magic, crc, seq, length, key_len = _HEAD.unpack_from(buf, pos)
    if magic != MAGIC or key_len == 0 or key_len > MAX_KEY_BYTES:
        return None
    end = pos + HEADER_BYTES + key_len + length
    if end > end_of_buf:
        return None
    if zlib.crc32(memoryview(buf)[pos + 8 : end]) != crc:
        return None
    key_start = pos + HEADER_BYTES
    try:
        key = buf[key_start : key_start + key_len].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Frame(pos, end - pos, seq, key, key_start + key_len, length)


def check_frame(buf: bytes | memoryview, key: bytes, seq: int | None = None) -> bool:
    """Whether ``buf`` is exactly one valid frame for stream ``key`` (re-checked when leasing)."""
    if len(buf) < HEADER_BYTES + len(key):
        return False
    magic, crc, fseq, length, key_len = _HEAD.unpack_from(buf, 0)
    return (
        magic == MAGIC
        and key_len == len(key)
        and HEADER_BYTES + key_len + length == len(buf)
        and buf[HEADER_BYTES : HEADER_BYTES + key_len] == key
        and (seq is None or fseq == seq)
        and zlib.crc32(memoryview(buf)[8:]) == crc
    )


def _next_valid(buf: bytes, start: int) -> Frame | None:
    pos = buf.find(MAGIC, start)
    while pos >= 0:
        frame = parse_frame(buf, pos)
        if frame is not None:
            return frame
        pos = buf.find(MAGIC, pos + 1)
    return None


def scan_segment(buf: bytes) -> SegmentScan:
    """Find every valid frame in a segment, the corrupt regions between them and a torn tail."""
    frames: list[Frame] = []
    corrupt: list[Region] = []
    torn: Region | None = None
    pos = 0
    end = len(buf)
    last_seq = -1
    while pos < end:
        frame = parse_frame(buf, pos)
        if frame is None:
            frame = _next_valid(buf, pos + 1)
            if frame is None:
                torn = Region(pos, end - pos, 0)
                break
            corrupt.append(Region(pos, frame.offset - pos, max(1, frame.seq - last_seq - 1)))
        frames.append(frame)
        last_seq = frame.seq
        pos = frame.offset + frame.size
    return SegmentScan(frames, corrupt, torn, torn.offset if torn else end)


def encode_acks(offsets: list[int]) -> bytes:
    """One ack frame naming the given record offsets."""
    body = struct.pack(f"<I{len(offsets)}I", len(offsets), *offsets)
    return b"".join((ACK_MAGIC, _U32.pack(zlib.crc32(body)), body))


def _parse_ack(buf: bytes, pos: int) -> tuple[int, list[int]] | None:
    if len(buf) - pos < ACK_HEADER_BYTES:
        return None
    magic, crc, count = _ACK_HEAD.unpack_from(buf, pos)
    end = pos + ACK_HEADER_BYTES + 4 * count
    if magic != ACK_MAGIC or end > len(buf):
        return None
    if zlib.crc32(memoryview(buf)[pos + 8 : end]) != crc:
        return None
    return end, list(struct.unpack_from(f"<{count}I", buf, pos + ACK_HEADER_BYTES))


def scan_acks(buf: bytes) -> AckScan:
    """Collect every acked offset from the valid ack frames of an ack file."""
    offsets: set[int] = set()
    corrupt: list[Region] = []
    torn: Region | None = None
    pos = 0
    while pos < len(buf):
        parsed = _parse_ack(buf, pos)
        if parsed is None:
            nxt = buf.find(ACK_MAGIC, pos + 1)
            while nxt >= 0 and _parse_ack(buf, nxt) is None:
                nxt = buf.find(ACK_MAGIC, nxt + 1)
            if nxt < 0:
                torn = Region(pos, len(buf) - pos, 0)
                break
            corrupt.append(Region(pos, nxt - pos, 1))
            pos = nxt
            continue
        pos, found = parsed
        offsets.update(found)
    return AckScan(offsets, corrupt, torn, torn.offset if torn else len(buf))
