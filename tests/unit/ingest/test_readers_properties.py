"""Whatever bytes `send` is given, every record is sent or dead-lettered whole, and nothing raises (hypothesis).

Inputs are drawn as records and bad pieces, written as JSON arrays, NDJSON or CSV, read from a file
or stdin, sent through ``LogsClient`` to a recording endpoint (httpx.MockTransport) that refuses some
requests, and the dead-letter file is written by the CLI's own function. Then the records that landed
plus the records dead-lettered are exactly the input's records, and the bad pieces are in the
dead-letter file byte for byte. Bounded and derandomized, so CI is repeatable.
"""

from __future__ import annotations

import base64
import csv
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_fakes import STREAM, Sink, error_json, make_client

from azlogs.ingest import send_files
from azlogs.ingest._json_stream import json_pieces
from azlogs.ingest.readers import DeadLetter

settings.register_profile(
    "readers",
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("readers")

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
VALUES = st.one_of(TEXT, st.integers(-(2**53), 2**53), st.booleans(), st.none())


def _good(i: int, values: dict[str, Any]) -> dict[str, Any]:
    return {"i": i, **values}


@st.composite
def ndjson_inputs(draw: st.DrawFn) -> tuple[bytes, list[dict[str, Any]], list[bytes]]:
    good: list[dict[str, Any]] = []
    bad: list[bytes] = []
    lines: list[bytes] = []
    for kind in draw(st.lists(st.sampled_from(["good", "good", "bad"]), max_size=25)):
        if kind == "good":
            rec = _good(len(good), draw(st.dictionaries(st.sampled_from("abc"), VALUES, max_size=3)))
            good.append(rec)
            lines.append(orjson.dumps(rec))
        else:
            line = draw(st.binary(min_size=1, max_size=20).filter(_not_a_record_line))
            bad.append(line)
            lines.append(line)
    sep = draw(st.sampled_from([b"\n", b"\r\n"]))
    return sep.join(lines) + draw(st.sampled_from([b"", sep])), good, bad


def _not_a_record_line(line: bytes) -> bool:
    if b"\n" in line or b"\r" in line or not line.strip():
        return False
    try:
        return type(orjson.loads(line)) is not dict
    except orjson.JSONDecodeError:
        return True


@st.composite
def json_inputs(draw: st.DrawFn) -> tuple[bytes, list[dict[str, Any]], list[bytes]]:
    good: list[dict[str, Any]] = []
    bad: list[bytes] = []
    parts: list[bytes] = []
    for kind in draw(st.lists(st.sampled_from(["good", "good", "value", "broken"]), max_size=25)):
        if kind == "good":
            rec = _good(len(good), draw(st.dictionaries(st.sampled_from("abc"), VALUES, max_size=3)))
            good.append(rec)
            parts.append(orjson.dumps(rec, option=draw(st.sampled_from([0, orjson.OPT_INDENT_2]))))
        elif kind == "value":  # valid JSON that is not an object
            parts.append(orjson.dumps(draw(st.one_of(VALUES, st.lists(VALUES, max_size=2)))))
            bad.append(parts[-1])
        else:  # a balanced element that does not parse
            parts.append(b'{"x":' + draw(st.sampled_from([b"", b"tru", b"1,"])) + b"}")
            bad.append(parts[-1])
    sep = draw(st.sampled_from([b",", b", ", b",\n  "]))
    body = b"[" + sep.join(parts)
    if draw(st.booleans()):
        body += b"]\n"
    else:  # a break in the structure: the rest, from the break, is kept whole
        tail = b"}" + draw(st.binary(max_size=30))
        body += b" " + tail
        bad.append(tail)
    return body, good, bad


@st.composite
def csv_inputs(draw: st.DrawFn) -> tuple[bytes, list[dict[str, Any]], list[bytes]]:
    columns = ["i", *draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=2))]
    cell = st.text(st.sampled_from('xy ,"\n\r\u00e9'), max_size=6)
    good: list[dict[str, Any]] = []
    bad: list[bytes] = []
    rows: list[bytes] = [_csv_line(columns)]
    for kind in draw(st.lists(st.sampled_from(["good", "good", "bad"]), max_size=20)):
        if kind == "good":
            rec = {"i": str(len(good)), **{c: draw(cell) for c in columns[1:]}}
            good.append(rec)
            rows.append(_csv_line(list(rec.values())))
        else:
            width = draw(st.integers(1, 5).filter(lambda n: n != len(columns)))
            rows.append(_csv_line([draw(cell) or "v" for _ in range(width)]))
            bad.append(rows[-1])
    return b"\r\n".join(rows) + b"\r\n", good, bad


