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
from collections.abc import Callable, Iterable, Iterator
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


# Per kind, the last value looked up and its S2 form: a literal shape is the same object on every
# row, so it is not even serialized again (the value is held, so its identity cannot be reused).
_LAST: dict[str, tuple[Any, Any]] = {}


def _s2_of(kind: str, value: Any, build: Callable[[str], Any]) -> Any:
    last = _LAST.get(kind)
    if last is not None and last[0] is value:
        return last[1]
    key = _key(value)
    result = None if key is None else build(key)
    _LAST[kind] = (value, result)
    return result


def polygon_of(value: Any) -> Any | None:
    """The S2Polygon of a Polygon/MultiPolygon dynamic value, or None when it is invalid."""
    return _s2_of("polygon", value, _polygon_from_key)


def polylines_of(value: Any) -> list[Any] | None:
    """The S2Polylines of a LineString/MultiLineString dynamic value, or None when it is invalid."""
    result: list[Any] | None = _s2_of("lines", value, _lines_from_key)
    return result


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


def _centroid_json(centroids: Iterable[Any]) -> dict[str, Any] | None:
    """The GeoJSON Point in the direction of the sum of S2's (unnormalized, weighted) centroids."""
    x = y = z = 0.0
    for c in centroids:
        x, y, z = x + c.x(), y + c.y(), z + c.z()
    if x == y == z == 0.0:
        return None
    return G.to_geojson(G.Shape("Point", points=(_lonlat((x, y, z)),)))


@register("geo_line_centroid", 1, 1, "dynamic", "query")
def geo_line_centroid(line: Any) -> dict[str, Any] | None:
    """The centroid of a line or multiline (weighted by length) as a GeoJSON Point."""
    lines = polylines_of(line)
    return None if lines is None else _centroid_json(pl.GetCentroid() for pl in lines)


@register("geo_polygon_centroid", 1, 1, "dynamic", "query")
def geo_polygon_centroid(polygon: Any) -> dict[str, Any] | None:
    """The centroid of a polygon or multipolygon (weighted by area) as a GeoJSON Point."""
    poly = polygon_of(polygon)
    return None if poly is None else _centroid_json([poly.GetCentroid()])


# ----------------------------------------------------------------------------- containment, distance


def _point_and_polygon(lon: Any, lat: Any, polygon: Any) -> tuple[Any, Any] | None:
    """(the S2Point, the S2Polygon), or None when either is invalid."""
    p = _point(lon, lat)
    poly = None if p is None else polygon_of(polygon)
    return None if poly is None else (p, poly)


@register("geo_point_in_polygon", 3, 3, "bool", "query")
def geo_point_in_polygon(lon: Any, lat: Any, polygon: Any) -> bool | None:
    """Whether a point is inside a polygon or multipolygon."""
    both = _point_and_polygon(lon, lat, polygon)
    return None if both is None else bool(both[1].Contains(both[0]))


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
    both = _point_and_polygon(lon, lat, polygon)
    return None if both is None else G.radians_to_meters(both[1].GetDistance(both[0]).radians())


@register("geo_closest_point_on_polygon", 3, 3, "dynamic", "query")
def geo_closest_point_on_polygon(lon: Any, lat: Any, polygon: Any) -> dict[str, Any] | None:
    """The point of a polygon or multipolygon closest to a point (the point itself inside it)."""
    both = _point_and_polygon(lon, lat, polygon)
    return None if both is None else _point_json(both[1].Project(both[0]))


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


@register("geo_line_locate_point", 3, 4, "real", "query")
def geo_line_locate_point(line: Any, lon: Any, lat: Any, use_spheroid: Any = False) -> float | None:
    """The fraction (0..1) of a line's length at which its point closest to a point lies; with
    ``use_spheroid`` the edges are geodesics on the WGS-84 spheroid instead of the sphere."""
    ll = G.lonlat(lon, lat)
    pl = None if ll is None or not isinstance(use_spheroid, bool) else _single_line(line)
    if ll is None or pl is None:
        return None
    if use_spheroid:
        return _locate_on_spheroid(G.polyline_vertices(pl), ll)
    q, nxt = pl.Project(G.s2_point(ll))
    return float(pl.UnInterpolate(q, nxt))


