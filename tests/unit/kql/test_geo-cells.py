"""Geospatial points and grid cells: invalid input gives null (or "" for the token functions), result
types, defaults and edges (poles, the antimeridian, pentagons, cube corners) beyond the documented
examples."""

from __future__ import annotations

import math
from typing import Any

import pytest

from azlogs.kql import MemoryProvider, run_query
from azlogs.kql._fn_geo_cells import geohash_box, geohash_encode
from azlogs.kql._geo import in_set_order


def _print(expr: str) -> tuple[str, Any]:
    """(type, value) of ``print r = <expr>``."""
    table = run_query(f"print r = {expr}", MemoryProvider()).tables[0]
    return table.columns[0][1], table.rows[0][0]


def value(expr: str) -> Any:
    return _print(expr)[1]


class TestNeighbourOrder:
    def test_tokens_of_one_bucket_stand_together_newest_first(self) -> None:
        """'89c2f9' and '89c25d' share a bucket (FNV-1a modulo 8), as do '89c2f7' and '89c25b'."""
        inserted = ["89c2f9", "89c251", "89c257", "89c25f", "89c2f7", "89c25b", "89c2f5", "89c25d"]
        assert in_set_order(inserted) == [
            "89c25d",
            "89c2f9",
            "89c251",
            "89c257",
            "89c25f",
            "89c25b",
            "89c2f7",
            "89c2f5",
        ]

    def test_the_ninth_token_regroups_the_set_by_64_buckets(self) -> None:
        """geo_polygon_to_h3cells' first example prints its 13 cells in this order: H3's
        polygon_to_cells list, reversed, put through the set (which grows from 8 to 64 buckets)."""
        inserted = [
            "86390cb57ffffff",
            "86390ca27ffffff",
            "86390ca2fffffff",
            "86390cb07ffffff",
            "86390ca37ffffff",
            "86390cb0fffffff",
            "86390cb17ffffff",
            "86390cb87ffffff",
            "86390cb1fffffff",
            "86390cb8fffffff",
            "86390cba7ffffff",
            "86390ca07ffffff",
            "86390cbafffffff",
        ]
        assert in_set_order(inserted) == [
            "86390cb57ffffff",
            "86390cb0fffffff",
            "86390ca27ffffff",
            "86390cb87ffffff",
            "86390cb07ffffff",
            "86390ca2fffffff",
            "86390ca37ffffff",
            "86390cb17ffffff",
            "86390cb1fffffff",
            "86390cb8fffffff",
            "86390cba7ffffff",
            "86390ca07ffffff",
            "86390cbafffffff",
        ]

    def test_duplicates_are_kept_once_where_first_inserted(self) -> None:
        assert in_set_order(["89c251", "89c257", "89c251"]) == ["89c251", "89c257"]

    def test_geohash_neighbours_are_the_clockwise_ring_through_the_set(self) -> None:
        """The eight geohashes clockwise from the north-west, in the set's order."""
        w, s_, e, n = geohash_box("dr5ru") or (0, 0, 0, 0)
        x, y, dx, dy = (w + e) / 2, (s_ + n) / 2, e - w, n - s_
        clockwise = [
            geohash_encode(x + i * dx, y + j * dy, 5)
            for i, j in ((-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0))
        ]
        got = value("geo_geohash_neighbors('dr5ru')")
        assert sorted(got) == sorted(clockwise)
        assert got == in_set_order(clockwise)


