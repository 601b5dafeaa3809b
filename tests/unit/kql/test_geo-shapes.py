"""The geo_* functions of lines and polygons: the edge cases around the documented examples.

Sources: the geo-*-function pages and geo-polygon-lookup-plugin.md / geo-line-lookup-plugin.md
(MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query); their examples are conformance cases
(tests/unit/kql/_docs_examples_geo_shapes.py).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from azlogs._exceptions import KqlError
from azlogs.kql import MemoryProvider, run_query
from azlogs.kql._geo import EARTH_RADIUS_M, lonlat, parse_polygon, parse_wkt, s2_polygon

SQUARE = "dynamic({'type':'Polygon','coordinates':[[[0,0],[2,0],[2,2],[0,2],[0,0]]]})"
SQUARE_CW = "dynamic({'type':'Polygon','coordinates':[[[0,0],[0,2],[2,2],[2,0],[0,0]]]})"
WITH_HOLE = "dynamic({'type':'Polygon','coordinates':[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,3],[3,3],[3,1],[1,1]]]})"
LINE = "dynamic({'type':'LineString','coordinates':[[0,0],[1,0]]})"


def _run(query: str) -> Any:
    return run_query(query, MemoryProvider()).tables[0]


def _one(expr: str) -> Any:
    return _run(f"print r = {expr}").rows[0][0]


class TestEarthAndCoordinates:
    def test_the_sphere_is_s2s(self) -> None:
        """A quarter of the equator is a quarter of the circumference of the 6371.01 km sphere."""
        length = _one("geo_line_length(dynamic({'type':'LineString','coordinates':[[0,0],[90,0]]}))")
        assert EARTH_RADIUS_M == 6371010.0
        assert math.isclose(length, math.pi / 2 * EARTH_RADIUS_M, rel_tol=1e-12)

    @pytest.mark.parametrize(
        ("lon", "lat", "ok"),
        [
            (180, 90, True),
            (-180, -90, True),
            (180.5, 0, False),
            (0, -90.1, False),
            (True, 0, False),
            ("1", 1, False),
        ],
    )
    def test_coordinate_ranges(self, lon: Any, lat: Any, ok: bool) -> None:
        """Longitude in [-180, 180], latitude in [-90, 90], numbers only (bools and text are not)."""
        assert (lonlat(lon, lat) is not None) is ok

    @pytest.mark.parametrize(
        "expr",
        [
            f"geo_point_in_polygon(181, 0, {SQUARE})",
            f"geo_point_in_polygon(0, 91, {SQUARE})",
            f"geo_point_in_polygon(real(null), 1, {SQUARE})",
            "geo_distance_point_to_line(1, 1, dynamic(null))",
            "geo_closest_point_on_polygon(1, 1, dynamic('text'))",
        ],
    )
    def test_invalid_or_null_input_is_null(self, expr: str) -> None:
        """An out-of-range coordinate, a null or a shape that is not GeoJSON gives null, not an error."""
        assert _one(expr) is None


class TestValidity:
    @pytest.mark.parametrize(
        "coordinates",
        [
            "[[[0,0],[2,0],[2,2],[0,2]]]",  # not closed
            "[[[0,0],[2,0],[0,0]]]",  # fewer than four entries
            "[[[0,0],[2,2],[2,2],[0,0]]]",  # fewer than three distinct vertices
            "[[[0,0],[2,2],[2,0],[0,2],[0,0]]]",  # edges cross (a bow tie)
            "[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[5,5],[6,5],[6,6],[5,5]]]",  # the hole is outside the shell
            "[[[0,0],[2,0,1],[2,2],[0,2],[0,0]]]",  # a position of three numbers
            "[]",
        ],
    )
    def test_invalid_polygons(self, coordinates: str) -> None:
        """The LinearRing rules of the pages: closed, four entries, three distinct vertices, no
        crossing, holes inside their shell."""
        polygon = f"dynamic({{'type':'Polygon','coordinates':{coordinates}}})"
        assert _one(f"geo_polygon_area({polygon})") is None

    def test_orientation_does_not_matter(self) -> None:
        """A ring is the smaller of the two regions it bounds, whichever way it turns."""
        assert math.isclose(_one(f"geo_polygon_area({SQUARE})"), _one(f"geo_polygon_area({SQUARE_CW})"))
        assert _one(f"geo_polygon_area({SQUARE})") < 1e11  # 2x2 degrees, not the rest of the Earth

    @pytest.mark.parametrize(
        "line",
        [
            "{'type':'LineString','coordinates':[[1,1]]}",
            "{'type':'LineString','coordinates':[[1,1],[1,1]]}",
            "{'type':'LineString','coordinates':[[0,0],[180,0]]}",  # antipodal: no shortest edge
            "{'type':'MultiLineString','coordinates':[[[0,0],[1,1]],[[2,2]]]}",
            "{'type':'Polygon','coordinates':[[[0,0],[2,0],[2,2],[0,0]]]}",
        ],
    )
    def test_invalid_lines(self, line: str) -> None:
        """At least two distinct entries, edges shorter than 180 degrees, and a line type."""
        assert _one(f"geo_line_length(dynamic({line}))") is None

    def test_a_multipolygon_is_the_union_of_its_polygons(self) -> None:
        """Two overlapping squares: the area of their union, not the sum of theirs."""
        a = [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]
        b = [[[1, 0], [3, 0], [3, 2], [1, 2], [1, 0]]]
        union = s2_polygon(parse_polygon({"type": "MultiPolygon", "coordinates": [a, b]}))  # type: ignore[arg-type]
        one = s2_polygon(parse_polygon({"type": "Polygon", "coordinates": a}))  # type: ignore[arg-type]
        assert union is not None and one is not None
        assert one.GetArea() < union.GetArea() < 1.6 * one.GetArea()


class TestMeasuresAndContainment:
    def test_result_types(self) -> None:
        """real, bool and dynamic columns, as the registry declares."""
        table = _run(
            f"print a = geo_polygon_area({SQUARE}), b = geo_point_in_polygon(1, 1, {SQUARE}), "
            f"c = geo_polygon_centroid({SQUARE})"
        )
        assert [t for _, t in table.columns] == ["real", "bool", "dynamic"]

    def test_holes(self) -> None:
        """A point in a hole is outside; its distance is to the hole's ring; the area excludes it."""
        assert _one(f"geo_point_in_polygon(2, 2, {WITH_HOLE})") is False
        assert _one(f"geo_point_in_polygon(0.5, 0.5, {WITH_HOLE})") is True
        assert _one(f"geo_distance_point_to_polygon(2, 2, {WITH_HOLE})") > 100000
        assert _one(f"geo_distance_point_to_polygon(0.5, 0.5, {WITH_HOLE})") == 0
        assert _one(f"geo_polygon_perimeter({WITH_HOLE})") > _one(f"geo_polygon_perimeter({SQUARE})") * 2

    def test_closest_point_inside_is_the_point(self) -> None:
        """A point inside the polygon is its own closest point."""
        point = _one(f"geo_closest_point_on_polygon(1, 1, {SQUARE})")
        assert point["type"] == "Point"
        assert all(math.isclose(c, 1, rel_tol=1e-12) for c in point["coordinates"])

    @pytest.mark.parametrize("fraction", ["-0.1", "1.1", "real(null)"])
    def test_interpolate_fraction_range(self, fraction: str) -> None:
        """The fraction is between 0 and 1."""
        assert _one(f"geo_line_interpolate_point({LINE}, {fraction})") is None

    def test_locate_then_interpolate(self) -> None:
        """geo_line_locate_point's fraction of a point on the line gives that point back."""
        assert math.isclose(_one(f"geo_line_locate_point({LINE}, 0.25, 0)"), 0.25, rel_tol=1e-9)
        point = _one(f"geo_line_interpolate_point({LINE}, 0.25)")
        assert math.isclose(point["coordinates"][0], 0.25, rel_tol=1e-9)

    def test_one_line_only(self) -> None:
        """Interpolating and locating take a LineString, not a MultiLineString."""
        multi = "dynamic({'type':'MultiLineString','coordinates':[[[0,0],[1,0]],[[2,0],[3,0]]]})"
        assert _one(f"geo_line_interpolate_point({multi}, 0.5)") is None


