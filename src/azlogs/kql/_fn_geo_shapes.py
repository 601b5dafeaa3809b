"""The geospatial functions of lines and polygons: WKT, measures, containment, distances, closest
points, intersections, unions, buffers, densify/simplify and cell coverings.

Semantics follow the Kusto documentation pages of the same names (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/geo-*-function.md); their examples are conformance cases in
tests/unit/kql/test_conformance_docs.py. The Earth model, the validity rules and the GeoJSON form
live in ``_geo``; every computation on the sphere is S2's (``s2geometry``), which is what the
documented figures match to the last printed digit. Invalid input (a shape that breaks the rules,
a coordinate out of range, a parameter outside its documented range) gives null, never an error.

None of these is listed among the functions supported in DCR transformations: log-query only.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from itertools import pairwise
from typing import Any

from azlogs.kql import _geo as G
from azlogs.kql._geo import map_all
from azlogs.kql._registry import register


def _key(value: Any) -> str | None:
    """A cache key for a dynamic shape (the same literal on every row is parsed once)."""
    if not isinstance(value, dict):
        return None
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=256)
def _polygon_from_key(key: str) -> Any | None:
    shape = G.parse_polygon(json.loads(key))
    return None if shape is None else G.s2_polygon(shape)


@lru_cache(maxsize=256)
def _lines_from_key(key: str) -> list[Any] | None:
    shape = G.parse_line(json.loads(key))
    return None if shape is None else G.s2_polylines(shape)


def polygon_of(value: Any) -> Any | None:
    """The S2Polygon of a Polygon/MultiPolygon dynamic value, or None when it is invalid."""
    key = _key(value)
    return None if key is None else _polygon_from_key(key)


def polylines_of(value: Any) -> list[Any] | None:
    """The S2Polylines of a LineString/MultiLineString dynamic value, or None when it is invalid."""
    key = _key(value)
    return None if key is None else _lines_from_key(key)


def _point(lon: Any, lat: Any) -> Any | None:
    p = G.lonlat(lon, lat)
    return None if p is None else G.s2_point(p)


# ----------------------------------------------------------------------------- WKT


@register("geo_from_wkt", 1, 1, "dynamic", "query")
def geo_from_wkt(text: Any) -> dict[str, Any] | None:
    """The GeoJSON of a WKT text (POINT ... GEOMETRYCOLLECTION); null when the text is invalid."""
    return G.parse_wkt(text)


# ----------------------------------------------------------------------------- measures


@register("geo_line_length", 1, 1, "real", "query")
def geo_line_length(line: Any) -> float | None:
    """The length of a line or multiline on Earth, in meters."""
    lines = polylines_of(line)
    if lines is None:
        return None
    return G.radians_to_meters(sum(pl.GetLength().radians() for pl in lines))


@register("geo_polygon_area", 1, 1, "real", "query")
def geo_polygon_area(polygon: Any) -> float | None:
    """The area of a polygon or multipolygon (of the union of its polygons) on Earth, in m²."""
    poly = polygon_of(polygon)
    if poly is None:
        return None
    return float(poly.GetArea()) * G.EARTH_RADIUS_M**2


@register("geo_polygon_perimeter", 1, 1, "real", "query")
def geo_polygon_perimeter(polygon: Any) -> float | None:
    """The length of the boundary of a polygon or multipolygon (of their union) on Earth, in meters."""
    poly = polygon_of(polygon)
    if poly is None:
        return None
    m = G.s2()
    total = 0.0
    for i in range(poly.num_loops()):
        loop = poly.loop(i)
        n = loop.num_vertices()
        total += sum(m.S1Angle(loop.vertex(k), loop.vertex((k + 1) % n)).radians() for k in range(n))
    return G.radians_to_meters(total)


def _point_json(point: Any) -> dict[str, Any]:
    return G.to_geojson(G.Shape("Point", points=(G.lonlat_of(point),)))


@register("geo_line_centroid", 1, 1, "dynamic", "query")
def geo_line_centroid(line: Any) -> dict[str, Any] | None:
    """The centroid of a line or multiline (weighted by length) as a GeoJSON Point."""
    lines = polylines_of(line)
    if lines is None:
        return None
    m = G.s2()
    x = y = z = 0.0
    for pl in lines:
        c = pl.GetCentroid()
        x, y, z = x + c.x(), y + c.y(), z + c.z()
    if x == y == z == 0.0:
        return None
    return _point_json(m.S2Point_FromRaw(x, y, z).Normalize())


@register("geo_polygon_centroid", 1, 1, "dynamic", "query")
def geo_polygon_centroid(polygon: Any) -> dict[str, Any] | None:
    """The centroid of a polygon or multipolygon (weighted by area) as a GeoJSON Point."""
    poly = polygon_of(polygon)
    if poly is None:
        return None
    c = poly.GetCentroid()
    if c.x() == c.y() == c.z() == 0.0:
        return None
    return _point_json(c.Normalize())


# ----------------------------------------------------------------------------- containment, distance


@register("geo_point_in_polygon", 3, 3, "bool", "query")
def geo_point_in_polygon(lon: Any, lat: Any, polygon: Any) -> bool | None:
    """Whether a point is inside a polygon or multipolygon."""
    p = _point(lon, lat)
    poly = None if p is None else polygon_of(polygon)
    if poly is None:
        return None
    return bool(poly.Contains(p))


def _closest_on_lines(lon: Any, lat: Any, line: Any) -> tuple[Any, Any] | None:
    """(the point, its closest point on the lines), or None when an input is invalid."""
    p = _point(lon, lat)
    lines = None if p is None else polylines_of(line)
    if lines is None:
        return None
    m = G.s2()
    best = None
    best_angle = 0.0
    for pl in lines:
        q = pl.Project(p)[0]
        angle = m.S1Angle(p, q).radians()
        if best is None or angle < best_angle:
            best, best_angle = q, angle
    return p, best


@register("geo_distance_point_to_line", 3, 3, "real", "query")
def geo_distance_point_to_line(lon: Any, lat: Any, line: Any) -> float | None:
    """The shortest distance in meters from a point to a line or multiline."""
    hit = _closest_on_lines(lon, lat, line)
    if hit is None:
        return None
    return G.radians_to_meters(G.s2().S1Angle(hit[0], hit[1]).radians())


@register("geo_closest_point_on_line", 3, 3, "dynamic", "query")
def geo_closest_point_on_line(lon: Any, lat: Any, line: Any) -> dict[str, Any] | None:
    """The point of a line or multiline closest to a point, as a GeoJSON Point."""
    hit = _closest_on_lines(lon, lat, line)
    return None if hit is None else _point_json(hit[1])


@register("geo_distance_point_to_polygon", 3, 3, "real", "query")
def geo_distance_point_to_polygon(lon: Any, lat: Any, polygon: Any) -> float | None:
    """The shortest distance in meters from a point to a polygon or multipolygon (0 inside it)."""
    p = _point(lon, lat)
    poly = None if p is None else polygon_of(polygon)
    if poly is None:
        return None
    return G.radians_to_meters(poly.GetDistance(p).radians())


@register("geo_closest_point_on_polygon", 3, 3, "dynamic", "query")
def geo_closest_point_on_polygon(lon: Any, lat: Any, polygon: Any) -> dict[str, Any] | None:
    """The point of a polygon or multipolygon closest to a point (the point itself inside it)."""
    p = _point(lon, lat)
    poly = None if p is None else polygon_of(polygon)
    if poly is None:
        return None
    return _point_json(poly.Project(p))


# ----------------------------------------------------------------------------- along a line


def _single_line(line: Any) -> Any | None:
    lines = polylines_of(line)
    if lines is None or len(lines) != 1:
        return None
    return lines[0]


@register("geo_line_interpolate_point", 2, 2, "dynamic", "query")
def geo_line_interpolate_point(line: Any, fraction: Any) -> dict[str, Any] | None:
    """The point at ``fraction`` (0..1) of a line's length, as a GeoJSON Point."""
    f = G.coordinate(fraction)
    pl = None if f is None or not 0.0 <= f <= 1.0 else _single_line(line)
    if pl is None:
        return None
    return _point_json(pl.Interpolate(f))


