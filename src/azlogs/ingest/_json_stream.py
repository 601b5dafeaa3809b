"""A JSON array (or a run of JSON values) read piece by piece, in bounded memory, every byte accounted for.

``json_pieces`` cuts a byte stream into its top-level values: a value's end is found by counting
brackets outside strings, the value's bytes are handed on as read, and the caller parses each one
on its own (one bad element fails alone). For speed, an object in an array is first tried up to the
next ``}`` that a ``,`` or ``]`` follows (in a valid array that is at most the element's end): JSON values are self-delimiting, so when that text parses it is the
whole object (and its parsed value is handed on too); when it does not, the bracket count decides. Memory is bounded by the largest value
kept (``max_value`` bytes), not by the input: a larger value is skipped to its end, keeping only a
prefix. A break in the structure (a missing comma, the end of the input inside the array, text after
the closing bracket) ends the reading: everything from there to the end of the input is handed on
whole, with the byte offset and line of the break, so nothing read is lost.

Pure: bytes in, pieces out; no files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

import orjson

_CHUNK = 1 << 20
_WS = re.compile(rb"[ \t\r\n]*")
_STRUCT = re.compile(rb'["\[\]{}]')
_IN_STRING = re.compile(rb'["\\]')
_SCALAR_END = re.compile(rb"[ \t\r\n,\]}\[{\"]")
_BOM = b"\xef\xbb\xbf"
_OBJECT_END = re.compile(rb"}[ \t\r\n]*[,\]]")
NOT_PARSED: Any = object()

PieceKind = Literal["value", "too_large", "broken"]


@dataclass(frozen=True, slots=True)
class Piece:
    """One top-level value, an oversized value's prefix, or the unreadable rest of the input.

    Attributes:
        kind: ``value`` (``data`` is the value's bytes as read), ``too_large`` (``data`` is the
            first ``keep`` bytes of a value of ``size`` bytes), ``broken`` (``data`` is everything
            from ``offset`` to the end of the input; ``reason`` says what broke where).
        offset: byte offset of ``data`` in the input.
        line: 1-based line of ``offset``.
        size: the value's length in bytes (for ``too_large``, the whole value's).
        reason: for ``broken``, what was expected and where (byte offset and line).
        value: for a ``value`` parsed on the way, the parsed value; else ``NOT_PARSED``.
    """

    kind: PieceKind
    data: bytes
    offset: int
    line: int
    size: int
    reason: str = ""
    value: Any = NOT_PARSED


class _Window:
    """The part of the input not yet handed on, with its absolute offset and a running line count.

    ``drop`` only moves a mark; the bytes before it are let go at the next ``fill``, so handing on
    many small values does not copy the buffer once per value.
    """

    def __init__(self, stream: IO[bytes], chunk: int) -> None:
        self._stream = stream
        self._chunk = chunk
        self.buf = b""
        self.base = 0  # absolute offset of buf[0]
        self._keep = 0  # absolute offset before which nothing is needed any more
        self.eof = False
        self._line_pos = 0  # absolute offset up to which newlines are counted
        self._lines = 0

    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = self._stream.read(self._chunk)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self._keep - self.base :] + chunk
        self.base = self._keep
        return True

    def end(self) -> int:
        return self.base + len(self.buf)

    def byte(self, pos: int) -> int:
        return self.buf[pos - self.base]

    def take(self, start: int, stop: int) -> bytes:
        return self.buf[start - self.base : stop - self.base]

    def drop(self, upto: int) -> None:
        """Nothing before absolute offset ``upto`` is needed any more."""
        self.line_of(upto)
        self._keep = upto

    def line_of(self, pos: int) -> int:
        """1-based line of absolute offset ``pos``; offsets are asked for in increasing order."""
        if pos > self._line_pos:
            self._lines += self.buf.count(b"\n", self._line_pos - self.base, pos - self.base)
            self._line_pos = pos
        return self._lines + 1

    def next_token(self, pos: int) -> int | None:
        """Absolute offset of the first non-whitespace byte at or after ``pos``; None at the end."""
        while True:
            match = _WS.match(self.buf, pos - self.base)
            assert match is not None  # the pattern matches the empty string
            pos = self.base + match.end()
            if match.end() < len(self.buf):
                return pos
            if not self.fill():
                return None

    def rest(self, start: int) -> bytes:
        """Everything from ``start`` to the end of the input (read now, kept whole)."""
        parts = [self.take(max(start, self.base), self.end())]
        while chunk := self._stream.read(self._chunk):
            parts.append(chunk)
        self.eof = True
        return b"".join(parts)


class _Broken(Exception):
    def __init__(self, pos: int, what: str, prefix: bytes | None = None) -> None:
        super().__init__(what)
        self.pos = pos
        self.what = what
        self.prefix = prefix  # the start of an oversized value the input ended in


def _more(
    w: _Window, start: int, pos: int, prefix: bytes | None, max_value: int, keep: int
) -> tuple[bytes | None, bool]:
    """The value goes on past what is held: read more; once it is too large, keep a prefix only."""
    if prefix is None and pos - start > max_value:
        prefix = w.take(start, start + keep)
    if prefix is not None:
        w.drop(pos)
    return prefix, w.fill()


def _quick_object(w: _Window, start: int, max_value: int) -> tuple[int, Any] | None:
    """(end, parsed value) of the object at ``start`` when its text ends at the next ``},`` or ``}]``."""
    m = _OBJECT_END.search(w.buf, start - w.base)
    if m is None or m.start() + 1 - (start - w.base) > max_value:
        return None
    end = w.base + m.start() + 1
    try:
        return end, orjson.loads(w.take(start, end))
    except orjson.JSONDecodeError:
        return None


def _scan_value(w: _Window, start: int, max_value: int, keep: int) -> tuple[int, bytes | None]:
    """End offset of the value at ``start``; with a prefix when it is larger than ``max_value``.

    Raises:
        _Broken: the input ends inside the value.
    """
    first = w.byte(start)
    depth = 0
    in_string = False
    pos = start
    prefix: bytes | None = None
    if first not in b'[{"':
        while True:
            m = _SCALAR_END.search(w.buf, pos - w.base)
            if m is not None:
                return w.base + m.start(), prefix
            pos = w.end()
            prefix, more = _more(w, start, pos, prefix, max_value, keep)
            if not more:
                return pos, prefix
    while True:
        rel = pos - w.base
        if in_string:
            m = _IN_STRING.search(w.buf, rel)
            if m is not None and (w.buf[m.start()] == 0x22 or m.start() + 1 < len(w.buf)):
                pos = w.base + m.end() + (w.buf[m.start()] == 0x5C)
                in_string = w.buf[m.start()] == 0x5C
                if not in_string and depth == 0:
                    return pos, prefix
                continue
            pos = w.base + (m.start() if m is not None else len(w.buf))
        else:
            m = _STRUCT.search(w.buf, rel)
            if m is not None:
                pos = w.base + m.end()
                ch = w.buf[m.start()]
                if ch == 0x22:
                    in_string = True
                elif ch in b"[{":
                    depth += 1
                else:
                    depth -= 1
                    if depth <= 0:
                        return pos, prefix
                continue
            pos = w.end()
        prefix, more = _more(w, start, pos, prefix, max_value, keep)
        if not more:
            raise _Broken(w.end(), "the input ends inside this value", prefix)


def json_pieces(stream: IO[bytes], max_value: int, keep: int = 4096, chunk: int = _CHUNK) -> Iterator[Piece]:
    """The top-level values of a JSON array (or of a run of JSON values) in ``stream``, in order.

    Args:
        stream: the input.
        max_value: the largest value handed on whole; a larger one becomes a ``too_large`` piece.
        keep: how many bytes of a ``too_large`` value to keep.
        chunk: bytes read at a time.
    """
    w = _Window(stream, chunk)
    w.fill()
    start = 0
    if w.buf.startswith(_BOM):
        start = len(_BOM)
    pos = w.next_token(start)
    if pos is None:
        return
    in_array = w.byte(pos) == 0x5B
    if in_array:
        pos += 1
    expect_value = True  # after "[" or ",": a value (or "]" right after "[")
    first = True
    piece_start = pos
    line = 1
    try:
        while True:
            token = w.next_token(pos)
            if token is None:
                piece_start = w.end()
                if in_array:
                    raise _Broken(w.end(), "the input ends before the array's closing ']'")
                return
            ch = w.byte(token)
            piece_start = token
            if in_array:
                if ch == 0x5D and (first or not expect_value):
                    after = w.next_token(token + 1)
                    if after is None:
                        return
                    piece_start = after
                    raise _Broken(after, "text after the array's closing ']'")
                if not expect_value:
                    if ch != 0x2C:
                        raise _Broken(token, "expected ',' or ']' after an array element")
                    pos = token + 1
                    expect_value = True
                    continue
            if ch in b",]}:":
                raise _Broken(token, f"expected a JSON value, found {chr(ch)!r}")
            line = w.line_of(token)
            if in_array and ch == 0x7B and (quick := _quick_object(w, token, max_value)) is not None:
                end, value = quick
                yield Piece("value", w.take(token, end), token, line, end - token, value=value)
                w.drop(end)
                pos = end
                first = False
                expect_value = not in_array
                continue
            end, prefix = _scan_value(w, token, max_value, keep)
            if prefix is None and end - token > max_value:
                prefix = w.take(token, token + keep)
            if prefix is not None:
                yield Piece("too_large", prefix, token, line, end - token)
            else:
                yield Piece("value", w.take(token, end), token, line, end - token)
            w.drop(end)
            pos = end
            first = False
            expect_value = not in_array
    except _Broken as exc:
        if exc.prefix is not None:  # its start is kept as too large; what is left of the input is the rest
            yield Piece("too_large", exc.prefix, piece_start, line, exc.pos - piece_start)
            piece_start = exc.pos
        piece_start = max(piece_start, w.base)
        line = w.line_of(piece_start)
        where = f"byte {exc.pos} (line {w.line_of(exc.pos)})"
        data = w.rest(piece_start)
        yield Piece("broken", data, piece_start, line, len(data), f"{exc.what} at {where}")
