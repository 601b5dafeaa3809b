"""The tabular operators of issue 14 against the Kusto documentation's examples (rows and types),
and what the pages leave to our reading (externaldata, search, partition, materialize, sample ...).

The documented cases are data in ``_docs_examples_operators``; each gives the output columns with
their KQL types and the rows the page prints.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, compile_transformation, run_query
from azlogs.kql._values import parse_datetime
from tests.unit.kql._docs_examples_operators import DOC_EXAMPLES_OPERATORS, UNORDERED
from tests.unit.kql._helpers import FIXED_NOW, plain

_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\Z")


def _cmp(value: Any) -> Any:
    """Comparable values: an ISO datetime text (as dynamic arrays hold them) as its instant,
    reals to 12 significant digits, NaN as a marker."""
    value = plain(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and _ISO.match(value):
        return ("datetime", parse_datetime(value))
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else float(f"{value:.12g}")
    if isinstance(value, list):
        return [_cmp(v) for v in value]
    if isinstance(value, dict):
        return {k: _cmp(v) for k, v in value.items()}
    return value


def _run(query: str, provider: MemoryProvider | None = None) -> Any:
    return run_query(query, provider or MemoryProvider(), clock=lambda: FIXED_NOW).tables[0]


class TestDocumentedExamples:
    """Each documented example answers the page's columns, types and rows."""

    @pytest.mark.parametrize(
        ("page", "query", "columns", "rows"),
        DOC_EXAMPLES_OPERATORS,
        ids=[c[0] for c in DOC_EXAMPLES_OPERATORS],
    )
    def test_example_answers_as_the_page_shows(
        self, page: str, query: str, columns: list[tuple[str, str]], rows: list[list[Any]]
    ) -> None:
        """The output columns with their types, and the rows, are the page's."""
        table = _run(query)
        assert table.columns == columns
        got, want = _cmp(table.rows), _cmp(rows)
        if page in UNORDERED:
            got, want = sorted(got, key=repr), sorted(want, key=repr)
        assert got == want

    def test_case_ids_are_unique(self) -> None:
        """Each case names one example of one page."""
        ids = [c[0] for c in DOC_EXAMPLES_OPERATORS]
        assert len(ids) == len(set(ids))


def _provider() -> MemoryProvider:
    return MemoryProvider(
        {
            "SigninLogs": (
                [("TimeGenerated", "datetime"), ("UserPrincipalName", "string"), ("IPAddress", "string")],
                [
                    {
                        "TimeGenerated": datetime(2024, 1, 1, 10, tzinfo=FIXED_NOW.tzinfo),
                        "UserPrincipalName": "a@x",
                        "IPAddress": "10.0.0.1",
                    },
                    {
                        "TimeGenerated": datetime(2024, 1, 1, 11, tzinfo=FIXED_NOW.tzinfo),
                        "UserPrincipalName": "b@x",
                        "IPAddress": "10.0.0.2",
                    },
                    {
                        "TimeGenerated": datetime(2024, 1, 2, 10, tzinfo=FIXED_NOW.tzinfo),
                        "UserPrincipalName": "a@x",
                        "IPAddress": "192.0.2.7",
                    },
                ],
            ),
            "SecurityEvent": (
                [("TimeGenerated", "datetime"), ("Account", "string"), ("EventID", "int")],
                [
                    {
                        "TimeGenerated": datetime(2024, 1, 1, 9, tzinfo=FIXED_NOW.tzinfo),
                        "Account": "CONTOSO\\b",
                        "EventID": 4625,
                    },
                ],
            ),
        }
    )


