"""Geospatial functions of points: distance, azimuth, angle and circle containment.

Facts (Kusto documentation, data-explorer/kusto/query/geo-distance-2points-function.md,
geo-azimuth-function.md, geo-angle-function.md, geo-point-in-circle-function.md):

* Points are longitude/latitude in degrees; an invalid point makes the result null (the rules and the
  sphere's radius are those of :mod:`azlogs.kql._geo`). Lines are geodesics on the sphere; angles
  between points are S2's (``s2geometry``, imported on first use).
* ``geo_distance_2points`` measures on the sphere, or on the WGS-84 spheroid when ``use_spheroid`` is
  true (``geographiclib``, imported on first use).
* ``geo_azimuth(p1, p2)`` is the angle in radians, clockwise from true north, of the line from p1 to
  p2 at p1 (0 north, pi/2 east), in [0, 2pi); null when the points are equal or antipodal.
* ``geo_angle(p1, p2, p3)`` is the angle in radians, clockwise at p2 from the line [p1, p2] to the
  line [p2, p3], in [0, 2pi); null when p1 equals p2, p2 equals p3, or either pair is antipodal.
* ``geo_point_in_circle``: the circle is a spherical cap, its radius in meters along the surface;
  a radius that is not positive gives null.
"""

from __future__ import annotations

import math
from typing import Any, Final

from azlogs.kql._geo import LonLat, lonlat, radians_to_meters, s2, s2_point
from azlogs.kql._registry import register

# Two points closer than this (in radians) to each other or to each other's antipode have no single
# great circle through them.
_DEGENERATE: Final = 1e-15


def central_angle(p: LonLat, q: LonLat) -> float:
    """The angle in radians between two points seen from the sphere's centre (S2's S1Angle)."""
    return float(s2().S1Angle(s2_point(p), s2_point(q)).radians())


def _degenerate(p: LonLat, q: LonLat) -> bool:
    """The points are equal or antipodal: no single great circle passes through both."""
    angle = central_angle(p, q)
    return angle < _DEGENERATE or angle > math.pi - _DEGENERATE


def azimuth(p: LonLat, q: LonLat) -> float | None:
    """The initial bearing of the geodesic from p to q in radians in [0, 2pi), or None."""
    if _degenerate(p, q):
        return None
    lat1, lat2 = math.radians(p[1]), math.radians(q[1])
    dlon = math.radians(q[0] - p[0])
    y = math.sin(dlon) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.atan2(y, x) % (2 * math.pi)


def _points(*coords: Any) -> list[LonLat] | None:
    out = []
    for lon, lat in zip(coords[::2], coords[1::2], strict=True):
        p = lonlat(lon, lat)
        if p is None:
            return None
        out.append(p)
    return out


def _flag(v: Any) -> bool | None:
    """A bool-or-number argument as a bool (null counts as not given)."""
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    return None


@register("geo_distance_2points", 4, 5, "real", "query")
def geo_distance_2points(
    lon1: Any, lat1: Any, lon2: Any, lat2: Any, use_spheroid: Any = False
) -> float | None:
    """The shortest distance in meters between two points, on the sphere or on the WGS-84 spheroid."""
    pts = _points(lon1, lat1, lon2, lat2)
    spheroid = _flag(use_spheroid)
    if pts is None or spheroid is None:
        return None
    p, q = pts
    if spheroid:
        from geographiclib.geodesic import Geodesic  # type: ignore[import-untyped]

        return float(Geodesic.WGS84.Inverse(p[1], p[0], q[1], q[0])["s12"])
    return radians_to_meters(central_angle(p, q))


@register("geo_azimuth", 4, 4, "real", "query")
def geo_azimuth(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> float | None:
    """The azimuth in radians, clockwise from north, of the line from point 1 to point 2."""
    pts = _points(lon1, lat1, lon2, lat2)
    return None if pts is None else azimuth(pts[0], pts[1])


@register("geo_angle", 6, 6, "real", "query")
def geo_angle(lon1: Any, lat1: Any, lon2: Any, lat2: Any, lon3: Any, lat3: Any) -> float | None:
    """The angle in radians in [0, 2pi), clockwise at point 2 from line [p1, p2] to line [p2, p3]."""
    pts = _points(lon1, lat1, lon2, lat2, lon3, lat3)
    if pts is None:
        return None
    p1, p2, p3 = pts
    back, ahead = azimuth(p2, p1), azimuth(p2, p3)
    if back is None or ahead is None:
        return None
    return (ahead - back) % (2 * math.pi)


@register("geo_point_in_circle", 5, 5, "bool", "query")
def geo_point_in_circle(lon: Any, lat: Any, center_lon: Any, center_lat: Any, radius: Any) -> bool | None:
    """Whether a point lies in the spherical cap of ``radius`` meters around the centre."""
    pts = _points(lon, lat, center_lon, center_lat)
    if pts is None or radius is None or isinstance(radius, bool) or not isinstance(radius, (int, float)):
        return None
    if not math.isfinite(radius) or radius <= 0:
        return None
    return radians_to_meters(central_angle(pts[0], pts[1])) <= radius
