"""The element-wise ``series_*`` functions and the series reductions (dot product, magnitude, sum,
product, correlations, the IIR filter), as registry functions.

An element-wise function maps each numeric element of a series (a dynamic array) through the scalar
function of the same name (``series_log`` is ``log`` per element, so the two share one rule); any
non-numeric element (null, text, a bool, a bag) gives a null element. A binary one takes two series
or a series and a number (broadcast to the series' length); where the series' lengths differ, the
missing elements give null elements (series-add-function.md, series-equals-function.md).

Period detection (series_periods_detect, series_periods_validate, series_seasonal's default) is
not documented beyond "periods of at least 4 points and at most half the series" and scores in
[0, 1]; the method here is ours: periodogram peaks as candidates, each confirmed and scored by the
lag correlation of the detrended series without its periods under 4 bins. It finds the pages'
periods (14 in the traffic example, 6 and 5 in series_seasonal's) but scores 14 at 0.958 where the
page prints 0.84.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from azlogs._exceptions import KqlError
from azlogs.kql._registry import REGISTRY, register
from azlogs.kql._values import wrap_long


def number(v: Any) -> int | float | None:
    """A series element as a number, or None when it is not one (null, text, bool, bag, array)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, Decimal):
        return float(v)
    return None


def numbers(v: Any) -> list[int | float | None] | None:
    """Every element of a series as a number or None; None when ``v`` is not an array."""
    if not isinstance(v, list):
        return None
    return [number(x) for x in v]


# ----------------------------------------------------------------------------- element-wise


def _scalar(name: str) -> Callable[..., Any]:
    spec = REGISTRY[name]
    assert spec.impl is not None
    return spec.impl


def unary(scalar: Callable[[Any], Any], to_type: Callable[[Any], Any] | None = float) -> Callable[[Any], Any]:
    """A ``series_*`` function applying ``scalar`` (the scalar function of the same name) to each
    numeric element, its result converted by ``to_type`` (None keeps the scalar function's own type:
    ``series_abs`` keeps whole numbers whole)."""

    def fn(series: Any) -> Any:
        xs = numbers(series)
        if xs is None:
            return None
        out: list[Any] = []
        for x in xs:
            v = None if x is None else scalar(x)
            if v is not None and to_type is not None:
                try:
                    v = to_type(v)
                except (ValueError, OverflowError):  # int(nan) for series_sign
                    v = None
            out.append(v)
        return out

    fn.__doc__ = "A scalar function of each element of a series; null for a non-numeric element."
    return fn


def binary(op: Callable[[Any, Any], Any], result: str = "number") -> Callable[[Any, Any], Any]:
    """An element-by-element function of two series (or a series and a number). ``result`` is
    ``number`` (whole numbers stay whole where both operands are: series-add-function.md prints
    ``[5,4,5]``), ``real`` or ``bool``."""

    def fn(a: Any, b: Any) -> Any:
        xs = numbers(a)
        ys = numbers(b)
        if xs is None and ys is None:
            return None
        sa = None if xs is not None else number(a)
        sb = None if ys is not None else number(b)
        n = max(len(xs or []), len(ys or []))
        out: list[Any] = []
        for i in range(n):
            x = (xs[i] if i < len(xs) else None) if xs is not None else sa
            y = (ys[i] if i < len(ys) else None) if ys is not None else sb
            if x is None or y is None:
                out.append(None)
                continue
            try:
                if result == "bool":
                    out.append(bool(op(x, y)))
                elif result == "number" and type(x) is int and type(y) is int:
                    out.append(wrap_long(op(x, y)))
                else:
                    v = op(float(x), float(y))
                    out.append(None if v is None else float(v))
            except (ZeroDivisionError, ValueError, TypeError, OverflowError):
                out.append(None)
        return out

    return fn


def _div(x: float, y: float) -> float:
    if y == 0:
        return math.copysign(math.inf, x) if x else math.nan
    return x / y


def _sign(v: Any) -> int:
    return int(v)


def _floor(v: Any) -> float:
    return float(math.floor(v)) if math.isfinite(v) else float(v)


# ----------------------------------------------------------------------------- reductions


def _pairs(a: Any, b: Any) -> list[tuple[float, float]] | None:
    """The numeric pairs of two series (or a series and a number broadcast to its length), the longer
    series truncated to the shorter; None when neither is a series or either is empty."""
    xs, ys = numbers(a), numbers(b)
    if xs is None and ys is None:
        return None
    if xs is None:
        s = number(a)
        if s is None or ys is None:
            return None
        xs = [s] * len(ys)
    if ys is None:
        s = number(b)
        if s is None:
            return None
        ys = [s] * len(xs)
    if not xs or not ys:
        return None
    return [(float(x), float(y)) for x, y in zip(xs, ys, strict=False) if x is not None and y is not None]