class TestTabularArguments:
    """toscalar(), materialize() and tabular in-lists, as hunting queries use them."""

    def test_toscalar_of_a_pipeline(self) -> None:
        """toscalar(T | summarize ...) is the first column of the first row, typed as that column."""
        t = _run("print n = toscalar(SigninLogs | summarize dcount(UserPrincipalName))", _provider())
        assert t.columns == [("n", "long")] and t.rows == [[2]]

    def test_toscalar_of_an_empty_table_is_null(self) -> None:
        """No row gives the typed null of the first column."""
        t = _run("print n = toscalar(SigninLogs | where false | project IPAddress)", _provider())
        assert t.columns == [("n", "string")] and t.rows == [[""]]

    def test_in_a_tabular_let(self) -> None:
        """`where x in (T)` and `has_any (T)` read the tabular expression's first column."""
        q = (
            "let Risky = SigninLogs | where IPAddress startswith '192.' | distinct UserPrincipalName;\n"
            "SigninLogs | where UserPrincipalName in (Risky) | project IPAddress"
        )
        t = _run(q, _provider())
        assert t.rows == [["10.0.0.1"], ["192.0.2.7"]]
        t2 = _run(
            "let U = datatable(u:string)['b']; SecurityEvent | where Account has_any (U) | count", _provider()
        )
        assert t2.rows == [[1]]

    def test_materialize_is_read_once_and_reused(self) -> None:
        """A materialized let is scanned once however often the query reads it."""
        p = _provider()
        q = (
            "let m = materialize(SigninLogs | summarize n = count() by UserPrincipalName);\n"
            "m | join kind=inner (m | where n > 1) on UserPrincipalName | project UserPrincipalName, n"
        )
        t = _run(q, p)
        assert t.rows == [["a@x", 2]]
        assert [name for name, _ in p.scans] == ["SigninLogs"]

    def test_toscalar_of_a_row_value_fails_as_the_page_says(self) -> None:
        """toscalar-function.md #1: toscalar over a function's per-row parameter is a failure."""
        q = (
            "let _dataset1 = datatable(x:long)[1,2,3,4,5];\n"
            "let _dataset2 = datatable(x:long, y:long) [ 1, 2, 3, 4, 5, 6];\n"
            "let tg = (x_: long)\n{\n    toscalar(_dataset2| where x == x_ | project y);\n};\n"
            "_dataset1\n| extend y = tg(x)"
        )
        with pytest.raises(KqlError, match="x_"):
            _run(q)

    def test_dcr_transformation_refuses_them(self) -> None:
        """toscalar and materialize stay refused in a DCR transformation (one record at a time)."""
        with pytest.raises(KqlError, match="toscalar"):
            compile_transformation("source | extend n = toscalar(source | count)", {"a": "string"})


class TestUnionAndSearch:
    """union * and wildcards, withsource=, search."""

    def test_union_star_names_every_table(self) -> None:
        """`union withsource=T *` reads every table and names each row's table."""
        t = _run("union withsource=T * | summarize count() by T | order by T asc", _provider())
        assert t.columns == [("T", "string"), ("count_", "long")]
        assert t.rows == [["SecurityEvent", 1], ["SigninLogs", 3]]

    def test_union_wildcard(self) -> None:
        """A wildcard reads the tables whose names match."""
        t = _run("union Signin* | count", _provider())
        assert t.rows == [[3]]

    def test_search_a_term_in_every_table(self) -> None:
        """`search "x"` finds the term in any column of any table and adds $table."""
        t = _run('search "CONTOSO" | project ["$table"], Account', _provider())
        assert t.columns == [("$table", "string"), ("Account", "string")]
        assert t.rows == [["SecurityEvent", "CONTOSO\\b"]]

    def test_search_column_and_tables(self) -> None:
        """`search in (T) Col:"x"` limits the tables and the column."""
        t = _run('search in (SigninLogs) IPAddress:"192.0.2.7" | project UserPrincipalName', _provider())
        assert t.rows == [["a@x"]]

    def test_find_with_project_and_smart(self) -> None:
        """find: source_, the projected (or the predicate's and common) columns, the rest packed."""
        t = _run(
            "find in (SigninLogs, SecurityEvent) where TimeGenerated > datetime(2024-01-01T10:30) "
            "project UserPrincipalName, pack_all()",
            _provider(),
        )
        assert t.columns == [("source_", "string"), ("UserPrincipalName", "string"), ("column1", "dynamic")]
        assert [r[:2] for r in t.rows] == [["SigninLogs", "b@x"], ["SigninLogs", "a@x"]]
        s = _run('find withsource=T where Account has "contoso"', _provider())
        # one table has Account: its other columns are common to all (one) tables, the bag is empty
        assert s.columns == [
            ("T", "string"),
            ("Account", "string"),
            ("TimeGenerated", "datetime"),
            ("EventID", "int"),
            ("pack_", "dynamic"),
        ]
        assert s.rows[0][:2] == ["SecurityEvent", "CONTOSO\\b"] and s.rows[0][4] == {}

    def test_where_star(self) -> None:
        """`where * has "x"` looks in every column (union-operator.md's `union K* | where * has ...`)."""
        assert _run('union Signin* | where * has "192.0.2.7" | count', _provider()).rows == [[1]]

    def test_search_case_sensitive(self) -> None:
        """kind=case_sensitive matches the case."""
        assert _run('SecurityEvent | search kind=case_sensitive "contoso" | count', _provider()).rows == [[0]]
        assert _run('SecurityEvent | search "contoso" | count', _provider()).rows == [[1]]


