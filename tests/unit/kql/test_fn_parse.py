"""parse_path, parse_command_line, parse_version, parse_user_agent and the time-zone functions.

Sources: their Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/parse-path-function.md,
parse-command-line-function.md, parse-version-function.md, parse-user-agent-function.md,
datetime-utc-to-local-function.md, datetime-local-to-utc-function.md).
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from azlogs._exceptions import KqlError
from azlogs.kql import MemoryProvider, run_query

UTC = timezone.utc


def _one(expr: str) -> Any:
    return run_query(f"print r = {expr}", MemoryProvider()).tables[0].rows[0][0]


class TestParsePath:
    @pytest.mark.parametrize(
        ("path", "root", "directory", "name", "extension", "stream"),
        [
            (r"C:\temp\file.txt", "C:", r"C:\temp", "file.txt", "txt", ""),
            (r"\\shared\users\temp\file.txt.gz", "", r"\\shared\users\temp", "file.txt.gz", "gz", ""),
            ("/usr/lib/temp/file.txt", "", "/usr/lib/temp", "file.txt", "txt", ""),
            ("file://C:/temp/file.txt:some.exe", "C:", "C:/temp", "file.txt", "txt", "some.exe"),
            ("noext", "", "", "noext", "", ""),
        ],
    )
    def test_parts(
        self, path: str, root: str, directory: str, name: str, extension: str, stream: str
    ) -> None:
        """A path splits into root, directory, file name, extension and alternate data stream."""
        parts = _one(f"parse_path(@'{path}')")
        assert (parts["RootPath"], parts["DirectoryPath"], parts["Filename"]) == (root, directory, name)
        assert (parts["Extension"], parts["AlternateDataStreamName"]) == (extension, stream)

    def test_scheme(self) -> None:
        """A URL scheme is its own part."""
        assert _one("parse_path('file://C:/a/b.txt')")["Scheme"] == "file"


class TestParseCommandLine:
    @pytest.mark.parametrize(
        ("line", "args"),
        [
            (r"echo \"hello world!\"", ["echo", "hello world!"]),
            (r"a.exe \"b c\" d", ["a.exe", "b c", "d"]),
            (r"a.exe x\\\\\"y z\"", ["a.exe", "x\\y z"]),
            (r"a.exe x\\\"y", ["a.exe", 'x"y']),
            (r"\"C:\\Program Files\\a.exe\" -v", ["C:\\Program Files\\a.exe", "-v"]),
        ],
    )
    def test_windows_rules(self, line: str, args: list[str]) -> None:
        """Arguments split as CommandLineToArgvW splits them (quotes, backslash runs, the program name)."""
        assert _one(f'parse_command_line("{line}", "windows")') == args

    def test_other_parser_is_an_error(self) -> None:
        """Only the windows parser exists."""
        with pytest.raises(KqlError, match="windows"):
            run_query('print parse_command_line("a b", "unix")', MemoryProvider())


class TestParseVersion:
    @pytest.mark.parametrize(
        ("text", "value"),
        [("1.2.3.4", 1000000020000000300000004), ("0.0.7.0", 700000000), ("1", 10**24), ("0.2", 2 * 10**16)],
    )
    def test_value(self, text: str, value: int) -> None:
        """The parts are 8-digit groups of one decimal, missing parts 0."""
        assert _one(f"parse_version('{text}')") == Decimal(value)

    @pytest.mark.parametrize("text", ["", "1.2.3.4.5", "a.b", "123456789", "1..2"])
    def test_invalid_is_null(self, text: str) -> None:
        """Text that is not one to four numeric parts of up to 8 digits gives null."""
        assert _one(f"parse_version('{text}')") is None

    def test_type_is_decimal_and_compares(self) -> None:
        """The result is a decimal and versions compare in order."""
        result = run_query(
            "print a = parse_version('1.10'), b = parse_version('1.9') < parse_version('1.10')",
            MemoryProvider(),
        )
        assert result.tables[0].columns[0] == ("a", "decimal")
        assert result.tables[0].rows[0][1] is True


class TestParseUserAgent:
    def test_the_pages_examples(self) -> None:
        """The page's two examples answer as shown."""
        air = "Mozilla/5.0 (Windows; U; en-US) AppleWebKit/531.9 (KHTML, like Gecko) AdobeAIR/2.5.1"
        assert _one(f"parse_user_agent('{air}', 'browser')") == {
            "Browser": {"Family": "AdobeAIR", "MajorVersion": "2", "MinorVersion": "5", "Patch": "1"}
        }
        nokia = (
            "Mozilla/5.0 (SymbianOS/9.2; U; Series60/3.1 NokiaN81-3/10.0.032 Profile/MIDP-2.0 "
            "Configuration/CLDC-1.1 ) AppleWebKit/413 (KHTML, like Gecko) Safari/4"
        )
        got = _one(f"parse_user_agent('{nokia}', dynamic(['browser', 'os', 'device']))")
        assert got["Browser"] == {
            "Family": "Nokia OSS Browser",
            "MajorVersion": "3",
            "MinorVersion": "1",
            "Patch": "",
        }
        assert got["OperatingSystem"] == {
            "Family": "Symbian OS",
            "MajorVersion": "9",
            "MinorVersion": "2",
            "Patch": "",
            "PatchMinor": "",
        }
        assert got["Device"] == {"Family": "Nokia N81", "Brand": "Nokia", "Model": "N81-3"}

    def test_unknown_is_other(self) -> None:
        """A browser the table does not know is Other with empty versions."""
        assert _one("parse_user_agent('curl/8.0', 'browser')")["Browser"]["Family"] == "Other"

    def test_bad_target_is_an_error(self) -> None:
        """A look-for value other than browser, os, device is a query error."""
        with pytest.raises(KqlError, match="look-for"):
            run_query("print parse_user_agent('x', 'cpu')", MemoryProvider())


