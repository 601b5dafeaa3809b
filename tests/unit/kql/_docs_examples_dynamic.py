"""Documented examples of the array, property-bag and aggregation pages (issue 14), as data.

Same form as ``_docs_examples.DOC_EXAMPLES``: (page#block, query, output column names, output rows),
the query of the page's n-th ``kusto`` code block and the output table printed under it, from the
Kusto documentation (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/<page>). The
treepath page has no code blocks, only a table of expressions and results: its rows are
``#table<n>``, each expression printed. Left out (listed in docs/differences.md): array_iff with ``datetime("01-01-2022")`` (#3, a
datetime text form this engine does not read yet), range over a year of datetimes (#2, the page
elides its output), repeat (#1, over an undefined table ``T``), make_bag/make_bag_if #2 (``evaluate
bag_unpack``) and variancep #1 (the page names its column ``variance_x``; Kusto.Language names it
``variancep_x``), percentilesw #3 and #4 (the page names the array column ``percentile_LatencyBucket``;
Kusto.Language names it ``percentiles_LatencyBucket``). Reals are compared to the 12 significant digits the pages print at least.
"""

from __future__ import annotations

from typing import Any

DOC_EXAMPLES_DYNAMIC: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "array-iff-function.md#1",
        "print condition=dynamic([true,false,true]), if_true=dynamic([1,2,3]), if_false=dynamic([4,5,6])\n"
        "| extend res= array_iff(condition, if_true, if_false)",
        ["condition", "if_true", "if_false", "res"],
        [[[True, False, True], [1, 2, 3], [4, 5, 6], [1, 5, 3]]],
    ),
    (
        "array-iff-function.md#2",
        'print condition=dynamic([1,0,50]), if_true="yes", if_false="no"\n'
        "| extend res= array_iff(condition, if_true, if_false)",
        ["condition", "if_true", "if_false", "res"],
        [[[1, 0, 50], "yes", "no", ["yes", "no", "yes"]]],
    ),
    (
        "array-iff-function.md#4",
        "print condition=dynamic([true,true,true]), if_true=dynamic([1,2]), if_false=dynamic([3,4])\n"
        "| extend res= array_iff(condition, if_true, if_false)",
        ["condition", "if_true", "if_false", "res"],
        [[[True, True, True], [1, 2], [3, 4], [1, 2, None]]],
    ),
    (
        "array-index-of-function.md#1",
        'let arr=dynamic(["this", "is", "an", "example", "an", "example"]);\n'
        "print\n"
        ' idx1 = array_index_of(arr,"an")    // lookup found in input string\n'
        ' , idx2 = array_index_of(arr,"example",1,3) // lookup found in researched range\n'
        ' , idx3 = array_index_of(arr,"example",1,2) // search starts from index 1, but stops after 2 values, so '
        "lookup can't be found\n"
        ' , idx4 = array_index_of(arr,"is",2,4) // search starts after occurrence of lookup\n'
        ' , idx5 = array_index_of(arr,"example",2,-1)  // lookup found\n'
        ' , idx6 = array_index_of(arr, "an", 1, -1, 2)   // second occurrence found in input range\n'
        ' , idx7 = array_index_of(arr, "an", 1, -1, 3)   // no third occurrence in input array\n'
        ' , idx8 = array_index_of(arr, "an", -3)   // negative start index will look at last 3 elements\n'
        ' , idx9 = array_index_of(arr, "is", -4)   // negative start index will look at last 3 elements',
        ["idx1", "idx2", "idx3", "idx4", "idx5", "idx6", "idx7", "idx8", "idx9"],
        [[2, 3, -1, -1, 3, 4, -1, 4, -1]],
    ),
    (
        "array-reverse-function.md#1",
        'print arr=dynamic(["this", "is", "an", "example"])\n| project Result=array_reverse(arr)',
        ["Result"],
        [[["example", "an", "is", "this"]]],
    ),
    (
        "array-rotate-left-function.md#1",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_rotated=array_rotate_left(arr, 2)",
        ["arr", "arr_rotated"],
        [[[1, 2, 3, 4, 5], [3, 4, 5, 1, 2]]],
    ),
    (
        "array-rotate-left-function.md#2",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_rotated=array_rotate_left(arr, -2)",
        ["arr", "arr_rotated"],
        [[[1, 2, 3, 4, 5], [4, 5, 1, 2, 3]]],
    ),
    (
        "array-rotate-right-function.md#1",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_rotated=array_rotate_right(arr, 2)",
        ["arr", "arr_rotated"],
        [[[1, 2, 3, 4, 5], [4, 5, 1, 2, 3]]],
    ),
    (
        "array-rotate-right-function.md#2",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_rotated=array_rotate_right(arr, -2)",
        ["arr", "arr_rotated"],
        [[[1, 2, 3, 4, 5], [3, 4, 5, 1, 2]]],
    ),
    (
        "array-shift-left-function.md#1",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_shift=array_shift_left(arr, 2)",
        ["arr", "arr_shift"],
        [[[1, 2, 3, 4, 5], [3, 4, 5, None, None]]],
    ),
    (
        "array-shift-left-function.md#2",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_shift=array_shift_left(arr, 2, -1)",
        ["arr", "arr_shift"],
        [[[1, 2, 3, 4, 5], [3, 4, 5, -1, -1]]],
    ),
    (
        "array-shift-left-function.md#3",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_shift=array_shift_left(arr, -2, -1)",
        ["arr", "arr_shift"],
        [[[1, 2, 3, 4, 5], [-1, -1, 1, 2, 3]]],
    ),
    (
        "array-shift-right-function.md#1",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_shift=array_shift_right(arr, 2)",
        ["arr", "arr_shift"],
        [[[1, 2, 3, 4, 5], [None, None, 1, 2, 3]]],
    ),
    (
        "array-shift-right-function.md#2",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_shift=array_shift_right(arr, 2, -1)",
        ["arr", "arr_shift"],
        [[[1, 2, 3, 4, 5], [-1, -1, 1, 2, 3]]],
    ),
    (
        "array-shift-right-function.md#3",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_shift=array_shift_right(arr, -2, -1)",
        ["arr", "arr_shift"],
        [[[1, 2, 3, 4, 5], [3, 4, 5, -1, -1]]],
    ),
    (
        "array-sort-asc-function.md#3",
        "datatable(command:string, command_time:datetime, user_id:string)\n"
        "[\n"
        "    'chmod',   datetime(2019-07-15),   \"user1\",\n"
        "    'ls',      datetime(2019-07-02),   \"user1\",\n"
        "    'dir',     datetime(2019-07-22),   \"user1\",\n"
        "    'mkdir',   datetime(2019-07-14),   \"user1\",\n"
        "    'rm',      datetime(2019-07-27),   \"user1\",\n"
        "    'pwd',     datetime(2019-07-25),   \"user1\",\n"
        "    'rm',      datetime(2019-07-23),   \"user2\",\n"
        "    'pwd',     datetime(2019-07-25),   \"user2\",\n"
        "]\n"
        "| summarize timestamps = make_list(command_time), commands = make_list(command) by user_id\n"
        "| project user_id, commands_in_chronological_order = array_sort_asc(timestamps, commands)[1]",
        ["user_id", "commands_in_chronological_order"],
        [["user1", ["ls", "mkdir", "chmod", "dir", "pwd", "rm"]], ["user2", ["rm", "pwd"]]],
    ),
    (
        "array-sort-asc-function.md#5",
        'print result=array_sort_asc(dynamic([null,"blue","yellow","green",null]), false)',
        ["result"],
        [[[None, None, "blue", "green", "yellow"]]],
    ),
    (
        "array-sort-desc-function.md#2",
        'let Names = "John,Paul,Jane,Kayo";\n'
        'let SortedNames = strcat_array(array_sort_desc(split(Names, ",")), ",");\n'
        "print result = SortedNames",
        ["result"],
        [["Paul,Kayo,John,Jane"]],
    ),
    (
        "array-sort-desc-function.md#3",
        "datatable(command:string, command_time:datetime, user_id:string)\n"
        "[\n"
        "    'chmod',   datetime(2019-07-15),   \"user1\",\n"
        "    'ls',      datetime(2019-07-02),   \"user1\",\n"
        "    'dir',     datetime(2019-07-22),   \"user1\",\n"
        "    'mkdir',   datetime(2019-07-14),   \"user1\",\n"
        "    'rm',      datetime(2019-07-27),   \"user1\",\n"
        "    'pwd',     datetime(2019-07-25),   \"user1\",\n"
        "    'rm',      datetime(2019-07-23),   \"user2\",\n"
        "    'pwd',     datetime(2019-07-25),   \"user2\",\n"
        "]\n"
        "| summarize timestamps = make_list(command_time), commands = make_list(command) by user_id\n"
        "| project user_id, commands_in_chronological_order = array_sort_desc(timestamps, commands)[1]",
        ["user_id", "commands_in_chronological_order"],
        [["user1", ["rm", "pwd", "dir", "chmod", "mkdir", "ls"]], ["user2", ["pwd", "rm"]]],
    ),
    (
        "array-sort-desc-function.md#4",
        'print result=array_sort_desc(dynamic([null,"blue","yellow","green",null]))',
        ["result"],
        [[["yellow", "green", "blue", None, None]]],
    ),
    (
        "array-sort-desc-function.md#5",
        'print result=array_sort_desc(dynamic([null,"blue","yellow","green",null]), false)',
        ["result"],
        [[[None, None, "yellow", "green", "blue"]]],
    ),
    (
        "array-split-function.md#1",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_split=array_split(arr, 2)",
        ["arr", "arr_split"],
        [[[1, 2, 3, 4, 5], [[1, 2], [3, 4, 5]]]],
    ),
    (
        "array-split-function.md#2",
        "print arr=dynamic([1,2,3,4,5])\n| extend arr_split=array_split(arr, dynamic([1,3]))",
        ["arr", "arr_split"],
        [[[1, 2, 3, 4, 5], [[1], [2, 3], [4, 5]]]],
    ),
    (
        "array-sum-function.md#1",
        "print arr=dynamic([1,2,3,4])\n| extend arr_sum=array_sum(arr)",
        ["arr", "arr_sum"],
        [[[1, 2, 3, 4], 10]],
    ),
    (
        "bag-remove-keys-function.md#1",
        "datatable(input:dynamic)\n"
        "[\n"
        "    dynamic({'key1' : 123,     'key2': 'abc'}),\n"
        "    dynamic({'key1' : 'value', 'key3': 42.0}),\n"
        "]\n"
        "| extend result=bag_remove_keys(input, dynamic(['key2', 'key4']))",
        ["input", "result"],
        [
            [{"key1": 123, "key2": "abc"}, {"key1": 123}],
            [{"key1": "value", "key3": 42.0}, {"key1": "value", "key3": 42.0}],
        ],
    ),
    (
        "bag-remove-keys-function.md#2",
        "datatable(input:dynamic)\n"
        "[\n"
        "    dynamic({'key1': 123, 'key2': {'prop1' : 'abc', 'prop2': 'xyz'}, 'key3': [100, 200]}),\n"
        "]\n"
        "| extend result=bag_remove_keys(input, dynamic(['$.key2.prop1', 'key3']))",
        ["input", "result"],
        [
            [
                {"key1": 123, "key2": {"prop1": "abc", "prop2": "xyz"}, "key3": [100, 200]},
                {"key1": 123, "key2": {"prop2": "xyz"}},
            ]
        ],
    ),
    (
        "bag-set-key-function.md#1",
        "datatable(input: dynamic) [\n"
        "    dynamic({'key1': 1, 'key2': 2}),\n"
        "    dynamic({'key1': 1, 'key3': 'abc'}),\n"
        "]\n"
        "| extend result = bag_set_key(input, 'key3', 3)",
        ["input", "result"],
        [
            [{"key1": 1, "key2": 2}, {"key1": 1, "key2": 2, "key3": 3}],
            [{"key1": 1, "key3": "abc"}, {"key1": 1, "key3": 3}],
        ],
    ),
    (
        "bag-set-key-function.md#2",
        "datatable(input: dynamic)[\n"
        "    dynamic({'key1': 123, 'key2': {'prop1': 123, 'prop2': 'xyz'}}),\n"
        "    dynamic({'key1': 123})\n"
        "]\n"
        "| extend result = bag_set_key(input, '$.key2.prop1', 'abc')",
        ["input", "result"],
        [
            [
                {"key1": 123, "key2": {"prop1": 123, "prop2": "xyz"}},
                {"key1": 123, "key2": {"prop1": "abc", "prop2": "xyz"}},
            ],
            [{"key1": 123}, {"key1": 123, "key2": {"prop1": "abc"}}],
        ],
    ),
    (
        "bag-zip.md#1",
        "let Data = datatable(KeysArray: dynamic, ValuesArray: dynamic) [\n"
        "    dynamic(['a', 'b', 'c']), dynamic([1, '2', 3.4])\n"
        "];\n"
        "Data\n"
        "| extend NewBag = bag_zip(KeysArray, ValuesArray)",
        ["KeysArray", "ValuesArray", "NewBag"],
        [[["a", "b", "c"], [1, "2", 3.4], {"a": 1, "b": "2", "c": 3.4}]],
    ),
    (
        "bag-zip.md#2",
        "let Data = datatable(KeysArray: dynamic, ValuesArray: dynamic) [\n"
        "    dynamic(['a', 'b', 'c']), dynamic([1, '2'])\n"
        "];\n"
        "Data\n"
        "| extend NewBag = bag_zip(KeysArray, ValuesArray)",
        ["KeysArray", "ValuesArray", "NewBag"],
        [[["a", "b", "c"], [1, "2"], {"a": 1, "b": "2", "c": None}]],
    ),
    (
        "bag-zip.md#3",
        "let Data = datatable(KeysArray: dynamic, ValuesArray: dynamic) [\n"
        "    dynamic(['a', 'b']), dynamic([1, '2', 2.5])\n"
        "];\n"
        "Data\n"
        "| extend NewBag = bag_zip(KeysArray, ValuesArray)",
        ["KeysArray", "ValuesArray", "NewBag"],
        [[["a", "b"], [1, "2", 2.5], {"a": 1, "b": "2"}]],
    ),
    (
        "bag-zip.md#4",
        "let Data = datatable(KeysArray: dynamic, ValuesArray: dynamic) [\n"
        "    dynamic(['a', 8, 'b']), dynamic([1, '2', 2.5])\n"
        "];\n"
        "Data\n"
        "| extend NewBag = bag_zip(KeysArray, ValuesArray)",
        ["KeysArray", "ValuesArray", "NewBag"],
        [[["a", 8, "b"], [1, "2", 2.5], {"a": 1, "b": 2.5}]],
    ),
    (
        "bag-zip.md#5",
        "let Data = datatable(KeysArray: dynamic, ValuesArray: dynamic) [\n"
        "    dynamic(['a', 8, 'b']), dynamic(1)\n"
        "];\n"
        "Data\n"
        "| extend NewBag = bag_zip(KeysArray, ValuesArray)",
        ["KeysArray", "ValuesArray", "NewBag"],
        [[["a", 8, "b"], 1, {"a": None, "b": None}]],
    ),
    (
        "bag-zip.md#6",
        "let Data = datatable(KeysArray: dynamic, ValuesArray: dynamic) [\n"
        "    dynamic('a'), dynamic([1, '2', 2.5])\n"
        "];\n"
        "Data\n"
        "| extend NewBag = bag_zip(KeysArray, ValuesArray)\n"
        "| extend IsNewBagEmpty=isnull(NewBag)",
        ["KeysArray", "ValuesArray", "NewBag", "IsNewBagEmpty"],
        [["a", [1, "2", 2.5], None, True]],
    ),
    (
        "jaccard-index-function.md#1",
        "print set1=dynamic([1,2,3]), set2=dynamic([1,2,3,4])\n| extend jaccard=jaccard_index(set1, set2)",
        ["set1", "set2", "jaccard"],
        [[[1, 2, 3], [1, 2, 3, 4], 0.75]],
    ),
    ("range-function.md#1", "print r = range(1, 8, 3)", ["r"], [[[1, 4, 7]]]),
    ("range-function.md#3", "print range(1, 3)", ["print_0"], [[[1, 2, 3]]]),
    (
        "range-function.md#4",
        "print range(1h, 5h)",
        ["print_0"],
        [[["01:00:00", "02:00:00", "03:00:00", "04:00:00", "05:00:00"]]],
    ),
    ("range-function.md#5", "print r = range(1,1000000000)\n| mv-expand r\n| count", ["Count"], [[1048576]]),
    (
        "set-difference-function.md#1",
        "range x from 1 to 3 step 1\n"
        "| extend y = x * 2\n"
        "| extend z = y * 2\n"
        "| extend w = z * 2\n"
        "| extend a1 = pack_array(x,y,x,z), a2 = pack_array(x, y), a3 = pack_array(x,y,w)\n"
        "| project set_difference(a1, a2, a3)",
        ["Column1"],
        [[[4]], [[8]], [[12]]],
    ),
    (
        "set-difference-function.md#2",
        "print arr = set_difference(dynamic([1,2,3]), dynamic([1,2,3]))",
        ["arr"],
        [[[]]],
    ),
    (
        "set-intersect-function.md#1",
        "range x from 1 to 3 step 1\n"
        "| extend y = x * 2\n"
        "| extend z = y * 2\n"
        "| extend w = z * 2\n"
        "| extend a1 = pack_array(x,y,x,z), a2 = pack_array(x, y), a3 = pack_array(w,x)\n"
        "| project set_intersect(a1, a2, a3)",
        ["Column1"],
        [[[1]], [[2]], [[3]]],
    ),
    (
        "set-intersect-function.md#2",
        "print arr = set_intersect(dynamic([1, 2, 3]), dynamic([4,5]))",
        ["arr"],
        [[[]]],
    ),
    (
        "set-union-function.md#1",
        "range x from 1 to 3 step 1\n"
        "| extend y = x * 2\n"
        "| extend z = y * 2\n"
        "| extend w = z * 2\n"
        "| extend a1 = pack_array(x,y,x,z), a2 = pack_array(x, y), a3 = pack_array(w)\n"
        "| project a1,a2,a3,Out=set_union(a1, a2, a3)",
        ["a1", "a2", "a3", "Out"],
        [
            [[1, 2, 1, 4], [1, 2], [8], [1, 2, 4, 8]],
            [[2, 4, 2, 8], [2, 4], [16], [2, 4, 8, 16]],
            [[3, 6, 3, 12], [3, 6], [24], [3, 6, 12, 24]],
        ],
    ),
    (
        "set-union-function.md#2",
        "datatable (Arr1: dynamic)\n"
        "[\n"
        "    dynamic(['A4', 'A2', 'A7', 'A2']),\n"
        "    dynamic(['C4', 'C7', 'C1', 'C4'])\n"
        "]\n"
        "| extend Out=set_union(Arr1, Arr1)",
        ["Arr1", "Out"],
        [[["A4", "A2", "A7", "A2"], ["A4", "A2", "A7"]], [["C4", "C7", "C1", "C4"], ["C4", "C7", "C1"]]],
    ),
    (
        "treepath-function.md#table1",
        'print treepath(parse_json(\'{"a":"b", "c":123}\'))',
        ["print_0"],
        [[["['a']", "['c']"]]],
    ),
    (
        "treepath-function.md#table2",
        'print treepath(parse_json(\'{"prop1":[1,2,3,4], "prop2":"value2"}\'))',
        ["print_0"],
        [[["['prop1']", "['prop1'][0]", "['prop2']"]]],
    ),
    (
        "treepath-function.md#table3",
        'print treepath(parse_json(\'{"listProperty":[100,200,300,"abcde",{"x":"y"}]}\'))',
        ["print_0"],
        [[["['listProperty']", "['listProperty'][0]", "['listProperty'][0]['x']"]]],
    ),
    (
        "bag-merge-function.md#1",
        "print result = bag_merge(\n"
        "   dynamic({'A1':12, 'B1':2, 'C1':3}),\n"
        "   dynamic({'A2':81, 'B2':82, 'A1':1}))",
        ["result"],
        [[{"A1": 12, "B1": 2, "C1": 3, "A2": 81, "B2": 82}]],
    ),
    (
        "bag-has-key-function.md#1",
        "datatable(input: dynamic)\n"
        "[\n"
        "    dynamic({'key1' : 123, 'key2': 'abc'}),\n"
        "    dynamic({'key1' : 123, 'key3': 'abc'}),\n"
        "]\n"
        "| extend result = bag_has_key(input, 'key2')",
        ["input", "result"],
        [[{"key1": 123, "key2": "abc"}, True], [{"key1": 123, "key3": "abc"}, False]],
    ),
    (
        "bag-has-key-function.md#2",
        "datatable(input: dynamic)\n"
        "[\n"
        "    dynamic({'key1': 123, 'key2': {'prop1' : 'abc', 'prop2': 'xyz'}, 'key3': [100, 200]}),\n"
        "]\n"
        "| extend result = bag_has_key(input, '$.key2.prop1')",
        ["input", "result"],
        [[{"key1": 123, "key2": {"prop1": "abc", "prop2": "xyz"}, "key3": [100, 200]}, True]],
    ),
    (
        "bag-keys-function.md#1",
        "datatable(index:long, d:dynamic) [\n"
        "    1, dynamic({'a':'b', 'c':123}),\n"
        "    2, dynamic({'a':'b', 'c':{'d':123}}),\n"
        "    3, dynamic({'a':'b', 'c':[{'d':123}]}),\n"
        "    4, dynamic(null),\n"
        "    5, dynamic({}),\n"
        "    6, dynamic('a'),\n"
        "    7, dynamic([])\n"
        "]\n"
        "| extend keys = bag_keys(d)",
        ["index", "d", "keys"],
        [
            [1, {"a": "b", "c": 123}, ["a", "c"]],
            [2, {"a": "b", "c": {"d": 123}}, ["a", "c"]],
            [3, {"a": "b", "c": [{"d": 123}]}, ["a", "c"]],
            [4, None, None],
            [5, {}, []],
            [6, "a", None],
            [7, [], None],
        ],
    ),
    (
        "array-sort-asc-function.md#1",
        "let array1 = dynamic([1,3,4,5,2]);\n"
        'let array2 = dynamic(["a","b","c","d","e"]);\n'
        "print array_sort_asc(array1,array2)",
        ["array1_sorted", "array2_sorted"],
        [[[1, 2, 3, 4, 5], ["a", "e", "b", "c", "d"]]],
    ),
    (
        "array-sort-desc-function.md#1",
        "let array1 = dynamic([1,3,4,5,2]);\n"
        'let array2 = dynamic(["a","b","c","d","e"]);\n'
        "print array_sort_desc(array1,array2)",
        ["array1_sorted", "array2_sorted"],
        [[[5, 4, 3, 2, 1], ["d", "c", "b", "e", "a"]]],
    ),
]