def _locate_on_spheroid(vertices: tuple[G.LonLat, ...], point: G.LonLat) -> float | None:
    """The fraction of the line's WGS-84 length at its point closest to ``point`` (each edge's
    closest point by golden-section search along the edge's geodesic)."""
    from geographiclib.geodesic import Geodesic  # type: ignore[import-untyped]

    wgs84 = Geodesic.WGS84
    edges = [wgs84.InverseLine(a[1], a[0], b[1], b[0]) for a, b in pairwise(vertices)]
    total = sum(e.s13 for e in edges)
    if total <= 0:
        return None

    def distance(edge: Any, s: float) -> float:
        at = edge.Position(s)
        return float(wgs84.Inverse(point[1], point[0], at["lat2"], at["lon2"])["s12"])

    best, best_at, before = math.inf, 0.0, 0.0
    ratio = (math.sqrt(5) - 1) / 2
    for edge in edges:
        lo, hi = 0.0, edge.s13
        for _ in range(80):
            a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
            if distance(edge, a) <= distance(edge, b):
                hi = b
            else:
                lo = a
        s = (lo + hi) / 2
        for candidate in (0.0, s, edge.s13):
            d = distance(edge, candidate)
            if d < best:
                best, best_at = d, before + candidate
        before += edge.s13
    return float(min(1.0, max(0.0, best_at / total)))


# ----------------------------------------------------------------------------- intersects


def _pair(of: Callable[[Any], Any], x: Any, y: Any) -> tuple[Any, Any] | None:
    """The S2 forms of two shapes, or None when either is invalid."""
    a = of(x)
    b = None if a is None else of(y)
    return None if b is None else (a, b)


@register("geo_intersects_2lines", 2, 2, "bool", "query")
def geo_intersects_2lines(line1: Any, line2: Any) -> bool | None:
    """Whether two lines or multilines intersect (touching counts)."""
    if (pair := _pair(polylines_of, line1, line2)) is None:
        return None
    a, b = pair
    return any(bool(p.Intersects(q)) for p in a for q in b)


@register("geo_intersects_2polygons", 2, 2, "bool", "query")
def geo_intersects_2polygons(polygon1: Any, polygon2: Any) -> bool | None:
    """Whether two polygons or multipolygons intersect."""
    if (pair := _pair(polygon_of, polygon1, polygon2)) is None:
        return None
    a, b = pair
    if a.Intersects(b):
        return True
    # Polygons contain their vertices here: touching at a vertex or along an edge intersects.
    return any(b.GetDistance(v).radians() <= _EPS for v in _vertices(a)) or any(
        a.GetDistance(v).radians() <= _EPS for v in _vertices(b)
    )


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
    if (pair := _pair(polylines_of, line1, line2)) is None:
        return None
    points, lines = _line_meets(*pair)
    return G.combine([G.points_shape(points), G.lines_shape(lines)])


@register("geo_intersection_line_with_polygon", 2, 2, "dynamic", "query")
def geo_intersection_line_with_polygon(line: Any, polygon: Any) -> dict[str, Any] | None:
    """The parts of a line or multiline inside a polygon or multipolygon."""
    lines, poly = polylines_of(line), polygon_of(polygon)
    if lines is None or poly is None:
        return None
    parts = [G.polyline_vertices(piece) for pl in lines for piece in poly.IntersectWithPolyline(pl)]
    return G.combine([G.lines_shape(parts)])


def _vertices(poly: Any) -> Iterator[Any]:
    for i in range(poly.num_loops()):
        loop = poly.loop(i)
        yield from (loop.vertex(k) for k in range(loop.num_vertices()))


def _loop_edges(poly: Any) -> Iterator[tuple[Any, Any]]:
    for i in range(poly.num_loops()):
        loop = poly.loop(i)
        n = loop.num_vertices()
        for k in range(n):
            yield loop.vertex(k), loop.vertex((k + 1) % n)


