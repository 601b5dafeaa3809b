"""String functions."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
import urllib.parse
from typing import Any

from azlogs.facts import KQL_STRREP_MAX_MULTIPLIER
from azlogs.kql._budget import current
from azlogs.kql._regex import compile_regex
from azlogs.kql._registry import register
from azlogs.kql._values import convert, normalize_type, to_str


def _s(v: Any) -> str:
    return v if isinstance(v, str) else to_str(v)


@register("strcat", 1, 64, "string", "dcr")
def strcat(*args: Any) -> str:
    """Concatenate the text forms of the arguments."""
    return "".join(a if isinstance(a, str) else to_str(a) for a in args)


@register("strcat_delim", 2, 64, "string", "dcr")
def strcat_delim(delim: Any, *args: Any) -> str:
    """Concatenate with a delimiter."""
    return _s(delim).join(_s(a) for a in args)


@register("strlen", 1, 1, "long", "dcr")
def strlen(s: Any) -> int:
    """Length in characters."""
    return len(_s(s))


@register("toupper", 1, 1, "string", "dcr")
def toupper(s: Any) -> str:
    """Upper case."""
    return _s(s).upper()


@register("tolower", 1, 1, "string", "dcr")
def tolower(s: Any) -> str:
    """Lower case."""
    return _s(s).lower()


@register("substring", 2, 3, "string", "dcr")
def substring(s: Any, start: Any, length: Any = None) -> str:
    """Characters from ``start`` (0-based; a negative start counts from the end, as the page's
    ``substring("123456", -2, 2)`` is ``56``), ``length`` of them or to the end."""
    text = _s(s)
    if start is None:
        return ""
    begin = int(start)
    if begin < 0:
        begin = max(len(text) + begin, 0)
    end = len(text) if length is None else begin + int(length)
    begin = max(begin, 0)
    return text[begin : max(end, begin)]


@register("split", 2, 3, "dynamic", "dcr")
def split(s: Any, delim: Any, index: Any = None) -> Any:
    """Split into a dynamic array of strings (``index`` picks one, as a one-element array)."""
    parts = _s(s).split(_s(delim)) if _s(delim) else [_s(s)]
    if index is None:
        return parts
    i = int(index)
    return [parts[i]] if 0 <= i < len(parts) else []


@register("indexof", 2, 5, "long", "dcr")
def indexof(s: Any, lookup: Any, start: Any = 0, length: Any = -1, occurrence: Any = 1) -> int | None:
    """Position of the n-th occurrence of ``lookup``, or -1. ``length`` counts the characters after
    ``start`` that a match may reach, the start's own not included: the indexof page finds "cde" in
    "abcdefgabcdefg" from 1 with length 10 at 9 (its last character is the 11th after the start),
    and not in "abcdefg" from 1 with length 2."""
    text, sub = _s(s), _s(lookup)
    begin = int(start or 0)
    if begin < 0:
        begin = max(len(text) + begin, 0)
    if begin > len(text):
        return None
    end = len(text) if length is None or int(length) < 0 else min(len(text), begin + int(length) + 1)
    pos = begin - 1
    for _ in range(max(int(occurrence or 1), 1)):
        pos = text.find(sub, pos + 1, end)
        if pos < 0:
            return -1
    return pos


@register("countof", 2, 3, "long", "dcr")
def countof(s: Any, search: Any, kind: Any = "normal") -> int:
    """Occurrences of a substring (overlapping) or of a regex (``kind="regex"``)."""
    text, sub = _s(s), _s(search)
    if _s(kind) == "regex":
        return sum(1 for _ in compile_regex(sub).finditer(text))
    if not sub:
        return 0
    count, pos = 0, text.find(sub)
    while pos >= 0:
        count += 1
        pos = text.find(sub, pos + 1)
    return count


@register("extract", 3, 4, lambda ts: "string", "dcr")
def extract(regex: Any, group: Any, s: Any, typ: Any = None) -> Any:
    """Capture group ``group`` of the first match of ``regex`` in ``s`` ("" when none)."""
    m = compile_regex(_s(regex)).search(_s(s))
    value = "" if m is None else (m.group(int(group)) or "")
    if typ is not None:
        return convert(value, normalize_type(str(typ))) if m is not None else None
    return value


@register("extract_all", 2, 3, "dynamic", "dcr")
def extract_all(regex: Any, groups: Any, s: Any = None) -> Any:
    """All matches: a list of strings (one group) or of lists (several groups); null when none.
    ``groups`` picks capture groups by number or by name (``dynamic(['first', 2, 'last'])``)."""
    if s is None:
        s, groups = groups, None
    pattern = compile_regex(_s(regex))
    out: list[Any] = []
    if groups:
        groups = [g if isinstance(g, str) and not g.isdigit() else int(g) for g in groups]
    for m in pattern.finditer(_s(s)):
        if groups:
            picked = [m.group(g) or "" for g in groups]
        elif pattern.groups:
            picked = [m.group(i) or "" for i in range(1, pattern.groups + 1)]
        else:
            picked = [m.group(0)]
        out.append(picked[0] if len(picked) == 1 else picked)
    return out or None


@register("isempty", 1, 1, "bool", "dcr")
def isempty(v: Any) -> bool:
    """True for null and for the empty string."""
    return v is None or v == "" or (isinstance(v, (list, dict)) and False)


@register("isnotempty", 1, 1, "bool", "dcr", aliases=("notempty",))
def isnotempty(v: Any) -> bool:
    """Not isempty."""
    return not isempty(v)


@register("base64_encodestring", 1, 1, "string", "dcr", aliases=())
def base64_encode(s: Any) -> str:
    """Base64 of the UTF-8 bytes."""
    return base64.b64encode(_s(s).encode("utf-8")).decode("ascii")


@register("base64_decodestring", 1, 1, "string", "dcr")
def base64_decode(s: Any) -> str:
    """Decode base64 to UTF-8 text ("" when invalid)."""
    try:
        return base64.b64decode(_s(s), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


@register("replace_string", 3, 3, "string", "dcr-doc")
def replace_string(s: Any, lookup: Any, rewrite: Any) -> str:
    """Replace every occurrence of ``lookup`` (plain text) by ``rewrite``."""
    text, sub, new = _s(s), _s(lookup), _s(rewrite)
    if not sub:
        return text
    if len(new) > len(sub):
        # A rewrite longer than the lookup multiplies the text: measure before building.
        current().check_size(len(text) + text.count(sub) * (len(new) - len(sub)), "replace_string()'s result")
    return text.replace(sub, new)


def _kql_rewrite(rewrite: str) -> str:
    # KQL rewrites use \1..\9 for groups; RE2's sub accepts the same, but a literal backslash
    # before anything else must survive.
    return rewrite


@register("replace_regex", 3, 3, "string", "query")
def replace_regex(s: Any, regex: Any, rewrite: Any) -> str:
    """Replace every match of ``regex`` by ``rewrite`` (``\\1`` refers to a group)."""
    text, new = _s(s), _kql_rewrite(_s(rewrite))
    pattern = compile_regex(_s(regex))
    if len(new) > 1 and len(text) * len(new) > 4096:
        # Each match (an empty pattern matches between every two characters) adds the rewrite and
        # each group it names: bound the result by matches x (rewrite + the text) before building it.
        matches = sum(1 for _ in pattern.finditer(text))
        groups = new.count("\\")
        current().check_size(
            len(text) + matches * (len(new) + groups * len(text)), "replace_regex()'s result"
        )
    return str(pattern.sub(new, text))


@register("replace", 3, 3, "string", "dcr-doc")
def replace_deprecated(regex: Any, rewrite: Any, s: Any) -> str:
    """The deprecated ``replace(regex, rewrite, text)``: note the argument order."""
    return replace_regex(s, regex, rewrite)


@register("trim", 2, 2, "string", "query")
def trim(regex: Any, s: Any) -> str:
    """Remove leading and trailing matches of ``regex``."""
    return trim_end(regex, trim_start(regex, s))


@register("trim_start", 2, 2, "string", "query")
def trim_start(regex: Any, s: Any) -> str:
    """Remove leading matches of ``regex``."""
    m = compile_regex(f"^(?:{_s(regex)})+").search(_s(s))
    return _s(s)[m.end() :] if m else _s(s)


@register("trim_end", 2, 2, "string", "query")
def trim_end(regex: Any, s: Any) -> str:
    """Remove trailing matches of ``regex``."""
    m = compile_regex(f"(?:{_s(regex)})+$").search(_s(s))
    return _s(s)[: m.start()] if m else _s(s)


@register("reverse", 1, 1, "string", "query")
def reverse(s: Any) -> str:
    """Reverse the text."""
    return _s(s)[::-1]


@register("strrep", 2, 3, "string", "query")
def strrep(s: Any, n: Any, delim: Any = "") -> str:
    """Repeat text ``n`` times: at most 1024 times, as Kusto's strrep()."""
    text, sep = _s(s), _s(delim)
    times = min(max(int(n or 0), 0), KQL_STRREP_MAX_MULTIPLIER)
    if times:
        current().check_size(len(text) * times + len(sep) * (times - 1), "strrep()'s result")
    return sep.join([text] * times)


