"""KQL conformance with the Kusto documentation: how many self-contained examples answer as printed.

Reads a checkout of MicrosoftDocs/dataexplorer-docs (a git directory; nothing is downloaded here),
finds every ``kusto`` code block under data-explorer/kusto/query whose query starts with ``print``,
``datatable``, ``range`` or ``let`` and that is followed by an output table, runs it through the
engine and compares column names and rows with the table. Examples that read a table the query does
not define (``StormEvents`` ...) are counted as "not self-contained" and left out of the figure.
Areas are the sections of the docs' own index pages (scalar-functions.md, aggregation-functions.md);
``*-operator.md`` pages are "tabular operators", ``*-plugin.md`` pages "plugins".

Run: PYTHONPATH=src .venv/bin/python bench/kql_docs_conformance.py --docs GIT_DIR [--failures]
[--area NAME] [--json FILE]. A measuring script, never a test (CI does not run it); the in-repo cases
are tests/unit/kql/test_conformance_docs.py.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from azlogs._exceptions import AzlogsError
from azlogs.kql import MemoryProvider, format_timespan, run_query
from azlogs.kql._values import format_real, parse_datetime, parse_timespan

ROOT = "data-explorer/kusto/query"
STARTS = ("print", "datatable", "range", "let")
CLOCK = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
_FENCE = re.compile(r"^\s*```\s*(\w*)")


@dataclass
class Example:
    """One code block of one page with the output table printed after it."""

    page: str
    block: int
    query: str
    header: list[str]
    rows: list[list[str]]
    area: str = "other"
    outcome: str = ""
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.page}#{self.block}"


def git_files(git_dir: str) -> dict[str, str]:
    """Every markdown file under ROOT at HEAD: path -> text."""
    names = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", "HEAD", ROOT],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    names = [n for n in names if n.endswith(".md")]
    out: dict[str, str] = {}
    batch = subprocess.run(
        ["git", "--git-dir", git_dir, "cat-file", "--batch"],
        input="".join(f"HEAD:{n}\n" for n in names).encode(),
        check=True,
        capture_output=True,
    ).stdout
    pos = 0
    for name in names:
        eol = batch.index(b"\n", pos)
        size = int(batch[pos:eol].split()[2])
        out[name] = batch[eol + 1 : eol + 1 + size].decode("utf-8", "replace")
        pos = eol + 1 + size + 1
    return out


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    parts = re.split(r"(?<!\\)\|", line)
    return [p.strip().replace("\\|", "|") for p in parts]


def _is_rule(cells: list[str]) -> bool:
    return all(re.fullmatch(r":?-{1,}:?", c) for c in cells if c) and any(cells)


def examples(page: str, text: str) -> list[Example]:
    """The page's kusto blocks (numbered from 1 as they appear) that have an output table after them."""
    lines = text.splitlines()
    found: list[Example] = []
    block = 0
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang = m.group(1).lower()
        j = i + 1
        while j < len(lines) and not _FENCE.match(lines[j]):
            j += 1
        body = "\n".join(lines[i + 1 : j])
        i = j + 1
        if lang not in ("kusto", "kql"):
            continue
        block += 1
        # The first table after the block, before the next code block: a header line, a rule line
        # (``|--|--|`` or ``-----|-----``) and rows; the outer pipes are optional.
        k = i
        while k + 1 < len(lines) and not _FENCE.match(lines[k]) and not lines[k].startswith("## "):
            if "|" in lines[k] and _is_rule(_cells(lines[k + 1])) and "|" in lines[k + 1]:
                break
            k += 1
        else:
            continue
        if _FENCE.match(lines[k]) or lines[k].startswith("## "):
            continue
        table: list[list[str]] = []
        while k < len(lines) and "|" in lines[k] and lines[k].strip():
            table.append(_cells(lines[k]))
            k += 1
        found.append(Example(page, block, body, table[0], table[2:]))
    return found


def _strip_comments(query: str) -> str:
    return re.sub(r"//[^\n]*", "", query).strip()


def self_contained_start(query: str) -> bool:
    """Starts with print/datatable/range/let (after comments and `set` statements)."""
    text = _strip_comments(query)
    text = re.sub(r"^(set\s+[^;]*;\s*)+", "", text)
    return re.match(r"(" + "|".join(STARTS) + r")\b", text) is not None