def _touching(a: Any, b: Any, result: Any) -> tuple[list[G.LonLat], list[list[G.LonLat]]]:
    """Where two polygons meet outside their intersection polygon (both are closed: they contain
    their boundaries): the vertices they share or where one's vertex lies on the other's edge, and
    the edges they share (which reach no wider than one of them)."""
    m = G.s2()

    def on(poly: Any, v: Any) -> bool:
        return bool(poly.GetDistance(v).radians() <= _EPS)

    def free(v: Any) -> bool:
        return bool(result.is_empty() or result.GetDistance(v).radians() > _EPS)

    points: list[Vec] = []
    segments: list[tuple[Vec, Vec]] = []
    for this, other in ((a, b), (b, a)):
        for u, v in _loop_edges(this):
            if on(other, u) and on(other, v):
                (x0, y0, z0), (x1, y1, z1) = _vec(u), _vec(v)
                mid = m.S2Point_FromRaw(*_unit((x0 + x1, y0 + y1, z0 + z1)))
                if on(other, mid) and free(mid):
                    seg = (_vec(u), _vec(v))
                    if not any(_same_segment(seg, known) for known in segments):
                        segments.append(seg)
                    continue
            for w in (u, v):
                if on(other, w) and free(w) and all(_angle(_vec(w), q) >= _EPS for q in points):
                    points.append(_vec(w))
    kept = [p for p in points if not any(_edge_distance(p, s, t) < _EPS for s, t in segments)]
    return [_lonlat(p) for p in kept], [[_lonlat(s), _lonlat(t)] for s, t in segments]


def _same_segment(x: tuple[Vec, Vec], y: tuple[Vec, Vec]) -> bool:
    return (_angle(x[0], y[0]) < _EPS and _angle(x[1], y[1]) < _EPS) or (
        _angle(x[0], y[1]) < _EPS and _angle(x[1], y[0]) < _EPS
    )


@register("geo_intersection_2polygons", 2, 2, "dynamic", "query")
def geo_intersection_2polygons(polygon1: Any, polygon2: Any) -> dict[str, Any] | None:
    """The intersection of two polygons or multipolygons: polygons, touching points, or the empty
    GeometryCollection."""
    if (pair := _pair(polygon_of, polygon1, polygon2)) is None:
        return None
    a, b = pair
    result = G.s2_boolean("intersection", a, b)
    points, lines = _touching(a, b, result)
    return G.combine([G.points_shape(points), G.lines_shape(lines), G.polygon_shape(result)])


# ----------------------------------------------------------------------------- unions


@register("geo_union_polygons_array", 1, 1, "dynamic", "query")
def geo_union_polygons_array(polygons: Any) -> dict[str, Any] | None:
    """The union of an array of polygons and multipolygons (null for an empty array)."""
    if not isinstance(polygons, list) or not polygons:
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
    """The union of an array of lines and multilines: shared edges once, chains joined (null for
    an empty array)."""
    if not isinstance(lines, list) or not lines:
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


# ----------------------------------------------------------------------------- densify

_DENSIFY_MAX_POINTS = 10485760  # the pages' limit on the points of a densified shape


def _tolerance(value: Any, default: float, low: float, high: float) -> float | None:
    """A tolerance argument: its default when omitted, None (the result is null) outside [low, high]."""
    if value is None:
        return default
    t = G.coordinate(value)
    return None if t is None or not low <= t <= high else t


def _densify_edge(p: G.LonLat, q: G.LonLat, tolerance: float, out: list[G.LonLat]) -> None:
    """Append the points after ``p`` up to ``q`` of the planar edge pq, halved until the geodesic
    between the ends of each piece passes within ``tolerance`` meters of the piece's planar midpoint."""
    mid = ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)
    deviation = _edge_distance(_vec(G.s2_point(mid)), _vec(G.s2_point(p)), _vec(G.s2_point(q)))
    if G.radians_to_meters(deviation) > tolerance and len(out) < _DENSIFY_MAX_POINTS:
        _densify_edge(p, mid, tolerance, out)
        _densify_edge(mid, q, tolerance, out)
    else:
        out.append(q)