@register("strcat_array", 2, 2, "string", "query")
def strcat_array(arr: Any, delim: Any) -> str:
    """Join a dynamic array."""
    return _s(delim).join(_s(v) for v in arr) if isinstance(arr, list) else ""


@register("string_size", 1, 1, "long", "query")
def string_size(s: Any) -> int:
    """Size in UTF-8 bytes."""
    return len(_s(s).encode("utf-8"))


@register("base64_encode_tostring", 1, 1, "string", "query", dcr_replacement="base64_encodestring")
def base64_encode_tostring(s: Any) -> str:
    """Base64 of the UTF-8 bytes (DCRs spell it base64_encodestring)."""
    return base64_encode(s)


@register("base64_decode_tostring", 1, 1, "string", "query", dcr_replacement="base64_decodestring")
def base64_decode_tostring(s: Any) -> str:
    """Decode base64 (DCRs spell it base64_decodestring)."""
    return base64_decode(s)


# .NET's HttpUtility.UrlEncode, which the url_encode pages' outputs match: UTF-8, lower-case hex,
# letters, digits and -_.!*() kept; url_encode writes a space as '+', url_encode_component as %20.
_URL_SAFE = "-_.!*()"


def _url_encode(text: str, space: str) -> str:
    # quote() always keeps '~', which .NET encodes.
    return urllib.parse.quote(text, safe=_URL_SAFE + " ").replace("~", "%7e").replace(" ", space)


