"""Documented examples of the geospatial line and polygon pages (issue 14), as data.

Same form as ``_docs_examples.DOC_EXAMPLES``: (page#block, query, output column names, output rows),
the query of the page's n-th ``kusto`` code block and the output table printed under it, from the
Kusto documentation (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/geo-*-function.md,
geo-polygon-lookup-plugin.md, geo-line-lookup-plugin.md, geospatial-joins.md). Where a page's
examples begin with the same lines (the same datatables), those lines are written once. Reals (also
inside GeoJSON) are compared to 12 significant digits. The rows of the lookup plugins and joins are
in the order the engine answers (a join's order is unspecified; the pages print another). Left out,
each with its reason in bench/kql_docs_conformance.py's PAGE_ISSUES or the lead's report: the
outputs the pages elide (``[ ... ]``), pages whose output disagrees with their query, and the
examples that need another area (the S2/H3 point functions, ``partition ... { }``).
"""

from __future__ import annotations

from typing import Any

# The lines the examples of geo-line-lookup-plugin.md begin with.
_GEO_LINE_LOOKUP_PLUGIN_DATA = 'let roads = datatable(road_name:string, road:dynamic)\n[\n    "5th Avenue NY", dynamic({"type":"LineString","coordinates":[[-73.97291864770574,40.76428551254824],[-73.99708638113894,40.73145135821781]]}),\n    "Palace Ave", dynamic({"type":"LineString","coordinates":[[-0.18756982045002246,51.50245944666557],[-0.18908519740253382,51.50544952706903]]}),\n];\nlet locations = datatable(location_name:string, longitude:real, latitude:real)\n[\n    "Empire State Building", -73.98567337898565, 40.74842629977377,\n    "Grand Central Terminal", -73.97713140725149, 40.752730320824895,\n    "Statue of Liberty",  -74.04462223203123, 40.689195627512674,\n    "Kensington Palace", -0.1885272501232862,  51.504906159672316\n];\nlocations\n'

# The lines the examples of geo-polygon-lookup-plugin.md begin with.
_GEO_POLYGON_LOOKUP_PLUGIN_DATA = 'let polygons = datatable(polygon_name:string, polygon:dynamic)\n[\n    "New York", dynamic({"type":"Polygon", "coordinates":[[[-73.97375470114766,40.74300078124614],[-73.98653921014294,40.75486501361894],[-73.99910622331991,40.74112695466084],[-73.97375470114766,40.74300078124614]]]}),\n    "Paris", dynamic({"type":"Polygon","coordinates":[[[2.57564669886321,48.769567764921334],[2.420098611499384,49.05163394896812],[2.1016783119165723,48.80113794475062],[2.57564669886321,48.769567764921334]]]}),\n];\nlet locations = datatable(location_name:string, longitude:real, latitude:real)\n[\n    "Empire State Building", -73.98567337898565, 40.74842629977377,\n    "NY National Museum of Mathematics", -73.98778501496217, 40.743565232771545,\n    "Eiffel Tower", 2.294489426068907, 48.858263476169185,\n    "London", -0.13245599272019604, 51.49879464208368,\n    "Statue of Liberty",  -74.04462223203123, 40.689195627512674,\n];\nlocations\n'

# An output cell that several examples print.
_SHAPE_1 = {"type": "GeometryCollection", "geometries": []}

# An output cell that several examples print.
_SHAPE_2 = {
    "type": "LineString",
    "coordinates": [[-73.97291864770574, 40.76428551254824], [-73.99708638113894, 40.73145135821781]],
}

# An output cell that several examples print.
_SHAPE_3 = {
    "type": "LineString",
    "coordinates": [[-0.18756982045002246, 51.50245944666557], [-0.18908519740253382, 51.50544952706903]],
}

# An output cell that several examples print.
_SHAPE_4 = {
    "type": "Polygon",
    "coordinates": [
        [
            [-73.97375470114766, 40.74300078124614],
            [-73.98653921014294, 40.75486501361894],
            [-73.99910622331991, 40.74112695466084],
            [-73.97375470114766, 40.74300078124614],
        ]
    ],
}

# An output cell that several examples print.
_SHAPE_5 = {
    "type": "Polygon",
    "coordinates": [
        [
            [2.57564669886321, 48.769567764921334],
            [2.420098611499384, 49.05163394896812],
            [2.1016783119165723, 48.80113794475062],
            [2.57564669886321, 48.769567764921334],
        ]
    ],
}

# An output cell that several examples print.
_SHAPE_6 = {
    "type": "LineString",
    "coordinates": [
        [-73.95683884620665, 40.805028914808844],
        [-73.95633727312088, 40.8057171711177],
        [-73.95489156246185, 40.80510200431312],
        [-73.95537436008453, 40.80441374162452],
    ],
}

# An output row that several examples print.
_ROW_1 = ["Empire State Building", -73.9856733789857, 40.7484262997738, "5th Avenue NY", _SHAPE_2]

# An output row that several examples print.
_ROW_2 = ["Kensington Palace", -0.188527250123286, 51.5049061596723, "Palace Ave", _SHAPE_3]

# An output row that several examples print.
_ROW_3 = ["Statue of Liberty", -74.04462223203123, 40.689195627512674, "", None]

# An output row that several examples print.
_ROW_4 = ["Empire State Building", -73.9856733789857, 40.7484262997738, "New York", _SHAPE_4]

# An output row that several examples print.
_ROW_5 = ["NY National Museum of Mathematics", -73.9877850149622, 40.7435652327715, "New York", _SHAPE_4]

# An output row that several examples print.
_ROW_6 = ["Eiffel Tower", 2.29448942606891, 48.8582634761692, "Paris", _SHAPE_5]

# An output row that several examples print.
_ROW_7 = ["London", -0.13245599272019604, 51.49879464208368, "", None]

