"""The typed AST of the KQL subset.

Every node carries ``pos`` (line, column; 1-based) for error messages. ``pos`` is excluded from
equality so that ``parse(print(parse(x))) == parse(x)`` compares structure only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

Pos = tuple[int, int]
NOPOS: Pos = (0, 0)


# ----------------------------------------------------------------------------- scalar expressions


@dataclass(frozen=True)
class Literal:
    """A constant of a KQL type (``value`` is None for a typed null)."""

    value: Any
    type: str
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Column:
    """A reference to a column, a ``let`` name or a table by name."""

    name: str
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Member:
    """``target.name``: dynamic property access (or ``$left.x`` in a join key)."""

    target: Expr
    name: str
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Index:
    """``target[index]``: dynamic array element or property by computed key."""

    target: Expr
    index: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Star:
    """``*`` as a function argument (``arg_max(x, *)``)."""

    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Call:
    """A function call; ``name`` as written (aliases are resolved by the registry)."""

    name: str
    args: tuple[Expr, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Unary:
    """Unary minus (the only unary operator of KQL; ``not()`` is a function)."""

    op: str
    operand: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Binary:
    """Arithmetic, comparison, string predicate, ``and``/``or`` and ``matches regex``."""

    op: str
    left: Expr
    right: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class InList:
    """``x in (a, b)``, ``in~``, ``!in``, ``!in~``."""

    op: str
    left: Expr
    items: tuple[Expr, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Between:
    """``x between (low .. high)`` and ``!between``."""

    negated: bool
    left: Expr
    low: Expr
    high: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


Expr = Union[
    Literal, Column, Member, Index, Star, Call, Unary, Binary, InList, Between, "Pipeline", "Datatable"
]

# ----------------------------------------------------------------------------- tabular


@dataclass(frozen=True)
class Assign:
    """``name = expr`` or a bare ``expr`` (the column name is then derived)."""

    name: str | None
    expr: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    # ``(a, b) = f(...)``: the names of a function's several result columns (``name`` is None).
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Datatable:
    """``datatable(a:string, ...)[v1, v2, ...]``: values row-major."""

    columns: tuple[tuple[str, str], ...]
    values: tuple[Literal, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Print:
    """``print a = 1, b = 2`` (a source with one row)."""

    assigns: tuple[Assign, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Range:
    """``range x from a to b step s``."""

    name: str
    start: Expr
    stop: Expr
    step: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Union_:
    """``union [options] T1, T2`` as a source or as an operator."""

    options: tuple[tuple[str, Any], ...]
    tables: tuple[Expr, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Where:
    predicate: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Extend:
    assigns: tuple[Assign, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Project:
    assigns: tuple[Assign, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class ProjectAway:
    """``project-away`` / ``project-keep`` / ``project-reorder`` (``kind``) with wildcard patterns."""

    kind: str
    patterns: tuple[str, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    # project-reorder only: per pattern, None or "asc"/"desc" (granny-asc/desc of matched names).
    orders: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class ProjectRename:
    pairs: tuple[tuple[str, str], ...]  # (new, old)
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class ParseItem:
    """One element of a parse pattern: a literal, ``*`` or a column with an optional type."""

    kind: str  # "literal" | "star" | "column"
    value: str = ""
    type: str | None = None


@dataclass(frozen=True)
class Parse:
    """``parse [kind=simple|regex|relaxed] [flags=..] expr with pattern``; ``parse-where`` drops misses."""

    source: Expr
    items: tuple[ParseItem, ...]
    kind: str = "simple"
    flags: str = ""
    drop_unmatched: bool = False
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Take:
    count: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class SortKey:
    expr: Expr
    descending: bool = True
    nulls_first: bool | None = None


@dataclass(frozen=True)
class Sort:
    keys: tuple[SortKey, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Top:
    count: Expr
    key: SortKey
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Summarize:
    aggregates: tuple[Assign, ...]
    by: tuple[Assign, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Count:
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Distinct:
    """``distinct a, b``; empty ``columns`` means ``distinct *``."""

    columns: tuple[Assign, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Join:
    kind: str
    right: Expr
    keys: tuple[Expr, ...]
    explicit_kind: bool = False
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class MvExpand:
    items: tuple[tuple[Assign, str | None], ...]
    limit: Expr | None = None
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    index_name: str | None = None  # with_itemindex=
    kind: str = "bag"  # bagexpansion=bag|array (kind=bag|array)


@dataclass(frozen=True)
class Render:
    """``render`` passes rows through; it only tells a UI how to draw (the query API's ``render``).

    ``properties`` are the ``with (name = value, ...)`` pairs (names lower-cased; a value is a
    literal, a column name given as :class:`Column`, or a tuple of them for ``ycolumns=a, b``).
    """

    visual: str
    properties: tuple[tuple[str, Expr | tuple[Expr, ...]], ...] = ()
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class GetSchema:
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Serialize:
    assigns: tuple[Assign, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class As:
    name: str
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    materialized: bool = False  # hint.materialized=true: the rows are computed once per run


# ----------------------------------------------------------------------------- operators of issue 14


@dataclass(frozen=True)
class ExternalData:
    """``externaldata (cols) [uris] with (props)``: rows read from files the host allows."""

    columns: tuple[tuple[str, str], ...]
    uris: tuple[str, ...]
    properties: tuple[tuple[str, Any], ...] = ()
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class MakeSeries:
    """``make-series agg [default=v], ... on axis [from a] [to b] step s [by ...]``."""

    aggregates: tuple[tuple[Assign, Expr | None], ...]
    axis: Expr
    start: Expr | None
    stop: Expr | None
    step: Expr
    by: tuple[Assign, ...] = ()
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    options: tuple[tuple[str, Any], ...] = ()  # kind=nonempty, hints


@dataclass(frozen=True)
class Evaluate:
    """``evaluate plugin(args)`` (bag_unpack, pivot, narrow)."""

    plugin: str
    args: tuple[Expr, ...]
    options: tuple[tuple[str, Any], ...] = ()
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    # ``: (*, Name:string, ...)``: the output schema the query declares (``("*", "")`` for star).
    schema: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Invoke:
    """``invoke f(args)``: the input table becomes f's first (tabular) argument."""

    function: str
    args: tuple[Expr, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Lookup:
    """``lookup [kind=leftouter|inner] (T) on keys``."""

    kind: str
    right: Expr
    keys: tuple[Expr, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class MvApply:
    """``mv-apply [with_itemindex=i] items [limit n] on (subquery operators)``."""

    items: tuple[tuple[Assign, str | None], ...]
    ops: tuple[Any, ...]
    limit: Expr | None = None
    index_name: str | None = None
    kind: str = "bag"
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Find:
    """``find [withsource=C] [in (T, ...)] where predicate [project cols | project-smart]``.

    ``project`` holds (name, type or None) pairs, ``("*pack_all", None)`` for ``pack_all()``;
    None means project-smart (also when no project clause is written).
    """

    predicate: Any
    tables: tuple[str, ...] = ()
    source_column: str = "source_"
    project: tuple[tuple[str, str | None], ...] | None = None
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Partition:
    """``partition by Column (subquery operators)``: the subquery runs on each partition's rows."""

    column: str
    ops: tuple[Any, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    source: Any = None  # the legacy form ``partition by Col { T | ... }``: a subquery with a source


@dataclass(frozen=True)
class Search:
    """``search [kind=case_sensitive] [in (T, ...)] predicate`` (source or operator)."""

    predicate: Expr
    tables: tuple[str, ...] = ()
    case_sensitive: bool = False
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class TopNestedLevel:
    count: Expr | None
    of: Assign
    others: Expr | None
    by: Assign
    descending: bool = True


@dataclass(frozen=True)
class TopNested:
    levels: tuple[TopNestedLevel, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class ParseKv:
    """``parse-kv expr as (k:type, ...) with (pair_delimiter=.., kv_delimiter=.., ...)``."""

    source: Expr
    columns: tuple[tuple[str, str], ...]
    properties: tuple[tuple[str, Any], ...] = ()
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Sample:
    """``sample n`` / ``sample-distinct n of col``."""

    count: Expr
    of: Expr | None = None
    distinct: bool = False
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


# ----------------------------------------------------------------------------- graph operators
# make-graph turns a table into a graph; the other graph operators read one (azlogs.kql._graph).


@dataclass(frozen=True)
class GraphNode:
    """``(name)`` or ``()`` in a graph pattern."""

    name: str | None


@dataclass(frozen=True)
class GraphEdge:
    """``-[name]->``, ``<-[name*1..3]-``, ``--`` ... in a graph pattern; hops None for one edge."""

    name: str | None
    direction: str  # "->" (left to right), "<-" (right to left) or "--" (either)
    min_hops: int | None = None
    max_hops: int | None = None


@dataclass(frozen=True)
class MakeGraph:
    """``make-graph Src --> Dst [with T on Key, ...| with_node_id=Name] [partitioned-by C (ops)]``."""

    source: str
    target: str
    nodes: tuple[tuple[Any, str], ...] = ()
    node_id: str | None = None
    directed: bool = True
    partition: str | None = None
    ops: tuple[Any, ...] = ()
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class ScanStep:
    """``step name [output=all|last|none]: condition [=> col = expr, ...];``"""

    name: str
    condition: Expr
    assigns: tuple[tuple[str, Expr], ...] = ()
    output: str = "all"


@dataclass(frozen=True)
class Scan:
    """``scan [with_match_id=c] [declare (c:type [= default], ...)] with (steps)``."""

    steps: tuple[ScanStep, ...]
    declares: tuple[tuple[str, str, Expr | None], ...] = ()
    match_id: str | None = None
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class GraphMatch:
    """``graph-match`` (or ``graph-shortest-paths`` when ``shortest``) patterns, where and project."""

    patterns: tuple[tuple[GraphNode | GraphEdge, ...], ...]
    where: Any
    project: tuple[Assign, ...]
    options: tuple[tuple[str, str], ...] = ()
    shortest: bool = False
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class GraphTablePart:
    """``nodes`` or ``edges`` of ``graph-to-table``, with its ``as`` name and id columns."""

    kind: str
    name: str | None = None
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class GraphToTable:
    parts: tuple[GraphTablePart, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class GraphMarkComponents:
    """``graph-mark-components [kind=weak|strong] [with_component_id=Name]``."""

    options: tuple[tuple[str, str], ...] = ()
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class ProjectByNames:
    """``project-by-names spec, ...``: names, wildcard patterns or dynamic arrays of names."""

    specs: tuple[Expr, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


Operator = Union[  # noqa: UP007
    Where,
    Extend,
    Project,
    ProjectAway,
    ProjectRename,
    Parse,
    Take,
    Sort,
    Top,
    Summarize,
    Count,
    Distinct,
    Union_,
    Join,
    MvExpand,
    Render,
    GetSchema,
    Serialize,
    As,
    Print,
    MakeSeries,
    Evaluate,
    Invoke,
    Lookup,
    MvApply,
    Search,
    TopNested,
    ParseKv,
    Sample,
    ExternalData,
    Partition,
    MakeGraph,
    GraphMatch,
    GraphToTable,
    GraphMarkComponents,
    Scan,
    ProjectByNames,
]
Source = Union[  # noqa: UP007
    Expr, Print, Range, Union_, Datatable, ExternalData, Search, Evaluate
]


@dataclass(frozen=True)
class Pipeline:
    """``source | op | op ...``; a pipeline with no operators only appears for tabular sources."""

    source: Source
    ops: tuple[Operator, ...]
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


# ----------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # a scalar type, or "table" for a tabular parameter
    default: Expr | None = None
    # A tabular parameter's declared columns ((name, type), ...); () for ``T:(*)``.
    columns: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Lambda:
    """A user-defined function: ``(a:string, b:long) { lets; body }``."""

    params: tuple[Param, ...]
    lets: tuple[Let, ...]
    body: Expr
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    view: bool = False  # ``view () { ... }``: also a table for ``union *``


@dataclass(frozen=True)
class Let:
    name: str
    value: Expr | Lambda
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class SetOption:
    """``set name [= value]``: a request property for the rest of the query (value True when omitted)."""

    name: str
    value: Any
    pos: Pos = field(default=NOPOS, compare=False, repr=False)


@dataclass(frozen=True)
class Query:
    """A whole query text: ``set`` and ``let`` statements and at most one tabular expression statement."""

    lets: tuple[Let, ...]
    body: Expr | None
    text: str = field(default="", compare=False, repr=False)
    pos: Pos = field(default=NOPOS, compare=False, repr=False)
    sets: tuple[SetOption, ...] = ()
