"""Documented examples of the scalar functions left over by the other areas (issue 14), as data.

Same form as ``_docs_examples.DOC_EXAMPLES``: (page#block, query, output column names, output rows),
the query of the page's n-th ``kusto`` code block and the output table printed under it, from the
Kusto documentation (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<page>): the beta
distribution, punycode domains, ``regex_quote``, ``dynamic_to_json``, ``row_window_session``,
``bin_auto`` (with its ``set`` statements), ``assert`` in a function called with a named argument,
``estimate_data_size``, ``current_principal_is_member_of`` (a run without a caller is a member of
nothing), a ``let`` inside a function's body, the trims, ``max_of`` of datetimes and the string
literal forms. Reals are the pages' printed values (compared to 12 significant digits); NaN is
``math.nan``.
"""

from __future__ import annotations

import math
from typing import Any

DOC_EXAMPLES_FUNCTIONS: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "assert-function.md#2",
        "let checkLength = (len:long, s:string)\n{\n    assert(len > 0, \"Length must be greater than zero\") and strlen(s) > len\n};\ndatatable(input:string)\n[\n    '123',\n    '4567'\n]\n| where checkLength(len=3, input)",
        ["input"],
        [["4567"]],
    ),
    (
        "beta-cdf-function.md#1",
        'datatable(x:double, alpha:double, beta:double, comment:string)\n[\n    0.9, 10.0, 20.0, "Valid input",\n    1.5, 10.0, 20.0, "x > 1, yields NaN",\n    double(-10), 10.0, 20.0, "x < 0, yields NaN",\n    0.1, double(-1.0), 20.0, "alpha is < 0, yields NaN"\n]\n| extend b = beta_cdf(x, alpha, beta)',
        ["x", "alpha", "beta", "comment", "b"],
        [
            [0.9, 10.0, 20.0, "Valid input", 0.999999999999959],
            [1.5, 10.0, 20.0, "x > 1, yields NaN", math.nan],
            [-10.0, 10.0, 20.0, "x < 0, yields NaN", math.nan],
            [0.1, -1.0, 20.0, "alpha is < 0, yields NaN", math.nan],
        ],
    ),
    (
        "beta-inv-function.md#1",
        'datatable(p:double, alpha:double, beta:double, comment:string)\n[\n    0.1, 10.0, 20.0, "Valid input",\n    1.5, 10.0, 20.0, "p > 1, yields null",\n    0.1, double(-1.0), 20.0, "alpha is < 0, yields NaN"\n]\n| extend b = beta_inv(p, alpha, beta)',
        ["p", "alpha", "beta", "comment", "b"],
        [
            [0.1, 10.0, 20.0, "Valid input", 0.226415022388749],
            [1.5, 10.0, 20.0, "p > 1, yields null", None],
            [0.1, -1.0, 20.0, "alpha is < 0, yields NaN", math.nan],
        ],
    ),
    (
        "beta-pdf-function.md#1",
        'datatable(x:double, alpha:double, beta:double, comment:string)\n[\n    0.5, 10.0, 20.0, "Valid input",\n    1.5, 10.0, 20.0, "x > 1, yields NaN",\n    double(-10), 10.0, 20.0, "x < 0, yields NaN",\n    0.1, double(-1.0), 20.0, "alpha is < 0, yields NaN"\n]\n| extend r = beta_pdf(x, alpha, beta)',
        ["x", "alpha", "beta", "comment", "r"],
        [
            [0.5, 10.0, 20.0, "Valid input", 0.746176019310951],
            [1.5, 10.0, 20.0, "x > 1, yields NaN", math.nan],
            [-10.0, 10.0, 20.0, "x < 0, yields NaN", math.nan],
            [0.1, -1.0, 20.0, "alpha is < 0, yields NaN", math.nan],
        ],
    ),
    (
        "bin-auto-function.md#1",
        "set query_bin_auto_size=1h;\nset query_bin_auto_at=datetime(2017-01-01 00:05);\nrange Timestamp from datetime(2017-01-01 00:05) to datetime(2017-01-01 02:00) step 1m\n| summarize count() by bin_auto(Timestamp)",
        ["Timestamp", "count_"],
        [["2017-01-01T00:05:00Z", 60], ["2017-01-01T01:05:00Z", 56]],
    ),
    (
        "current-principal-is-member-of-function.md#1",
        "print result=current_principal_is_member_of(\n    'aaduser=user1@fabrikam.com', \n    'aadgroup=group1@fabrikam.com',\n    'aadapp=66ad1332-3a94-4a69-9fa2-17732f093664;72f988bf-86f1-41af-91ab-2d7cd011db47'\n    )",
        ["result"],
        [[False]],
    ),
    (
        "current-principal-is-member-of-function.md#2",
        "print result=current_principal_is_member_of(\n    dynamic([\n    'aaduser=user1@fabrikam.com', \n    'aadgroup=group1@fabrikam.com',\n    'aadapp=66ad1332-3a94-4a69-9fa2-17732f093664;72f988bf-86f1-41af-91ab-2d7cd011db47'\n    ]))",
        ["result"],
        [[False]],
    ),
    (
        "dynamic-to-json-function.md#1",
        "let bag1 = dynamic_to_json(\n  dynamic({\n    'Y10':dynamic({}),\n    'X8': dynamic({\n      'c3':1,\n      'd8':5,\n      'a4':6\n    }),\n    'D1':114,\n    'A1':12,\n    'B1':2,\n    'C1':3,\n    'A14':[15, 13, 18]\n}));\nlet bag2 = dynamic_to_json(\n  dynamic({\n    'X8': dynamic({\n      'a4':6,\n      'c3':1,\n      'd8':5\n    }),\n    'A14':[15, 13, 18],\n    'C1':3,\n    'B1':2,\n    'Y10': dynamic({}),\n    'A1':12, 'D1':114\n  }));\nprint AreEqual=bag1 == bag2, Result=bag1",
        ["AreEqual", "Result"],
        [[True, '{"A1":12,"A14":[15,13,18],"B1":2,"C1":3,"D1":114,"X8":{"a4":6,"c3":1,"d8":5},"Y10":{}}']],
    ),
    (
        "estimate-data-size-function.md#1",
        "range x from 1 to 10 step 1                    // x (long) is 8 \n| extend Text = '1234567890'                   // Text length is 10  \n| summarize Total=sum(estimate_data_size(*))   // (8+10)x10 = 180",
        ["Total"],
        [[180]],
    ),
    (
        "max-of-function.md#3",
        "datatable (A: datetime, B: datetime)\n[\n    datetime(2024-12-15 07:15:22), datetime(2024-12-15 07:15:24),\n    datetime(2024-12-15 08:00:00), datetime(2024-12-15 09:30:00),\n    datetime(2024-12-15 10:45:00), datetime(2024-12-14 10:45:00)\n]\n| project maxDate = max_of(A, B)",
        ["maxDate"],
        [["2024-12-15T07:15:24Z"], ["2024-12-15T09:30:00Z"], ["2024-12-15T10:45:00Z"]],
    ),
    (
        "parse-url-query-function.md#2",
        "let getQueryParamValue = (querystring: string, param: string) {\n    let params = parse_urlquery(querystring);\n    tostring(params[\"Query Parameters\"].[param])\n};\nprint UrlQuery = 'view=vs-2019&preserve-view=true'\n| extend view = getQueryParamValue(UrlQuery, 'view')\n| extend preserve = getQueryParamValue(UrlQuery, 'preserve-view')",
        ["UrlQuery", "view", "preserve"],
        [["view=vs-2019&preserve-view=true", "vs-2019", "true"]],
    ),
    (
        "punycode-domain-from-string-function.md#1",
        'datatable(encoded:string)\n[\n    "xn--Ge-mia.Bulg.edu", \n    "xn--Lin-8na.Celtchair.org", \n    "xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com", \n] \n| extend domain=punycode_domain_from_string(encoded)',
        ["encoded", "domain"],
        [
            ["xn--Ge-mia.Bulg.edu", "Gáe.Bulg.edu"],
            ["xn--Lin-8na.Celtchair.org", "Lúin.Celtchair.org"],
            ["xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com", "Rúyì.Jīngū.Bàng.com"],
        ],
    ),
    (
        "punycode-domain-to-string-function.md#1",
        "datatable(domain:string )['Lê Lợi。Thuận Thiên。com', 'Riðill｡Skáldskaparmál｡org', \"Kaledvoulc'h.Artorījos.edu\"]\n| extend str=punycode_domain_to_string(domain)",
        ["domain", "str"],
        [
            ["Lê Lợi。Thuận Thiên。com", "xn--L Li-gpa4517b.xn--Thun Thin-s4a7194f.com"],
            ["Riðill｡Skáldskaparmál｡org", "xn--Riill-jta.xn--Skldskaparml-dbbj.org"],
            ["Kaledvoulc'h.Artorījos.edu", "Kaledvoulc'h.xn--Artorjos-ejb.edu"],
        ],
    ),
    (
        "regex-quote-function.md#1",
        "print result = regex_quote('(so$me.Te^xt)')",
        ["result"],
        [["\\(so\\$me\\.Te\\^xt\\)"]],
    ),
    (
        "row-window-session-function.md#1",
        'datatable (ID:string, Timestamp:datetime) [\n    "1", datetime(2024-04-11 10:00:00),\n    "2", datetime(2024-04-11 10:18:00),\n    "1", datetime(2024-04-11 11:00:00),\n    "3", datetime(2024-04-11 11:30:00),\n    "2", datetime(2024-04-11 13:30:00),\n    "2", datetime(2024-04-11 10:16:00)\n]\n| sort by ID asc, Timestamp asc\n| extend SessionStarted = row_window_session(Timestamp, 1h, 5m, ID != prev(ID))',
        ["ID", "Timestamp", "SessionStarted"],
        [
            ["1", "2024-04-11T10:00:00Z", "2024-04-11T10:00:00Z"],
            ["1", "2024-04-11T11:00:00Z", "2024-04-11T11:00:00Z"],
            ["2", "2024-04-11T10:16:00Z", "2024-04-11T10:16:00Z"],
            ["2", "2024-04-11T10:18:00Z", "2024-04-11T10:16:00Z"],
            ["2", "2024-04-11T13:30:00Z", "2024-04-11T13:30:00Z"],
            ["3", "2024-04-11T11:30:00Z", "2024-04-11T11:30:00Z"],
        ],
    ),
    (
        "scalar-data-types/string.md#1",
        "print\n    s1 = 'string with \"double quotes\"',\n    s2 = \"string with 'single quotes'\"",
        ["s1", "s2"],
        [['string with "double quotes"', "string with 'single quotes'"]],
    ),
    (
        "scalar-data-types/string.md#2",
        "print pattern = '\\\\n.*(>|\\'|=|\\\")[a-zA-Z0-9/+]{86}=='",
        ["pattern"],
        [["\\n.*(>|'|=|\")[a-zA-Z0-9/+]{86}=="]],
    ),
    (
        "scalar-data-types/string.md#4",
        "print myPath = @'C:\\Folder\\filename.txt'",
        ["myPath"],
        [["C:\\Folder\\filename.txt"]],
    ),
    (
        "scalar-data-types/string.md#6",
        'print \n    none = strlen("Hello"\', \'@"world!"),\n    whitespace = strlen("Hello" \', \' @"world!"),\n    whitespaceAndComment = strlen("Hello" \n        // Comment\n        \', \'@"world!"\n    );',
        ["none", "whitespace", "whitespaceAndComment"],
        [[13, 13, 13]],
    ),
    (
        "scalar-data-types/string.md#7",
        "print blob=\"https://contoso.blob.core.windows.net/container/blob.txt?\"\n    h'sv=2012-02-12&se=2013-04-13T0...'",
        ["blob"],
        [["https://contoso.blob.core.windows.net/container/blob.txt?sv=2012-02-12&se=2013-04-13T0..."]],
    ),
    (
        "trim-end-function.md#3",
        'let string_to_trim = @"    Hello, world!    ";\nlet substring = @"\\s+";\nprint\n    string_to_trim = string_to_trim,\n    trimmed_end = trim_end(substring, string_to_trim)',
        ["string_to_trim", "trimmed_end"],
        [["    Hello, world!    ", "    Hello, world!"]],
    ),
    (
        "trim-start-function.md#1",
        'let string_to_trim = @"https://bing.com";\nlet substring = "https://";\nprint string_to_trim = string_to_trim,trimmed_string = trim_start(substring,string_to_trim)',
        ["string_to_trim", "trimmed_string"],
        [["https://bing.com", "bing.com"]],
    ),
    (
        "trim-start-function.md#3",
        'let string_to_trim = @"    Hello, world!    ";\nlet substring = @"\\s+";\nprint\n    string_to_trim = string_to_trim,\n    trimmed_start = trim_start(substring, string_to_trim)',
        ["string_to_trim", "trimmed_start"],
        [["    Hello, world!    ", "Hello, world!    "]],
    ),
]