@register("geo_line_locate_point", 3, 3, "real", "query")
def geo_line_locate_point(line: Any, lon: Any, lat: Any) -> float | None:
    """The fraction (0..1) of a line's length at which its point closest to a point lies."""
    p = _point(lon, lat)
    pl = None if p is None else _single_line(line)
    if pl is None:
        return None
    q, nxt = pl.Project(p)
    return float(pl.UnInterpolate(q, nxt))


# ----------------------------------------------------------------------------- intersects


@register("geo_intersects_2lines", 2, 2, "bool", "query")
def geo_intersects_2lines(line1: Any, line2: Any) -> bool | None:
    """Whether two lines or multilines intersect (touching counts)."""
    a, b = polylines_of(line1), polylines_of(line2)
    if a is None or b is None:
        return None
    return any(bool(p.Intersects(q)) for p in a for q in b)


@register("geo_intersects_2polygons", 2, 2, "bool", "query")
def geo_intersects_2polygons(polygon1: Any, polygon2: Any) -> bool | None:
    """Whether two polygons or multipolygons intersect."""
    a, b = polygon_of(polygon1), polygon_of(polygon2)
    if a is None or b is None:
        return None
    return bool(a.Intersects(b))


@register("geo_intersects_line_with_polygon", 2, 2, "bool", "query")
def geo_intersects_line_with_polygon(line: Any, polygon: Any) -> bool | None:
    """Whether a line or multiline intersects a polygon or multipolygon."""
    lines, poly = polylines_of(line), polygon_of(polygon)
    if lines is None or poly is None:
        return None
    return any(bool(poly.Intersects(pl)) for pl in lines)


