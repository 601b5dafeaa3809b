"""``set`` statements (Kusto request properties) and ``render`` properties: parsed, printed, applied.

Sources: Kusto "set statement" (``set OptionName [= OptionValue]``, before the tabular expression),
"Query limits" (``truncationmaxrecords``, ``truncationmaxsize``, ``notruncation``), "Request
properties" (``query_now``, ``query_take_max_records``), "render operator" (``with (title=...,
ycolumns=...)``). Before this change ``set`` was a syntax error and render's properties were dropped.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azlogs import KqlError
from azlogs.kql import MemoryProvider, compile_transformation, parse, run_query, visualization
from azlogs.kql import _ast as A
from azlogs.kql._options import ACCEPTED, APPLIED
from azlogs.kql._printer import to_text
from tests.unit.fuzz.profiles import fuzz_settings

RANGE = "range x from 1 to 5 step 1"


class TestParse:
    @pytest.mark.parametrize(
        "text",
        [
            "set truncationmaxrecords=1; T | take 5",
            "set notruncation;\nset query_now = datetime(2020-01-01); print 1",
            'set request_app_name = "my app"; set query_language = kql; T',
            "set truncationmaxsize=1048576; let n = 3; T | take n",
            'T | render timechart with (title="x", ycolumns=a, accumulate=true, ymin=0)',
            "T | render columnchart with (ycolumns=a, b, c, kind=stacked)",
        ],
    )
    def test_round_trip(self, text: str) -> None:
        """Each text survives printing and re-parsing."""
        tree = parse(text)
        assert parse(to_text(tree)) == tree

    def test_values(self) -> None:
        """A bare name is true; literals keep their type; a word stays a string; names are lower case."""
        q = parse(
            "set NoTruncation; set truncationmaxrecords = 7; set query_now = datetime(2020-01-01); set x = word; T"
        )
        values = {s.name: s.value for s in q.sets}
        assert values == {
            "notruncation": True,
            "truncationmaxrecords": 7,
            "query_now": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
            "x": "word",
        }

    def test_set_after_the_tabular_expression_is_refused(self) -> None:
        """set must precede the statement it applies to."""
        with pytest.raises(KqlError, match="'set' statement must come before"):
            parse("T | take 1; set notruncation")

    def test_set_alone_is_a_query_without_rows(self) -> None:
        """A text of set statements only parses (and answers no table rows)."""
        assert parse("set notruncation").sets[0].name == "notruncation"

    def test_transformations_refuse_set(self) -> None:
        """A DCR transformation has no request properties."""
        with pytest.raises(KqlError, match="'set' statements are not supported in a transformation"):
            compile_transformation("set notruncation; source", {"a": "string"})


class TestApply:
    def test_truncationmaxrecords_cuts_and_says_so(self) -> None:
        """The first N rows, and a partial failure naming the limit and its figure for this run."""
        r = run_query(f"set truncationmaxrecords=2; {RANGE}", MemoryProvider())
        assert r.tables[0].rows == [[1], [2]]
        assert r.partial is not None
        assert (r.partial.limit, r.partial.value, r.partial.set_by_query) == ("records", 2, True)

    def test_a_set_limit_above_the_services_keeps_the_service_limit(self) -> None:
        """set may lower the limits, never raise them: the message is then the service's own."""
        r = run_query(f"set truncationmaxrecords=100; {RANGE}", MemoryProvider(), max_records=3)
        assert len(r.tables[0].rows) == 3
        assert r.partial is not None
        assert (r.partial.limit, r.partial.value, r.partial.set_by_query) == ("records", 3, False)

    def test_query_take_max_records_is_silent(self) -> None:
        """query_take_max_records caps the rows like a final take, without a partial failure."""
        r = run_query(f"set query_take_max_records=2; {RANGE}", MemoryProvider())
        assert r.tables[0].rows == [[1], [2]] and r.partial is None

    def test_query_now(self) -> None:
        """now() reads query_now."""
        r = run_query("set query_now=datetime(2021-02-03 04:05:06); print now()", MemoryProvider())
        assert r.tables[0].rows == [[dt.datetime(2021, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)]]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("set bogus=1; print 1", "'bogus' is not a request property"),
            ("set truncationmaxrecords=1.5; print 1", "non-negative whole number"),
            ("set truncationmaxrecords='x'; print 1", "non-negative whole number"),
            ("set query_now=5; print 1", "expected a datetime"),
        ],
    )
    def test_refused(self, text: str, message: str) -> None:
        """Unknown names and wrong values are errors, never ignored."""
        with pytest.raises(KqlError, match=message):
            run_query(text, MemoryProvider())


class TestVisualization:
    def test_properties(self) -> None:
        """Column lists become lists of names; words and literals stay; sort before render is noted."""
        v = visualization(
            parse("T | top 3 by x | render columnchart with (kind=stacked, series=s, ytitle='y', ymax=10)")
        )
        assert v is not None
        assert v.visualization == "columnchart" and v.sorted
        assert v.properties == {"kind": "stacked", "series": ["s"], "ytitle": "y", "ymax": 10}

    def test_column_lists(self) -> None:
        """ycolumns=a, b: bare names after a list property continue its list; elsewhere they are refused."""
        v = visualization(parse("T | render timechart with (ycolumns=a, b, title='t', series=s, k)"))
        assert v is not None and v.properties == {"ycolumns": ["a", "b"], "title": "t", "series": ["s", "k"]}
        with pytest.raises(KqlError, match="'title' takes one value"):
            visualization(parse("T | render timechart with (title='t', a)"))

    def test_none_without_render(self) -> None:
        """No render operator, no visualization."""
        assert visualization(parse("T | take 1")) is None

    def test_unknown_property_is_refused(self) -> None:
        """A property the render operator does not have is an error."""
        with pytest.raises(KqlError, match="render has no property 'colour'"):
            visualization(parse("T | render timechart with (colour='red')"))

    def test_render_passes_rows_through(self) -> None:
        """render changes no row."""
        assert run_query(f"{RANGE} | render timechart", MemoryProvider()).tables[0].rows[-1] == [5]

    def test_ast_keeps_properties(self) -> None:
        """The Render node holds the with(...) pairs."""
        body = parse("T | render piechart with (title='t')").body
        assert isinstance(body, A.Pipeline) and isinstance(body.ops[-1], A.Render)
        assert body.ops[-1].properties == (("title", A.Literal("t", "string")),)


NAMES = st.sampled_from(sorted(APPLIED | ACCEPTED)) | st.from_regex(
    r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True
)
VALUES = st.sampled_from(
    [
        "",
        "=1",
        "=0",
        "=1.5",
        "='x'",
        '="a b"',
        "=true",
        "=word",
        "=1h",
        "=datetime(2020-01-01)",
        "=real(null)",
        "=dynamic([1])",
        "=-1",
        "=",
        "=guid(00000000-0000-0000-0000-000000000001)",
    ]
)


@fuzz_settings(200)
@given(statements=st.lists(st.tuples(NAMES, VALUES), min_size=1, max_size=4))
def test_any_set_statements_answer_or_refuse(statements: list[tuple[str, str]]) -> None:
    """Whatever the names and values, a query with set statements answers or raises KqlError, and prints back."""
    text = "".join(f"set {n}{v}; " for n, v in statements) + "range x from 1 to 3 step 1"
    try:
        tree = parse(text)
    except KqlError:
        return
    assert parse(to_text(tree)) == tree
    try:
        result = run_query(text, MemoryProvider())
    except KqlError:
        return
    assert len(result.tables[0].rows) <= 3