class TestOtherOperators:
    """partition, sample, as, pivot, narrow, make-series by, lookup inner, mv-apply limit."""

    def test_partition_runs_the_subquery_per_value(self) -> None:
        """Each partition gets its own `top 1`."""
        t = _run(
            "SigninLogs | partition by UserPrincipalName (top 1 by TimeGenerated | project UserPrincipalName, IPAddress)"
            " | order by UserPrincipalName asc",
            _provider(),
        )
        assert t.rows == [["a@x", "192.0.2.7"], ["b@x", "10.0.0.2"]]

    def test_partition_with_as_and_toscalar(self) -> None:
        """partition-operator.md's pattern: `as Partition` and toscalar over it, per partition."""
        t = _run(
            "datatable(Dim:string, Metric:long)['a',1,'a',3,'b',5] | partition by Dim "
            "( as Partition | extend MetricPct = Metric * 100.0 / toscalar(Partition | summarize sum(Metric)) )"
        )
        assert t.rows == [["a", 1, 25.0], ["a", 3, 75.0], ["b", 5, 100.0]]

    def test_sample_gives_n_rows_of_the_input(self) -> None:
        """sample n returns n of the input's rows (chosen at random)."""
        t = _run("range x from 1 to 10 step 1 | sample 3")
        assert len(t.rows) == 3 and all(1 <= r[0] <= 10 for r in t.rows)
        assert _run("range x from 1 to 2 step 1 | sample-distinct 5 of x").rows == [[1], [2]]

    def test_as_names_the_input_for_a_later_join(self) -> None:
        """`| as X` binds X for the rest of the query."""
        t = _run(
            "datatable(k:long)[1, 2] | as X | join kind=inner (X | where k > 1) on k | project k",
            MemoryProvider(),
        )
        assert t.rows == [[2]]

    def test_pivot_and_narrow(self) -> None:
        """pivot counts per value (0 where none); narrow gives Row, Column, Value."""
        t = _run("datatable(k:string, v:string)['a','x','a','y','b','x'] | evaluate pivot(v)")
        assert t.columns == [("k", "string"), ("x", "long"), ("y", "long")]
        assert t.rows == [["a", 1, 1], ["b", 1, 0]]
        n = _run("print a=1, b='q' | evaluate narrow()")
        assert n.columns == [("Row", "long"), ("Column", "string"), ("Value", "string")]
        assert n.rows == [[0, "a", "1"], [0, "b", "q"]]

    def test_make_series_by_group_fills_defaults(self) -> None:
        """One row per group; the by column first, then the aggregates, then the axis."""
        t = _run(
            "SigninLogs | make-series n=count() default=0 on TimeGenerated from datetime(2024-01-01) "
            "to datetime(2024-01-03) step 1d by UserPrincipalName | order by UserPrincipalName asc",
            _provider(),
        )
        assert t.columns == [("UserPrincipalName", "string"), ("n", "dynamic"), ("TimeGenerated", "dynamic")]
        assert [r[:2] for r in t.rows] == [["a@x", [1, 1]], ["b@x", [1, 0]]]

    def test_lookup_inner_drops_unmatched_and_keeps_no_right_key(self) -> None:
        """kind=inner leaves out unmatched rows; $left.a == $right.b does not repeat b."""
        t = _run(
            "datatable(a:long, x:string)[1,'p',2,'q'] | lookup kind=inner (datatable(b:long, y:string)[2,'r']) "
            "on $left.a == $right.b"
        )
        assert t.columns == [("a", "long"), ("x", "string"), ("y", "string")]
        assert t.rows == [[2, "q", "r"]]

    def test_mv_apply_limit_and_bag_kind(self) -> None:
        """limit caps each subtable; a bag expands to one-property bags."""
        t = _run("print d=dynamic([3,1,2]) | mv-apply v=d limit 2 on (summarize s=sum(toint(v))) | project s")
        assert t.columns == [("s", "long")] and t.rows == [[4]]

    def test_make_series_in_range_and_open_bounds(self) -> None:
        """`on t in range(start, stop, step)` is from/to/step; without from/to a series spans its data."""
        base = "datatable(t:long, v:long)[1, 10, 3, 30]"
        t = _run(f"{base} | make-series s=sum(v) on t in range(0, 5, 1)")
        assert t.rows == [[[0, 10, 0, 30, 0], [0, 1, 2, 3, 4]]]
        open_ = _run(f"{base} | make-series s=sum(v) on t step 1")
        assert open_.rows == [[[10, 0, 30], [1, 2, 3]]]

    def test_invoke_of_a_defender_function_says_so(self) -> None:
        """FileProfile() exists only in Defender XDR: the error says so."""
        with pytest.raises(KqlError) as info:
            _run("print SHA1 = 'x' | invoke FileProfile('SHA1', 1000)")
        assert "Defender XDR" in (info.value.hint or "")

    def test_table_function_with_a_parameter(self) -> None:
        """table(name) reads the named table, also from a function's parameter (a Sentinel idiom)."""
        q = (
            "let f = (tableName:string, upn:string) { table(tableName) | where UserPrincipalName == upn };\n"
            'let a = f("SigninLogs", "a@x");\nunion isfuzzy=true a | count'
        )
        assert _run(q, _provider()).rows == [[2]]

    def test_a_function_calling_itself_is_an_error_not_a_crash(self) -> None:
        """Recursion in tabular functions stops with a KqlError."""
        with pytest.raises(KqlError, match="calls itself too deeply"):
            _run("let f = () { f() }; f()")

    def test_deprecated_aggregate_spellings(self) -> None:
        """makeset, makelist, argmax, argmin read as make_set, make_list, arg_max, arg_min."""
        t = _run("datatable(u:string, n:long)['a', 1, 'b', 2] | summarize makeset(u), argmax(n, u)")
        assert t.columns == [("set_u", "dynamic"), ("n", "long"), ("u", "string")]
        assert t.rows == [[["a", "b"], 2, "b"]]

    def test_tuple_names_of_arg_min(self) -> None:
        """(First, Which) = arg_min(t, x) names arg_min's columns (a hunting-query idiom)."""
        t = _run("datatable(t:long, x:string)[2, 'b', 1, 'a'] | summarize (First, Which) = argmin(t, x)")
        assert t.columns == [("First", "long"), ("Which", "string")] and t.rows == [[1, "a"]]

    def test_join_keys_joined_by_and(self) -> None:
        """on $left.a == $right.b and $left.c == $right.d is two keys."""
        t = _run(
            "datatable(a:long, c:long)[1, 2, 1, 3] | join kind=inner (datatable(b:long, d:long)[1, 3]) "
            "on $left.a == $right.b and $left.c == $right.d | project a, c"
        )
        assert t.rows == [[1, 3]]

    def test_mv_expand_of_a_conversion_keeps_the_column_name(self) -> None:
        """mv-expand todynamic(NewValue) expands into NewValue, as hunting queries then read it."""
        t = _run('print NewValue = "[1, 2]" | mv-expand todynamic(NewValue) | where NewValue == 2')
        assert t.columns == [("NewValue", "dynamic")] and t.rows == [[2]]
        m = _run('print T = dynamic({"p": [1, 2]}) | mv-expand T.p | project T_p')
        assert m.rows == [[1], [2]]
        i = _run("print V = dynamic([[5, 6]]) | mv-expand V.[0] | project V")
        assert i.rows == [[5], [6]]

    def test_cross_resource_queries_are_named(self) -> None:
        """workspace("x").T and arg("").Resources are refused by name, with the reason."""
        with pytest.raises(KqlError, match=r"workspace\(\) \(a cross-resource query\)"):
            _run('workspace("other").SigninLogs | count', _provider())
        with pytest.raises(KqlError) as info:
            _run('arg("").Resources | count', _provider())
        assert "Resource Graph" in (info.value.hint or "")

    def test_view_let_is_a_table(self) -> None:
        """A view let is read by name, with or without parentheses."""
        assert _run("let V = view () { print x=5 }; V | union (V())").rows == [[5], [5]]

    def test_tabular_parameter_of_any_schema(self) -> None:
        """(T:(*)) takes any table."""
        t = _run("let f = (T:(*)) { T | count }; f(datatable(a:string)['x', 'y'])")
        assert t.rows == [[2]]


