"""Conformance with the Kusto documentation: its self-contained examples answer what the pages show.

Each case is a query and its output table transcribed from one page of the Kusto documentation
(MicrosoftDocs/dataexplorer-docs, under data-explorer/kusto/query/; the case id names the page and
the example's position on it). Column types are not printed on the pages: they are the declared
``datatable`` types and each function's documented return type. Examples the engine does not answer
yet are left out and listed in docs/differences.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pytest

from azlogs.kql import MemoryProvider, run_query
from tests.unit.kql._docs_examples import DOC_EXAMPLES
from tests.unit.kql._docs_examples_dynamic import (
    DOC_EXAMPLES_AGGREGATES,
    DOC_EXAMPLES_DYNAMIC,
    DOC_EXAMPLES_ROW_BAGS,
)
from tests.unit.kql._docs_examples_functions import DOC_EXAMPLES_FUNCTIONS
from tests.unit.kql._docs_examples_geo_cells import DOC_EXAMPLES_GEO_CELLS
from tests.unit.kql._docs_examples_geo_shapes import DOC_EXAMPLES_GEO_SHAPES
from tests.unit.kql._docs_examples_graph import DOC_EXAMPLES_GRAPH
from tests.unit.kql._docs_examples_more import DOC_EXAMPLES_MORE
from tests.unit.kql._docs_examples_plugins import DOC_EXAMPLES_PLUGINS
from tests.unit.kql._docs_examples_scalar import DOC_EXAMPLES_SCALAR
from tests.unit.kql._docs_examples_series import DOC_EXAMPLES_SERIES
from tests.unit.kql._docs_examples_tabular import DOC_EXAMPLES_TABULAR
from tests.unit.kql._helpers import FIXED_NOW, plain


@dataclass(frozen=True)
class Case:
    """One documented example: the query, its output columns (name, type) and rows."""

    page: str
    query: str
    columns: list[tuple[str, str]]
    rows: list[list[Any]]


S, L, B, D = "string", "long", "bool", "dynamic"
T, F = True, False

# Rows of the IPv4/IPv6 comparison pages that compare equal ("IP-prefix notation specified inside the
# strings"), shared by ipv4-compare / ipv4-is-match and by ipv6-compare / ipv6-is-match.
_V4_PAIRS = """datatable(ip1_string:string, ip2_string:string)
[
 '192.168.1.0',    '192.168.1.0',       // Equal IPs
 '192.168.1.1/24', '192.168.1.255',     // 24 bit IP-prefix is used for comparison
 '192.168.1.1',    '192.168.1.255/24',  // 24 bit IP-prefix is used for comparison
 '192.168.1.1/30', '192.168.1.255/24',  // 24 bit IP-prefix is used for comparison
]
"""
_V4_PAIR_ROWS = [
    ["192.168.1.0", "192.168.1.0"],
    ["192.168.1.1/24", "192.168.1.255"],
    ["192.168.1.1", "192.168.1.255/24"],
    ["192.168.1.1/30", "192.168.1.255/24"],
]
_V4_PREFIX = """datatable(ip1_string:string, ip2_string:string, prefix:long)
[
 '192.168.1.1',    '192.168.1.0',   31, // 31 bit IP-prefix is used for comparison
 '192.168.1.1/24', '192.168.1.255', 31, // 24 bit IP-prefix is used for comparison
 '192.168.1.1',    '192.168.1.255', 24, // 24 bit IP-prefix is used for comparison
]
"""
_V4_PREFIX_ROWS = [
    ["192.168.1.1", "192.168.1.0", 31],
    ["192.168.1.1/24", "192.168.1.255", 31],
    ["192.168.1.1", "192.168.1.255", 24],
]
_V6_PAIRS = """datatable(ip1_string:string, ip2_string:string)
[
 // IPv4 are compared as IPv6 addresses
 '192.168.1.1',    '192.168.1.1',       // Equal IPs
 '192.168.1.1/24', '192.168.1.255',     // 24 bit IP4-prefix is used for comparison
 '192.168.1.1',    '192.168.1.255/24',  // 24 bit IP4-prefix is used for comparison
 '192.168.1.1/30', '192.168.1.255/24',  // 24 bit IP4-prefix is used for comparison
  // IPv6 cases
 'fe80::85d:e82c:9446:7994', 'fe80::85d:e82c:9446:7994',         // Equal IPs
 'fe80::85d:e82c:9446:7994/120', 'fe80::85d:e82c:9446:7998',     // 120 bit IP6-prefix is used for comparison
 'fe80::85d:e82c:9446:7994', 'fe80::85d:e82c:9446:7998/120',     // 120 bit IP6-prefix is used for comparison
 'fe80::85d:e82c:9446:7994/120', 'fe80::85d:e82c:9446:7998/120', // 120 bit IP6-prefix is used for comparison
 // Mixed case of IPv4 and IPv6
 '192.168.1.1',      '::ffff:c0a8:0101', // Equal IPs
 '192.168.1.1/24',   '::ffff:c0a8:01ff', // 24 bit IP-prefix is used for comparison
 '::ffff:c0a8:0101', '192.168.1.255/24', // 24 bit IP-prefix is used for comparison
 '::192.168.1.1/30', '192.168.1.255/24', // 24 bit IP-prefix is used for comparison
]
"""
_V6_PAIR_ROWS = [
    ["192.168.1.1", "192.168.1.1"],
    ["192.168.1.1/24", "192.168.1.255"],
    ["192.168.1.1", "192.168.1.255/24"],
    ["192.168.1.1/30", "192.168.1.255/24"],
    ["fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7994"],
    ["fe80::85d:e82c:9446:7994/120", "fe80::85d:e82c:9446:7998"],
    ["fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7998/120"],
    ["fe80::85d:e82c:9446:7994/120", "fe80::85d:e82c:9446:7998/120"],
    ["192.168.1.1", "::ffff:c0a8:0101"],
    ["192.168.1.1/24", "::ffff:c0a8:01ff"],
    ["::ffff:c0a8:0101", "192.168.1.255/24"],
    ["::192.168.1.1/30", "192.168.1.255/24"],
]
_V6_PREFIX = """datatable(ip1_string:string, ip2_string:string, prefix:long)
[
 // IPv4 are compared as IPv6 addresses
 '192.168.1.1',    '192.168.1.0',   31, // 31 bit IP4-prefix is used for comparison
 '192.168.1.1/24', '192.168.1.255', 31, // 24 bit IP4-prefix is used for comparison
 '192.168.1.1',    '192.168.1.255', 24, // 24 bit IP4-prefix is used for comparison
   // IPv6 cases
 'fe80::85d:e82c:9446:7994', 'fe80::85d:e82c:9446:7995',     127, // 127 bit IP6-prefix is used for comparison
 'fe80::85d:e82c:9446:7994/127', 'fe80::85d:e82c:9446:7998', 120, // 120 bit IP6-prefix is used for comparison
 'fe80::85d:e82c:9446:7994/120', 'fe80::85d:e82c:9446:7998', 127, // 120 bit IP6-prefix is used for comparison
 // Mixed case of IPv4 and IPv6
 '192.168.1.1/24',   '::ffff:c0a8:01ff', 127, // 127 bit IP6-prefix is used for comparison
 '::ffff:c0a8:0101', '192.168.1.255',    120, // 120 bit IP6-prefix is used for comparison
 '::192.168.1.1/30', '192.168.1.255/24', 127, // 120 bit IP6-prefix is used for comparison
]
"""
_V6_PREFIX_ROWS = [
    ["192.168.1.1", "192.168.1.0", 31],
    ["192.168.1.1/24", "192.168.1.255", 31],
    ["192.168.1.1", "192.168.1.255", 24],
    ["fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7995", 127],
    ["fe80::85d:e82c:9446:7994/127", "fe80::85d:e82c:9446:7998", 120],
    ["fe80::85d:e82c:9446:7994/120", "fe80::85d:e82c:9446:7998", 127],
    ["192.168.1.1/24", "::ffff:c0a8:01ff", 127],
    ["::ffff:c0a8:0101", "192.168.1.255", 120],
    ["::192.168.1.1/30", "192.168.1.255/24", 127],
]
_PAIR_COLS = [("ip1_string", S), ("ip2_string", S)]
_PREFIX_COLS = [*_PAIR_COLS, ("prefix", L)]
_LOG = "'05:04:54 127.0.0.1 GET /favicon.ico 404'"
_LOG_BAD_IP = "'05:04:54 127.0.0.256 GET /favicon.ico 404'"
_LOG_UNDELIMITED = "'05:04:54127.0.0.1 GET /favicon.ico 404'"
_FORMAT_V4 = """datatable(address:string, mask:long)
[
 '192.168.1.1', 24,
 '192.168.1.1', 32,
 '192.168.1.1/24', 32,
 '192.168.1.1/24', long(-1),
]
| extend result = format_ipv4(address, mask),
         result_mask = format_ipv4_mask(address, mask)"""
_FORMAT_V4_ROWS = [
    ["192.168.1.1", 24, "192.168.1.0", "192.168.1.0/24"],
    ["192.168.1.1", 32, "192.168.1.1", "192.168.1.1/32"],
    ["192.168.1.1/24", 32, "192.168.1.0", "192.168.1.0/24"],
    ["192.168.1.1/24", -1, "", ""],
]
_FORMAT_V4_COLS = [("address", S), ("mask", L), ("result", S), ("result_mask", S)]


def _res(rows: list[list[Any]], value: Any) -> list[list[Any]]:
    return [[*r, value] for r in rows]


def _print(expr: str, value: Any, typ: str = B) -> tuple[str, list[tuple[str, str]], list[list[Any]]]:
    return f"print result={expr}", [("result", typ)], [[value]]


CASES: list[Case] = [
    # ------------------------------------------------------------------ IPv4
    Case(
        "ipv4-is-private-function.md#1",
        "print a=ipv4_is_private('192.168.1.1/24'), b=ipv4_is_private('10.1.2.3/24'), "
        "c=ipv4_is_private('202.1.2.3'), d=ipv4_is_private(\"127.0.0.1\")",
        [("a", B), ("b", B), ("c", B), ("d", B)],
        [[T, T, F, F]],
    ),
    Case(
        "ipv4-is-private-function.md#2",
        "datatable(ip_string:string)\n[\n '10.1.2.3',\n '192.168.1.1/24',\n '127.0.0.1',\n]\n"
        "| extend result = ipv4_is_private(ip_string)",
        [("ip_string", S), ("result", B)],
        [["10.1.2.3", T], ["192.168.1.1/24", T], ["127.0.0.1", F]],
    ),
    Case(
        "ipv4-is-in-range-function.md#1",
        "datatable(ip_address:string, ip_range:string)\n[\n"
        " '192.168.1.1',    '192.168.1.1',       // Equal IPs\n"
        " '192.168.1.1',    '192.168.1.255/24',  // 24 bit IP-prefix is used for comparison\n]\n"
        "| extend result = ipv4_is_in_range(ip_address, ip_range)",
        [("ip_address", S), ("ip_range", S), ("result", B)],
        [["192.168.1.1", "192.168.1.1", T], ["192.168.1.1", "192.168.1.255/24", T]],
    ),
    Case(
        "ipv4-is-in-any-range-function.md#1",
        *_print("ipv4_is_in_any_range('192.168.1.6', '192.168.1.1/24', '10.0.0.1/8', '127.1.0.1/16')", T),
    ),
    Case(
        "ipv4-is-in-any-range-function.md#2",
        *_print('ipv4_is_in_any_range("127.0.0.1", dynamic(["127.0.0.1", "192.168.1.1"]))', T),
    ),
    Case(
        "ipv4-is-in-any-range-function.md#3",
        'let LocalNetworks=dynamic([\n    "192.168.1.1/16",\n    "127.0.0.1/8",\n    "10.0.0.1/8"\n]);\n'
        'let IPs=datatable(IP:string) [\n    "10.1.2.3",\n    "192.168.1.5",\n    "123.1.11.21",\n'
        '    "1.1.1.1"\n];\nIPs\n| extend IsLocal=ipv4_is_in_any_range(IP, LocalNetworks)',
        [("IP", S), ("IsLocal", B)],
        [["10.1.2.3", T], ["192.168.1.5", T], ["123.1.11.21", F], ["1.1.1.1", F]],
    ),
    Case(
        "ipv4-is-match-function.md#1",
        "print ipv4_is_match('192.168.1.1/24', '192.168.1.255')",
        [("print_0", B)],
        [[T]],
    ),
    Case(
        "ipv4-is-match-function.md#2",
        _V4_PAIRS + "| extend result = ipv4_is_match(ip1_string, ip2_string)",
        [*_PAIR_COLS, ("result", B)],
        _res(_V4_PAIR_ROWS, T),
    ),
    Case(
        "ipv4-is-match-function.md#3",
        _V4_PREFIX + "| extend result = ipv4_is_match(ip1_string, ip2_string, prefix)",
        [*_PREFIX_COLS, ("result", B)],
        _res(_V4_PREFIX_ROWS, T),
    ),
    Case(
        "ipv4-compare-function.md#1",
        _V4_PAIRS + "| extend result = ipv4_compare(ip1_string, ip2_string)",
        [*_PAIR_COLS, ("result", L)],
        _res(_V4_PAIR_ROWS, 0),
    ),
    Case(
        "ipv4-compare-function.md#2",
        _V4_PREFIX + "| extend result = ipv4_compare(ip1_string, ip2_string, prefix)",
        [*_PREFIX_COLS, ("result", L)],
        _res(_V4_PREFIX_ROWS, 0),
    ),
    Case(
        "parse-ipv4-function.md#1",
        "datatable(ip_string: string)\n[\n    '192.168.1.1', '192.168.1.1/24', '255.255.255.255/31'\n]\n"
        "| extend ip_long = parse_ipv4(ip_string)",
        [("ip_string", S), ("ip_long", L)],
        [["192.168.1.1", 3232235777], ["192.168.1.1/24", 3232235776], ["255.255.255.255/31", 4294967294]],
    ),
    Case("format-ipv4-function.md#1", _FORMAT_V4, _FORMAT_V4_COLS, _FORMAT_V4_ROWS),
    Case("format-ipv4-mask-function.md#1", _FORMAT_V4, _FORMAT_V4_COLS, _FORMAT_V4_ROWS),
    Case(
        "ipv4-netmask-suffix-function.md#1",
        "datatable(ip_string:string)\n[\n '10.1.2.3',\n '192.168.1.1/24',\n '127.0.0.1/16',\n]\n"
        "| extend cidr_suffix = ipv4_netmask_suffix(ip_string)",
        [("ip_string", S), ("cidr_suffix", L)],
        [["10.1.2.3", 32], ["192.168.1.1/24", 24], ["127.0.0.1/16", 16]],
    ),
    Case(
        "ipv4-range-to-cidr-list-function.md#1",
        'print start_IP="1.1.128.0", end_IP="1.1.140.255"\n'
        " | project ipv4_range_list = ipv4_range_to_cidr_list(start_IP, end_IP)",
        [("ipv4_range_list", D)],
        [[["1.1.128.0/21", "1.1.136.0/22", "1.1.140.0/24"]]],
    ),
    # ------------------------------------------------------------------ IPv4 text match
    Case("has-ipv4-function.md#1", *_print(f"has_ipv4({_LOG}, '127.0.0.1')", T)),
    Case("has-ipv4-function.md#2", *_print(f"has_ipv4({_LOG_BAD_IP}, '127.0.0.256')", F)),
    Case("has-ipv4-function.md#3", *_print(f"has_ipv4({_LOG_UNDELIMITED}, '127.0.0.1')", F)),
    Case("has-ipv4-prefix-function.md#1", *_print(f"has_ipv4_prefix({_LOG}, '127.0.')", T)),
    Case("has-ipv4-prefix-function.md#2", *_print(f"has_ipv4_prefix({_LOG}, '127.0')", F)),
    Case("has-ipv4-prefix-function.md#3", *_print(f"has_ipv4_prefix({_LOG_BAD_IP}, '127.0.')", F)),
    Case("has-ipv4-prefix-function.md#4", *_print(f"has_ipv4_prefix({_LOG_UNDELIMITED}, '127.0.')", F)),
    Case("has-any-ipv4-function.md#1", *_print(f"has_any_ipv4({_LOG}, '127.0.0.1', '127.0.0.2')", T)),
    Case(
        "has-any-ipv4-function.md#2",
        *_print(f"has_any_ipv4({_LOG}, dynamic(['127.0.0.1', '127.0.0.2']))", T),
    ),
    Case(
        "has-any-ipv4-function.md#3",
        *_print(f'has_any_ipv4({_LOG_BAD_IP}, dynamic(["127.0.0.256", "192.168.1.1"]))', F),
    ),
    Case(
        "has-any-ipv4-function.md#4",
        *_print(
            f"has_any_ipv4({_LOG_UNDELIMITED}, '127.0.0.1', '192.168.1.1') // false, improperly delimited IP address",
            F,
        ),
    ),
    Case(
        "has-any-ipv4-prefix-function.md#1",
        *_print(f"has_any_ipv4_prefix({_LOG}, '127.0.', '192.168.') // true", T),
    ),
    Case(
        "has-any-ipv4-prefix-function.md#2",
        *_print(f'has_any_ipv4_prefix({_LOG}, dynamic(["127.0.", "192.168."]))', T),
    ),
    Case("has-any-ipv4-prefix-function.md#3", *_print(f"has_any_ipv4_prefix({_LOG}, '127.0')", F)),
    Case(
        "has-any-ipv4-prefix-function.md#4",
        *_print(f"has_any_ipv4_prefix({_LOG_UNDELIMITED}, '127.0.', '192.')", F),
    ),
    # ------------------------------------------------------------------ IPv6
    Case(
        "parse-ipv6-function.md#1",
        "datatable(ipv4: string)\n[\n    '192.168.255.255', '192.168.255.255/24', '255.255.255.255'\n]\n"
        "| extend ipv6 = parse_ipv6(ipv4)",
        [("ipv4", S), ("ipv6", S)],
        [
            ["192.168.255.255", "0000:0000:0000:0000:0000:ffff:c0a8:ffff"],
            ["192.168.255.255/24", "0000:0000:0000:0000:0000:ffff:c0a8:ff00"],
            ["255.255.255.255", "0000:0000:0000:0000:0000:ffff:ffff:ffff"],
        ],
    ),
    Case(
        "parse-ipv6-mask-function.md#1",
        "datatable(ip_string: string, netmask: long)\n[\n"
        "    // IPv4 addresses\n"
        "    '192.168.255.255', 120,  // 120-bit netmask is used\n"
        "    '192.168.255.255/24', 124,  // 120-bit netmask is used, as IPv4 address doesn't use upper 8 bits\n"
        "    '255.255.255.255', 128,  // 128-bit netmask is used\n"
        "    // IPv6 addresses\n"
        "    'fe80::85d:e82c:9446:7994', 128,     // 128-bit netmask is used\n"
        "    'fe80::85d:e82c:9446:7994/120', 124, // 120-bit netmask is used\n"
        "    // IPv6 with IPv4 notation\n"
        "    '::192.168.255.255', 128,  // 128-bit netmask is used\n"
        "    '::192.168.255.255/24', 128,  // 120-bit netmask is used, as IPv4 address doesn't use upper 8 bits\n"
        "]\n| extend ip6_canonical = parse_ipv6_mask(ip_string, netmask)",
        [("ip_string", S), ("netmask", L), ("ip6_canonical", S)],
        [
            ["192.168.255.255", 120, "0000:0000:0000:0000:0000:ffff:c0a8:ff00"],
            ["192.168.255.255/24", 124, "0000:0000:0000:0000:0000:ffff:c0a8:ff00"],
            ["255.255.255.255", 128, "0000:0000:0000:0000:0000:ffff:ffff:ffff"],
            ["fe80::85d:e82c:9446:7994", 128, "fe80:0000:0000:0000:085d:e82c:9446:7994"],
            ["fe80::85d:e82c:9446:7994/120", 124, "fe80:0000:0000:0000:085d:e82c:9446:7900"],
            ["::192.168.255.255", 128, "0000:0000:0000:0000:0000:ffff:c0a8:ffff"],
            ["::192.168.255.255/24", 128, "0000:0000:0000:0000:0000:ffff:c0a8:ff00"],
        ],
    ),
    Case(
        "ipv6-compare-function.md#1",
        _V6_PAIRS + "| extend result = ipv6_compare(ip1_string, ip2_string)",
        [*_PAIR_COLS, ("result", L)],
        _res(_V6_PAIR_ROWS, 0),
    ),
    Case(
        "ipv6-compare-function.md#2",
        _V6_PREFIX + "| extend result = ipv6_compare(ip1_string, ip2_string, prefix)",
        [*_PREFIX_COLS, ("result", L)],
        _res(_V6_PREFIX_ROWS, 0),
    ),
    # The page prints the bool results as 1.
    Case(
        "ipv6-is-match-function.md#1",
        _V6_PAIRS + "| extend result = ipv6_is_match(ip1_string, ip2_string)",
        [*_PAIR_COLS, ("result", B)],
        _res(_V6_PAIR_ROWS, T),
    ),
    Case(
        "ipv6-is-match-function.md#2",
        _V6_PREFIX + "| extend result = ipv6_is_match(ip1_string, ip2_string, prefix)",
        [*_PREFIX_COLS, ("result", B)],
        _res(_V6_PREFIX_ROWS, T),
    ),
    Case(
        "ipv6-is-in-range-function.md#1",
        "datatable(ip_address:string, ip_range:string)\n[\n"
        " 'a5e:f127:8a9d:146d:e102:b5d3:c755:abcd',    'a5e:f127:8a9d:146d:e102:b5d3:c755:0000/112',\n"
        " 'a5e:f127:8a9d:146d:e102:b5d3:c755:abcd',    'a5e:f127:8a9d:146d:e102:b5d3:c755:abcd',\n"
        " 'a5e:f127:8a9d:146d:e102:b5d3:c755:abcd',    '0:0:0:0:0:ffff:c0a8:ac/60',\n]\n"
        "| extend result = ipv6_is_in_range(ip_address, ip_range)",
        [("ip_address", S), ("ip_range", S), ("result", B)],
        [
            ["a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", "a5e:f127:8a9d:146d:e102:b5d3:c755:0000/112", T],
            ["a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", "a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", T],
            ["a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", "0:0:0:0:0:ffff:c0a8:ac/60", F],
        ],
    ),
    Case(
        "ipv6-is-in-any-range-function.md#1",
        'let LocalNetworks=dynamic([\n    "a5e:f127:8a9d:146d:e102:b5d3:c755:f6cd/112",\n'
        '    "0:0:0:0:0:ffff:c0a8:ac/60"\n]);\nlet IPs=datatable(IP:string) [\n'
        '    "a5e:f127:8a9d:146d:e102:b5d3:c755:abcd",\n    "a5e:f127:8a9d:146d:e102:b5d3:c755:abce",\n'
        '    "a5e:f127:8a9d:146d:e102:b5d3:c755:abcf",\n    "a5e:f127:8a9d:146d:e102:b5d3:c756:abd1",\n];\n'
        "IPs\n| extend IsLocal=ipv6_is_in_any_range(IP, LocalNetworks)",
        [("IP", S), ("IsLocal", B)],
        [
            ["a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", T],
            ["a5e:f127:8a9d:146d:e102:b5d3:c755:abce", T],
            ["a5e:f127:8a9d:146d:e102:b5d3:c755:abcf", T],
            ["a5e:f127:8a9d:146d:e102:b5d3:c756:abd1", F],
        ],
    ),
    Case(
        "geo-info-from-ip-address-function.md#1",
        "print ip_location=geo_info_from_ip_address('20.53.203.50')",
        [("ip_location", D)],
        [
            [
                {
                    "country": "Australia",
                    "state": "New South Wales",
                    "city": "Sydney",
                    "latitude": -33.8715,
                    "longitude": 151.2006,
                }
            ]
        ],
    ),
    Case(
        "geo-info-from-ip-address-function.md#2",
        "print ip_location=geo_info_from_ip_address('2a03:2880:f12c:83:face:b00c::25de')",
        [("ip_location", D)],
        [
            [
                {
                    "country": "United States",
                    "state": "Florida",
                    "city": "Boca Raton",
                    "latitude": 26.3594,
                    "longitude": -80.0771,
                }
            ]
        ],
    ),
    # ------------------------------------------------------------------ hash
    Case("hash-function.md#1", *_print('hash("World")', 1846988464401551951, L)),
    Case("hash-function.md#2", *_print('hash("World", 100)', 51, L)),
    Case("hash-xxhash64-function.md#1", *_print('hash_xxhash64("World")', 1846988464401551951, L)),
    Case("hash-xxhash64-function.md#2", *_print('hash_xxhash64("World", 100)', 51, L)),
    Case(
        "hash-md5-function.md#1",
        'print \nh1=hash_md5("World"),\nh2=hash_md5(datetime(2020-01-01))',
        [("h1", S), ("h2", S)],
        [["f5a7924e621e84c9280a9a27e1bcb7f6", "786c530672d1f8db31fee25ea8a9390b"]],
    ),
    Case(
        "hash-sha1-function.md#1",
        'print \n    h1=hash_sha1("World"),\n    h2=hash_sha1(datetime(2020-01-01))',
        [("h1", S), ("h2", S)],
        [["70c07ec18ef89c5309bbb0937f3a6342411e1fdd", "e903e533f4d636b4fc0dcf3cf81e7b7f330de776"]],
    ),
    Case(
        "hash-sha256-function.md#1",
        'print \n    h1=hash_sha256("World"),\n    h2=hash_sha256(datetime(2020-01-01))',
        [("h1", S), ("h2", S)],
        [
            [
                "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524",
                "ba666752dc1a20eb750b0eb64e780cc4c968bc9fb8813461c1d7e750f302d71d",
            ]
        ],
    ),
]


_OTHER = [
    *DOC_EXAMPLES,
    *DOC_EXAMPLES_DYNAMIC,
    *DOC_EXAMPLES_AGGREGATES,
    *DOC_EXAMPLES_ROW_BAGS,
    *DOC_EXAMPLES_SCALAR,
    *DOC_EXAMPLES_SERIES,
    *DOC_EXAMPLES_FUNCTIONS,
    *DOC_EXAMPLES_GRAPH,
    *DOC_EXAMPLES_TABULAR,
    *DOC_EXAMPLES_PLUGINS,
    *DOC_EXAMPLES_GEO_CELLS,
    *DOC_EXAMPLES_GEO_SHAPES,
    *DOC_EXAMPLES_MORE,
]


def _comparable(value: Any) -> Any:
    """Plain values, with NaN (which equals nothing) as a marker that equals itself, and reals (in
    arrays and bags too) to the 12 significant digits the pages print at least (``1.58113883008419``
    for ``stdev``)."""
    value = plain(value)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.12g}")
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):  # GeoJSON values: their coordinates too
        return {k: _comparable(v) for k, v in value.items()}
    return value


def _near(a: Any, b: Any) -> bool:
    """Equal but for reals within 1e-11 of each other (a value on a rounding boundary of the 12
    digits ``_comparable`` keeps: 5702.1573146749 against the page's 5702.15731467514)."""
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-11)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_near(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_near(a[k], b[k]) for k in a)
    return bool(a == b)


