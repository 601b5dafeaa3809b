"""Name rules for columns, tables, streams and output streams."""

from __future__ import annotations

import pytest

from azlogs.schema.names import (
    RESERVED_COLUMN_NAMES,
    column_name_problem,
    output_stream_for_table,
    output_stream_problem,
    stream_name_problem,
    table_for_output_stream,
    table_name_problem,
)


class TestColumnNames:
    @pytest.mark.parametrize("name", ["TimeGenerated", "ab", "a1", "user_name", "A" * 45, "x_"])
    def test_valid(self, name: str) -> None:
        """Letters first, then letters, digits, underscores, 2 to 45 characters."""
        assert column_name_problem(name) is None

    @pytest.mark.parametrize(
        ("name", "words"),
        [
            ("", "non-empty"),
            ("a", "2 to 45"),
            ("A" * 46, "2 to 45"),
            ("1abc", "start with a letter"),
            ("_abc", "start with a letter"),
            ("user-name", "letters, digits and underscores"),
            ("user name", "letters, digits and underscores"),
            ("a.b", "letters, digits and underscores"),
            ("naïve", "ASCII"),
            ("Type", "reserved"),
            ("type", "reserved"),
            ("_ResourceId", "reserved"),
            ("TenantId", "reserved"),
        ],
    )
    def test_invalid(self, name: str, words: str) -> None:
        """Each broken rule is named in the problem text."""
        problem = column_name_problem(name)
        assert problem is not None
        assert words in problem

    def test_every_reserved_name_refused(self) -> None:
        """Every name of the reserved list is refused."""
        for name in RESERVED_COLUMN_NAMES:
            assert column_name_problem(name) is not None

    def test_non_string(self) -> None:
        """A non-string name is a problem, not a crash."""
        assert column_name_problem(3) is not None


class TestTableNames:
    def test_custom_needs_cl(self) -> None:
        """Custom tables end in _CL."""
        assert table_name_problem("MyTable_CL") is None
        assert "_CL" in (table_name_problem("MyTable") or "")
        assert table_name_problem("_CL") is not None

    def test_characters(self) -> None:
        """Table names start with a letter and use word characters."""
        assert table_name_problem("My-Table_CL") is not None
        assert table_name_problem("1Table_CL") is not None
        assert table_name_problem("Syslog", custom=False) is None

    def test_length(self) -> None:
        """Table names longer than the ceiling are refused."""
        assert table_name_problem("A" * 60 + "_CL") is None
        assert table_name_problem("A" * 61 + "_CL") is not None


class TestStreamNames:
    def test_declared_streams_must_be_custom(self) -> None:
        """Stream declarations begin with Custom-."""
        assert stream_name_problem("Custom-MyTable") is None
        assert stream_name_problem("Custom-My-Table_CL") is None
        assert stream_name_problem("MyTable") is not None
        assert stream_name_problem("Microsoft-Syslog") is not None
        assert stream_name_problem("Custom-") is not None

    def test_flow_streams_allow_known_microsoft(self) -> None:
        """A data flow may read a known Microsoft- stream, not an unknown one."""
        assert stream_name_problem("Microsoft-Syslog", declared=False) is None
        problem = stream_name_problem("Microsoft-WindowsEvents", declared=False)
        assert problem is not None
        assert "custom stream" in problem


class TestOutputStreams:
    def test_table_for_output_stream(self) -> None:
        """Custom-X_CL writes to X_CL; Microsoft-Syslog writes to Syslog."""
        assert table_for_output_stream("Custom-MyTable_CL") == "MyTable_CL"
        assert table_for_output_stream("Microsoft-Syslog") == "Syslog"
        assert table_for_output_stream("Custom-MyTable") is None
        assert table_for_output_stream("MyTable_CL") is None

    def test_output_stream_problem(self) -> None:
        """A bare table name is not an output stream (the classic mistake)."""
        assert output_stream_problem("Custom-MyTable_CL") is None
        assert output_stream_problem("MyTable_CL") is not None
        assert output_stream_problem(None) is not None

    def test_output_stream_for_table(self) -> None:
        """The inverse of table_for_output_stream."""
        assert output_stream_for_table("MyTable_CL") == "Custom-MyTable_CL"
        assert output_stream_for_table("Syslog") == "Microsoft-Syslog"