class TestConstructions:
    def test_disjoint_intersections_are_the_empty_collection(self) -> None:
        """No common point: ``{"type": "GeometryCollection", "geometries": []}``."""
        far = "dynamic({'type':'Polygon','coordinates':[[[10,10],[12,10],[12,12],[10,10]]]})"
        empty = {"type": "GeometryCollection", "geometries": []}
        assert _one(f"geo_intersection_2polygons({SQUARE}, {far})") == empty
        assert _one(f"geo_intersection_line_with_polygon({LINE}, {far})") == empty
        assert _one(f"geo_intersects_2polygons({SQUARE}, {far})") is False

    def test_polygons_contain_their_boundaries(self) -> None:
        """Squares sharing an edge intersect, in that edge; squares sharing a corner, in the corner."""
        east = "dynamic({'type':'Polygon','coordinates':[[[2,0],[4,0],[4,2],[2,2],[2,0]]]})"
        corner = "dynamic({'type':'Polygon','coordinates':[[[2,2],[4,2],[4,4],[2,4],[2,2]]]})"
        assert _one(f"geo_intersects_2polygons({SQUARE}, {east})") is True
        assert _one(f"geo_intersection_2polygons({SQUARE}, {east})") == {
            "type": "LineString",
            "coordinates": [[2, 0], [2, 2]],
        }
        assert _one(f"geo_intersects_2polygons({SQUARE}, {corner})") is True
        assert _one(f"geo_intersection_2polygons({SQUARE}, {corner})") == {
            "type": "Point",
            "coordinates": [2, 2],
        }

    def test_crossing_lines_meet_in_a_point(self) -> None:
        other = "dynamic({'type':'LineString','coordinates':[[0.5,-1],[0.5,1]]})"
        got = _one(f"geo_intersection_2lines({LINE}, {other})")
        assert got["type"] == "Point"
        assert math.isclose(got["coordinates"][0], 0.5, rel_tol=1e-9)
        assert abs(got["coordinates"][1]) < 1e-9

    def test_union_of_lines_joins_shared_edges(self) -> None:
        """Shared edges count once and chains that meet are one line."""
        a = "dynamic({'type':'LineString','coordinates':[[0,0],[1,0],[2,0]]})"
        b = "dynamic({'type':'LineString','coordinates':[[1,0],[2,0],[3,0]]})"
        assert _one(f"geo_union_lines_array(pack_array({a}, {b}))") == {
            "type": "LineString",
            "coordinates": [[0, 0], [1, 0], [2, 0], [3, 0]],
        }

    @pytest.mark.parametrize(
        "arg", ["dynamic([])", "dynamic({'a':1})", "dynamic([1])", f"pack_array({SQUARE}, {LINE})"]
    )
    def test_union_of_what_is_not_an_array_of_shapes(self, arg: str) -> None:
        assert _one(f"geo_union_polygons_array({arg})") is None

    @pytest.mark.parametrize("tolerance", ["0.05", "10001", "-1"])
    def test_densify_tolerance_range(self, tolerance: str) -> None:
        """The tolerance is within [0.1, 10000] meters."""
        assert _one(f"geo_line_densify({LINE}, {tolerance})") is None

    def test_densify_keeps_meridians(self) -> None:
        """A meridian is a geodesic already: nothing is added."""
        meridian = "dynamic({'type':'LineString','coordinates':[[10,0],[10,30]]})"
        assert _one(f"geo_line_densify({meridian})") == {
            "type": "LineString",
            "coordinates": [[10, 0], [10, 30]],
        }

    def test_simplify(self) -> None:
        """A negative tolerance, or one that collapses the shape, gives null."""
        assert _one(f"geo_line_simplify({LINE}, -1)") is None
        assert _one(f"geo_line_simplify({LINE}, 200000)") is None
        assert _one(f"geo_polygon_simplify({SQUARE}, 1000000)") is None
        kept = _one(f"geo_polygon_simplify({SQUARE})")["coordinates"][0]
        assert len(kept) == 5  # nothing of a 2-degree square is within 10 m of another edge

    def test_point_buffer(self) -> None:
        """A circle of the radius (within the tolerance); a radius that is not positive gives null."""
        area = _one("geo_polygon_area(geo_point_buffer(10, 10, 1000, 0.1))")
        assert math.isclose(area, math.pi * 1000**2, rel_tol=1e-3)
        assert _one("geo_point_buffer(10, 10, 0)") is None
        assert _one("geo_point_buffer(10, 10, 1000, 0.0001)") is None  # below 0.0001% of the radius

    def test_line_buffer_holds_the_line(self) -> None:
        buffer = _one(f"geo_line_buffer({LINE}, 1000)")
        assert _one(f"geo_point_in_polygon(0.5, 0.005, geo_line_buffer({LINE}, 1000))") is True
        assert _one(f"geo_point_in_polygon(0.5, 0.02, geo_line_buffer({LINE}, 1000))") is False
        assert buffer["type"] == "Polygon"


