"""Documented examples of the scalar functions that kqlfn fixed or added (issue 14), as data.

Each entry is (page#block, query, output column names, output rows): the query of the page's n-th
``kusto`` code block and the output table printed under it, from the Kusto documentation
(MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<page>). Datetimes are written as ISO text,
trimmed as query results write them (``tests.unit.kql._helpers.plain``). The rows were checked against
the page's table by bench/kql_docs_conformance.py (``--emit``). Left out: docs/differences.md.
"""

from __future__ import annotations

from typing import Any

DOC_EXAMPLES_SCALAR: list[tuple[str, str, list[str], list[list[Any]]]] = [
    # ------------------------------------------------------------------ datetime text and literals
    (
        "endofweek-function.md#2",
        'let endofweekSunday = (dateArg: datetime) {\n    datetime_add(\'day\', 8, endofweek(datetime_add(\'day\', -8, dateArg)))\n};\nlet data=datatable(Date: datetime, day: string)\n[\ndatetime(2025, 6, 14), "Saturday",\ndatetime(2025, 6, 15), "Sunday",\ndatetime(2025, 6, 16), "Monday",\ndatetime(2025, 6, 17), "Tuesday"\n];\ndata \n| extend SundayEndOfWeek=endofweekSunday(Date)',
        ["Date", "day", "SundayEndOfWeek"],
        [
            ["2025-06-14T00:00:00Z", "Saturday", "2025-06-15T23:59:59.999999Z"],
            ["2025-06-15T00:00:00Z", "Sunday", "2025-06-15T23:59:59.999999Z"],
            ["2025-06-16T00:00:00Z", "Monday", "2025-06-22T23:59:59.999999Z"],
            ["2025-06-17T00:00:00Z", "Tuesday", "2025-06-22T23:59:59.999999Z"],
        ],
    ),
    ("hash-function.md#3", 'print result=hash(datetime("2015-01-01"))', ["result"], [[1380966698541616202]]),
    (
        "hash-xxhash64-function.md#3",
        'print result=hash_xxhash64(datetime("2015-01-01"))',
        ["result"],
        [[1380966698541616202]],
    ),
    ("monthofyear-function.md#1", 'print result=monthofyear(datetime("2015-12-14"))', ["result"], [[12]]),
    (
        "parse-operator.md#2",
        'let Traces = datatable(EventText: string)\n    [\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=02/17/2016 08:40:00, previousLockTime=02/17/2016 08:39:00)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=22, lockTime=02/17/2016 08:41:01, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:00)"\n];\nTraces  \n| parse EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices: long * "sliceNumber=" sliceNumber: long * "lockTime=" lockTime ", releaseTime=" releaseTime: date "," * "previousLockTime=" previousLockTime: date ")" *  \n| project resourceName, totalSlices, sliceNumber, lockTime, releaseTime, previousLockTime',
        ["resourceName", "totalSlices", "sliceNumber", "lockTime", "releaseTime", "previousLockTime"],
        [
            [
                "PipelineScheduler",
                27,
                23,
                "02/17/2016 08:40:01",
                "2016-02-17T08:40:01Z",
                "2016-02-17T08:39:01Z",
            ],
            [
                "PipelineScheduler",
                27,
                15,
                "02/17/2016 08:40:00",
                "2016-02-17T08:40:00Z",
                "2016-02-17T08:39:00Z",
            ],
            [
                "PipelineScheduler",
                27,
                20,
                "02/17/2016 08:40:01",
                "2016-02-17T08:40:01Z",
                "2016-02-17T08:39:01Z",
            ],
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
                27,
                16,
                "02/17/2016 08:41:00",
                "2016-02-17T08:41:00Z",
                "2016-02-17T08:40:00Z",
            ],
        ],
    ),
    (
        "parse-where-operator.md#3",
        'let Traces = datatable(EventText: string)\n    [\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=invalid_number, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=invalid_datetime, previousLockTime=02/17/2016 08:39:00)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=22, lockTime=02/17/2016 08:41:01, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=invalid_number, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:00)"\n];\nTraces  \n| parse-where EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices: long * "sliceNumber=" sliceNumber: long * "lockTime=" lockTime ", releaseTime=" releaseTime: date "," * "previousLockTime=" previousLockTime: date ")" *  \n| project\n    resourceName,\n    totalSlices,\n    sliceNumber,\n    lockTime,\n    releaseTime,\n    previousLockTime',
        ["resourceName", "totalSlices", "sliceNumber", "lockTime", "releaseTime", "previousLockTime"],
        [
            [
                "PipelineScheduler",
                27,
                20,
                "02/17/2016 08:40:01",
                "2016-02-17T08:40:01Z",
                "2016-02-17T08:39:01Z",
            ],
            [
                "PipelineScheduler",
                27,
                22,
                "02/17/2016 08:41:01",
                "2016-02-17T08:41:00Z",
                "2016-02-17T08:40:01Z",
            ],
        ],
    ),
    (
        "reverse-function.md#2",
        "print ['int'] = 12345, ['double'] = 123.45, \n['datetime'] = datetime(2017-10-15 12:00), ['timespan'] = 3h\n| project rint = reverse(['int']), rdouble = reverse(['double']), \nrdatetime = reverse(['datetime']), rtimespan = reverse(['timespan'])",
        ["rint", "rdouble", "rdatetime", "rtimespan"],
        [["54321", "54.321", "Z0000000.00:00:21T51-01-7102", "00:00:30"]],
    ),
    (
        "startofweek-function.md#2",
        'let startofweekFromMonday = (dateArg: datetime) {\n    datetime_add(\'day\', 1, startofweek(datetime_add(\'day\', -1, dateArg)))\n};\nlet data=datatable(Date: datetime, day: string)\n[\ndatetime(2025, 6, 14), "Saturday",\ndatetime(2025, 6, 15), "Sunday",\ndatetime(2025, 6, 16), "Monday",\ndatetime(2025, 6, 17), "Tuesday"\n];\ndata \n| extend MondayWeek=startofweekFromMonday(Date)',
        ["Date", "day", "MondayWeek"],
        [
            ["2025-06-14T00:00:00Z", "Saturday", "2025-06-09T00:00:00Z"],
            ["2025-06-15T00:00:00Z", "Sunday", "2025-06-09T00:00:00Z"],
            ["2025-06-16T00:00:00Z", "Monday", "2025-06-16T00:00:00Z"],
            ["2025-06-17T00:00:00Z", "Tuesday", "2025-06-16T00:00:00Z"],
        ],
    ),
    (
        "todatetime-function.md#2",
        "print todatetime('12-02-2022') == datetime('12-02-2022')",
        ["print_0"],
        [[True]],
    ),
    # ------------------------------------------------------------------ window functions
    (
        "row-cumsum-function.md#1",
        "datatable (a:long) [\n    1, 2, 3, 4, 5, 6, 7, 8, 9, 10\n]\n| where a%2==0\n| serialize cs=row_cumsum(a)",
        ["a", "cs"],
        [[2, 2], [4, 6], [6, 12], [8, 20], [10, 30]],
    ),
    (
        "row-cumsum-function.md#2",
        'datatable (name:string, month:int, salary:long)\n[\n    "Alice", 1, 1000,\n    "Bob",   1, 1000,\n    "Alice", 2, 2000,\n    "Bob",   2, 1950,\n    "Alice", 3, 1400,\n    "Bob",   3, 1450,\n]\n| order by name asc, month asc\n| extend total=row_cumsum(salary, name != prev(name))',
        ["name", "month", "salary", "total"],
        [
            ["Alice", 1, 1000, 1000],
            ["Alice", 2, 2000, 3000],
            ["Alice", 3, 1400, 4400],
            ["Bob", 1, 1000, 1000],
            ["Bob", 2, 1950, 2950],
            ["Bob", 3, 1450, 4400],
        ],
    ),
    (
        "row-number-function.md#3",
        'datatable (Airport:string, Airline:string, Departures:long)\n[\n  "TLV", "LH", 1,\n  "TLV", "LY", 100,\n  "SEA", "LH", 1,\n  "SEA", "BA", 2,\n  "SEA", "LY", 0\n]\n| sort by Airport asc, Departures desc\n| extend Rank=row_number(1, prev(Airport) != Airport)',
        ["Airport", "Airline", "Departures", "Rank"],
        [
            ["SEA", "BA", 2, 1],
            ["SEA", "LH", 1, 2],
            ["SEA", "LY", 0, 3],
            ["TLV", "LY", 100, 1],
            ["TLV", "LH", 1, 2],
        ],
    ),
    (
        "row-rank-dense-function.md#1",
        'datatable (Airport:string, Airline:string, Departures:long)\n[\n  "SEA", "LH", 3,\n  "SEA", "LY", 100,\n  "SEA", "UA", 3,\n  "SEA", "BA", 2,\n  "SEA", "EL", 3\n]\n| sort by Departures asc\n| extend Rank=row_rank_dense(Departures)',
        ["Airport", "Airline", "Departures", "Rank"],
        [
            ["SEA", "BA", 2, 1],
            ["SEA", "LH", 3, 2],
            ["SEA", "UA", 3, 2],
            ["SEA", "EL", 3, 2],
            ["SEA", "LY", 100, 3],
        ],
    ),
    (
        "row-rank-dense-function.md#2",
        'datatable (Airport:string, Airline:string, Departures:long)\n[\n  "SEA", "LH", 3,\n  "SEA", "LY", 100,\n  "SEA", "UA", 3,\n  "SEA", "BA", 2,\n  "SEA", "EL", 3,\n  "AMS", "EL", 1,\n  "AMS", "BA", 1\n]\n| sort by Airport desc, Departures asc\n| extend Rank=row_rank_dense(Departures, prev(Airport) != Airport)',
        ["Airport", "Airline", "Departures", "Rank"],
        [
            ["SEA", "BA", 2, 1],
            ["SEA", "LH", 3, 2],
            ["SEA", "UA", 3, 2],
            ["SEA", "EL", 3, 2],
            ["SEA", "LY", 100, 3],
            ["AMS", "EL", 1, 1],
            ["AMS", "BA", 1, 1],
        ],
    ),
    (
        "row-rank-min-function.md#1",
        'datatable (Airport:string, Airline:string, Departures:long)\n[\n  "SEA", "LH", 3,\n  "SEA", "LY", 100,\n  "SEA", "UA", 3,\n  "SEA", "BA", 2,\n  "SEA", "EL", 3\n]\n| sort by Departures asc\n| extend Rank=row_rank_min(Departures)',
        ["Airport", "Airline", "Departures", "Rank"],
        [
            ["SEA", "BA", 2, 1],
            ["SEA", "LH", 3, 2],
            ["SEA", "UA", 3, 2],
            ["SEA", "EL", 3, 2],
            ["SEA", "LY", 100, 5],
        ],
    ),
    (
        "row-rank-min-function.md#2",
        'datatable(Category:string, Item:string, Value:int)\n[\n    "A", "item1", 10,\n    "A","item2", 10,\n    "A", "item3", 5,\n    "A", "item4", 20,\n    "B", "item2", 5,\n    "B", "item1", 7\n]\n| sort by Category asc, Value asc\n| extend rank = row_rank_min(Value, Category != prev(Category))',
        ["Category", "Item", "Value", "rank"],
        [
            ["A", "item3", 5, 1],
            ["A", "item1", 10, 2],
            ["A", "item2", 10, 2],
            ["A", "item4", 20, 4],
            ["B", "item2", 5, 1],
            ["B", "item1", 7, 2],
        ],
    ),
    # ------------------------------------------------------------------ strings and parse kind=regex
    (
        "parse-operator.md#4",
        'let Traces=datatable(EventText: string)\n    [\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=02/17/2016 08:40:00, previousLockTime=02/17/2016 08:39:00)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=22, lockTime=02/17/2016 08:41:01, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:00)"\n];\nTraces  \n| parse kind=regex EventText with "(.*?)[a-zA-Z]*=" resourceName @", totalSlices=\\s*\\d+\\s*.*?sliceNumber=" sliceNumber: long  ".*?(previous)?lockTime=" lockTime ".*?releaseTime=" releaseTime ".*?previousLockTime=" previousLockTime: date "\\\\)"  \n| project resourceName, sliceNumber, lockTime, releaseTime, previousLockTime',
        ["resourceName", "sliceNumber", "lockTime", "releaseTime", "previousLockTime"],
        [
            [
                "PipelineScheduler",
                23,
                "02/17/2016 08:40:01, ",
                "02/17/2016 08:40:01, ",
                "2016-02-17T08:39:01Z",
            ],
            [
                "PipelineScheduler",
                15,
                "02/17/2016 08:40:00, ",
                "02/17/2016 08:40:00, ",
                "2016-02-17T08:39:00Z",
            ],
            [
                "PipelineScheduler",
                20,
                "02/17/2016 08:40:01, ",
                "02/17/2016 08:40:01, ",
                "2016-02-17T08:39:01Z",
            ],
            [
                "PipelineScheduler",
                22,
                "02/17/2016 08:41:01, ",
                "02/17/2016 08:41:00, ",
                "2016-02-17T08:40:01Z",
            ],
            [
                "PipelineScheduler",
                16,
                "02/17/2016 08:41:00, ",
                "02/17/2016 08:41:00, ",
                "2016-02-17T08:40:00Z",
            ],
        ],
    ),
    (
        "parse-operator.md#5",
        'let Traces=datatable(EventText: string)\n    [\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=02/17/2016 08:40:00, previousLockTime=02/17/2016 08:39:00)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=22, lockTime=02/17/2016 08:41:01, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:00)"\n];\nTraces\n| parse kind=regex EventText with * "resourceName=" resourceName \',\' *\n| project resourceName',
        ["resourceName"],
        [
            [
                "PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01"
            ],
            [
                "PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=02/17/2016 08:40:00"
            ],
            [
                "PipelineScheduler, totalSlices=27, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01"
            ],
            [
                "PipelineScheduler, totalSlices=27, sliceNumber=22, lockTime=02/17/2016 08:41:01, releaseTime=02/17/2016 08:41:00"
            ],
            [
                "PipelineScheduler, totalSlices=27, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00"
            ],
        ],
    ),
    (
        "parse-operator.md#6",
        'let Traces=datatable(EventText: string)\n    [\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=02/17/2016 08:40:00, previousLockTime=02/17/2016 08:39:00)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=22, lockTime=02/17/2016 08:41:01, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=16, lockTime=02/17/2016 08:41:00, releaseTime=02/17/2016 08:41:00, previousLockTime=02/17/2016 08:40:00)"\n];\nTraces\n| parse kind=regex flags=Ui EventText with * "RESOURCENAME=" resourceName \',\' *\n| project resourceName',
        ["resourceName"],
        [
            ["PipelineScheduler"],
            ["PipelineScheduler"],
            ["PipelineScheduler"],
            ["PipelineScheduler"],
            ["PipelineScheduler"],
        ],
    ),
    (
        "parse-operator.md#7",
        'let Traces=datatable(EventText: string)\n    [\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler\\ntotalSlices=27\\nsliceNumber=23\\nlockTime=02/17/2016 08:40:01\\nreleaseTime=02/17/2016 08:40:01\\npreviousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler\\ntotalSlices=27\\nsliceNumber=15\\nlockTime=02/17/2016 08:40:00\\nreleaseTime=02/17/2016 08:40:00\\npreviousLockTime=02/17/2016 08:39:00)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler\\ntotalSlices=27\\nsliceNumber=20\\nlockTime=02/17/2016 08:40:01\\nreleaseTime=02/17/2016 08:40:01\\npreviousLockTime=02/17/2016 08:39:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler\\ntotalSlices=27\\nsliceNumber=22\\nlockTime=02/17/2016 08:41:01\\nreleaseTime=02/17/2016 08:41:00\\npreviousLockTime=02/17/2016 08:40:01)",\n    "Event: NotifySliceRelease (resourceName=PipelineScheduler\\ntotalSlices=27\\nsliceNumber=16\\nlockTime=02/17/2016 08:41:00\\nreleaseTime=02/17/2016 08:41:00\\npreviousLockTime=02/17/2016 08:40:00)"\n];\nTraces\n| parse kind=regex flags=s EventText with * "resourceName=" resourceName: string "(.*?)totalSlices=" totalSlices: long "(.*?)lockTime=" lockTime: datetime "(.*?)releaseTime=" releaseTime: datetime "(.*?)previousLockTime=" previousLockTime: datetime "\\\\)" \n| project-away EventText',
        ["resourceName", "totalSlices", "lockTime", "releaseTime", "previousLockTime"],
        [
            [
                "PipelineScheduler\n",
                27,
                "2016-02-17T08:40:01Z",
                "2016-02-17T08:40:01Z",
                "2016-02-17T08:39:01Z",
            ],
            [
                "PipelineScheduler\n",
                27,
                "2016-02-17T08:40:00Z",
                "2016-02-17T08:40:00Z",
                "2016-02-17T08:39:00Z",
            ],
            [
                "PipelineScheduler\n",
                27,
                "2016-02-17T08:40:01Z",
                "2016-02-17T08:40:01Z",
                "2016-02-17T08:39:01Z",
            ],
            [
                "PipelineScheduler\n",
                27,
                "2016-02-17T08:41:01Z",
                "2016-02-17T08:41:00Z",
                "2016-02-17T08:40:01Z",
            ],
            [
                "PipelineScheduler\n",
                27,
                "2016-02-17T08:41:00Z",
                "2016-02-17T08:41:00Z",
                "2016-02-17T08:40:00Z",
            ],
        ],
    ),
    (
        "replace-strings-function.md#1",
        "print Message=\"A magic trick can turn a cat into a dog\"\n| extend Outcome = replace_strings(\n        Message,\n        dynamic(['cat', 'dog']), // Lookup strings\n        dynamic(['dog', 'pigeon']) // Replacements\n        )",
        ["Message", "Outcome"],
        [["A magic trick can turn a cat into a dog", "A magic trick can turn a dog into a pigeon"]],
    ),
    (
        "replace-strings-function.md#2",
        "print Message=\"A magic trick can turn a cat into a dog\"\n| extend Outcome = replace_strings(\n        Message,\n        dynamic(['turn', ' into a dog']), // Lookup strings\n        dynamic(['disappear', '']) // Replacements\n        )",
        ["Message", "Outcome"],
        [["A magic trick can turn a cat into a dog", "A magic trick can disappear a cat"]],
    ),
    (
        "replace-strings-function.md#3",
        " print Message=\"This is an example of using replace_strings()\"\n| extend Outcome1 = replace_strings(\n        Message,\n        dynamic(['This', 'is']), // Lookup strings\n        dynamic(['This', 'was']) // Replacements\n        ),\n        Outcome2 = replace_strings(\n        Message,\n        dynamic(['is', 'This']), // Lookup strings\n        dynamic(['was', 'This']) // Replacements\n        )",
        ["Message", "Outcome1", "Outcome2"],
        [
            [
                "This is an example of using replace_strings()",
                "This was an example of using replace_strings()",
                "Thwas was an example of using replace_strings()",
            ]
        ],
    ),
    (
        "replace-strings-function.md#4",
        " print Message=\"This is an example of using replace_strings()\"\n| extend Outcome = replace_strings(\n        Message,\n        dynamic(['This', 'is']), // Lookup strings\n        dynamic([12345, 'was']) // Replacements\n        )",
        ["Message", "Outcome"],
        [["This is an example of using replace_strings()", "This was an example of using replace_strings()"]],
    ),
    (
        "strcmp-function.md#1",
        'datatable(string1:string, string2:string) [\n    "ABC","ABC",\n    "abc","ABC",\n    "ABC","abc",\n    "abcde","abc"\n]\n| extend result = strcmp(string1,string2)',
        ["string1", "string2", "result"],
        [["ABC", "ABC", 0], ["abc", "ABC", 1], ["ABC", "abc", -1], ["abcde", "abc", 1]],
    ),
    # ------------------------------------------------------------------ time zones and parse_* functions
    (
        "datetime-local-to-utc-function.md#1",
        "datatable(local_dt: datetime, tz: string)\n[ datetime(2020-02-02 20:02:20), 'US/Pacific', \n  datetime(2020-02-02 20:02:20), 'America/Chicago', \n  datetime(2020-02-02 20:02:20), 'Europe/Paris']\n| extend utc_dt = datetime_local_to_utc(local_dt, tz)",
        ["local_dt", "tz", "utc_dt"],
        [
            ["2020-02-02T20:02:20Z", "US/Pacific", "2020-02-03T04:02:20Z"],
            ["2020-02-02T20:02:20Z", "America/Chicago", "2020-02-03T02:02:20Z"],
            ["2020-02-02T20:02:20Z", "Europe/Paris", "2020-02-02T19:02:20Z"],
        ],
    ),
    (
        "datetime-local-to-utc-function.md#2",
        "range Local from datetime(2022-03-27 01:00:00.0000000) to datetime(2022-03-27 04:00:00.0000000) step 1h\n| extend UTC=datetime_local_to_utc(Local, 'Europe/Brussels')\n| extend BackToLocal=datetime_utc_to_local(UTC, 'Europe/Brussels')\n| extend diff=Local-BackToLocal",
        ["Local", "UTC", "BackToLocal", "diff"],
        [
            ["2022-03-27T01:00:00Z", "2022-03-27T00:00:00Z", "2022-03-27T01:00:00Z", 0.0],
            ["2022-03-27T02:00:00Z", "2022-03-27T00:00:00Z", "2022-03-27T01:00:00Z", 3600.0],
            ["2022-03-27T03:00:00Z", "2022-03-27T01:00:00Z", "2022-03-27T03:00:00Z", 0.0],
            ["2022-03-27T04:00:00Z", "2022-03-27T02:00:00Z", "2022-03-27T04:00:00Z", 0.0],
        ],
    ),
    (
        "parse-path-function.md#1",
        'datatable(p:string) \n[\n    @"C:\\temp\\file.txt",\n    @"temp\\file.txt",\n    "file://C:/temp/file.txt:some.exe",\n    @"\\\\shared\\users\\temp\\file.txt.gz",\n    "/usr/lib/temp/file.txt"\n]\n| extend path_parts = parse_path(p)',
        ["p", "path_parts"],
        [
            [
                "C:\\temp\\file.txt",
                {
                    "Scheme": "",
                    "RootPath": "C:",
                    "DirectoryPath": "C:\\temp",
                    "DirectoryName": "temp",
                    "Filename": "file.txt",
                    "Extension": "txt",
                    "AlternateDataStreamName": "",
                },
            ],
            [
                "temp\\file.txt",
                {
                    "Scheme": "",
                    "RootPath": "",
                    "DirectoryPath": "temp",
                    "DirectoryName": "temp",
                    "Filename": "file.txt",
                    "Extension": "txt",
                    "AlternateDataStreamName": "",
                },
            ],
            [
                "file://C:/temp/file.txt:some.exe",
                {
                    "Scheme": "file",
                    "RootPath": "C:",
                    "DirectoryPath": "C:/temp",
                    "DirectoryName": "temp",
                    "Filename": "file.txt",
                    "Extension": "txt",
                    "AlternateDataStreamName": "some.exe",
                },
            ],
            [
                "\\\\shared\\users\\temp\\file.txt.gz",
                {
                    "Scheme": "",
                    "RootPath": "",
                    "DirectoryPath": "\\\\shared\\users\\temp",
                    "DirectoryName": "temp",
                    "Filename": "file.txt.gz",
                    "Extension": "gz",
                    "AlternateDataStreamName": "",
                },
            ],
            [
                "/usr/lib/temp/file.txt",
                {
                    "Scheme": "",
                    "RootPath": "",
                    "DirectoryPath": "/usr/lib/temp",
                    "DirectoryName": "temp",
                    "Filename": "file.txt",
                    "Extension": "txt",
                    "AlternateDataStreamName": "",
                },
            ],
        ],
    ),
    (
        "parse-version-function.md#1",
        'let dt = datatable(v: string)\n    [\n    "0.0.0.5", "0.0.7.0", "0.0.3", "0.2", "0.1.2.0", "1.2.3.4", "1"\n];\ndt\n| extend parsedVersion = parse_version(v)',
        ["v", "parsedVersion"],
        [
            ["0.0.0.5", 5],
            ["0.0.7.0", 700000000],
            ["0.0.3", 300000000],
            ["0.2", 20000000000000000],
            ["0.1.2.0", 10000000200000000],
            ["1.2.3.4", 1000000020000000300000004],
            ["1", 1000000000000000000000000],
        ],
    ),
    (
        "parse-version-function.md#2",
        'let dt = datatable(lab: string, v: string)\n[\n    "Lab A", "0.0.0.5",\n    "Lab B", "0.0.7.0",\n    "Lab D","0.0.3",\n    "Lab C", "0.2", \n    "Lab G", "0.1.2.0",\n    "Lab F", "1.2.3.4",\n    "Lab E", "1",\n];\ndt\n| extend parsed_version = parse_version(v)\n| extend needs_update = iff(parsed_version < parse_version("1.0.0.0"), "Yes", "No")\n| project lab, v, needs_update\n| sort by lab asc , v, needs_update',
        ["lab", "v", "needs_update"],
        [
            ["Lab A", "0.0.0.5", "Yes"],
            ["Lab B", "0.0.7.0", "Yes"],
            ["Lab C", "0.2", "Yes"],
            ["Lab D", "0.0.3", "Yes"],
            ["Lab E", "1", "No"],
            ["Lab F", "1.2.3.4", "No"],
            ["Lab G", "0.1.2.0", "Yes"],
        ],
    ),
    # ------------------------------------------------------------------ math, code points, bytes, compression
    (
        "around-function.md#1",
        "range dt \n    from datetime(2021-01-01 01:00) \n    to datetime(2021-01-01 02:00) \n    step 1min\n| where around(dt, datetime(2021-01-01 01:30), 1min)",
        ["dt"],
        [["2021-01-01T01:29:00Z"], ["2021-01-01T01:30:00Z"], ["2021-01-01T01:31:00Z"]],
    ),
    (
        "atan2-function.md#1",
        "print atan2_0 = atan2(1,1) // Pi / 4 radians (45 degrees)\n| extend atan2_1 = atan2(0,-1) // Pi radians (180 degrees)\n| extend atan2_2 = atan2(-1,0) // - Pi / 2 radians (-90 degrees)",
        ["atan2_0", "atan2_1", "atan2_2"],
        [[0.7853981633974483, 3.141592653589793, -1.5707963267948966]],
    ),
    (
        "base64-decode-toarray-function.md#1",
        "print Quine=base64_decode_toarray(\"S3VzdG8=\")  \n// 'K', 'u', 's', 't', 'o'",
        ["Quine"],
        [[[75, 117, 115, 116, 111]]],
    ),
    (
        "base64-encode-fromguid-function.md#1",
        'print Quine = base64_encode_fromguid(toguid("ae3133f2-6e22-49ae-b06a-16e6a9b212eb"))  ',
        ["Quine"],
        [["8jMxriJurkmwahbmqbIS6w=="]],
    ),
    (
        "bitset-count-ones-function.md#1",
        "// 42 = 32+8+2 : b'00101010' == 3 bits set\nprint ones = bitset_count_ones(42) ",
        ["ones"],
        [[3]],
    ),
    (
        "degrees-function.md#1",
        "print degrees0 = degrees(pi()/4), degrees1 = degrees(pi()*1.5), degrees2 = degrees(0)",
        ["degrees0", "degrees1", "degrees2"],
        [[45.0, 270.0, 0.0]],
    ),
    (
        "erf-function.md#1",
        "range x from -3 to 3 step 1\n| extend erf_x = erf(x)",
        ["x", "erf_x"],
        [
            [-3, -0.9999779095030014],
            [-2, -0.9953222650189527],
            [-1, -0.8427007929497149],
            [0, 0.0],
            [1, 0.8427007929497149],
            [2, 0.9953222650189527],
            [3, 0.9999779095030014],
        ],
    ),
    (
        "erfc-function.md#1",
        "range x from -3 to 3 step 1\n| extend erf_x = erfc(x)",
        ["x", "erf_x"],
        [
            [-3, 1.9999779095030015],
            [-2, 1.9953222650189528],
            [-1, 1.842700792949715],
            [0, 1.0],
            [1, 0.15729920705028513],
            [2, 0.004677734981047265],
            [3, 2.2090496998585438e-05],
        ],
    ),
    (
        "format-bytes-function.md#1",
        'print \nv1 = format_bytes(564),\nv2 = format_bytes(10332, 1),\nv3 = format_bytes(20010332),\nv4 = format_bytes(20010332, 2),\nv5 = format_bytes(20010332, 0, "KB")',
        ["v1", "v2", "v3", "v4", "v5"],
        [["564 Bytes", "10.1 KB", "19 MB", "19.08 MB", "19541 KB"]],
    ),
    ("gamma-function.md#1", "print result = gamma(5)", ["result"], [[24.0]]),
    (
        "gzip-base64-compress.md#1",
        'print res = gzip_compress_to_base64_string("1234567890qwertyuiop")',
        ["res"],
        [["H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA=="]],
    ),
    (
        "gzip-base64-decompress.md#2",
        'print res=gzip_decompress_from_base64_string("x0x0x0")',
        ["res"],
        [[""]],
    ),
    (
        "has-any-index-function.md#1",
        "print\n idx1 = has_any_index(\"this is an example\", dynamic(['this', 'example']))  // first lookup found in input string\n , idx2 = has_any_index(\"this is an example\", dynamic(['not', 'example'])) // last lookup found in input string\n , idx3 = has_any_index(\"this is an example\", dynamic(['not', 'found'])) // no lookup found in input string\n , idx4 = has_any_index(\"Example number 2\", range(1, 3, 1)) // Lookup array of integers\n , idx5 = has_any_index(\"this is an example\", dynamic([]))  // Empty lookup array",
        ["idx1", "idx2", "idx3", "idx4", "idx5"],
        [[0, 1, -1, 1, -1]],
    ),
    (
        "indexof-regex-function.md#1",
        'print\n    idx1 = indexof_regex("abcabc", @"a.c"), // lookup found in input string\n    idx2 = indexof_regex("abcabcdefg", @"a.c", 0, 9, 2),  // lookup found in input string\n    idx3 = indexof_regex("abcabc", @"a.c", 1, -1, 2),  // there\'s no second occurrence in the search range\n    idx4 = indexof_regex("ababaa", @"a.a", 0, -1, 2), // Matches don\'t overlap so full lookup can\'t be found \n    idx5 = indexof_regex("abcabc", @"a|ab", -1)  // invalid start argument',
        ["idx1", "idx2", "idx3", "idx4", "idx5"],
        [[0, 3, -1, -1, None]],
    ),
    ("isascii.md#1", 'print result=isascii("some string")', ["result"], [[True]]),
    ("loggamma-function.md#1", "print result=loggamma(5)", ["result"], [[3.178053830347945]]),
    (
        "punycode-from-string-function.md#1",
        " print encoded = punycode_from_string('académie-française')",
        ["encoded"],
        [["acadmie-franaise-npb1a"]],
    ),
    (
        "punycode-from-string-function.md#2",
        " print domain='艺术.com'\n| extend domain_vec = split(domain, '.')\n| extend encoded_host = punycode_from_string(tostring(domain_vec[0]))\n| extend encoded_domain = strcat('xn--', encoded_host, '.', domain_vec[1])",
        ["domain", "domain_vec", "encoded_host", "encoded_domain"],
        [["艺术.com", ["艺术", "com"], "cqv902d", "xn--cqv902d.com"]],
    ),
    (
        "punycode-to-string-function.md#1",
        " print decoded = punycode_to_string('acadmie-franaise-npb1a')",
        ["decoded"],
        [["académie-française"]],
    ),
    (
        "radians-function.md#1",
        "print radians0 = radians(90), radians1 = radians(180), radians2 = radians(360) ",
        ["radians0", "radians1", "radians2"],
        [[1.5707963267948966, 3.141592653589793, 6.283185307179586]],
    ),
    (
        "unicode-codepoints-from-string-function.md#1",
        'print arr = unicode_codepoints_from_string("⒦⒰⒮⒯⒪")',
        ["arr"],
        [[[9382, 9392, 9390, 9391, 9386]]],
    ),
    (
        "unicode-codepoints-from-string-function.md#2",
        'print arr = unicode_codepoints_from_string("קוסטו - Kusto")',
        ["arr"],
        [[[1511, 1493, 1505, 1496, 1493, 32, 45, 32, 75, 117, 115, 116, 111]]],
    ),
    (
        "unicode-codepoints-from-string-function.md#3",
        'print str = unicode_codepoints_to_string(unicode_codepoints_from_string("Kusto"))',
        ["str"],
        [["Kusto"]],
    ),
    (
        "unicode-codepoints-to-string-function.md#1",
        "print str = unicode_codepoints_to_string(75, 117, 115, 116, 111)",
        ["str"],
        [["Kusto"]],
    ),
    (
        "unicode-codepoints-to-string-function.md#2",
        "print str = unicode_codepoints_to_string(dynamic([75, 117, 115, 116, 111]))",
        ["str"],
        [["Kusto"]],
    ),
    (
        "unicode-codepoints-to-string-function.md#3",
        "print str = unicode_codepoints_to_string(dynamic([75, 117, 115]), 116, 111)",
        ["str"],
        [["Kusto"]],
    ),
    (
        "unicode-codepoints-to-string-function.md#4",
        "print str = unicode_codepoints_to_string(75, 10, 117, 10, 115, 10, 116, 10, 111)",
        ["str"],
        [["K\nu\ns\nt\no"]],
    ),
    (
        "unicode-codepoints-to-string-function.md#5",
        "print str = unicode_codepoints_to_string(range(48,57), range(65,90), range(97,122))",
        ["str"],
        [["0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"]],
    ),
    (
        "zlib-base64-decompress-function.md#1",
        'print zcomp = zlib_decompress_from_base64_string("eJwLSS0uUSguKcrMS1cwNDIGACxqBQ4=")',
        ["zcomp"],
        [["Test string 123"]],
    ),
    (
        "zlib-base64-decompress-function.md#2",
        'print zcomp = zlib_decompress_from_base64_string("x0x0x0")',
        ["zcomp"],
        [[""]],
    ),
    # ------------------------------------------------------------------ indexof's length, count(x)'s name
    (
        "indexof-function.md#1",
        'print\n idx1 = indexof("abcdefg","cde")    // lookup found in input string\n , idx2 = indexof("abcdefg","cde",1,4) // lookup found in researched range \n , idx3 = indexof("abcdefg","cde",1,2) // search starts from index 1, but stops after 2 chars, so full lookup can\'t be found\n , idx4 = indexof("abcdefg","cde",3,4) // search starts after occurrence of lookup\n , idx5 = indexof("abcdefg","cde",-5)  // negative start index\n , idx6 = indexof(1234567,5,1,4)       // two first parameters were forcibly casted to strings "12345" and "5"\n , idx7 = indexof("abcdefg","cde",2,-1)  // lookup found in input string\n , idx8 = indexof("abcdefgabcdefg", "cde", 1, 10, 2)   // lookup found in input range\n , idx9 = indexof("abcdefgabcdefg", "cde", 1, -1, 3)   // the third occurrence of lookup is not in researched range',
        ["idx1", "idx2", "idx3", "idx4", "idx5", "idx6", "idx7", "idx8", "idx9"],
        [[2, 2, -1, -1, 2, 4, 2, 9, -1]],
    ),
    (
        "summarize-operator.md#6",
        "datatable(x:long)[]\n| summarize  count(x), countif(x > 0) , dcount(x), dcountif(x, x > 0)",
        ["count_x", "countif_", "dcount_x", "dcountif_x"],
        [[0, 0, 0, 0]],
    ),
    (
        "summarize-operator.md#9",
        "range x from 1 to 2 step 1\n| extend y = iff(x == 1, real(null), real(5))\n| summarize count(y)",
        ["count_y"],
        [[2]],
    ),
    # ------------------------------------------------------------------ covariance and binary_all_* aggregates
    (
        "binary-all-and-aggregation-function.md#1",
        "datatable(num:long)\n[\n  0xFFFFFFFF, \n  0xFFFFF00F,\n  0xCFFFFFFD,\n  0xFAFEFFFF,\n]\n| summarize result = toupper(tohex(binary_all_and(num)))",
        ["result"],
        [["CAFEF00D"]],
    ),
    (
        "binary-all-or-aggregation-function.md#1",
        "datatable(num:long)\n[\n  0x88888008,\n  0x42000000,\n  0x00767000,\n  0x00000005, \n]\n| summarize result = toupper(tohex(binary_all_or(num)))",
        ["result"],
        [["CAFEF00D"]],
    ),
    (
        "covariance-aggregation-function.md#1",
        "datatable(x:real, y:real) [\n    1.0, 14.0,\n    2.0, 10.0,\n    3.0, 17.0,\n    4.0, 20.0,\n    5.0, 50.0,\n]\n| summarize covariance(x, y)",
        ["covariance_x_y"],
        [[20.5]],
    ),
    (
        "covarianceif-aggregation-function.md#1",
        "range x from 1 to 100 step 1\n| extend y = iff(x % 2 == 0, x * 2, x * 3)\n| summarize covarianceif(x, y, x % 3 == 0)",
        ["covarianceif_x_y"],
        [[2142.0]],
    ),
    (
        "covariancep-aggregation-function.md#1",
        "datatable(x:real, y:real) [\n    1.0, 14.0,\n    2.0, 10.0,\n    3.0, 17.0,\n    4.0, 20.0,\n    5.0, 50.0,\n]\n| summarize covariancep(x, y)",
        ["covariancep_x_y"],
        [[16.4]],
    ),
    (
        "covariancepif-aggregation-function.md#1",
        "range x from 1 to 100 step 1\n| extend y = iff(x % 2 == 0, x * 2, x * 3)\n| summarize covariancepif(x, y, x % 3 == 0)",
        ["covariancepif_x_y"],
        [[2077.090909090909]],
    ),
    # ------------------------------------------------------------------ extract_json
    (
        "extract-json-function.md#1",
        'let json = \'{"name": "John", "age": 30, "city": "New York"}\';\nprint extract_json("$.name", json, typeof(string));',
        ["print_0"],
        [["John"]],
    ),
    # ------------------------------------------------------------------ unit conversions
    (
        "convert-angle-function.md#1",
        "print result = convert_angle(1.2, 'Degree', 'Arcminute')",
        ["result"],
        [[72.0]],
    ),
    (
        "convert-energy-function.md#1",
        "print result = convert_energy(1.2, 'Joule', 'BritishThermalUnit')",
        ["result"],
        [[0.0011373805443759806]],
    ),
    (
        "convert-force-function.md#1",
        "print result = convert_force(1.2, 'Newton', 'Decanewton')",
        ["result"],
        [[0.12]],
    ),
    (
        "convert-length-function.md#1",
        "print result = convert_length(1.2, 'Meter', 'Foot')",
        ["result"],
        [[3.9370078740157477]],
    ),
    (
        "convert-mass-function.md#1",
        "print result = convert_mass(1.2, 'Kilogram', 'Pound')",
        ["result"],
        [[2.6455471462185307]],
    ),
    (
        "convert-speed-function.md#1",
        "print result = convert_speed(1.2, 'MeterPerSecond', 'CentimeterPerHour')",
        ["result"],
        [[431999.99999999994]],
    ),
    (
        "convert-temperature-function.md#1",
        "print result = convert_temperature(1.2, 'Kelvin', 'DegreeCelsius')",
        ["result"],
        [[-271.95]],
    ),
    (
        "convert-volume-function.md#1",
        "print result = convert_volume(1.2, 'CubicMeter', 'AcreFoot')",
        ["result"],
        [[0.0009728558325478951]],
    ),
    # ------------------------------------------------------------------ column_names_of
    (
        "column-names-of-function.md#1",
        "let T = datatable(A:string, B:int) [];\nprint Columns=column_names_of(T)",
        ["Columns"],
        [[["A", "B"]]],
    ),
    (
        "column-names-of-function.md#2",
        'let MyFunction1 = () { print A="", B=1 };\nprint Columns=column_names_of(MyFunction1())',
        ["Columns"],
        [[["A", "B"]]],
    ),
    (
        "column-names-of-function.md#3",
        'let MyFunction1 = (param1:int) { print A="", B=1 };\nprint Columns=column_names_of(MyFunction1(1))',
        ["Columns"],
        [[["A", "B"]]],
    ),
]
