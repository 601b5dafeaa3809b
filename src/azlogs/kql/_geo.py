"""The geospatial core every ``geo_*`` function imports: the Earth model, coordinate rules, GeoJSON
and WKT parsing into one internal form, and the conversion of that form to S2 objects.

Facts (Kusto documentation, data-explorer/kusto/query/geo-*-function.md):

* Points are longitude/latitude in degrees (WGS-84). A longitude outside [-180, +180] or a latitude
  outside [-90, +90], or a value that is not a number, makes the result null (never an error):
  ``geo_distance_2points(300,1,1,1)`` prints an empty cell.
* The Earth is a sphere and edges are geodesics on it. Its radius is S2's ``S2Earth::RadiusMeters()``,
  6371.01 km: geo_distance_2points' example (1546754.35197381 m between (-122.407628, 47.578557)
  and (-118.275287, 34.019056)) divided by the central angle gives 6371010.000000002.
* A LineString has at least two entries; an edge must be shorter than 180 degrees.
* A Polygon is ``[shell, hole_1, ...]``; each LinearRing has at least four entries, the first equal
  to the last, and at least three distinct vertices. A ring divides the sphere in two and the smaller
  region is the ring's (so orientation does not matter). Rings must not cross or share edges.
  A MultiPolygon is the union of its polygons.

Helpers here are a public interface for the other ``_fn_geo*`` modules (points, geohash, H3 and S2
cells import :func:`lonlat`, :data:`EARTH_RADIUS_M`, :func:`s2_point`, :func:`s2_cell_token` ...):
add new ones, do not rename these. ``s2geometry`` and ``h3`` are imported lazily (the client-side
engine does not need them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

# S2Earth::RadiusMeters(): the sphere Kusto measures on (see the module docstring for the check).
EARTH_RADIUS_M: Final = 6371010.0

LonLat = tuple[float, float]
Ring = tuple[LonLat, ...]

POINT_KINDS: Final = frozenset({"Point", "MultiPoint"})
LINE_KINDS: Final = frozenset({"LineString", "MultiLineString"})
POLYGON_KINDS: Final = frozenset({"Polygon", "MultiPolygon"})
ALL_KINDS: Final = POINT_KINDS | LINE_KINDS | POLYGON_KINDS | {"GeometryCollection"}


# ----------------------------------------------------------------------------- coordinates


def coordinate(v: Any) -> float | None:
    """A finite number as a float (bools, strings and NaN/inf are not coordinates)."""
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def lonlat(lon: Any, lat: Any) -> LonLat | None:
    """``(lon, lat)`` when both are valid coordinates in range, else None (the result is then null)."""
    x, y = coordinate(lon), coordinate(lat)
    if x is None or y is None or not -180.0 <= x <= 180.0 or not -90.0 <= y <= 90.0:
        return None
    return (x, y)


def _position(v: Any) -> LonLat | None:
    """A GeoJSON position ``[lon, lat]``."""
    if not isinstance(v, list) or len(v) != 2:
        return None
    return lonlat(v[0], v[1])


def _positions(v: Any, minimum: int) -> tuple[LonLat, ...] | None:
    if not isinstance(v, list) or len(v) < minimum:
        return None
    return _many(v, _position)


# ----------------------------------------------------------------------------- internal form


@dataclass(frozen=True)
class Shape:
    """A parsed GeoJSON geometry: ``kind`` is its GeoJSON type; only the fields of that kind are set."""

    kind: str
    points: tuple[LonLat, ...] = ()
    lines: tuple[tuple[LonLat, ...], ...] = ()
    # Each polygon is (shell, holes...), each ring closed (first == last) as given.
    polygons: tuple[tuple[Ring, ...], ...] = ()
    members: tuple[Shape, ...] = ()


def _line(v: Any) -> tuple[LonLat, ...] | None:
    pts = _positions(v, 2)
    if pts is None or len(set(pts)) < 2:
        return None
    return pts


def _ring(v: Any) -> Ring | None:
    pts = _positions(v, 4)
    if pts is None or pts[0] != pts[-1] or len(set(pts[:-1])) < 3:
        return None
    return pts


def _polygon(v: Any) -> tuple[Ring, ...] | None:
    return _many(v, _ring)


def map_all(items: Iterable[Any], fn: Callable[[Any], Any]) -> list[Any] | None:
    """``[fn(x) for x in items]``, or None as soon as one of them is None (one invalid part
    makes the whole shape invalid)."""
    out = []
    for item in items:
        parsed = fn(item)
        if parsed is None:
            return None
        out.append(parsed)
    return out


def _many(v: Any, one: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    if not isinstance(v, list) or not v:
        return None
    out = map_all(v, one)
    return None if out is None else tuple(out)


def parse_shape(value: Any, kinds: Collection[str] = ALL_KINDS) -> Shape | None:
    """A GeoJSON dynamic value of one of ``kinds`` in the internal form; None when it is not valid
    GeoJSON by the rules above (structure and coordinates; S2 validity is checked by ``s2_*``)."""
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind not in kinds or kind not in ALL_KINDS:
        return None
    if kind == "GeometryCollection":
        geoms = value.get("geometries")
        if not isinstance(geoms, list):
            return None
        members = []
        for g in geoms:
            m = parse_shape(g, ALL_KINDS)
            if m is None:
                return None
            members.append(m)
        return Shape(kind, members=tuple(members))
    field, parse = _COORDINATES[kind]
    parsed = parse(value.get("coordinates"))
    return None if parsed is None else Shape(kind, **{field: parsed})


def _one(item: Any) -> tuple[Any, ...] | None:
    return None if item is None else (item,)


# Per GeoJSON type: the Shape field its coordinates fill and their parser.
_COORDINATES: Final[dict[str, tuple[str, Any]]] = {
    "Point": ("points", lambda c: _one(_position(c))),
    "MultiPoint": ("points", lambda c: _many(c, _position)),
    "LineString": ("lines", lambda c: _one(_line(c))),
    "MultiLineString": ("lines", lambda c: _many(c, _line)),
    "Polygon": ("polygons", lambda c: _one(_polygon(c))),
    "MultiPolygon": ("polygons", lambda c: _many(c, _polygon)),
}


def parse_line(value: Any) -> Shape | None:
    """A LineString or MultiLineString."""
    return parse_shape(value, LINE_KINDS)


def parse_polygon(value: Any) -> Shape | None:
    """A Polygon or MultiPolygon."""
    return parse_shape(value, POLYGON_KINDS)


def number(x: float) -> float | int:
    """A coordinate as Kusto prints it in GeoJSON: an integral value without its ``.0``."""
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _pos(p: LonLat) -> list[float | int]:
    return [number(p[0]), number(p[1])]


def to_geojson(shape: Shape) -> dict[str, Any]:
    """The GeoJSON dynamic value of a shape."""
    k = shape.kind
    if k == "GeometryCollection":
        return {"type": k, "geometries": [to_geojson(m) for m in shape.members]}
    coords: Any
    if k == "Point":
        coords = _pos(shape.points[0])
    elif k == "MultiPoint":
        coords = [_pos(p) for p in shape.points]
    elif k == "LineString":
        coords = [_pos(p) for p in shape.lines[0]]
    elif k == "MultiLineString":
        coords = [[_pos(p) for p in ln] for ln in shape.lines]
    elif k == "Polygon":
        coords = [[_pos(p) for p in r] for r in shape.polygons[0]]
    else:
        coords = [[[_pos(p) for p in r] for r in pg] for pg in shape.polygons]
    return {"type": k, "coordinates": coords}


# ----------------------------------------------------------------------------- S2


def s2() -> Any:
    """The ``s2geometry`` module (imported on first use)."""
    import s2geometry  # type: ignore[import-untyped]

    return s2geometry


def s2_point(p: LonLat) -> Any:
    """The S2Point of a (lon, lat) in degrees."""
    return s2().S2LatLng.FromDegrees(p[1], p[0]).ToPoint()


def lonlat_of(point: Any) -> LonLat:
    """(lon, lat) in degrees of an S2Point."""
    ll = s2().S2LatLng(point)
    return (ll.lng().degrees(), ll.lat().degrees())


def meters_to_radians(meters: float) -> float:
    return meters / EARTH_RADIUS_M


def radians_to_meters(radians: float) -> float:
    return radians * EARTH_RADIUS_M


def _edges_ok(points: Sequence[Any]) -> bool:
    """Every edge is shorter than 180 degrees (an antipodal pair has no shortest geodesic)."""
    m = s2()
    return all(m.S1Angle(a, b).radians() < math.pi - 1e-12 for a, b in pairwise(points))


def s2_polyline(line: Sequence[LonLat]) -> Any | None:
    """An S2Polyline of one LineString (consecutive repeated vertices dropped), or None if invalid."""
    m = s2()
    pts: list[Any] = []
    for p in line:
        q = s2_point(p)
        if not pts or pts[-1] != q:
            pts.append(q)
    if len(pts) < 2 or not _edges_ok(pts):
        return None
    pl = m.S2Polyline()
    pl.InitFromS2Points(pts)
    return pl if pl.IsValid() else None


def s2_polylines(shape: Shape) -> list[Any] | None:
    """The S2Polylines of a line shape, or None if any is invalid."""
    return map_all(shape.lines, s2_polyline)


def s2_loop(ring: Ring) -> Any | None:
    """The S2Loop of a closed ring, normalized to the smaller of the two regions; None if invalid."""
    m = s2()
    pts = [s2_point(p) for p in ring[:-1]]
    if len(pts) < 3 or not _edges_ok([*pts, pts[0]]):
        return None
    loop = m.S2Loop(pts)
    if not loop.IsValid():
        return None
    loop.Normalize()
    return loop


def s2_polygon_of(rings: Sequence[Ring]) -> Any | None:
    """The S2Polygon of one GeoJSON polygon (shell and holes), or None if invalid."""
    m = s2()
    loops = map_all(rings, s2_loop)
    if loops is None:
        return None
    if len(loops) == 1:
        poly = m.S2Polygon(loops[0])
    else:
        shell = loops[0]
        for hole in loops[1:]:
            if not shell.Contains(hole):
                return None
        poly = m.S2Polygon()
        poly.InitNested(loops)
    return poly if poly.IsValid() else None


def s2_polygon(shape: Shape) -> Any | None:
    """The S2Polygon of a polygon shape (a MultiPolygon is the union of its polygons), or None."""
    polys = map_all(shape.polygons, s2_polygon_of)
    return None if not polys else s2_union(polys)


def s2_union(polygons: Sequence[Any]) -> Any:
    """The union of S2Polygons in the order of S2Polygon::DestructiveUnion (the two with the fewest
    vertices first, ties in input order): the order decides where each output loop starts, and
    Kusto's printed unions start where that order does."""
    m = s2()
    queue = [(p.num_vertices(), i, p) for i, p in enumerate(polygons)]
    if not queue:
        return m.S2Polygon()
    seq = len(queue)
    while len(queue) > 1:
        queue.sort(key=lambda t: (t[0], t[1]))
        (_, _, a), (_, _, b) = queue[0], queue[1]
        union = m.S2Polygon()
        union.InitToUnion(a, b)
        queue = [*queue[2:], (union.num_vertices(), seq, union)]
        seq += 1
    return queue[0][2]