DOC_EXAMPLES_GEO_SHAPES: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "geo-closest-point-on-line-function.md#1",
        'print point_on_line = geo_closest_point_on_line(-115.199625, 36.210419, dynamic({ "type":"LineString","coordinates":[[-115.115385,36.229195],[-115.136995,36.200366],[-115.140252,36.192470],[-115.143558,36.188523],[-115.144076,36.181954],[-115.154662,36.174483],[-115.166431,36.176388],[-115.183289,36.175007],[-115.192612,36.176736],[-115.202485,36.173439],[-115.225355,36.174365]]}))',
        ["point_on_line"],
        [[{"type": "Point", "coordinates": [-115.192612, 36.176736]}]],
    ),
    (
        "geo-closest-point-on-line-function.md#3",
        'print result = isnull(geo_closest_point_on_line(300, 3, dynamic({ "type":"LineString","coordinates":[[1,1],[2,2]]})))',
        ["result"],
        [[True]],
    ),
    (
        "geo-closest-point-on-polygon-function.md#1",
        'let central_park = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});\nprint geo_closest_point_on_polygon(-73.9839, 40.7705, central_park)',
        ["print_0"],
        [[{"type": "Point", "coordinates": [-73.98120558015393, 40.76935945284321]}]],
    ),
    (
        "geo-closest-point-on-polygon-function.md#2",
        'print result = isnull(geo_closest_point_on_polygon(500,1,dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,1],[0,0]]]})))',
        ["result"],
        [[True]],
    ),
    (
        "geo-closest-point-on-polygon-function.md#3",
        'print result = isnull(geo_closest_point_on_polygon(1,1,dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,10],[0,0]]]})))',
        ["result"],
        [[True]],
    ),
    (
        "geo-distance-point-to-line-function.md#1",
        'print distance_in_meters = geo_distance_point_to_line(-115.199625, 36.210419, dynamic({ "type":"LineString","coordinates":[[-115.115385,36.229195],[-115.136995,36.200366],[-115.140252,36.192470],[-115.143558,36.188523],[-115.144076,36.181954],[-115.154662,36.174483],[-115.166431,36.176388],[-115.183289,36.175007],[-115.192612,36.176736],[-115.202485,36.173439],[-115.225355,36.174365]]}))',
        ["distance_in_meters"],
        [[3797.88887253334]],
    ),
    (
        "geo-distance-point-to-line-function.md#5",
        'print distance_in_meters = geo_distance_point_to_line(1,1, dynamic({ "type":"LineString"}))',
        ["distance_in_meters"],
        [[None]],
    ),
    (
        "geo-distance-point-to-line-function.md#6",
        'print distance_in_meters = geo_distance_point_to_line(300, 3, dynamic({ "type":"LineString","coordinates":[[1,1],[2,2]]}))',
        ["distance_in_meters"],
        [[None]],
    ),
    (
        "geo-distance-point-to-polygon-function.md#1",
        'let central_park = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});\nprint geo_distance_point_to_polygon(-73.9839, 40.7705, central_park)',
        ["print_0"],
        [[259.940756070596]],
    ),
    (
        "geo-distance-point-to-polygon-function.md#2",
        "let multipolygon = dynamic({\"type\":\"MultiPolygon\",\"coordinates\":[[[[-73.991460000000131,40.731738000000206],[-73.992854491775518,40.730082566051351],[-73.996772,40.725432000000154],[-73.997634685522883,40.725786309886963],[-74.002855946639244,40.728346630056791],[-74.001413,40.731065000000207],[-73.996796995070824,40.73736378205173],[-73.991724524037934,40.735245208931886],[-73.990703782359589,40.734781896080477],[-73.991460000000131,40.731738000000206]]],[[[-73.958357552055688,40.800369095633819],[-73.98143901556422,40.768762584141953],[-73.981548752788598,40.7685590292784],[-73.981565335901905,40.768307084720796],[-73.981754418060945,40.768399727738668],[-73.982038573548124,40.768387823012056],[-73.982268248204349,40.768298621883247],[-73.982384797518051,40.768097213086911],[-73.982320919746599,40.767894461792181],[-73.982155532845766,40.767756204474757],[-73.98238873834039,40.767411004834273],[-73.993650353659021,40.772145571634361],[-73.99415893763998,40.772493009137818],[-73.993831082030937,40.772931787850908],[-73.993891252437052,40.772955194876722],[-73.993962585514595,40.772944653908901],[-73.99401262480508,40.772882846631894],[-73.994122058082397,40.77292405902601],[-73.994136652588594,40.772901870174394],[-73.994301342391154,40.772970028663913],[-73.994281535134448,40.77299380206933],[-73.994376552751078,40.77303955110149],[-73.994294029824005,40.773156243992048],[-73.995023275860802,40.773481196576356],[-73.99508939189289,40.773388475039134],[-73.995013963716758,40.773358035426909],[-73.995050284699261,40.773297153189958],[-73.996240651898916,40.773789791397689],[-73.996195837470992,40.773852356184044],[-73.996098807369748,40.773951805299085],[-73.996179459973888,40.773986954351571],[-73.996095245226442,40.774086186437756],[-73.995572265161172,40.773870731394297],[-73.994017424135961,40.77321375261053],[-73.993935876811335,40.773179512586211],[-73.993861942928888,40.773269531698837],[-73.993822393527211,40.773381758622882],[-73.993767019318497,40.773483981224835],[-73.993698463744295,40.773562141052594],[-73.993358326468751,40.773926888327956],[-73.992622663865575,40.774974056037109],[-73.992577842766124,40.774956016359418],[-73.992527743951555,40.775002110439829],[-73.992469745815342,40.775024159551755],[-73.992403837191887,40.775018140390664],[-73.99226708903538,40.775116033858794],[-73.99217809026365,40.775279293897171],[-73.992059084937338,40.775497598192516],[-73.992125372394938,40.775509075053385],[-73.992226867797001,40.775482211026116],[-73.992329346608813,40.775468900958522],[-73.992361756801131,40.775501899766638],[-73.992386042960277,40.775557180424634],[-73.992087684712729,40.775983970821372],[-73.990927174149746,40.777566878763238],[-73.99039616003671,40.777585065679204],[-73.989461267506471,40.778875124584417],[-73.989175778438053,40.779287524015778],[-73.988868617400072,40.779692922911607],[-73.988871874499793,40.779713738253008],[-73.989219022880576,40.779697895209402],[-73.98927785904425,40.779723439271038],[-73.989409054180143,40.779737706471963],[-73.989498614927044,40.779725044389757],[-73.989596493388234,40.779698146683387],[-73.989679812902509,40.779677568658038],[-73.989752702937935,40.779671244211556],[-73.989842247806507,40.779680752670664],[-73.990040102120489,40.779707677698219],[-73.990137977524839,40.779699769704784],[-73.99033584033225,40.779661794394983],[-73.990430598697046,40.779664973055503],[-73.990622199396725,40.779676064914298],[-73.990745069505479,40.779671328184051],[-73.990872114282197,40.779646007643876],[-73.990961672224358,40.779639683751753],[-73.991057472829539,40.779652352625774],[-73.991157429497036,40.779669775606465],[-73.991242817404469,40.779671367084504],[-73.991255318289745,40.779650782516491],[-73.991294887120119,40.779630209208889],[-73.991321967649895,40.779631796041372],[-73.991359455569423,40.779585883337383],[-73.991551059227476,40.779574821437407],[-73.99141982585985,40.779755280287233],[-73.988886144117032,40.779878898532999],[-73.988939656706265,40.779956178440393],[-73.988926103530844,40.780059292013632],[-73.988911680264692,40.780096037146606],[-73.988919261468567,40.780226094343945],[-73.988381050202634,40.780981074045783],[-73.988232413846987,40.781233144215555],[-73.988210420831663,40.781225482542055],[-73.988140000000143,40.781409000000224],[-73.988041288067166,40.781585961353777],[-73.98810029382463,40.781602878305286],[-73.988076449145055,40.781650935001608],[-73.988018059972219,40.781634188810422],[-73.987960792842145,40.781770987031535],[-73.985465811970457,40.785360700575431],[-73.986172704965611,40.786068452258647],[-73.986455862401996,40.785919219081421],[-73.987072345615601,40.785189638820121],[-73.98711901394276,40.785210319004058],[-73.986497781023601,40.785951202887254],[-73.986164628806279,40.786121882448327],[-73.986128422486075,40.786239001331111],[-73.986071135219746,40.786240706026611],[-73.986027274789123,40.786228964236727],[-73.986097637849426,40.78605822569795],[-73.985429321269592,40.785413942184597],[-73.985081137732209,40.785921935110366],[-73.985198833254501,40.785966552197777],[-73.985170502389906,40.78601333415817],[-73.985216218673656,40.786030501816427],[-73.98525509797993,40.785976205511588],[-73.98524273937646,40.785972572653328],[-73.98524962933017,40.785963139855845],[-73.985281779186749,40.785978620950075],[-73.985240032884533,40.786035858136792],[-73.985683885242182,40.786222123919686],[-73.985717529004575,40.786175994668795],[-73.985765660297687,40.786196274858618],[-73.985682871922691,40.786309786213067],[-73.985636270930442,40.786290150649279],[-73.985670722564691,40.786242911993817],[-73.98520511880038,40.786047669212785],[-73.985211035607492,40.786039554883686],[-73.985162639946992,40.786020999769754],[-73.985131636312062,40.786060297019972],[-73.985016964065125,40.78601423719563],[-73.984655078830457,40.786534741807841],[-73.985743787901043,40.786570082854738],[-73.98589227228328,40.786426529019593],[-73.985942854994988,40.786452847880334],[-73.985949561556794,40.78648711396653],[-73.985812373526713,40.786616865357047],[-73.985135209703174,40.78658761889551],[-73.984619428584324,40.786586016349787],[-73.981952458164173,40.790393724337193],[-73.972823037363767,40.803428052816756],[-73.971036786332192,40.805918478839672],[-73.966701,40.804169000000186],[-73.959647,40.801156000000113],[-73.958508540159471,40.800682279767472],[-73.95853274080838,40.800491362464697],[-73.958357552055688,40.800369095633819]]],[[[-73.943592454622546,40.782747908206574],[-73.943648235390199,40.782656161333449],[-73.943870759887162,40.781273026571704],[-73.94345932494096,40.780048275653243],[-73.943213862652243,40.779317588660199],[-73.943004239504688,40.779639495474292],[-73.942716005450905,40.779544169476175],[-73.942712374762181,40.779214856940001],[-73.942535563208608,40.779090956062532],[-73.942893408188027,40.778614093246276],[-73.942438481745029,40.777315235766039],[-73.942244919522594,40.777104088947254],[-73.942074188038887,40.776917846977142],[-73.942002667222781,40.776185317382648],[-73.942620205199006,40.775180871576474],[-73.94285645694552,40.774796600349191],[-73.94293043781397,40.774676268036011],[-73.945870899588215,40.771692257932997],[-73.946618690150586,40.77093339256956],[-73.948664164778933,40.768857624399587],[-73.950069793030679,40.767025088383498],[-73.954418260786071,40.762184104951245],[-73.95650786241211,40.760285256574043],[-73.958787773424007,40.758213471309809],[-73.973015157270069,40.764278692864671],[-73.955760332998182,40.787906554459667],[-73.944023,40.782960000000301],[-73.943592454622546,40.782747908206574]]]]});\nlet coordinates = \n    datatable(longitude:real, latitude:real, description:string)\n    [\n        real(-73.9741), 40.7914, 'Upper West Side',\n        real(-73.9950), 40.7340, 'Greenwich Village',\n        real(-73.8743), 40.7773, 'LaGuardia Airport',\n    ];\ncoordinates\n| extend distance = geo_distance_point_to_polygon(longitude, latitude, multipolygon)",
        ["longitude", "latitude", "description", "distance"],
        [
            [-73.9741, 40.7914, "Upper West Side", 0.0],
            [-73.995, 40.734, "Greenwich Village", 0.0],
            [-73.8743, 40.7773, "LaGuardia Airport", 5702.15731467514],
        ],
    ),
    (
        "geo-distance-point-to-polygon-function.md#4",
        'print distance = geo_distance_point_to_polygon(500,1,dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,1],[0,0]]]}))',
        ["distance"],
        [[None]],
    ),
    (
        "geo-distance-point-to-polygon-function.md#5",
        'print distance = geo_distance_point_to_polygon(1,1,dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,10],[0,0]]]}))',
        ["distance"],
        [[None]],
    ),
    (
        "geo-from-wkt-function.md#1",
        'print point = geo_from_wkt("POINT (1 2)");',
        ["point"],
        [[{"type": "Point", "coordinates": [1, 2]}]],
    ),
    (
        "geo-from-wkt-function.md#2",
        'print line = geo_from_wkt("LINESTRING (1 2, 3 4)");',
        ["line"],
        [[{"type": "LineString", "coordinates": [[1, 2], [3, 4]]}]],
    ),
    (
        "geo-from-wkt-function.md#3",
        'print polygon = geo_from_wkt("POLYGON ((0 0, 2 0, 2 2, 0 0))");',
        ["polygon"],
        [[{"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 0]]]}]],
    ),
    (
        "geo-from-wkt-function.md#4",
        'print multipoint = geo_from_wkt("MULTIPOINT (1 1, 2 2, 3 3)");',
        ["multipoint"],
        [[{"type": "MultiPoint", "coordinates": [[1, 1], [2, 2], [3, 3]]}]],
    ),
    (
        "geo-from-wkt-function.md#5",
        'print multiline = geo_from_wkt("MULTILINESTRING ((1 1, 2 2, 3 3), (4 4, 5 5))");',
        ["multiline"],
        [[{"type": "MultiLineString", "coordinates": [[[1, 1], [2, 2], [3, 3]], [[4, 4], [5, 5]]]}]],
    ),
    (
        "geo-from-wkt-function.md#6",
        'print multipolygon = geo_from_wkt("MULTIPOLYGON (((0 0, 2 0, 2 2, 0 0)),((10 10, 12 10, 12 12, 10 10)))");',
        ["multipolygon"],
        [
            [
                {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [[[0, 0], [2, 0], [2, 2], [0, 0]]],
                        [[[10, 10], [12, 10], [12, 12], [10, 10]]],
                    ],
                }
            ]
        ],
    ),
    (
        "geo-from-wkt-function.md#7",
        'print geometry_collection = geo_from_wkt("GEOMETRYCOLLECTION (POINT (1 1),LINESTRING (2 2, 3 3, 4 4),POLYGON ((10 10, 12 10, 12 12, 10 10)))");',
        ["geometry_collection"],
        [
            [
                {
                    "type": "GeometryCollection",
                    "geometries": [
                        {"type": "Point", "coordinates": [1, 1]},
                        {"type": "LineString", "coordinates": [[2, 2], [3, 3], [4, 4]]},
                        {"type": "Polygon", "coordinates": [[[10, 10], [12, 10], [12, 12], [10, 10]]]},
                    ],
                }
            ]
        ],
    ),
    ("geo-from-wkt-function.md#8", 'print result = isnull(geo_from_wkt("LINESTRING"))', ["result"], [[True]]),
    (
        "geo-intersection-2lines-function.md#1",
        'let lineString1 = dynamic({"type":"LineString","coordinates":[[-73.978929,40.785155],[-73.980903,40.782621]]});\nlet lineString2 = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275],[-73.974552,40.779761]]});\nprint intersection = geo_intersection_2lines(lineString1, lineString2)',
        ["intersection"],
        [[{"type": "Point", "coordinates": [-73.97983711667098, 40.783989289772165]}]],
    ),
    (
        "geo-intersection-2lines-function.md#2",
        'let line = dynamic({"type":"LineString","coordinates":[[-73.978929,40.785155],[-73.980903,40.782621]]});\nprint intersection = geo_intersection_2lines(line, line)',
        ["intersection"],
        [[{"type": "LineString", "coordinates": [[-73.978929, 40.785155], [-73.980903, 40.782621]]}]],
    ),
    (
        "geo-intersection-2lines-function.md#3",
        'let lineString1 = dynamic({"type":"LineString","coordinates":[[1, 1],[2, 2]]});\nlet lineString2 = dynamic({"type":"LineString","coordinates":[[3, 3],[4, 4]]});\nprint intersection = geo_intersection_2lines(lineString1, lineString2)',
        ["intersection"],
        [[_SHAPE_1]],
    ),
    (
        "geo-intersection-2lines-function.md#4",
        'let lineString1 = dynamic({"type":"LineString","coordinates":[[1, 1],[2, 2]]});\nlet lineString2 = dynamic({"type":"LineString","coordinates":[[3, 3]]});\nprint invalid = isnull(geo_intersection_2lines(lineString1, lineString2))',
        ["invalid"],
        [[True]],
    ),
    (
        "geo-intersection-2polygons-function.md#1",
        'let polygon1 = dynamic({"type":"Polygon","coordinates":[[[-73.9630937576294,40.77498840732385],[-73.963565826416,40.774383111780914],[-73.96205306053162,40.773745311181585],[-73.96160781383514,40.7743912365898],[-73.9630937576294,40.77498840732385]]]});\nlet polygon2 = dynamic({"type":"Polygon","coordinates":[[[-73.96213352680206,40.775045280447145],[-73.9631313085556,40.774578106920345],[-73.96207988262177,40.77416780398293],[-73.96213352680206,40.775045280447145]]]});\nprint intersection = geo_intersection_2polygons(polygon1, polygon2)',
        ["intersection"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-73.96210577643716, 40.77459136099968],
                            [-73.96264240316687, 40.77480702025178],
                            [-73.9631313085556, 40.77457810692035],
                            [-73.96207988262177, 40.77416780398293],
                            [-73.96210577643716, 40.77459136099968],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-intersection-2polygons-function.md#2",
        'let polygon1 = dynamic({"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]});\nlet polygon2 = dynamic({"type":"Polygon","coordinates":[[[3,44],[2,45],[2,43],[3,44]]]});\nprint intersection = geo_intersection_2polygons(polygon1, polygon2)',
        ["intersection"],
        [[{"type": "Point", "coordinates": [2, 45]}]],
    ),
    (
        "geo-intersection-2polygons-function.md#3",
        'let polygon1 = dynamic({"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]});\nlet polygon2 = dynamic({"type":"MultiPolygon","coordinates":[[[[3,44],[2,45],[2,43],[3,44]]],[[[1.192,45.265],[1.005,44.943],[1.356,44.937],[1.192,45.265]]]]});\nprint intersection = geo_intersection_2polygons(polygon1, polygon2)',
        ["intersection"],
        [
            [
                {
                    "type": "GeometryCollection",
                    "geometries": [
                        {"type": "Point", "coordinates": [2, 45]},
                        {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [1.3227075526410679, 45.00390914506874],
                                    [1.0404565374899823, 45.00435640306655],
                                    [1.005, 44.943],
                                    [1.356, 44.937],
                                    [1.3227075526410679, 45.00390914506874],
                                ]
                            ],
                        },
                    ],
                }
            ]
        ],
    ),
    (
        "geo-intersection-2polygons-function.md#4",
        'let polygon1 = dynamic({"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]});\nlet polygon2 = dynamic({"type":"Polygon","coordinates":[[[3,44],[3,45],[2,43],[3,44]]]});\nprint intersection = geo_intersection_2polygons(polygon1, polygon2)',
        ["intersection"],
        [[_SHAPE_1]],
    ),
    (
        "geo-intersection-2polygons-function.md#6",
        'let central_park_polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});\nlet invalid_polygon = dynamic({"type":"Polygon"});\nprint isnull(geo_intersection_2polygons(invalid_polygon, central_park_polygon))',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-intersection-line-with-polygon-function.md#1",
        'let lineString = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275],[-73.974552,40.779761]]});\nlet polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9712905883789,40.78580561168767],[-73.98004531860352,40.775276834803655],[-73.97000312805176,40.77852663535664],[-73.9712905883789,40.78580561168767]]]});\nprint intersection = geo_intersection_line_with_polygon(lineString, polygon)',
        ["intersection"],
        [
            [
                {
                    "type": "LineString",
                    "coordinates": [[-73.97561195657819, 40.78060906714618], [-73.974552, 40.779761]],
                }
            ]
        ],
    ),
    (
        "geo-intersection-line-with-polygon-function.md#2",
        'let lineString = dynamic({"type":"LineString","coordinates":[[-110.522, 39.198],[-91.428, 40.880]]});\nlet polygon = dynamic({"type":"Polygon","coordinates":[[[-90.263,36.738],[-102.041,45.274],[-109.335,36.527],[-90.263,36.738]],[[-100.393,41.705],[-103.139,38.925],[-97.558,39.113],[-100.393,41.705]]]});\nprint intersection = geo_intersection_line_with_polygon(lineString, polygon)',
        ["intersection"],
        [
            [
                {
                    "type": "MultiLineString",
                    "coordinates": [
                        [
                            [-106.89353655881905, 39.769226209776306],
                            [-101.74448553679453, 40.373506008712525],
                        ],
                        [[-99.13649943132886, 40.589336512699994], [-95.28452773731179, 40.79906024224635]],
                    ],
                }
            ]
        ],
    ),
    (
        "geo-intersection-line-with-polygon-function.md#3",
        'let lineString = dynamic({"type":"LineString","coordinates":[[1, 1],[2, 2]]});\nlet polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9712905883789,40.78580561168767],[-73.98004531860352,40.775276834803655],[-73.97000312805176,40.77852663535664],[-73.9712905883789,40.78580561168767]]]});\nprint intersection = geo_intersection_line_with_polygon(lineString, polygon)',
        ["intersection"],
        [[_SHAPE_1]],
    ),
    (
        "geo-intersection-line-with-polygon-function.md#6",
        'let lineString = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275]]});\nlet polygon = dynamic({"type":"Polygon","coordinates":[[[-73.95768642425537,40.80065354924362],[-73.9582872390747,40.80089719667298],[-73.95869493484497,40.80050736035672],[-73.9580512046814,40.80019873831593],[-73.95768642425537,40.80065354924362]]]});\nprint is_invalid = isnull(geo_intersection_2lines(lineString, polygon))',
        ["is_invalid"],
        [[True]],
    ),
    (
        "geo-intersection-line-with-polygon-function.md#7",
        'let lineString = dynamic({"type":"LineString","coordinates":[[-73.97159099578857,40.794513338780895],[-73.96738529205322,40.792758888618756],[-73.96978855133057,40.789769718601505]]});\nlet polygon = dynamic({"type":"Polygon","coordinates":[]});\nprint is_invalid = isnull(geo_intersection_2lines(lineString, polygon))',
        ["is_invalid"],
        [[True]],
    ),
    (
        "geo-intersects-2lines-function.md#1",
        'let lineString1 = dynamic({"type":"LineString","coordinates":[[-73.978929,40.785155],[-73.980903,40.782621]]});\nlet lineString2 = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275],[-73.974552,40.779761]]});\nprint intersects = geo_intersects_2lines(lineString1, lineString2)',
        ["intersects"],
        [[True]],
    ),
    (
        "geo-intersects-2lines-function.md#3",
        'let lineString1 = dynamic({"type":"LineString","coordinates":[[-73.978929,40.785155],[-73.980903,40.782621]]});\nlet lineString2 = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275]]});\nprint isnull(geo_intersects_2lines(lineString1, lineString2))',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-intersects-2polygons-function.md#1",
        'let polygon1 = dynamic({"type":"Polygon","coordinates":[[[-73.9630937576294,40.77498840732385],[-73.963565826416,40.774383111780914],[-73.96205306053162,40.773745311181585],[-73.96160781383514,40.7743912365898],[-73.9630937576294,40.77498840732385]]]});\nlet polygon2 = dynamic({"type":"Polygon","coordinates":[[[-73.96213352680206,40.775045280447145],[-73.9631313085556,40.774578106920345],[-73.96207988262177,40.77416780398293],[-73.96213352680206,40.775045280447145]]]});\nprint geo_intersects_2polygons(polygon1, polygon2)',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-intersects-2polygons-function.md#3",
        'let central_park_polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});\nlet invalid_polygon = dynamic({"type":"Polygon"});\nprint isnull(geo_intersects_2polygons(invalid_polygon, central_park_polygon))',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-intersects-line-with-polygon-function.md#1",
        'let lineString = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275],[-73.974552,40.779761]]});\nlet polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9712905883789,40.78580561168767],[-73.98004531860352,40.775276834803655],[-73.97000312805176,40.77852663535664],[-73.9712905883789,40.78580561168767]]]});\nprint intersects = geo_intersects_line_with_polygon(lineString, polygon)',
        ["intersects"],
        [[True]],
    ),
    (
        "geo-intersects-line-with-polygon-function.md#4",
        'let lineString = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275]]});\nlet polygon = dynamic({"type":"Polygon","coordinates":[[[-73.95768642425537,40.80065354924362],[-73.9582872390747,40.80089719667298],[-73.95869493484497,40.80050736035672],[-73.9580512046814,40.80019873831593],[-73.95768642425537,40.80065354924362]]]});\nprint isnull(geo_intersects_2lines(lineString, polygon))',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-intersects-line-with-polygon-function.md#5",
        'let lineString = dynamic({"type":"LineString","coordinates":[[-73.97159099578857,40.794513338780895],[-73.96738529205322,40.792758888618756],[-73.96978855133057,40.789769718601505]]});\nlet polygon = dynamic({"type":"Polygon","coordinates":[]});\nprint isnull(geo_intersects_2lines(lineString, polygon))',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-line-buffer-function.md#3",
        'print buffer = isnull(geo_line_buffer(dynamic({"type":"LineString"}), 5))',
        ["buffer"],
        [[True]],
    ),
    (
        "geo-line-buffer-function.md#4",
        'print buffer = isnull(geo_line_buffer(dynamic({"type":"LineString","coordinates":[[0,0],[1,1]]}), 0))',
        ["buffer"],
        [[True]],
    ),
    (
        "geo-line-centroid-function.md#1",
        'let line = dynamic({"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]});\nprint centroid = geo_line_centroid(line);',
        ["centroid"],
        [[{"type": "Point", "coordinates": [-73.96556705723094, 40.782453249627416]}]],
    ),
    (
        "geo-line-centroid-function.md#2",
        'let line = dynamic({"type":"LineString","coordinates":[[-73.95807266235352,40.800426144169315],[-73.94966125488281,40.79691751000055],[-73.97317886352539,40.764486356930334],[-73.98210525512695,40.76786669510221],[-73.96004676818848,40.7980870753293]]});\nprint centroid = geo_line_centroid(line)\n| project lng = centroid.coordinates[0]',
        ["lng"],
        [[-73.9660675626837]],
    ),
    (
        "geo-line-centroid-function.md#4",
        'print is_bad_line = isnull(geo_line_centroid(dynamic({"type":"LineString","coordinates":[[1, 1]]})))',
        ["is_bad_line"],
        [[True]],
    ),
    (
        "geo-line-densify-function.md#2",
        'print densified_line = tostring(geo_line_densify(dynamic({"type":"LineString","coordinates":[[50, 50], [51, 51]]})))',
        ["densified_line"],
        [
            [
                '{"type":"LineString","coordinates":[[50,50],[50.125,50.125],[50.25,50.25],[50.375,50.375],[50.5,50.5],[50.625,50.625],[50.75,50.75],[50.875,50.875],[51,51]]}'
            ]
        ],
    ),
    (
        "geo-line-densify-function.md#3",
        'print densified_line = geo_line_densify(dynamic({"type":"LineString","coordinates":[[300,1],[1,1]]}))',
        ["densified_line"],
        [[None]],
    ),
    (
        "geo-line-densify-function.md#4",
        'print densified_line = geo_line_densify(dynamic({"type":"LineString","coordinates":[[1,1],[2,2]]}), 0)',
        ["densified_line"],
        [[None]],
    ),
    (
        "geo-line-interpolate-point-function.md#1",
        'let line = dynamic({"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]});\nprint point = geo_line_interpolate_point(line, 0.25);',
        ["point"],
        [[{"type": "Point", "coordinates": [-73.96176404321828, 40.79143668725723]}]],
    ),
    (
        "geo-line-interpolate-point-function.md#4",
        'print is_bad_line = isnull(geo_line_interpolate_point(dynamic({"type":"LineString","coordinates":[[1, 1]]}), 0.5))',
        ["is_bad_line"],
        [[True]],
    ),
    (
        "geo-line-length-function.md#1",
        'let line = dynamic({"type":"LineString","coordinates":[[-73.95807266235352,40.800426144169315],[-73.94966125488281,40.79691751000055],[-73.97317886352539,40.764486356930334]]});\nprint length = geo_line_length(line)',
        ["length"],
        [[4922.48016992081]],
    ),
    (
        "geo-line-length-function.md#2",
        'let line = dynamic({"type":"MultiLineString","coordinates":[[[-73.95798683166502,40.800556090021466],[-73.98193359375,40.76819171855746]],[[-73.94940376281738,40.79691751000055],[-73.97317886352539,40.76435634049001]]]});\nprint length = geo_line_length(line)',
        ["length"],
        [[8262.24339753741]],
    ),
    (
        "geo-line-length-function.md#3",
        'print is_bad_line = isnull(geo_line_length(dynamic({"type":"LineString","coordinates":[[1, 1]]})))',
        ["is_bad_line"],
        [[True]],
    ),
    (
        "geo-line-locate-point-function.md#1",
        'let line = dynamic({"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]});\nprint fraction = geo_line_locate_point(line, -73.965, 40.792);',
        ["fraction"],
        [[0.2556013510030755]],
    ),
    (
        "geo-line-locate-point-function.md#2",
        'print is_bad_line = isnull(geo_line_locate_point(dynamic({"type":"LineString","coordinates":[[1, 1]]}), 1, 1))',
        ["is_bad_line"],
        [[True]],
    ),
    (
        "geo-line-lookup-plugin.md#1",
        _GEO_LINE_LOOKUP_PLUGIN_DATA
        + "| evaluate geo_line_lookup(roads, road, longitude, latitude, 100, return_lookup_key = true)",
        ["location_name", "longitude", "latitude", "road_name", "road"],
        [_ROW_1, _ROW_2],
    ),
    (
        "geo-line-lookup-plugin.md#2",
        _GEO_LINE_LOOKUP_PLUGIN_DATA
        + "| evaluate geo_line_lookup(roads, road, longitude, latitude, 100, return_unmatched = true, return_lookup_key = true)",
        ["location_name", "longitude", "latitude", "road_name", "road"],
        [
            _ROW_1,
            ["Grand Central Terminal", -73.97713140725149, 40.752730320824895, "", None],
            _ROW_3,
            _ROW_2,
        ],
    ),
    (
        "geo-line-lookup-plugin.md#3",
        _GEO_LINE_LOOKUP_PLUGIN_DATA
        + "| evaluate geo_line_lookup(roads, road, longitude, latitude, 350, return_unmatched = true, return_lookup_key = true)",
        ["location_name", "longitude", "latitude", "road_name", "road"],
        [
            _ROW_1,
            ["Grand Central Terminal", -73.97713140725149, 40.752730320824895, "5th Avenue NY", _SHAPE_2],
            _ROW_3,
            _ROW_2,
        ],
    ),
    (
        "geo-line-lookup-plugin.md#4",
        _GEO_LINE_LOOKUP_PLUGIN_DATA
        + "| evaluate geo_line_lookup(roads, road, longitude, latitude, 350)\n| summarize count() by road_name ",
        ["road_name", "count_"],
        [["5th Avenue NY", 2], ["Palace Ave", 1]],
    ),
    (
        "geo-line-simplify-function.md#1",
        'let line = dynamic({"type":"LineString","coordinates":[[-73.97033169865608,40.789063020152824],[-73.97039607167244,40.78897975920816],[-73.9704617857933,40.78888837512432],[-73.97052884101868,40.7887949601531],[-73.9706052839756,40.788698498903564],[-73.97065222263336,40.78862640672032],[-73.97072866559029,40.78852791445617],[-73.97079303860664,40.788434498977836]]});\nprint simplified = geo_line_simplify(line, 10)',
        ["simplified"],
        [
            [
                {
                    "type": "LineString",
                    "coordinates": [
                        [-73.97033169865608, 40.789063020152824],
                        [-73.97079303860664, 40.788434498977836],
                    ],
                }
            ]
        ],
    ),
    (
        "geo-line-simplify-function.md#4",
        'print is_invalid_line = isnull(geo_line_simplify(dynamic({"type":"LineString","coordinates":[[1, 1]]})))',
        ["is_invalid_line"],
        [[True]],
    ),
    (
        "geo-line-simplify-function.md#5",
        'print is_invalid_line = isnull(geo_line_simplify(dynamic({"type":"LineString","coordinates":[[1, 1],[2,2]]}), -1))',
        ["is_invalid_line"],
        [[True]],
    ),
    (
        "geo-line-simplify-function.md#6",
        'print is_invalid_line = isnull(geo_line_simplify(dynamic({"type":"LineString","coordinates":[[1.1, 1.1],[1.2,1.2]]}), 100000))',
        ["is_invalid_line"],
        [[True]],
    ),
    (
        "geo-line-to-s2cells-function.md#2",
        'let line = dynamic({"type":"LineString","coordinates":[[[0,0],[0,0]]]});\nprint isnull(geo_line_to_s2cells(line))',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-point-buffer-function.md#3",
        "print result = isnull(geo_point_buffer(200, 1,0.1))",
        ["result"],
        [[True]],
    ),
    (
        "geo-point-buffer-function.md#4",
        "print result = isnull(geo_point_buffer(10, 10, -1))",
        ["result"],
        [[True]],
    ),
    (
        "geo-point-in-polygon-function.md#1",
        "datatable(longitude:real, latitude:real, description:string)\n[\n    real(-73.985654), 40.748487, 'Empire State Building',           // In Polygon \n    real(-73.963249), 40.779525, 'The Metropolitan Museum of Art',  // In exterior of polygon\n    real(-73.874367), 40.777356, 'LaGuardia Airport',               // In exterior of polygon\n]\n| where geo_point_in_polygon(longitude, latitude, dynamic({\"type\":\"Polygon\",\"coordinates\":[[[-73.92597198486328,40.87821814104651],[-73.94691467285156,40.85069618625578],[-73.94691467285156,40.841865966890786],[-74.01008605957031,40.7519385984599],[-74.01866912841797,40.704586878965245],[-74.01214599609375,40.699901911003046],[-73.99772644042969,40.70875101828792],[-73.97747039794922,40.71083299030839],[-73.97026062011719,40.7290474687069],[-73.97506713867186,40.734510840309376],[-73.970947265625,40.74543623770158],[-73.94210815429688,40.77586181063573],[-73.9434814453125,40.78080140115127],[-73.92974853515625,40.79691751000055],[-73.93077850341797,40.804454347291006],[-73.93489837646484,40.80965166748853],[-73.93524169921875,40.837190668541105],[-73.92288208007812,40.85770758108904],[-73.9101791381836,40.871728144624974],[-73.92597198486328,40.87821814104651]],[[-73.95824432373047,40.80071852197889],[-73.98206233978271,40.76815921628347],[-73.97309303283691,40.76422632379533],[-73.94914627075195,40.796949998204596],[-73.95824432373047,40.80071852197889]]]}))",
        ["longitude", "latitude", "description"],
        [[-73.985654, 40.748487, "Empire State Building"]],
    ),
    (
        "geo-point-in-polygon-function.md#2",
        "let multipolygon = dynamic({\"type\":\"MultiPolygon\",\"coordinates\":[[[[-73.991460000000131,40.731738000000206],[-73.992854491775518,40.730082566051351],[-73.996772,40.725432000000154],[-73.997634685522883,40.725786309886963],[-74.002855946639244,40.728346630056791],[-74.001413,40.731065000000207],[-73.996796995070824,40.73736378205173],[-73.991724524037934,40.735245208931886],[-73.990703782359589,40.734781896080477],[-73.991460000000131,40.731738000000206]]],[[[-73.958357552055688,40.800369095633819],[-73.98143901556422,40.768762584141953],[-73.981548752788598,40.7685590292784],[-73.981565335901905,40.768307084720796],[-73.981754418060945,40.768399727738668],[-73.982038573548124,40.768387823012056],[-73.982268248204349,40.768298621883247],[-73.982384797518051,40.768097213086911],[-73.982320919746599,40.767894461792181],[-73.982155532845766,40.767756204474757],[-73.98238873834039,40.767411004834273],[-73.993650353659021,40.772145571634361],[-73.99415893763998,40.772493009137818],[-73.993831082030937,40.772931787850908],[-73.993891252437052,40.772955194876722],[-73.993962585514595,40.772944653908901],[-73.99401262480508,40.772882846631894],[-73.994122058082397,40.77292405902601],[-73.994136652588594,40.772901870174394],[-73.994301342391154,40.772970028663913],[-73.994281535134448,40.77299380206933],[-73.994376552751078,40.77303955110149],[-73.994294029824005,40.773156243992048],[-73.995023275860802,40.773481196576356],[-73.99508939189289,40.773388475039134],[-73.995013963716758,40.773358035426909],[-73.995050284699261,40.773297153189958],[-73.996240651898916,40.773789791397689],[-73.996195837470992,40.773852356184044],[-73.996098807369748,40.773951805299085],[-73.996179459973888,40.773986954351571],[-73.996095245226442,40.774086186437756],[-73.995572265161172,40.773870731394297],[-73.994017424135961,40.77321375261053],[-73.993935876811335,40.773179512586211],[-73.993861942928888,40.773269531698837],[-73.993822393527211,40.773381758622882],[-73.993767019318497,40.773483981224835],[-73.993698463744295,40.773562141052594],[-73.993358326468751,40.773926888327956],[-73.992622663865575,40.774974056037109],[-73.992577842766124,40.774956016359418],[-73.992527743951555,40.775002110439829],[-73.992469745815342,40.775024159551755],[-73.992403837191887,40.775018140390664],[-73.99226708903538,40.775116033858794],[-73.99217809026365,40.775279293897171],[-73.992059084937338,40.775497598192516],[-73.992125372394938,40.775509075053385],[-73.992226867797001,40.775482211026116],[-73.992329346608813,40.775468900958522],[-73.992361756801131,40.775501899766638],[-73.992386042960277,40.775557180424634],[-73.992087684712729,40.775983970821372],[-73.990927174149746,40.777566878763238],[-73.99039616003671,40.777585065679204],[-73.989461267506471,40.778875124584417],[-73.989175778438053,40.779287524015778],[-73.988868617400072,40.779692922911607],[-73.988871874499793,40.779713738253008],[-73.989219022880576,40.779697895209402],[-73.98927785904425,40.779723439271038],[-73.989409054180143,40.779737706471963],[-73.989498614927044,40.779725044389757],[-73.989596493388234,40.779698146683387],[-73.989679812902509,40.779677568658038],[-73.989752702937935,40.779671244211556],[-73.989842247806507,40.779680752670664],[-73.990040102120489,40.779707677698219],[-73.990137977524839,40.779699769704784],[-73.99033584033225,40.779661794394983],[-73.990430598697046,40.779664973055503],[-73.990622199396725,40.779676064914298],[-73.990745069505479,40.779671328184051],[-73.990872114282197,40.779646007643876],[-73.990961672224358,40.779639683751753],[-73.991057472829539,40.779652352625774],[-73.991157429497036,40.779669775606465],[-73.991242817404469,40.779671367084504],[-73.991255318289745,40.779650782516491],[-73.991294887120119,40.779630209208889],[-73.991321967649895,40.779631796041372],[-73.991359455569423,40.779585883337383],[-73.991551059227476,40.779574821437407],[-73.99141982585985,40.779755280287233],[-73.988886144117032,40.779878898532999],[-73.988939656706265,40.779956178440393],[-73.988926103530844,40.780059292013632],[-73.988911680264692,40.780096037146606],[-73.988919261468567,40.780226094343945],[-73.988381050202634,40.780981074045783],[-73.988232413846987,40.781233144215555],[-73.988210420831663,40.781225482542055],[-73.988140000000143,40.781409000000224],[-73.988041288067166,40.781585961353777],[-73.98810029382463,40.781602878305286],[-73.988076449145055,40.781650935001608],[-73.988018059972219,40.781634188810422],[-73.987960792842145,40.781770987031535],[-73.985465811970457,40.785360700575431],[-73.986172704965611,40.786068452258647],[-73.986455862401996,40.785919219081421],[-73.987072345615601,40.785189638820121],[-73.98711901394276,40.785210319004058],[-73.986497781023601,40.785951202887254],[-73.986164628806279,40.786121882448327],[-73.986128422486075,40.786239001331111],[-73.986071135219746,40.786240706026611],[-73.986027274789123,40.786228964236727],[-73.986097637849426,40.78605822569795],[-73.985429321269592,40.785413942184597],[-73.985081137732209,40.785921935110366],[-73.985198833254501,40.785966552197777],[-73.985170502389906,40.78601333415817],[-73.985216218673656,40.786030501816427],[-73.98525509797993,40.785976205511588],[-73.98524273937646,40.785972572653328],[-73.98524962933017,40.785963139855845],[-73.985281779186749,40.785978620950075],[-73.985240032884533,40.786035858136792],[-73.985683885242182,40.786222123919686],[-73.985717529004575,40.786175994668795],[-73.985765660297687,40.786196274858618],[-73.985682871922691,40.786309786213067],[-73.985636270930442,40.786290150649279],[-73.985670722564691,40.786242911993817],[-73.98520511880038,40.786047669212785],[-73.985211035607492,40.786039554883686],[-73.985162639946992,40.786020999769754],[-73.985131636312062,40.786060297019972],[-73.985016964065125,40.78601423719563],[-73.984655078830457,40.786534741807841],[-73.985743787901043,40.786570082854738],[-73.98589227228328,40.786426529019593],[-73.985942854994988,40.786452847880334],[-73.985949561556794,40.78648711396653],[-73.985812373526713,40.786616865357047],[-73.985135209703174,40.78658761889551],[-73.984619428584324,40.786586016349787],[-73.981952458164173,40.790393724337193],[-73.972823037363767,40.803428052816756],[-73.971036786332192,40.805918478839672],[-73.966701,40.804169000000186],[-73.959647,40.801156000000113],[-73.958508540159471,40.800682279767472],[-73.95853274080838,40.800491362464697],[-73.958357552055688,40.800369095633819]]],[[[-73.943592454622546,40.782747908206574],[-73.943648235390199,40.782656161333449],[-73.943870759887162,40.781273026571704],[-73.94345932494096,40.780048275653243],[-73.943213862652243,40.779317588660199],[-73.943004239504688,40.779639495474292],[-73.942716005450905,40.779544169476175],[-73.942712374762181,40.779214856940001],[-73.942535563208608,40.779090956062532],[-73.942893408188027,40.778614093246276],[-73.942438481745029,40.777315235766039],[-73.942244919522594,40.777104088947254],[-73.942074188038887,40.776917846977142],[-73.942002667222781,40.776185317382648],[-73.942620205199006,40.775180871576474],[-73.94285645694552,40.774796600349191],[-73.94293043781397,40.774676268036011],[-73.945870899588215,40.771692257932997],[-73.946618690150586,40.77093339256956],[-73.948664164778933,40.768857624399587],[-73.950069793030679,40.767025088383498],[-73.954418260786071,40.762184104951245],[-73.95650786241211,40.760285256574043],[-73.958787773424007,40.758213471309809],[-73.973015157270069,40.764278692864671],[-73.955760332998182,40.787906554459667],[-73.944023,40.782960000000301],[-73.943592454622546,40.782747908206574]]]]});\nlet coordinates = \n    datatable(longitude:real, latitude:real, description:string)\n    [\n        real(-73.9741), 40.7914, 'Upper West Side',    // In MultiPolygon\n        real(-73.9950), 40.7340, 'Greenwich Village',  // In MultiPolygon\n        real(-73.8743), 40.7773, 'LaGuardia Airport',  // In exterior of MultiPolygon\n    ];\ncoordinates\n| where geo_point_in_polygon(longitude, latitude, multipolygon)",
        ["longitude", "latitude", "description"],
        [[-73.9741, 40.7914, "Upper West Side"], [-73.995, 40.734, "Greenwich Village"]],
    ),
    (
        "geo-point-in-polygon-function.md#6",
        'print in_polygon = geo_point_in_polygon(200,1,dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,1],[0,0]]]}))',
        ["in_polygon"],
        [[None]],
    ),
    (
        "geo-point-in-polygon-function.md#7",
        'print in_polygon = geo_point_in_polygon(1,1,dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,10],[0,0]]]}))',
        ["in_polygon"],
        [[None]],
    ),
    (
        "geo-polygon-area-function.md#1",
        'let central_park = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});\nprint area = geo_polygon_area(central_park)',
        ["area"],
        [[3475207.28346606]],
    ),
    (
        "geo-polygon-area-function.md#2",
        'let polygons = dynamic({"type":"MultiPolygon","coordinates":[[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]],[[[-73.94262313842773,40.775991804565585],[-73.98107528686523,40.791849155467695],[-73.99600982666016,40.77092185281977],[-73.96150588989258,40.75609977566361],[-73.94262313842773,40.775991804565585]]]]});\nprint polygons_union_area = geo_polygon_area(polygons)',
        ["polygons_union_area"],
        [[10889971.5343487]],
    ),
    (
        "geo-polygon-area-function.md#4",
        'print isnull(geo_polygon_area(dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,10],[0,0]]]})))',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-polygon-buffer-function.md#3",
        'print buffer = isnull(geo_polygon_buffer(dynamic({"type":"p"}), 1))',
        ["buffer"],
        [[True]],
    ),
    (
        "geo-polygon-buffer-function.md#4",
        'print buffer = isnull(geo_polygon_buffer(dynamic({"type":"Polygon","coordinates":[[[10,10],[0,10],[0,0],[10,10]]]}), 0))',
        ["buffer"],
        [[True]],
    ),
    (
        "geo-polygon-centroid-function.md#1",
        'let central_park = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});\nprint centroid = geo_polygon_centroid(central_park)',
        ["centroid"],
        [[{"type": "Point", "coordinates": [-73.96573568990762, 40.78255053805781]}]],
    ),
    (
        "geo-polygon-centroid-function.md#2",
        'let central_park = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});\nprint \ncentroid = geo_polygon_centroid(central_park)\n| project lng = centroid.coordinates[0]',
        ["lng"],
        [[-73.9657356899076]],
    ),
    (
        "geo-polygon-centroid-function.md#5",
        'print isnull(geo_polygon_centroid(dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,10],[0,0]]]})))',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-polygon-densify-function.md#1",
        'print densified_polygon = tostring(geo_polygon_densify(dynamic({"type":"Polygon","coordinates":[[[-73.958244,40.800719],[-73.949146,40.79695],[-73.973093,40.764226],[-73.982062,40.768159],[-73.958244,40.800719]]]})))',
        ["densified_polygon"],
        [
            [
                '{"type":"Polygon","coordinates":[[[-73.958244,40.800719],[-73.949146,40.79695],[-73.973093,40.764226],[-73.982062,40.768159],[-73.958244,40.800719]]]}'
            ]
        ],
    ),
    (
        "geo-polygon-densify-function.md#2",
        'print densified_polygon = tostring(geo_polygon_densify(dynamic({"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]})))',
        ["densified_polygon"],
        [
            [
                '{"type":"Polygon","coordinates":[[[10,10],[10.25,10],[10.5,10],[10.75,10],[11,10],[11,11],[10.75,11],[10.5,11],[10.25,11],[10,11],[10,10]]]}'
            ]
        ],
    ),
    (
        "geo-polygon-densify-function.md#3",
        'print densified_polygon = geo_polygon_densify(dynamic({"type":"Polygon","coordinates":[[[10,900],[11,10],[11,11],[10,11],[10,10]]]}))',
        ["densified_polygon"],
        [[None]],
    ),
    (
        "geo-polygon-densify-function.md#4",
        'print densified_polygon = geo_polygon_densify(dynamic({"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}), 0)',
        ["densified_polygon"],
        [[None]],
    ),
    (
        "geo-polygon-lookup-plugin.md#2",
        _GEO_POLYGON_LOOKUP_PLUGIN_DATA
        + "| evaluate geo_polygon_lookup(polygons, polygon, longitude, latitude, return_unmatched = true, return_lookup_key = true)",
        ["location_name", "longitude", "latitude", "polygon_name", "polygon"],
        [_ROW_4, _ROW_5, _ROW_6, _ROW_7, _ROW_3],
    ),
    (
        "geo-polygon-lookup-plugin.md#3",
        _GEO_POLYGON_LOOKUP_PLUGIN_DATA
        + "| evaluate geo_polygon_lookup(polygons, polygon, longitude, latitude, radius = 7000, return_unmatched = true, return_lookup_key = true)",
        ["location_name", "longitude", "latitude", "polygon_name", "polygon"],
        [
            _ROW_4,
            _ROW_5,
            _ROW_6,
            _ROW_7,
            ["Statue of Liberty", -74.04462223203123, 40.689195627512674, "New York", _SHAPE_4],
        ],
    ),
    (
        "geo-polygon-lookup-plugin.md#4",
        _GEO_POLYGON_LOOKUP_PLUGIN_DATA
        + "| evaluate geo_polygon_lookup(polygons, polygon, longitude, latitude)\n| summarize count() by polygon_name",
        ["polygon_name", "count_"],
        [["New York", 2], ["Paris", 1]],
    ),
    (
        "geo-polygon-perimeter-function.md#1",
        'let central_park = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});\nprint perimeter = geo_polygon_perimeter(central_park)',
        ["perimeter"],
        [[9930.30149604938]],
    ),
    (
        "geo-polygon-perimeter-function.md#2",
        'let polygons = dynamic({"type":"MultiPolygon","coordinates":[[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]],[[[-73.94262313842773,40.775991804565585],[-73.98107528686523,40.791849155467695],[-73.99600982666016,40.77092185281977],[-73.96150588989258,40.75609977566361],[-73.94262313842773,40.775991804565585]]]]});\nprint perimeter = geo_polygon_perimeter(polygons)',
        ["perimeter"],
        [[15943.5384578745]],
    ),
    (
        "geo-polygon-perimeter-function.md#3",
        'print is_invalid = isnull(geo_polygon_perimeter(dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,10],[0,0]]]})))',
        ["is_invalid"],
        [[True]],
    ),
    (
        "geo-polygon-simplify-function.md#1",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[-73.94885122776031,40.79673476355657],[-73.94885927438736,40.79692258628347],[-73.94887939095497,40.79692055577034],[-73.9488673210144,40.79693476936093],[-73.94888743758202,40.79693476936093],[-73.9488834142685,40.796959135509105],[-73.94890084862709,40.79695304397289],[-73.94906312227248,40.79710736271788],[-73.94923612475395,40.7968708081794],[-73.94885122776031,40.79673476355657]]]});\nprint simplified = geo_polygon_simplify(polygon)',
        ["simplified"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-73.94885122776031, 40.79673476355657],
                            [-73.94906312227248, 40.79710736271788],
                            [-73.94923612475395, 40.7968708081794],
                            [-73.94885122776031, 40.79673476355657],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-polygon-simplify-function.md#4",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[5,48],[5,48]]]});\nprint is_invalid_polygon = isnull(geo_polygon_simplify(polygon))',
        ["is_invalid_polygon"],
        [[True]],
    ),
    (
        "geo-polygon-simplify-function.md#5",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[5,48],[0,50],[0,47],[4,47],[5,48]]]});\nprint is_invalid_polygon = isnull(geo_polygon_simplify(polygon, -0.1))',
        ["is_invalid_polygon"],
        [[True]],
    ),
    (
        "geo-polygon-simplify-function.md#6",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[5,48],[0,50],[0,47],[4,47],[5,48]]]});\nprint is_invalid_polygon = isnull(geo_polygon_simplify(polygon, 1000000))',
        ["is_invalid_polygon"],
        [[True]],
    ),
    (
        "geo-polygon-to-h3cells-function.md#3",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[0,0],[1,1]]]});\nprint is_null = isnull(geo_polygon_to_h3cells(polygon))',
        ["is_null"],
        [[True]],
    ),
    (
        "geo-polygon-to-s2cells-function.md#5",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]});\nprint s2_cell_token_count = array_length(geo_polygon_to_s2cells(polygon, 5));',
        ["s2_cell_token_count"],
        [[286]],
    ),
    (
        "geo-polygon-to-s2cells-function.md#6",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]});\nprint geo_polygon_to_s2cells(polygon, 30);',
        ["print_0"],
        [[None]],
    ),
    (
        "geo-polygon-to-s2cells-function.md#7",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]});\nprint isnull(geo_polygon_to_s2cells(polygon, 30));',
        ["print_0"],
        [[True]],
    ),
    (
        "geo-simplify-polygons-array-function.md#2",
        'datatable(polygons:dynamic)\n[\n    dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.97335,40.77274],[-73.9936,40.76630],[-73.97171,40.75655],[-73.97335,40.77274]]]})\n]\n| summarize arr = make_list(polygons)\n| project is_invalid_polygon = isnull(geo_simplify_polygons_array(arr))',
        ["is_invalid_polygon"],
        [[True]],
    ),
    (
        "geo-simplify-polygons-array-function.md#3",
        'datatable(polygons:dynamic)\n[\n    dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249],[-73.96888,40.79282],[-73.9577,40.7789],[-73.94622,40.79249]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.97335,40.77274],[-73.9936,40.76630],[-73.97171,40.75655],[-73.97335,40.77274]]]})\n]\n| summarize arr = make_list(polygons)\n| project is_null = isnull(geo_simplify_polygons_array(arr, -1))',
        ["is_null"],
        [[True]],
    ),
    (
        "geo-simplify-polygons-array-function.md#4",
        'datatable(polygons:dynamic)\n[\n    dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249],[-73.96888,40.79282],[-73.9577,40.7789],[-73.94622,40.79249]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.97335,40.77274],[-73.9936,40.76630],[-73.97171,40.75655],[-73.97335,40.77274]]]})\n]\n| summarize arr = make_list(polygons)\n| project is_null = isnull(geo_simplify_polygons_array(arr, 10000))',
        ["is_null"],
        [[True]],
    ),
    (
        "geo-union-lines-array-function.md#1",
        'datatable(lines:dynamic)\n[\n    dynamic({"type":"LineString","coordinates":[[-73.95683884620665,40.80502891480884],[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311]]}),\n    dynamic({"type":"LineString","coordinates":[[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311],[-73.95537436008453,40.804413741624515]]}),\n    dynamic({"type":"LineString","coordinates":[[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311]]})\n]\n| summarize lines_arr = make_list(lines)\n| project lines_union = geo_union_lines_array(lines_arr)',
        ["lines_union"],
        [[_SHAPE_6]],
    ),
    (
        "geo-union-lines-array-function.md#2",
        'datatable(line1:dynamic, line2:dynamic)\n[\n    dynamic({"type":"LineString","coordinates":[[-73.95683884620665,40.80502891480884],[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311]]}), dynamic({"type":"LineString","coordinates":[[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311],[-73.95537436008453,40.804413741624515]]})\n]\n| project lines_arr = pack_array(line1, line2)\n| project lines_union = geo_union_lines_array(lines_arr)',
        ["lines_union"],
        [[_SHAPE_6]],
    ),
    (
        "geo-union-lines-array-function.md#3",
        'datatable(lines:dynamic)\n[\n    dynamic({"type":"LineString","coordinates":[[-73.95683884620665,40.80502891480884],[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311]]}),\n    dynamic({"type":"LineString","coordinates":[[1, 1]]})\n]\n| summarize lines_arr = make_list(lines)\n| project invalid_union = isnull(geo_union_lines_array(lines_arr))',
        ["invalid_union"],
        [[True]],
    ),
    (
        "geo-union-polygons-array-function.md#1",
        'datatable(polygons:dynamic)\n[\n    dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249],[-73.96888,40.79282],[-73.9577,40.7789],[-73.94622,40.79249]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.97335,40.77274],[-73.9936,40.76630],[-73.97171,40.75655],[-73.97335,40.77274]]]})\n]\n| summarize polygons_arr = make_list(polygons)\n| project polygons_union = geo_union_polygons_array(polygons_arr)',
        ["polygons_union"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-73.97259932672961, 40.76533037190299],
                            [-73.96030238370618, 40.782140794645024],
                            [-73.9577, 40.7789],
                            [-73.94622, 40.79249],
                            [-73.9526593223173, 40.79258422771647],
                            [-73.9495, 40.7969],
                            [-73.95807, 40.80068],
                            [-73.9639277517478, 40.792748258673875],
                            [-73.96888, 40.79281999999999],
                            [-73.9662719791645, 40.7895734224338],
                            [-73.9803360309571, 40.770518810606404],
                            [-73.9936, 40.7663],
                            [-73.97171, 40.756550000000004],
                            [-73.97259932672961, 40.76533037190299],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-union-polygons-array-function.md#2",
        'datatable(polygon1:dynamic, polygon2:dynamic)\n[\n    dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}), dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249],[-73.96888,40.79282],[-73.9577,40.7789],[-73.94622,40.79249]]]})\n]\n| project polygons_arr = pack_array(polygon1, polygon2)\n| project polygons_union = geo_union_polygons_array(polygons_arr)',
        ["polygons_union"],
        [
            [
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-73.9495, 40.7969],
                            [-73.95807, 40.80068],
                            [-73.9639277517478, 40.792748258673875],
                            [-73.96888, 40.79281999999999],
                            [-73.9662719791645, 40.7895734224338],
                            [-73.98201, 40.76825],
                            [-73.97317, 40.76455],
                            [-73.96030238370618, 40.782140794645024],
                            [-73.9577, 40.7789],
                            [-73.94622, 40.79249],
                            [-73.9526593223173, 40.79258422771647],
                            [-73.9495, 40.7969],
                        ]
                    ],
                }
            ]
        ],
    ),
    (
        "geo-union-polygons-array-function.md#3",
        'datatable(polygons:dynamic)\n[\n    dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),\n    dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249]]]})\n]\n| summarize polygons_arr = make_list(polygons)\n| project invalid_union = isnull(geo_union_polygons_array(polygons_arr))',
        ["invalid_union"],
        [[True]],
    ),
    (
        "geospatial-joins.md#3",
        'let locations1 = datatable(name: string, longitude: real, latitude: real)\n[\n    "O2 Entrance", 0.005889454501716321, 51.50238626916584,\n    "O2 Entrance", 0.0009625704125020596,51.50385432770013,\n    "Greenwich Park", 0.0009395106042404677, 51.47700456557013,\n];\nlet locations2 = datatable(id: string, longitude: real, latitude: real)\n[\n    "O2 Arena", 0.003159306017352037, 51.502929224128394\n]\n| extend buffer = geo_point_buffer(0.003159306017352037, 51.502929224128394, 300, 0.1); // Create a radius of 300 meters from O2 center location\nlocations1\n| evaluate geo_polygon_lookup(locations2, buffer, longitude, latitude)\n| project name, id, longitude, latitude',
        ["name", "id", "longitude", "latitude"],
        [
            ["O2 Entrance", "O2 Arena", 0.00588945450171632, 51.5023862691658],
            ["O2 Entrance", "O2 Arena", 0.00096257041250206, 51.5038543277001],
        ],
    ),
]
