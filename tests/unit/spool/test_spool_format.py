"""The segment and ack-file format: framing, checksums, and scanning with resync."""

from __future__ import annotations

import struct
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from azlogs.spool._format import (
    ACK_MAGIC,
    HEADER_BYTES,
    MAGIC,
    check_frame,
    encode_acks,
    encode_frame,
    parse_frame,
    scan_acks,
    scan_segment,
)


def _segment(payloads: list[bytes], key: bytes = b"nginx") -> tuple[bytes, list[int]]:
    """A segment holding the payloads, and the offset of each frame."""
    frames = [encode_frame(i, key, p) for i, p in enumerate(payloads)]
    offsets = []
    pos = 0
    for frame in frames:
        offsets.append(pos)
        pos += len(frame)
    return b"".join(frames), offsets


def _payloads(scan_frames: list, buf: bytes) -> list[bytes]:
    return [buf[f.payload_offset : f.payload_offset + f.payload_len] for f in scan_frames]


class TestFrame:
    def test_round_trip(self) -> None:
        """A frame decodes to the same sequence number, stream key and payload."""
        frame = encode_frame(7, b"dcr-1/Custom-App_CL", b'{"a": 1}')
        parsed = parse_frame(frame, 0)
        assert parsed is not None
        assert (parsed.seq, parsed.key, parsed.size) == (7, "dcr-1/Custom-App_CL", len(frame))
        assert frame[parsed.payload_offset :] == b'{"a": 1}'

    def test_layout_is_magic_crc_seq_lengths_key_payload(self) -> None:
        """The header is magic, CRC32 of the rest, seq, payload length, key length, then key and payload."""
        frame = encode_frame(3, b"k", b"xyz")
        assert frame[:4] == MAGIC
        crc, seq, length, key_len = struct.unpack_from("<IIIH", frame, 4)
        assert (seq, length, key_len) == (3, 3, 1)
        assert crc == zlib.crc32(frame[8:])
        assert frame[HEADER_BYTES:] == b"kxyz"

    def test_every_single_byte_change_is_detected(self) -> None:
        """Changing any one byte of a frame makes it invalid."""
        frame = encode_frame(1, b"syslog", b"hello world")
        for i in range(len(frame)):
            damaged = bytearray(frame)
            damaged[i] ^= 0x5A
            assert parse_frame(bytes(damaged), 0) is None, i

    def test_zeroed_length_is_invalid(self) -> None:
        """A frame whose length field was zeroed does not parse."""
        damaged = bytearray(encode_frame(0, b"k", b"payload"))
        damaged[12:16] = b"\0\0\0\0"
        assert parse_frame(bytes(damaged), 0) is None

    def test_check_frame_wants_the_stream_key(self) -> None:
        """A frame re-read at lease time is valid only for the key it was leased under."""
        frame = encode_frame(0, b"a", b"x")
        assert check_frame(frame, b"a")
        assert not check_frame(frame, b"b")
        assert not check_frame(frame[:-1], b"a")


