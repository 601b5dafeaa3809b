"""Geospatial grid cells: geohash, H3 and S2 cell tokens, their central points, polygons, parents,
children, neighbours and rings.

Facts (Kusto documentation, data-explorer/kusto/query/geo-point-to-{geohash,h3cell,s2cell}-function.md
and the pages of the functions below):

* ``geo_point_to_geohash(lon, lat, accuracy=5)``: accuracy 1..18 is the geohash's length; an invalid
  point or accuracy gives ``""`` (an empty string, not null). A geohash is the usual base-32 text
  (``0123456789bcdefghjkmnpqrstuvwxyz``), bits alternating longitude first; its cell is a
  longitude/latitude rectangle and its polygon's edges are straight lines on that plane.
* ``geo_point_to_h3cell(lon, lat, resolution=6)``: resolution 0..15, ``""`` when invalid; H3 tokens are
  the cell index in lower-case hex. ``geo_h3cell_parent`` gives ``""`` when invalid,
  ``geo_h3cell_level`` an ``int`` or null; children may be at most 5 levels below the cell; rings have
  a distance 0..142, the first ring is the cell itself.
* ``geo_point_to_s2cell(lon, lat, level=11)``: level 0..30, ``""`` when invalid; S2 tokens are at most
  16 characters.
* Functions of a cell token give null (an empty cell) for a token that is not a valid cell.
* Points and polygons are GeoJSON dynamic values, longitude first. A polygon is the cell's vertices
  in the library's order, closed by repeating the first.

H3 and S2 are the ``h3`` and ``s2geometry`` libraries, imported on first use: the client-side engine
does not need them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Final

from azlogs.kql._geo import LonLat, Shape, h3_cell_text, in_set_order, lonlat, s2, s2_cell_token, to_geojson
from azlogs.kql._registry import register

# ----------------------------------------------------------------------------- common


def _level(v: Any, default: int, low: int, high: int) -> int | None:
    """An accuracy/level/resolution argument (an ``int``: a real is truncated), ``default`` when
    omitted; None when null or outside ``[low, high]`` (a default can be: the parent of a level-0
    cell, the children of a level-15 one)."""
    if v is _OMITTED:
        n = default
    elif isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        n = int(v)
    else:
        return None
    return n if low <= n <= high else None


# H3 and S2 cell tokens: a 64-bit cell id in hex (H3 its 15 digits, S2 without its trailing zeros).
_HEX_TOKEN: Final = re.compile(r"[0-9a-fA-F]{1,16}")

# A marker for an optional argument the call does not pass (``None`` is a null argument).
_OMITTED: Final = object()


def _point_at(
    lon: Any, lat: Any, level: Any, default: int, high: int, low: int = 0
) -> tuple[LonLat, int] | None:
    """The point and the cell level of a point-to-cell call, or None when either is invalid."""
    p = lonlat(lon, lat)
    n = _level(level, default, low, high)
    return None if p is None or n is None else (p, n)


def _point(p: LonLat) -> dict[str, Any]:
    return to_geojson(Shape("Point", points=(p,)))


def _polygon(vertices: Sequence[LonLat]) -> dict[str, Any]:
    ring = (*vertices, vertices[0])
    return to_geojson(Shape("Polygon", polygons=((ring,),)))


# ----------------------------------------------------------------------------- geohash

_BASE32: Final = "0123456789bcdefghjkmnpqrstuvwxyz"
_BASE32_VALUE: Final = {c: i for i, c in enumerate(_BASE32)}
_GEOHASH_MAX: Final = 18


def geohash_encode(lon: float, lat: float, length: int) -> str:
    """The geohash of a point, ``length`` characters long."""
    lon_lo, lon_hi, lat_lo, lat_hi = -180.0, 180.0, -90.0, 90.0
    out = []
    even = True  # the first bit halves the longitude range
    for _ in range(length):
        value = 0
        for _ in range(5):
            if even:
                mid = (lon_lo + lon_hi) / 2
                bit = lon >= mid
                lon_lo, lon_hi = (mid, lon_hi) if bit else (lon_lo, mid)
            else:
                mid = (lat_lo + lat_hi) / 2
                bit = lat >= mid
                lat_lo, lat_hi = (mid, lat_hi) if bit else (lat_lo, mid)
            value = value << 1 | bit
            even = not even
        out.append(_BASE32[value])
    return "".join(out)


def geohash_box(geohash: Any) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a geohash's cell, or None when the text is not a geohash."""
    if not isinstance(geohash, str) or not 1 <= len(geohash) <= _GEOHASH_MAX:
        return None
    lon_bits = lat_bits = lon = lat = 0
    even = True
    for c in geohash:
        value = _BASE32_VALUE.get(c)
        if value is None:
            return None
        for shift in range(4, -1, -1):
            bit = value >> shift & 1
            if even:
                lon, lon_bits = lon << 1 | bit, lon_bits + 1
            else:
                lat, lat_bits = lat << 1 | bit, lat_bits + 1
            even = not even
    width = 360.0 / (1 << lon_bits)
    height = 180.0 / (1 << lat_bits)
    west, south = -180.0 + lon * width, -90.0 + lat * height
    return west, south, west + width, south + height


