"""Every item of "Supported KQL features in Azure Monitor transformations", as a case.

Source: MicrosoftDocs/azure-monitor-docs, articles/azure-monitor/data-collection/
data-collection-transformations-kql.md (ms.date 01/20/2026; earlier at
articles/azure-monitor/essentials/data-collection-transformations-kql.md). Groups are the page's
headings. Expected values and types are Kusto's (the linked function pages); the cases are ours.

``SCALARS``: (group, item, expression, value, type); the expression is run as
``source | extend r = <expression> | project r`` over ``ROW`` (columns ``COLUMNS``).
``TABULAR``: (group, item, transformKql, input columns, input rows, output rows).
``REFUSED``: (group, item, transformKql, text of the refusal). The page says "Only the operators listed
in this article are supported in transformations"; the operators below are query-only ones it
leaves out (summarize is its own example), plus the spellings it replaces and the limits it states.
"""

from __future__ import annotations

from typing import Any

COLUMNS = {"s": "string", "n": "long", "d": "real", "t": "datetime", "b": "bool", "j": "dynamic"}
ROW: dict[str, Any] = {
    "s": "Hello World",
    "n": 5,
    "d": 2.5,
    "t": "2024-05-01T12:34:56Z",  # a Wednesday
    "b": True,
    "j": {"a": 1, "b": [1, 2]},
}
GUID = "6f4c4b6e-1b2c-4d5e-8f90-123456789abc"
EOD = ".999999Z"  # endof*: Kusto's .9999999, with the engine's microseconds (docs/differences.md)

# The page's function names, each group in its order ("Scalar functions" and "Special functions").
DOCUMENTED_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "bitwise functions": (
        "binary_and",
        "binary_or",
        "binary_not",
        "binary_shift_left",
        "binary_shift_right",
        "binary_xor",
    ),
    "conversion functions": (
        "tobool",
        "todatetime",
        "todouble",
        "toreal",
        "toguid",
        "toint",
        "tolong",
        "tostring",
        "totimespan",
    ),
    "datetime functions": (
        "ago",
        "datetime_add",
        "datetime_diff",
        "datetime_part",
        "dayofmonth",
        "dayofweek",
        "dayofyear",
        "endofday",
        "endofmonth",
        "endofweek",
        "endofyear",
        "getmonth",
        "getyear",
        "hourofday",
        "make_datetime",
        "make_timespan",
        "now",
        "startofday",
        "startofmonth",
        "startofweek",
        "startofyear",
        "todatetime",
        "totimespan",
        "weekofyear",
    ),
    "dynamic and array functions": (
        "array_concat",
        "array_length",
        "pack_array",
        "pack",
        "parse_json",
        "parse_xml",
        "zip",
    ),
    "mathematical functions": (
        "abs",
        "bin",
        "floor",
        "ceiling",
        "exp",
        "exp10",
        "exp2",
        "isfinite",
        "isinf",
        "isnan",
        "log",
        "log10",
        "log2",
        "pow",
        "round",
        "sign",
    ),
    "conditional functions": ("case", "iif", "max_of", "min_of"),
    "string functions": (
        "base64_encodestring",
        "base64_decodestring",
        "countof",
        "extract",
        "extract_all",
        "indexof",
        "isempty",
        "isnotempty",
        "parse_json",
        "split",
        "strcat",
        "strcat_delim",
        "strlen",
        "substring",
        "tolower",
        "toupper",
        "hash_sha256",
    ),
    "type functions": ("gettype", "isnotnull", "isnull"),
    "special functions": ("parse_cef_dictionary", "geo_location"),
}

_BITWISE = [
    ("binary_and", "binary_and(12, 10)", 8, "long"),
    ("binary_or", "binary_or(12, 10)", 14, "long"),
    ("binary_not", "binary_not(5)", -6, "long"),
    ("binary_shift_left", "binary_shift_left(1, 4)", 16, "long"),
    ("binary_shift_right", "binary_shift_right(16, 2)", 4, "long"),
    ("binary_xor", "binary_xor(12, 10)", 6, "long"),
]