class TestTimeZones:
    def test_utc_to_local(self) -> None:
        """A UTC instant as the wall clock of a zone (US/Pacific is UTC-7 in July)."""
        assert _one("datetime_utc_to_local(datetime(2022-07-11 22:18:48), 'US/Pacific')") == datetime(
            2022, 7, 11, 15, 18, 48, tzinfo=UTC
        )

    def test_local_to_utc(self) -> None:
        """A wall-clock time of a zone as UTC (Europe/Paris is UTC+1 in February)."""
        assert _one("datetime_local_to_utc(datetime(2020-02-02 20:02:20), 'Europe/Paris')") == datetime(
            2020, 2, 2, 19, 2, 20, tzinfo=UTC
        )

    def test_skipped_local_time_takes_the_new_offset(self) -> None:
        """02:00 on the day Brussels skips it reads with the summer offset (the page's 00:00 UTC)."""
        assert _one("datetime_local_to_utc(datetime(2022-03-27 02:00), 'Europe/Brussels')") == datetime(
            2022, 3, 27, 0, 0, tzinfo=UTC
        )

    def test_unknown_zone_is_null(self) -> None:
        """A zone name the IANA database does not know gives null."""
        assert _one("datetime_utc_to_local(datetime(2022-01-01), 'Mars/Olympus')") is None


class TestUrlQueryAndJson:
    def test_parse_urlquery(self) -> None:
        """parse_urlquery gives the parameters under "Query Parameters" (the page's first example)."""
        assert _one("parse_urlquery('k1=v1&k2=v2&k3=v3')") == {
            "Query Parameters": {"k1": "v1", "k2": "v2", "k3": "v3"}
        }

    def test_extract_json_typed(self) -> None:
        """extract_json reads a JSONPath and converts to the type asked for; a missing key is null."""
        doc = """'{"name": "John", "age": 30, "city": {"n": "NY"}}'"""
        result = run_query(
            f"print a = extract_json('$.name', {doc}, typeof(string)), b = extract_json('$.age', {doc}, typeof(long)),"
            f" c = extract_json('$.city.n', {doc}), d = extract_json('$.nope', {doc}, typeof(long))",
            MemoryProvider(),
        ).tables[0]
        assert result.columns == [("a", "string"), ("b", "long"), ("c", "string"), ("d", "long")]
        assert result.rows == [["John", 30, "NY", None]]

    def test_extract_json_needs_a_constant_path(self) -> None:
        """The path must be a constant."""
        with pytest.raises(KqlError, match="constant"):
            run_query("print p = '$.a' | extend v = extract_json(p, '{}')", MemoryProvider())