class TestExternalData:
    """externaldata reads through the provider's read_external (never the network)."""

    class _Files(MemoryProvider):
        def __init__(self, files: dict[str, str]) -> None:
            super().__init__()
            self.files = files

        def read_external(self, uri: str) -> str:
            if uri not in self.files:
                raise KeyError(f"'{uri}' is not an allowed external file")
            return self.files[uri]

    def test_csv_typed_with_a_header_skipped(self) -> None:
        """format csv (the default) with ignoreFirstRecord: columns as declared, typed."""
        p = self._Files({"file:///iocs.csv": "ip,score\n10.0.0.1,5\n192.0.2.7,9\n"})
        t = _run("externaldata(ip:string, score:long)[@'file:///iocs.csv'] with (ignoreFirstRecord=true)", p)
        assert t.columns == [("ip", "string"), ("score", "long")]
        assert t.rows == [["10.0.0.1", 5], ["192.0.2.7", 9]]

    def test_txt_and_multijson(self) -> None:
        """txt gives one row per line; multijson one row per JSON object, columns by name."""
        p = self._Files(
            {"a.txt": "evil.example\nbad.example\n", "b.json": '{"n":"x","v":1}\n{"n":"y","v":2}\n'}
        )
        assert _run("externaldata(d:string)['a.txt'] with (format='txt')", p).rows == [
            ["evil.example"],
            ["bad.example"],
        ]
        t = _run("externaldata(v:long, n:string)['b.json'] with (format='multijson')", p)
        assert t.rows == [[1, "x"], [2, "y"]]

    def test_a_uri_the_host_does_not_allow_is_an_error(self) -> None:
        """An https URL (or any file the host does not allow) is refused with the reason."""
        p = self._Files({})
        with pytest.raises(KqlError, match="not an allowed external file"):
            _run("externaldata(a:string)[h@'https://example.com/x.csv']", p)

    def test_without_a_reader_the_engine_says_so(self) -> None:
        """A provider with no external files gives a clear error, not a crash."""
        with pytest.raises(KqlError, match="externaldata"):
            _run("externaldata(a:string)['x']")

    def test_transformation_refuses_externaldata(self) -> None:
        """externaldata is not a transformation source."""
        with pytest.raises(KqlError):
            compile_transformation("externaldata(a:string)['x']", {"a": "string"})