def _densify_chain(chain: tuple[G.LonLat, ...], tolerance: float, crossing: bool) -> tuple[G.LonLat, ...]:
    out = [chain[0]]
    for p, q in pairwise(chain):
        if crossing and abs(q[0] - p[0]) > 180:  # keep the edge over the antimeridian
            shifted = (q[0] - 360 if q[0] > p[0] else q[0] + 360, q[1])
            start = len(out)
            _densify_edge(p, shifted, tolerance, out)
            out[start:] = [((x + 540) % 360 - 180 if abs(x) > 180 else x, y) for x, y in out[start:]]
            out[-1] = q
        else:
            _densify_edge(p, q, tolerance, out)
    return tuple(out)


def _densify(value: Any, kinds: frozenset[str], tolerance: Any, crossing: Any) -> dict[str, Any] | None:
    shape = G.parse_shape(value, kinds)
    tol = _tolerance(tolerance, 10.0, 0.1, 10000.0)
    if shape is None or tol is None or (crossing is not None and not isinstance(crossing, bool)):
        return None
    valid = G.s2_polylines(shape) if kinds == G.LINE_KINDS else G.s2_polygon(shape)
    if valid is None:
        return None
    keep = crossing is True
    lines = tuple(_densify_chain(ln, tol, keep) for ln in shape.lines)
    polygons = tuple(tuple(_densify_chain(r, tol, keep) for r in pg) for pg in shape.polygons)
    if sum(len(c) for c in lines) + sum(len(r) for pg in polygons for r in pg) > _DENSIFY_MAX_POINTS:
        return None
    return G.to_geojson(G.Shape(shape.kind, lines=lines, polygons=polygons))


@register("geo_line_densify", 1, 3, "dynamic", "query")
def geo_line_densify(
    line: Any, tolerance: Any = None, preserve_crossing: Any = None
) -> dict[str, Any] | None:
    """A line or multiline whose planar edges are replaced by chains of geodesics that stay within
    ``tolerance`` meters (0.1 to 10000, default 10) of them."""
    return _densify(line, G.LINE_KINDS, tolerance, preserve_crossing)


@register("geo_polygon_densify", 1, 3, "dynamic", "query")
def geo_polygon_densify(
    polygon: Any, tolerance: Any = None, preserve_crossing: Any = None
) -> dict[str, Any] | None:
    """A polygon or multipolygon whose planar edges are replaced by chains of geodesics that stay
    within ``tolerance`` meters (0.1 to 10000, default 10) of them."""
    return _densify(polygon, G.POLYGON_KINDS, tolerance, preserve_crossing)


# ----------------------------------------------------------------------------- simplify

# S2Builder's largest snap radius (70 degrees): the pages' "~7,800,000 meters" upper bound.
_MAX_SNAP_M = math.radians(70) * G.EARTH_RADIUS_M


