"""Smaller scalar functions of the Kusto documentation, each with its page's examples as conformance
cases: trigonometry and special functions, the beta distribution (``beta_cdf``, ``beta_inv``,
``beta_pdf``), code points, bytes and compression, ``around``, ``format_bytes``, ``indexof_regex``,
``has_any_index``, ``bitset_count_ones``, ``isascii``, ``isutf8``, punycode (of texts and of domain
names), ``regex_quote``, ``rand`` and ``new_guid``.

From the pages under MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query (``<name>-function.md``);
result types are Kusto.Language's (``src/Kusto.Language/Functions.cs``). Where a page is silent, our
reading: text that does not decode (base64, gzip, zlib, punycode) gives ``""``; a code point outside
Unicode makes ``unicode_codepoints_to_string`` give ``""`` (strings are never null here);
``base64_decode_toguid``/``base64_encode_fromguid`` use .NET's byte order of a guid (the encode page's
value; the decode page prints its third group byte-swapped, which contradicts it);
``format_bytes`` picks units by powers of 1024 as the page's ``19 MB`` for 20010332 shows.
``rand``/``new_guid`` are evaluated per row and never folded into constants. ``column_names_of`` is
known when the query is compiled.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import math
import random
import re
import uuid
import zlib
from typing import Any

from azlogs.kql import _ast as A
from azlogs.kql import _fn_units  # noqa: F401 - registers the convert_* functions
from azlogs.kql._compile import CExpr, Env, Row, compile_expr, err
from azlogs.kql._operators import has
from azlogs.kql._regex import compile_regex
from azlogs.kql._registry import REGISTRY, FunctionSpec, register
from azlogs.kql._values import to_str

__all__ = ["FORMS"]


def _s(v: Any) -> str:
    return v if isinstance(v, str) else to_str(v)


def _real(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


# ----------------------------------------------------------------------------- math


def _unary_real(name: str, fn: Any) -> None:
    def impl(x: Any) -> float | None:
        v = _real(x)
        if v is None:
            return None
        try:
            return float(fn(v))
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan

    impl.__doc__ = f"{name}() of a number."
    register(name, 1, 1, "real", "query")(impl)


for _name, _fn in (
    ("cos", math.cos),
    ("sin", math.sin),
    ("tan", math.tan),
    ("acos", math.acos),
    ("asin", math.asin),
    ("atan", math.atan),
    ("cot", lambda v: 1.0 / math.tan(v)),
    ("degrees", math.degrees),
    ("radians", math.radians),
    ("erf", math.erf),
    ("erfc", math.erfc),
    ("gamma", math.gamma),
    ("loggamma", lambda v: math.lgamma(v)),
):
    _unary_real(_name, _fn)


@register("atan2", 2, 2, "real", "query")
def atan2(y: Any, x: Any) -> float | None:
    """The angle in radians between the positive x axis and the ray to (x, y)."""
    a, b = _real(y), _real(x)
    return None if a is None or b is None else math.atan2(a, b)


@register("pi", 0, 0, "real", "query")
def pi() -> float:
    """The constant pi."""
    return math.pi


# The beta distribution (beta-cdf/beta-inv/beta-pdf-function.md). What the pages' examples print:
# an argument outside the distribution's domain gives NaN, except beta_inv's probability outside
# [0, 1], which gives null (the example's 1.5; its notes say the reverse, its output wins).


def _beta_args(x: Any, alpha: Any, beta: Any) -> tuple[float, float, float] | None:
    v, a, b = _real(x), _real(alpha), _real(beta)
    return None if v is None or a is None or b is None else (v, a, b)


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _beta_fraction(x: float, a: float, b: float) -> float:
    """The continued fraction of the regularized incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 1000):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-16:
            break
    return result


def _beta_cdf(x: float, a: float, b: float) -> float:
    """I_x(a, b), the regularized incomplete beta function."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - _log_beta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(x, a, b) / a
    return 1.0 - front * _beta_fraction(1.0 - x, b, a) / b


def _beta_shape_ok(a: float, b: float, upper: float = math.inf) -> bool:
    """Both shapes in (0, ``upper``]: beta_cdf's page caps them at 10000, the other pages do not."""
    return 0.0 < a <= upper and 0.0 < b <= upper