def _lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


@register("url_encode", 1, 1, "string", "query")
def url_encode(s: Any) -> str:
    """Percent-encode as a query value (``hello world/`` -> ``hello+world%2f``)."""
    return _lower_escapes(_url_encode(_s(s), "+"))


@register("url_encode_component", 1, 1, "string", "query")
def url_encode_component(s: Any) -> str:
    """Percent-encode as a URL component (``hello world/`` -> ``hello%20world%2f``)."""
    return _lower_escapes(_url_encode(_s(s), "%20"))


@register("url_decode", 1, 1, "string", "query")
def url_decode(s: Any) -> str:
    """Percent-decode."""
    return urllib.parse.unquote(_s(s))


@register("parse_url", 1, 1, "dynamic", "query")
def parse_url(s: Any) -> Any:
    """Split a URL into Scheme, Host, Port, Path, Username, Password, Query Parameters, Fragment."""
    text = _s(s)
    try:
        u = urllib.parse.urlsplit(text)
        port = u.port
    except ValueError:
        return {}
    if not u.scheme:
        return {}
    params = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
    return {
        "Scheme": u.scheme,
        "Host": u.hostname or "",
        "Port": "" if port is None else str(port),
        "Path": u.path,
        "Username": u.username or "",
        "Password": u.password or "",
        "Query Parameters": params,
        "Fragment": u.fragment,
    }


@register("parse_csv", 1, 1, "dynamic", "query")
def parse_csv(s: Any) -> Any:
    """Split one CSV record into a dynamic array of strings (RFC 4180 quoting)."""
    rows = list(csv.reader(io.StringIO(_s(s))))
    return rows[0] if rows else [""]


@register("has_term", 2, 2, "bool", "query")
def has_term(s: Any, term: Any) -> bool:
    """Function form of ``has``."""
    from azlogs.kql._operators import has  # local import: operators import this module's helpers

    return bool(has(_s(s), _s(term)))


_TRANSLATE_CACHE: dict[tuple[str, str], dict[int, Any]] = {}


@register("translate", 3, 3, "string", "query")
def translate(search: Any, replace: Any, s: Any) -> str:
    """Replace characters of ``search`` by those at the same position in ``replace``."""
    a, b = _s(search), _s(replace)
    key = (a, b)
    table = _TRANSLATE_CACHE.get(key)
    if table is None:
        if not b:
            table = {ord(c): None for c in a}
        else:
            table = {ord(c): (b[i] if i < len(b) else b[-1]) for i, c in enumerate(a)}
        _TRANSLATE_CACHE[key] = table
    return _s(s).translate(table)


_WS = re.compile(r"\s+")
