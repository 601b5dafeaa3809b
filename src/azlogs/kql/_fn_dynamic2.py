"""Array and property-bag functions beyond the basics of ``_fn_misc``: ``range()``, sorting with
companion arrays, splitting, rotating and shifting, ``array_iff``, ``array_sum``, the set functions,
``jaccard_index``, ``bag_zip``, ``bag_merge``, ``bag_has_key``, ``bag_remove_keys``, ``bag_set_key``, ``treepath``, ``repeat``
and ``dynamic_to_json``.

Semantics follow the Kusto documentation pages of the same names (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/<name>-function.md, and bag-zip.md); their examples are conformance cases
in tests/unit/kql/test_conformance_docs.py. Where a page leaves a case open, our reading is in
docs/differences.md: ``array_sort_*`` with several arrays returns them as one array of arrays (Kusto
returns one column per array), and ``jaccard_index`` of two empty sets is NaN.

None of these is listed among the functions supported in DCR transformations ("Supported KQL
features in Azure Monitor transformations"): they are log-query only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from azlogs.facts import KQL_RANGE_MAX_RESULTS
from azlogs.kql._aggregates import hashable
from azlogs.kql._budget import current
from azlogs.kql._registry import register
from azlogs.kql._values import dumps, to_dynamic, to_long, to_str

_HOUR = timedelta(hours=1)


def _int(v: Any) -> int | None:
    return None if v is None or isinstance(v, bool) else to_long(v)


# ----------------------------------------------------------------------------- range


@register("range", 2, 3, "dynamic", "query")
def range_(start: Any, stop: Any, step: Any = None) -> Any:
    """``start``, ``start + step``, ... up to and including ``stop`` (at most 2^20 values)."""
    if start is None or stop is None:
        return None
    if step is None:
        step = _HOUR if isinstance(start, (datetime, timedelta)) else 1
    zero: Any = timedelta(0) if isinstance(step, timedelta) else 0
    if any(isinstance(v, float) for v in (start, stop, step)):
        start = float(start)
    try:
        if step == zero:
            return None
        ascending = step > zero
        out: list[Any] = []
        v = start
        while (v <= stop if ascending else v >= stop) and len(out) < KQL_RANGE_MAX_RESULTS:
            out.append(to_dynamic(v))
            v = v + step
    except TypeError:
        return None
    current().hold(len(out))
    return out


@register("repeat", 2, 2, "dynamic", "query")
def repeat(value: Any, count: Any) -> Any:
    """An array of ``count`` copies of ``value``; empty for 0, null for a negative count."""
    n = _int(count)
    if n is None or n < 0:
        return None
    n = min(n, KQL_RANGE_MAX_RESULTS)
    current().hold(n)
    return [to_dynamic(value)] * n


# ----------------------------------------------------------------------------- order


def _order_key(v: Any) -> tuple[int, Any]:
    """Kusto's order of mixed elements: numbers, then strings, then guids, then everything else."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (0, v)
    if isinstance(v, str):
        return (1, v)
    if isinstance(v, uuid.UUID):
        return (2, str(v))
    return (3, dumps(v))


def _sort(args: tuple[Any, ...], descending: bool) -> Any:
    arrays = list(args)
    nulls_last = True
    if len(arrays) > 1 and (isinstance(arrays[-1], bool) or arrays[-1] is None):
        nulls_last = arrays.pop() is not False
    first = arrays[0]
    if not isinstance(first, list):
        return None
    present = sorted(
        (i for i, v in enumerate(first) if v is not None),
        key=lambda i: _order_key(first[i]),
        reverse=descending,
    )
    nulls = [i for i, v in enumerate(first) if v is None]
    order = present + nulls if nulls_last else nulls + present
    out = [[a[i] for i in order] if isinstance(a, list) and len(a) == len(first) else None for a in arrays]
    return out[0] if len(out) == 1 else out


@register("array_sort_asc", 1, 64, "dynamic", "query")
def array_sort_asc(*args: Any) -> Any:
    """The first array sorted ascending, the others reordered alike; nulls last unless told."""
    return _sort(args, descending=False)


@register("array_sort_desc", 1, 64, "dynamic", "query")
def array_sort_desc(*args: Any) -> Any:
    """The first array sorted descending, the others reordered alike; nulls last unless told."""
    return _sort(args, descending=True)


@register("array_reverse", 1, 1, "dynamic", "query")
def array_reverse(arr: Any) -> Any:
    """The array's elements in reverse order."""
    return arr[::-1] if isinstance(arr, list) else None


def _rotate(arr: Any, count: Any) -> Any:
    n, k = (len(arr) if isinstance(arr, list) else 0), _int(count)
    if not isinstance(arr, list) or k is None:
        return None
    if n == 0:
        return []
    k %= n
    return arr[k:] + arr[:k]