class TestPoints:
    def test_distance_on_the_sphere_and_the_spheroid(self) -> None:
        """One degree of the equator is 111.195 km on S2's sphere and 111.319 km on WGS-84."""
        assert value("geo_distance_2points(0, 0, 1, 0)") == pytest.approx(6371010 * math.pi / 180)
        assert value("geo_distance_2points(0, 0, 1, 0, true)") == pytest.approx(111319.49, abs=0.01)
        assert value("geo_distance_2points(0, 0, 0, 0)") == 0.0

    @pytest.mark.parametrize(
        "expr",
        [
            "geo_distance_2points(0, 91, 0, 0)",
            "geo_distance_2points(-180.1, 0, 0, 0)",
            "geo_distance_2points(real(null), 0, 0, 0)",
            "geo_distance_2points(real(nan), 0, 0, 0)",
            "geo_azimuth(0, 0, 0, 0)",
            "geo_azimuth(0, 0, 180, 0)",
            "geo_angle(0, 0, 10, 0, 10, 0)",
            "geo_angle(0, 0, 0, 90, 0, -90)",
            "geo_point_in_circle(0, 0, 0, 0, 0)",
            "geo_point_in_circle(0, 0, 0, 100, 10)",
            "geo_point_in_circle(0, 0, 0, 0, real(null))",
        ],
    )
    def test_invalid_points_give_null(self, expr: str) -> None:
        assert value(expr) is None

    def test_azimuth_points_clockwise_from_north(self) -> None:
        assert value("geo_azimuth(0, 0, 0, 10)") == pytest.approx(0.0)
        assert value("geo_azimuth(0, 0, 10, 0)") == pytest.approx(math.pi / 2)
        assert value("geo_azimuth(0, 10, 0, 0)") == pytest.approx(math.pi)
        assert value("geo_azimuth(0, 0, -10, 0)") == pytest.approx(3 * math.pi / 2)

    def test_angle_is_clockwise_from_the_first_line(self) -> None:
        """At (0,0): from the line coming from the north to the line going east is a quarter turn
        clockwise; to the line going west, three quarters."""
        assert value("geo_angle(0, 10, 0, 0, 10, 0)") == pytest.approx(math.pi / 2)
        assert value("geo_angle(0, 10, 0, 0, -10, 0)") == pytest.approx(3 * math.pi / 2)

    def test_circle_boundary_is_inside(self) -> None:
        d = value("geo_distance_2points(0, 0, 1, 0)")
        assert value(f"geo_point_in_circle(1, 0, 0, 0, {d + 0.001})") is True
        assert value(f"geo_point_in_circle(1, 0, 0, 0, {d - 0.001})") is False

    def test_types(self) -> None:
        assert _print("geo_point_in_circle(0, 0, 0, 0, 1)") == ("bool", True)
        assert _print("geo_azimuth(0, 0, 1, 1)")[0] == "real"


class TestGeohash:
    def test_default_accuracy_is_five(self) -> None:
        assert value("geo_point_to_geohash(-122.303404, 47.570482)") == "c23n8"

    def test_a_real_accuracy_is_truncated(self) -> None:
        assert value("geo_point_to_geohash(-122.303404, 47.570482, 5.9)") == "c23n8"

    def test_encode_decode_round_trip(self) -> None:
        for lon, lat in ((0.0, 0.0), (179.9, -89.9), (-180.0, 90.0), (12.34, 56.78)):
            for n in (1, 7, 18):
                west, south, east, north = geohash_box(geohash_encode(lon, lat, n)) or (0, 0, 0, 0)
                assert west <= lon <= east
                assert south <= lat <= north

    @pytest.mark.parametrize(
        "expr",
        [
            "geo_point_to_geohash(0, 0, 0)",
            "geo_point_to_geohash(0, 0, 19)",
            "geo_point_to_geohash(0, 91, 5)",
            "geo_point_to_geohash(0, 0, real(null))",
        ],
    )
    def test_invalid_input_gives_empty_string(self, expr: str) -> None:
        assert _print(expr) == ("string", "")

    @pytest.mark.parametrize("text", ["", "a", "sunnyi", "s" * 19])
    def test_invalid_geohash_gives_null(self, text: str) -> None:
        for fn in ("geo_geohash_to_central_point", "geo_geohash_to_polygon", "geo_geohash_neighbors"):
            assert value(f"{fn}('{text}')") is None

    def test_neighbours_wrap_at_the_antimeridian_and_stop_at_the_poles(self) -> None:
        west = geohash_encode(-179.99, 0.0, 3)
        east = geohash_encode(179.99, 0.0, 3)
        assert east in value(f"geo_geohash_neighbors('{west}')")
        polar = value(f"geo_geohash_neighbors('{geohash_encode(0.0, 89.99, 3)}')")
        assert len(polar) == 5

    def test_polygon_is_the_closed_rectangle(self) -> None:
        poly = value("geo_geohash_to_polygon('s')")
        assert poly == {
            "type": "Polygon",
            "coordinates": [[[0.0, 0.0], [45.0, 0.0], [45.0, 45.0], [0.0, 45.0], [0.0, 0.0]]],
        }
        assert value("geo_geohash_to_central_point('s')") == {"type": "Point", "coordinates": [22.5, 22.5]}