# ----------------------------------------------------------------------------- intersections

Vec = tuple[float, float, float]
_EPS = 1e-12  # radians (about 6 µm on Earth): points closer than this are the same point


def _vec(p: Any) -> Vec:
    return (p.x(), p.y(), p.z())


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _unit(a: Vec) -> Vec:
    n = math.sqrt(_dot(a, a))
    return (a[0] / n, a[1] / n, a[2] / n)


def _angle(a: Vec, b: Vec) -> float:
    return math.atan2(math.sqrt(_dot(c := _cross(a, b), c)), _dot(a, b))


def _edge_distance(p: Vec, a: Vec, b: Vec) -> float:
    """The angle from p to the geodesic edge ab."""
    n = _cross(a, b)
    if _dot(_cross(n, a), p) >= 0 and _dot(_cross(b, n), p) >= 0:
        return abs(math.asin(max(-1.0, min(1.0, _dot(p, _unit(n))))))
    return min(_angle(p, a), _angle(p, b))


def _lonlat(v: Vec) -> G.LonLat:
    return (math.degrees(math.atan2(v[1], v[0])), math.degrees(math.atan2(v[2], math.hypot(v[0], v[1]))))


def _edges(pl: Any) -> list[tuple[Vec, Vec, Any, Any]]:
    pts = [pl.vertex(k) for k in range(pl.num_vertices())]
    return [(_vec(a), _vec(b), a, b) for a, b in pairwise(pts)]


def _edge_meet(e: tuple[Vec, Vec, Any, Any], f: tuple[Vec, Vec, Any, Any]) -> tuple[list[Vec], list[Vec]]:
    """Where two edges meet: (points, the ends of a shared stretch) - a crossing or touching point,
    or the two ends of the part they share when both lie on one great circle."""
    a, b, sa, sb = e
    c, d, sc, sd = f
    on_both = [p for p in (a, b, c, d) if _edge_distance(p, a, b) < _EPS and _edge_distance(p, c, d) < _EPS]
    unique: list[Vec] = []
    for p in on_both:
        if all(_angle(p, q) >= _EPS for q in unique):
            unique.append(p)
    if len(unique) >= 2:  # collinear overlap: order its ends along ab
        unique.sort(key=lambda p: _angle(a, p))
        return [], [unique[0], unique[-1]]
    if unique:
        return unique, []
    m = G.s2()
    if m.CrossingSign(sa, sb, sc, sd) > 0:
        return [_vec(m.GetIntersection(sa, sb, sc, sd))], []
    return [], []


def _line_meets(a: list[Any], b: list[Any]) -> tuple[list[G.LonLat], list[list[G.LonLat]]]:
    points: list[Vec] = []
    segments: list[tuple[Vec, Vec]] = []
    for p in a:
        for q in b:
            for e in _edges(p):
                for f in _edges(q):
                    pts, seg = _edge_meet(e, f)
                    points += pts
                    if seg:
                        segments.append((seg[0], seg[1]))
    chains: list[list[Vec]] = []
    for s, t in segments:
        if chains and _angle(chains[-1][-1], s) < _EPS:
            chains[-1].append(t)
        else:
            chains.append([s, t])
    kept: list[Vec] = []
    for p in points:
        on_segment = any(_edge_distance(p, s, t) < _EPS for s, t in segments)
        if not on_segment and all(_angle(p, q) >= _EPS for q in kept):
            kept.append(p)
    return [_lonlat(p) for p in kept], [[_lonlat(p) for p in ch] for ch in chains]