@register("array_rotate_left", 2, 2, "dynamic", "query")
def array_rotate_left(arr: Any, count: Any) -> Any:
    """Rotate left by ``count`` positions (right when negative)."""
    return _rotate(arr, count)


@register("array_rotate_right", 2, 2, "dynamic", "query")
def array_rotate_right(arr: Any, count: Any) -> Any:
    """Rotate right by ``count`` positions (left when negative)."""
    k = _int(count)
    return None if k is None else _rotate(arr, -k)


def _shift(arr: Any, count: Any, default: Any) -> Any:
    k = _int(count)
    if not isinstance(arr, list) or k is None:
        return None
    n = len(arr)
    fill = to_dynamic(default)
    if k >= 0:
        k = min(k, n)
        return arr[k:] + [fill] * k
    k = min(-k, n)
    return [fill] * k + arr[: n - k]


@register("array_shift_left", 2, 3, "dynamic", "query")
def array_shift_left(arr: Any, count: Any, default: Any = None) -> Any:
    """Shift left by ``count`` (right when negative), filling with ``default`` (null)."""
    return _shift(arr, count, default)


@register("array_shift_right", 2, 3, "dynamic", "query")
def array_shift_right(arr: Any, count: Any, default: Any = None) -> Any:
    """Shift right by ``count`` (left when negative), filling with ``default`` (null)."""
    k = _int(count)
    return None if k is None else _shift(arr, -k, default)


@register("array_split", 2, 2, "dynamic", "query")
def array_split(arr: Any, index: Any) -> Any:
    """The array cut at one index or an array of indices (negative from the end): N+1 arrays."""
    if not isinstance(arr, list):
        return None
    n = len(arr)
    raw = index if isinstance(index, list) else [index]
    cuts: list[int] = []
    for v in raw:
        i = _int(v)
        if i is None:
            return None
        i = i + n if i < 0 else i
        cuts.append(min(max(i, 0), n))
    bounds = [0, *cuts, n]
    return [arr[bounds[j] : max(bounds[j], bounds[j + 1])] for j in range(len(bounds) - 1)]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


@register("array_index_of", 2, 5, "long", "query")
def array_index_of(arr: Any, value: Any, start: Any = 0, length: Any = -1, occurrence: Any = 1) -> int | None:
    """Position of the ``occurrence``-th ``value`` within ``length`` elements from ``start``, or -1."""
    if not isinstance(arr, list):
        return None
    s, ln, occ = _int(start), _int(length), _int(occurrence)
    if s is None or ln is None or occ is None or ln < -1 or occ < 0:
        return None
    n = len(arr)
    s = max(s + n, 0) if s < 0 else s
    end = n if ln == -1 else min(n, s + ln)
    want = to_dynamic(value)
    seen = 0
    for i in range(s, end):
        if _same(arr[i], want):
            seen += 1
            if seen >= max(occ, 1):
                return i
    return -1


@register("set_has_element", 2, 2, "bool", "query")
def set_has_element(arr: Any, value: Any) -> bool | None:
    """True when the array holds the value (``true`` is not the number 1)."""
    if not isinstance(arr, list):
        return None
    want = to_dynamic(value)
    return any(_same(v, want) for v in arr)


@register("array_iff", 3, 3, "dynamic", "query", aliases=("array_iif",))
def array_iff(conditions: Any, when_true: Any, when_false: Any) -> Any:
    """Per element of the condition array, the matching element of ``when_true`` or ``when_false``."""
    if not isinstance(conditions, list):
        return None

    def pick(src: Any, i: int) -> Any:
        if isinstance(src, list):
            return src[i] if i < len(src) else None
        return to_dynamic(src)

    out: list[Any] = []
    for i, c in enumerate(conditions):
        if isinstance(c, bool):
            out.append(pick(when_true if c else when_false, i))
        elif isinstance(c, (int, float)):
            out.append(pick(when_true if c != 0 else when_false, i))
        else:
            out.append(None)
    return out


@register("array_sum", 1, 1, "real", "query")
def array_sum(arr: Any) -> float | None:
    """The sum of a numeric array as a real; null when an element is not a number."""
    if not isinstance(arr, list):
        return None
    total = 0.0
    for v in arr:
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return None
        total += v
    return total


# ----------------------------------------------------------------------------- sets


