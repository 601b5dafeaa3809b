"""doctor --since: the window's forms, and what each DCRLogErrors message means in the user's terms."""

from __future__ import annotations

import datetime as dt

import pytest

from azlogs._exceptions import UsageError
from azlogs.doctor import explain, parse_since
from azlogs.doctor._dropped import human


class TestSince:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1h", dt.timedelta(hours=1)),
            ("30m", dt.timedelta(minutes=30)),
            ("2d", dt.timedelta(days=2)),
            ("90s", dt.timedelta(seconds=90)),
            ("PT1H30M", dt.timedelta(hours=1, minutes=30)),
            ("P1D", dt.timedelta(days=1)),
        ],
    )
    def test_forms(self, text: str, expected: dt.timedelta) -> None:
        """Short forms (1h, 30m, 2d) and ISO 8601 durations give the same windows."""
        assert parse_since(text) == expected

    @pytest.mark.parametrize("text", ["", "an hour", "0h", "1y", "PT"])
    def test_refused_with_usage_error(self, text: str) -> None:
        """Anything else is a usage error (exit 2) that shows the accepted forms."""
        with pytest.raises(UsageError) as info:
            parse_since(text)
        assert info.value.hint

    def test_human(self) -> None:
        """The window is shown as the user would write it."""
        assert [
            human(dt.timedelta(hours=1)),
            human(dt.timedelta(minutes=90)),
            human(dt.timedelta(days=2)),
        ] == [
            "1h",
            "90m",
            "2d",
        ]


class TestExplain:
    def test_the_emulators_kinds(self) -> None:
        """A Message that starts with the emulator's [kind] gets that kind's explanation and fix."""
        what, fix = explain("[dropped_undeclared] column is not declared in stream 'Custom-X'; dropped")
        assert "does not declare" in what and "streamDeclarations" in fix
        what, fix = explain("[type_mismatch] the table column is int, the data is string")
        assert "another type" in what and "toint()" in fix

    def test_azures_words(self) -> None:
        """Without a kind, the operation and the message's words choose the explanation."""
        assert "transformKql failed" in explain("Query execution failed", "Transformation")[0]
        assert "declared type" in explain("Failed to convert value 'abc' to type int", "Ingestion")[0]

    def test_unknown_message(self) -> None:
        """A message doctor cannot place is shown as Azure wrote it, with a neutral explanation."""
        what, fix = explain("Something new happened", "Ingestion")
        assert what.startswith("Azure recorded") and fix
