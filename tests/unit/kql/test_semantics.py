"""KQL semantics, not Python's: the traps of reference part B.3.2 and the scalar library."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, compile_transformation, run_query
from tests.unit.kql._helpers import FIXED_NOW

UTC = timezone.utc


def scalar(expr: str) -> Any:
    """Evaluate ``print r = expr`` and return r."""
    result = run_query(f"print r = {expr}", MemoryProvider(), clock=lambda: FIXED_NOW)
    return result.tables[0].rows[0][0]


def rtype(expr: str) -> str:
    """The static KQL type of ``expr``."""
    return run_query(f"print r = {expr}", MemoryProvider(), clock=lambda: FIXED_NOW).tables[0].columns[0][1]


class TestArithmetic:
    """Integer division, modulo and null propagation."""

    def test_long_division_truncates(self) -> None:
        """long / long truncates toward zero."""
        assert scalar("7 / 2") == 3
        assert scalar("-7 / 2") == -3
        assert rtype("7 / 2") == "long"

    def test_real_division(self) -> None:
        """A real operand gives real division."""
        assert scalar("7 / 2.0") == 3.5

    def test_modulo_never_negative(self) -> None:
        """-10 % 4 is 2 in KQL."""
        assert scalar("-10 % 4") == 2

    def test_integer_division_by_zero_is_null(self) -> None:
        """1 / 0 for longs is null; for reals it is infinity."""
        assert scalar("1 / 0") is None
        assert scalar("1.0 / 0") == math.inf

    def test_null_propagates(self) -> None:
        """Arithmetic with null is null."""
        assert scalar("int(null) + 1") is None

    def test_string_arithmetic_refused(self) -> None:
        """'a' + 'b' is a semantic error with a strcat hint."""
        with pytest.raises(KqlError) as info:
            scalar('"a" + "b"')
        assert "strcat" in (info.value.hint or "")

    def test_round_half_away_from_zero(self) -> None:
        """round(2.5) is 3, not Python's banker's 2."""
        assert scalar("round(2.5)") == 3.0
        assert scalar("round(-2.5)") == -3.0
        assert scalar("round(1.2345, 2)") == 1.23


class TestNullsAndStrings:
    """Strings are never null; == and != with nulls follow KQL."""

    def test_null_equality(self) -> None:
        """null == null is null; null == 1 is false; null != 1 is true."""
        assert scalar("int(null) == int(null)") is None
        assert scalar("int(null) == 1") is False
        assert scalar("int(null) != 1") is True

    def test_missing_string_column_is_empty(self) -> None:
        """An absent string value is "" (isempty true, isnull false)."""
        t = compile_transformation("source | extend e = isempty(s), n = isnull(s)", {"s": "string"})
        row = t.apply([{}]).rows[0]
        assert row == {"s": "", "e": True, "n": False}

    def test_isnull_vs_isempty_on_typed(self) -> None:
        """A null long is null and empty."""
        assert scalar("isnull(long(null))") is True
        assert scalar("isempty(long(null))") is True

    def test_equality_is_case_sensitive(self) -> None:
        """== is case-sensitive, =~ is not."""
        assert scalar('"Abc" == "abc"') is False
        assert scalar('"Abc" =~ "abc"') is True
        assert scalar('"Abc" !~ "abc"') is False

    def test_column_names_are_case_sensitive(self) -> None:
        """properties and Properties are two columns."""
        t = compile_transformation(
            "source | extend Properties = strcat(properties, '!')", {"properties": "string"}
        )
        assert t.apply([{"properties": "p"}]).rows == [{"properties": "p", "Properties": "p!"}]

    def test_unknown_column_suggests_case(self) -> None:
        """A wrong-case column name is refused with a suggestion."""
        with pytest.raises(KqlError) as info:
            compile_transformation("source | where Severity == 'x'", {"severity": "string"})
        assert "severity" in (info.value.hint or "")


class TestStringOperators:
    """has, contains, startswith, in, between, matches regex."""

    @pytest.mark.parametrize(
        ("expr", "expected"),
        [
            ('"disk error occurred" has "error"', True),
            ('"errors are fine" has "error"', False),
            ('"ERROR: x" has "error"', True),
            ('"ERROR: x" has_cs "error"', False),
            ('"a.b.c" has "b.c"', True),
            ('"abc" contains "B"', True),
            ('"abc" contains_cs "B"', False),
            ('"abc" !contains "z"', True),
            ('"Hello" startswith "he"', True),
            ('"Hello" startswith_cs "he"', False),
            ('"Hello" endswith "LO"', True),
            ('"x" in ("x", "y")', True),
            ('"X" in ("x", "y")', False),
            ('"X" in~ ("x", "y")', True),
            ('"z" !in ("x", "y")', True),
            ("5 between (1 .. 5)", True),
            ("6 !between (1 .. 5)", True),
            ('"abc123" matches regex "[a-z]+[0-9]+"', True),
            ('"error term" hasprefix "ter"', True),
            ('"error term" has_any ("x", "term")', True),
            ('"error term" has_all ("x", "term")', False),
        ],
    )
    def test_operator(self, expr: str, expected: bool) -> None:
        """Each string operator gives KQL's answer."""
        assert scalar(expr) is expected

    def test_regex_is_re2(self) -> None:
        """Look-behind is refused (RE2), with a hint."""
        with pytest.raises(KqlError) as info:
            scalar('"ab" matches regex "(?<=a)b"')
        assert "RE2" in (info.value.hint or "")


