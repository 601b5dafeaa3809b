"""Kusto datetime text formats: one reader for ingestion, todatetime() and datetime literals.

Source: Kusto "The datetime data type", Supported formats (ISO 8601, RFC 822, RFC 850, sortable);
each case below names the table row it comes from, or why it is refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azlogs.kql import MemoryProvider, run_query
from azlogs.schema.coerce import coerce_value
from azlogs.schema.datetimes import _parse_slow, ensure_utc, parse_datetime
from azlogs.schema.types import ColumnType

UTC = timezone.utc


class TestFormats:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2014-05-25T08:20:03.123456Z", datetime(2014, 5, 25, 8, 20, 3, 123456, UTC)),
            ("2014-05-25T08:20:03.123456", datetime(2014, 5, 25, 8, 20, 3, 123456, UTC)),
            ("2014-05-25T08:20", datetime(2014, 5, 25, 8, 20, tzinfo=UTC)),
            ("2014-11-08 15:55:55.123456Z", datetime(2014, 11, 8, 15, 55, 55, 123456, UTC)),
            ("2014-11-08 15:55:55", datetime(2014, 11, 8, 15, 55, 55, tzinfo=UTC)),
            ("2014-11-08 15:55", datetime(2014, 11, 8, 15, 55, tzinfo=UTC)),
            ("2014-11-08", datetime(2014, 11, 8, tzinfo=UTC)),
            ("2021-12-08T23:51:14.1104269Z", datetime(2021, 12, 8, 23, 51, 14, 110426, UTC)),
            ("2021-12-08T23:51:14+02:00", datetime(2021, 12, 8, 21, 51, 14, tzinfo=UTC)),
            ("2021-12-08T23:51:14-0530", datetime(2021, 12, 9, 5, 21, 14, tzinfo=UTC)),
            (" 2021-12-08T23:51:14Z ", datetime(2021, 12, 8, 23, 51, 14, tzinfo=UTC)),
            ("Sat, 8 Nov 14 15:05:02 GMT", datetime(2014, 11, 8, 15, 5, 2, tzinfo=UTC)),
            ("Sat, 8 Nov 14 15:05:02", datetime(2014, 11, 8, 15, 5, 2, tzinfo=UTC)),
            ("Sat, 8 Nov 14 15:05", datetime(2014, 11, 8, 15, 5, tzinfo=UTC)),
            ("8 Nov 14 15:05 GMT", datetime(2014, 11, 8, 15, 5, tzinfo=UTC)),
            ("Sat, 08 Nov 2014 15:05:02 +0100", datetime(2014, 11, 8, 14, 5, 2, tzinfo=UTC)),
            ("Sat, 08 Nov 2014 15:05:02 PST", datetime(2014, 11, 8, 23, 5, 2, tzinfo=UTC)),
            ("Saturday, 08-Nov-14 15:05:02 GMT", datetime(2014, 11, 8, 15, 5, 2, tzinfo=UTC)),
            ("08-Nov-14 15:05", datetime(2014, 11, 8, 15, 5, tzinfo=UTC)),
            ("1 Jan 70 00:00", datetime(1970, 1, 1, tzinfo=UTC)),
            ("Sat, 08 Nov 2014 15:05:02 GMT", datetime(2014, 11, 8, 15, 5, 2, tzinfo=UTC)),  # RFC 1123
            (
                "2014-11-8 15:05:25",
                datetime(2014, 11, 8, 15, 5, 25, tzinfo=UTC),
            ),  # sortable %Y-%n-%e %H:%M:%s
            ("2014-11-08 15:05:25 GMT", datetime(2014, 11, 8, 15, 5, 25, tzinfo=UTC)),  # sortable ... %Z
            ("2024-1-2 03:04", datetime(2024, 1, 2, 3, 4, tzinfo=UTC)),  # sortable %Y-%n-%e %H:%M
            # The date alone: Kusto's dayofweek() page shows datetime(1970-5-12) answering Tuesday.
            ("1970-5-12", datetime(1970, 5, 12, tzinfo=UTC)),
            ("2024-1-2", datetime(2024, 1, 2, tzinfo=UTC)),
            ("2024-1-2T03:04 GMT", datetime(2024, 1, 2, 3, 4, tzinfo=UTC)),  # sortable %Y-%n-%eT%H:%M %Z
            # The US form, month first: the parse operator's page reads lockTime=02/17/2016 08:40:01
            # as a date; todatetime()'s page reads '12-02-2022'.
            ("02/17/2016 08:40:01", datetime(2016, 2, 17, 8, 40, 1, tzinfo=UTC)),
            ("02/17/2016", datetime(2016, 2, 17, tzinfo=UTC)),
            ("12-02-2022", datetime(2022, 12, 2, tzinfo=UTC)),
            ("2/7/2016 8:40 PM", datetime(2016, 2, 7, 20, 40, tzinfo=UTC)),
            ("12/31/2016 12:00:01 AM", datetime(2016, 12, 31, 0, 0, 1, tzinfo=UTC)),
            ("02/17/2016 08:40:01.25", datetime(2016, 2, 17, 8, 40, 1, 250000, UTC)),
        ],
    )
    def test_accepted(self, text: str, expected: datetime) -> None:
        """Kusto's documented formats read to the same UTC instant."""
        assert parse_datetime(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "yesterday",
            "2014-13-01",
            "2014-02-30T00:00:00",
            "2014-05-25T24:00:00",
            "2014-05-25T08:20:03,5",  # %s: the documented fraction is "."
            "20240102",  # no documented basic (compact) form
            "2024-01-02T3:04:05Z",  # %H is two digits
            "Sat, 8 Nov 14 5:05:02 GMT",  # %H is two digits
            "2014-11-08 15:05:25 XYZ",  # not a zone
            "2014-05-25T08:20:03.",
            "2014-05-25T08",
            "20140525T082003",
            "Sat, 8 Foo 14 15:05:02",
            "Xyz, 8 Nov 14 15:05:02",
            "2014-05-25T08:20:03+25:00",
            "1700000000",
            "17/02/2016",  # the US form is month first
            "02/17/2016 08:40:01,",
            "02/17/2016 13:00 PM",
        ],
    )
    def test_refused(self, text: str) -> None:
        """Texts outside the formats are not datetimes."""
        assert parse_datetime(text) is None

    def test_results_are_utc(self) -> None:
        """Every result is aware and in UTC."""
        value = parse_datetime("2021-12-08T23:51:14+02:00")
        assert value is not None
        assert value.utcoffset() == timedelta(0)


