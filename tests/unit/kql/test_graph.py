"""Graph semantics (issue 14): make-graph, graph-match, graph-shortest-paths, graph-to-table,
graph-mark-components and the graph functions, beyond the documented examples.

The documented examples themselves are cases of test_conformance_docs (_docs_examples_graph).
"""

from __future__ import annotations

from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, check, parse, run_query

# A triangle a -> b -> c -> a with a weight on each edge.
TRIANGLE = 'let E = datatable(s:string, t:string, w:long)["a","b",1, "b","c",2, "c","a",3];\n'
# People (nodes) and who reports to whom (edges); Zed is only named by an edge.
PEOPLE = (
    'let P = datatable(name:string, age:long)["Ann",40, "Bo",30, "Cy",20];\n'
    'let R = datatable(emp:string, boss:string)["Bo","Ann", "Cy","Bo", "Zed","Cy"];\n'
)


def _run(query: str) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    t = run_query(query, MemoryProvider()).tables[0]
    return t.columns, t.rows


def _rows(query: str) -> list[list[Any]]:
    return _run(query)[1]


class TestMakeGraph:
    """Nodes from the nodes tables and the edges, in the order they are first seen."""

    def test_edge_only_node_gets_its_id_as_the_key_property(self) -> None:
        """A node no nodes table holds has the key property set to its id, the others null."""
        cols, rows = _run(PEOPLE + "R | make-graph emp --> boss with P on name | graph-to-table nodes")
        assert cols == [("name", "string"), ("age", "long")]
        assert rows == [["Ann", 40], ["Bo", 30], ["Cy", 20], ["Zed", None]]

    def test_with_node_id_names_the_id_property(self) -> None:
        """with_node_id=N: the nodes have one property, N, their id (typed as the source column)."""
        cols, rows = _run(TRIANGLE + "E | make-graph s --> t with_node_id=id | graph-to-table nodes")
        assert cols == [("id", "string")] and rows == [["a"], ["b"], ["c"]]

    def test_without_node_properties_the_nodes_have_none(self) -> None:
        """No nodes table and no with_node_id: node_id() still reads the id."""
        q = TRIANGLE + "E | make-graph s --> t | graph-match (x) project id = node_id(x), x"
        assert _run(q) == ([("id", "string"), ("x", "dynamic")], [["a", {}], ["b", {}], ["c", {}]])

    def test_two_nodes_tables_merge_a_shared_node(self) -> None:
        """The same id in both tables is one node holding the properties of both."""
        q = (
            PEOPLE + 'let Q = datatable(person:string, team:string)["Bo","red", "Dee","blue"];\n'
            "R | make-graph emp --> boss with P on name, Q on person | graph-to-table nodes"
        )
        cols, rows = _run(q)
        assert cols == [("name", "string"), ("age", "long"), ("person", "string"), ("team", "string")]
        assert rows[1] == ["Bo", 30, "Bo", "red"]
        assert rows[3] == ["", None, "Dee", "blue"]  # a null string reads as ""
        assert rows[4] == ["Zed", None, "", ""]

    def test_edges_with_a_null_end_are_left_out(self) -> None:
        """A null source or target makes no edge and no node."""
        q = (
            "datatable(s:long, t:long)[1,2, 2,long(null), long(null),3]\n"
            "| make-graph s --> t with_node_id=n | graph-to-table edges"
        )
        assert _rows(q) == [[1, 2]]

    def test_undirected_edges_match_both_ways(self) -> None:
        """make-graph s -- t: a -[e]-> pattern edge walks each edge either way."""
        q = (
            TRIANGLE
            + "E | make-graph s -- t | graph-match (x)-[e]->(y) where node_id(x) == 'a' project y = node_id(y)"
        )
        assert sorted(r[0] for r in _rows(q)) == ["b", "c"]

    def test_a_graph_must_be_followed_by_a_graph_operator(self) -> None:
        """A graph is no table: the query cannot end with it or filter it with where."""
        for tail in ("", " | where true"):
            with pytest.raises(KqlError, match="graph operator"):
                _rows(TRIANGLE + "E | make-graph s --> t" + tail)

    def test_graph_operators_read_a_graph_not_a_table(self) -> None:
        with pytest.raises(KqlError, match="graph-match reads a graph"):
            _rows(TRIANGLE + "E | graph-match (x) project x")
        with pytest.raises(KqlError, match="make-graph reads a table"):
            _rows(TRIANGLE + "E | make-graph s --> t | make-graph s --> t")

    def test_unknown_columns_are_errors(self) -> None:
        with pytest.raises(KqlError, match="no column 'nope'"):
            _rows(TRIANGLE + "E | make-graph s --> nope | graph-to-table nodes")
        with pytest.raises(KqlError, match="nodes table has no column 'key'"):
            _rows(PEOPLE + "R | make-graph emp --> boss with P on key | graph-to-table nodes")

    def test_a_graph_bound_by_let(self) -> None:
        """let G = T | make-graph ...; G is a graph for the operators after it."""
        q = TRIANGLE + "let G = E | make-graph s --> t; G | graph-match (x)-->(y) project node_id(y) | count"
        assert _rows(q) == [[3]]

    def test_partitioned_by_builds_a_graph_per_value(self) -> None:
        """partitioned-by: the operators in parentheses run on each partition's graph."""
        q = (
            'let E = datatable(s:string, t:string, p:string)["a","b","x", "b","c","y", "c","a","x"];\n'
            'let N = datatable(id:string, p:string)["a","x", "b","x", "b","y", "c","y", "c","x"];\n'
            "E | make-graph s --> t with N on id partitioned-by p (\n"
            "  graph-match (u)-[e*1..2]->(v) project part = u.p, path = map(e, strcat(s, t)))"
        )
        assert _rows(q) == [["x", ["ab"]], ["x", ["ca"]], ["x", ["ca", "ab"]], ["y", ["bc"]]]

    def test_partitioned_by_needs_the_column_in_every_table(self) -> None:
        q = PEOPLE + "R | make-graph emp --> boss with P on name partitioned-by emp (graph-to-table nodes)"
        with pytest.raises(KqlError, match="the nodes have no column 'emp'"):
            _rows(q)