def areas(files: dict[str, str]) -> dict[str, str]:
    """Page name -> area, from the sections of the docs' index pages."""
    out: dict[str, str] = {}
    for index, prefix in (("scalar-functions.md", ""), ("aggregation-functions.md", "aggregation: ")):
        section = ""
        for line in files.get(f"{ROOT}/{index}", "").splitlines():
            if line.startswith("## "):
                section = prefix + line[3:].strip()
                continue
            for target in re.findall(r"\]\(([\w./-]+\.md)\)", line):
                name = target.split("/")[-1]
                out.setdefault(name, "aggregation" if prefix else section)
    return out


def area_of(path: str, index: dict[str, str]) -> str:
    name = path.split("/")[-1]
    if name in index:
        return index[name]
    if name.endswith("-operator.md") or name.endswith("-statement.md"):
        return "tabular operators"
    if name.endswith("-plugin.md"):
        return "plugins"
    if "/scalar-data-types/" in path:
        return "data types"
    if name.startswith("series-"):
        return "Series processing functions"
    if name.startswith("graph-") or name.startswith("gql"):
        return "graph"
    return "other"


# ------------------------------------------------------------------ comparison


def _text(value: Any, kind: str) -> str:
    """A cell as the query result writes it (datetimes with the fraction's trailing zeros trimmed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        v = value.astimezone(timezone.utc)
        base = v.strftime("%Y-%m-%dT%H:%M:%S")
        frac = f"{v.microsecond:06d}".rstrip("0")
        return f"{base}.{frac}Z" if frac else base + "Z"
    if isinstance(value, timedelta):
        return format_timespan(value)
    if isinstance(value, float):
        return format_real(value)
    if kind == "dynamic" or isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return str(value)


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] == "`":
        cell = cell.strip("`")
    cell = re.sub(r"<br\s*/?>", "\n", cell)
    cell = cell.replace("\\_", "_")  # markdown's escaped underscore (series\_periods\_detect)
    # A markdown autolink (``<https://bing.com>``) renders as the bare URL.
    cell = re.sub(r"^<((?:https?|ftp)://[^<>\s]*)>$", r"\1", cell)
    # &nbsp; is how some pages show an empty cell (mv-apply-operator.md's last example).
    for a, b in (
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&amp;", "&"),
        ("&#124;", "|"),
    ):
        cell = cell.replace(a, b)
    return cell.strip()


def _num(text: str) -> float | None:
    try:
        return (
            float(text.replace(",", ""))
            if re.fullmatch(r"[-+]?[\d,]*\.?\d+(e[-+]?\d+)?", text, re.I)
            else None
        )
    except ValueError:
        return None


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, str) and isinstance(b, (int, float)) and _num(a) is not None:
        # A page's dynamic array with a real printed as a JSON string ("-1.5707963267948966"), as
        # Kusto's web UI shows reals with 17 significant digits (series-asin-function.md).
        a = _num(a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return _close(float(a), float(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, str) and isinstance(b, str):
        return a == b or _cell_equal(a, b, "")
    return a == b


def _loose_json(text: str) -> Any:
    """A page's JSON cell: strict JSON, JSON written with single quotes, or ``[a, b]`` unquoted."""
    for candidate in (text, text.replace("'", '"')):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(p.strip()) for p in text[1:-1].split(",")] if text[1:-1].strip() else []
    return _MISSING


_MISSING = object()


def _scalar(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _cell_equal(expected: str, value: Any, kind: str) -> bool:
    e = _unquote(expected)
    got = value if isinstance(value, str) and kind == "" else _text(value, kind)
    if e == got or e == got.strip():
        return True
    if value is None or got == "":
        return e.lower() in ("", "null")
    if isinstance(value, bool):
        # Pages print bools as true/True/TRUE, and some as 1/0.
        return e.lower() in (("true", "1") if value else ("false", "0"))
    if isinstance(value, float) and math.isinf(value):
        return e.replace("∞", "Infinity").lstrip("+") == ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, datetime) or kind == "datetime":
        parsed = parse_datetime(e)
        return parsed is not None and isinstance(value, datetime) and parsed == value
    if isinstance(value, timedelta):
        span = parse_timespan(e)
        return span is not None and span == value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        n = _num(e)
        return n is not None and _close(n, float(value))
    if isinstance(value, str) and kind == "dynamic":
        return e == value  # a string in a dynamic column prints without its quotes
    if isinstance(value, (list, dict)) or kind == "dynamic":
        return _json_equal(_loose_json(e), value)
    return False