class TestTextForms:
    """tostring of dynamic is JSON; bools print as true/false."""

    def test_tostring_dynamic_is_compact_json(self) -> None:
        """tostring(parse_json('{"a": 1}')) is {"a":1}."""
        assert scalar('tostring(parse_json(\'{"a": 1, "b": [true]}\'))') == '{"a":1,"b":[true]}'

    def test_strcat_bool(self) -> None:
        """strcat("a", 1, true) is a1true."""
        assert scalar('strcat("a", 1, true)') == "a1true"

    def test_tostring_real(self) -> None:
        """Whole reals print without a fraction."""
        assert scalar("tostring(1.0)") == "1"
        assert scalar("tostring(15.3)") == "15.3"

    def test_tostring_datetime_and_timespan(self) -> None:
        """Datetimes print as ISO 8601 with seven fractional digits and Z (the reverse page's
        ``Z0000000.00:00:21T51-01-7102``); timespans as [d.]hh:mm:ss."""
        assert scalar("tostring(datetime(2024-01-01 10:00))") == "2024-01-01T10:00:00.0000000Z"
        assert scalar("tostring(1d + 2h)") == "1.02:00:00"


class TestDynamic:
    """Indexing and member access on dynamic values."""

    def test_member_and_index(self) -> None:
        """d.a, d["a"], d[0], d[-1] and out of range."""
        base = "parse_json('{\"a\": [10, 20, 30]}')"
        assert scalar(f"{base}.a[0]") == 10
        assert scalar(f"{base}['a'][-1]") == 30
        assert scalar("split('a,b', ',')[5]") is None

    def test_split_returns_dynamic(self) -> None:
        """split gives a dynamic array of strings."""
        assert scalar("split('a/b/c', '/')") == ["a", "b", "c"]
        assert rtype("split('a/b/c', '/')") == "dynamic"