def _distinct(arr: list[Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for v in arr:
        out.setdefault(hashable(v), v)
    return out


def _sets(fn: Callable[[list[dict[Any, Any]]], list[Any]]) -> Callable[..., Any]:
    def impl(*arrays: Any) -> Any:
        if any(not isinstance(a, list) for a in arrays):
            return None
        return fn([_distinct(a) for a in arrays])

    return impl


def _union(sets: list[dict[Any, Any]]) -> list[Any]:
    out: dict[Any, Any] = {}
    for s in sets:
        for k, v in s.items():
            out.setdefault(k, v)
    return list(out.values())


register("set_union", 2, 64, "dynamic", "query")(_sets(_union))
register("set_intersect", 2, 64, "dynamic", "query")(
    _sets(lambda sets: [v for k, v in sets[0].items() if all(k in s for s in sets[1:])])
)
register("set_difference", 2, 64, "dynamic", "query")(
    _sets(lambda sets: [v for k, v in sets[0].items() if not any(k in s for s in sets[1:])])
)


@register("jaccard_index", 2, 2, "real", "query")
def jaccard_index(a: Any, b: Any) -> float | None:
    """Distinct values in both sets over distinct values in either (NaN for two empty sets)."""
    if not isinstance(a, list) or not isinstance(b, list):
        return None
    sa, sb = set(_distinct(a)), set(_distinct(b))
    union = len(sa | sb)
    return len(sa & sb) / union if union else float("nan")


# ----------------------------------------------------------------------------- bags


@register("bag_zip", 2, 2, "dynamic", "query")
def bag_zip(keys: Any, values: Any) -> Any:
    """A bag of keys paired by position with values (missing values null, non-string keys skipped)."""
    if not isinstance(keys, list):
        return None
    vals = values if isinstance(values, list) else []
    return {k: (vals[i] if i < len(vals) else None) for i, k in enumerate(keys) if isinstance(k, str)}


_PATH_PART = re.compile(r"""\.([A-Za-z_][\w]*)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]""")


def _path(key: str) -> list[str] | None:
    """The keys of a JSONPath ``$.a.b`` / ``$['a']``; a plain name is one key; None if not a path."""
    if not key.startswith("$"):
        return [key]
    parts: list[str] = []
    pos = 1
    while pos < len(key):
        m = _PATH_PART.match(key, pos)
        if m is None:
            return None  # array indexing and other JSONPath forms are not supported
        parts.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
    return parts or None


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


@register("bag_merge", 1, 64, "dynamic", "query")
def bag_merge(*bags: Any) -> Any:
    """Merge bags in argument order: the first bag with a key gives its value and its place."""
    out: dict[str, Any] = {}
    for b in bags:
        if isinstance(b, dict):
            for k, v in b.items():
                out.setdefault(k, v)
    return out


@register("bag_has_key", 2, 2, "bool", "query")
def bag_has_key(bag: Any, key: Any) -> bool:
    """True when the bag has the key (a name, or a JSONPath such as ``$.a.b``)."""
    parts = _path(to_str(key))
    node = bag
    for part in parts or ():
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return bool(parts)


@register("bag_remove_keys", 2, 2, "dynamic", "query")
def bag_remove_keys(bag: Any, keys: Any) -> Any:
    """The bag without the given keys (first-level names or JSONPaths such as ``$.a.b``)."""
    if not isinstance(bag, dict):
        return None
    if not isinstance(keys, list):
        return None
    out = _copy(bag)
    for key in keys:
        parts = _path(to_str(key)) if isinstance(key, str) else None
        if not parts:
            continue
        node = out
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return out


@register("bag_set_key", 3, 3, "dynamic", "query")
def bag_set_key(bag: Any, key: Any, value: Any) -> Any:
    """The bag with ``key`` (a name or a JSONPath) set to ``value``; null when not a bag."""
    if not isinstance(bag, dict):
        return None
    parts = _path(to_str(key))
    if not parts:
        return None
    out = _copy(bag)
    node = out
    for part in parts[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            node[part] = nxt
        node = nxt
    node[parts[-1]] = to_dynamic(value)
    return out


@register("treepath", 1, 1, "dynamic", "query")
def treepath(value: Any) -> Any:
    """Every path of a dynamic value's bags and arrays (an array's elements all under ``[0]``)."""
    paths: dict[str, None] = {}

    def walk(v: Any, base: str) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                p = f"{base}['{k}']"
                paths[p] = None
                walk(x, p)
        elif isinstance(v, list) and v:
            p = f"{base}[0]"
            paths[p] = None
            for x in v:
                walk(x, p)

    walk(value, "")
    return list(paths)


# ----------------------------------------------------------------------------- canonical text


def _sorted_bags(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_bags(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_bags(v) for v in value]
    return value


@register("dynamic_to_json", 1, 1, "string", "query")
def dynamic_to_json(value: Any) -> str:
    """The canonical text of a value (dynamic-to-json-function.md): arrays and bags as compact JSON
    with every bag's properties sorted by name (ordinal), any other value as ``tostring`` gives it."""
    return to_str(_sorted_bags(value))