class TestScan:
    def test_clean_segment(self) -> None:
        """Every frame of an undamaged segment is found, with nothing reported."""
        buf, _ = _segment([b"one", b"two", b"three"])
        scan = scan_segment(buf)
        assert _payloads(scan.frames, buf) == [b"one", b"two", b"three"]
        assert (scan.corrupt, scan.torn, scan.valid_end) == ([], None, len(buf))

    def test_flipped_byte_in_the_middle(self) -> None:
        """A damaged middle record is one corrupt region at its offset; the rest is delivered."""
        buf, offsets = _segment([b"a" * 40, b"b" * 40, b"c" * 40])
        damaged = bytearray(buf)
        damaged[offsets[1] + HEADER_BYTES + 10] ^= 1
        scan = scan_segment(bytes(damaged))
        assert _payloads(scan.frames, buf) == [b"a" * 40, b"c" * 40]
        assert [(r.offset, r.records) for r in scan.corrupt] == [(offsets[1], 1)]
        assert scan.torn is None

    def test_zeroed_length_in_the_middle(self) -> None:
        """A zeroed length field loses only its own record."""
        buf, offsets = _segment([b"a" * 30, b"b" * 30, b"c" * 30, b"d" * 30])
        damaged = bytearray(buf)
        damaged[offsets[2] + 12 : offsets[2] + 16] = bytes(4)
        scan = scan_segment(bytes(damaged))
        assert _payloads(scan.frames, buf) == [b"a" * 30, b"b" * 30, b"d" * 30]
        assert [(r.offset, r.length, r.records) for r in scan.corrupt] == [
            (offsets[2], offsets[3] - offsets[2], 1)
        ]

    def test_garbage_over_two_records_counts_two(self) -> None:
        """Garbage over several records is one region; the sequence gap counts the records lost."""
        buf, offsets = _segment([bytes([65 + i]) * 50 for i in range(5)])
        damaged = bytearray(buf)
        damaged[offsets[1] : offsets[3]] = b"\xff" * (offsets[3] - offsets[1])
        scan = scan_segment(bytes(damaged))
        assert [f.seq for f in scan.frames] == [0, 3, 4]
        assert [(r.offset, r.records) for r in scan.corrupt] == [(offsets[1], 2)]

    def test_truncated_tail_is_torn(self) -> None:
        """A segment cut inside its last frame reports a torn tail at that frame's start."""
        buf, offsets = _segment([b"x" * 100, b"y" * 100])
        for cut in (offsets[1] + 1, offsets[1] + HEADER_BYTES, len(buf) - 1):
            scan = scan_segment(buf[:cut])
            assert _payloads(scan.frames, buf) == [b"x" * 100]
            assert scan.torn is not None
            assert (scan.torn.offset, scan.valid_end) == (offsets[1], offsets[1])
            assert scan.corrupt == []

    def test_zero_filled_tail_is_torn(self) -> None:
        """Zeros after the last frame (a file extended but never written) are a torn tail."""
        buf, _ = _segment([b"x" * 10])
        scan = scan_segment(buf + bytes(4096))
        assert len(scan.frames) == 1
        assert scan.torn is not None
        assert scan.torn.length == 4096

    def test_magic_inside_a_payload_does_not_confuse_resync(self) -> None:
        """A payload that contains the magic bytes is skipped over when resyncing after damage."""
        tricky = b"pre" + MAGIC + b"\x00" * 30 + b"post"
        buf, offsets = _segment([b"a" * 20, tricky, b"c" * 20])
        damaged = bytearray(buf)
        damaged[offsets[0] + 5] ^= 0xFF
        scan = scan_segment(bytes(damaged))
        assert _payloads(scan.frames, buf) == [tricky, b"c" * 20]

    @settings(max_examples=150, deadline=None)
    @given(
        payloads=st.lists(st.binary(min_size=0, max_size=60), min_size=1, max_size=12),
        hits=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), min_size=1, max_size=6),
    )
    def test_damage_never_invents_and_never_hides_untouched_records(
        self, payloads: list[bytes], hits: list[tuple[int, int]]
    ) -> None:
        """After random byte damage, every record found is real and every untouched record is found."""
        buf, offsets = _segment(payloads)
        damaged = bytearray(buf)
        touched = set()
        for where, xor in hits:
            pos = where % len(buf)
            damaged[pos] ^= xor
            touched.add(pos)
        scan = scan_segment(bytes(damaged))
        found = {
            (f.seq, bytes(damaged[f.payload_offset : f.payload_offset + f.payload_len])) for f in scan.frames
        }
        original = set(enumerate(payloads))
        assert found <= original
        ends = [*offsets[1:], len(buf)]
        for i, (start, end) in enumerate(zip(offsets, ends, strict=True)):
            if not any(start <= t < end for t in touched):
                assert (i, payloads[i]) in found
        lost = len(payloads) - len(found)
        assert sum(r.records for r in scan.corrupt) + (1 if scan.torn else 0) >= (1 if lost else 0)


class TestAckFile:
    def test_round_trip(self) -> None:
        """Ack frames decode to the offsets they name."""
        buf = encode_acks([0, 40, 80]) + encode_acks([120])
        scan = scan_acks(buf)
        assert scan.offsets == {0, 40, 80, 120}
        assert (scan.corrupt, scan.torn) == ([], None)

    def test_torn_ack_tail(self) -> None:
        """A half-written last ack frame is torn; the frames before it still count."""
        first = encode_acks([1, 2])
        scan = scan_acks(first + encode_acks([3, 4])[:-2])
        assert scan.offsets == {1, 2}
        assert scan.valid_end == len(first)
        assert scan.torn is not None

    def test_corrupt_ack_frame_is_skipped(self) -> None:
        """A damaged ack frame in the middle is skipped; later frames are still read."""
        a, b, c = encode_acks([1]), encode_acks([2]), encode_acks([3])
        damaged = bytearray(a + b + c)
        damaged[len(a) + ACK_MAGIC.__len__() + 1] ^= 0xFF
        scan = scan_acks(bytes(damaged))
        assert scan.offsets == {1, 3}
        assert len(scan.corrupt) == 1