def series_dot_product(a: Any, b: Any) -> float | None:
    """Sum of the products of the elements of two series (or a series and a number); the longer is
    truncated to the shorter, non-numeric elements are skipped, an empty series gives null."""
    pairs = _pairs(a, b)
    if pairs is None:
        return None
    return math.fsum(x * y for x, y in pairs)


def series_magnitude(series: Any) -> float | None:
    """The square root of a series' dot product with itself."""
    d = series_dot_product(series, series)
    return None if d is None else math.sqrt(d)


def series_cosine_similarity(a: Any, b: Any, mag_a: Any = None, mag_b: Any = None) -> float | None:
    """Dot product over the product of the magnitudes (given, or computed from the pairs used)."""
    pairs = _pairs(a, b)
    if pairs is None or not isinstance(a, list) or not isinstance(b, list):
        return None
    dot = math.fsum(x * y for x, y in pairs)
    ma = number(mag_a) if mag_a is not None else math.sqrt(math.fsum(x * x for x, _ in pairs))
    mb = number(mag_b) if mag_b is not None else math.sqrt(math.fsum(y * y for _, y in pairs))
    if ma is None or mb is None:
        return None
    denom = float(ma) * float(mb)
    return dot / denom if denom else math.nan


def series_product(series: Any) -> float | None:
    """The product of a series' elements as a real; null when an element is not a number."""
    xs = numbers(series)
    if xs is None:
        return None
    out = 1.0
    for x in xs:
        if x is None:
            return None
        out *= x
    return out


def series_pearson_correlation(a: Any, b: Any) -> float | None:
    """Pearson's correlation coefficient of two series of the same length; null when the lengths
    differ or an element is not a number."""
    xs, ys = numbers(a), numbers(b)
    if xs is None or ys is None or len(xs) != len(ys) or not xs:
        return None
    if any(v is None for v in xs) or any(v is None for v in ys):
        return None
    fx = [float(v) for v in xs if v is not None]
    fy = [float(v) for v in ys if v is not None]
    n = len(fx)
    mx, my = math.fsum(fx) / n, math.fsum(fy) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(fx, fy, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in fx)
    syy = math.fsum((y - my) ** 2 for y in fy)
    denom = math.sqrt(sxx * syy)
    return sxy / denom if denom else math.nan


def series_iir(series: Any, numerators: Any, denominators: Any) -> list[float | None] | None:
    """The IIR filter y[i] = (b0 x[i] + b1 x[i-1] + ... - a1 y[i-1] - a2 y[i-2] - ...) / a0
    (series-iir-function.md); a non-numeric input element counts as 0. Null when a coefficient is not
    a number, a coefficient array is empty or a0 is 0."""
    xs, bs, as_ = numbers(series), numbers(numerators), numbers(denominators)
    if xs is None or bs is None or as_ is None or not bs or not as_:
        return None
    if any(v is None for v in bs) or any(v is None for v in as_) or not as_[0]:
        return None
    b = [float(v) for v in bs if v is not None]
    a = [float(v) for v in as_ if v is not None]
    x = [0.0 if v is None else float(v) for v in xs]
    y: list[float] = []
    for i in range(len(x)):
        acc = math.fsum(b[k] * x[i - k] for k in range(min(len(b), i + 1)))
        acc -= math.fsum(a[k] * y[i - k] for k in range(1, min(len(a), i + 1)))
        y.append(acc / a[0])
    return list(y)


# ----------------------------------------------------------------------------- periods

# The shortest period the detection considers (series-periods-detect-function.md: "periods containing
# at least 4 points and at most half of the series length"), and series_seasonal's detection threshold.
_MIN_PERIOD = 4
_SEASONAL_THRESHOLD = 0.7


