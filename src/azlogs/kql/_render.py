"""What ``| render`` asks a UI to draw: Kusto's visualization properties of a query.

``render`` passes its rows through unchanged (see :mod:`azlogs.kql._tabular`); a client that wants
the chart reads these properties instead (the query API's ``render`` object under
``Prefer: include-render=true``). The names and defaults are those of Kusto's render operator:
``title``, ``xcolumn``, ``series``, ``ycolumns``, ``anomalycolumns``, ``kind``, ``xtitle``,
``ytitle``, ``xaxis``, ``yaxis``, ``legend``, ``ysplit``, ``accumulate``, ``ymin``, ``ymax``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A

# Properties whose value names columns (a list in the answer) and those that are one word.
_COLUMN_LISTS = frozenset({"series", "ycolumns", "anomalycolumns"})
_WORDS = frozenset({"xcolumn", "kind", "xaxis", "yaxis", "legend", "ysplit"})
_TEXTS = frozenset({"title", "xtitle", "ytitle"})
_NUMBERS = frozenset({"ymin", "ymax", "xmin", "xmax"})
PROPERTIES = _COLUMN_LISTS | _WORDS | _TEXTS | _NUMBERS | {"accumulate"}


@dataclass(frozen=True)
class Visualization:
    """The ``render`` of a query: the chart type and the properties given ``with (...)``.

    ``properties`` maps a property name (lower case) to a plain value: a string, a bool, a number,
    or a list of column names. ``sorted`` is True when the rows reach ``render`` through ``sort``
    or ``top`` (Kusto's ``IsQuerySorted``).
    """

    visualization: str
    properties: dict[str, Any] = field(default_factory=dict)
    sorted: bool = False


def _value(name: str, value: A.Expr | tuple[A.Expr, ...]) -> Any:
    if isinstance(value, tuple):
        if name not in _COLUMN_LISTS:
            raise KqlError(f"render property '{name}' takes one value, not a list")
        return [c for v in value for c in _value(name, v)]
    if isinstance(value, A.Column):
        return [value.name] if name in _COLUMN_LISTS else value.name
    if isinstance(value, A.Literal):
        if name in _COLUMN_LISTS and isinstance(value.value, str):
            return [value.value]
        return value.value
    raise KqlError(f"render property '{name}' takes a literal or a column name")


def visualization(query: A.Query) -> Visualization | None:
    """The query's ``render`` (its last operator), or None when it has none.

    Raises:
        KqlError: a property Kusto's render operator does not have, or a value that is not a
            literal or a column name.
    """
    body = query.body
    if not isinstance(body, A.Pipeline) or not body.ops or not isinstance(body.ops[-1], A.Render):
        return None
    render = body.ops[-1]
    props: dict[str, Any] = {}
    for name, value in render.properties:
        if name not in PROPERTIES:
            raise KqlError(
                f"render has no property '{name}' (it has {', '.join(sorted(PROPERTIES))})",
                line=render.pos[0] or None,
                column=render.pos[1] or None,
            )
        props[name] = _value(name, value)
    before = body.ops[-2] if len(body.ops) > 1 else None
    return Visualization(render.visual, props, isinstance(before, (A.Sort, A.Top)))