SCALARS: list[tuple[str, str, str, Any, str]] = [
    # -- Supported scalar operators: numerical
    *[
        ("numerical operators", op, expr, value, typ)
        for op, expr, value, typ in [
            ("+", "n + 2", 7, "long"),
            ("-", "n - 7", -2, "long"),
            ("*", "n * d", 12.5, "real"),
            ("/", "n / 2", 2, "long"),
            ("/ (real)", "n / 2.0", 2.5, "real"),
            ("%", "n % 3", 2, "long"),
            ("<", "n < 6", True, "bool"),
            ("<=", "n <= 5", True, "bool"),
            (">", "n > 6", False, "bool"),
            (">=", "d >= 2.5", True, "bool"),
            ("==", "n == 5", True, "bool"),
            ("!=", "n != 5", False, "bool"),
            ("unary -", "-n", -5, "long"),
        ]
    ],
    # -- Supported scalar operators: datetime and timespan arithmetic
    *[
        ("datetime and timespan arithmetic", op, expr, value, typ)
        for op, expr, value, typ in [
            ("datetime - datetime", "t - datetime(2024-05-01)", 45296.0, "timespan"),
            ("datetime + timespan", "t + 1d", "2024-05-02T12:34:56Z", "datetime"),
            ("datetime - timespan", "t - 30m", "2024-05-01T12:04:56Z", "datetime"),
            ("timespan + timespan", "1h + 30m", 5400.0, "timespan"),
            ("timespan * number", "1h * 2", 7200.0, "timespan"),
            ("timespan / number", "1h / 2", 1800.0, "timespan"),
            ("timespan / timespan", "1h / 30m", 2.0, "real"),
            ("datetime comparison", "t > datetime(2024-01-01)", True, "bool"),
        ]
    ],
    # -- Supported scalar operators: string operators
    *[
        ("string operators", op, f"s {op} {rhs}", value, "bool")
        for op, rhs, value in [
            ("==", "'Hello World'", True),
            ("!=", "'hello world'", True),
            ("=~", "'hello world'", True),
            ("!~", "'hello world'", False),
            ("contains", "'lo wo'", True),
            ("!contains", "'LO WO'", False),
            ("contains_cs", "'LO WO'", False),
            ("!contains_cs", "'LO WO'", True),
            ("has", "'world'", True),
            ("!has", "'wor'", True),
            ("has_cs", "'world'", False),
            ("!has_cs", "'World'", False),
            ("startswith", "'hello'", True),
            ("!startswith", "'world'", True),
            ("startswith_cs", "'hello'", False),
            ("!startswith_cs", "'Hello'", False),
            ("endswith", "'WORLD'", True),
            ("!endswith", "'world'", False),
            ("endswith_cs", "'WORLD'", False),
            ("!endswith_cs", "'World'", False),
            ("matches regex", "@'^H\\w+ W'", True),
            ("in", "('a', 'Hello World')", True),
            ("!in", "('a', 'Hello World')", False),
        ]
    ],
    # -- Supported scalar operators: bitwise operators (the same six functions)
    *[("bitwise operators", item, expr, value, typ) for item, expr, value, typ in _BITWISE],
    # -- Scalar functions
    *[("bitwise functions", item, expr, value, typ) for item, expr, value, typ in _BITWISE],
    ("conversion functions", "tobool", "tobool('true')", True, "bool"),
    (
        "conversion functions",
        "todatetime",
        "todatetime('2024-05-01T10:00:00Z')",
        "2024-05-01T10:00:00Z",
        "datetime",
    ),
    ("conversion functions", "todouble", "todouble('1.5')", 1.5, "real"),
    ("conversion functions", "toreal", "toreal(n)", 5.0, "real"),
    ("conversion functions", "toguid", f"toguid('{GUID}')", GUID, "guid"),
    ("conversion functions", "toint", "toint('42')", 42, "int"),
    ("conversion functions", "tolong", "tolong('42')", 42, "long"),
    ("conversion functions", "tostring", "tostring(n)", "5", "string"),
    ("conversion functions", "totimespan", "totimespan('01:00:00')", 3600.0, "timespan"),
    ("datetime functions", "ago", "ago(1h)", "2024-05-01T11:00:00Z", "datetime"),
    ("datetime functions", "datetime_add", "datetime_add('day', 1, t)", "2024-05-02T12:34:56Z", "datetime"),
    ("datetime functions", "datetime_diff", "datetime_diff('hour', t, datetime(2024-05-01))", 12, "long"),
    ("datetime functions", "datetime_part", "datetime_part('month', t)", 5, "int"),
    ("datetime functions", "dayofmonth", "dayofmonth(t)", 1, "int"),
    ("datetime functions", "dayofweek", "dayofweek(t)", 3 * 86400.0, "timespan"),
    ("datetime functions", "dayofyear", "dayofyear(t)", 122, "int"),
    ("datetime functions", "endofday", "endofday(t)", "2024-05-01T23:59:59" + EOD, "datetime"),
    ("datetime functions", "endofmonth", "endofmonth(t)", "2024-05-31T23:59:59" + EOD, "datetime"),
    ("datetime functions", "endofweek", "endofweek(t)", "2024-05-04T23:59:59" + EOD, "datetime"),
    ("datetime functions", "endofyear", "endofyear(t)", "2024-12-31T23:59:59" + EOD, "datetime"),
    ("datetime functions", "getmonth", "getmonth(t)", 5, "int"),
    ("datetime functions", "getyear", "getyear(t)", 2024, "int"),
    ("datetime functions", "hourofday", "hourofday(t)", 12, "int"),
    ("datetime functions", "make_datetime", "make_datetime(2024, 5, 1)", "2024-05-01T00:00:00Z", "datetime"),
    ("datetime functions", "make_timespan", "make_timespan(1, 30)", 5400.0, "timespan"),
    ("datetime functions", "now", "now()", "2024-05-01T12:00:00Z", "datetime"),
    ("datetime functions", "startofday", "startofday(t)", "2024-05-01T00:00:00Z", "datetime"),
    ("datetime functions", "startofmonth", "startofmonth(t)", "2024-05-01T00:00:00Z", "datetime"),
    ("datetime functions", "startofweek", "startofweek(t)", "2024-04-28T00:00:00Z", "datetime"),
    ("datetime functions", "startofyear", "startofyear(t)", "2024-01-01T00:00:00Z", "datetime"),
    ("datetime functions", "todatetime", "todatetime('2024-05-01')", "2024-05-01T00:00:00Z", "datetime"),
    ("datetime functions", "totimespan", "totimespan('1.00:00:00')", 86400.0, "timespan"),
    ("datetime functions", "weekofyear", "weekofyear(t)", 18, "int"),
    (
        "dynamic and array functions",
        "array_concat",
        "array_concat(parse_json('[1]'), parse_json('[2]'))",
        [1, 2],
        "dynamic",
    ),
    ("dynamic and array functions", "array_length", "array_length(j.b)", 2, "long"),
    ("dynamic and array functions", "pack_array", "pack_array(n, 'a')", [5, "a"], "dynamic"),
    ("dynamic and array functions", "pack", "pack('k', n)", {"k": 5}, "dynamic"),
    ("dynamic and array functions", "parse_json", "parse_json('{\"a\": 1}')", {"a": 1}, "dynamic"),
    ("dynamic and array functions", "parse_xml", "parse_xml('<a>1</a>')", {"a": "1"}, "dynamic"),
    (
        "dynamic and array functions",
        "zip",
        "zip(parse_json('[1,2]'), parse_json('[\"a\",\"b\"]'))",
        [[1, "a"], [2, "b"]],
        "dynamic",
    ),
    ("mathematical functions", "abs", "abs(-3)", 3, "long"),
    ("mathematical functions", "bin", "bin(n, 2)", 4, "long"),
    ("mathematical functions", "floor", "floor(d, 1.0)", 2.0, "real"),
    ("mathematical functions", "ceiling", "ceiling(d)", 3.0, "real"),
    ("mathematical functions", "exp", "exp(0)", 1.0, "real"),
    ("mathematical functions", "exp10", "exp10(2)", 100.0, "real"),
    ("mathematical functions", "exp2", "exp2(3)", 8.0, "real"),
    ("mathematical functions", "isfinite", "isfinite(d)", True, "bool"),
    ("mathematical functions", "isinf", "isinf(real(+inf))", True, "bool"),
    ("mathematical functions", "isnan", "isnan(real(nan))", True, "bool"),
    ("mathematical functions", "log", "log(1)", 0.0, "real"),
    ("mathematical functions", "log10", "log10(100)", 2.0, "real"),
    ("mathematical functions", "log2", "log2(8)", 3.0, "real"),
    ("mathematical functions", "pow", "pow(2, 3)", 8.0, "real"),
    ("mathematical functions", "round", "round(2.567, 2)", 2.57, "real"),
    ("mathematical functions", "sign", "sign(-d)", -1.0, "real"),
    ("conditional functions", "case", "case(n > 3, 'big', 'small')", "big", "string"),
    ("conditional functions", "iif", "iif(b, 1, 2)", 1, "long"),
    ("conditional functions", "max_of", "max_of(1, n, 3)", 5, "long"),
    ("conditional functions", "min_of", "min_of(1, n, 3)", 1, "long"),
    ("string functions", "base64_encodestring", "base64_encodestring('abc')", "YWJj", "string"),
    ("string functions", "base64_decodestring", "base64_decodestring('YWJj')", "abc", "string"),
    ("string functions", "countof", "countof('aaa', 'a')", 3, "long"),
    ("string functions", "extract", "extract(@'(\\w+) (\\w+)', 2, s)", "World", "string"),
    ("string functions", "extract_all", "extract_all(@'(\\d)', 'a1b2')", ["1", "2"], "dynamic"),
    ("string functions", "indexof", "indexof(s, 'o')", 4, "long"),
    ("string functions", "isempty", "isempty('')", True, "bool"),
    ("string functions", "isnotempty", "isnotempty(s)", True, "bool"),
    ("string functions", "parse_json", "parse_json('[1, \"a\"]')", [1, "a"], "dynamic"),
    ("string functions", "split", "split(s, ' ')", ["Hello", "World"], "dynamic"),
    ("string functions", "strcat", "strcat(s, '!', n)", "Hello World!5", "string"),
    ("string functions", "strcat_delim", "strcat_delim('-', 'a', n)", "a-5", "string"),
    ("string functions", "strlen", "strlen(s)", 11, "long"),
    ("string functions", "substring", "substring(s, 6, 3)", "Wor", "string"),
    ("string functions", "tolower", "tolower(s)", "hello world", "string"),
    ("string functions", "toupper", "toupper(s)", "HELLO WORLD", "string"),
    (
        "string functions",
        "hash_sha256",
        "hash_sha256('abc')",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "string",
    ),
    ("type functions", "gettype", "gettype(n)", "long", "string"),
    ("type functions", "isnotnull", "isnotnull(n)", True, "bool"),
    ("type functions", "isnull", "isnull(tolong('x'))", True, "bool"),
    # -- Special functions (transformations only)
    (
        "special functions",
        "parse_cef_dictionary",
        "parse_cef_dictionary('CEF:0|Vendor|Product|1.0|100|Name|5|src=10.0.0.1 dst=10.0.0.2')['Extension']",
        {"src": "10.0.0.1", "dst": "10.0.0.2"},
        "dynamic",
    ),
]

