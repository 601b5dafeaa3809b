"""Datetime text in KQL: literal forms, the US form Kusto reads, and the text form of a datetime.

Sources: Kusto "The datetime data type"; the parse operator's, todatetime()'s, startofweek()'s, reverse()'s
and range()'s pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from azlogs._exceptions import KqlError
from azlogs.kql import MemoryProvider, run_query

UTC = timezone.utc


def _one(query: str) -> Any:
    return run_query(query, MemoryProvider()).tables[0].rows[0][0]


class TestLiterals:
    @pytest.mark.parametrize(
        ("literal", "expected"),
        [
            ('datetime("2015-12-14")', datetime(2015, 12, 14, tzinfo=UTC)),
            ("datetime('2007-04-07')", datetime(2007, 4, 7, tzinfo=UTC)),
            ('datetime("2012-01-01 08:00:00.0")', datetime(2012, 1, 1, 8, tzinfo=UTC)),
            ("datetime('12-02-2022')", datetime(2022, 12, 2, tzinfo=UTC)),
            ("datetime(2015-12-14 10:00)", datetime(2015, 12, 14, 10, tzinfo=UTC)),
            ("datetime(2025, 6, 14)", datetime(2025, 6, 14, tzinfo=UTC)),
            ("datetime(2025, 6, 14, 8, 30, 5)", datetime(2025, 6, 14, 8, 30, 5, tzinfo=UTC)),
        ],
    )
    def test_literal_forms(self, literal: str, expected: datetime) -> None:
        """Quoted, unquoted and year, month, day literals read to the instant they name."""
        assert _one(f"print {literal}") == expected

    @pytest.mark.parametrize(
        "literal", ["datetime(2025, 13, 1)", "datetime(2025, 6)", 'datetime("tomorrow")']
    )
    def test_bad_literals_are_errors(self, literal: str) -> None:
        """A literal that names no instant is a query error, not a null."""
        with pytest.raises(KqlError, match="invalid datetime literal"):
            run_query(f"print {literal}", MemoryProvider())


class TestUsForm:
    def test_todatetime_reads_month_first(self) -> None:
        """todatetime() reads the US form month first, as parse's ``x: date`` does."""
        assert _one('print todatetime("02/17/2016 08:40:01")') == datetime(2016, 2, 17, 8, 40, 1, tzinfo=UTC)

    def test_parse_date_column(self) -> None:
        """``parse ... lockTime: date`` reads the US form (the parse operator page's second example)."""
        q = 'print s="lockTime=02/17/2016 08:40:01," | parse s with "lockTime=" t: date "," *'
        result = run_query(q, MemoryProvider()).tables[0]
        assert result.rows[0][-1] == datetime(2016, 2, 17, 8, 40, 1, tzinfo=UTC)


class TestTextForm:
    def test_tostring_has_seven_digits(self) -> None:
        """tostring/strcat write a datetime with 7 fractional digits (the reverse page's text)."""
        assert _one("print tostring(datetime(2017-10-15 12:00))") == "2017-10-15T12:00:00.0000000Z"
        assert (
            _one("print strcat('at ', datetime(2017-10-15 12:00:00.5))") == "at 2017-10-15T12:00:00.5000000Z"
        )

    def test_datetime_inside_dynamic_has_seven_digits(self) -> None:
        """A datetime packed into a dynamic value is its 7-digit text (the range() page's array)."""
        assert _one("print pack_array(datetime(2007-01-01))") == ["2007-01-01T00:00:00.0000000Z"]

    def test_result_column_stays_a_datetime(self) -> None:
        """A datetime column of a result is a datetime (the query API writes it trimmed)."""
        assert _one("print datetime(2007-01-01)") == datetime(2007, 1, 1, tzinfo=UTC)