def _numpy() -> Any:
    """numpy, which the period detection needs (the emulator extra installs it)."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is in the emulator extra and the test environment
        raise KqlError(
            "series_periods_detect, series_periods_validate and series_seasonal's period detection need "
            "numpy: install azlogs[emulator]"
        ) from None
    return numpy


def _periodic_part(values: list[float]) -> Any:
    """The series without its linear trend and without the frequencies of periods shorter than
    ``_MIN_PERIOD`` (a low-pass filter on the discrete Fourier transform), as a numpy array."""
    np = _numpy()

    y = np.asarray(values, dtype=float)
    n = len(y)
    t = np.arange(n, dtype=float)
    slope, icpt = np.polyfit(t, y, 1)
    spectrum = np.fft.rfft(y - (slope * t + icpt))
    k = np.arange(len(spectrum))
    spectrum[(k == 0) | (k * _MIN_PERIOD > n)] = 0
    return np.fft.irfft(spectrum, n)


def _lag_correlation(part: Any, lag: int) -> float:
    """Pearson's correlation of the series with itself shifted by ``lag`` (0 where undefined)."""
    np = _numpy()

    if lag <= 0 or lag >= len(part) - 1:
        return 0.0
    a, b = part[:-lag], part[lag:]
    sa, sb = float(np.std(a)), float(np.std(b))
    if sa == 0 or sb == 0:
        return 0.0
    return float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))


def _period_score(part: Any, period: float) -> float:
    """A period's score in [0, 1]: the lag correlation of the series' periodic part at that lag
    (interpolated between whole lags), 0 when negative or outside [4, n/2]."""
    n = len(part)
    if not _MIN_PERIOD <= period <= n / 2:
        return 0.0
    lo = math.floor(period)
    frac = period - lo
    r = _lag_correlation(part, lo)
    if frac:
        r = (1 - frac) * r + frac * _lag_correlation(part, lo + 1)
    return max(0.0, min(1.0, r))


def _series_values(series: Any) -> list[float] | None:
    """A series' numbers with its non-numeric elements replaced by the mean of the others; None when
    it is not an array or has fewer than two numbers."""
    xs = numbers(series)
    if xs is None:
        return None
    known = [float(x) for x in xs if x is not None and math.isfinite(x)]
    if len(known) < 2:
        return None
    mean = math.fsum(known) / len(known)
    return [float(x) if x is not None and math.isfinite(x) else mean for x in xs]


def detect_periods(values: list[float], min_period: float, max_period: float) -> list[tuple[float, float]]:
    """(period, score) of every period found in [min_period, max_period], best first. A peak of the
    periodogram at frequency k (above the noise level) hints at a period between n/(k+1) and n/(k-1);
    the period is the whole
    lag in that interval where the lag correlation is highest on a hill (concave), scored by it. A
    pattern repeating every 14 bins also repeats every 28, but the periodogram has no peak there, so
    28 is not reported; a weekly pattern with a daily one in it gives both."""
    np = _numpy()
    part = _periodic_part(values)
    n = len(values)
    lo = max(float(_MIN_PERIOD), min_period)
    hi = min(max_period, n / 2)
    power = np.abs(np.fft.rfft(part)) ** 2
    acf: dict[int, float] = {}

    def r(lag: int) -> float:
        if lag not in acf:
            acf[lag] = _lag_correlation(part, lag)
        return acf[lag]

    # A peak counts when it stands above the level the highest of m ordinates of noise would reach
    # (an ordinate of noise is exponentially distributed: its maximum is about ln m times the mean).
    m = len(power) - 1
    level = float(np.mean(power[1:])) * math.log(m) if m > 1 else 0.0
    found: dict[int, float] = {}
    for k in range(2, len(power)):  # k = 1 is the series' length, more than n/2
        after = power[k + 1] if k + 1 < len(power) else 0.0
        if not (power[k] > power[k - 1] and power[k] >= after and power[k] > level):
            continue
        first = max(math.ceil(n / (k + 1)), math.ceil(lo))
        last = min(math.floor(n / (k - 1)), math.floor(hi))
        best: tuple[int, float] | None = None
        for lag in range(first, last + 1):
            v = r(lag)
            # on a hill of the lag correlation (concave there), though maybe on a longer period's slope
            if v > 0 and 2 * v > r(lag - 1) + r(lag + 1) and (best is None or v > best[1]):
                best = (lag, v)
        if best is not None:
            found[best[0]] = min(1.0, best[1])
    return sorted(((float(p), sc) for p, sc in found.items()), key=lambda ps: -ps[1])


def series_periods_detect(series: Any, min_period: Any, max_period: Any, num_periods: Any) -> Any:
    """[periods, scores]: up to ``num_periods`` periods found, best first, the arrays padded with
    zeros to ``num_periods`` (series-periods-detect-function.md)."""
    values = _series_values(series)
    lo, hi, k = number(min_period), number(max_period), number(num_periods)
    if values is None or lo is None or hi is None or k is None or k < 0:
        return None
    found = detect_periods(values, float(lo), float(hi))[: int(k)]
    pad = [0.0] * (int(k) - len(found))
    return [[p for p, _ in found] + pad, [s for _, s in found] + pad]