def s2_boolean(op: str, a: Any, b: Any) -> Any:
    """``a`` op ``b`` for two S2Polygons, op one of union, intersection, difference."""
    m = s2()
    out = m.S2Polygon()
    kind = {
        "union": m.S2BooleanOperation.OpType_UNION,
        "intersection": m.S2BooleanOperation.OpType_INTERSECTION,
        "difference": m.S2BooleanOperation.OpType_DIFFERENCE,
    }[op]
    operation = m.S2BooleanOperation(kind, m.S2PolygonLayer(out))
    ia, ib = m.MutableS2ShapeIndex(), m.MutableS2ShapeIndex()
    ia.Add(a.Clone())  # the index owns what it is given: never a cached polygon itself
    ib.Add(b.Clone())
    operation.Build(ia, ib)
    return out


# ----------------------------------------------------------------------------- S2 to GeoJSON


def empty_collection() -> dict[str, Any]:
    """``{"type": "GeometryCollection", "geometries": []}``: Kusto's empty geometry (a fresh copy)."""
    return {"type": "GeometryCollection", "geometries": []}


def _loop_ring(loop: Any) -> Ring:
    pts = [lonlat_of(loop.vertex(k)) for k in range(loop.num_vertices())]
    return (*pts, pts[0])


def polygon_shape(poly: Any) -> Shape | None:
    """The Polygon/MultiPolygon shape of an S2Polygon (each shell followed by its holes); None when
    the polygon is empty."""
    polygons: list[list[Ring]] = []
    for i in range(poly.num_loops()):
        loop = poly.loop(i)
        if loop.depth() % 2 == 0 or not polygons:
            polygons.append([])
        polygons[-1].append(_loop_ring(loop))
    if not polygons:
        return None
    kind = "Polygon" if len(polygons) == 1 else "MultiPolygon"
    return Shape(kind, polygons=tuple(tuple(p) for p in polygons))


