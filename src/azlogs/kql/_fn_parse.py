"""Parsing functions: ``parse_path``, ``parse_command_line``, ``parse_version``, ``parse_user_agent``.

From the Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/parse-path-function.md,
parse-command-line-function.md, parse-version-function.md, parse-user-agent-function.md):

* ``parse_path(path)``: a bag of ``Scheme``, ``RootPath`` (a drive such as ``C:``), ``DirectoryPath``,
  ``DirectoryName``, ``Filename``, ``Extension`` and ``AlternateDataStreamName`` (after a ``:`` in the
  file name), for Windows, UNC, Unix and ``file://`` paths, as the page's five rows show.
* ``parse_command_line(text, "windows")``: the arguments as CommandLineToArgvW splits them (the page
  names it): whitespace separates, double quotes group, ``2n`` backslashes before a quote are ``n``
  and the quote delimits, ``2n+1`` give ``n`` and a literal quote, ``""`` inside quotes is one quote;
  the first argument (the program) ends at its closing quote or at whitespace, without escapes.
  Another parser type is a query error.
* ``parse_version(text)``: one to four dot-separated parts of up to eight digits, the missing ones 0,
  as the decimal whose 8-digit groups are the parts (``1.2.3.4`` is 1000000020000000300000004); null
  otherwise.
* ``parse_urlquery(query)``: ``{"Query Parameters": {name: value}}``, as ``parse_url`` gives them.
* ``extract_json(path, text[, typeof(T)])``: the value at a JSONPath of ``$.a.b`` / ``$['a']`` keys in a
  JSON text, converted to ``T`` (a string without one); array indexing in the path gives null [U].
* ``parse_user_agent(text, look_for)``: Kusto matches a large predefined set of patterns (those of
  ua-parser). The emulator ships a small table of the common families instead (Edge, Chrome,
  Firefox, Safari, Opera, Internet Explorer, AdobeAIR, Nokia OSS Browser; Windows, Mac OS X, iOS,
  Android, Linux, Symbian OS; iPhone, iPad, Nokia devices) that reproduces the page's examples; other
  text gives the family ``Other`` with empty versions, as ua-parser answers what it does not know.
  A documented difference.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from decimal import Decimal
from typing import Any

from azlogs._exceptions import KqlError
from azlogs.kql import _ast as A
from azlogs.kql._compile import CExpr, Env, Row, compile_expr, err
from azlogs.kql._fn_dynamic2 import _path as json_path_keys
from azlogs.kql._registry import REGISTRY, FunctionSpec, register
from azlogs.kql._values import convert, to_str

__all__ = ["FORMS", "parse_command_line", "parse_path", "parse_urlquery", "parse_user_agent", "parse_version"]


def _s(v: Any) -> str:
    return v if isinstance(v, str) else to_str(v)


# ----------------------------------------------------------------------------- parse_path

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")
_DRIVE = re.compile(r"^[A-Za-z]:")


@register("parse_path", 1, 1, "dynamic", "query")
def parse_path(path: Any) -> dict[str, str]:
    """The parts of a file path as a property bag."""
    text = _s(path)
    scheme = ""
    m = _SCHEME.match(text)
    if m is not None:
        scheme, text = m.group(1), text[m.end() :]
    drive = _DRIVE.match(text)
    root = drive.group(0) if drive else ""
    cut = max(text.rfind("/"), text.rfind("\\"))
    directory, name = (text[:cut], text[cut + 1 :]) if cut >= 0 else ("", text)
    if cut < 0 and root:
        directory, name = root, text[len(root) :]
    stream = ""
    if ":" in name:
        name, _, stream = name.partition(":")
    dot = name.rfind(".")
    extension = name[dot + 1 :] if dot >= 0 else ""
    parts = re.split(r"[/\\]", directory)
    dir_name = parts[-1] if parts and parts[-1] != root else ""
    return {
        "Scheme": scheme,
        "RootPath": root,
        "DirectoryPath": directory,
        "DirectoryName": dir_name,
        "Filename": name,
        "Extension": extension,
        "AlternateDataStreamName": stream,
    }


# ----------------------------------------------------------------------------- parse_command_line


def _argv(text: str) -> list[str]:
    args: list[str] = []
    i, n = 0, len(text)
    while i < n and text[i] in " \t":
        i += 1
    if i >= n:
        return args
    # The program name: quotes only group, backslashes are literal.
    cur: list[str] = []
    if text[i] == '"':
        i += 1
        while i < n and text[i] != '"':
            cur.append(text[i])
            i += 1
        i += 1
    else:
        while i < n and text[i] not in " \t":
            cur.append(text[i])
            i += 1
    args.append("".join(cur))
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return args
        cur = []
        quoted = False
        while i < n and (quoted or text[i] not in " \t"):
            c = text[i]
            if c == "\\":
                j = i
                while j < n and text[j] == "\\":
                    j += 1
                count = j - i
                if j < n and text[j] == '"':
                    cur.append("\\" * (count // 2))
                    if count % 2:
                        cur.append('"')
                        i = j + 1
                    else:
                        i = j
                    continue
                cur.append("\\" * count)
                i = j
                continue
            if c == '"':
                if quoted and i + 1 < n and text[i + 1] == '"':
                    cur.append('"')
                    i += 2
                    continue
                quoted = not quoted
                i += 1
                continue
            cur.append(c)
            i += 1
        args.append("".join(cur))


@register("parse_command_line", 2, 2, "dynamic", "query")
def parse_command_line(command_line: Any, parser: Any) -> list[str]:
    """A command line's arguments, split as Windows' CommandLineToArgvW splits them."""
    if _s(parser).lower() != "windows":
        raise KqlError(
            f"parse_command_line(): unknown parser type {parser!r}; the supported one is 'windows'"
        )
    return _argv(_s(command_line))


# ----------------------------------------------------------------------------- parse_version

_VERSION = re.compile(r"\s*(\d{1,8})(?:\.(\d{1,8})){0,3}\s*")


@register("parse_version", 1, 1, "decimal", "query")
def parse_version(version: Any) -> Decimal | None:
    """``1.2.3.4`` as one comparable decimal; null when the text is not 1-4 numeric parts."""
    text = _s(version)
    if _VERSION.fullmatch(text) is None:
        return None
    parts = [int(p) for p in text.strip().split(".")]
    parts += [0] * (4 - len(parts))
    value = 0
    for p in parts:
        value = value * 100_000_000 + p
    return Decimal(value)


# ----------------------------------------------------------------------------- parse_user_agent


def _rules(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), family) for p, family in pairs)


# (pattern, family): the first that matches wins, as in ua-parser. Groups are the major, minor and
# patch versions.
_BROWSERS = _rules(
    (
        (r"AdobeAIR/(\d+)\.(\d+)(?:\.(\d+))?", "AdobeAIR"),
        (r"Edg(?:e|A|iOS)?/(\d+)\.(\d+)(?:\.(\d+))?", "Edge"),
        (r"(?:OPR|Opera)/(\d+)\.(\d+)(?:\.(\d+))?", "Opera"),
        (r"Series60/(\d+)\.(\d+)", "Nokia OSS Browser"),
        (r"(?:Chrome|CriOS)/(\d+)\.(\d+)(?:\.(\d+))?", "Chrome"),
        (r"(?:Firefox|FxiOS)/(\d+)\.(\d+)(?:\.(\d+))?", "Firefox"),
        (r"MSIE (\d+)\.(\d+)", "IE"),
        (r"Trident/7\.0.*rv:(\d+)\.(\d+)", "IE"),
        (r"Version/(\d+)\.(\d+)(?:\.(\d+))?.*Mobile.*Safari/", "Mobile Safari"),
        (r"Version/(\d+)\.(\d+)(?:\.(\d+))?.*Safari/", "Safari"),
    )
)
_SYSTEMS = _rules(
    (
        (r"Windows NT 10\.0", "Windows 10"),
        (r"Windows NT 6\.3", "Windows 8.1"),
        (r"Windows NT 6\.2", "Windows 8"),
        (r"Windows NT 6\.1", "Windows 7"),
        (r"Windows NT 6\.0", "Windows Vista"),
        (r"Windows NT 5\.1", "Windows XP"),
        (r"SymbianOS/(\d+)\.(\d+)(?:\.(\d+))?", "Symbian OS"),
        (r"Android (\d+)(?:\.(\d+))?(?:\.(\d+))?", "Android"),
        (r"(?:iPhone|CPU) OS (\d+)_(\d+)(?:_(\d+))?", "iOS"),
        (r"Mac OS X (\d+)[_.](\d+)(?:[_.](\d+))?", "Mac OS X"),
        (r"Linux", "Linux"),
        (r"Windows", "Windows"),
    )
)
_DEVICES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p), f, b)
    for p, f, b in (
        (r"Nokia(N\d+)(-\d+)?", "Nokia {1}", "Nokia"),
        (r"iPhone", "iPhone", "Apple"),
        (r"iPad", "iPad", "Apple"),
    )
)


def _versions(m: re.Match[str] | None, count: int) -> list[str]:
    groups = [g or "" for g in m.groups()] if m is not None else []
    return (groups + [""] * count)[:count]


def _browser(text: str) -> dict[str, str]:
    for pattern, family in _BROWSERS:
        m = pattern.search(text)
        if m is not None:
            major, minor, patch = _versions(m, 3)
            return {"Family": family, "MajorVersion": major, "MinorVersion": minor, "Patch": patch}
    return {"Family": "Other", "MajorVersion": "", "MinorVersion": "", "Patch": ""}


def _system(text: str) -> dict[str, str]:
    for pattern, family in _SYSTEMS:
        m = pattern.search(text)
        if m is not None:
            major, minor, patch = _versions(m, 3)
            return {
                "Family": family,
                "MajorVersion": major,
                "MinorVersion": minor,
                "Patch": patch,
                "PatchMinor": "",
            }
    return {"Family": "Other", "MajorVersion": "", "MinorVersion": "", "Patch": "", "PatchMinor": ""}


def _device(text: str) -> dict[str, str]:
    for pattern, family, brand in _DEVICES:
        m = pattern.search(text)
        if m is not None:
            model = m.group(0)[len(brand) :] if m.group(0).startswith(brand) else m.group(0)
            return {
                "Family": family.replace("{1}", m.group(1) if m.groups() else ""),
                "Brand": brand,
                "Model": model,
            }
    return {"Family": "Other", "Brand": "", "Model": ""}


_TARGETS = {
    "browser": ("Browser", _browser),
    "os": ("OperatingSystem", _system),
    "device": ("Device", _device),
}


@register("parse_user_agent", 2, 2, "dynamic", "query")
def parse_user_agent(user_agent: Any, look_for: Any) -> dict[str, Any] | None:
    """The browser, operating system and/or device a user-agent text names."""
    targets = look_for if isinstance(look_for, list) else [look_for]
    text = _s(user_agent)
    out: dict[str, Any] = {}
    for target in targets:
        entry = _TARGETS.get(_s(target).lower())
        if entry is None:
            raise KqlError(
                f"parse_user_agent(): unknown look-for value {target!r}; use 'browser', 'os' or 'device'"
            )
        key, parse = entry
        out[key] = parse(text)
    return out


# ----------------------------------------------------------------------------- parse_urlquery, extract_json


@register("parse_urlquery", 1, 1, "dynamic", "query")
def parse_urlquery(query: Any) -> dict[str, Any]:
    """The parameters of a URL query text."""
    text = _s(query).lstrip("?")
    return {"Query Parameters": dict(urllib.parse.parse_qsl(text, keep_blank_values=True))}


def _extract_json(node: A.Call, env: Env) -> CExpr:
    """Compiled with the type its third argument (``typeof(long)``) names."""
    if not 2 <= len(node.args) <= 3:
        raise err(node, f"extract_json() takes 2 or 3 arguments, got {len(node.args)}")
    path = compile_expr(node.args[0], env)
    if not path.const or not isinstance(path.value, str):
        raise err(node, "the JSONPath of extract_json() must be a constant string such as '$.name'")
    keys = json_path_keys(path.value) if path.value.startswith("$") else None
    typ = "string"
    if len(node.args) == 3:
        t = compile_expr(node.args[2], env)
        if t.type != "type" or not isinstance(t.value, str):
            raise err(node, "the third argument of extract_json() is a type, such as typeof(long)")
        typ = t.value
    source = compile_expr(node.args[1], env).fn

    def fn(r: Row) -> Any:
        if keys is None:
            return convert(None, typ)
        try:
            value: Any = json.loads(_s(source(r)))
        except ValueError:
            return convert(None, typ)
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return convert(None, typ)
            value = value[key]
        if typ == "dynamic":
            return value
        if typ == "string" and not isinstance(value, str):
            return to_str(value) if value is not None else ""
        return convert(value, typ)

    return CExpr(fn, typ)


FORMS = {"extract_json": _extract_json, "extractjson": _extract_json}
REGISTRY["extract_json"] = FunctionSpec("extract_json", 2, 3, "string", "query", None, (), None, True)
REGISTRY["extractjson"] = FunctionSpec("extractjson", 2, 3, "string", "query", None, (), None, True)