def compare(ex: Example, columns: list[tuple[str, str]], rows: list[list[Any]]) -> str:
    """'' when the result is the page's table, else what differs."""
    names = [n for n, _ in columns]
    header = [_unquote(h) for h in ex.header]
    if names != header:
        return f"columns {names} != {header}"
    kinds = [k for _, k in columns]
    expected = [r + [""] * (len(header) - len(r)) for r in ex.rows]
    if len(expected) != len(rows):
        return f"{len(rows)} rows != {len(expected)}"

    def row_eq(e: list[str], r: list[Any]) -> bool:
        return all(_cell_equal(c, v, k) for c, v, k in zip(e, r, kinds, strict=False))

    if all(row_eq(e, r) for e, r in zip(expected, rows, strict=True)):
        return ""
    # Unordered output (a page does not sort where Kusto's order is unspecified).
    left = list(rows)
    for e in expected:
        hit = next((i for i, r in enumerate(left) if row_eq(e, r)), None)
        if hit is None:
            first = next(i for i, (x, r) in enumerate(zip(expected, rows, strict=True)) if not row_eq(x, r))
            got = [_text(v, k) for v, k in zip(rows[first], kinds, strict=True)]
            return f"row {first}: {got} != {expected[first]}"
        left.pop(hit)
    return ""


def run(ex: Example) -> None:
    try:
        result = run_query(ex.query, MemoryProvider(), clock=lambda: CLOCK)
    except AzlogsError as exc:
        msg = str(exc)
        # A table, stored function or persistent graph (graph('Name')) the query does not define.
        if "unknown table" in msg or "unknown stored function" in msg or "unknown graph" in msg:
            ex.outcome, ex.detail = "external", msg
        else:
            ex.outcome, ex.detail = "error", msg.splitlines()[0][:200]
        return
    except Exception as exc:  # an engine crash is a finding, not the end of the run
        ex.outcome, ex.detail = "crash", f"{type(exc).__name__}: {exc}"[:200]
        return
    if not result.tables:
        ex.outcome, ex.detail = "fail", "no table"
        return
    table = result.tables[0]
    diff = compare(ex, table.columns, table.rows)
    ex.outcome, ex.detail = ("pass", "") if not diff else ("fail", diff[:300])


