"""Dialect checks (transformation strict/loose, query) and the function registry as data."""

from __future__ import annotations

import pytest

from azlogs import KqlError
from azlogs.kql import check, compile_transformation, parse
from azlogs.kql._registry import REGISTRY as FUNCTIONS
from azlogs.kql._registry import lookup
from azlogs.kql._values import KQL_TYPES
from tests.unit.kql._dcr_supported import DOCUMENTED_FUNCTIONS


class TestTransformationDialect:
    """The documented DCR subset, with a loose switch."""

    def test_listed_functions_pass_without_warnings(self) -> None:
        """Functions from the documented list give no warning."""
        q = parse(
            "source | extend a = iif(isnotempty(s), toupper(s), 'x'), b = datetime_diff('day', now(), ago(1d))"
        )
        assert check(q, "transformation") == []

    def test_doc_example_functions_warn(self) -> None:
        """iff and replace_string are accepted with a warning that names them."""
        warnings = check(
            parse("source | extend a = iff(true, replace_string(s, 'a', 'b'), s)"), "transformation"
        )
        assert len(warnings) == 2 and any("replace_string" in w for w in warnings)

    def test_query_only_function_refused_in_strict(self) -> None:
        """coalesce is not listed: refused in strict mode, accepted with a warning in loose mode."""
        q = parse("source | extend a = coalesce(s, 'x')")
        with pytest.raises(KqlError, match="'coalesce' is not supported in DCR transformations"):
            check(q, "transformation")
        assert any("coalesce" in w for w in check(q, "transformation", strict=False))

    def test_replacement_spelling_refused_even_when_loose(self) -> None:
        """column_ifexists has a DCR spelling, so it is refused with that suggestion in both modes."""
        with pytest.raises(KqlError) as info:
            check(parse("source | extend a = column_ifexists('x', '')"), "transformation", strict=False)
        assert info.value.hint == "use columnifexists()"

    def test_operators_stay_single_row_when_loose(self) -> None:
        """summarize is refused in loose mode too."""
        with pytest.raises(KqlError, match="'summarize' is not supported"):
            compile_transformation("source | summarize count()", {"a": "string"}, strict=False)

    def test_parse_where_refused(self) -> None:
        """parse-where is not in the list."""
        with pytest.raises(KqlError, match="'parse-where' is not supported"):
            check(parse("source | parse-where s with 'a' x:long"), "transformation")

    def test_let_tabular_source(self) -> None:
        """A let-bound tabular expression over source is a valid source."""
        t = compile_transformation("let T = source | where n > 1; T | extend m = n * 2", {"n": "long"})
        assert t.apply([{"n": 1}, {"n": 2}]).rows == [{"n": 2, "m": 4}]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                "externaldata (a: string) ['https://example.invalid/x'] | extend b = a",
                "'externaldata' is not",
            ),
            ("search 'x'", "'search' is not"),
            ("let T = materialize(source); T", "'materialize()' is not"),
            ("let f = (T: (n: long)) { T | where n > 1 }; f(source)", "with scalar arguments are supported"),
        ],
    )
    def test_query_only_sources_named(self, text: str, message: str) -> None:
        """A query-only source, materialize() or a UDF with a tabular argument is refused by name."""
        with pytest.raises(KqlError) as info:
            check(parse(text), "transformation")
        assert message in info.value.message

    def test_error_has_position(self) -> None:
        """Dialect errors point at the operator."""
        with pytest.raises(KqlError) as info:
            check(parse("source\n| take 1"), "transformation")
        assert (info.value.line, info.value.column) == (2, 3)

    def test_print_gives_one_row_per_record(self) -> None:
        """A print-sourced transformation runs once per incoming record."""
        t = compile_transformation("print x = 1", {"a": "string"})
        assert t.apply([{"a": "1"}, {"a": "2"}]).rows == [{"x": 1}, {"x": 1}]

    def test_timegenerated_type_warning(self) -> None:
        """An output TimeGenerated that is not a datetime is warned about."""
        t = compile_transformation("source | extend TimeGenerated = 'x'", {"a": "string"})
        assert any("TimeGenerated" in w for w in t.warnings)


class TestQueryDialect:
    """Queries accept the query operators and refuse transformation-only functions."""

    def test_query_operators_pass(self) -> None:
        """summarize, join, sort, take, mv-expand are fine in queries."""
        q = parse(
            "T | summarize count() by x | join kind=leftouter (U) on x | sort by x | take 3 | mv-expand y"
        )
        assert check(q, "query") == []

    def test_cef_refused_in_query(self) -> None:
        """parse_cef_dictionary is transformation-only."""
        with pytest.raises(KqlError, match="only be used in DCR transformations"):
            check(parse("T | extend d = parse_cef_dictionary(m)"), "query")


class TestRegistry:
    """The registry records arity, aliases and profiles as data."""

    def test_profiles(self) -> None:
        """A few functions carry the expected profile and arity."""
        assert lookup("strcat").profile == "dcr"  # type: ignore[union-attr]
        assert lookup("replace_string").profile == "dcr-doc"  # type: ignore[union-attr]
        assert lookup("geo_location").profile == "dcr-only"  # type: ignore[union-attr]
        assert lookup("count").profile == "aggregate"  # type: ignore[union-attr]
        spec = lookup("substring")
        assert spec is not None and (spec.min_args, spec.max_args) == (2, 3)

    def test_aliases(self) -> None:
        """todouble is toreal; floor is bin."""
        assert lookup("todouble") is lookup("toreal")
        assert lookup("floor") is lookup("bin")

    def test_every_documented_dcr_function_is_registered(self) -> None:
        """The documented list (tests/unit/kql/_dcr_supported.py) is registered with a DCR profile."""
        listed = [n for names in DOCUMENTED_FUNCTIONS.values() for n in names] + ["columnifexists"]
        missing = [n for n in listed if lookup(n) is None or lookup(n).profile not in ("dcr", "dcr-only")]  # type: ignore[union-attr]
        assert missing == []
        assert len(FUNCTIONS) > 120

    def test_types(self) -> None:
        """KQL_TYPES lists the ten scalar types."""
        assert set(KQL_TYPES) == {
            "bool",
            "int",
            "long",
            "real",
            "decimal",
            "string",
            "datetime",
            "timespan",
            "guid",
            "dynamic",
        }
