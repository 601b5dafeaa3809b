"""Documented examples that pass and were not yet cases of another file, as data.

Each case is (page#block, query, output column names, rows), emitted by
``bench/kql_docs_conformance.py --emit ID...`` once the comparison had found the engine's rows equal to
the table the page prints (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<page>); the
rows are those values, datetimes as ISO text and timespans as seconds.
"""

from __future__ import annotations

import math
from typing import Any

DOC_EXAMPLES_MORE: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "base64-encode-fromarray-function.md#1",
        'let bytes_array = toscalar(print base64_decode_toarray("S3VzdG8="));\nprint decoded_base64_string = base64_encode_fromarray(bytes_array)',
        ["decoded_base64_string"],
        [["S3VzdG8="]],
    ),
    (
        "base64-encode-fromarray-function.md#2",
        'let empty_bytes_array = toscalar(print base64_decode_toarray("U3RyaW5n0KHR0tGA0L7Rh9C60LA"));\nprint empty_string = base64_encode_fromarray(empty_bytes_array)',
        ["empty_string"],
        [[""]],
    ),
    (
        "bin-at-function.md#5",
        "datatable(Date:datetime, NumOfEvents:int)[\ndatetime(2018-02-24T15:14),3,\ndatetime(2018-02-24T15:24),4,\ndatetime(2018-02-23T16:14),4,\ndatetime(2018-02-23T17:29),4,\ndatetime(2018-02-26T15:14),5]\n| summarize TotalEvents=sum(NumOfEvents) by bin_at(Date, 1d, datetime(2018-02-24 15:14:00.0000000)) ",
        ["Date", "TotalEvents"],
        [["2018-02-24T15:14:00Z", 7], ["2018-02-23T15:14:00Z", 8], ["2018-02-26T15:14:00Z", 5]],
    ),
    (
        "datatable-operator.md#1",
        'datatable(Date:datetime, Event:string, MoreData:dynamic) [\n    datetime(1910-06-11), "Born", dynamic({"key1":"value1", "key2":"value2"}),\n    datetime(1930-01-01), "Enters Ecole Navale", dynamic({"key1":"value3", "key2":"value4"}),\n    datetime(1953-01-01), "Published first book", dynamic({"key1":"value5", "key2":"value6"}),\n    datetime(1997-06-25), "Died", dynamic({"key1":"value7", "key2":"value8"}),\n]\n| where strlen(Event) > 4\n| extend key2 = MoreData.key2',
        ["Date", "Event", "MoreData", "key2"],
        [
            ["1930-01-01T00:00:00Z", "Enters Ecole Navale", {"key1": "value3", "key2": "value4"}, "value4"],
            ["1953-01-01T00:00:00Z", "Published first book", {"key1": "value5", "key2": "value6"}, "value6"],
        ],
    ),
    (
        "datetime-add-function.md#1",
        "print  year = datetime_add('year',1,make_datetime(2017,1,1)),\nquarter = datetime_add('quarter',1,make_datetime(2017,1,1)),\nmonth = datetime_add('month',1,make_datetime(2017,1,1)),\nweek = datetime_add('week',1,make_datetime(2017,1,1)),\nday = datetime_add('day',1,make_datetime(2017,1,1)),\nhour = datetime_add('hour',1,make_datetime(2017,1,1)),\nminute = datetime_add('minute',1,make_datetime(2017,1,1)),\nsecond = datetime_add('second',1,make_datetime(2017,1,1))",
        ["year", "quarter", "month", "week", "day", "hour", "minute", "second"],
        [
            [
                "2018-01-01T00:00:00Z",
                "2017-04-01T00:00:00Z",
                "2017-02-01T00:00:00Z",
                "2017-01-08T00:00:00Z",
                "2017-01-02T00:00:00Z",
                "2017-01-01T01:00:00Z",
                "2017-01-01T00:01:00Z",
                "2017-01-01T00:00:01Z",
            ]
        ],
    ),
    (
        "datetime-part-function.md#1",
        'let dt = datetime(2017-10-30 01:02:03.7654321); \nprint \nyear = datetime_part("year", dt),\nquarter = datetime_part("quarter", dt),\nmonth = datetime_part("month", dt),\nweekOfYear = datetime_part("week_of_year", dt),\nday = datetime_part("day", dt),\ndayOfYear = datetime_part("dayOfYear", dt),\nhour = datetime_part("hour", dt),\nminute = datetime_part("minute", dt),\nsecond = datetime_part("second", dt),\nmillisecond = datetime_part("millisecond", dt),\nmicrosecond = datetime_part("microsecond", dt),\nnanosecond = datetime_part("nanosecond", dt)',
        [
            "year",
            "quarter",
            "month",
            "weekOfYear",
            "day",
            "dayOfYear",
            "hour",
            "minute",
            "second",
            "millisecond",
            "microsecond",
            "nanosecond",
        ],
        [[2017, 4, 10, 44, 30, 303, 1, 2, 3, 765, 765432, 765432000]],
    ),
    (
        "datetime-timespan-arithmetic.md#1",
        "let fromUnixTime = (t: long) { \n    datetime(1970-01-01) + t * 1sec \n};\nprint result = fromUnixTime(1546897531)",
        ["result"],
        [["2019-01-07T21:45:31Z"]],
    ),
    (
        "endofday-function.md#1",
        "  range offset from -1 to 1 step 1\n | project dayEnd = endofday(datetime(2017-01-01 10:10:17), offset) ",
        ["dayEnd"],
        [["2016-12-31T23:59:59.999999Z"], ["2017-01-01T23:59:59.999999Z"], ["2017-01-02T23:59:59.999999Z"]],
    ),
    (
        "endofmonth-function.md#1",
        "  range offset from -1 to 1 step 1\n | project monthEnd = endofmonth(datetime(2017-01-01 10:10:17), offset) ",
        ["monthEnd"],
        [["2016-12-31T23:59:59.999999Z"], ["2017-01-31T23:59:59.999999Z"], ["2017-02-28T23:59:59.999999Z"]],
    ),
    (
        "endofweek-function.md#1",
        "  range offset from -1 to 1 step 1\n | project weekEnd = endofweek(datetime(2017-01-01 10:10:17), offset)  ",
        ["weekEnd"],
        [["2016-12-31T23:59:59.999999Z"], ["2017-01-07T23:59:59.999999Z"], ["2017-01-14T23:59:59.999999Z"]],
    ),
    (
        "endofyear-function.md#1",
        "  range offset from -1 to 1 step 1\n | project yearEnd = endofyear(datetime(2017-01-01 10:10:17), offset) ",
        ["yearEnd"],
        [["2016-12-31T23:59:59.999999Z"], ["2017-12-31T23:59:59.999999Z"], ["2018-12-31T23:59:59.999999Z"]],
    ),
    ("exp-function.md#1", "print result = exp(2)", ["result"], [[7.38905609893065]]),
    (
        "extract-function.md#1",
        'let _data = datatable(Text: string)\n[\n"User: James, Email: James@example.com, Age: 29",\n"User: David, Age: 35"\n];\n_data |\nextend UserName = extract("User: ([^,]+)", 1, Text),\n       EmailId = extract(@"Email: (\\S+),", 1, Text),\n       Age = extract(@"\\d+", 0, Text)',
        ["Text", "UserName", "EmailId", "Age"],
        [
            ["User: James, Email: James@example.com, Age: 29", "James", "James@example.com", "29"],
            ["User: David, Age: 35", "David", "", "35"],
        ],
    ),
    (
        "extract-function.md#2",
        'let Dates = datatable(DateString: string)\n[\n    "15-12-2024",\n    "21-07-2023",\n    "10-03-2022"\n];\nDates\n| extend Month = extract(@"-(\\d{2})-", 1, DateString, typeof(int))\n| project DateString, Month',
        ["DateString", "Month"],
        [["15-12-2024", 12], ["21-07-2023", 7], ["10-03-2022", 3]],
    ),
    (
        "geo-h3cell-rings-function.md#3",
        "print rings = geo_h3cell_rings('861f8894fffffff', 1)\n| mv-apply rings on \n(\n  summarize cells = make_list(rings)\n)",
        ["cells"],
        [
            [
                [
                    "861f8894fffffff",
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
        "geo-line-to-s2cells-function.md#1",
        'let radius = 500;\nlet tube_stations = datatable(tube_station_name:string, lng:real, lat: real)\n[\n    "St. James\' Park",        -0.13451078568013486, 51.49919145858172,\n     "London Bridge station", -0.08492752160134387, 51.504876316440914,\n     // more points\n];\nlet streets = datatable(street_name:string, line:dynamic)\n[\n    "Buckingham Palace", dynamic({"type":"LineString","coordinates":[[-0.1399656708283601,51.50190802248855],[-0.14088438832752104,51.50012082761452]]}),\n    "London Bridge",    dynamic({"type":"LineString","coordinates":[[-0.087152,51.509596],[-0.088340,51.506110]]}),\n    // more lines\n];\nlet join_level = 14;\nlet lines = materialize(streets | extend id = new_guid());\nlet res = \n    lines\n    | project id, covering = geo_line_to_s2cells(line, join_level, radius)\n    | mv-expand covering to typeof(string)\n    | join kind=inner hint.strategy=broadcast\n    (\n        tube_stations\n        | extend covering = geo_point_to_s2cell(lng, lat, join_level)\n    ) on covering;\nres | lookup lines on id\n| where geo_distance_point_to_line(lng, lat, line) <= radius\n| summarize count = count() by name = street_name',
        ["name", "count"],
        [["Buckingham Palace", 1], ["London Bridge", 1]],
    ),
    (
        "geo-point-in-polygon-function.md#4",
        'let Polygons = datatable(description:string, polygon:dynamic)\n    [  \n      "New York city area", dynamic({"type":"Polygon","coordinates":[[[-73.85009765625,40.85744791303121],[-74.16046142578125,40.84290487729676],[-74.190673828125,40.59935608796518],[-73.83087158203125,40.61812224225511],[-73.85009765625,40.85744791303121]]]}),\n      "Seattle area",       dynamic({"type":"Polygon","coordinates":[[[-122.200927734375,47.68573021131587],[-122.4591064453125,47.68573021131587],[-122.4755859375,47.468949677672484],[-122.17620849609374,47.47266286861342],[-122.200927734375,47.68573021131587]]]}),\n      "Las Vegas",          dynamic({"type":"Polygon","coordinates":[[[-114.9,36.36],[-115.4498291015625,36.33282808737917],[-115.4498291015625,35.84453450421662],[-114.949951171875,35.902399875143615],[-114.9,36.36]]]}),\n    ];\nlet Locations = datatable(longitude:real, latitude:real)\n    [\n      real(-73.95),  real(40.75), // Somewhere in New York\n      real(-122.3),  real(47.6),  // Somewhere in Seattle\n      real(-115.18), real(36.16)  // Somewhere in Las Vegas\n    ];\nPolygons\n| project polygonPartition = tostring(pack("description", description, "polygon", polygon))\n| partition hint.materialized=true hint.strategy=native by polygonPartition\n{   \n     Locations\n     | extend description = parse_json(toscalar(polygonPartition)).description\n     | extend polygon = parse_json(toscalar(polygonPartition)).polygon\n     | where geo_point_in_polygon(longitude, latitude, polygon)\n     | project-away polygon\n}',
        ["longitude", "latitude", "description"],
        [
            [-73.95, 40.75, "New York city area"],
            [-122.3, 47.6, "Seattle area"],
            [-115.18, 36.16, "Las Vegas"],
        ],
    ),
    (
        "geo-point-in-polygon-function.md#5",
        'let Polygons = \n    datatable(polygon:dynamic)\n    [\n        dynamic({"type":"Polygon","coordinates":[[[-73.991460000000131,40.731738000000206],[-73.992854491775518,40.730082566051351],[-73.996772,40.725432000000154],[-73.997634685522883,40.725786309886963],[-74.002855946639244,40.728346630056791],[-74.001413,40.731065000000207],[-73.996796995070824,40.73736378205173],[-73.991724524037934,40.735245208931886],[-73.990703782359589,40.734781896080477],[-73.991460000000131,40.731738000000206]]]}),\n        dynamic({"type":"Polygon","coordinates":[[[-73.958357552055688,40.800369095633819],[-73.98143901556422,40.768762584141953],[-73.981548752788598,40.7685590292784],[-73.981565335901905,40.768307084720796],[-73.981754418060945,40.768399727738668],[-73.982038573548124,40.768387823012056],[-73.982268248204349,40.768298621883247],[-73.982384797518051,40.768097213086911],[-73.982320919746599,40.767894461792181],[-73.982155532845766,40.767756204474757],[-73.98238873834039,40.767411004834273],[-73.993650353659021,40.772145571634361],[-73.99415893763998,40.772493009137818],[-73.993831082030937,40.772931787850908],[-73.993891252437052,40.772955194876722],[-73.993962585514595,40.772944653908901],[-73.99401262480508,40.772882846631894],[-73.994122058082397,40.77292405902601],[-73.994136652588594,40.772901870174394],[-73.994301342391154,40.772970028663913],[-73.994281535134448,40.77299380206933],[-73.994376552751078,40.77303955110149],[-73.994294029824005,40.773156243992048],[-73.995023275860802,40.773481196576356],[-73.99508939189289,40.773388475039134],[-73.995013963716758,40.773358035426909],[-73.995050284699261,40.773297153189958],[-73.996240651898916,40.773789791397689],[-73.996195837470992,40.773852356184044],[-73.996098807369748,40.773951805299085],[-73.996179459973888,40.773986954351571],[-73.996095245226442,40.774086186437756],[-73.995572265161172,40.773870731394297],[-73.994017424135961,40.77321375261053],[-73.993935876811335,40.773179512586211],[-73.993861942928888,40.773269531698837],[-73.993822393527211,40.773381758622882],[-73.993767019318497,40.773483981224835],[-73.993698463744295,40.773562141052594],[-73.993358326468751,40.773926888327956],[-73.992622663865575,40.774974056037109],[-73.992577842766124,40.774956016359418],[-73.992527743951555,40.775002110439829],[-73.992469745815342,40.775024159551755],[-73.992403837191887,40.775018140390664],[-73.99226708903538,40.775116033858794],[-73.99217809026365,40.775279293897171],[-73.992059084937338,40.775497598192516],[-73.992125372394938,40.775509075053385],[-73.992226867797001,40.775482211026116],[-73.992329346608813,40.775468900958522],[-73.992361756801131,40.775501899766638],[-73.992386042960277,40.775557180424634],[-73.992087684712729,40.775983970821372],[-73.990927174149746,40.777566878763238],[-73.99039616003671,40.777585065679204],[-73.989461267506471,40.778875124584417],[-73.989175778438053,40.779287524015778],[-73.988868617400072,40.779692922911607],[-73.988871874499793,40.779713738253008],[-73.989219022880576,40.779697895209402],[-73.98927785904425,40.779723439271038],[-73.989409054180143,40.779737706471963],[-73.989498614927044,40.779725044389757],[-73.989596493388234,40.779698146683387],[-73.989679812902509,40.779677568658038],[-73.989752702937935,40.779671244211556],[-73.989842247806507,40.779680752670664],[-73.990040102120489,40.779707677698219],[-73.990137977524839,40.779699769704784],[-73.99033584033225,40.779661794394983],[-73.990430598697046,40.779664973055503],[-73.990622199396725,40.779676064914298],[-73.990745069505479,40.779671328184051],[-73.990872114282197,40.779646007643876],[-73.990961672224358,40.779639683751753],[-73.991057472829539,40.779652352625774],[-73.991157429497036,40.779669775606465],[-73.991242817404469,40.779671367084504],[-73.991255318289745,40.779650782516491],[-73.991294887120119,40.779630209208889],[-73.991321967649895,40.779631796041372],[-73.991359455569423,40.779585883337383],[-73.991551059227476,40.779574821437407],[-73.99141982585985,40.779755280287233],[-73.988886144117032,40.779878898532999],[-73.988939656706265,40.779956178440393],[-73.988926103530844,40.780059292013632],[-73.988911680264692,40.780096037146606],[-73.988919261468567,40.780226094343945],[-73.988381050202634,40.780981074045783],[-73.988232413846987,40.781233144215555],[-73.988210420831663,40.781225482542055],[-73.988140000000143,40.781409000000224],[-73.988041288067166,40.781585961353777],[-73.98810029382463,40.781602878305286],[-73.988076449145055,40.781650935001608],[-73.988018059972219,40.781634188810422],[-73.987960792842145,40.781770987031535],[-73.985465811970457,40.785360700575431],[-73.986172704965611,40.786068452258647],[-73.986455862401996,40.785919219081421],[-73.987072345615601,40.785189638820121],[-73.98711901394276,40.785210319004058],[-73.986497781023601,40.785951202887254],[-73.986164628806279,40.786121882448327],[-73.986128422486075,40.786239001331111],[-73.986071135219746,40.786240706026611],[-73.986027274789123,40.786228964236727],[-73.986097637849426,40.78605822569795],[-73.985429321269592,40.785413942184597],[-73.985081137732209,40.785921935110366],[-73.985198833254501,40.785966552197777],[-73.985170502389906,40.78601333415817],[-73.985216218673656,40.786030501816427],[-73.98525509797993,40.785976205511588],[-73.98524273937646,40.785972572653328],[-73.98524962933017,40.785963139855845],[-73.985281779186749,40.785978620950075],[-73.985240032884533,40.786035858136792],[-73.985683885242182,40.786222123919686],[-73.985717529004575,40.786175994668795],[-73.985765660297687,40.786196274858618],[-73.985682871922691,40.786309786213067],[-73.985636270930442,40.786290150649279],[-73.985670722564691,40.786242911993817],[-73.98520511880038,40.786047669212785],[-73.985211035607492,40.786039554883686],[-73.985162639946992,40.786020999769754],[-73.985131636312062,40.786060297019972],[-73.985016964065125,40.78601423719563],[-73.984655078830457,40.786534741807841],[-73.985743787901043,40.786570082854738],[-73.98589227228328,40.786426529019593],[-73.985942854994988,40.786452847880334],[-73.985949561556794,40.78648711396653],[-73.985812373526713,40.786616865357047],[-73.985135209703174,40.78658761889551],[-73.984619428584324,40.786586016349787],[-73.981952458164173,40.790393724337193],[-73.972823037363767,40.803428052816756],[-73.971036786332192,40.805918478839672],[-73.966701,40.804169000000186],[-73.959647,40.801156000000113],[-73.958508540159471,40.800682279767472],[-73.95853274080838,40.800491362464697],[-73.958357552055688,40.800369095633819]]]}),\n        dynamic({"type":"Polygon","coordinates":[[[-73.943592454622546,40.782747908206574],[-73.943648235390199,40.782656161333449],[-73.943870759887162,40.781273026571704],[-73.94345932494096,40.780048275653243],[-73.943213862652243,40.779317588660199],[-73.943004239504688,40.779639495474292],[-73.942716005450905,40.779544169476175],[-73.942712374762181,40.779214856940001],[-73.942535563208608,40.779090956062532],[-73.942893408188027,40.778614093246276],[-73.942438481745029,40.777315235766039],[-73.942244919522594,40.777104088947254],[-73.942074188038887,40.776917846977142],[-73.942002667222781,40.776185317382648],[-73.942620205199006,40.775180871576474],[-73.94285645694552,40.774796600349191],[-73.94293043781397,40.774676268036011],[-73.945870899588215,40.771692257932997],[-73.946618690150586,40.77093339256956],[-73.948664164778933,40.768857624399587],[-73.950069793030679,40.767025088383498],[-73.954418260786071,40.762184104951245],[-73.95650786241211,40.760285256574043],[-73.958787773424007,40.758213471309809],[-73.973015157270069,40.764278692864671],[-73.955760332998182,40.787906554459667],[-73.944023,40.782960000000301],[-73.943592454622546,40.782747908206574]]]}),\n    ];\nlet Coordinates = \n    datatable(longitude:real, latitude:real, description:string)\n    [\n        real(-73.9741), 40.7914, \'Upper West Side\',\n        real(-73.9950), 40.7340, \'Greenwich Village\',\n        real(-73.8743), 40.7773, \'LaGuardia Airport\',\n    ];\nlet multipolygon = toscalar(\n    Polygons\n    | project individual_polygon = pack_array(polygon.coordinates)\n    | summarize multipolygon_coordinates = make_list(individual_polygon)\n    | project multipolygon = bag_pack("type","MultiPolygon", "coordinates", multipolygon_coordinates));\nCoordinates\n| where geo_point_in_polygon(longitude, latitude, multipolygon)',
        ["longitude", "latitude", "description"],
        [[-73.9741, 40.7914, "Upper West Side"], [-73.995, 40.734, "Greenwich Village"]],
    ),
    (
        "geo-polygon-to-h3cells-function.md#1",
        'let polygon = dynamic({"type":"Polygon","coordinates":[[[-3.659,40.553],[-3.913,40.409],[-3.729,40.273],[-3.524,40.440],[-3.659,40.553]]]});\nprint h3_cells = geo_polygon_to_h3cells(polygon)',
        ["h3_cells"],
        [
            [
                [
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
            ]
        ],
    ),
    (
        "geo-polygon-to-s2cells-function.md#2",
        'let Polygons = \n    datatable(description:string, polygon:dynamic)\n    [\n        \'Greenwich Village\', dynamic({"type":"Polygon","coordinates":[[[-73.991460000000131,40.731738000000206],[-73.992854491775518,40.730082566051351],[-73.996772,40.725432000000154],[-73.997634685522883,40.725786309886963],[-74.002855946639244,40.728346630056791],[-74.001413,40.731065000000207],[-73.996796995070824,40.73736378205173],[-73.991724524037934,40.735245208931886],[-73.990703782359589,40.734781896080477],[-73.991460000000131,40.731738000000206]]]}),\n        \'Upper West Side\',   dynamic({"type":"Polygon","coordinates":[[[-73.958357552055688,40.800369095633819],[-73.98143901556422,40.768762584141953],[-73.981548752788598,40.7685590292784],[-73.981565335901905,40.768307084720796],[-73.981754418060945,40.768399727738668],[-73.982038573548124,40.768387823012056],[-73.982268248204349,40.768298621883247],[-73.982384797518051,40.768097213086911],[-73.982320919746599,40.767894461792181],[-73.982155532845766,40.767756204474757],[-73.98238873834039,40.767411004834273],[-73.993650353659021,40.772145571634361],[-73.99415893763998,40.772493009137818],[-73.993831082030937,40.772931787850908],[-73.993891252437052,40.772955194876722],[-73.993962585514595,40.772944653908901],[-73.99401262480508,40.772882846631894],[-73.994122058082397,40.77292405902601],[-73.994136652588594,40.772901870174394],[-73.994301342391154,40.772970028663913],[-73.994281535134448,40.77299380206933],[-73.994376552751078,40.77303955110149],[-73.994294029824005,40.773156243992048],[-73.995023275860802,40.773481196576356],[-73.99508939189289,40.773388475039134],[-73.995013963716758,40.773358035426909],[-73.995050284699261,40.773297153189958],[-73.996240651898916,40.773789791397689],[-73.996195837470992,40.773852356184044],[-73.996098807369748,40.773951805299085],[-73.996179459973888,40.773986954351571],[-73.996095245226442,40.774086186437756],[-73.995572265161172,40.773870731394297],[-73.994017424135961,40.77321375261053],[-73.993935876811335,40.773179512586211],[-73.993861942928888,40.773269531698837],[-73.993822393527211,40.773381758622882],[-73.993767019318497,40.773483981224835],[-73.993698463744295,40.773562141052594],[-73.993358326468751,40.773926888327956],[-73.992622663865575,40.774974056037109],[-73.992577842766124,40.774956016359418],[-73.992527743951555,40.775002110439829],[-73.992469745815342,40.775024159551755],[-73.992403837191887,40.775018140390664],[-73.99226708903538,40.775116033858794],[-73.99217809026365,40.775279293897171],[-73.992059084937338,40.775497598192516],[-73.992125372394938,40.775509075053385],[-73.992226867797001,40.775482211026116],[-73.992329346608813,40.775468900958522],[-73.992361756801131,40.775501899766638],[-73.992386042960277,40.775557180424634],[-73.992087684712729,40.775983970821372],[-73.990927174149746,40.777566878763238],[-73.99039616003671,40.777585065679204],[-73.989461267506471,40.778875124584417],[-73.989175778438053,40.779287524015778],[-73.988868617400072,40.779692922911607],[-73.988871874499793,40.779713738253008],[-73.989219022880576,40.779697895209402],[-73.98927785904425,40.779723439271038],[-73.989409054180143,40.779737706471963],[-73.989498614927044,40.779725044389757],[-73.989596493388234,40.779698146683387],[-73.989679812902509,40.779677568658038],[-73.989752702937935,40.779671244211556],[-73.989842247806507,40.779680752670664],[-73.990040102120489,40.779707677698219],[-73.990137977524839,40.779699769704784],[-73.99033584033225,40.779661794394983],[-73.990430598697046,40.779664973055503],[-73.990622199396725,40.779676064914298],[-73.990745069505479,40.779671328184051],[-73.990872114282197,40.779646007643876],[-73.990961672224358,40.779639683751753],[-73.991057472829539,40.779652352625774],[-73.991157429497036,40.779669775606465],[-73.991242817404469,40.779671367084504],[-73.991255318289745,40.779650782516491],[-73.991294887120119,40.779630209208889],[-73.991321967649895,40.779631796041372],[-73.991359455569423,40.779585883337383],[-73.991551059227476,40.779574821437407],[-73.99141982585985,40.779755280287233],[-73.988886144117032,40.779878898532999],[-73.988939656706265,40.779956178440393],[-73.988926103530844,40.780059292013632],[-73.988911680264692,40.780096037146606],[-73.988919261468567,40.780226094343945],[-73.988381050202634,40.780981074045783],[-73.988232413846987,40.781233144215555],[-73.988210420831663,40.781225482542055],[-73.988140000000143,40.781409000000224],[-73.988041288067166,40.781585961353777],[-73.98810029382463,40.781602878305286],[-73.988076449145055,40.781650935001608],[-73.988018059972219,40.781634188810422],[-73.987960792842145,40.781770987031535],[-73.985465811970457,40.785360700575431],[-73.986172704965611,40.786068452258647],[-73.986455862401996,40.785919219081421],[-73.987072345615601,40.785189638820121],[-73.98711901394276,40.785210319004058],[-73.986497781023601,40.785951202887254],[-73.986164628806279,40.786121882448327],[-73.986128422486075,40.786239001331111],[-73.986071135219746,40.786240706026611],[-73.986027274789123,40.786228964236727],[-73.986097637849426,40.78605822569795],[-73.985429321269592,40.785413942184597],[-73.985081137732209,40.785921935110366],[-73.985198833254501,40.785966552197777],[-73.985170502389906,40.78601333415817],[-73.985216218673656,40.786030501816427],[-73.98525509797993,40.785976205511588],[-73.98524273937646,40.785972572653328],[-73.98524962933017,40.785963139855845],[-73.985281779186749,40.785978620950075],[-73.985240032884533,40.786035858136792],[-73.985683885242182,40.786222123919686],[-73.985717529004575,40.786175994668795],[-73.985765660297687,40.786196274858618],[-73.985682871922691,40.786309786213067],[-73.985636270930442,40.786290150649279],[-73.985670722564691,40.786242911993817],[-73.98520511880038,40.786047669212785],[-73.985211035607492,40.786039554883686],[-73.985162639946992,40.786020999769754],[-73.985131636312062,40.786060297019972],[-73.985016964065125,40.78601423719563],[-73.984655078830457,40.786534741807841],[-73.985743787901043,40.786570082854738],[-73.98589227228328,40.786426529019593],[-73.985942854994988,40.786452847880334],[-73.985949561556794,40.78648711396653],[-73.985812373526713,40.786616865357047],[-73.985135209703174,40.78658761889551],[-73.984619428584324,40.786586016349787],[-73.981952458164173,40.790393724337193],[-73.972823037363767,40.803428052816756],[-73.971036786332192,40.805918478839672],[-73.966701,40.804169000000186],[-73.959647,40.801156000000113],[-73.958508540159471,40.800682279767472],[-73.95853274080838,40.800491362464697],[-73.958357552055688,40.800369095633819]]]}),\n        \'Upper East Side\',   dynamic({"type":"Polygon","coordinates":[[[-73.943592454622546,40.782747908206574],[-73.943648235390199,40.782656161333449],[-73.943870759887162,40.781273026571704],[-73.94345932494096,40.780048275653243],[-73.943213862652243,40.779317588660199],[-73.943004239504688,40.779639495474292],[-73.942716005450905,40.779544169476175],[-73.942712374762181,40.779214856940001],[-73.942535563208608,40.779090956062532],[-73.942893408188027,40.778614093246276],[-73.942438481745029,40.777315235766039],[-73.942244919522594,40.777104088947254],[-73.942074188038887,40.776917846977142],[-73.942002667222781,40.776185317382648],[-73.942620205199006,40.775180871576474],[-73.94285645694552,40.774796600349191],[-73.94293043781397,40.774676268036011],[-73.945870899588215,40.771692257932997],[-73.946618690150586,40.77093339256956],[-73.948664164778933,40.768857624399587],[-73.950069793030679,40.767025088383498],[-73.954418260786071,40.762184104951245],[-73.95650786241211,40.760285256574043],[-73.958787773424007,40.758213471309809],[-73.973015157270069,40.764278692864671],[-73.955760332998182,40.787906554459667],[-73.944023,40.782960000000301],[-73.943592454622546,40.782747908206574]]]}),\n    ];\nlet Coordinates = \n    datatable(longitude:real, latitude:real)\n    [\n        real(-73.9741), 40.7914, // Upper West Side\n        real(-73.9950), 40.7340, // Greenwich Village\n        real(-73.9584), 40.7688, // Upper East Side\n    ];\nlet Level = 16;\nPolygons\n| extend covering = geo_polygon_to_s2cells(polygon, Level) // cover every polygon with s2 cell token array\n| mv-expand covering to typeof(string)                     // expand cells array such that every row will have one cell mapped to its polygon\n| join kind=inner hint.strategy=broadcast                  // assume that Polygons count is small (In some specific case)\n(\n    Coordinates\n    | extend covering = geo_point_to_s2cell(longitude, latitude, Level) // cover point with cell\n) on covering // join on the cell, this filters out rows of point and polygons where the point definitely does not belong to the polygon\n| where geo_point_in_polygon(longitude, latitude, polygon) // final filtering for exact result\n| project longitude, latitude, description',
        ["longitude", "latitude", "description"],
        [
            [-73.995, 40.734, "Greenwich Village"],
            [-73.9741, 40.7914, "Upper West Side"],
            [-73.9584, 40.7688, "Upper East Side"],
        ],
    ),
    (
        "geospatial-joins.md#1",
        'let locations1 = datatable(name: string, longitude: real, latitude: real)\n[\n    "a", -0.12433080766874127, 51.51115841361647,\n    "b", -0.12432651341458723, 51.511160848670585,\n    "c", -0.12432466939637266, 51.51115959669167,\n    "d", 1,                    1,\n];\nlet locations2 = datatable(id: string, longitude: real, latitude: real)\n[\n    "1", -0.12432668105284961, 51.51115938802832\n];\nlet s2_join_level = 22; // More about join levels: https://learn.microsoft.com/en-us/kusto/query/geo-point-to-s2cell-function?view=azure-data-explorer\nlocations1\n| extend hash = geo_point_to_s2cell(longitude, latitude, s2_join_level)\n| join kind = inner (locations2 | extend hash = geo_point_to_s2cell(longitude, latitude, s2_join_level)) on hash\n| project name, id  ',
        ["name", "id"],
        [["a", "1"], ["b", "1"], ["c", "1"]],
    ),
    (
        "isfinite-function.md#1",
        "range x from -1 to 1 step 1\n| extend y = 0.0\n| extend div = 1.0*x/y\n| extend isfinite=isfinite(div)",
        ["x", "y", "div", "isfinite"],
        [[-1, 0.0, -math.inf, False], [0, 0.0, math.nan, False], [1, 0.0, math.inf, False]],
    ),
    (
        "isinf-function.md#1",
        "range x from -1 to 1 step 1\n| extend y = 0.0\n| extend div = 1.0*x/y\n| extend isinf=isinf(div)",
        ["x", "y", "div", "isinf"],
        [[-1, 0.0, -math.inf, True], [0, 0.0, math.nan, False], [1, 0.0, math.inf, True]],
    ),
    (
        "join-fullouter.md#1",
        "let X = datatable(Key:string, Value1:long)\n[\n    'a',1,\n    'b',2,\n    'b',3,\n    'c',4\n];\nlet Y = datatable(Key:string, Value2:long)\n[\n    'b',10,\n    'c',20,\n    'c',30,\n    'd',40\n];\nX | join kind=fullouter Y on Key",
        ["Key", "Value1", "Key1", "Value2"],
        [
            ["a", 1, "", None],
            ["b", 2, "b", 10],
            ["b", 3, "b", 10],
            ["c", 4, "c", 20],
            ["c", 4, "c", 30],
            ["", None, "d", 40],
        ],
    ),
    (
        "join-inner.md#1",
        "let X = datatable(Key:string, Value1:long)\n[\n    'a',1,\n    'b',2,\n    'b',3,\n    'k',5,\n    'c',4\n];\nlet Y = datatable(Key:string, Value2:long)\n[\n    'b',10,\n    'c',20,\n    'c',30,\n    'd',40,\n    'k',50\n];\nX | join kind=inner Y on Key",
        ["Key", "Value1", "Key1", "Value2"],
        [["b", 2, "b", 10], ["b", 3, "b", 10], ["k", 5, "k", 50], ["c", 4, "c", 20], ["c", 4, "c", 30]],
    ),
    (
        "make-bag-aggregation-function.md#2",
        'let T = datatable(prop:string, value:string)\n[\n    "prop01", "val_a",\n    "prop02", "val_b",\n    "prop03", "val_c",\n];\nT\n| extend p = bag_pack(prop, value)\n| summarize bag=make_bag(p)\n| evaluate bag_unpack(bag)',
        ["prop01", "prop02", "prop03"],
        [["val_a", "val_b", "val_c"]],
    ),
    (
        "make-bag-if-aggregation-function.md#2",
        'let T = datatable(prop:string, value:string, predicate:bool)\n[\n    "prop01", "val_a", true,\n    "prop02", "val_b", false,\n    "prop03", "val_c", true\n];\nT\n| extend p = bag_pack(prop, value)\n| summarize bag=make_bag_if(p, predicate)\n| evaluate bag_unpack(bag)',
        ["prop01", "prop03"],
        [["val_a", "val_c"]],
    ),
    (
        "make-datetime-function.md#1",
        "print year_month_day = make_datetime(2017,10,01)",
        ["year_month_day"],
        [["2017-10-01T00:00:00Z"]],
    ),
    (
        "make-datetime-function.md#2",
        "print year_month_day_hour_minute = make_datetime(2017,10,01,12,10)",
        ["year_month_day_hour_minute"],
        [["2017-10-01T12:10:00Z"]],
    ),
    (
        "make-datetime-function.md#3",
        "print year_month_day_hour_minute_second = make_datetime(2017,10,01,12,11,0.1234567)",
        ["year_month_day_hour_minute_second"],
        [["2017-10-01T12:11:00.123456Z"]],
    ),
    (
        "make-graph-operator.md#3",
        '// Nodes table representing users across multiple tenants (organizations)\nlet nodes = datatable(userId:string, tenantId:string, name:string, department:string, role:string, location:dynamic) \n[\n    // Tenant: CompanyA - San Francisco Bay Area\n    "u001", "CompanyA", "Alice Johnson", "Engineering", "Senior Developer", dynamic({"type": "Point", "coordinates": [-122.4194, 37.7749]}),\n    "u002", "CompanyA", "Bob Smith", "Engineering", "Team Lead", dynamic({"type": "Point", "coordinates": [-122.4094, 37.7849]}),\n    "u003", "CompanyA", "Charlie Black", "Marketing", "Manager", dynamic({"type": "Point", "coordinates": [-122.4294, 37.7649]}),\n    "u004", "CompanyA", "Diana Finch", "HR", "Director", dynamic({"type": "Point", "coordinates": [-122.3994, 37.7949]}),\n    "u005", "CompanyA", "Eve Wilson", "Engineering", "Junior Developer", dynamic({"type": "Point", "coordinates": [-122.4394, 37.7549]}),\n    // Tenant: CompanyB - New York Area  \n    "u006", "CompanyB", "Frank Miller", "Sales", "Account Manager", dynamic({"type": "Point", "coordinates": [-74.0060, 40.7128]}),\n    "u007", "CompanyB", "Grace Lee", "Engineering", "Senior Developer", dynamic({"type": "Point", "coordinates": [-74.0160, 40.7228]}),\n    "u008", "CompanyB", "Henry Davis", "Marketing", "Specialist", dynamic({"type": "Point", "coordinates": [-73.9960, 40.7028]}),\n    "u009", "CompanyB", "Ivy Chen", "Engineering", "Team Lead", dynamic({"type": "Point", "coordinates": [-74.0260, 40.7328]}),\n    "u010", "CompanyB", "Jack Thompson", "Operations", "Manager", dynamic({"type": "Point", "coordinates": [-73.9860, 40.6928]}),\n    // Tenant: CompanyC - Austin Area\n    "u011", "CompanyC", "Kate Anderson", "Finance", "Analyst", dynamic({"type": "Point", "coordinates": [-97.7431, 30.2672]}),\n    "u012", "CompanyC", "Liam Murphy", "Engineering", "Architect", dynamic({"type": "Point", "coordinates": [-97.7331, 30.2772]}),\n    "u013", "CompanyC", "Maya Patel", "Product", "Manager", dynamic({"type": "Point", "coordinates": [-97.7531, 30.2572]}),\n    "u014", "CompanyC", "Noah Garcia", "Engineering", "Developer", dynamic({"type": "Point", "coordinates": [-97.7631, 30.2472]}),\n    "u015", "CompanyC", "Olivia Rodriguez", "Marketing", "Director", dynamic({"type": "Point", "coordinates": [-97.7231, 30.2872]})\n];\n// Edges table representing relationships/interactions between users\nlet edges = datatable(sourceUserId:string, targetUserId:string, tenantId:string, relationshipType:string, strength:int)\n[\n    // CompanyA relationships\n    "u001", "u002", "CompanyA", "reportsTo", 9,\n    "u005", "u002", "CompanyA", "reportsTo", 8,\n    "u002", "u003", "CompanyA", "collaborates", 6,\n    "u001", "u005", "CompanyA", "mentors", 7,\n    "u003", "u004", "CompanyA", "collaborates", 5,\n    "u001", "u003", "CompanyA", "communicates", 4,\n    // CompanyB relationships\n    "u007", "u009", "CompanyB", "reportsTo", 9,\n    "u006", "u010", "CompanyB", "reportsTo", 8,\n    "u008", "u006", "CompanyB", "collaborates", 6,\n    "u009", "u010", "CompanyB", "communicates", 5,\n    "u007", "u008", "CompanyB", "mentors", 7,\n    "u006", "u007", "CompanyB", "collaborates", 6,\n    // CompanyC relationships  \n    "u014", "u012", "CompanyC", "reportsTo", 9,\n    "u012", "u013", "CompanyC", "collaborates", 7,\n    "u011", "u013", "CompanyC", "collaborates", 6,\n    "u013", "u015", "CompanyC", "reportsTo", 8,\n    "u012", "u015", "CompanyC", "communicates", 5,\n    "u011", "u014", "CompanyC", "mentors", 6\n];\nedges\n| make-graph sourceUserId --> targetUserId with nodes on userId partitioned-by tenantId (\n    graph-match cycles=none (n1)-[e*2..4]->(n2)\n        where n1.userId != n2.userId and all(e, relationshipType == "collaborates") and\n            geo_distance_2points(todouble(n1.location.coordinates[0]), todouble(n1.location.coordinates[1]),\n                             todouble(n2.location.coordinates[0]), todouble(n2.location.coordinates[1])) < 10000\n        project Start = strcat(n1.name, " (", n1.tenantId, ")"), Tenants = map(e, tenantId), End = strcat(n2.name, " (", n2.tenantId, ")")\n)',
        ["Start", "Tenants", "End"],
        [
            ["Bob Smith (CompanyA)", ["CompanyA", "CompanyA"], "Diana Finch (CompanyA)"],
            ["Henry Davis (CompanyB)", ["CompanyB", "CompanyB"], "Grace Lee (CompanyB)"],
        ],
    ),
    (
        "make-timespan-function.md#1",
        "print ['timespan'] = make_timespan(1,12,30,55.123)",
        ["timespan"],
        [[131455.123]],
    ),
    (
        "pack-function.md#2",
        'datatable (\n    Source: int,\n    Destination: int,\n    Message: string\n) [\n    1234, 100, "Hi", \n    4567, 200, "Hello",\n    1212, 300, "Hey" \n]\n| extend MyBag=bag_pack("Dest", Destination, "Text", Message)\n| project-away Source, Destination, Message\n| extend MyBag_Dest=MyBag.Dest, MyBag_Text=MyBag.Text',
        ["MyBag", "MyBag_Dest", "MyBag_Text"],
        [
            [{"Dest": 100, "Text": "Hi"}, 100, "Hi"],
            [{"Dest": 200, "Text": "Hello"}, 200, "Hello"],
            [{"Dest": 300, "Text": "Hey"}, 300, "Hey"],
        ],
    ),
    (
        "pack-function.md#3",
        'let SmsMessages = datatable (\n    SourceNumber: string,\n    TargetNumber: string,\n    CharsCount: string\n) [\n    "555-555-1234", "555-555-1212", "46", \n    "555-555-1234", "555-555-1213", "50",\n    "555-555-1212", "555-555-1234", "32" \n];\nlet MmsMessages = datatable (\n    SourceNumber: string,\n    TargetNumber: string,\n    FileSize: string,\n    FileName: string\n) [\n    "555-555-1212", "555-555-1213", "200", "Pic1",\n    "555-555-1234", "555-555-1212", "250", "Pic2",\n    "555-555-1234", "555-555-1213", "300", "Pic3"\n];\nSmsMessages \n| join kind=inner MmsMessages on SourceNumber\n| extend Packed=bag_pack("CharsCount", CharsCount, "FileSize", FileSize, "FileName", FileName) \n| where SourceNumber == "555-555-1234"\n| project SourceNumber, TargetNumber, Packed',
        ["SourceNumber", "TargetNumber", "Packed"],
        [
            ["555-555-1234", "555-555-1212", {"CharsCount": "46", "FileSize": "250", "FileName": "Pic2"}],
            ["555-555-1234", "555-555-1212", {"CharsCount": "46", "FileSize": "300", "FileName": "Pic3"}],
            ["555-555-1234", "555-555-1213", {"CharsCount": "50", "FileSize": "250", "FileName": "Pic2"}],
            ["555-555-1234", "555-555-1213", {"CharsCount": "50", "FileSize": "300", "FileName": "Pic3"}],
        ],
    ),
    (
        "parse-csv-function.md#2",
        'print result=parse_csv(\'aa,"b,b,b",cc,"Escaping quotes: ""Title""","line1\\nline2"\')',
        ["result"],
        [[["aa", "b,b,b", "cc", 'Escaping quotes: "Title"', "line1\nline2"]]],
    ),
    (
        "parse-csv-function.md#3",
        "print result_multi_record=parse_csv('record1,a,b,c\\nrecord2,x,y,z')",
        ["result_multi_record"],
        [[["record1", "a", "b", "c"]]],
    ),
    (
        "parse-json-function.md#1",
        'datatable(context_custom_metrics:string)\n[\n    \'{"duration":{"value":118.0,"count":5.0,"min":100.0,"max":150.0,"stdDev":0.0,"sampledValue":118.0,"sum":118.0}}\'\n]\n| extend d = parse_json(context_custom_metrics)\n| extend duration_value = d.duration.value, duration_min = d.duration.min',
        ["context_custom_metrics", "d", "duration_value", "duration_min"],
        [
            [
                '{"duration":{"value":118.0,"count":5.0,"min":100.0,"max":150.0,"stdDev":0.0,"sampledValue":118.0,"sum":118.0}}',
                {
                    "duration": {
                        "value": 118.0,
                        "count": 5.0,
                        "min": 100.0,
                        "max": 150.0,
                        "stdDev": 0.0,
                        "sampledValue": 118.0,
                        "sum": 118.0,
                    }
                },
                118.0,
                100.0,
            ]
        ],
    ),
    (
        "scalar-data-types/null-values.md#2",
        "datatable(val:int)[5, int(null)]\n| extend IsBiggerThan3 = val > 3\n| extend IsBiggerThan3OrNull = val > 3 or isnull(val)\n| extend IsEqualToNull = val == int(null)\n| extend IsNotEqualToNull = val != int(null)",
        ["val", "IsBiggerThan3", "IsBiggerThan3OrNull", "IsEqualToNull", "IsNotEqualToNull"],
        [[5, True, True, False, True], [None, None, True, None, None]],
    ),
    (
        "scalar-data-types/null-values.md#3",
        'datatable(ival:int, sval:string)[5, "a", int(null), "b"]\n| where ival != 5',
        ["ival", "sval"],
        [[None, "b"]],
    ),
    (
        "scalar-data-types/null-values.md#4",
        "datatable(val:int)[5, int(null)]\n| extend Add = val + 10\n| extend Multiply = val * 10",
        ["val", "Add", "Multiply"],
        [[5, 15, 50], [None, None, None]],
    ),
    (
        "series-divide-function.md#1",
        "range x from 1 to 3 step 1\n| extend y = x * 2\n| extend z = y * 2\n| project s1 = pack_array(x,y,z), s2 = pack_array(z, y, x)\n| extend s1_divide_s2 = series_divide(s1, s2)",
        ["s1", "s2", "s1_divide_s2"],
        [
            [[1, 2, 4], [4, 2, 1], [0.25, 1.0, 4.0]],
            [[2, 4, 8], [8, 4, 2], [0.25, 1.0, 4.0]],
            [[3, 6, 12], [12, 6, 3], [0.25, 1.0, 4.0]],
        ],
    ),
    (
        "series-multiply-function.md#1",
        "range x from 1 to 3 step 1\n| extend y = x * 2\n| extend z = y * 2\n| project s1 = pack_array(x,y,z), s2 = pack_array(z, y, x)\n| extend s1_multiply_s2 = series_multiply(s1, s2)",
        ["s1", "s2", "s1_multiply_s2"],
        [
            [[1, 2, 4], [4, 2, 1], [4, 4, 4]],
            [[2, 4, 8], [8, 4, 2], [16, 16, 16]],
            [[3, 6, 12], [12, 6, 3], [36, 36, 36]],
        ],
    ),
    (
        "series-stats-dynamic-function.md#1",
        "print x=dynamic([23, 46, 23, 87, 4, 8, 3, 75, 2, 56, 13, 75, 32, 16, 29]) \n| project stats=series_stats_dynamic(x)",
        ["stats"],
        [
            [
                {
                    "min": 2.0,
                    "min_idx": 8,
                    "max": 87.0,
                    "max_idx": 3,
                    "avg": 32.8,
                    "stdev": 28.503633853548266,
                    "variance": 812.4571428571428,
                    "sum": 492.0,
                    "len": 15,
                }
            ]
        ],
    ),
    (
        "series-subtract-function.md#1",
        "range x from 1 to 3 step 1\n| extend y = x * 2\n| extend z = y * 2\n| project s1 = pack_array(x,y,z), s2 = pack_array(z, y, x)\n| extend s1_subtract_s2 = series_subtract(s1, s2)",
        ["s1", "s2", "s1_subtract_s2"],
        [
            [[1, 2, 4], [4, 2, 1], [-3, 0, 3]],
            [[2, 4, 8], [8, 4, 2], [-6, 0, 6]],
            [[3, 6, 12], [12, 6, 3], [-9, 0, 9]],
        ],
    ),
    (
        "startofday-function.md#1",
        "range offset from -1 to 1 step 1\n| project dayStart = startofday(datetime(2017-01-01 10:10:17), offset) ",
        ["dayStart"],
        [["2016-12-31T00:00:00Z"], ["2017-01-01T00:00:00Z"], ["2017-01-02T00:00:00Z"]],
    ),
    (
        "startofmonth-function.md#1",
        "range offset from -1 to 1 step 1\n| project monthStart = startofmonth(datetime(2017-01-01 10:10:17), offset) ",
        ["monthStart"],
        [["2016-12-01T00:00:00Z"], ["2017-01-01T00:00:00Z"], ["2017-02-01T00:00:00Z"]],
    ),
    (
        "startofweek-function.md#1",
        "range offset from -1 to 1 step 1\n| project weekStart = startofweek(datetime(2017-01-01 10:10:17), offset) ",
        ["weekStart"],
        [["2016-12-25T00:00:00Z"], ["2017-01-01T00:00:00Z"], ["2017-01-08T00:00:00Z"]],
    ),
    (
        "startofyear-function.md#1",
        "range offset from -1 to 1 step 1\n| project yearStart = startofyear(datetime(2017-01-01 10:10:17), offset) ",
        ["yearStart"],
        [["2016-01-01T00:00:00Z"], ["2017-01-01T00:00:00Z"], ["2018-01-01T00:00:00Z"]],
    ),
    (
        "summarize-operator.md#7",
        "datatable(x:long)[]\n| summarize  make_set(x), make_list(x)",
        ["set_x", "list_x"],
        [[[], []]],
    ),
    (
        "summarize-operator.md#10",
        "range x from 1 to 2 step 1\n| extend y = iff(x == 1, real(null), real(5))\n| summarize make_set(y), make_set(y)",
        ["set_y", "set_y1"],
        [[[5.0], [5.0]]],
    ),
    (
        "trim-function.md#3",
        'let string_to_trim = @"    Hello, world!    ";\nlet substring = @"\\s+";\nprint\n    string_to_trim = string_to_trim,\n    trimmed_string = trim(substring, string_to_trim)',
        ["string_to_trim", "trimmed_string"],
        [["    Hello, world!    ", "Hello, world!"]],
    ),
    (
        "unixtime-microseconds-todatetime-function.md#1",
        "print date_time = unixtime_microseconds_todatetime(1546300800000000)",
        ["date_time"],
        [["2019-01-01T00:00:00Z"]],
    ),
    (
        "unixtime-milliseconds-todatetime-function.md#1",
        "print date_time = unixtime_milliseconds_todatetime(1546300800000)",
        ["date_time"],
        [["2019-01-01T00:00:00Z"]],
    ),
    (
        "unixtime-nanoseconds-todatetime-function.md#1",
        "print date_time = unixtime_nanoseconds_todatetime(1546300800000000000)",
        ["date_time"],
        [["2019-01-01T00:00:00Z"]],
    ),
    (
        "unixtime-seconds-todatetime-function.md#1",
        "print date_time = unixtime_seconds_todatetime(1546300800)",
        ["date_time"],
        [["2019-01-01T00:00:00Z"]],
    ),
]
