"""Documented examples of the geospatial point and grid-cell pages (issue 14), as data.

Same form as ``_docs_examples.DOC_EXAMPLES``: (page#block, query, output column names, output rows),
the query of the page's n-th ``kusto`` code block and the output table printed under it, from the
Kusto documentation (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/geo-*-function.md:
distance, azimuth, angle, point in circle, geohash, H3 and S2 cells). Reals are compared to the 12
significant digits the pages print at least. Left out: geo_geohash_to_central_point #3 (the page prints
the URL as a markdown link), geo_h3cell_children #3 and geo_h3cell_rings #4 (the page elides the
polygons), geo_h3cell_rings #3 (the page's make_list concatenates the rings' arrays) and
geo_geohash_neighbors #4 (the union of the nine polygons starts at another vertex).
"""

from __future__ import annotations

from typing import Any

DOC_EXAMPLES_GEO_CELLS: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "geo-distance-2points-function.md#1",
        "print distance_in_meters = geo_distance_2points(-122.407628, 47.578557, -118.275287, 34.019056)",
        ["distance_in_meters"],
        [[1546754.35197381]],
    ),
    (
        "geo-distance-2points-function.md#4",
        "print distance = geo_distance_2points(300,1,1,1)",
        ["distance"],
        [[None]],
    ),
    (
        "geo-azimuth-function.md#1",
        "print azimuth_in_radians = geo_azimuth(5, 10, 10, -40)",
        ["azimuth_in_radians"],
        [[3.05459939796449]],
    ),
    (
        "geo-azimuth-function.md#2",
        "let azimuth_in_radians = geo_azimuth(5, 10, 10, -40);\nprint azimuth_in_degrees = degrees(azimuth_in_radians);",
        ["azimuth_in_degrees"],
        [[175.015653606568]],
    ),
    ("geo-azimuth-function.md#4", "print is_null = isnull(geo_azimuth(5, 10, 5, 10))", ["is_null"], [[True]]),
    (
        "geo-angle-function.md#1",
        "print angle_in_radians = geo_angle(0, 10, 0,5, 3,-10)",
        ["angle_in_radians"],
        [[2.94493843406882]],
    ),
    (
        "geo-angle-function.md#2",
        "let angle_in_radians = geo_angle(0, 10, 0,5, 3,-10);\nprint angle_in_degrees = degrees(angle_in_radians)",
        ["angle_in_degrees"],
        [[168.732543198009]],
    ),
    (
        "geo-angle-function.md#3",
        "print is_null = isnull(geo_angle(0, 10, 0, 10, 3, -10))",
        ["is_null"],
        [[True]],
    ),
    (
        "geo-point-in-circle-function.md#1",
        "datatable(longitude:real, latitude:real, place:string)\n[\n    real(-122.317404), 47.609119, 'Seattle',                   // In circle \n    real(-123.497688), 47.458098, 'Olympic National Forest',   // In exterior of circle  \n    real(-122.201741), 47.677084, 'Kirkland',                  // In circle\n    real(-122.443663), 47.247092, 'Tacoma',                    // In exterior of circle\n    real(-122.121975), 47.671345, 'Redmond',                   // In circle\n]\n| where geo_point_in_circle(longitude, latitude, -122.317404, 47.609119, 18000)\n| project place",
        ["place"],
        [["Seattle"], ["Kirkland"], ["Redmond"]],
    ),
    (
        "geo-point-in-circle-function.md#4",
        "print in_circle = geo_point_in_circle(-122.143564, 47.535677, -122.100896, 47.527351, 3500)",
        ["in_circle"],
        [[True]],
    ),
    (
        "geo-point-in-circle-function.md#5",
        "print in_circle = geo_point_in_circle(-122.137575, 47.630683, -122.100896, 47.527351, 3500)",
        ["in_circle"],
        [[False]],
    ),
    (
        "geo-point-in-circle-function.md#6",
        "print in_circle = geo_point_in_circle(200, 1, 1, 1, 1)",
        ["in_circle"],
        [[None]],
    ),
    (
        "geo-point-in-circle-function.md#7",
        "print in_circle = geo_point_in_circle(1, 1, 1, 1, -1)",
        ["in_circle"],
        [[None]],
    ),
    (
        "geo-point-to-geohash-function.md#2",
        "print geohash = geo_point_to_geohash(-80.195829, 25.802215, 8)",
        ["geohash"],
        [["dhwfz15h"]],
    ),
    (
        "geo-point-to-geohash-function.md#3",
        'datatable(location_id:string, longitude:real, latitude:real)\n[\n  "A", double(-122.303404), 47.570482,\n  "B", double(-122.304745), 47.567052,\n  "C", double(-122.278156), 47.566936,\n]\n| summarize count = count(),                                          // items per group count\n            locations = make_list(location_id)                        // items in the group\n            by geohash = geo_point_to_geohash(longitude, latitude)    // geohash of the group',
        ["geohash", "count", "locations"],
        [["c23n8", 2, ["A", "B"]], ["c23n9", 1, ["C"]]],
    ),
    (
        "geo-point-to-geohash-function.md#4",
        "print geohash = geo_point_to_geohash(200,1,8)",
        ["geohash"],
        [[""]],
    ),
    (
        "geo-point-to-geohash-function.md#5",
        "print geohash = geo_point_to_geohash(1,1,int(null))",
        ["geohash"],
        [[""]],
    ),
    (
        "geo-geohash-to-central-point-function.md#1",
        'print point = geo_geohash_to_central_point("sunny")\n| extend coordinates = point.coordinates\n| extend longitude = coordinates[0], latitude = coordinates[1]',
        ["point", "coordinates", "longitude", "latitude"],
        [
            [
                {"type": "Point", "coordinates": [42.47314453125, 23.70849609375]},
                [42.47314453125, 23.70849609375],
                42.47314453125,
                23.70849609375,
            ]
        ],
    ),
    (
        "geo-geohash-to-central-point-function.md#2",
        'print geohash = geo_geohash_to_central_point("a")',
        ["geohash"],
        [[None]],
    ),
    (
        "geo-geohash-to-polygon-function.md#1",
        'print GeohashPolygon = geo_geohash_to_polygon("dr5ru");',
        ["GeohashPolygon"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-74.00390625, 40.7373046875],
                            [-73.9599609375, 40.7373046875],
                            [-73.9599609375, 40.78125],
                            [-74.00390625, 40.78125],
                            [-74.00390625, 40.7373046875],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-geohash-to-polygon-function.md#2",
        '// Geohash GeoJSON collection\ndatatable(lng:real, lat:real)\n[\n    -73.975212, 40.789608,\n    -73.916869, 40.818314,\n    -73.989148, 40.743273,\n]\n| project geohash = geo_point_to_geohash(lng, lat, 5)\n| project geohash_polygon = geo_geohash_to_polygon(geohash)\n| summarize geohash_polygon_lst = make_list(geohash_polygon)\n| project bag_pack(\n    "type", "Feature",\n    "geometry", bag_pack("type", "GeometryCollection", "geometries", geohash_polygon_lst),\n    "properties", bag_pack("name", "Geohash polygons collection"))',
        ["Column1"],
        [
            [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "GeometryCollection",
                        "geometries": [
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.00390625, 40.78125],
                                        [-73.9599609375, 40.78125],
                                        [-73.9599609375, 40.8251953125],
                                        [-74.00390625, 40.8251953125],
                                        [-74.00390625, 40.78125],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.9599609375, 40.78125],
                                        [-73.916015625, 40.78125],
                                        [-73.916015625, 40.8251953125],
                                        [-73.9599609375, 40.8251953125],
                                        [-73.9599609375, 40.78125],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.00390625, 40.7373046875],
                                        [-73.9599609375, 40.7373046875],
                                        [-73.9599609375, 40.78125],
                                        [-74.00390625, 40.78125],
                                        [-74.00390625, 40.7373046875],
                                    ]
                                ],
                            },
                        ],
                    },
                    "properties": {"name": "Geohash polygons collection"},
                }
            ]
        ],
    ),
    (
        "geo-geohash-to-polygon-function.md#3",
        'print GeohashPolygon = geo_geohash_to_polygon("a");',
        ["GeohashPolygon"],
        [[None]],
    ),
    (
        "geo-geohash-neighbors-function.md#1",
        "print neighbors = geo_geohash_neighbors('sunny')",
        ["neighbors"],
        [[["sunnt", "sunpj", "sunnx", "sunpn", "sunnv", "sunpp", "sunnz", "sunnw"]]],
    ),
    (
        "geo-geohash-neighbors-function.md#2",
        "let geohash = 'sunny';\nprint cells = array_concat(pack_array(geohash), geo_geohash_neighbors(geohash))",
        ["cells"],
        [[["sunny", "sunnt", "sunpj", "sunnx", "sunpn", "sunnv", "sunpp", "sunnz", "sunnw"]]],
    ),
    (
        "geo-geohash-neighbors-function.md#3",
        'let geohash = \'sunny\';\nprint cells = array_concat(pack_array(geohash), geo_geohash_neighbors(geohash))\n| mv-expand cells to typeof(string)\n| project polygons = geo_geohash_to_polygon(cells)\n| summarize arr = make_list(polygons)\n| project geojson = bag_pack("type", "Feature","geometry", bag_pack("type", "GeometryCollection", "geometries", arr), "properties", bag_pack("name", "polygons"))',
        ["geojson"],
        [
            [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "GeometryCollection",
                        "geometries": [
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.451171875, 23.6865234375],
                                        [42.4951171875, 23.6865234375],
                                        [42.4951171875, 23.73046875],
                                        [42.451171875, 23.73046875],
                                        [42.451171875, 23.6865234375],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.4072265625, 23.642578125],
                                        [42.451171875, 23.642578125],
                                        [42.451171875, 23.6865234375],
                                        [42.4072265625, 23.6865234375],
                                        [42.4072265625, 23.642578125],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.4072265625, 23.73046875],
                                        [42.451171875, 23.73046875],
                                        [42.451171875, 23.7744140625],
                                        [42.4072265625, 23.7744140625],
                                        [42.4072265625, 23.73046875],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.4951171875, 23.642578125],
                                        [42.5390625, 23.642578125],
                                        [42.5390625, 23.6865234375],
                                        [42.4951171875, 23.6865234375],
                                        [42.4951171875, 23.642578125],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.451171875, 23.73046875],
                                        [42.4951171875, 23.73046875],
                                        [42.4951171875, 23.7744140625],
                                        [42.451171875, 23.7744140625],
                                        [42.451171875, 23.73046875],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.4072265625, 23.6865234375],
                                        [42.451171875, 23.6865234375],
                                        [42.451171875, 23.73046875],
                                        [42.4072265625, 23.73046875],
                                        [42.4072265625, 23.6865234375],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.4951171875, 23.73046875],
                                        [42.5390625, 23.73046875],
                                        [42.5390625, 23.7744140625],
                                        [42.4951171875, 23.7744140625],
                                        [42.4951171875, 23.73046875],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.4951171875, 23.6865234375],
                                        [42.5390625, 23.6865234375],
                                        [42.5390625, 23.73046875],
                                        [42.4951171875, 23.73046875],
                                        [42.4951171875, 23.6865234375],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [42.451171875, 23.642578125],
                                        [42.4951171875, 23.642578125],
                                        [42.4951171875, 23.6865234375],
                                        [42.451171875, 23.6865234375],
                                        [42.451171875, 23.642578125],
                                    ]
                                ],
                            },
                        ],
                    },
                    "properties": {"name": "polygons"},
                }
            ]
        ],
    ),
    (
        "geo-geohash-neighbors-function.md#5",
        "print invalid = isnull(geo_geohash_neighbors('a'))",
        ["invalid"],
        [[True]],
    ),
    (
        "geo-point-to-h3cell-function.md#1",
        "print h3cell = geo_point_to_h3cell(-74.04450446039874, 40.689250859314974, 6)",
        ["h3cell"],
        [["862a1072fffffff"]],
    ),
    (
        "geo-point-to-h3cell-function.md#2",
        'datatable(location_id:string, longitude:real, latitude:real)\n[\n    "A", -73.956683, 40.807907,\n    "B", -73.916869, 40.818314,\n    "C", -73.989148, 40.743273,\n]\n| summarize count = count(),                                         // Items per group count\n            locations = make_list(location_id)                       // Items in the group\n            by h3cell = geo_point_to_h3cell(longitude, latitude, 5)  // H3 Cell of the group',
        ["h3cell", "count", "locations"],
        [["852a100bfffffff", 2, ["A", "B"]], ["852a1073fffffff", 1, ["C"]]],
    ),
    ("geo-point-to-h3cell-function.md#3", "print h3cell = geo_point_to_h3cell(300,1,8)", ["h3cell"], [[""]]),
    ("geo-point-to-h3cell-function.md#4", "print h3cell = geo_point_to_h3cell(1,1,16)", ["h3cell"], [[""]]),
    (
        "geo-point-to-h3cell-function.md#5",
        "print h3cell = geo_point_to_h3cell(1,1,int(null))",
        ["h3cell"],
        [[""]],
    ),
    (
        "geo-h3cell-to-central-point-function.md#1",
        'print h3cell = geo_h3cell_to_central_point("862a1072fffffff")',
        ["h3cell"],
        [[{"type": "Point", "coordinates": [-74.01600847979245, 40.7041679083504]}]],
    ),
    (
        "geo-h3cell-to-central-point-function.md#2",
        'print longitude = geo_h3cell_to_central_point("862a1072fffffff").coordinates[0]',
        ["longitude"],
        [[-74.0160084797924]],
    ),
    (
        "geo-h3cell-to-central-point-function.md#3",
        'print h3cell = geo_h3cell_to_central_point("1")',
        ["h3cell"],
        [[None]],
    ),
    (
        "geo-h3cell-to-polygon-function.md#1",
        'print geo_h3cell_to_polygon("862a1072fffffff")',
        ["print_0"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-74.0022744646159, 40.73537602621502],
                            [-74.04690802968624, 40.727986222489115],
                            [-74.06061071222366, 40.69677514034903],
                            [-74.02972440815668, 40.67297004759546],
                            [-73.98514098370819, 40.68034904926758],
                            [-73.97139376102862, 40.71154393543933],
                            [-74.0022744646159, 40.73537602621502],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-h3cell-to-polygon-function.md#2",
        '// H3 cell GeoJSON collection\ndatatable(lng:real, lat:real)\n[\n    -73.956683, 40.807907,\n    -73.916869, 40.818314,\n    -73.989148, 40.743273,\n]\n| project h3_hash = geo_point_to_h3cell(lng, lat, 6)\n| project h3_hash_polygon = geo_h3cell_to_polygon(h3_hash)\n| summarize h3_hash_polygon_lst = make_list(h3_hash_polygon)\n| project bag_pack(\n    "type", "Feature",\n    "geometry", bag_pack("type", "GeometryCollection", "geometries", h3_hash_polygon_lst),\n    "properties", bag_pack("name", "H3 polygons collection"))',
        ["Column1"],
        [
            [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "GeometryCollection",
                        "geometries": [
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.9609635556213, 40.829061732419916],
                                        [-74.00569135138367, 40.82168093780192],
                                        [-74.01944838354662, 40.79043914023696],
                                        [-73.98852232840895, 40.766594382212254],
                                        [-73.94384490497663, 40.77396440203852],
                                        [-73.93004320296495, 40.805189944379514],
                                        [-73.9609635556213, 40.829061732419916],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.90238507875488, 40.867671551513595],
                                        [-73.94715685019348, 40.860310688399885],
                                        [-73.9609635556213, 40.829061732419916],
                                        [-73.93004320296495, 40.805189944379514],
                                        [-73.88532193106172, 40.812540084842404],
                                        [-73.87147055107177, 40.843772725733125],
                                        [-73.90238507875488, 40.867671551513595],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.94384490497663, 40.77396440203852],
                                        [-73.98852232840895, 40.766594382212254],
                                        [-74.0022744646159, 40.73537602621502],
                                        [-73.97139376102862, 40.71154393543933],
                                        [-73.92676660481357, 40.71890320501306],
                                        [-73.91296992347031, 40.75010530534533],
                                        [-73.94384490497663, 40.77396440203852],
                                    ]
                                ],
                            },
                        ],
                    },
                    "properties": {"name": "H3 polygons collection"},
                }
            ]
        ],
    ),
    ("geo-h3cell-to-polygon-function.md#3", 'print geo_h3cell_to_polygon("@")', ["print_0"], [[None]]),
    (
        "geo-h3cell-children-function.md#1",
        "print children = geo_h3cell_children('862a1072fffffff')",
        ["children"],
        [
            [
                [
                    "872a10728ffffff",
                    "872a10729ffffff",
                    "872a1072affffff",
                    "872a1072bffffff",
                    "872a1072cffffff",
                    "872a1072dffffff",
                    "872a1072effffff",
                ]
            ]
        ],
    ),
    (
        "geo-h3cell-children-function.md#2",
        "let h3_cell = '862a1072fffffff'; \nprint children_count = array_length(geo_h3cell_children(h3_cell, geo_h3cell_level(h3_cell) + 3))",
        ["children_count"],
        [[343]],
    ),
    (
        "geo-h3cell-children-function.md#4",
        "print is_null = isnull(geo_h3cell_children('abc'))",
        ["is_null"],
        [[True]],
    ),
    (
        "geo-h3cell-children-function.md#5",
        "print is_null = isnull(geo_h3cell_children(geo_point_to_h3cell(1, 1, 9), 15))",
        ["is_null"],
        [[True]],
    ),
    (
        "geo-h3cell-parent-function.md#1",
        "print parent_cell = geo_h3cell_parent('862a1072fffffff')",
        ["parent_cell"],
        [["852a1073fffffff"]],
    ),
    (
        "geo-h3cell-parent-function.md#2",
        "print parent_cell = geo_h3cell_parent('862a1072fffffff', 1)",
        ["parent_cell"],
        [["812a3ffffffffff"]],
    ),
    (
        "geo-h3cell-parent-function.md#3",
        "print parent_res = geo_h3cell_level(geo_h3cell_parent((geo_point_to_h3cell(1,1,10))))",
        ["parent_res"],
        [[9]],
    ),
    (
        "geo-h3cell-parent-function.md#4",
        "print parent_res = geo_h3cell_level(geo_h3cell_parent(geo_point_to_h3cell(1,1,10), 3))",
        ["parent_res"],
        [[3]],
    ),
    (
        "geo-h3cell-parent-function.md#5",
        "print invalid = isempty(geo_h3cell_parent('123'))",
        ["invalid"],
        [[True]],
    ),
    (
        "geo-h3cell-parent-function.md#6",
        "print invalid = isempty(geo_h3cell_parent('862a1072fffffff', 100))",
        ["invalid"],
        [[True]],
    ),
    (
        "geo-h3cell-parent-function.md#7",
        "print invalid = isempty(geo_h3cell_parent('862a1072fffffff', 15))",
        ["invalid"],
        [[True]],
    ),
    (
        "geo-h3cell-level-function.md#1",
        "print cell_res = geo_h3cell_level('862a1072fffffff')",
        ["cell_res"],
        [[6]],
    ),
    (
        "geo-h3cell-level-function.md#2",
        "print cell_res = geo_h3cell_level(geo_point_to_h3cell(1,1,10))",
        ["cell_res"],
        [[10]],
    ),
    (
        "geo-h3cell-level-function.md#3",
        "print invalid_res = isnull(geo_h3cell_level('abc'))",
        ["invalid_res"],
        [[True]],
    ),
    (
        "geo-h3cell-neighbors-function.md#1",
        "print neighbors = geo_h3cell_neighbors('862a1072fffffff')",
        ["neighbors"],
        [
            [
                [
                    "862a10727ffffff",
                    "862a10707ffffff",
                    "862a1070fffffff",
                    "862a10777ffffff",
                    "862a100dfffffff",
                    "862a100d7ffffff",
                ]
            ]
        ],
    ),
    (
        "geo-h3cell-neighbors-function.md#2",
        "let h3cell = '862a1072fffffff';\nprint cells = array_concat(pack_array(h3cell), geo_h3cell_neighbors(h3cell))",
        ["cells"],
        [
            [
                [
                    "862a1072fffffff",
                    "862a10727ffffff",
                    "862a10707ffffff",
                    "862a1070fffffff",
                    "862a10777ffffff",
                    "862a100dfffffff",
                    "862a100d7ffffff",
                ]
            ]
        ],
    ),
    (
        "geo-h3cell-neighbors-function.md#3",
        'let h3cell = \'862a1072fffffff\';\nprint cells = array_concat(pack_array(h3cell), geo_h3cell_neighbors(h3cell))\n| mv-expand cells to typeof(string)\n| project polygons = geo_h3cell_to_polygon(cells)\n| summarize arr = make_list(polygons)\n| project geojson = bag_pack("type", "Feature","geometry", bag_pack("type", "GeometryCollection", "geometries", arr), "properties", bag_pack("name", "polygons"))',
        ["geojson"],
        [
            [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "GeometryCollection",
                        "geometries": [
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.0022744646159, 40.73537602621502],
                                        [-74.04690802968624, 40.727986222489115],
                                        [-74.06061071222366, 40.69677514034903],
                                        [-74.02972440815668, 40.67297004759546],
                                        [-73.98514098370819, 40.68034904926758],
                                        [-73.97139376102862, 40.71154393543933],
                                        [-74.0022744646159, 40.73537602621502],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.01944838354662, 40.79043914023696],
                                        [-74.06413219384363, 40.783038509825],
                                        [-74.07783966534221, 40.751803958414136],
                                        [-74.04690802968624, 40.727986222489115],
                                        [-74.0022744646159, 40.73537602621502],
                                        [-73.98852232840895, 40.766594382212254],
                                        [-74.01944838354662, 40.79043914023696],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.07783966534221, 40.751803958414136],
                                        [-74.1224794808745, 40.74438358782839],
                                        [-74.1361375042681, 40.713156370029125],
                                        [-74.1052004095288, 40.68936564809726],
                                        [-74.06061071222366, 40.69677514034903],
                                        [-74.04690802968624, 40.727986222489115],
                                        [-74.07783966534221, 40.751803958414136],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.06061071222366, 40.69677514034903],
                                        [-74.1052004095288, 40.68936564809726],
                                        [-74.11885375049164, 40.65816192704663],
                                        [-74.0879619670209, 40.63438382422961],
                                        [-74.04342228384493, 40.641782462872115],
                                        [-74.02972440815668, 40.67297004759546],
                                        [-74.06061071222366, 40.69677514034903],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.98514098370819, 40.68034904926758],
                                        [-74.02972440815668, 40.67297004759546],
                                        [-74.04342228384493, 40.641782462872115],
                                        [-74.01258118935834, 40.61799006598162],
                                        [-73.96804780122075, 40.62535829016475],
                                        [-73.95430550947268, 40.656529678451555],
                                        [-73.98514098370819, 40.68034904926758],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.92676660481357, 40.71890320501306],
                                        [-73.97139376102862, 40.71154393543933],
                                        [-73.98514098370819, 40.68034904926758],
                                        [-73.95430550947268, 40.656529678451555],
                                        [-73.90972851565844, 40.663878222244435],
                                        [-73.89593687206985, 40.69505685239637],
                                        [-73.92676660481357, 40.71890320501306],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.94384490497663, 40.77396440203852],
                                        [-73.98852232840895, 40.766594382212254],
                                        [-74.0022744646159, 40.73537602621502],
                                        [-73.97139376102862, 40.71154393543933],
                                        [-73.92676660481357, 40.71890320501306],
                                        [-73.91296992347031, 40.75010530534533],
                                        [-73.94384490497663, 40.77396440203852],
                                    ]
                                ],
                            },
                        ],
                    },
                    "properties": {"name": "polygons"},
                }
            ]
        ],
    ),
    (
        "geo-h3cell-neighbors-function.md#4",
        "let h3cell = '862a1072fffffff';\nprint cells = array_concat(pack_array(h3cell), geo_h3cell_neighbors(h3cell))\n| mv-expand cells to typeof(string)\n| project polygons = geo_h3cell_to_polygon(cells)\n| summarize arr = make_list(polygons)\n| project polygon = geo_union_polygons_array(arr)",
        ["polygon"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-73.92676660481357, 40.71890320501306],
                            [-73.91296992347031, 40.75010530534533],
                            [-73.94384490497663, 40.77396440203852],
                            [-73.98852232840895, 40.766594382212254],
                            [-74.01944838354662, 40.79043914023697],
                            [-74.06413219384363, 40.783038509825005],
                            [-74.07783966534221, 40.751803958414136],
                            [-74.1224794808745, 40.74438358782839],
                            [-74.1361375042681, 40.713156370029125],
                            [-74.1052004095288, 40.68936564809725],
                            [-74.11885375049164, 40.65816192704663],
                            [-74.0879619670209, 40.6343838242296],
                            [-74.04342228384493, 40.641782462872115],
                            [-74.01258118935834, 40.61799006598162],
                            [-73.96804780122075, 40.625358290164755],
                            [-73.95430550947268, 40.656529678451555],
                            [-73.90972851565844, 40.66387822224444],
                            [-73.89593687206985, 40.69505685239638],
                            [-73.92676660481357, 40.71890320501306],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-h3cell-neighbors-function.md#5",
        "print invalid = isnull(geo_h3cell_neighbors('abc'))",
        ["invalid"],
        [[True]],
    ),
    (
        "geo-h3cell-rings-function.md#1",
        "print rings = geo_h3cell_rings('861f8894fffffff', 2)",
        ["rings"],
        [
            [
                [
                    ["861f8894fffffff"],
                    [
                        "861f88947ffffff",
                        "861f8895fffffff",
                        "861f88867ffffff",
                        "861f8d497ffffff",
                        "861f8d4b7ffffff",
                        "861f8896fffffff",
                    ],
                    [
                        "861f88967ffffff",
                        "861f88977ffffff",
                        "861f88957ffffff",
                        "861f8882fffffff",
                        "861f88877ffffff",
                        "861f88847ffffff",
                        "861f8886fffffff",
                        "861f8d49fffffff",
                        "861f8d487ffffff",
                        "861f8d4a7ffffff",
                        "861f8d59fffffff",
                        "861f8d597ffffff",
                    ],
                ]
            ]
        ],
    ),
    (
        "geo-h3cell-rings-function.md#2",
        "print neighbors = geo_h3cell_rings('861f8894fffffff', 1)[1]",
        ["neighbors"],
        [
            [
                [
                    "861f88947ffffff",
                    "861f8895fffffff",
                    "861f88867ffffff",
                    "861f8d497ffffff",
                    "861f8d4b7ffffff",
                    "861f8896fffffff",
                ]
            ]
        ],
    ),
    (
        "geo-h3cell-rings-function.md#5",
        "print is_null = isnull(geo_h3cell_rings('abc', 3))",
        ["is_null"],
        [[True]],
    ),
    (
        "geo-h3cell-rings-function.md#6",
        "print is_null = isnull(geo_h3cell_rings('861f8894fffffff', 150))",
        ["is_null"],
        [[True]],
    ),
    (
        "geo-point-to-s2cell-function.md#2",
        "print s2cell = geo_point_to_s2cell(-80.195829, 25.802215, 8)",
        ["s2cell"],
        [["88d9b"]],
    ),
    (
        "geo-point-to-s2cell-function.md#3",
        'datatable(location_id:string, longitude:real, latitude:real)\n[\n  "A", 10.1234, 53,\n  "B", 10.3579, 53,\n  "C", 10.6842, 53,\n]\n| summarize count = count(),                                        // items per group count\n            locations = make_list(location_id)                      // items in the group\n            by s2cell = geo_point_to_s2cell(longitude, latitude, 8) // s2 cell of the group',
        ["s2cell", "count", "locations"],
        [["47b1d", 2, ["A", "B"]], ["47ae3", 1, ["C"]]],
    ),
    ("geo-point-to-s2cell-function.md#4", "print s2cell = geo_point_to_s2cell(300,1,8)", ["s2cell"], [[""]]),
    ("geo-point-to-s2cell-function.md#5", "print s2cell = geo_point_to_s2cell(1,1,35)", ["s2cell"], [[""]]),
    (
        "geo-point-to-s2cell-function.md#6",
        "print s2cell = geo_point_to_s2cell(1,1,int(null))",
        ["s2cell"],
        [[""]],
    ),
    (
        "geo-s2cell-to-central-point-function.md#1",
        'print point = geo_s2cell_to_central_point("1234567")\n| extend coordinates = point.coordinates\n| extend longitude = coordinates[0], latitude = coordinates[1]',
        ["point", "coordinates", "longitude", "latitude"],
        [
            [
                {"type": "Point", "coordinates": [9.86830731850408, 27.468392925827605]},
                [9.86830731850408, 27.468392925827605],
                9.86830731850408,
                27.4683929258276,
            ]
        ],
    ),
    (
        "geo-s2cell-to-central-point-function.md#2",
        'print point = geo_s2cell_to_central_point("a")',
        ["point"],
        [[None]],
    ),
    (
        "geo-s2cell-to-polygon-function.md#1",
        'print s2cellPolygon = geo_s2cell_to_polygon("89c259")',
        ["s2cellPolygon"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-74.03001224983848, 40.8012684339439],
                            [-74.03001224983848, 40.7222262918358],
                            [-73.93598211433742, 40.708880489804564],
                            [-73.93598211433742, 40.78791713450684],
                            [-74.03001224983848, 40.8012684339439],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-s2cell-to-polygon-function.md#2",
        'datatable(lng:real, lat:real)\n[\n    -73.956683, 40.807907,\n    -73.916869, 40.818314,\n    -73.989148, 40.743273,\n]\n| project s2_hash = geo_point_to_s2cell(lng, lat, 10)\n| project s2_hash_polygon = geo_s2cell_to_polygon(s2_hash)\n| summarize s2_hash_polygon_lst = make_list(s2_hash_polygon)\n| project bag_pack(\n    "type", "Feature",\n    "geometry", bag_pack("type", "GeometryCollection", "geometries", s2_hash_polygon_lst),\n    "properties", bag_pack("name", "S2 Cell polygons collection"))',
        ["Column1"],
        [
            [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "GeometryCollection",
                        "geometries": [
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.03001224983848, 40.880202851376716],
                                        [-74.03001224983848, 40.8012684339439],
                                        [-73.93598211433742, 40.78791713450684],
                                        [-73.93598211433742, 40.86684616344577],
                                        [-74.03001224983848, 40.880202851376716],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.93598211433742, 40.86684616344577],
                                        [-73.93598211433742, 40.78791713450684],
                                        [-73.84190634077625, 40.77447756818207],
                                        [-73.84190634077625, 40.853401155678846],
                                        [-73.93598211433742, 40.86684616344577],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.03001224983848, 40.8012684339439],
                                        [-74.03001224983848, 40.7222262918358],
                                        [-73.93598211433742, 40.708880489804564],
                                        [-73.93598211433742, 40.78791713450684],
                                        [-74.03001224983848, 40.8012684339439],
                                    ]
                                ],
                            },
                        ],
                    },
                    "properties": {"name": "S2 Cell polygons collection"},
                }
            ]
        ],
    ),
    (
        "geo-s2cell-to-polygon-function.md#3",
        'print s2cellPolygon = geo_s2cell_to_polygon("a")',
        ["s2cellPolygon"],
        [[None]],
    ),
    (
        "geo-s2cell-neighbors-function.md#1",
        "print neighbors = geo_s2cell_neighbors('89c259')",
        ["neighbors"],
        [[["89c25d", "89c2f9", "89c251", "89c257", "89c25f", "89c25b", "89c2f7", "89c2f5"]]],
    ),
    (
        "geo-s2cell-neighbors-function.md#2",
        "let s2cell = '89c259';\nprint cells = array_concat(pack_array(s2cell), geo_s2cell_neighbors(s2cell))",
        ["cells"],
        [[["89c259", "89c25d", "89c2f9", "89c251", "89c257", "89c25f", "89c25b", "89c2f7", "89c2f5"]]],
    ),
    (
        "geo-s2cell-neighbors-function.md#3",
        'let s2cell = \'89c259\';\nprint cells = array_concat(pack_array(s2cell), geo_s2cell_neighbors(s2cell))\n| mv-expand cells to typeof(string)\n| project polygons = geo_s2cell_to_polygon(cells)\n| summarize arr = make_list(polygons)\n| project geojson = bag_pack("type", "Feature","geometry", bag_pack("type", "GeometryCollection", "geometries", arr), "properties", bag_pack("name", "polygons"))',
        ["geojson"],
        [
            [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "GeometryCollection",
                        "geometries": [
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.03001224983848, 40.8012684339439],
                                        [-74.03001224983848, 40.7222262918358],
                                        [-73.93598211433742, 40.708880489804564],
                                        [-73.93598211433742, 40.78791713450684],
                                        [-74.03001224983848, 40.8012684339439],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.93598211433742, 40.708880489804564],
                                        [-73.93598211433742, 40.629736433321796],
                                        [-73.84190634077625, 40.616308079144915],
                                        [-73.84190634077625, 40.695446474556284],
                                        [-73.93598211433742, 40.708880489804564],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.1239959854733, 40.893471289549765],
                                        [-74.1239959854733, 40.81453153620424],
                                        [-74.03001224983848, 40.8012684339439],
                                        [-74.03001224983848, 40.880202851376716],
                                        [-74.1239959854733, 40.893471289549765],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.1239959854733, 40.73548394999339],
                                        [-74.1239959854733, 40.65632873418414],
                                        [-74.03001224983848, 40.64307662867646],
                                        [-74.03001224983848, 40.7222262918358],
                                        [-74.1239959854733, 40.73548394999339],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.1239959854733, 40.81453153620424],
                                        [-74.1239959854733, 40.73548394999339],
                                        [-74.03001224983848, 40.7222262918358],
                                        [-74.03001224983848, 40.8012684339439],
                                        [-74.1239959854733, 40.81453153620424],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.93598211433742, 40.78791713450684],
                                        [-73.93598211433742, 40.708880489804564],
                                        [-73.84190634077625, 40.695446474556284],
                                        [-73.84190634077625, 40.77447756818207],
                                        [-73.93598211433742, 40.78791713450684],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.03001224983848, 40.7222262918358],
                                        [-74.03001224983848, 40.64307662867646],
                                        [-73.93598211433742, 40.629736433321796],
                                        [-73.93598211433742, 40.708880489804564],
                                        [-74.03001224983848, 40.7222262918358],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-74.03001224983848, 40.880202851376716],
                                        [-74.03001224983848, 40.8012684339439],
                                        [-73.93598211433742, 40.78791713450684],
                                        [-73.93598211433742, 40.86684616344577],
                                        [-74.03001224983848, 40.880202851376716],
                                    ]
                                ],
                            },
                            {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [-73.93598211433742, 40.86684616344577],
                                        [-73.93598211433742, 40.78791713450684],
                                        [-73.84190634077625, 40.77447756818207],
                                        [-73.84190634077625, 40.853401155678846],
                                        [-73.93598211433742, 40.86684616344577],
                                    ]
                                ],
                            },
                        ],
                    },
                    "properties": {"name": "polygons"},
                }
            ]
        ],
    ),
    (
        "geo-s2cell-neighbors-function.md#4",
        "let s2cell = '89c259';\nprint cells = array_concat(pack_array(s2cell), geo_s2cell_neighbors(s2cell))\n| mv-expand cells to typeof(string)\n| project polygons = geo_s2cell_to_polygon(cells)\n| summarize arr = make_list(polygons)\n| project polygon = geo_union_polygons_array(arr)",
        ["polygon"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-73.84190634077625, 40.695446474556284],
                            [-73.84190634077625, 40.77447756818207],
                            [-73.84190634077625, 40.853401155678846],
                            [-73.93598211433742, 40.86684616344577],
                            [-74.03001224983848, 40.880202851376716],
                            [-74.1239959854733, 40.89347128954976],
                            [-74.1239959854733, 40.81453153620424],
                            [-74.1239959854733, 40.73548394999339],
                            [-74.1239959854733, 40.65632873418414],
                            [-74.03001224983848, 40.64307662867646],
                            [-73.93598211433742, 40.629736433321796],
                            [-73.84190634077625, 40.616308079144915],
                            [-73.84190634077625, 40.695446474556284],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-s2cell-neighbors-function.md#5",
        "print invalid = isnull(geo_s2cell_neighbors('a'))",
        ["invalid"],
        [[True]],
    ),
]