@register("geo_intersection_2lines", 2, 2, "dynamic", "query")
def geo_intersection_2lines(line1: Any, line2: Any) -> dict[str, Any] | None:
    """The intersection of two lines or multilines: points, shared stretches, or the empty
    GeometryCollection."""
    a, b = polylines_of(line1), polylines_of(line2)
    if a is None or b is None:
        return None
    points, lines = _line_meets(a, b)
    return G.combine([G.points_shape(points), G.lines_shape(lines)])


@register("geo_intersection_line_with_polygon", 2, 2, "dynamic", "query")
def geo_intersection_line_with_polygon(line: Any, polygon: Any) -> dict[str, Any] | None:
    """The parts of a line or multiline inside a polygon or multipolygon."""
    lines, poly = polylines_of(line), polygon_of(polygon)
    if lines is None or poly is None:
        return None
    parts = [G.polyline_vertices(piece) for pl in lines for piece in poly.IntersectWithPolyline(pl)]
    return G.combine([G.lines_shape(parts)])


def _touch_points(a: Any, b: Any, result: Any) -> list[G.LonLat]:
    """Vertices where two polygons meet that their intersection polygon does not cover (two
    polygons touching at a vertex intersect in that point)."""
    kept: list[Any] = []
    for this, other in ((a, b), (b, a)):
        for i in range(this.num_loops()):
            loop = this.loop(i)
            for k in range(loop.num_vertices()):
                v = loop.vertex(k)
                if other.GetDistance(v).radians() > _EPS:
                    continue
                if not result.is_empty() and result.GetDistance(v).radians() <= _EPS:
                    continue
                if all(_angle(_vec(v), _vec(q)) >= _EPS for q in kept):
                    kept.append(v)
    return [G.lonlat_of(v) for v in kept]


@register("geo_intersection_2polygons", 2, 2, "dynamic", "query")
def geo_intersection_2polygons(polygon1: Any, polygon2: Any) -> dict[str, Any] | None:
    """The intersection of two polygons or multipolygons: polygons, touching points, or the empty
    GeometryCollection."""
    a, b = polygon_of(polygon1), polygon_of(polygon2)
    if a is None or b is None:
        return None
    result = G.s2_boolean("intersection", a, b)
    return G.combine([G.points_shape(_touch_points(a, b, result)), G.polygon_shape(result)])


# ----------------------------------------------------------------------------- unions


@register("geo_union_polygons_array", 1, 1, "dynamic", "query")
def geo_union_polygons_array(polygons: Any) -> dict[str, Any] | None:
    """The union of an array of polygons and multipolygons."""
    if not isinstance(polygons, list):
        return None
    parts = map_all(polygons, polygon_of)
    if parts is None:
        return None
    shape = G.polygon_shape(G.s2_union(parts))
    return G.combine([shape])


def _chains(edges: list[tuple[G.LonLat, G.LonLat]]) -> list[list[G.LonLat]]:
    """The maximal chains of a set of undirected edges, started where the input starts."""
    adjacent: dict[G.LonLat, list[int]] = {}
    for i, (p, q) in enumerate(edges):
        adjacent.setdefault(p, []).append(i)
        adjacent.setdefault(q, []).append(i)
    used = [False] * len(edges)
    out: list[list[G.LonLat]] = []

    def walk(start: G.LonLat) -> None:
        while True:
            free = [i for i in adjacent[start] if not used[i]]
            if not free:
                return
            chain = [start]
            here = start
            while True:
                nxt = [i for i in adjacent[here] if not used[i]]
                if not nxt or (here != start and len(adjacent[here]) != 2):
                    break
                i = nxt[0]
                used[i] = True
                p, q = edges[i]
                here = q if p == here else p
                chain.append(here)
                if here == start:
                    break
            out.append(chain)

    ends = [v for p, q in edges for v in (p, q) if len(adjacent[v]) != 2]
    for v in ends:
        walk(v)
    for p, _ in edges:
        walk(p)
    return out


@register("geo_union_lines_array", 1, 1, "dynamic", "query")
def geo_union_lines_array(lines: Any) -> dict[str, Any] | None:
    """The union of an array of lines and multilines: shared edges once, chains joined."""
    if not isinstance(lines, list):
        return None
    shapes = map_all(lines, G.parse_line)
    if shapes is None or any(G.s2_polylines(s) is None for s in shapes):
        return None
    seen: set[frozenset[G.LonLat]] = set()
    edges: list[tuple[G.LonLat, G.LonLat]] = []
    for shape in shapes:
        for ln in shape.lines:
            for p, q in pairwise(ln):
                key = frozenset((p, q))
                if p != q and key not in seen:
                    seen.add(key)
                    edges.append((p, q))
    return G.combine([G.lines_shape(_chains(edges))])