TABULAR: list[tuple[str, str, str, dict[str, str], list[dict[str, Any]], list[dict[str, Any]]]] = [
    (
        "supported statements",
        "let (scalar)",
        "let k = 2; source | extend r = n * k",
        {"n": "long"},
        [{"n": 3}],
        [{"n": 3, "r": 6}],
    ),
    (
        "supported statements",
        "let (tabular)",
        "let T = source | where n > 1; T | project n",
        {"n": "long"},
        [{"n": 1}, {"n": 2}],
        [{"n": 2}],
    ),
    (
        "supported statements",
        "let (user-defined function, scalar arguments)",
        "let f = (x: long, y: string) { strcat(y, x * 2) }; source | project r = f(n, 'v')",
        {"n": "long"},
        [{"n": 3}],
        [{"r": "v6"}],
    ),
    (
        "tabular expression statements",
        "source",
        'source\n| where ActivityId == "383112e4-a7a8-4b94-a701-4266dfc18e41"\n| project PreciseTimeStamp, Message',
        {"ActivityId": "string", "PreciseTimeStamp": "datetime", "Message": "string"},
        [
            {
                "ActivityId": "383112e4-a7a8-4b94-a701-4266dfc18e41",
                "PreciseTimeStamp": "2024-05-01T00:00:00Z",
                "Message": "a",
            },
            {"ActivityId": "other", "PreciseTimeStamp": "2024-05-01T00:00:00Z", "Message": "b"},
        ],
        [{"PreciseTimeStamp": "2024-05-01T00:00:00Z", "Message": "a"}],
    ),
    (
        "tabular expression statements",
        "print",
        "print x = 2 + 2, y = 5 | extend z = exp2(x) + exp2(y)",
        {"n": "long"},
        [{"n": 1}],
        [{"x": 4, "y": 5, "z": 48.0}],
    ),
    (
        "supported tabular operators",
        "extend",
        "source | extend r = n + 1",
        {"n": "long"},
        [{"n": 1}],
        [{"n": 1, "r": 2}],
    ),
    (
        "supported tabular operators",
        "project",
        "source | project n, r = tostring(n)",
        {"n": "long", "s": "string"},
        [{"n": 1, "s": "x"}],
        [{"n": 1, "r": "1"}],
    ),
    (
        "supported tabular operators",
        "print",
        "print r = strlen('abc')",
        {"n": "long"},
        [{"n": 1}],
        [{"r": 3}],
    ),
    (
        "supported tabular operators",
        "where",
        "source | where n > 1 and s != 'x'",
        {"n": "long", "s": "string"},
        [{"n": 1, "s": "a"}, {"n": 2, "s": "x"}, {"n": 3, "s": "b"}],
        [{"n": 3, "s": "b"}],
    ),
    (
        "supported tabular operators",
        "parse",
        "source | parse s with 'user=' user:string ' id=' id:long | project user, id",
        {"s": "string"},
        [{"s": "user=ann id=42"}],
        [{"user": "ann", "id": 42}],
    ),
    (
        "supported tabular operators",
        "parse (10 columns, the limit)",
        "source | parse s with a0 ',' a1 ',' a2 ',' a3 ',' a4 ',' a5 ',' a6 ',' a7 ',' a8 ',' a9 | project a0, a9",
        {"s": "string"},
        [{"s": "0,1,2,3,4,5,6,7,8,9"}],
        [{"a0": "0", "a9": "9"}],
    ),
    (
        "supported tabular operators",
        "project-away",
        "source | project-away s",
        {"n": "long", "s": "string"},
        [{"n": 1, "s": "x"}],
        [{"n": 1}],
    ),
    (
        "supported tabular operators",
        "project-rename",
        "source | project-rename m = n",
        {"n": "long", "s": "string"},
        [{"n": 1, "s": "x"}],
        [{"m": 1, "s": "x"}],
    ),
    (
        "supported tabular operators",
        "datatable",
        "datatable(a: long, b: string) [1, 'x', 2, 'y'] | where a > 1",
        {"n": "long"},
        [{"n": 1}],
        [{"a": 2, "b": "y"}],
    ),
    (
        "supported tabular operators",
        "columnifexists",
        "source | project r = columnifexists('n', 0), q = columnifexists('missing', 'none')",
        {"n": "long"},
        [{"n": 7}],
        [{"r": 7, "q": "none"}],
    ),
    (
        "handling dynamic data",
        "parse_json over a dynamic column",
        "source\n| extend parsedAdditionalContext = parse_json(AdditionalContext)\n"
        "| extend Level = toint (parsedAdditionalContext.Level)\n"
        "| extend DeviceId = tostring(parsedAdditionalContext.DeviceID)\n| project Level, DeviceId",
        {"TimeGenerated": "datetime", "Message": "string", "AdditionalContext": "dynamic"},
        [
            {
                "TimeGenerated": "2021-11-07T09:13:06.570354Z",
                "Message": "Houston, we have a problem",
                "AdditionalContext": {"Level": 2, "DeviceID": "apollo13"},
            }
        ],
        [{"Level": 2, "DeviceId": "apollo13"}],
    ),
    (
        "dynamic literals",
        "parse_json instead of dynamic()",
        'print d=parse_json(\'{"a":123, "b":"hello", "c":[1,2,3], "d":{}}\')',
        {"n": "long"},
        [{"n": 1}],
        [{"d": {"a": 123, "b": "hello", "c": [1, 2, 3], "d": {}}}],
    ),
    (
        "special functions",
        "parse_cef_dictionary (the page's example)",
        'source\n| extend cefMessage=iff(cefMessage contains_cs ";", replace(";", " ", cefMessage), cefMessage)\n'
        "| extend parsedCefDictionaryMessage =parse_cef_dictionary(cefMessage)\n"
        '| extend parsecefDictionaryExtension = parsedCefDictionaryMessage["Extension"]\n'
        "| project cefMessage, parsecefDictionaryExtension",
        {"cefMessage": "string"},
        [{"cefMessage": "CEF:0|V|P|1|7|N|3|act=allow;msg=hi"}],
        [
            {
                "cefMessage": "CEF:0|V|P|1|7|N|3|act=allow msg=hi",
                "parsecefDictionaryExtension": {"act": "allow", "msg": "hi"},
            }
        ],
    ),
    (
        "identifier quoting",
        "['...'] and [\"...\"]",
        'source | project [\'my col\'] = ["time"], ["where"] = n',
        {"time": "string", "n": "long"},
        [{"time": "x", "n": 1}],
        [{"my col": "x", "where": 1}],
    ),
]