class TestH3:
    def test_default_resolution_is_six(self) -> None:
        assert value("geo_point_to_h3cell(-74.04450446039874, 40.689250859314974)") == "862a1072fffffff"

    @pytest.mark.parametrize(
        "expr",
        [
            "geo_point_to_h3cell(0, 0, -1)",
            "geo_point_to_h3cell(0, 0, 16)",
            "geo_point_to_h3cell(0, -91, 5)",
            "geo_h3cell_parent('862a1072fffffff', -1)",
            "geo_h3cell_parent('862a1072fffffff', 7)",
            "geo_h3cell_parent('8001fffffffffff')",
        ],
    )
    def test_invalid_input_gives_empty_string(self, expr: str) -> None:
        assert _print(expr) == ("string", "")

    @pytest.mark.parametrize(
        "expr",
        [
            "geo_h3cell_level('')",
            "geo_h3cell_to_central_point('862a1072ffffff')",
            "geo_h3cell_to_polygon('@')",
            "geo_h3cell_neighbors('xyz')",
            "geo_h3cell_children('862a1072fffffff', 5)",
            "geo_h3cell_children('862a1072fffffff', 12)",
            "geo_h3cell_children('862a1072fffffff', int(null))",
            "geo_h3cell_rings('862a1072fffffff', -1)",
            "geo_h3cell_rings('862a1072fffffff', 143)",
            "geo_h3cell_children(geo_point_to_h3cell(1, 1, 15))",
        ],
    )
    def test_invalid_input_gives_null(self, expr: str) -> None:
        assert value(expr) is None

    def test_level_is_an_int(self) -> None:
        assert _print("geo_h3cell_level('8001fffffffffff')") == ("int", 0)

    def test_upper_case_tokens_are_cells(self) -> None:
        assert value("geo_h3cell_level('862A1072FFFFFFF')") == 6

    def test_children_five_levels_down(self) -> None:
        assert len(value("geo_h3cell_children('862a1072fffffff', 11)")) == 7**5
        assert value("geo_h3cell_children('862a1072fffffff', 6)") == ["862a1072fffffff"]

    def test_pentagon_has_five_neighbours(self) -> None:
        assert len(value("geo_h3cell_neighbors('8009fffffffffff')")) == 5

    def test_rings_around_a_pentagon(self) -> None:
        """Around a pentagon H3's grid distance fails; the rings are found by walking neighbours."""
        rings = value("geo_h3cell_rings('8009fffffffffff', 3)")
        assert [len(r) for r in rings] == [1, 5, 10, 15]
        assert sorted(rings[1]) == sorted(value("geo_h3cell_neighbors('8009fffffffffff')"))

    def test_rings_zero_is_the_cell(self) -> None:
        assert value("geo_h3cell_rings('862a1072fffffff', 0)") == [["862a1072fffffff"]]
        rings = value("geo_h3cell_rings('862a1072fffffff', 3)")
        assert [len(r) for r in rings] == [1, 6, 12, 18]


class TestS2:
    def test_default_level_is_eleven(self) -> None:
        token = value("geo_point_to_s2cell(-80.195829, 25.802215)")
        assert len(token) == 7  # level 11: face (3 bits), 22 bits and the trailing 1 bit, in hex
        assert token.startswith("88d9b")

    @pytest.mark.parametrize(
        "expr",
        [
            "geo_point_to_s2cell(0, 0, -1)",
            "geo_point_to_s2cell(0, 0, 31)",
            "geo_point_to_s2cell(181, 0, 5)",
            "geo_point_to_s2cell(0, 0, real(null))",
        ],
    )
    def test_invalid_input_gives_empty_string(self, expr: str) -> None:
        assert _print(expr) == ("string", "")

    @pytest.mark.parametrize("token", ["", "a", "X", "0", "1234567890abcdef1", "89c259 "])
    def test_invalid_token_gives_null(self, token: str) -> None:
        for fn in ("geo_s2cell_to_central_point", "geo_s2cell_to_polygon", "geo_s2cell_neighbors"):
            assert value(f"{fn}('{token}')") is None

    def test_level_zero_face_cell(self) -> None:
        assert value("geo_point_to_s2cell(0, 0, 0)") == "1"
        assert value("geo_s2cell_to_central_point('1')") == {"type": "Point", "coordinates": [0.0, 0.0]}

    def test_cube_corner_cell_has_seven_neighbours(self) -> None:
        """A cell at a corner of the cube touches three faces: one of its diagonal neighbours is missing."""
        corner = value("geo_point_to_s2cell(45, 35.26438968275466, 3)")
        around = value(f"geo_s2cell_neighbors('{corner}')")
        assert len(around) == len(set(around)) == 7
        assert corner not in around

    def test_polygon_is_closed(self) -> None:
        ring = value("geo_s2cell_to_polygon('89c259')")["coordinates"][0]
        assert len(ring) == 5
        assert ring[0] == ring[-1]