class TestFastPathAgrees:
    @given(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        st.sampled_from(["T", " "]),
    )
    def test_iso_fast_and_slow_paths_agree(self, value: datetime, sep: str) -> None:
        """The C fast path and the regex path read every ISO text to the same instant."""
        for text in (
            value.isoformat(sep=sep),
            value.isoformat(sep=sep) + "Z",
            value.isoformat(sep=sep) + "+01:30",
            value.isoformat(sep=sep, timespec="seconds") + "-0200",
        ):
            assert parse_datetime(text) == _parse_slow(text)
            assert parse_datetime(text) is not None


class TestEnsureUtc:
    def test_naive_is_utc(self) -> None:
        """A naive datetime is taken as UTC."""
        assert ensure_utc(datetime(2020, 1, 1)) == datetime(2020, 1, 1, tzinfo=UTC)

    def test_offset_converted(self) -> None:
        """An aware datetime is converted to UTC."""
        value = ensure_utc(datetime(2020, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))))
        assert value.tzinfo is UTC
        assert value.hour == 0


# The cases where ingestion and todatetime() once disagreed (issue 13), and a few of each form.
AGREEMENT = [
    "2024-1-2",
    "20240102",
    "2024-01-02T3:04:05Z",
    "2014-05-25T08:20:03,5",
    "2024-1-2 03:04",
    "2014-05-25T08:20:03.123456Z",
    "Sat, 8 Nov 14 15:05:02 GMT",
    "Saturday, 08-Nov-14 15:05:02 GMT",
    "2014-11-08 15:05:25 GMT",
    "20140525T082003",
    "02/17/2016 08:40:01",
    "12-02-2022",
    "not a date",
]


def _todatetime(text: str) -> object:
    result = run_query(f'print r = todatetime("{text}")', MemoryProvider())
    return result.tables[0].rows[0][0]


class TestOneReader:
    @pytest.mark.parametrize("text", AGREEMENT)
    def test_ingestion_and_todatetime_agree(self, text: str) -> None:
        """Ingestion's coercion of a datetime column, todatetime() and the reader give one answer."""
        coerced, _ = coerce_value(text, ColumnType.DATETIME)
        assert coerced == _todatetime(text) == parse_datetime(text)

    @pytest.mark.parametrize("text", [t for t in AGREEMENT if parse_datetime(t) is not None])
    def test_datetime_literals_read_the_same(self, text: str) -> None:
        """A datetime(...) literal reads its text with the same reader."""
        result = run_query(f"print r = datetime({text})", MemoryProvider())
        assert result.tables[0].rows[0][0] == parse_datetime(text)
