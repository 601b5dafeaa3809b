"""The form of the conformance cases whose page does not print what its query answers (issue 14).

Most documented examples are transcribed as the page prints them (``_docs_examples*.py``). The others
are examples whose page is wrong about its own query (a header the query does not produce, another
example's output, a typo), whose output cannot be printed once for all (``rand()``, ``sample``,
``new_guid()``, the caller, the page's clock) or is elided (``[ ... ]``). Each of those is a
``PageCase``: the page's query, unchanged, with an expected output taken from the facts instead of the
page, and ``differs`` saying what was taken from where (the naming rule of the print operator, the
function's documented range, the page's own text elsewhere). ``bench/kql_docs_conformance.py`` owns the
reason the page cannot be matched as printed (its ``PAGE_ISSUES``); a case here says how it is checked.

A case the engine does not answer yet (or cannot here: another cluster, the network) carries ``fails``,
the reason: it runs as a strict xfail, so it fails the suite the day it starts passing unannounced,
and it counts against the suite's figure (tests/unit/kql/test_conformance_pages.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# check(columns, rows): columns as (name, type), rows as plain values (datetimes as ISO text, timespans
# as seconds, dynamic values as Python lists/dicts); raises AssertionError when the answer is wrong.
Check = Callable[[list[tuple[str, str]], list[list[Any]]], None]


@dataclass(frozen=True)
class PageCase:
    """One documented example checked against the facts where its page cannot be taken as printed."""

    id: str  # page.md#n, the page's n-th kusto block (the bench's id)
    query: str  # the page's query, unchanged
    names: list[str]  # the output column names the query gives
    rows: list[list[Any]] | None  # the expected rows, or None when ``check`` decides
    differs: str  # what the expectation takes from the facts instead of the page, and from where
    check: Check | None = None  # for outputs that cannot be printed once for all
    clock: datetime | None = None  # now() for this case (the page's clock), else the suite's FIXED_NOW
    unordered: bool = False  # rows in any order (the page's order is not the query's)
    fails: str | None = None  # why the engine does not answer it (yet): a strict xfail
    tags: tuple[str, ...] = field(default=())