# Aggregation pages: only those with self-contained examples (most run over the Samples database).
DOC_EXAMPLES_AGGREGATES: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "arg-max-aggregation-function.md#3",
        "datatable(Fruit: string, Color: string, Version: int) [\n"
        '    "Apple", "Red", 1,\n'
        '    "Apple", "Green", int(null),\n'
        '    "Banana", "Yellow", int(null),\n'
        '    "Banana", "Green", int(null),\n'
        '    "Pear", "Brown", 1,\n'
        '    "Pear", "Green", 2,\n'
        "]\n"
        "| summarize arg_max(Version, *) by Fruit",
        ["Fruit", "Version", "Color"],
        [["Apple", 1, "Red"], ["Banana", None, "Yellow"], ["Pear", 2, "Green"]],
    ),
    (
        "arg-min-aggregation-function.md#3",
        "datatable(Fruit: string, Color: string, Version: int) [\n"
        '    "Apple", "Red", 1,\n'
        '    "Apple", "Green", int(null),\n'
        '    "Banana", "Yellow", int(null),\n'
        '    "Banana", "Green", int(null),\n'
        '    "Pear", "Brown", 1,\n'
        '    "Pear", "Green", 2,\n'
        "]\n"
        "| summarize arg_min(Version, *) by Fruit",
        ["Fruit", "Version", "Color"],
        [["Apple", 1, "Red"], ["Banana", None, "Yellow"], ["Pear", 1, "Brown"]],
    ),
    (
        "make-bag-aggregation-function.md#1",
        "let T = datatable(prop:string, value:string)\n"
        "[\n"
        '    "prop01", "val_a",\n'
        '    "prop02", "val_b",\n'
        '    "prop03", "val_c",\n'
        "];\n"
        "T\n"
        "| extend p = bag_pack(prop, value)\n"
        "| summarize dict=make_bag(p)",
        ["dict"],
        [[{"prop01": "val_a", "prop02": "val_b", "prop03": "val_c"}]],
    ),
    (
        "make-bag-if-aggregation-function.md#1",
        "let T = datatable(prop:string, value:string, predicate:bool)\n"
        "[\n"
        '    "prop01", "val_a", true,\n'
        '    "prop02", "val_b", false,\n'
        '    "prop03", "val_c", true\n'
        "];\n"
        "T\n"
        "| extend p = bag_pack(prop, value)\n"
        "| summarize dict=make_bag_if(p, predicate)",
        ["dict"],
        [[{"prop01": "val_a", "prop03": "val_c"}]],
    ),
    (
        "make-list-if-aggregation-function.md#1",
        "let T = datatable(name:string, day_of_birth:long)\n"
        "[\n"
        '   "John", 9,\n'
        '   "Paul", 18,\n'
        '   "George", 25,\n'
        '   "Ringo", 7\n'
        "];\n"
        "T\n"
        "| summarize make_list_if(name, strlen(name) > 4)",
        ["list_name"],
        [[["George", "Ringo"]]],
    ),
    (
        "make-list-with-nulls-aggregation-function.md#1",
        "let shapes = datatable (name:string , sideCount: int)\n"
        "[\n"
        '    "triangle", int(null),\n'
        '    "square", 4,\n'
        '    "rectangle", 4,\n'
        '    "pentagon", 5,\n'
        '    "hexagon", 6,\n'
        '    "heptagon", 7,\n'
        '    "octagon", 8,\n'
        '    "nonagon", 9,\n'
        '    "decagon", 10\n'
        "];\n"
        "shapes\n"
        "| summarize mylist = make_list_with_nulls(sideCount)",
        ["mylist"],
        [[[None, 4, 4, 5, 6, 7, 8, 9, 10]]],
    ),
    (
        "make-set-if-aggregation-function.md#1",
        "let T = datatable(name:string, day_of_birth:long)\n"
        "[\n"
        '   "John", 9,\n'
        '   "Paul", 18,\n'
        '   "George", 25,\n'
        '   "Ringo", 7\n'
        "];\n"
        "T\n"
        "| summarize make_set_if(name, strlen(name) > 4)",
        ["set_name"],
        [[["George", "Ringo"]]],
    ),
    (
        "stdev-aggregation-function.md#1",
        "range x from 1 to 5 step 1\n| summarize make_list(x), stdev(x)",
        ["list_x", "stdev_x"],
        [[[1, 2, 3, 4, 5], 1.58113883008419]],
    ),
    (
        "stdevif-aggregation-function.md#1",
        "range x from 1 to 100 step 1\n| summarize stdevif(x, x % 2 == 0)",
        ["stdevif_x"],
        [[29.1547594742265]],
    ),
    (
        "stdevp-aggregation-function.md#1",
        "range x from 1 to 5 step 1\n| summarize make_list(x), stdevp(x)",
        ["list_x", "stdevp_x"],
        [[[1, 2, 3, 4, 5], 1.4142135623731]],
    ),
    (
        "variance-aggregation-function.md#1",
        "range x from 1 to 5 step 1\n| summarize make_list(x), variance(x)",
        ["list_x", "variance_x"],
        [[[1, 2, 3, 4, 5], 2.5]],
    ),
    (
        "varianceif-aggregation-function.md#1",
        "range x from 1 to 100 step 1\n| summarize varianceif(x, x%2 == 0)",
        ["varianceif_x"],
        [[850]],
    ),
    (
        "percentilesw-aggregation-function.md#2",
        "let latencyTable = datatable (ReqCount:long, LatencyBucket:long)\n"
        "[\n"
        "    8, 10,\n"
        "    6, 20,\n"
        "    3, 30,\n"
        "    1, 40\n"
        "];\n"
        "latencyTable\n"
        "| summarize percentilesw(LatencyBucket, ReqCount, 50, 75, 99.9)",
        ["percentile_LatencyBucket_50", "percentile_LatencyBucket_75", "percentile_LatencyBucket_99_9"],
        [[20, 20, 40]],
    ),
]