class TestCells:
    def test_s2_tokens_of_the_level(self) -> None:
        """Tokens of the requested level; an out-of-range level gives null."""
        import s2geometry as s2  # type: ignore[import-untyped]

        tokens = _one(f"geo_polygon_to_s2cells({SQUARE}, 6)")
        assert tokens and all(s2.S2CellId.FromToken(t).level() == 6 for t in tokens)
        assert _one(f"geo_polygon_to_s2cells({SQUARE}, 31)") is None
        assert _one(f"geo_line_to_s2cells({LINE}, -1)") is None

    def test_s2_cell_limit(self) -> None:
        """More than 65536 cells: null."""
        assert _one(f"geo_polygon_to_s2cells({SQUARE}, 20)") is None

    def test_h3_cells_of_the_resolution(self) -> None:
        import h3  # type: ignore[import-untyped]

        cells = _one(f"geo_polygon_to_h3cells({SQUARE}, 4)")
        assert cells and all(h3.get_resolution(c) == 4 for c in cells)
        assert _one(f"geo_polygon_to_h3cells({SQUARE}, 16)") is None


class TestWkt:
    @pytest.mark.parametrize(
        ("text", "want"),
        [
            ("point (1 2)", {"type": "Point", "coordinates": [1, 2]}),
            ("POINT(1.5 -2)", {"type": "Point", "coordinates": [1.5, -2]}),
            ("MULTIPOINT ((1 1), (2 2))", {"type": "MultiPoint", "coordinates": [[1, 1], [2, 2]]}),
        ],
    )
    def test_forms(self, text: str, want: dict[str, Any]) -> None:
        assert parse_wkt(text) == want

    @pytest.mark.parametrize(
        "text",
        [
            "POINT (1 2) x",
            "POINT (1 2 3)",
            "POINT EMPTY",
            "POINT (200 0)",
            "CIRCLE (1 2)",
            "",
            "POLYGON ((0 0, 1 1, 0 0))",
        ],
    )
    def test_invalid_is_null(self, text: str) -> None:
        assert _one(f"geo_from_wkt('{text}')") is None


