"""The smaller scalar functions of the Kusto documentation (kql/_fn_extra.py): behaviour the pages'
examples (conformance cases) do not pin.

Sources: their pages under MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from azlogs.kql import MemoryProvider, run_query


def _one(expr: str) -> Any:
    return run_query(f"print r = {expr}", MemoryProvider()).tables[0].rows[0][0]


def _column(query: str) -> list[Any]:
    return [r[-1] for r in run_query(query, MemoryProvider()).tables[0].rows]


class TestPerRow:
    def test_rand_is_drawn_per_row(self) -> None:
        """rand() is a new value on each row (never folded into one constant), within [0, 1)."""
        values = _column("range x from 1 to 50 step 1 | extend r = rand()")
        assert len(set(values)) > 1
        assert all(0 <= v < 1 for v in values)

    def test_rand_with_a_bound_is_a_long_below_it(self) -> None:
        """rand(N) is a long from 0 to N-1."""
        assert all(
            0 <= v < 3 and isinstance(v, int)
            for v in _column("range x from 1 to 30 step 1 | extend r = rand(3)")
        )

    def test_new_guid_differs_per_row(self) -> None:
        """new_guid() gives each row its own guid."""
        assert len(set(_column("range x from 1 to 5 step 1 | extend g = new_guid()"))) == 5


class TestValues:
    @pytest.mark.parametrize(
        ("expr", "want"),
        [
            ("format_bytes(564)", "564 Bytes"),
            ("format_bytes(10332, 1)", "10.1 KB"),
            ("format_bytes(20010332, 0, 'KB')", "19541 KB"),
            ("format_bytes(1, 0, 'ZB')", ""),
        ],
    )
    def test_format_bytes(self, expr: str, want: str) -> None:
        """Units by powers of 1024, or the ones asked for; unknown units give ""."""
        assert _one(expr) == want

    @pytest.mark.parametrize(
        ("expr", "want"),
        [
            ("indexof_regex('abcabc', 'a.c', 1, -1, 2)", -1),
            ("indexof_regex('abcabc', 'a.c', -1)", None),
            ("indexof_regex('abcabc', 'b', 0, -2)", None),
        ],
    )
    def test_indexof_regex_edges(self, expr: str, want: Any) -> None:
        """No match in range is -1; a negative start or length below -1 is null."""
        assert _one(expr) == want

    def test_around_with_null_is_null(self) -> None:
        """around() of a null is null."""
        assert _one("around(long(null), 1, 1)") is None

    def test_guid_bytes_round_trip(self) -> None:
        """A guid encoded to base64 decodes to itself."""
        g = "ae3133f2-6e22-49ae-b06a-16e6a9b212eb"
        assert str(_one(f"base64_decode_toguid(base64_encode_fromguid(guid({g})))")) == g

    def test_compression_is_deterministic_and_round_trips(self) -> None:
        """gzip/zlib compression gives the page's bytes (no timestamp) and decompresses back."""
        assert _one("gzip_compress_to_base64_string('1234567890qwertyuiop')") == (
            "H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA=="
        )
        assert _one("zlib_decompress_from_base64_string(zlib_compress_to_base64_string('é'))") == "é"
        assert _one("gzip_decompress_from_base64_string('not base64!')") == ""

    def test_trig(self) -> None:
        """Trigonometric functions in radians."""
        assert _one("cos(0)") == 1.0
        assert math.isclose(_one("atan2(1, 1)"), math.pi / 4)
        assert _one("unicode_codepoints_to_string(dynamic([75]), 117)") == "Ku"


class TestSchemaAndBytes:
    def test_column_names_of_a_let_table_and_a_function(self) -> None:
        """column_names_of names the columns of a let table or of a tabular function's result."""
        assert _one("column_names_of(datatable(A:string, B:int)[])") == ["A", "B"]
        q = "let F = (p:int) { print A='', B=1 }; print c = column_names_of(F(1))"
        assert run_query(q, MemoryProvider()).tables[0].rows == [[["A", "B"]]]

    def test_base64_encode_fromarray(self) -> None:
        """An array of bytes encodes to base64; an element that is not a byte gives ""."""
        assert _one("base64_encode_fromarray(base64_decode_toarray('S3VzdG8='))") == "S3VzdG8="
        assert _one("base64_encode_fromarray(dynamic([256]))") == ""