def _csv_line(fields: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(fields)  # quotes fields holding CR or LF
    return out.getvalue().encode()[:-2]


def _send(data: bytes, fmt: str, stdin: bool, refuse: list[bool]) -> tuple[list[Any], list[dict[str, Any]]]:
    """Read ``data`` as `send` does, upload through a mock endpoint; the records landed and the dead letters."""
    script = list(refuse)

    def respond(sink: Sink, request: httpx.Request, recs: list[Any]) -> httpx.Response | None:
        if script and script.pop(0):
            return httpx.Response(400, content=error_json("InvalidPayload", "refused"))
        return None

    with tempfile.TemporaryDirectory() as tmp:
        dead = DeadLetter(Path(tmp) / "dead.ndjson")
        path = "-"
        if not stdin:
            path = str(Path(tmp) / f"in.{fmt}")
            Path(path).write_bytes(data)
        sink = Sink(respond=respond)
        real = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)))  # type: ignore[arg-type]
        try:
            with make_client(sink, max_concurrency=1, max_request_bytes=400) as client:
                send_files(client, STREAM, [path], dead, fmt=fmt)  # type: ignore[arg-type]
        finally:
            sys.stdin = real
        dead.close()
        file = Path(tmp) / "dead.ndjson"
        entries = [orjson.loads(x) for x in file.read_bytes().splitlines()] if file.exists() else []
    return sink.accepted, entries


def _raw(entry: dict[str, Any]) -> bytes:
    return base64.b64decode(entry["raw_base64"]) if "raw_base64" in entry else entry["raw"].encode()


def _check(
    data: bytes, fmt: str, good: list[dict[str, Any]], bad: list[bytes], stdin: bool, refuse: list[bool]
) -> None:
    landed, entries = _send(data, fmt, stdin, refuse)
    refused = [e["record"] for e in entries if "record" in e]
    assert sorted(landed + refused, key=lambda r: int(r["i"])) == good
    assert [_raw(e) for e in entries if "record" not in e] == bad
    assert all(e["source"] == ("<stdin>" if stdin else e["source"]) and e["line"] for e in entries)


REFUSALS = st.lists(st.booleans(), max_size=6)


@PROFILE
@given(ndjson_inputs(), st.booleans(), REFUSALS)
def test_ndjson_every_record_sent_or_dead_lettered(case: Any, stdin: bool, refuse: list[bool]) -> None:
    """NDJSON: landed + refused = the records; bad lines are dead-lettered byte for byte."""
    _check(*case[:1], "ndjson", *case[1:], stdin, refuse)


@PROFILE
@given(json_inputs(), st.booleans(), REFUSALS)
def test_json_array_every_record_sent_or_dead_lettered(case: Any, stdin: bool, refuse: list[bool]) -> None:
    """JSON array: landed + refused = the records; bad elements and a broken rest are dead-lettered whole."""
    _check(*case[:1], "json", *case[1:], stdin, refuse)


@PROFILE
@given(csv_inputs(), st.booleans(), REFUSALS)
def test_csv_every_record_sent_or_dead_lettered(case: Any, stdin: bool, refuse: list[bool]) -> None:
    """CSV: landed + refused = the rows; rows of the wrong width are dead-lettered as written."""
    _check(*case[:1], "csv", *case[1:], stdin, refuse)


@PROFILE
@given(st.binary(max_size=300), st.sampled_from(["json", "ndjson", "csv"]))
def test_any_bytes_raise_nothing_and_json_pieces_cover_the_input(data: bytes, fmt: str) -> None:
    """Any bytes in any format: reading raises nothing; JSON pieces and the punctuation between them are the input."""
    _send(data, fmt, True, [])
    pieces = list(json_pieces(io.BytesIO(data), max_value=64, keep=8))
    pos = 0
    for piece in pieces:
        gap = data[pos : piece.offset]
        assert not gap.strip(b" \t\r\n[,\xef\xbb\xbf"), (gap, piece)
        if piece.kind == "too_large":
            assert data[piece.offset :].startswith(piece.data) and piece.size > 64
        else:
            assert data[piece.offset : piece.offset + piece.size] == piece.data
        pos = piece.offset + piece.size
    assert not data[pos:].strip(b" \t\r\n]"), data[pos:]
    assert all(p.kind != "broken" for p in pieces[:-1])