# The eight neighbours as (east, north) steps of one cell, clockwise from the north-west: the order
# Kusto inserts them into its set (see in_set_order).
_GEOHASH_STEPS: Final = ((-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0))


@register("geo_point_to_geohash", 2, 3, "string", "query")
def geo_point_to_geohash(lon: Any, lat: Any, accuracy: Any = _OMITTED) -> str:
    """The geohash of a point; ``""`` for an invalid point or accuracy (1..18, default 5)."""
    at = _point_at(lon, lat, accuracy, 5, _GEOHASH_MAX, low=1)
    return "" if at is None else geohash_encode(*at[0], at[1])


@register("geo_geohash_to_central_point", 1, 1, "dynamic", "query")
def geo_geohash_to_central_point(geohash: Any) -> dict[str, Any] | None:
    """The centre of a geohash's rectangle as a GeoJSON Point; null for an invalid geohash."""
    box = geohash_box(geohash)
    if box is None:
        return None
    west, south, east, north = box
    return _point(((west + east) / 2, (south + north) / 2))


@register("geo_geohash_to_polygon", 1, 1, "dynamic", "query")
def geo_geohash_to_polygon(geohash: Any) -> dict[str, Any] | None:
    """A geohash's rectangle as a GeoJSON Polygon (south-west corner first, counterclockwise)."""
    box = geohash_box(geohash)
    if box is None:
        return None
    west, south, east, north = box
    return _polygon(((west, south), (east, south), (east, north), (west, north)))


@register("geo_geohash_neighbors", 1, 1, "dynamic", "query")
def geo_geohash_neighbors(geohash: Any) -> list[str] | None:
    """The (up to) eight geohashes around one, of the same length; null for an invalid geohash.
    Longitudes wrap at the antimeridian; there are no neighbours beyond a pole."""
    box = geohash_box(geohash)
    if box is None:
        return None
    west, south, east, north = box
    width, height = east - west, north - south
    lon, lat = (west + east) / 2, (south + north) / 2
    around: list[str] = []
    for dx, dy in _GEOHASH_STEPS:
        y = lat + dy * height
        if not -90.0 < y < 90.0:
            continue
        x = lon + dx * width
        if x >= 180.0:
            x -= 360.0
        elif x < -180.0:
            x += 360.0
        cell = geohash_encode(x, y, len(geohash))
        if cell != geohash:
            around.append(cell)
    return in_set_order(around)


# ----------------------------------------------------------------------------- H3

_H3_MAX_RES: Final = 15
# geo_h3cell_children: a child may be at most this many levels below its cell.
_H3_CHILDREN_DEPTH: Final = 5
_H3_MAX_RING: Final = 142