class TestDialect:
    """The new operators stay refused in DCR transformations, named in the error."""

    @pytest.mark.parametrize(
        "source",
        [
            "union *",
            "find where a == 'x'",
            "search 'x'",
            "externaldata(a:string)['x']",
            "range x from 1 to 2 step 1",
        ],
    )
    def test_sources_refused_in_a_transformation(self, source: str) -> None:
        """Only source, print and datatable start a transformation: the new sources are refused."""
        with pytest.raises(KqlError, match=r"not supported in DCR transformations|expected 'source'"):
            compile_transformation(source, {"a": "string"})

    @pytest.mark.parametrize(
        "op",
        [
            "make-series c=count() on TimeGenerated step 1h",
            "lookup (datatable(a:string)['x']) on a",
            "mv-apply x=dynamic([1]) on (take 1)",
            "evaluate bag_unpack(d)",
            "top-nested 1 of a by count()",
            "parse-kv a as (k:string)",
            "sample 1",
            "partition by a (take 1)",
            "search 'x'",
            "invoke f()",
            "as X",
            "union *",
            "mvexpand d",
        ],
    )
    def test_refused_in_a_transformation(self, op: str) -> None:
        """Each operator of issue 14 is refused after 'source', by name."""
        word = {"mvexpand": "mv-expand"}.get(op.split()[0], op.split()[0])
        with pytest.raises(KqlError, match=f"'{word}' is not supported in DCR transformations"):
            compile_transformation(
                f"source | {op}", {"a": "string", "d": "dynamic", "TimeGenerated": "datetime"}
            )


_ = Path