def polyline_vertices(pl: Any) -> tuple[LonLat, ...]:
    return tuple(lonlat_of(pl.vertex(k)) for k in range(pl.num_vertices()))


def lines_shape(lines: Sequence[Sequence[LonLat]]) -> Shape | None:
    """A LineString (one line) or MultiLineString shape; None for no lines."""
    if not lines:
        return None
    kind = "LineString" if len(lines) == 1 else "MultiLineString"
    return Shape(kind, lines=tuple(tuple(ln) for ln in lines))


def points_shape(points: Sequence[LonLat]) -> Shape | None:
    """A Point (one point) or MultiPoint shape; None for no points."""
    if not points:
        return None
    kind = "Point" if len(points) == 1 else "MultiPoint"
    return Shape(kind, points=tuple(points))


def combine(parts: Sequence[Shape | None]) -> dict[str, Any]:
    """The GeoJSON of the parts that are not None: one part as itself, several as a
    GeometryCollection, none as the empty GeometryCollection."""
    present = [p for p in parts if p is not None]
    if not present:
        return empty_collection()
    if len(present) == 1:
        return to_geojson(present[0])
    return to_geojson(Shape("GeometryCollection", members=tuple(present)))


# ----------------------------------------------------------------------------- cell text
# The text forms of S2 and H3 cells, shared by the point-to-cell and shape-to-cells functions.