_NOT_SUPPORTED = "is not supported in DCR transformations"

REFUSED: list[tuple[str, str, str, str]] = [
    # Query-only tabular operators ("Only the operators listed in this article are supported").
    *[
        ("operators not listed", op, f"source | {text}", f"'{op}' {_NOT_SUPPORTED}")
        for op, text in [
            ("summarize", "summarize count() by n"),
            ("take", "take 1"),
            ("sort", "sort by n"),
            ("top", "top 1 by n"),
            ("count", "count"),
            ("distinct", "distinct n"),
            ("union", "union source"),
            ("join", "join (source) on n"),
            ("lookup", "lookup (source) on n"),
            ("mv-expand", "mv-expand j"),
            ("mv-apply", "mv-apply j on (where j > 1)"),
            ("make-series", "make-series c = count() on t step 1h"),
            ("evaluate", "evaluate bag_unpack(j)"),
            ("parse-kv", "parse-kv s as (a: string) with (pair_delimiter=',', kv_delimiter='=')"),
            ("parse-where", "parse-where s with a ' ' b"),
            ("project-keep", "project-keep n"),
            ("project-reorder", "project-reorder n"),
            ("serialize", "serialize"),
            ("sample", "sample 1"),
            ("top-nested", "top-nested 1 of n by count()"),
            ("render", "render table"),
            ("getschema", "getschema"),
            ("as", "as T"),
            ("search", "search 'x'"),
            ("invoke", "invoke f()"),
            ("partition", "partition by n (take 1)"),
        ]
    ],
    ("operators not listed", "range", "range x from 1 to 3 step 1", f"'range' {_NOT_SUPPORTED}"),
    ("operators not listed", "union (as a source)", "union source, source", f"'union' {_NOT_SUPPORTED}"),
    (
        "operators not listed",
        "externaldata",
        "externaldata (a: string) ['https://example.invalid/x.csv'] | extend b = a",
        f"'externaldata' {_NOT_SUPPORTED}",
    ),
    ("operators not listed", "search (as a source)", "search 'x'", f"'search' {_NOT_SUPPORTED}"),
    (
        "operators not listed",
        "a table as the source",
        "SecurityEvent | where n > 1",
        "cannot be the data source",
    ),
    (
        "operators not listed",
        "materialize()",
        "let T = materialize(source); T",
        f"'materialize()' {_NOT_SUPPORTED}",
    ),
    (
        "operators not listed",
        "toscalar()",
        "source | extend r = toscalar(print 1)",
        f"'toscalar()' {_NOT_SUPPORTED}",
    ),
    (
        "operators not listed",
        "aggregation functions",
        "source | extend r = count()",
        f"'count()' {_NOT_SUPPORTED}",
    ),
    (
        "functions not listed",
        "coalesce",
        "source | extend r = coalesce(s, 'x')",
        f"'coalesce' {_NOT_SUPPORTED}",
    ),
    ("functions not listed", "hash_md5", "source | extend r = hash_md5(s)", f"'hash_md5' {_NOT_SUPPORTED}"),
    # "(use columnifexists instead of column_ifexists)", "(use base64_encodestring instead of ...)"
    (
        "replaced spellings",
        "column_ifexists",
        "source | extend r = column_ifexists('n', 0)",
        f"'column_ifexists' {_NOT_SUPPORTED}",
    ),
    (
        "replaced spellings",
        "base64_encode_tostring",
        "source | extend r = base64_encode_tostring(s)",
        f"'base64_encode_tostring' {_NOT_SUPPORTED}",
    ),
    (
        "replaced spellings",
        "base64_decode_tostring",
        "source | extend r = base64_decode_tostring(s)",
        f"'base64_decode_tostring' {_NOT_SUPPORTED}",
    ),
    # "The parse command in a transformation is limited to 10 columns per statement"
    (
        "special considerations",
        "parse with more than 10 columns",
        "source | parse s with a0 ',' a1 ',' a2 ',' a3 ',' a4 ',' a5 ',' a6 ',' a7 ',' a8 ',' a9 ',' a10",
        "may capture at most 10 columns",
    ),
    # "Only user-defined functions with scalar arguments are supported."
    (
        "supported statements",
        "let (user-defined function, tabular argument)",
        "let f = (T: (n: long)) { T | where n > 1 }; f(source)",
        "scalar arguments",
    ),
]