def _h3() -> Any:
    import h3  # type: ignore[import-untyped]

    return h3


def h3_cell(token: Any) -> str | None:
    """A valid H3 cell token in the library's form (lower-case hex), or None."""
    if not isinstance(token, str) or _HEX_TOKEN.fullmatch(token) is None:
        return None
    cell = token.lower()
    return cell if _h3().is_valid_cell(cell) else None


def _h3_lonlat(latlng: Sequence[float]) -> LonLat:
    return (latlng[1], latlng[0])


@register("geo_point_to_h3cell", 2, 3, "string", "query")
def geo_point_to_h3cell(lon: Any, lat: Any, resolution: Any = _OMITTED) -> str:
    """The H3 cell of a point; ``""`` for an invalid point or resolution (0..15, default 6)."""
    at = _point_at(lon, lat, resolution, 6, _H3_MAX_RES)
    if at is None:
        return ""
    (x, y), res = at
    return h3_cell_text(_h3().latlng_to_cell(y, x, res))


@register("geo_h3cell_to_central_point", 1, 1, "dynamic", "query")
def geo_h3cell_to_central_point(h3cell: Any) -> dict[str, Any] | None:
    """The centre of an H3 cell as a GeoJSON Point; null for an invalid cell."""
    cell = h3_cell(h3cell)
    if cell is None:
        return None
    return _point(_h3_lonlat(_h3().cell_to_latlng(cell)))


@register("geo_h3cell_to_polygon", 1, 1, "dynamic", "query")
def geo_h3cell_to_polygon(h3cell: Any) -> dict[str, Any] | None:
    """An H3 cell's boundary as a GeoJSON Polygon; null for an invalid cell."""
    cell = h3_cell(h3cell)
    if cell is None:
        return None
    return _polygon([_h3_lonlat(v) for v in _h3().cell_to_boundary(cell)])


@register("geo_h3cell_level", 1, 1, "int", "query")
def geo_h3cell_level(h3cell: Any) -> int | None:
    """An H3 cell's resolution (0..15); null for an invalid cell."""
    cell = h3_cell(h3cell)
    return None if cell is None else int(_h3().get_resolution(cell))


@register("geo_h3cell_parent", 1, 2, "string", "query")
def geo_h3cell_parent(h3cell: Any, resolution: Any = _OMITTED) -> str:
    """The H3 cell containing one at a coarser resolution (0..14, default the next coarser one);
    ``""`` for an invalid cell or a resolution finer than the cell's."""
    cell = h3_cell(h3cell)
    if cell is None:
        return ""
    level = int(_h3().get_resolution(cell))
    res = _level(resolution, level - 1, 0, _H3_MAX_RES - 1)
    if res is None or res > level:
        return ""
    return h3_cell_text(_h3().cell_to_parent(cell, res))


@register("geo_h3cell_children", 1, 2, "dynamic", "query")
def geo_h3cell_children(h3cell: Any, resolution: Any = _OMITTED) -> list[str] | None:
    """The H3 cells inside one at a finer resolution (1..15, default the next finer one, at most 5
    levels below); null for an invalid cell or resolution."""
    cell = h3_cell(h3cell)
    if cell is None:
        return None
    level = int(_h3().get_resolution(cell))
    res = _level(resolution, level + 1, 1, _H3_MAX_RES)
    if res is None or not level <= res <= level + _H3_CHILDREN_DEPTH:
        return None
    return [h3_cell_text(c) for c in _h3().cell_to_children(cell, res)]


def _h3_steps(cell: str, distance: int) -> dict[str, int]:
    """Each cell within ``distance`` steps of ``cell`` and its number of steps, walking neighbours
    (H3's grid distance fails where a pentagon distorts the grid)."""
    h3 = _h3()
    steps = {cell: 0}
    frontier = [cell]
    for k in range(1, distance + 1):
        reached = []
        for c in frontier:
            for other in h3.grid_disk(c, 1):
                if other not in steps:
                    steps[other] = k
                    reached.append(other)
        frontier = reached
    return steps