def _beta_density(v: float, a: float, b: float) -> float:
    return math.exp((a - 1.0) * math.log(v) + (b - 1.0) * math.log1p(-v) - _log_beta(a, b))


def _beta_function(name: str, doc: str, inside: Any, value: Any, upper: float = math.inf) -> None:
    """Register ``name(x, alpha, beta)``: null for a non-number, NaN outside ``inside(x)`` or the shapes."""

    def impl(x: Any, alpha: Any, beta: Any) -> float | None:
        args = _beta_args(x, alpha, beta)
        if args is None:
            return None
        v, a, b = args
        if not inside(v) or not _beta_shape_ok(a, b, upper):
            return math.nan
        return float(value(v, a, b))

    impl.__doc__ = doc
    register(name, 3, 3, "real", "query")(impl)


_beta_function(
    "beta_cdf",
    "The cumulative beta distribution function at ``x``.",
    lambda v: 0.0 <= v <= 1.0,
    _beta_cdf,
    10000.0,
)
_beta_function(
    "beta_pdf",
    "The beta probability density function at ``x`` (0 < x < 1).",
    lambda v: 0.0 < v < 1.0,
    _beta_density,
)


@register("beta_inv", 3, 3, "real", "query")
def beta_inv(probability: Any, alpha: Any, beta: Any) -> float | None:
    """The x whose ``beta_cdf(x, alpha, beta)`` is ``probability`` (bisection to full precision)."""
    args = _beta_args(probability, alpha, beta)
    if args is None:
        return None
    p, a, b = args
    if not (0.0 <= p <= 1.0):
        return None
    if not _beta_shape_ok(a, b):
        return math.nan
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if mid in (lo, hi):
            break
        if _beta_cdf(mid, a, b) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