# Bags built from the row (special forms) and buildschema.
DOC_EXAMPLES_ROW_BAGS: list[tuple[str, str, list[str], list[list[Any]]]] = [
    (
        "pack-all-function.md#1",
        "datatable(Source:string,Target:string,CharsCount:long)\n"
        "[\n"
        "'555-1234','555-1212',46,\n"
        "'555-1234','555-1213',50,\n"
        "'555-1313','',42,\n"
        "'','555-3456',74\n"
        "]\n"
        "| extend Packed=pack_all(), PackedIgnoreNullEmpty=pack_all(true)",
        ["Source", "Target", "CharsCount", "Packed", "PackedIgnoreNullEmpty"],
        [
            [
                "555-1234",
                "555-1212",
                46,
                {"Source": "555-1234", "Target": "555-1212", "CharsCount": 46},
                {"Source": "555-1234", "Target": "555-1212", "CharsCount": 46},
            ],
            [
                "555-1234",
                "555-1213",
                50,
                {"Source": "555-1234", "Target": "555-1213", "CharsCount": 50},
                {"Source": "555-1234", "Target": "555-1213", "CharsCount": 50},
            ],
            [
                "555-1313",
                "",
                42,
                {"Source": "555-1313", "Target": "", "CharsCount": 42},
                {"Source": "555-1313", "CharsCount": 42},
            ],
            [
                "",
                "555-3456",
                74,
                {"Source": "", "Target": "555-3456", "CharsCount": 74},
                {"Target": "555-3456", "CharsCount": 74},
            ],
        ],
    ),
    (
        "bag-pack-columns-function.md#1",
        "datatable(Id: string, Value: string, Other: long)\n"
        "[\n"
        '    "A", "val_a", 1,\n'
        '    "B", "val_b", 2,\n'
        '    "C", "val_c", 3\n'
        "]\n"
        "| extend Packed = bag_pack_columns(Id, Value)",
        ["Id", "Value", "Other", "Packed"],
        [
            ["A", "val_a", 1, {"Id": "A", "Value": "val_a"}],
            ["B", "val_b", 2, {"Id": "B", "Value": "val_b"}],
            ["C", "val_c", 3, {"Id": "C", "Value": "val_c"}],
        ],
    ),
    (
        "buildschema-aggregation-function.md#1",
        "datatable(value: dynamic) [\n"
        '    dynamic({"x":1, "y":3.5}),\n'
        '    dynamic({"x":"somevalue", "z":[1, 2, 3]}),\n'
        '    dynamic({"y":{"w":"zzz"}, "t":["aa", "bb"], "z":["foo"]})\n'
        "]\n"
        "| summarize buildschema(value)",
        ["schema_value"],
        [
            [
                {
                    "x": ["long", "string"],
                    "y": ["double", {"w": "string"}],
                    "z": {"`indexer`": ["long", "string"]},
                    "t": {"`indexer`": "string"},
                }
            ]
        ],
    ),
]
