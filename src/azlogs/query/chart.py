"""Charts of a query result in the terminal, for ``azlogs query --chart``: what ``| render`` asks for.

The same reading of a result as the emulator's portal draws (its ``static/chart.js``): a time chart
takes the first datetime column as x (or the ``xcolumn``), every numeric column as a series, split by
the string columns; ``make-series`` rows (arrays in dynamic columns) are one series each; a bar,
column or pie chart takes the first non-numeric column as the categories. Pure: text in, text out.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Final

__all__ = ["render_kind", "terminal_chart"]

LINE_KINDS: Final = frozenset({"timechart", "linechart", "areachart", "scatterchart", "anomalychart"})
BAR_KINDS: Final = frozenset({"barchart", "columnchart", "piechart"})
_NUMERIC: Final = frozenset({"int", "long", "real", "decimal", "double"})
_MARKS: Final = "●■▲◆★✚✖◉"
_RENDER: Final = re.compile(r"\|\s*render\s+([a-z]+)", re.IGNORECASE)


def render_kind(kql: str) -> str | None:
    """The visualization the query's last ``| render`` names (lower case), None without one."""
    from azlogs._exceptions import KqlError
    from azlogs.kql import parse, visualization

    try:
        chart = visualization(parse(kql))
    except KqlError:
        found = _RENDER.findall(kql)  # a query this KQL subset does not parse (run by Azure): its text
        return found[-1].lower() if found else None
    return None if chart is None else chart.visualization.lower()


@dataclass
class _Series:
    name: str
    points: list[tuple[float, float]]


def _time(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _array(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def _xy(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> tuple[list[_Series], bool]:
    types = [t.lower() for _, t in columns]
    arrays = [t == "dynamic" and bool(rows) and _array(rows[0][i]) is not None for i, t in enumerate(types)]
    if any(arrays):  # make-series: a row per series
        xi = next(
            (i for i, a in enumerate(arrays) if a and any(_time(v) for v in _array(rows[0][i]) or [])), -1
        )
        if xi < 0:
            return [], True
        labels = [i for i, t in enumerate(types) if t == "string"]
        out = []
        for row in rows:
            xs = [_time(v) for v in _array(row[xi]) or []]
            for yi in (i for i, a in enumerate(arrays) if a and i != xi):
                values = [_number(v) for v in _array(row[yi]) or []]
                name = ", ".join(str(row[i]) for i in labels) or columns[yi][0]
                pts = [(x, y) for x, y in zip(xs, values, strict=False) if x is not None and y is not None]
                out.append(_Series(name, pts))
        return out, True
    xi = next((i for i, t in enumerate(types) if t == "datetime"), -1)
    time = xi >= 0
    if xi < 0:
        xi = next((i for i, t in enumerate(types) if t in _NUMERIC), -1)
    if xi < 0:
        return [], False
    ys = [i for i, t in enumerate(types) if i != xi and t in _NUMERIC]
    splits = [i for i, t in enumerate(types) if i != xi and t in ("string", "bool")]
    by_name: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        xv = _time(row[xi]) if time else _number(row[xi])
        split = ", ".join(str(row[i]) for i in splits)
        for yi in ys:
            name = (f"{split}:{columns[yi][0]}" if len(ys) > 1 else split) if split else columns[yi][0]
            yv = _number(row[yi])
            points = by_name.setdefault(name, [])
            if xv is not None and yv is not None:
                points.append((xv, yv))
    return [_Series(n, sorted(p)) for n, p in by_name.items()], time


def _fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:g}"


def _line(series: list[_Series], time: bool, width: int, height: int) -> list[str]:
    points = [p for s in series for p in s.points]
    if not points:
        return ["(nothing to draw: no numeric values)"]
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(0.0, *(p[1] for p in points)), max(p[1] for p in points)
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1
    grid = [[" "] * width for _ in range(height)]
    for k, s in enumerate(series):
        mark = _MARKS[k % len(_MARKS)]
        for x, y in s.points:
            col = round((x - x0) / (x1 - x0) * (width - 1))
            row = height - 1 - round((y - y0) / (y1 - y0) * (height - 1))
            grid[row][col] = mark
    label_w = max(len(_fmt(y0)), len(_fmt(y1)))
    out = []
    for r, cells in enumerate(grid):
        label = _fmt(y1) if r == 0 else _fmt(y0) if r == height - 1 else ""
        out.append(f"{label:>{label_w}} ┤{''.join(cells)}")
    out.append(" " * label_w + " └" + "─" * width)

    def xlabel(x: float) -> str:
        if not time:
            return _fmt(x)
        when = datetime.fromtimestamp(x, timezone.utc)  # UTC, as Log Analytics shows times
        return when.strftime("%m-%d %H:%M" if x1 - x0 > 86400 else "%H:%M")

    left, right = xlabel(x0), xlabel(x1)
    out.append(" " * (label_w + 2) + left + " " * max(1, width - len(left) - len(right)) + right)
    out.append(
        "  ".join(
            f"{_MARKS[k % len(_MARKS)]} {s.name} ({len(s.points)} points)" for k, s in enumerate(series)
        )
    )
    return out


def _bars(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], kind: str, width: int
) -> list[str]:
    types = [t.lower() for _, t in columns]
    ci = next((i for i, t in enumerate(types) if t not in _NUMERIC), -1)
    ys = [i for i, t in enumerate(types) if i != ci and t in _NUMERIC]
    if not ys or not rows:
        return ["(nothing to draw: no numeric column)"]
    yi = ys[0]
    labels = [str(r[ci]) if ci >= 0 else str(k + 1) for k, r in enumerate(rows)]
    values = [_number(r[yi]) or 0.0 for r in rows]
    total = sum(v for v in values if v > 0) or 1.0
    top = max([*values, 1e-12])
    label_w = min(24, max(len(label) for label in labels))
    out = [f"{columns[yi][0]} by {columns[ci][0] if ci >= 0 else 'row'}"]
    for label, v in zip(labels, values, strict=True):
        bar = "█" * max(0, round(v / top * (width - label_w - 16)))
        share = f" {v / total:6.1%}" if kind == "piechart" else ""
        out.append(f"{label[:label_w]:>{label_w}} │{bar} {_fmt(v)}{share}")
    return out


def terminal_chart(
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    kind: str,
    *,
    width: int = 72,
    height: int = 14,
) -> str:
    """The result drawn as ``kind`` (timechart, barchart, ...) in plain text (Unicode) lines."""
    kind = kind.lower()
    if kind in LINE_KINDS:
        series, time = _xy(columns, rows)
        lines = _line(series, time, width, height) if series else ["(nothing to draw: no x column)"]
    elif kind in BAR_KINDS:
        lines = _bars(columns, rows, kind, width)
    else:
        lines = [f"(render {kind} is not drawn in the terminal: timechart, linechart, areachart, "
                 "scatterchart, barchart, columnchart and piechart are)"]  # fmt: skip
    return "\n".join(lines) + "\n"