@register("bitset_count_ones", 1, 1, "long", "query")
def bitset_count_ones(value: Any) -> int | None:
    """The number of set bits of a 64-bit integer (two's complement for a negative one)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return (value & ((1 << 64) - 1)).bit_count()


@register("around", 3, 3, "bool", "query")
def around(value: Any, center: Any, delta: Any) -> bool | None:
    """True when ``value`` is within ``center`` +- ``delta`` (ends included)."""
    if value is None or center is None or delta is None:
        return None
    return bool(center - delta <= value <= center + delta)


# ----------------------------------------------------------------------------- text


@register("unicode_codepoints_to_string", 1, 64, "string", "query")
def unicode_codepoints_to_string(*values: Any) -> str:
    """The text of the code points given as numbers or dynamic arrays of numbers."""
    points: list[Any] = []
    for v in values:
        points.extend(v if isinstance(v, list) else [v])
    try:
        return "".join(chr(p) for p in points if not isinstance(p, bool))
    except (TypeError, ValueError, OverflowError):
        return ""


@register("unicode_codepoints_from_string", 1, 1, "dynamic", "query")
def unicode_codepoints_from_string(value: Any) -> list[int]:
    """The code points of a text."""
    return [ord(c) for c in _s(value)]


@register("isascii", 1, 1, "bool", "query")
def isascii(value: Any) -> bool:
    """True when every character is ASCII."""
    return _s(value).isascii()


@register("isutf8", 1, 1, "bool", "query")
def isutf8(value: Any) -> bool:
    """True when the text is valid UTF-8 (every text held here is)."""
    try:
        _s(value).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@register("indexof_regex", 2, 5, "long", "query")
def indexof_regex(s: Any, match: Any, start: Any = 0, length: Any = -1, occurrence: Any = 1) -> int | None:
    """The position of the n-th (non-overlapping) match of a regex, -1 when there is none."""
    if start is None or start < 0 or occurrence is None or occurrence < 0 or length is None or length < -1:
        return None
    text = _s(s)
    end = len(text) if length == -1 else min(len(text), start + length)
    pattern = compile_regex(_s(match))
    for n, m in enumerate(pattern.finditer(text[start:end]), start=1):
        if n == occurrence:
            return int(start) + int(m.start())
    return -1


@register("has_any_index", 2, 2, "long", "query")
def has_any_index(source: Any, values: Any) -> int:
    """The index of the first value that ``source`` has as a term (``has``), -1 when none."""
    text = _s(source)
    for i, v in enumerate(values if isinstance(values, list) else []):
        term = _s(v)
        if term and has(text, term):
            return i
    return -1


_BYTE_UNITS = ("Bytes", "KB", "MB", "GB", "TB", "PB", "EB")


@register("format_bytes", 1, 3, "string", "query")
def format_bytes(size: Any, precision: Any = 0, units: Any = "") -> str:
    """A size in bytes as text in ``units`` or in the largest unit under which it is 1 or more."""
    value = _real(size)
    if value is None:
        return ""
    digits = precision if isinstance(precision, int) and not isinstance(precision, bool) else 0
    unit = _s(units)
    if unit:
        matches = [u for u in _BYTE_UNITS if u.lower() == unit.lower()]
        if not matches:
            return ""
        power = _BYTE_UNITS.index(matches[0])
    else:
        power = 0
        while power < len(_BYTE_UNITS) - 1 and abs(value) >= 1024 ** (power + 1):
            power += 1
    scaled = round(value / 1024**power, digits)
    text = f"{scaled:.{max(digits, 0)}f}"
    return f"{text} {_BYTE_UNITS[power]}"


@register("punycode_from_string", 1, 1, "string", "query")
def punycode_from_string(value: Any) -> str:
    """Punycode (RFC 3492) of a text."""
    try:
        return _s(value).encode("punycode").decode("ascii")
    except UnicodeError:
        return ""


@register("punycode_to_string", 1, 1, "string", "query")
def punycode_to_string(value: Any) -> str:
    """The text a punycode encodes."""
    try:
        return _s(value).encode("ascii").decode("punycode")
    except UnicodeError:
        return ""


# IDNA's label separators (UTS #46): the full stop and its ideographic, fullwidth and halfwidth forms,
# as the punycode_domain_to_string page's "Lê Lợi。Thuận Thiên。com" and "Riðill｡Skáldskaparmál｡org".
_LABEL_DOTS = re.compile("[.\u3002\uff0e\uff61]")
_ACE = "xn--"


@register("punycode_domain_to_string", 1, 1, "string", "query")
def punycode_domain_to_string(value: Any) -> str:
    """A domain name in punycode form: each label with a non-ASCII character becomes ``xn--`` and its
    punycode (case and spaces kept, as the page's ``xn--L Li-gpa4517b``); labels join with ``.``."""
    try:
        return ".".join(
            label if label.isascii() else _ACE + label.encode("punycode").decode("ascii")
            for label in _LABEL_DOTS.split(_s(value))
        )
    except UnicodeError:
        return ""


@register("punycode_domain_from_string", 1, 1, "string", "query")
def punycode_domain_from_string(value: Any) -> str:
    """The domain name a punycode form encodes: each ``xn--`` label decoded, the others kept."""
    try:
        return ".".join(
            label[len(_ACE) :].encode("ascii").decode("punycode") if label.lower().startswith(_ACE) else label
            for label in _s(value).split(".")
        )
    except UnicodeError:
        return ""


@register("regex_quote", 1, 1, "string", "query")
def regex_quote(value: Any) -> str:
    """The text with every ASCII character other than a letter, a digit or ``_`` escaped with a
    backslash (RE2's quoting, the engine Kusto's regular expressions use; NUL as ``\\x00``)."""
    out = []
    for ch in _s(value):
        if ch == "\0":
            out.append("\\x00")
        elif ch.isascii() and not (ch.isalnum() or ch == "_"):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


# ----------------------------------------------------------------------------- bytes and compression


def _b64(value: Any) -> bytes | None:
    try:
        return base64.b64decode(_s(value), validate=True)
    except (binascii.Error, ValueError):
        return None


@register("base64_decode_toarray", 1, 1, "dynamic", "query")
def base64_decode_toarray(value: Any) -> list[int] | None:
    """The bytes a base64 text encodes, as an array of numbers."""
    raw = _b64(value)
    return None if raw is None else list(raw)


@register("base64_encode_fromarray", 1, 1, "string", "query")
def base64_encode_fromarray(value: Any) -> str:
    """The base64 text of an array of byte values (0-255); "" when an element is not a byte."""
    if not isinstance(value, list) or not all(isinstance(b, int) and 0 <= b <= 255 for b in value):
        return ""
    return base64.b64encode(bytes(value)).decode("ascii")


@register("base64_decode_toguid", 1, 1, "guid", "query")
def base64_decode_toguid(value: Any) -> uuid.UUID | None:
    """The guid whose 16 bytes (.NET's order) a base64 text encodes."""
    raw = _b64(value)
    return None if raw is None or len(raw) != 16 else uuid.UUID(bytes_le=raw)


@register("base64_encode_fromguid", 1, 1, "string", "query")
def base64_encode_fromguid(value: Any) -> str:
    """The base64 text of a guid's 16 bytes (.NET's order)."""
    if not isinstance(value, uuid.UUID):
        return ""
    return base64.b64encode(value.bytes_le).decode("ascii")


@register("gzip_compress_to_base64_string", 1, 1, "string", "query")
def gzip_compress_to_base64_string(value: Any) -> str:
    """A text gzip-compressed, as base64: stored (level 0) deflate blocks under a header with no time
    and an unknown OS, which gives the page's ``H4sIAAAAAAAA/wEUAOv/...`` byte for byte."""
    data = _s(value).encode("utf-8")
    deflate = zlib.compressobj(0, zlib.DEFLATED, -15)
    body = deflate.compress(data) + deflate.flush()
    trailer = zlib.crc32(data).to_bytes(4, "little") + (len(data) & 0xFFFFFFFF).to_bytes(4, "little")
    return base64.b64encode(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + body + trailer).decode("ascii")


@register("gzip_decompress_from_base64_string", 1, 1, "string", "query")
def gzip_decompress_from_base64_string(value: Any) -> str:
    """The text of a base64 gzip stream."""
    raw = _b64(value)
    try:
        return "" if raw is None else gzip.decompress(raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError, zlib.error):
        return ""


@register("zlib_compress_to_base64_string", 1, 1, "string", "query")
def zlib_compress_to_base64_string(value: Any) -> str:
    """A text zlib-compressed (stored, level 0, as the page's ``eAEB...`` shows), as base64."""
    return base64.b64encode(zlib.compress(_s(value).encode("utf-8"), 0)).decode("ascii")


@register("zlib_decompress_from_base64_string", 1, 1, "string", "query")
def zlib_decompress_from_base64_string(value: Any) -> str:
    """The text of a base64 zlib stream."""
    raw = _b64(value)
    try:
        return "" if raw is None else zlib.decompress(raw).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return ""


# ----------------------------------------------------------------------------- per-row random values


def _rand(node: A.Call, env: Env) -> CExpr:
    if len(node.args) > 1:
        raise err(node, f"rand() takes 0 or 1 argument, got {len(node.args)}")
    if not node.args:
        return CExpr(lambda r: random.random(), "real")
    bound = compile_expr(node.args[0], env).fn

    def fn(r: Row) -> Any:
        n = bound(r)
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            return None
        return random.randrange(n)

    return CExpr(fn, "long")


def _new_guid(node: A.Call, env: Env) -> CExpr:
    if node.args:
        raise err(node, f"new_guid() takes no arguments, got {len(node.args)}")
    return CExpr(lambda r: uuid.uuid4(), "guid")


def _column_names_of(node: A.Call, env: Env) -> CExpr:
    """The column names of a tabular expression (a table, a ``let`` table, a tabular function call),
    known when the query is compiled: the column_names_of page's ``["A", "B"]``."""
    if len(node.args) != 1:
        raise err(node, f"column_names_of() takes 1 argument, got {len(node.args)}")
    from azlogs.kql._tabular import compile_pipeline

    plan = compile_pipeline(node.args[0], env)
    names = [n for n in plan.columns if not n.startswith("\0")]
    return CExpr(lambda r: list(names), "dynamic", const=True, value=names, row_free=True)


FORMS = {"rand": _rand, "new_guid": _new_guid, "column_names_of": _column_names_of}
REGISTRY["rand"] = FunctionSpec(
    "rand", 0, 1, lambda ts: "long" if ts else "real", "query", None, (), None, True
)
REGISTRY["new_guid"] = FunctionSpec("new_guid", 0, 0, "guid", "query", None, (), None, True)
REGISTRY["column_names_of"] = FunctionSpec("column_names_of", 1, 1, "dynamic", "query", None, (), None, True)
