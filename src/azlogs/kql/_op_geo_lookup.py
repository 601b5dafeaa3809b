"""The ``evaluate geo_polygon_lookup(...)`` and ``evaluate geo_line_lookup(...)`` plugins.

Each input row is joined with every row of the lookup table whose polygon contains its point
(``geo_point_in_polygon``; with a radius, ``geo_distance_point_to_polygon(...) <= radius``) or whose
line passes within the radius (``geo_distance_point_to_line``). The output is the input's columns,
then the lookup table's (its key column only with ``return_lookup_key = true``); without
``return_unmatched = true`` rows with no match are left out, with it they get nulls.
``lookup_area_radius`` only tunes Kusto's index and is accepted and ignored.
Sources: geo-polygon-lookup-plugin.md, geo-line-lookup-plugin.md (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql._budget import current
from azlogs.kql._compile import Env, compile_expr, err
from azlogs.kql._fn_geo_shapes import (
    geo_distance_point_to_line,
    geo_distance_point_to_polygon,
    geo_point_in_polygon,
)
from azlogs.kql._plan import Plan, Row

# The arguments after the point's columns, in order, of both plugins (geo_line_lookup requires radius).
_OPTIONAL = ("radius", "return_unmatched", "lookup_area_radius", "return_lookup_key")


def geo_lookup(plan: Plan, op: A.Evaluate, scope: Env) -> Plan:
    """Apply ``evaluate geo_polygon_lookup(...)`` or ``evaluate geo_line_lookup(...)``."""
    from azlogs.kql._tabular import compile_pipeline

    name = op.plugin
    positional = [a for a in op.args if not isinstance(a, A.Assign)]
    named = {a.name.lower(): a.expr for a in op.args if isinstance(a, A.Assign) and a.name}
    usage = f"{name}(LookupTable, LookupKey, SourceLongitude, SourceLatitude, ...)"
    if len(positional) < 4 or not isinstance(positional[1], A.Column):
        raise err(op, f"{name} takes {usage}")
    table = compile_pipeline(positional[0], scope.with_columns({}))
    key = positional[1].name
    if key not in table.columns:
        raise err(op, f"{name}: the lookup table has no column '{key}'")
    row_env = scope.with_columns(plan.columns)
    lon, lat = compile_expr(positional[2], row_env).fn, compile_expr(positional[3], row_env).fn
    options: dict[str, Any] = {}
    for opt, node in zip(_OPTIONAL, positional[4:], strict=False):
        options[opt] = compile_expr(node, scope.with_columns({})).fn({})
    for opt, node in named.items():
        if opt not in _OPTIONAL:
            raise err(op, f"{name}: unknown argument '{opt}'")
        options[opt] = compile_expr(node, scope.with_columns({})).fn({})
    radius = options.get("radius")
    if name == "geo_line_lookup" and radius is None:
        raise err(op, f"{name} needs the radius: {usage.replace('...', 'Radius, ...')}")
    unmatched = options.get("return_unmatched") is True
    keep_key = options.get("return_lookup_key") is True
    added = {c: t for c, t in table.columns.items() if (c != key or keep_key) and c not in plan.columns}
    nulls = {c: None for c in added}
    match = _matcher(name, radius)

    def produce() -> Iterator[Row]:
        shapes = current().collect(table.rows())
        for r in plan.rows():
            x, y = lon(r), lat(r)
            hits = [s for s in shapes if match(x, y, s.get(key))]
            if not hits and unmatched:
                yield {**r, **nulls}
            for hit in hits:
                yield {**r, **{c: hit.get(c) for c in added}}

    return Plan({**plan.columns, **added}, produce)


def _matcher(name: str, radius: Any) -> Callable[[Any, Any, Any], bool]:
    if name == "geo_line_lookup":
        return lambda x, y, shape: _within(geo_distance_point_to_line(x, y, shape), radius)
    if radius is None:
        return lambda x, y, shape: geo_point_in_polygon(x, y, shape) is True
    return lambda x, y, shape: _within(geo_distance_point_to_polygon(x, y, shape), radius)


def _within(distance: float | None, radius: Any) -> bool:
    return distance is not None and isinstance(radius, (int, float)) and distance <= radius