class TestDatetime:
    """Datetime formats, arithmetic, bins and the week."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2014-05-25T08:20:03.123456Z", datetime(2014, 5, 25, 8, 20, 3, 123456, tzinfo=UTC)),
            ("2014-11-08 15:55:55", datetime(2014, 11, 8, 15, 55, 55, tzinfo=UTC)),
            ("2014-11-08", datetime(2014, 11, 8, tzinfo=UTC)),
            ("Sat, 8 Nov 14 15:05:02 GMT", datetime(2014, 11, 8, 15, 5, 2, tzinfo=UTC)),
            ("8 Nov 2014 15:05 GMT", datetime(2014, 11, 8, 15, 5, tzinfo=UTC)),
            ("Saturday, 08-Nov-14 15:05:02 GMT", datetime(2014, 11, 8, 15, 5, 2, tzinfo=UTC)),
            ("2014-11-08T15:05:02+01:00", datetime(2014, 11, 8, 14, 5, 2, tzinfo=UTC)),
            ("2021-12-08T23:51:14.1104269Z", datetime(2021, 12, 8, 23, 51, 14, 110426, tzinfo=UTC)),
        ],
    )
    def test_todatetime_formats(self, text: str, expected: datetime) -> None:
        """todatetime reads the documented formats (the 7th fractional digit is truncated)."""
        assert scalar(f'todatetime("{text}")') == expected

    def test_todatetime_junk_is_null(self) -> None:
        """Unparseable text gives null."""
        assert scalar('todatetime("not a date")') is None

    def test_datetime_arithmetic(self) -> None:
        """datetime - datetime is a timespan; + timespan is a datetime."""
        assert scalar("datetime(2024-01-02) - datetime(2024-01-01)") == timedelta(days=1)
        assert scalar("datetime(2024-01-01) + 1.5h") == datetime(2024, 1, 1, 1, 30, tzinfo=UTC)
        assert scalar("2h / 1h") == 2.0

    def test_bin(self) -> None:
        """bin floors datetimes, timespans and numbers."""
        assert scalar("bin(datetime(2024-01-01 10:47:13), 1h)") == datetime(2024, 1, 1, 10, tzinfo=UTC)
        assert scalar("bin(17, 5)") == 15
        assert scalar("floor(17.5, 5)") == 15.0
        assert scalar("bin(90m, 1h)") == timedelta(hours=1)

    def test_ago_and_now_use_the_clock(self) -> None:
        """ago(1d) is the injected now minus one day."""
        assert scalar("ago(1d)") == FIXED_NOW - timedelta(days=1)
        assert scalar("now()") == FIXED_NOW

    def test_week_starts_sunday(self) -> None:
        """dayofweek is a timespan from Sunday; startofweek is a Sunday."""
        assert scalar("dayofweek(datetime(2024-05-05))") == timedelta(0)  # a Sunday
        assert scalar("dayofweek(datetime(2024-05-01))") == timedelta(days=3)
        assert scalar("startofweek(datetime(2024-05-01))") == datetime(2024, 4, 28, tzinfo=UTC)

    def test_endof_is_last_instant_inside(self) -> None:
        """endofday is inside the day; startofmonth takes an offset."""
        assert scalar("endofday(datetime(2024-05-01 10:00))") == datetime(
            2024, 5, 1, 23, 59, 59, 999999, tzinfo=UTC
        )
        assert scalar("startofmonth(datetime(2024-05-17), 1)") == datetime(2024, 6, 1, tzinfo=UTC)

    def test_make_datetime_truncates(self) -> None:
        """Fractional seconds are kept to the microsecond, not rounded up."""
        assert scalar("make_datetime(2024, 1, 2, 3, 4, 5.9999999)") == datetime(
            2024, 1, 2, 3, 4, 5, 999999, tzinfo=UTC
        )

    def test_datetime_diff_and_add(self) -> None:
        """datetime_diff counts boundaries; datetime_add adds calendar months."""
        assert scalar("datetime_diff('month', datetime(2024-03-01), datetime(2023-12-31))") == 3
        assert scalar("datetime_add('month', 1, datetime(2024-01-31))") == datetime(2024, 2, 29, tzinfo=UTC)

    def test_format_datetime_and_timespan(self) -> None:
        """.NET-style format tokens."""
        assert (
            scalar("format_datetime(datetime(2024-01-02 03:04:05.123), 'yyyy-MM-dd HH:mm:ss.fff')")
            == "2024-01-02 03:04:05.123"
        )
        assert scalar("format_timespan(1d + 2h + 3m, 'd.hh:mm')") == "1.02:03"

    def test_unixtime(self) -> None:
        """unixtime_seconds_todatetime counts from 1970."""
        assert scalar("unixtime_seconds_todatetime(86400)") == datetime(1970, 1, 2, tzinfo=UTC)


class TestFunctions:
    """Argument orders and conversions that differ between similar functions."""

    def test_extract_argument_order(self) -> None:
        """extract(regex, group, text), with an optional type."""
        assert scalar('extract("id=([0-9]+)", 1, "x id=17")') == "17"
        assert scalar('extract("id=([0-9]+)", 1, "x id=17", typeof(long))') == 17
        assert scalar('extract("q=([0-9]+)", 1, "x id=17")') == ""

    def test_replace_variants(self) -> None:
        """replace_string (plain), replace_regex (regex), replace (deprecated, regex first)."""
        assert scalar('replace_string("a.b.c", ".", "-")') == "a-b-c"
        assert scalar(r'replace_regex("a1b22", @"(\d+)", @"<\1>")') == "a<1>b<22>"
        assert scalar('replace(";", " ", "a;b")') == "a b"

    def test_toint_of_junk_is_null(self) -> None:
        """toint of text that is not a number is null; of a real it truncates."""
        assert scalar('toint("x")') is None
        assert scalar("toint(2.9)") == 2
        assert scalar('tolong("42")') == 42

    def test_iff_case_coalesce(self) -> None:
        """Conditionals pick the first true branch; coalesce skips nulls."""
        assert scalar('iff(1 > 2, "a", "b")') == "b"
        assert scalar('case(1 > 2, "a", 2 > 1, "b", "c")') == "b"
        assert scalar("coalesce(long(null), 3)") == 3

    def test_strings(self) -> None:
        """substring, indexof, strlen, toupper, trim, countof."""
        assert scalar('substring("jane.doe", 0, indexof("jane.doe", "."))') == "jane"
        assert scalar('strlen("héllo")') == 5
        assert scalar('trim(@"\\s", "  x  ")') == "x"
        assert scalar('countof("aaa", "aa")') == 2

    def test_base64_and_hash(self) -> None:
        """base64 round trip and sha256 hex."""
        assert scalar('base64_decodestring(base64_encodestring("hi"))') == "hi"
        assert scalar('hash_sha256("abc")').startswith("ba7816bf")

    def test_parse_url_and_csv(self) -> None:
        """parse_url splits a URL; parse_csv honours quotes."""
        url = scalar('parse_url("https://h.example:8080/p?q=1#f")')
        assert (url["Host"], url["Port"], url["Path"], url["Query Parameters"]) == (
            "h.example",
            "8080",
            "/p",
            {"q": "1"},
        )
        assert scalar("parse_csv('a,\"b,c\",d')") == ["a", "b,c", "d"]

    def test_bitwise_and_math(self) -> None:
        """binary_* and the math functions."""
        assert scalar("binary_and(12, 10)") == 8
        assert scalar("binary_shift_left(1, 4)") == 16
        assert scalar("pow(2, 10)") == 1024.0
        assert scalar("exp2(5)") == 32.0

    def test_gettype(self) -> None:
        """gettype names dynamic kinds."""
        assert scalar("gettype(parse_json('[1]'))") == "array"
        assert scalar("gettype(parse_json('{}'))") == "dictionary"

    def test_gettype_of_a_typed_value(self) -> None:
        """gettype of a typed value is its type (gettype(111) is long), of a dynamic one by value (int)."""
        assert scalar("gettype(111)") == "long"
        assert scalar("gettype(toint(1))") == "int"
        assert scalar("gettype(parse_json('1'))") == "int"
        assert scalar("gettype(1s)") == "timespan"

    def test_cef(self) -> None:
        """parse_cef_dictionary reads the header and the extension with escapes."""
        t = compile_transformation("source | extend d = parse_cef_dictionary(m)", {"m": "string"})
        row = t.apply([{"m": r"CEF:0|V|P|1|100|N|5|src=1.2.3.4 msg=a\=b c"}]).rows[0]
        assert row["d"]["DeviceVendor"] == "V"
        assert row["d"]["Extension"] == {"src": "1.2.3.4", "msg": "a=b c"}

    def test_geo_location_unknown_is_empty(self) -> None:
        """An address outside the small offline table gives an empty bag."""
        t = compile_transformation("source | extend g = geo_location(ip)", {"ip": "string"})
        assert t.apply([{"ip": "192.0.2.1"}]).rows[0]["g"] == {}

    def test_dcr_only_function_refused_in_query(self) -> None:
        """geo_location cannot be used in a log query."""
        with pytest.raises(KqlError, match="only be used in DCR transformations"):
            scalar('geo_location("1.0.0.1")')


class TestParseOperator:
    """parse kind=simple and kind=regex."""

    def _parse(self, pattern: str, text: str, cols: list[str]) -> list[Any]:
        t = compile_transformation(f"source | parse s with {pattern}", {"s": "string"})
        row = t.apply([{"s": text}]).rows[0]
        return [row[c] for c in cols]

    def test_literals_are_case_sensitive(self) -> None:
        """A literal that differs in case does not match: captures stay empty."""
        assert self._parse('"Id=" id:long', "id=5", ["id"]) == [None]

    def test_all_or_nothing(self) -> None:
        """One failing typed capture blanks every capture of the row."""
        assert self._parse('a:string "," n:long', "x,1.5", ["a", "n"]) == ["", None]
        assert self._parse('a:string "," n:long', "x,15", ["a", "n"]) == ["x", 15]

    def test_pattern_must_reach_the_end(self) -> None:
        """Without a trailing *, leftover text means no match."""
        assert self._parse('"a=" a:long', "a=1 tail", ["a"]) == [None]
        assert self._parse('"a=" a:long *', "a=1 tail", ["a"]) == [1]

    def test_lazy_captures(self) -> None:
        """A string capture stops at the first following literal."""
        assert self._parse('a:string "-" b:string', "x-y-z", ["a", "b"]) == ["x", "y-z"]

    def test_regex_kind(self) -> None:
        """kind=regex treats literals as regular expressions."""
        t = compile_transformation(
            r'source | parse kind=regex s with @"n=" n:long @"\s+v=" v:string', {"s": "string"}
        )
        assert t.apply([{"s": "pre n=12  v=abc"}]).rows[0]["n"] == 12

    def test_star_after_string_is_refused(self) -> None:
        """SEM0476 in every dialect."""
        with pytest.raises(KqlError, match="ambiguous"):
            run_query('print s = "a" | parse s with "n=" n *', MemoryProvider())

    def test_parse_where_drops(self) -> None:
        """parse-where drops rows that do not match (query dialect)."""
        res = run_query('datatable(s:string)["a=1", "b"] | parse-where s with "a=" a:long', MemoryProvider())
        assert res.tables[0].rows == [["a=1", 1]]


class TestTransformationRuntime:
    """A failing record is dropped with its reason; the batch goes on."""

    def test_runtime_error_drops_one_record(self) -> None:
        """A regex invalid at runtime fails only the record that uses it."""
        t = compile_transformation("source | extend m = s matches regex p", {"s": "string", "p": "string"})
        res = t.apply([{"s": "a", "p": "a"}, {"s": "a", "p": "(?<=a)"}, {"s": "b", "p": "b"}])
        assert [r["m"] for r in res.rows] == [True, True]
        assert res.errors and res.errors[0][0] == 1 and "regular expression" in res.errors[0][1]

    def test_output_columns_types(self) -> None:
        """output_columns lists every output column with its KQL type."""
        t = compile_transformation(
            "source | extend n = toint(s), d = todatetime(s) | project-away s", {"s": "string"}
        )
        assert t.output_columns == {"n": "int", "d": "datetime"}