def s2_cell_token(cell_id: Any) -> str:
    """An S2CellId's token (its hex id without trailing zeros), as geo_point_to_s2cell prints it."""
    return str(cell_id.ToToken())


def h3_cell_text(cell: int | str) -> str:
    """An H3 cell as Kusto prints it: lower-case hex, no leading zeros."""
    if isinstance(cell, str):
        return cell.lower()
    return format(cell, "x")


# ----------------------------------------------------------------------------- WKT

_WKT_TOKEN = re.compile(r"\s*(?:([A-Za-z]+)|(\()|(\))|(,)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))")


class _WktError(ValueError):
    pass


class _Wkt:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _WKT_TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                raise _WktError(text[pos:])
            pos = m.end()
            kind = next(i for i in range(1, 6) if m.group(i) is not None)
            self.tokens.append((("w", "(", ")", ",", "n")[kind - 1], m.group(kind)))
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str) -> str:
        t = self.peek()
        if t is None or t[0] != kind:
            raise _WktError(kind)
        self.i += 1
        return t[1]

    def position(self) -> list[float]:
        x = float(self.take("n"))
        y = float(self.take("n"))
        if self.peek() is not None and self.peek()[0] == "n":  # type: ignore[index]
            raise _WktError("Z/M coordinates")
        return [x, y]

    def listed(self, item: Any) -> list[Any]:
        self.take("(")
        out = [item()]
        while self.peek() == (",", ","):
            self.i += 1
            out.append(item())
        self.take(")")
        return out

    def point_in_multipoint(self) -> list[float]:
        if self.peek() == ("(", "("):
            self.i += 1
            p = self.position()
            self.take(")")
            return p
        return self.position()

    def geometry(self) -> dict[str, Any]:
        word = self.take("w").upper()
        if word == "POINT":
            self.take("(")
            p = self.position()
            self.take(")")
            return {"type": "Point", "coordinates": p}
        if word == "LINESTRING":
            return {"type": "LineString", "coordinates": self.listed(self.position)}
        if word == "POLYGON":
            return {"type": "Polygon", "coordinates": self.listed(lambda: self.listed(self.position))}
        if word == "MULTIPOINT":
            return {"type": "MultiPoint", "coordinates": self.listed(self.point_in_multipoint)}
        if word == "MULTILINESTRING":
            return {"type": "MultiLineString", "coordinates": self.listed(lambda: self.listed(self.position))}
        if word == "MULTIPOLYGON":
            return {
                "type": "MultiPolygon",
                "coordinates": self.listed(lambda: self.listed(lambda: self.listed(self.position))),
            }
        if word == "GEOMETRYCOLLECTION":
            return {"type": "GeometryCollection", "geometries": self.listed(self.geometry)}
        raise _WktError(word)


