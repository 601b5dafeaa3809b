"""Documented examples of the tabular operator and statement pages (issue 14), as data.

Same form as ``_docs_examples.DOC_EXAMPLES``: (page#block, query, output column names, output rows),
the query of the page's n-th ``kusto`` code block and the output table printed under it, from the
Kusto documentation (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<page>): scan,
project-by-names, joins, let views, parse kind=relaxed and user-defined functions. Rows are in the
order the engine gives them (a page's order where Kusto's is unspecified may differ: parse #8).
Left out, with their reasons in bench/kql_docs_conformance.py's PAGE_ISSUES: scan #5 (the header's
column order is not the query's), reduce (no documented algorithm), random samples and guids.
Timespans are seconds, datetimes ISO text (tests/unit/kql/_helpers.plain).
"""

from __future__ import annotations

from typing import Any

DOC_EXAMPLES_TABULAR: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "functions/user-defined-functions.md#4",
        "let MyFilter = (T:(x:long), v:long) {\n  T | where x >= v\n};\nMyFilter((range x from 1 to 10 step 1), 9)",
        ["x"],
        [[9], [10]],
    ),
    (
        "functions/user-defined-functions.md#5",
        "let MyDistinct = (T:(*)) {\n  T | distinct *\n};\nMyDistinct((range x from 1 to 3 step 1))",
        ["x"],
        [[1], [2], [3]],
    ),
    (
        "functions/user-defined-functions.md#14",
        'let f = (a:long, b:string = "b.default", c:long = 0) {\n  strcat(a, "-", b, "-", c)\n};\nunion\n  (print x=f(c=7, a=12)), // "12-b.default-7"\n  (print x=f(12, c=7))    // "12-b.default-7"',
        ["x"],
        [["12-b.default-7"], ["12-b.default-7"]],
    ),
    (
        "join-innerunique.md#1",
        "let X = datatable(Key:string, Value1:long)\n[\n    'a',1,\n    'b',2,\n    'b',3,\n    'c',4\n];\nlet Y = datatable(Key:string, Value2:long)\n[\n    'b',10,\n    'c',20,\n    'c',30,\n    'd',40\n];\nX | join Y on Key",
        ["Key", "Value1", "Key1", "Value2"],
        [["b", 2, "b", 10], ["c", 4, "c", 20], ["c", 4, "c", 30]],
    ),
    (
        "join-innerunique.md#4",
        'let t1 = datatable(key: long, value: string)  \n    [\n    1, "val1.1",  \n    1, "val1.2"  \n];\nlet t2 = datatable(key: long, value: string)  \n    [  \n    1, "val1.3", \n    1, "val1.4"  \n];\nt1\n| join kind = innerunique\n    t2\n    on key\n| where value == "val1.2"',
        ["key", "value", "key1", "value1"],
        [[1, "val1.2", 1, "val1.3"], [1, "val1.2", 1, "val1.4"]],
    ),
    (
        "join-time-window.md#1",
        "let T = datatable(SessionId:string, EventType:string, Timestamp:datetime)\n[\n    '0', 'A', datetime(2017-10-01 00:00:00),\n    '0', 'B', datetime(2017-10-01 00:01:00),\n    '1', 'B', datetime(2017-10-01 00:02:00),\n    '1', 'A', datetime(2017-10-01 00:03:00),\n    '3', 'A', datetime(2017-10-01 00:04:00),\n    '3', 'B', datetime(2017-10-01 00:10:00),\n];\nT\n| where EventType == 'A'\n| project SessionId, Start=Timestamp\n| join kind=inner\n    (\n    T \n    | where EventType == 'B'\n    | project SessionId, End=Timestamp\n    ) on SessionId\n| where (End - Start) between (0min .. 1min)\n| project SessionId, Start, End ",
        ["SessionId", "Start", "End"],
        [["0", "2017-10-01T00:00:00Z", "2017-10-01T00:01:00Z"]],
    ),
    (
        "join-time-window.md#2",
        "let T = datatable(SessionId:string, EventType:string, Timestamp:datetime)\n[\n    '0', 'A', datetime(2017-10-01 00:00:00),\n    '0', 'B', datetime(2017-10-01 00:01:00),\n    '1', 'B', datetime(2017-10-01 00:02:00),\n    '1', 'A', datetime(2017-10-01 00:03:00),\n    '3', 'A', datetime(2017-10-01 00:04:00),\n    '3', 'B', datetime(2017-10-01 00:10:00),\n];\nlet lookupWindow = 1min;\nlet lookupBin = lookupWindow / 2.0;\nT \n| where EventType == 'A'\n| project SessionId, Start=Timestamp, TimeKey = bin(Timestamp, lookupBin)\n| join kind=inner\n    (\n    T \n    | where EventType == 'B'\n    | project SessionId, End=Timestamp,\n              TimeKey = range(bin(Timestamp-lookupWindow, lookupBin),\n                              bin(Timestamp, lookupBin),\n                              lookupBin)\n    | mv-expand TimeKey to typeof(datetime)\n    ) on SessionId, TimeKey \n| where (End - Start) between (0min .. lookupWindow)\n| project SessionId, Start, End ",
        ["SessionId", "Start", "End"],
        [["0", "2017-10-01T00:00:00Z", "2017-10-01T00:01:00Z"]],
    ),
    (
        "let-statement.md#6",
        "let Range10 = view () { range MyColumn from 1 to 10 step 1 };\nlet Range20 = view () { range MyColumn from 1 to 20 step 1 };\nsearch MyColumn == 5",
        ["$table", "MyColumn"],
        [["Range10", 5], ["Range20", 5]],
    ),
    (
        "parse-operator.md#3",
        'let Leads=datatable(Contacts: string)\n    [\n    "Event: LeadContact (email=john@contosohotel.com, Website=https:contosohotel.com)",\n\t"Event: LeadContact (email=abi@fourthcoffee.com, Website=https:www.fourthcoffee.com)",\n\t"Event: LeadContact (email=nevena@treyresearch.com, Website=https:treyresearch.com)",\n\t"Event: LeadContact (email=faruk@tailspintoys.com, Website=https:tailspintoys.com)",\n\t"Event: LeadContact (email=ebere@relecloud.com, Website=https:relecloud.com)",\n];\nLeads\n| parse Contacts with * "email=" alias:string "@" domain: string ", Website=https:" WebsiteDomain: string ")"\n| project EmailAddress=strcat(alias, "@", domain), EmailAlias=alias, WebsiteDomain',
        ["EmailAddress", "EmailAlias", "WebsiteDomain"],
        [
            ["john@contosohotel.com", "john", "contosohotel.com"],
            ["abi@fourthcoffee.com", "abi", "www.fourthcoffee.com"],
            ["nevena@treyresearch.com", "nevena", "treyresearch.com"],
            ["faruk@tailspintoys.com", "faruk", "tailspintoys.com"],
            ["ebere@relecloud.com", "ebere", "relecloud.com"],
        ],
    ),
    (
        "parse-operator.md#8",
        'let Traces=datatable(EventText: string)\n    [\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=nonValidDateTime 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=nonValidDateTime, previousLockTime=02/17/2016 08:39:00)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=nonValidLongValue, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=nonValidDateTime 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=22, lockTime=02/17/2016 08:41:01, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=nonValidLongValue, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:00)"\n];\nTraces\n| parse kind=relaxed EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices: long ", sliceNumber=" sliceNumber: long * "lockTime=" lockTime ", releaseTime=" releaseTime: date "," * "previousLockTime=" previousLockTime: date ")" *\n| project-away EventText',
        ["resourceName", "totalSlices", "sliceNumber", "lockTime", "releaseTime", "previousLockTime"],
        [
            ["PipelineScheduler", 27, 23, "02/17/2016 08:40:01", None, "2016-02-17T08:39:01Z"],
            ["PipelineScheduler", 27, 15, "02/17/2016 08:40:00", None, "2016-02-17T08:39:00Z"],
            ["PipelineScheduler", None, 20, "02/17/2016 08:40:01", None, "2016-02-17T08:39:01Z"],
            [
                "PipelineScheduler",
                27,
                22,
                "02/17/2016 08:41:01",
                "2016-02-17T08:41:00Z",
                "2016-02-17T08:40:01Z",
            ],
            [
                "PipelineScheduler",
                None,
                16,
                "02/17/2016 08:41:00",
                "2016-02-17T08:41:00Z",
                "2016-02-17T08:40:00Z",
            ],
        ],
    ),
    (
        "project-by-names-operator.md#1",
        "datatable(Name:string, Age:int, City:string, Country:string) \n['Peter', 39, 'New York', 'USA']\n| project-by-names \"Name\", \"City\"",
        ["Name", "City"],
        [["Peter", "New York"]],
    ),
    (
        "project-by-names-operator.md#2",
        "datatable(Name:string, Age:int, City:string, Country:string) \n['Peter', 39, 'New York', 'USA']\n| project-by-names dynamic([\"Name\", \"Country\"])",
        ["Name", "Country"],
        [["Peter", "USA"]],
    ),
    (
        "project-by-names-operator.md#3",
        "datatable(Name:string, Age:int, City:string, Country:string) \n['Peter', 39, 'New York', 'USA']\n| project-by-names \"C*\"",
        ["City", "Country"],
        [["New York", "USA"]],
    ),
    (
        "project-by-names-operator.md#4",
        "let LookupTable = \n    datatable(Name:string, Age:int, City:string, Country:string)\n    ['Peter', 39, 'New York', 'USA']; \nlet LookupColumns = (Source:(Name:string), lookup_columns: dynamic) { \n    Source \n    | lookup LookupTable on Name\n    | project-by-names column_names_of(Source), lookup_columns\n};\ndatatable(Name:string, Data:string)\n['Peter', 'Source-data']\n| invoke LookupColumns(dynamic(['Country']))",
        ["Name", "Data", "Country"],
        [["Peter", "Source-data", "USA"]],
    ),
    (
        "project-by-names-operator.md#5",
        "let LookupTable = \n    datatable(Name:string, Age:int, City:string, Country:string)\n    ['Peter', 39, 'New York', 'USA']; \nlet LookupColumns = (Source:(Name:string), lookup_columns: dynamic) { \n    Source \n    | lookup LookupTable on Name\n    | project-by-names column_names_of(Source), lookup_columns\n};\ndatatable(Name:string, Data:string)\n['Peter', 'Source-data']\n| invoke LookupColumns(dynamic(['Country', 'NonExistent']))",
        ["Name", "Data", "Country"],
        [["Peter", "Source-data", "USA"]],
    ),
    (
        "scan-operator.md#1",
        "range x from 1 to 5 step 1 \n| scan declare (cumulative_x:long=0) with \n(\n    step s1: true => cumulative_x = x + s1.cumulative_x;\n)",
        ["x", "cumulative_x"],
        [[1, 1], [2, 3], [3, 6], [4, 10], [5, 15]],
    ),
    (
        "scan-operator.md#2",
        "range x from 1 to 5 step 1\n| extend y = 2 * x\n| scan declare (cumulative_x:long=0, cumulative_y:long=0) with \n(\n    step s1: true => cumulative_x = iff(s1.cumulative_x >= 10, x, x + s1.cumulative_x), \n                     cumulative_y = iff(s1.cumulative_y >= 10, y, y + s1.cumulative_y);\n)",
        ["x", "y", "cumulative_x", "cumulative_y"],
        [[1, 2, 1, 2], [2, 4, 3, 6], [3, 6, 6, 12], [4, 8, 10, 8], [5, 10, 5, 18]],
    ),
    (
        "scan-operator.md#3",
        'let Events = datatable (Ts: timespan, Event: string) [\n    0m, "A",\n    1m, "",\n    2m, "B",\n    3m, "",\n    4m, "",\n    6m, "C",\n    8m, "",\n    11m, "D",\n    12m, ""\n]\n;\nEvents\n| sort by Ts asc\n| scan declare (Event_filled: string="") with \n(\n    step s1: true => Event_filled = iff(isempty(Event), s1.Event_filled, Event);\n)',
        ["Ts", "Event", "Event_filled"],
        [
            [0.0, "A", "A"],
            [60.0, "", "A"],
            [120.0, "B", "B"],
            [180.0, "", "B"],
            [240.0, "", "B"],
            [360.0, "C", "C"],
            [480.0, "", "C"],
            [660.0, "D", "D"],
            [720.0, "", "D"],
        ],
    ),
    (
        "scan-operator.md#4",
        'let Events = datatable (Ts: timespan, Event: string) [\n    0m, "A",\n    1m, "A",\n    2m, "B",\n    3m, "D",\n    32m, "B",\n    36m, "C",\n    38m, "D",\n    41m, "E",\n    75m, "A"\n]\n;\nEvents\n| sort by Ts asc\n| scan with_match_id=session_id declare (sessionStart: timespan) with \n(\n    step inSession: true => sessionStart = iff(isnull(inSession.sessionStart), Ts, inSession.sessionStart);\n    step endSession output=none: Ts - inSession.sessionStart > 30m;\n)',
        ["Ts", "Event", "sessionStart", "session_id"],
        [
            [0.0, "A", 0.0, 0],
            [60.0, "A", 0.0, 0],
            [120.0, "B", 0.0, 0],
            [180.0, "D", 0.0, 0],
            [1920.0, "B", 1920.0, 1],
            [2160.0, "C", 1920.0, 1],
            [2280.0, "D", 1920.0, 1],
            [2460.0, "E", 1920.0, 1],
            [4500.0, "A", 4500.0, 2],
        ],
    ),
    (
        "scan-operator.md#6",
        'let Events = datatable (Ts: timespan, Event: string) [\n    0m, "A",\n    1m, "Start",\n    2m, "B",\n    3m, "D",\n    4m, "Stop",\n    6m, "C",\n    8m, "Start",\n    11m, "E",\n    12m, "Stop"\n]\n;\nEvents\n| sort by Ts asc\n| scan with_match_id=m_id with \n(\n    step s1: Event == "Start";\n    step s2: Event != "Start" and Event != "Stop" and Ts - s1.Ts <= 5m;\n    step s3: Event == "Stop" and Ts - s1.Ts <= 5m;\n)',
        ["Ts", "Event", "m_id"],
        [
            [60.0, "Start", 0],
            [120.0, "B", 0],
            [180.0, "D", 0],
            [240.0, "Stop", 0],
            [480.0, "Start", 1],
            [660.0, "E", 1],
            [720.0, "Stop", 1],
        ],
    ),
    (
        "scan-operator.md#8",
        'let Events = datatable (Ts: timespan, Event: string) [\n    0m, "A",\n    1m, "Start",\n    2m, "B",\n    3m, "D",\n    4m, "Stop",\n    6m, "C",\n    8m, "Start",\n    11m, "E",\n    12m, "Stop"\n]\n;\nEvents\n| sort by Ts asc\n| scan with_match_id=m_id with \n(\n    step s1: Event == "Start";\n    step s2: Event != "Start" and Event != "Stop" and Ts - s1.Ts <= 5m;\n    step s3: Event == "Stop" and Ts - s1.Ts <= 5m;\n)',
        ["Ts", "Event", "m_id"],
        [
            [60.0, "Start", 0],
            [120.0, "B", 0],
            [180.0, "D", 0],
            [240.0, "Stop", 0],
            [480.0, "Start", 1],
            [660.0, "E", 1],
            [720.0, "Stop", 1],
        ],
    ),
]