# Examples whose page disagrees with its own query (a typo, an output from another version of the
# example) or that cannot answer the same twice (the clock, random values): why each does not pass.
PAGE_ISSUES: dict[str, str] = {
    "array-iff-function.md#3": "page error: the condition column printed is another example's",
    "base64-decode-toguid-function.md#1": "page error: the third group is byte-swapped against base64-encode-fromguid's page",
    "bin-function.md#2": "page error: prints 14 days as 14:00:00:00",
    "cos-function.md#1": "page error: the output column is named result, the query names none",
    "cot-function.md#1": "page error: the output column is named result, the query names none",
    "sin-function.md#1": "page error: the output column is named result, the query names none",
    "max-of-function.md#2": "page error: the output column is named result, the query names none",
    "min-of-function.md#2": "page error: the output column is named result, the query names none",
    "strlen-function.md#3": "page error: the output column is named length, the query names none",
    "let-statement.md#5": "page error: the output column is named result, count names it Count",
    "zip-function.md#3": "page error: a project column is named print_0",
    "parse-command-line-function.md#1": "page error: the output column is named Result, the query names none",
    "extract-all-function.md#2": "page error: the query names the column Id, the page ID",
    "extract-all-function.md#3": "page error: the query names the column Id, the page ID",
    "extract-all-function.md#4": "page error: the query names the column Id, the page ID",
    "extract-all-function.md#5": "page error: the query names the column Id, the page ID",
    "parse-where-operator.md#2": "page error: the query names the column previouLockTime",
    "mv-expand-operator.md#6": "page error: the header says DateType",
    "split-function.md#1": "page error: the header says print4",
    "tohex-function.md#1": "page error: the header says print_04",
    "toguid-function.md#1": "page error: the row's text differs from the query's",
    "scalar-data-types/string.md#3": "page error: prints a non-breaking space as a space",
    "scalar-data-types/string.md#5": "page error: prints a multi-line string on one line",
    "strcat-function.md#2": "page error: the output is annotated",
    "trim-start-function.md#1": "page error: markdown turned the URL into <https://bing.com>",
    "url-encode-function.md#1": "page error: the original column has a '/' the query's text lacks",
    "url-encode-component-function.md#1": "page error: the encoded text lacks the trailing '/' (%2f)",
    "replace-regex-function.md#1": "page error: prints tostring of a long as 1.000000",
    "replace-string-function.md#2": "page error: prints tostring of a long as 1.000000",
    "gzip-base64-decompress.md#1": "page error: the output is printed in quotes",
    "zlib-base64-compress-function.md#1": "page error: the output is printed in quotes",
    "variancep-aggregation-function.md#1": "column name: the page prints variance_x; Kusto.Language names it variancep_x",
    "percentilesw-aggregation-function.md#3": "column name: the page prints percentile_X; Kusto.Language names it percentiles_X",
    "percentilesw-aggregation-function.md#4": "column name: the page prints percentile_X; Kusto.Language names it percentiles_X",
    "hash-combine-function.md#1": "hash_combine's mixing step is not documented; ours differs",
    "hash-many-function.md#1": "hash_many's mixing step is not documented; ours differs",
    "datetime-diff-function.md#1": "100 ns ticks: datetimes here hold microseconds",
    "datetime-utc-to-local-function.md#1": "runs on now(): the page's clock",
    "now-function.md#4": "runs on now(): the page's clock",
    "range-operator.md#1": "runs on now() and the page elides rows",
    "new-guid-function.md#1": "a random value",
    "parse-url-query-function.md#1": "page error: prints the bag as JSON text inside quotes",
    "parse-url-function.md#1": "page error: prints the Query Parameters bag as JSON text inside quotes (the cell is not JSON); its Path also lacks the leading '/' ours keeps",
    "range-function.md#2": "page error: the page elides the year's dates with '.....'",
    "range-function.md#4": "page error: a stray row 1,000,000 above the array",
    "trim-end-function.md#2": "page error: the query reads x, which it never defines (the page lost its range x from 1 to 5)",
    "cursor-current.md#1": "the database cursor when the page was written (opaque; here the run's now() in ticks)",
    "current-principal-function.md#1": "the page's caller (a run here has the caller's token, or none)",
    "current-principal-details-function.md#1": "the page's caller (a run here has the caller's token, or none)",
    "binary-all-xor-aggregation-function.md#1": "page error: the header says results",
    "node-degree-in.md#1": "page error: prints a third row for 'Ellen', whom the query's data lacks",
    "node-degree-out.md#2": "page error: the header says degree_in_m, degree_out_m; the query names di_m, do_m, di_e, do_e",
    "node-id.md#1": "page error: the header says manager_1, manager_2; the query names manager1, manager2",
    "scan-operator.md#5": "page error: the header puts userID first; the query projects start, end, userID, sessionDuration (the rows agree)",
    "sample-operator.md#1": "a random sample: sample 1 picks a random row (twice: two random values)",
    "sample-operator.md#2": "a random sample: the row materialize() keeps is random (both rows equal here too)",
    "named-expressions.md#1": "a random sample: sample 1 picks a random row (twice: two random values)",
    "named-expressions.md#2": "a random sample: the row hint.materialized keeps is random (both rows equal here too)",
    "named-expressions.md#3": "rand(1000) values (the last two equal here too: toscalar() computes once)",
    "toscalar-function.md#9": "new_guid() values are random (x is one guid for both rows here too)",
    "join-time-window.md#3": "rand() values over 5,000,000 rows (more than the run's 5,000,000-row memory limit here)",
    "materialize-function.md#2": "rand() values; also a batch of three tabular statements, which azlogs does not run (one per query)",
    "batches.md#2": "a batch of two tabular statements (two result tables): azlogs runs one per query; it also reads StormEvents",
    "reduce-operator.md#1": "rand() values; reduce is not implemented: the page documents no algorithm (see #2)",
    "reduce-operator.md#2": "rand() values; the ten groups all print the pattern MachineLearning*, which grouping by pattern cannot give",
    "reduce-operator.md#3": "reduce is not implemented: the page documents no algorithm, and #1 (threshold=0.001 makes one group of the ten values) and #2 (threshold=0.9 makes ten groups of one pattern) follow from no single rule",
    "reduce-operator.md#4": "reduce is not implemented: the page documents no algorithm, and #1 (threshold=0.001 makes one group of the ten values) and #2 (threshold=0.9 makes ten groups of one pattern) follow from no single rule",
    "join-innerunique.md#3": "a random pick: the page says innerunique keeps any one left row per key, and prints for #2's query the other of its two outputs (azlogs keeps the first, as #2 prints)",
    "join-rightanti.md#1": "page error: the header says Value1; rightanti returns Y's columns (Key, Value2), and d, 40 is Y's row",
    "range-operator.md#2": "page error: the table leaves out the first three rows (2024-01-01 to 2024-01-03)",
    "range-operator.md#3": "runs on now() (startofmonth(now()) to now()); the page also elides rows and shifts cells one column",
    "parse-where-operator.md#4": "page error: prints the empty result (the case-sensitive regex RESOURCENAME= matches no row) as one row with an empty cell",
    "mv-apply-operator.md#5": "page error: the header says Val1; the query's column is Val",
    "cluster-function.md#3": "reads StormEvents of the help cluster's Samples database: cluster() reaches another Data Explorer cluster, which azlogs (one Log Analytics workspace) cannot",
    "database-function.md#2": "reads StormEvents of the help cluster's database: database() reaches another Data Explorer database, which azlogs (one Log Analytics workspace) cannot",
    "anomaly-diagnosis.md#7": "page error: adds two datetimes ((max_baseline_t+min_peak_t)/2.0), which datetime-timespan-arithmetic.md says cannot be added; it also reads demo_clustering1",
    "variancepif-aggregation-function.md#1": "the page's 850 is the sample variance; variancepif is the population one (833)",
    "series-acos-function.md#1": "page error: the arr column prints [-6.5,0,8.2], the query's array is [-1,0,1] (the result printed is that of [-1,0,1])",
    "series-atan-function.md#1": "page error: the arr column prints [-6.5,0,8.2], the query's array is [-1,0,1] (the result printed is that of [-1,0,1])",
    "series-cos-function.md#1": "page error: the arr column prints [-6.5,0,8.2], the query's array is [-1,0,1] (the result printed is that of [-1,0,1])",
    "series-sin-function.md#1": "page error: the arr column prints [-6.5,0,8.2], the query's array is [-1,0,1] (the result printed is that of [-1,0,1])",
    "series-tan-function.md#1": "page error: the arr column prints [-6.5,0,8.2], the query's array is [-1,0,1] (the result printed is that of [-1,0,1])",
    "series-magnitude-function.md#1": "page error: the header says s1, s2 and the row has two cells; the query names the column arr",
    "series-product-function.md#1": "page error: the header says s1; the query names the column arr",
    "series-sum-function.md#1": "page error: the header says s1; the query names the column arr",
    "series-iir-function.md#1": "the page elides rows: it prints 4 of the 10 (x from 1 to 10)",
    "series-fill-linear-function.md#1": "page error: prints reals to 3 decimals (32.667 for 32.666...), and with_const's int row as [111,111,74,38,...], which is not the interpolation of its input (the other columns' 73, 36)",
    "series-fit-line-function.md#1": "page error: prints only the fit columns (not id, x, y) and to 3 decimals; x runs on now(). Ours agrees to the 3 decimals printed",
    "series-fit-line-dynamic-function.md#1": "page error: prints only the fit columns (not id, x, y, fit) and to 3 decimals; x runs on now(). Ours agrees to the 3 decimals printed",
    "series-periods-detect-function.md#2": "page error: the header names the scores column series_periods_detect_y_periods_scores (Kusto.Language: ..._y_scores); the page truncates the score to 0.84 and the scoring is not documented: ours gives [14, 0] with 0.958",
    "series-periods-validate-function.md#2": "the page truncates the score to 0.84 and the scoring is not documented: ours gives 0.958 for 14 and 0 for 10, as printed",
    "activity-metrics-plugin.md#1": "random input: the users of each day are drawn with rand()",
    "activity-metrics-plugin.md#2": "random input: the users of each day are drawn with rand()",
    "new-activity-metrics-plugin.md#3": "random input: the users of each day are drawn with rand()",
    "new-activity-metrics-plugin.md#4": "random input: the users of each day are drawn with rand()",
    "new-activity-metrics-plugin.md#5": "random input: the users of each day are drawn with rand()",
    "sliding-window-counts-plugin.md#1": "page error: the literals are written datetime(2017 - 08 - 01), spaces no datetime format allows (with datetime(2017-08-01) it answers the page's table)",
    "using-hll-tdigest.md#1": "the size of Kusto's hll encoding (estimate_data_size of hll(x, 4)), which is not documented; our hll values are our own",
    "ipv4-lookup-plugin.md#3": "needs the network: external_data reads the lookup table from a URL",
    "ipv4-lookup-plugin.md#4": "needs the network: external_data reads the lookup table from a URL",
    "http-request-plugin.md#1": "needs the network: http_request calls a web API",
    "infer-storage-schema-plugin.md#1": "needs Azure Storage: infer_storage_schema reads the files of a storage container",
    "geo-geohash-to-central-point-function.md#3": "page error: the URL is printed as a markdown link [url](url)",
    "geo-h3cell-children-function.md#3": "page error: the output elides the polygons ([ ... ... ... ])",
    "geo-h3cell-rings-function.md#4": "page error: the output elides the polygons ([ ... ... ... ])",
    "geo-closest-point-on-line-function.md#2": "page error: the output column is named result, the query names none",
    "geo-line-interpolate-point-function.md#2": "page error: the output column is named result, the query names it lng",
    "geo-polygon-centroid-function.md#3": "page error: the printed point lacks its opening brace",
    "geo-polygon-to-s2cells-function.md#1": "page error: the output says 'New York city', the query's description is 'New York'",
    "geo-polygon-lookup-plugin.md#1": "page error: the output names 'NY National Museum of Mathematics', the query 'National Museum of Mathematics'",
    "geo-line-densify-function.md#1": "page error: the tostring output is printed with spaces and the input's trailing zero (40.796860)",
    "geo-point-buffer-function.md#1": "page elides the output: it prints the polygon as [ ... ]",
    "geo-point-buffer-function.md#2": "page elides the output: it prints the polygon as [ ... ]",
    "geo-line-buffer-function.md#1": "page elides the output: it prints the polygon as [ ... ]",
    "geo-line-buffer-function.md#2": "page elides the output: it prints the polygon as [ ... ]",
    "geo-polygon-buffer-function.md#1": "page elides the output: it prints the polygon as [ ... ]",
    "geo-polygon-buffer-function.md#2": "page elides the output: it prints the polygon as [ ... ]",
    "geo-polygon-to-h3cells-function.md#2": "page elides the output: it prints the multipolygon as [ ... ]",
    "geospatial-joins.md#2": "page error: row b prints row a's longitude and latitude (b's are -0.12432651341458723, 51.511160848670585)",
}