def parse_wkt(text: Any) -> dict[str, Any] | None:
    """The GeoJSON dynamic value of a WKT text, or None when the text is not valid WKT (or its
    shape is not valid GeoJSON by the rules above)."""
    if not isinstance(text, str):
        return None
    try:
        reader = _Wkt(text)
        geo = reader.geometry()
        if reader.peek() is not None:
            return None
    except _WktError:
        return None
    shape = parse_shape(geo)
    return None if shape is None else to_geojson(shape)


# ----------------------------------------------------------------------------- set order
# Kusto lists a cell's neighbours in the iteration order of a set of their tokens: that of the
# Microsoft C++ library's std::unordered_set<std::string>. Its elements are one list in which each
# bucket's elements stand together: a token whose bucket is empty goes to the end of the list, one
# whose bucket is not goes before that bucket's first token. A token's bucket is its FNV-1a hash
# modulo the bucket count, which starts at 8; inserting a token that would make the set hold more
# tokens than buckets first multiplies the count by 8 (by 2 from 512 on) and regroups the list by
# the new buckets, keeping its order within each. The pages' examples show it:
# geo_s2cell_neighbors('89c259') is S2's GetAllNeighbors list put through that set,
# geo_geohash_neighbors('sunny') the eight geohashes clockwise from the north-west (the tokens of
# each bucket side by side, last inserted first), and geo_polygon_to_h3cells' first example (13
# cells, one regrouping) H3's polygon_to_cells list in reverse.

_SET_BUCKETS: Final = 8
_FNV_OFFSET: Final = 0xCBF29CE484222325
_FNV_PRIME: Final = 0x100000001B3
_U64: Final = (1 << 64) - 1


def _fnv1a(text: str) -> int:
    h = _FNV_OFFSET
    for byte in text.encode():
        h = ((h ^ byte) * _FNV_PRIME) & _U64
    return h


def in_set_order(tokens: Iterable[str]) -> list[str]:
    """The distinct ``tokens`` in the order Kusto's set of them, inserted in this order, iterates."""
    count = _SET_BUCKETS
    groups: dict[int, list[str]] = {}  # bucket -> its tokens, buckets in list order
    seen: set[str] = set()
    for token in tokens:
        if token in seen:
            continue
        if len(seen) + 1 > count:
            count = count * 8 if count < 512 else count * 2
            listed = [t for group in groups.values() for t in group]
            groups = {}
            for t in listed:
                groups.setdefault(_fnv1a(t) % count, []).append(t)
        seen.add(token)
        groups.setdefault(_fnv1a(token) % count, []).insert(0, token)
    return [token for group in groups.values() for token in group]