def _simplify_chain(points: list[Vec], tolerance: float) -> list[int]:
    """Douglas-Peucker on the sphere: the indexes of the points kept so that every dropped point is
    within ``tolerance`` radians of the kept chain."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        far, far_d = -1, tolerance
        for k in range(i + 1, j):
            d = _edge_distance(points[k], points[i], points[j])
            if d > far_d:
                far, far_d = k, d
        if far >= 0:
            keep.add(far)
            stack += [(i, far), (far, j)]
    return sorted(keep)


def _simplify_line(line: tuple[G.LonLat, ...], tol: float) -> tuple[G.LonLat, ...] | None:
    """A simplified line, or None when it collapses (its ends closer than the tolerance)."""
    vs = [_vec(G.s2_point(p)) for p in line]
    kept = _simplify_chain(vs, tol)
    if len(kept) == 2 and _angle(vs[kept[0]], vs[kept[1]]) < tol:
        return None
    return tuple(line[i] for i in kept)


def _simplify_ring(ring: G.Ring, tol: float) -> G.Ring | None:
    """A simplified ring (split at its first vertex and the vertex farthest from it), or None when
    it collapses below three vertices."""
    vs = [_vec(G.s2_point(p)) for p in ring[:-1]]
    far = max(range(len(vs)), key=lambda k: _angle(vs[0], vs[k]))
    if _angle(vs[0], vs[far]) < tol:
        return None
    first = _simplify_chain(vs[: far + 1], tol)
    second = [far + k for k in _simplify_chain([*vs[far:], vs[0]], tol)]
    kept = first + second[1:-1]
    if len(kept) < 3:
        return None
    pts = tuple(ring[i] for i in kept)
    return (*pts, pts[0])


def _simplified_polygons(shapes: list[G.Shape], tol: float) -> dict[str, Any] | None:
    polygons = []
    for shape in shapes:
        for pg in shape.polygons:
            shell = _simplify_ring(pg[0], tol)
            if shell is None:
                continue
            holes = [h for h in (_simplify_ring(r, tol) for r in pg[1:]) if h is not None]
            polygons.append((shell, *holes))
    if not polygons:
        return None
    s2_polys = [G.s2_polygon_of(pg) for pg in polygons]
    if any(p is None for p in s2_polys):
        return None
    return G.combine([G.polygon_shape(G.s2_union(s2_polys))])


@register("geo_line_simplify", 1, 2, "dynamic", "query")
def geo_line_simplify(line: Any, tolerance: Any = None) -> dict[str, Any] | None:
    """A line or multiline with vertices dropped while it stays within ``tolerance`` meters
    (0 to 70 degrees of arc, default 10) of the original; null when nothing is left."""
    shape = G.parse_line(line)
    tol = _tolerance(tolerance, 10.0, 0.0, _MAX_SNAP_M)
    if shape is None or tol is None or G.s2_polylines(shape) is None:
        return None
    lines = [s for s in (_simplify_line(ln, G.meters_to_radians(tol)) for ln in shape.lines) if s is not None]
    return None if not lines else G.combine([G.lines_shape(lines)])


@register("geo_polygon_simplify", 1, 2, "dynamic", "query")
def geo_polygon_simplify(polygon: Any, tolerance: Any = None) -> dict[str, Any] | None:
    """A polygon or multipolygon with vertices dropped while it stays within ``tolerance`` meters
    (default 10) of the original; null when nothing is left."""
    shape = G.parse_polygon(polygon)
    tol = _tolerance(tolerance, 10.0, 0.0, _MAX_SNAP_M)
    if shape is None or tol is None or G.s2_polygon(shape) is None:
        return None
    return _simplified_polygons([shape], G.meters_to_radians(tol))


@register("geo_simplify_polygons_array", 1, 2, "dynamic", "query")
def geo_simplify_polygons_array(polygons: Any, tolerance: Any = None) -> dict[str, Any] | None:
    """An array of polygons and multipolygons simplified together (as geo_polygon_simplify) into
    the polygon or multipolygon of their union; null when any is invalid or nothing is left."""
    if not isinstance(polygons, list):
        return None
    shapes = map_all(polygons, G.parse_polygon)
    tol = _tolerance(tolerance, 10.0, 0.0, _MAX_SNAP_M)
    if shapes is None or tol is None or any(G.s2_polygon(s) is None for s in shapes):
        return None
    return _simplified_polygons(shapes, G.meters_to_radians(tol))


# ----------------------------------------------------------------------------- buffers


def _buffer_options(radius: Any, tolerance: Any) -> tuple[float, Any] | None:
    """(radius in radians, S2BufferOperation options), or None for a radius that is not positive or
    a tolerance below 0.0001% of it (S2's smallest error fraction); a tolerance above the radius
    is lowered to it (S2's largest error fraction, 1)."""
    r = G.coordinate(radius)
    t = 10.0 if tolerance is None else G.coordinate(tolerance)
    if r is None or t is None or r <= 0 or t <= 0 or t < r * 1e-6:
        return None
    m = G.s2()
    options = m.S2BufferOperationOptions()
    options.set_buffer_radius(m.S1Angle.Radians(G.meters_to_radians(r)))
    options.set_error_fraction(min(1.0, t / r))
    return G.meters_to_radians(r), options


def _buffer(options: Any, points: list[Any], polygons: list[Any]) -> Any:
    m = G.s2()
    out = m.S2Polygon()
    op = m.S2BufferOperation(m.S2PolygonLayer(out), options)
    for p in points:
        op.AddPoint(p)
    for poly in polygons:
        op.AddPolygon(poly.Clone())
    op.Build()
    return out


def _edge_band(a: Vec, b: Vec, r: float) -> Any | None:
    """The quadrilateral of the points within ``r`` radians of either side of the edge ab."""
    n = _unit(_cross(a, b))
    c, s = math.cos(r), math.sin(r)
    corners = [
        tuple(p[i] * c + sign * n[i] * s for i in range(3)) for p, sign in ((a, -1), (b, -1), (b, 1), (a, 1))
    ]
    m = G.s2()
    loop = m.S2Loop([m.S2Point_FromRaw(*v) for v in corners])
    if not loop.IsValid():
        return None
    loop.Normalize()
    return m.S2Polygon(loop)


def _buffer_json(poly: Any) -> dict[str, Any] | None:
    shape = G.polygon_shape(poly)
    return None if shape is None else G.to_geojson(shape)


@register("geo_point_buffer", 3, 4, "dynamic", "query")
def geo_point_buffer(lon: Any, lat: Any, radius: Any, tolerance: Any = None) -> dict[str, Any] | None:
    """The polygon of the points within ``radius`` meters of a point (``tolerance`` meters of
    deviation from the circle allowed, default 10)."""
    p = _point(lon, lat)
    opts = None if p is None else _buffer_options(radius, tolerance)
    if opts is None:
        return None
    return _buffer_json(_buffer(opts[1], [p], []))


@register("geo_polygon_buffer", 2, 3, "dynamic", "query")
def geo_polygon_buffer(polygon: Any, radius: Any, tolerance: Any = None) -> dict[str, Any] | None:
    """The polygon or multipolygon of the points within ``radius`` meters of a polygon."""
    poly = polygon_of(polygon)
    opts = None if poly is None else _buffer_options(radius, tolerance)
    if opts is None:
        return None
    return _buffer_json(_buffer(opts[1], [], [poly]))


def line_buffer(lines: list[Any], radius: Any, tolerance: Any) -> Any | None:
    """The S2Polygon of the points within ``radius`` meters of polylines: round caps at every
    vertex, joined by the band of each edge."""
    opts = _buffer_options(radius, tolerance)
    if opts is None:
        return None
    r, options = opts
    vertices = [pl.vertex(k) for pl in lines for k in range(pl.num_vertices())]
    parts = [_buffer(options, vertices, [])]
    for pl in lines:
        for a, b, _, _ in _edges(pl):
            band = _edge_band(a, b, r)
            if band is not None:
                parts.append(band)
    return G.s2_union(parts)


@register("geo_line_buffer", 2, 3, "dynamic", "query")
def geo_line_buffer(line: Any, radius: Any, tolerance: Any = None) -> dict[str, Any] | None:
    """The polygon or multipolygon of the points within ``radius`` meters of a line or multiline."""
    lines = polylines_of(line)
    poly = None if lines is None else line_buffer(lines, radius, tolerance)
    return None if poly is None else _buffer_json(poly)


# ----------------------------------------------------------------------------- cell coverings

_MAX_S2_CELLS = 65536  # the pages' limit on the tokens of one covering
_MAX_H3_CELLS = 61680


def _s2_covering(region: Any, level: int) -> list[str] | None:
    m = G.s2()
    coverer = m.S2RegionCoverer()
    coverer.set_fixed_level(level)
    coverer.set_max_cells(_MAX_S2_CELLS)
    cells = coverer.GetCovering(region)
    if len(cells) > _MAX_S2_CELLS:
        return None
    return [G.s2_cell_token(c) for c in cells]


def _level(value: Any, default: int, high: int) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        return None
    return value


def _radius(value: Any) -> float | None:
    """A covering's buffer radius in meters (default 0); None for a negative one."""
    r = 0.0 if value is None else G.coordinate(value)
    return None if r is None or r < 0 else r


def _too_many_s2(region: Any, level: int) -> bool:
    """Whether a fixed-level covering would exceed the limit (estimated from the region's area
    against the cells' average area, so a huge covering is not built to be thrown away)."""
    average = 4 * math.pi / (6 * 4**level)
    return bool(float(region.GetArea()) / average > 4 * _MAX_S2_CELLS)


@register("geo_polygon_to_s2cells", 1, 3, "dynamic", "query")
def geo_polygon_to_s2cells(polygon: Any, level: Any = None, radius: Any = None) -> list[str] | None:
    """The S2 cell tokens of one level (0..30, default 11) that cover a polygon or multipolygon and
    the points within ``radius`` meters of it; null past 65536 cells."""
    poly = polygon_of(polygon)
    lv, r = _level(level, 11, 30), _radius(radius)
    if poly is None or lv is None or r is None:
        return None
    if r > 0:
        opts = _buffer_options(r, None)
        if opts is None:
            return None
        poly = _buffer(opts[1], [], [poly])
    if _too_many_s2(poly, lv):
        return None
    return _s2_covering(poly, lv)


@register("geo_line_to_s2cells", 1, 3, "dynamic", "query")
def geo_line_to_s2cells(line: Any, level: Any = None, radius: Any = None) -> list[str] | None:
    """The S2 cell tokens of one level (0..30, default 11) that cover a line or multiline and the
    points within ``radius`` meters of it; null past 65536 cells."""
    lines = polylines_of(line)
    lv, r = _level(level, 11, 30), _radius(radius)
    if lines is None or lv is None or r is None:
        return None
    if r > 0:
        poly = line_buffer(lines, r, None)
        if poly is None or _too_many_s2(poly, lv):
            return None
        return _s2_covering(poly, lv)
    tokens: list[str] = []
    for pl in lines:
        length_cells = pl.GetLength().radians() / math.sqrt(4 * math.pi / (6 * 4**lv))
        if length_cells > 4 * _MAX_S2_CELLS:
            return None
        part = _s2_covering(pl, lv)
        if part is None:
            return None
        tokens += [t for t in part if t not in tokens]
    return tokens if len(tokens) <= _MAX_S2_CELLS else None


@register("geo_polygon_to_h3cells", 1, 3, "dynamic", "query")
def geo_polygon_to_h3cells(polygon: Any, resolution: Any = None, radius: Any = None) -> list[str] | None:
    """The H3 cells of one resolution (0..15, default 6) whose centers are inside a polygon or
    multipolygon (buffered by ``radius`` meters first); null past 61680 cells."""
    import h3  # type: ignore[import-untyped]

    shape = G.parse_polygon(polygon)
    res, r = _level(resolution, 6, 15), _radius(radius)
    if shape is None or res is None or r is None:
        return None
    poly = G.s2_polygon(shape)
    if poly is None:
        return None
    if r > 0:
        opts = _buffer_options(r, None)
        buffered = None if opts is None else G.polygon_shape(_buffer(opts[1], [], [poly]))
        if buffered is None:
            return None
        shape = buffered
    if float(poly.GetArea()) * G.EARTH_RADIUS_M**2 / 1000**2 > 4 * _MAX_H3_CELLS * h3.average_hexagon_area(
        res
    ):
        return None
    polys = [h3.LatLngPoly(*[[(y, x) for x, y in ring[:-1]] for ring in pg]) for pg in shape.polygons]
    cells: list[str] = []
    for p in polys:
        cells += [c for c in h3.polygon_to_cells(p, res) if c not in cells]
    if len(cells) > _MAX_H3_CELLS:
        return None
    # Kusto gathers the cells in its set, fed with H3's list in reverse (_geo.in_set_order).
    return G.in_set_order(G.h3_cell_text(c) for c in reversed(cells))