class TestGraphMatch:
    """Patterns, cycles and the where clause."""

    @pytest.mark.parametrize(("cycles", "count"), [("", 9), ("cycles=unique_edges", 9), ("cycles=none", 6)])
    def test_cycles_of_a_triangle(self, cycles: str, count: int) -> None:
        """Paths of 1 to 3 edges in a triangle: 3 of each length; the 3-edge ones are cycles."""
        q = TRIANGLE + f"E | make-graph s --> t | graph-match {cycles} (x)-[e*1..3]->(y) project x | count"
        assert _rows(q) == [[count]]

    def test_cycles_all_repeats_edges(self) -> None:
        """cycles=all walks an edge again: a -> b -> a -> b on a two-node cycle."""
        q = (
            'datatable(s:string, t:string)["a","b", "b","a"] | make-graph s --> t\n'
            "| graph-match cycles={} (x)-[e*3]->(y) where node_id(x) == 'a' project n = array_length(e)"
        )
        assert _rows(q.format("all")) == [[3]]
        assert _rows(q.format("unique_edges")) == []

    def test_a_condition_on_a_variable_length_edge_holds_for_each_edge(self) -> None:
        """where e.w > 1 with e a variable length edge: every edge of the path has w > 1."""
        q = TRIANGLE + "E | make-graph s --> t | graph-match (x)-[e*1..3]->(y) where e.w > 1 project ws = e.w"
        assert _run(q) == ([("ws", "dynamic")], [[[2]], [[2, 3]], [[3]]])

    def test_zero_length_edge_binds_the_same_node(self) -> None:
        q = TRIANGLE + (
            "E | make-graph s --> t | graph-match (x)-[e*0..1]->(y) where node_id(x) == 'a'\n"
            "  project y = node_id(y), n = array_length(e)"
        )
        assert _rows(q) == [["a", 0], ["b", 1]]

    def test_right_to_left_and_anonymous_elements(self) -> None:
        """(x)<--(y): y is the source of an edge into x; () and -- are anonymous, and the edge c -> a
        the first step took is not walked again (unique edges)."""
        q = (
            TRIANGLE
            + "E | make-graph s --> t | graph-match (x)<--(y)--() where node_id(x) == 'a' project node_id(y)"
        )
        assert _run(q) == ([("node_id", "string")], [["c"]])

    def test_a_repeated_node_closes_a_cycle(self) -> None:
        """(x)-->(y)-->(z)-->(x): the last node must be the first."""
        q = TRIANGLE + "E | make-graph s --> t | graph-match (x)-->()-->()-->(x) project node_id(x)"
        assert sorted(r[0] for r in _rows(q)) == ["a", "b", "c"]

    def test_sequences_share_a_node(self) -> None:
        """(x)-->(y), (z)-->(y): a second sequence from a node in its middle walks both ways."""
        q = (
            'datatable(s:string, t:string)["a","m", "b","m", "m","c"] | make-graph s --> t\n'
            "| graph-match (x)-->(m)-->(c), (y)-->(m) where node_id(x) < node_id(y)\n"
            "  project x = node_id(x), m = node_id(m), y = node_id(y), c = node_id(c)"
        )
        assert _rows(q) == [["a", "m", "b", "c"]]

    def test_unconnected_sequences_are_refused(self) -> None:
        with pytest.raises(KqlError, match="share a node"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match (x)-->(y), (z) project x")

    def test_an_edge_named_twice_is_refused(self) -> None:
        with pytest.raises(KqlError, match="names 'e' twice"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match (x)-[e]->(y)-[e]->(z) project x")

    def test_unknown_property_is_an_error(self) -> None:
        with pytest.raises(KqlError, match="no property 'age'"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match (x)-[e]->(y) project e.age")

    def test_missing_property_of_an_edge_only_node_is_null(self) -> None:
        """Zed has no age: Zed.age < 100 is not true, and projects as null."""
        q = PEOPLE + (
            "R | make-graph emp --> boss with P on name\n"
            "| graph-match (a)-->(b) where b.name == 'Cy' project a.name, a.age, young = a.age < 100"
        )
        assert _run(q) == (
            [("a_name", "string"), ("a_age", "long"), ("young", "bool")],
            [["Zed", None, None]],
        )

    def test_let_names_in_the_where_clause(self) -> None:
        q = PEOPLE + (
            "let limit = 25;\n"
            "R | make-graph emp --> boss with P on name | graph-match (a)-->(b) where b.age > limit\n"
            "  project a.name"
        )
        assert _rows(q) == [["Bo"], ["Cy"]]

    def test_options_are_checked(self) -> None:
        with pytest.raises(KqlError, match="cycles is all, none or unique_edges"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match cycles=some (x) project x")
        with pytest.raises(KqlError, match="graph-match takes cycles"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match output=all (x) project x")


class TestGraphFunctions:
    """all(), any(), map(), inner_nodes(), node_degree_in/out(), node_id(), labels()."""

    def test_types_and_names(self) -> None:
        """node_degree_*() are longs named after the function; map() is dynamic, all()/any() bools."""
        q = PEOPLE + (
            "R | make-graph emp --> boss with P on name\n"
            "| graph-match (a)-[e*2]->(b) where a.name == 'Zed'\n"
            "  project node_degree_in(b), node_degree_out(a), id = node_id(b), m = map(inner_nodes(e), age),\n"
            "  al = all(e, boss != ''), an = any(inner_nodes(e), age > 100), l = labels(a), n = inner_nodes(e)"
        )
        cols, rows = _run(q)
        assert cols == [
            ("node_degree_in", "long"),
            ("node_degree_out", "long"),
            ("id", "string"),
            ("m", "dynamic"),
            ("al", "bool"),
            ("an", "bool"),
            ("l", "dynamic"),
            ("n", "dynamic"),
        ]
        assert rows == [[1, 1, "Bo", [20], True, False, [], [{"name": "Cy", "age": 20}]]]

    def test_all_of_no_inner_nodes_is_true_and_any_is_false(self) -> None:
        q = PEOPLE + (
            "R | make-graph emp --> boss with P on name | graph-match (a)-[e*1]->(b) where a.name == 'Bo'\n"
            "  project al = all(inner_nodes(e), age > 100), an = any(inner_nodes(e), age > 0)"
        )
        assert _rows(q) == [[True, False]]

    def test_a_null_condition_is_not_true(self) -> None:
        """all() over a node whose property is null: the condition is null, so all() is false."""
        q = PEOPLE + (
            "R | make-graph emp --> boss with P on name | graph-match (a)-[e*2]->(b) where a.name == 'Zed'\n"
            "  project al = all(inner_nodes(e), age > 100), an = any(e, emp == 'Zed')"
        )
        assert _rows(q) == [[False, True]]

    def test_node_functions_without_an_argument_read_the_inner_node(self) -> None:
        q = PEOPLE + (
            "R | make-graph emp --> boss with P on name | graph-match (a)-[e*3]->(b)\n"
            "  project map(inner_nodes(e), node_id()), map(inner_nodes(e), node_degree_in()), "
            "map(inner_nodes(e), labels())"
        )
        assert _rows(q) == [[["Cy", "Bo"], [1, 1], [[], []]]]

    def test_node_functions_need_a_node(self) -> None:
        with pytest.raises(KqlError, match="without an argument"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match (x) project node_degree_in()")
        with pytest.raises(KqlError, match="takes a node variable"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match (x)-[e]->(y) project node_id(e)")
        with pytest.raises(KqlError, match="variable length edge"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match (x)-[e]->(y) project inner_nodes(e)")

    def test_all_needs_a_bool_condition(self) -> None:
        with pytest.raises(KqlError, match="must be a bool"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-match (x)-[e*1..2]->(y) project all(e, w)")


class TestShortestPaths:
    """One shortest path per pair of end nodes, or all of them."""

    DIAMOND = (
        'datatable(s:string, t:string, via:string)["a","b","1", "a","c","2", "b","d","1", "c","d","2", "a","d","3"]\n'
        "| make-graph s --> t\n"
    )

    def test_the_shortest_path_of_each_pair(self) -> None:
        q = self.DIAMOND + (
            "| graph-shortest-paths (x)-[e*1..3]->(y) where node_id(x) == 'a' and node_id(y) == 'd'\n"
            "  project v = map(e, via)"
        )
        assert _rows(q) == [[["3"]]]

    def test_where_filters_before_the_shortest_is_chosen(self) -> None:
        """The direct edge fails the condition: the shortest of the rest, the first found or all."""
        q = self.DIAMOND + (
            "| graph-shortest-paths {} (x)-[e*1..3]->(y) where node_id(x) == 'a' and node_id(y) == 'd'\n"
            "  and all(e, via != '3') project v = map(e, via)"
        )
        assert _rows(q.format("")) == [[["1", "1"]]]
        assert _rows(q.format("output=all")) == [[["1", "1"]], [["2", "2"]]]

    def test_a_variable_length_edge_is_required(self) -> None:
        with pytest.raises(KqlError, match="variable length edge"):
            _rows(self.DIAMOND + "| graph-shortest-paths (x)-[e]->(y) project x")


class TestGraphToTable:
    def test_ids_are_the_hash_of_the_node_id(self) -> None:
        """with_node_id / with_source_id / with_target_id: long columns of hash(id), first."""
        q = TRIANGLE + (
            "E | make-graph s --> t | graph-to-table edges with_target_id=T\n"
            "| extend same = T == hash(t) | project-away s, w"
        )
        cols, rows = _run(q)
        assert cols == [("T", "long"), ("t", "string"), ("same", "bool")]
        assert [r[2] for r in rows] == [True, True, True]

    def test_nodes_and_edges_named_with_as(self) -> None:
        """nodes as N, edges as E2: the first is the result, both names can be read after."""
        q = TRIANGLE + (
            "E | make-graph s --> t with_node_id=n | graph-to-table nodes as N, edges as E2\n"
            "| join kind=inner (E2) on $left.n == $right.s | project n, t"
        )
        assert _rows(q) == [["a", "b"], ["b", "c"], ["c", "a"]]

    def test_both_parts_need_names(self) -> None:
        with pytest.raises(KqlError, match="name both"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-to-table nodes, edges")
        with pytest.raises(KqlError, match="takes with_node_id"):
            _rows(TRIANGLE + "E | make-graph s --> t | graph-to-table nodes with_source_id=x")


class TestMarkComponents:
    EDGES = 'datatable(s:string, t:string)["a","b", "b","a", "b","c", "d","e"] | make-graph s --> t with_node_id=n\n'

    def test_weak_components_by_default(self) -> None:
        """ComponentId (a long), numbered from 0 in the order of each component's first node."""
        cols, rows = _run(self.EDGES + "| graph-mark-components | graph-to-table nodes")
        assert cols == [("n", "string"), ("ComponentId", "long")]
        assert rows == [["a", 0], ["b", 0], ["c", 0], ["d", 1], ["e", 1]]

    def test_strong_components(self) -> None:
        """kind=strong: only a and b reach each other."""
        q = self.EDGES + "| graph-mark-components kind=strong with_component_id=k | graph-to-table nodes"
        assert _rows(q) == [["a", 0], ["b", 0], ["c", 1], ["d", 2], ["e", 3]]

    def test_the_component_id_is_a_node_property(self) -> None:
        q = (
            self.EDGES
            + "| graph-mark-components with_component_id=k | graph-match (x)-->(y) where x.k == 1 project y.n"
        )
        assert _rows(q) == [["e"]]

    def test_kind_is_checked(self) -> None:
        with pytest.raises(KqlError, match="weak or strong"):
            _rows(self.EDGES + "| graph-mark-components kind=medium | graph-to-table nodes")


class TestParsingAndDialect:
    def test_persistent_graphs_are_unknown(self) -> None:
        """graph('Name') reads a stored graph model; the engine holds none."""
        with pytest.raises(KqlError, match="unknown graph 'Simple'"):
            _rows("graph('Simple') | graph-match (n) project n")

    def test_an_edge_cannot_point_both_ways(self) -> None:
        with pytest.raises(KqlError, match="one way or none"):
            parse("T | make-graph a --> b | graph-match (x)<-[e]->(y) project x")

    def test_parse_errors_name_what_a_pattern_expects(self) -> None:
        with pytest.raises(KqlError, match="expected '-->' or '--'"):
            parse("T | make-graph a -> b | graph-to-table nodes")
        with pytest.raises(KqlError, match="a graph edge"):
            parse("T | make-graph a --> b | graph-match (x)-[e]->(y)")

    def test_maximum_below_minimum_is_refused(self) -> None:
        with pytest.raises(KqlError, match="maximum below its minimum"):
            parse("T | make-graph a --> b | graph-match (x)-[e*3..1]->(y) project x")

    def test_graph_operators_are_not_transformation_operators(self) -> None:
        with pytest.raises(KqlError, match="'make-graph' is not supported"):
            check(parse("source | make-graph a --> b | graph-to-table nodes"), "transformation")
        assert (
            check(parse("T | make-graph a --> b | graph-match (x) where all(x, true) project x"), "query")
            == []
        )