# Reasons no engine can answer as the page prints (the page's own error, an elided or random output, the
# page's clock, caller or cursor, a resource outside one workspace); the other reasons are ours to fix.
_UNMATCHABLE = (
    "page error",
    "page elides",
    "the page elides",
    "a random",
    "random input",
    "rand()",
    "rand(1000)",
    "new_guid() values",
    "runs on now()",
    "needs the network",
    "needs Azure Storage",
    "reads StormEvents",
    "the page's caller",
    "the database cursor",
)


def unmatchable(ex: Example) -> bool:
    """Whether the example is one no engine can answer as its page prints (see _UNMATCHABLE)."""
    return ex.outcome != "pass" and PAGE_ISSUES.get(ex.id, "").startswith(_UNMATCHABLE)


def reason(ex: Example) -> str:
    """Why an example does not pass, in a few words."""
    if ex.id in PAGE_ISSUES:
        return PAGE_ISSUES[ex.id]
    detail = re.sub(r"^line \d+, column \d+: ", "", ex.detail)
    if ex.outcome == "fail":
        return "answers differently: " + detail
    return detail


def write_markdown(path: str, counted: list[Example], by_area: dict[str, Counter[str]], head: str) -> None:
    """The figure by area and every example that does not pass with its reason, as markdown."""
    lines = [
        "# KQL conformance with the Kusto documentation's examples",
        "",
        "Generated by `bench/kql_docs_conformance.py --markdown` from MicrosoftDocs/dataexplorer-docs",
        "(data-explorer/kusto/query): every `kusto` block starting with `print`, `datatable`, `range` or `let`",
        "that the page follows with an output table. Examples reading tables they do not define",
        "(`StormEvents` ...) are left out. A case id is `page#n`, the page's n-th `kusto` block.",
        "",
        head,
        "",
        "| area | examples | pass | answer differently | refused (error) |",
        "|---|---|---|---|---|",
    ]
    for area, c in sorted(by_area.items(), key=lambda kv: -sum(kv[1].values())):
        total = sum(c.values())
        lines.append(f"| {area} | {total} | {c['pass']} | {c['fail']} | {c['error'] + c['crash']} |")
    sections = (
        ("## Examples the engine does not answer as printed (ours to fix), and why", False),
        ("## Examples no engine can answer as printed (the page's error, random or elided output ...)", True),
    )
    for title, page_side in sections:
        lines += ["", title, ""]
        for area in sorted({e.area for e in counted}):
            failing = [
                e for e in counted if e.area == area and e.outcome != "pass" and unmatchable(e) == page_side
            ]
            if not failing:
                continue
            lines += [f"### {area}", ""]
            for e in sorted(failing, key=lambda x: x.id):
                lines.append(f"- `{e.id}`: {reason(e).replace('|', '/')[:200]}")
            lines.append("")
    with open(path, "w") as fh:
        fh.write("\n".join(lines))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _text(value, "datetime")
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def emit(chosen: list[Example]) -> None:
    """Print passing examples as (id, query, names, rows) tuples: the rows are the engine's values,
    which the comparison has just found equal to the page's table."""
    for ex in chosen:
        table = run_query(ex.query, MemoryProvider(), clock=lambda: CLOCK).tables[0]
        rows = [[_plain(v) for v in row] for row in table.rows]
        print(f"    ({ex.id!r}, {ex.query!r}, {[n for n, _ in table.columns]!r}, {rows!r}),")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", required=True, help="git directory of MicrosoftDocs/dataexplorer-docs")
    parser.add_argument("--failures", action="store_true", help="list every example that does not pass")
    parser.add_argument("--area", help="only this area")
    parser.add_argument("--json", help="write every example's outcome to this file")
    parser.add_argument(
        "--markdown", help="write the figure and every example that does not pass to this file"
    )
    parser.add_argument(
        "--emit",
        nargs="*",
        metavar="ID",
        help="print these passing examples (page.md#n) as conformance cases for tests/unit/kql/_docs_examples*.py",
    )
    args = parser.parse_args()

    files = git_files(args.docs)
    index = areas(files)
    found: list[Example] = []
    for path, text in sorted(files.items()):
        for ex in examples(path[len(ROOT) + 1 :], text):
            if not self_contained_start(ex.query):
                continue
            ex.area = area_of(path, index)
            if args.area and ex.area != args.area:
                continue
            run(ex)
            found.append(ex)

    if args.emit is not None:
        emit([e for e in found if e.id in set(args.emit) and e.outcome == "pass"])
        return
    counted = [e for e in found if e.outcome != "external"]
    by_area: dict[str, Counter[str]] = defaultdict(Counter)
    for e in counted:
        by_area[e.area][e.outcome] += 1
    passing = sum(1 for e in counted if e.outcome == "pass")
    share = 100 * passing / max(1, len(counted))
    head = (
        f"Examples found: {len(found)}; reading tables they do not define: {len(found) - len(counted)}; "
        f"self-contained: {len(counted)}; passing: {passing} ({share:.1f}%)."
    )
    answerable = [e for e in counted if not unmatchable(e)]
    head += (
        f" Of the {len(answerable)} whose page can be matched (not a page error, nor a random, elided,"
        f" clock-, caller- or network-dependent output): {passing} pass"
        f" ({100 * passing / max(1, len(answerable)):.1f}%)."
    )
    print(head)
    if args.markdown:
        write_markdown(args.markdown, counted, by_area, head)
    print(f"{'area':42} {'total':>5} {'pass':>5} {'fail':>5} {'error':>5}")
    for area, c in sorted(by_area.items(), key=lambda kv: -sum(kv[1].values())):
        total = sum(c.values())
        print(f"{area:42} {total:5} {c['pass']:5} {c['fail']:5} {c['error'] + c['crash']:5}")
    if args.failures:
        for e in counted:
            if e.outcome != "pass":
                print(f"\n{e.outcome:6} {e.id} [{e.area}]\n  {e.detail}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                [{"id": e.id, "area": e.area, "outcome": e.outcome, "detail": e.detail} for e in found],
                fh,
                indent=1,
            )


if __name__ == "__main__":
    sys.exit(main())