class TestLookupPlugins:
    LOCATIONS = "datatable(name:string, lon:real, lat:real)['in', 1, 1, 'near', 2.001, 1, 'far', 50, 50]"
    SHAPES = f"datatable(id:string, shape:dynamic)['square', {SQUARE}]"

    def test_polygon_lookup(self) -> None:
        """Matching rows only by default; the key column only with return_lookup_key."""
        table = _run(f"{self.LOCATIONS} | evaluate geo_polygon_lookup({self.SHAPES}, shape, lon, lat)")
        assert [c for c, _ in table.columns] == ["name", "lon", "lat", "id"]
        assert table.rows == [["in", 1.0, 1.0, "square"]]

    def test_polygon_lookup_radius_and_unmatched(self) -> None:
        """A radius matches points near the border; return_unmatched keeps the others with nulls."""
        table = _run(
            f"{self.LOCATIONS} | evaluate geo_polygon_lookup({self.SHAPES}, shape, lon, lat, 1000, true)"
        )
        assert [r[0] for r in table.rows] == ["in", "near", "far"]
        assert table.rows[2][3] in (None, "")

    def test_line_lookup_needs_a_radius(self) -> None:
        with pytest.raises(KqlError, match="radius"):
            _run(f"{self.LOCATIONS} | evaluate geo_line_lookup({self.SHAPES}, shape, lon, lat)")


class TestSpheroid:
    LINE = "dynamic({'type':'LineString','coordinates':[[-73.95796, 40.80042], [-73.97317, 40.764486]]})"

    def test_locate_on_the_spheroid(self) -> None:
        """use_spheroid measures along WGS-84 geodesics: close to the sphere's fraction, not equal;
        the ends are 0 and 1; a use_spheroid that is not a bool gives null."""
        sphere = _one(f"geo_line_locate_point({self.LINE}, -73.965, 40.792)")
        spheroid = _one(f"geo_line_locate_point({self.LINE}, -73.965, 40.792, true)")
        assert math.isclose(sphere, 0.25560135100307552, rel_tol=1e-12)
        assert spheroid != sphere and abs(spheroid - sphere) < 1e-3
        assert _one(f"geo_line_locate_point({self.LINE}, -73.95796, 40.80042, true)") == 0
        assert math.isclose(
            _one(f"geo_line_locate_point({self.LINE}, -73.97317, 40.764486, true)"), 1, rel_tol=1e-9
        )
        assert _one(f"geo_line_locate_point({self.LINE}, -73.965, 40.792, 'yes')") is None


class TestFunctionBodyLets:
    def test_a_let_in_a_function_body_reads_its_parameters(self) -> None:
        """geospatial-joins.md's ``to_hash(lng, lat) { let h = geo_point_to_h3cell(lng, lat, ...); ... }``:
        a let inside a function's body sees the parameters."""
        table = _run(
            "let f = (x: real, y: real) { let level = 2; let s = x * level; s + y };\n"
            "range i from 1 to 3 step 1 | project v = f(i, 10)"
        )
        assert table.rows == [[12.0], [14.0], [16.0]]