class TestDocumentedExamples:
    """The documented examples, run through the query engine."""

    @pytest.mark.parametrize("case", CASES, ids=[c.page for c in CASES])
    def test_example_answers_as_the_page_shows(self, case: Case) -> None:
        """The query's output columns, their types and rows are those of the page's output table."""
        result = run_query(case.query, MemoryProvider(), clock=lambda: FIXED_NOW)
        table = result.tables[0]
        assert table.columns == case.columns
        assert [[plain(v) for v in row] for row in table.rows] == case.rows

    @pytest.mark.parametrize(("page", "query", "names", "rows"), _OTHER, ids=[e[0] for e in _OTHER])
    def test_other_pages_answer_as_shown(
        self, page: str, query: str, names: list[str], rows: list[list[Any]]
    ) -> None:
        """Examples of the other function and operator pages: output column names and rows as printed."""
        table = run_query(query, MemoryProvider(), clock=lambda: FIXED_NOW).tables[0]
        assert [name for name, _ in table.columns] == names
        got, want = _comparable(table.rows), _comparable(rows)
        assert got == want or _near(plain(table.rows), rows)

    def test_case_ids_are_unique(self) -> None:
        """Each case names its own page and example, so a failure points at one place in the docs."""
        pages = [c.page for c in CASES] + [e[0] for e in _OTHER]
        assert len(pages) == len(set(pages))