def series_periods_validate(series: Any, *periods: Any) -> Any:
    """[periods, scores]: each given period with its score, 0 for a period outside [4, n/2]
    (series-periods-validate-function.md)."""
    values = _series_values(series)
    ps = [number(p) for p in periods]
    if values is None:
        return [[float(p) if p is not None else None for p in ps], [0.0 for _ in ps]]
    part = _periodic_part(values)
    return [
        [float(p) if p is not None else None for p in ps],
        [0.0 if p is None else _period_score(part, float(p)) for p in ps],
    ]


def series_seasonal(series: Any, period: Any = -1, test_points: Any = 0) -> list[float] | None:
    """The seasonal component: per position in the period, the median of the series' values at that
    position across the periods (series-seasonal-function.md). ``period`` -1 detects it (the best
    period scoring at least 0.7, else zeros); another non-positive one gives zeros. The last
    ``test_points`` values are left out of the medians."""
    xs = numbers(series)
    if xs is None:
        return None
    p = number(period)
    skip = number(test_points) or 0
    n = len(xs)
    learn = xs[: max(0, n - int(skip))]
    if p is None or p == -1:
        values = _series_values(learn)
        found = detect_periods(values, 0.0, len(values) / 2) if values is not None else []
        p = int(found[0][0]) if found and found[0][1] >= _SEASONAL_THRESHOLD else 0
    p = int(p)
    if p <= 0:
        return [0.0] * n
    medians: list[float] = []
    for phase in range(p):
        vals = sorted(float(v) for v in learn[phase::p] if v is not None and math.isfinite(v))
        if not vals:
            medians.append(0.0)
            continue
        mid = len(vals) // 2
        medians.append(vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2)
    return [medians[i % p] for i in range(n)]


def _register() -> None:
    from azlogs.kql import _fn_extra, _fn_misc  # noqa: F401 - the scalar functions applied per element
    from azlogs.kql._fn_dynamic2 import array_sum

    dyn = lambda types: "dynamic"  # noqa: E731
    for name, to_type in (
        ("abs", None),
        ("sign", _sign),
        ("ceiling", float),
        ("floor", None),
        ("exp", float),
        ("log", float),
        ("sin", float),
        ("cos", float),
        ("tan", float),
        ("asin", float),
        ("acos", float),
        ("atan", float),
    ):
        # floor is bin's alias (two arguments) in the registry: math.floor per element instead
        scalar = _floor if name == "floor" else _scalar(name)
        register(f"series_{name}", 1, 1, dyn, "query")(unary(scalar, to_type))
    pow_ = _scalar("pow")
    for name, impl2, lo, hi in (
        ("series_add", binary(lambda x, y: x + y), 2, 2),
        ("series_subtract", binary(lambda x, y: x - y), 2, 2),
        ("series_multiply", binary(lambda x, y: x * y), 2, 2),
        ("series_divide", binary(_div, "real"), 2, 2),
        ("series_pow", binary(pow_, "real"), 2, 2),
        ("series_equals", binary(lambda x, y: x == y, "bool"), 2, 2),
        ("series_not_equals", binary(lambda x, y: x != y, "bool"), 2, 2),
        ("series_greater", binary(lambda x, y: x > y, "bool"), 2, 2),
        ("series_greater_equals", binary(lambda x, y: x >= y, "bool"), 2, 2),
        ("series_less", binary(lambda x, y: x < y, "bool"), 2, 2),
        ("series_less_equals", binary(lambda x, y: x <= y, "bool"), 2, 2),
        ("series_iir", series_iir, 3, 3),
        ("series_seasonal", series_seasonal, 1, 3),
    ):
        register(name, lo, hi, dyn, "query")(impl2)
    register_table(
        "real",
        ("series_dot_product", series_dot_product, 2, 2),
        ("series_magnitude", series_magnitude, 1, 1),
        ("series_cosine_similarity", series_cosine_similarity, 2, 4),
        ("series_pearson_correlation", series_pearson_correlation, 2, 2),
        ("series_product", series_product, 1, 1),
        ("series_sum", array_sum, 1, 1),  # array_sum is series_sum's obsolete name (Kusto.Language)
    )


def register_table(result: Any, *rows: tuple[str, Callable[..., Any], int, int]) -> None:
    """Register log-query functions given as (name, implementation, min_args, max_args)."""
    for name, impl, lo, hi in rows:
        register(name, lo, hi, result, "query")(impl)


_register()
