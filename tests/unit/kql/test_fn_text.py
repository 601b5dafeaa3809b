"""String functions and parse as Kusto answers: replace_strings, strcmp, tohex, url_encode, substring with a
negative start, extract_all with named groups, parse kind=regex greediness.

Sources: the functions' Kusto pages and the parse operator's (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query); their examples with output tables are also conformance cases.
"""

from __future__ import annotations

from typing import Any

import pytest

from azlogs._exceptions import KqlError
from azlogs.kql import MemoryProvider, run_query


def _one(expr: str) -> Any:
    return run_query(f"print r = {expr}", MemoryProvider()).tables[0].rows[0][0]


class TestReplaceStrings:
    def test_earlier_lookup_wins(self) -> None:
        """Matches never overlap and an earlier lookup claims its matches first (This vs Thwas)."""
        text = "'This is an example'"
        assert _one(f"replace_strings({text}, dynamic(['This', 'is']), dynamic(['This', 'was']))") == (
            "This was an example"
        )
        assert _one(f"replace_strings({text}, dynamic(['is', 'This']), dynamic(['was', 'This']))") == (
            "Thwas was an example"
        )

    def test_non_string_rewrite_keeps_the_match(self) -> None:
        """A rewrite that is not a string leaves its match unchanged, and the match stays claimed."""
        q = "replace_strings('This is', dynamic(['This', 'is']), dynamic([12345, 'was']))"
        assert _one(q) == "This was"


class TestSmallFunctions:
    @pytest.mark.parametrize(("a", "b", "want"), [("ABC", "ABC", 0), ("abc", "ABC", 1), ("ABC", "abc", -1)])
    def test_strcmp(self, a: str, b: str, want: int) -> None:
        """strcmp is -1, 0 or 1, ordinal."""
        assert _one(f"strcmp('{a}', '{b}')") == want

    @pytest.mark.parametrize(
        ("expr", "want"),
        [
            ("tohex(256)", "100"),
            ("tohex(-256)", "ffffffffffffff00"),
            ("tohex(toint(-256), 8)", "ffffff00"),
            ("tohex(256, 8)", "00000100"),
            ("tohex(256, 2)", "100"),
        ],
    )
    def test_tohex(self, expr: str, want: str) -> None:
        """tohex writes two's complement in the argument's width (int 32, long 64 bits), zero-padded."""
        assert _one(expr) == want

    def test_tohex_refuses_text(self) -> None:
        """tohex of a string is a query error."""
        with pytest.raises(KqlError, match="tohex"):
            run_query("print tohex('a')", MemoryProvider())

    def test_url_encode_as_dotnet(self) -> None:
        """url_encode writes lower-case escapes and '+' for a space; url_encode_component %20."""
        assert (
            _one("url_encode('https://www.bing.com/hello world')")
            == "https%3a%2f%2fwww.bing.com%2fhello+world"
        )
        assert _one("url_encode_component('hello world/~')") == "hello%20world%2f%7e"

    @pytest.mark.parametrize(
        ("expr", "want"),
        [
            ('substring("123456", -2, 2)', "56"),
            ('substring("123456", -2)', "56"),
            ('substring("123", -9, 2)', "12"),
        ],
    )
    def test_substring_negative_start(self, expr: str, want: str) -> None:
        """A negative start counts from the end of the text."""
        assert _one(expr) == want

    def test_extract_all_named_groups(self) -> None:
        """extract_all picks capture groups by name as well as by number."""
        q = "extract_all(@'(?P<first>\\w)(?P<middle>\\w+)(?P<last>\\w)', dynamic(['first', 2, 'last']), 'ab12-cd-x')"
        assert _one(q) == [["a", "b1", "2"]]


class TestParseRegex:
    TEXT = "resourceName=Pipe, totalSlices=27, sliceNumber=23"

    def _parse(self, flags: str) -> Any:
        q = f'print s="{self.TEXT}" | parse kind=regex {flags} s with * "resourcename=" name \',\' *'
        return run_query(q, MemoryProvider()).tables[0].rows[0][-1]

    def test_greedy_by_default(self) -> None:
        """Without U a capture is greedy: it runs to the last delimiter (the parse page's example)."""
        assert self._parse("flags=i") == "Pipe, totalSlices=27"

    def test_u_makes_it_lazy(self) -> None:
        """flags=U makes the captures lazy."""
        assert self._parse("flags=Ui") == "Pipe"

    def test_groups_in_the_pattern_do_not_shift_captures(self) -> None:
        """A group in the pattern's own regex text does not take a capture's place."""
        q = 'print s="a=1;b=2" | parse kind=regex s with "(a|x)=" first: long ";(b)=" second: long'
        assert run_query(q, MemoryProvider()).tables[0].rows[0][1:] == [1, 2]