def _h3_rings(cell: str, distance: int) -> list[list[str]]:
    """Rings 0..distance around a cell, each in the order of H3's disk (Kusto's order)."""
    h3 = _h3()
    disk = h3.grid_disk(cell, distance)
    try:
        steps = {other: int(h3.grid_distance(cell, other)) for other in disk}
    except h3.H3BaseException:
        steps = _h3_steps(cell, distance)
    rings: list[list[str]] = [[] for _ in range(distance + 1)]
    for other in disk:
        k = steps.get(other)
        if k is not None and k <= distance:
            rings[k].append(h3_cell_text(other))
    return rings


@register("geo_h3cell_neighbors", 1, 1, "dynamic", "query")
def geo_h3cell_neighbors(h3cell: Any) -> list[str] | None:
    """The cells around an H3 cell (six, five around a pentagon); null for an invalid cell."""
    cell = h3_cell(h3cell)
    return None if cell is None else _h3_rings(cell, 1)[1]


@register("geo_h3cell_rings", 2, 2, "dynamic", "query")
def geo_h3cell_rings(h3cell: Any, distance: Any) -> list[list[str]] | None:
    """The rings of cells at distance 0..``distance`` (at most 142) of an H3 cell, the first being the
    cell itself; null for an invalid cell or distance."""
    cell = h3_cell(h3cell)
    k = _level(distance, 0, 0, _H3_MAX_RING)
    if cell is None or k is None:
        return None
    return _h3_rings(cell, k)


# ----------------------------------------------------------------------------- S2

_S2_MAX_LEVEL: Final = 30


def s2_cell(token: Any) -> Any | None:
    """The S2CellId of a valid S2 cell token, or None."""
    if not isinstance(token, str) or _HEX_TOKEN.fullmatch(token) is None:
        return None
    cell = s2().S2CellId.FromToken(token)
    return cell if cell.is_valid() else None


def _s2_lonlat(latlng: Any) -> LonLat:
    return (latlng.lng().degrees(), latlng.lat().degrees())


@register("geo_point_to_s2cell", 2, 3, "string", "query")
def geo_point_to_s2cell(lon: Any, lat: Any, level: Any = _OMITTED) -> str:
    """The S2 cell token of a point; ``""`` for an invalid point or level (0..30, default 11)."""
    at = _point_at(lon, lat, level, 11, _S2_MAX_LEVEL)
    if at is None:
        return ""
    (x, y), n = at
    m = s2()
    return s2_cell_token(m.S2CellId(m.S2LatLng.FromDegrees(y, x)).parent(n))


@register("geo_s2cell_to_central_point", 1, 1, "dynamic", "query")
def geo_s2cell_to_central_point(s2cell: Any) -> dict[str, Any] | None:
    """The centre of an S2 cell as a GeoJSON Point; null for an invalid token."""
    cell = s2_cell(s2cell)
    return None if cell is None else _point(_s2_lonlat(cell.ToLatLng()))


@register("geo_s2cell_to_polygon", 1, 1, "dynamic", "query")
def geo_s2cell_to_polygon(s2cell: Any) -> dict[str, Any] | None:
    """An S2 cell's four vertices as a GeoJSON Polygon; null for an invalid token."""
    cell = s2_cell(s2cell)
    if cell is None:
        return None
    m = s2()
    shape = m.S2Cell(cell)
    return _polygon([_s2_lonlat(m.S2LatLng(shape.GetVertex(k))) for k in range(4)])


@register("geo_s2cell_neighbors", 1, 1, "dynamic", "query")
def geo_s2cell_neighbors(s2cell: Any) -> list[str] | None:
    """The eight S2 cells of the same level around one (seven at a cube corner); null for an
    invalid token."""
    cell = s2_cell(s2cell)
    if cell is None:
        return None
    around = [s2_cell_token(other) for other in cell.GetAllNeighbors(cell.level()) if other != cell]
    return in_set_order(around)
