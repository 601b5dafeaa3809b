"""IPv4 and IPv6 functions: parsing with IP-prefix (CIDR) notation, comparison, ranges, text search.

Semantics follow the Kusto documentation pages (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/*-ipv4-*.md, *-ipv6-*.md and includes/ip-prefix-notation.md):

* an address may carry its own prefix (``192.168.1.1/24``); where a function also takes a prefix
  argument, the smaller of the two is used (``format_ipv4('192.168.1.1/24', 32)`` is
  ``192.168.1.0``);
* the IPv6 functions accept IPv4 text as the IPv4-mapped address ``::ffff:a.b.c.d``; a prefix written
  after dotted IPv4 text counts IPv4 bits (``/24`` is 120 IPv6 bits), a prefix argument counts IPv6
  bits, and ``::a.b.c.d`` is read as the mapped address (``parse_ipv6('::192.168.255.255')`` is
  ``...:ffff:c0a8:ffff``);
* text that is not an address gives null for the predicates and comparisons, ``""`` for
  ``format_*`` and ``parse_ipv6*``, and ``false`` for the ``has_*ipv4*`` text searches.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import Any

from azlogs.kql._fn_special import geo_lookup
from azlogs.kql._registry import register

_V4_RE = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,3}))?")
_V4_ALL = (1 << 32) - 1
_V6_ALL = (1 << 128) - 1
_MAPPED = 0xFFFF << 32
# An IPv4 address in text, delimited by non-alphanumeric characters; a dot next to a digit does not
# delimit (``1.2.3.4.5`` holds no address).
_V4_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])(?<!\d\.)(\d{1,3}(?:\.\d{1,3}){3})(?![A-Za-z0-9]|\.\d)")
_V4_PREFIX_RE = re.compile(r"(?:\d{1,3}\.){1,3}|\d{1,3}(?:\.\d{1,3}){3}")
Parse = Callable[[Any], "tuple[int, int] | None"]
_PRIVATE = tuple(
    (int(ipaddress.IPv4Address(n)), p) for n, p in (("10.0.0.0", 8), ("172.16.0.0", 12), ("192.168.0.0", 16))
)


def _mask(bits: int, width: int) -> int:
    full = (1 << width) - 1
    return full ^ ((1 << (width - bits)) - 1)


def _v4(value: Any) -> tuple[int, int] | None:
    """(address, prefix) of IPv4 text with optional ``/prefix``; None when it is not one."""
    return _v4_text(value) if isinstance(value, str) else None


# Columns repeat their addresses and a range list is the same on every row: parse each text once.
@functools.lru_cache(maxsize=4096)
def _v4_text(value: str) -> tuple[int, int] | None:
    m = _V4_RE.fullmatch(value)
    if m is None:
        return None
    octets = [int(g) for g in m.groups()[:4]]
    if any(o > 255 for o in octets):
        return None
    prefix = 32 if m.group(5) is None else int(m.group(5))
    if prefix > 32:
        return None
    addr = octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]
    return addr & _mask(prefix, 32), prefix


def _v4_or_number(value: Any) -> tuple[int, int] | None:
    """``format_ipv4`` also takes the address as a number (big-endian order)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, 32) if 0 <= value <= _V4_ALL else None
    return _v4(value)


def _prefix_arg(value: Any, width: int) -> int | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    p = int(value)
    return p if 0 <= p <= width else None


def _v6(value: Any) -> tuple[int, int] | None:
    """(address, prefix in IPv6 bits) of IPv6 or IPv4 text with optional ``/prefix``."""
    return _v6_text(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=4096)
def _v6_text(value: str) -> tuple[int, int] | None:
    v4 = _v4_text(value)
    if v4 is not None:
        return _MAPPED | v4[0], 96 + v4[1]
    text, slash, bits = value.partition("/")
    if "%" in text or not text:
        return None
    try:
        addr = int(ipaddress.IPv6Address(text))
    except ValueError:
        return None
    dotted = "." in text
    if dotted and addr >> 32 == 0:
        addr |= _MAPPED  # ::a.b.c.d reads as the mapped address
    if not slash:
        prefix = 128
    elif not bits.isdigit():
        return None
    else:
        prefix = int(bits) + (96 if dotted else 0)
        if (dotted and int(bits) > 32) or prefix > 128:
            return None
    return addr & _mask(prefix, 128), prefix


def _compare(ip1: Any, ip2: Any, prefix: Any, parse: Parse, width: int) -> int | None:
    """-1, 0 or 1 on the common prefix of both addresses and ``prefix``; None when one is invalid."""
    a, b, p = parse(ip1), parse(ip2), _prefix_arg(prefix, width)
    if a is None or b is None or p is None:
        return None
    m = _mask(min(a[1], b[1], p), width)
    x, y = a[0] & m, b[0] & m
    return (x > y) - (x < y)


def _match(ip1: Any, ip2: Any, prefix: Any, parse: Parse, width: int) -> bool | None:
    c = _compare(ip1, ip2, prefix, parse, width)
    return None if c is None else c == 0


def _contains(rng: tuple[int, int], addr: tuple[int, int], width: int) -> bool:
    m = _mask(rng[1], width)
    return addr[0] & m == rng[0] & m


def _in_range(ip: Any, rng: Any, parse: Parse, width: int) -> bool | None:
    a, r = parse(ip), parse(rng)
    return None if a is None or r is None else _contains(r, a, width)


def _flatten(values: tuple[Any, ...]) -> Iterator[Any]:
    for v in values:
        if isinstance(v, list):
            yield from v
        else:
            yield v


def _in_any(addr: Any, ranges: tuple[Any, ...], parse: Parse, width: int) -> bool | None:
    a = parse(addr)
    if a is None:
        return None
    invalid = False
    for r in _flatten(ranges):
        rng = parse(r)
        if rng is None:
            invalid = True
        elif _contains(rng, a, width):
            return True
    return None if invalid else False


# ----------------------------------------------------------------------------- IPv4


@register("parse_ipv4", 1, 1, "long", "query")
def parse_ipv4(ip: Any) -> int | None:
    """IPv4 text (optionally with a prefix, which masks it) as a long in big-endian order."""
    a = _v4(ip)
    return None if a is None else a[0]


@register("parse_ipv4_mask", 2, 2, "long", "query")
def parse_ipv4_mask(ip: Any, prefix: Any) -> int | None:
    """IPv4 text as a long, masked to ``prefix`` (0..32) most-significant bits."""
    a, p = _v4(ip), _prefix_arg(prefix, 32)
    return None if a is None or p is None else a[0] & _mask(min(a[1], p), 32)


@register("ipv4_is_private", 1, 1, "bool", "query")
def ipv4_is_private(ip: Any) -> bool | None:
    """True for 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16 (RFC 1918)."""
    a = _v4(ip)
    if a is None:
        return None
    return any(a[0] & _mask(p, 32) == net for net, p in _PRIVATE)


@register("ipv4_is_in_range", 2, 2, "bool", "query")
def ipv4_is_in_range(ip: Any, rng: Any) -> bool | None:
    """True when the address lies in the IP-prefix range."""
    return _in_range(ip, rng, _v4, 32)


@register("ipv4_is_in_any_range", 2, -1, "bool", "query")
def ipv4_is_in_any_range(ip: Any, *ranges: Any) -> bool | None:
    """True when the address lies in any of the ranges (strings or dynamic arrays of strings)."""
    return _in_any(ip, ranges, _v4, 32)


@register("ipv4_compare", 2, 3, "long", "query")
def ipv4_compare(ip1: Any, ip2: Any, prefix: Any = 32) -> int | None:
    """-1, 0 or 1 comparing two IPv4 addresses on their common prefix."""
    return _compare(ip1, ip2, prefix, _v4, 32)


@register("ipv4_is_match", 2, 3, "bool", "query")
def ipv4_is_match(ip1: Any, ip2: Any, prefix: Any = 32) -> bool | None:
    """True when two IPv4 addresses are equal on their common prefix."""
    return _match(ip1, ip2, prefix, _v4, 32)


@register("ipv4_netmask_suffix", 1, 1, "long", "query")
def ipv4_netmask_suffix(ip: Any) -> int | None:
    """The prefix length written after the address, 32 when there is none."""
    a = _v4(ip)
    return None if a is None else a[1]


def _format_v4(ip: Any, prefix: Any) -> tuple[str, int] | None:
    a, p = _v4_or_number(ip), _prefix_arg(prefix, 32)
    if a is None or p is None:
        return None
    bits = min(a[1], p)
    return str(ipaddress.IPv4Address(a[0] & _mask(bits, 32))), bits


@register("format_ipv4", 1, 2, "string", "query")
def format_ipv4(ip: Any, prefix: Any = 32) -> str:
    """Dotted text of the masked address ("" when the input is not an address)."""
    f = _format_v4(ip, prefix)
    return "" if f is None else f[0]


@register("format_ipv4_mask", 1, 2, "string", "query")
def format_ipv4_mask(ip: Any, prefix: Any = 32) -> str:
    """``address/prefix`` text of the masked address ("" when the input is not an address)."""
    f = _format_v4(ip, prefix)
    return "" if f is None else f"{f[0]}/{f[1]}"


@register("ipv4_range_to_cidr_list", 2, 2, "dynamic", "query")
def ipv4_range_to_cidr_list(start: Any, end: Any) -> list[str] | None:
    """The smallest list of CIDR blocks that covers ``start``..``end``."""
    a, b = _v4(start), _v4(end)
    if a is None or b is None or a[0] > b[0]:
        return None
    nets = ipaddress.summarize_address_range(ipaddress.IPv4Address(a[0]), ipaddress.IPv4Address(b[0]))
    return [str(n) for n in nets]


# ----------------------------------------------------------------------------- IPv4 text search


def _v4_tokens(source: Any) -> list[list[str]]:
    """The IPv4 addresses in a text, as their octet strings."""
    if not isinstance(source, str):
        return []
    out = []
    for m in _V4_IN_TEXT.finditer(source):
        octets = m.group(1).split(".")
        if all(int(o) <= 255 for o in octets):
            out.append(octets)
    return out


def _needle(ip: Any, prefix_ok: bool) -> list[str] | None:
    """Octet strings of an address (or, with ``prefix_ok``, a prefix ending with a dot)."""
    if not isinstance(ip, str) or not (_V4_PREFIX_RE.fullmatch(ip) if prefix_ok else _V4_RE.fullmatch(ip)):
        return None
    if "/" in ip:
        return None
    octets = ip.rstrip(".").split(".")
    return octets if all(int(o) <= 255 for o in octets) else None


def _has(source: Any, needles: list[list[str]]) -> bool:
    if not needles:
        return False
    tokens = _v4_tokens(source)
    return any(tok[: len(n)] == n for tok in tokens for n in needles)


def _needles(values: tuple[Any, ...], prefix_ok: bool) -> list[list[str]]:
    found = (_needle(v, prefix_ok) for v in _flatten(values))
    return [n for n in found if n is not None]


@register("has_ipv4", 2, 2, "bool", "query")
def has_ipv4(source: Any, ip: Any) -> bool:
    """True when the text holds the IPv4 address, delimited by non-alphanumeric characters."""
    n = _needle(ip, False)
    return n is not None and _has(source, [n])


@register("has_ipv4_prefix", 2, 2, "bool", "query")
def has_ipv4_prefix(source: Any, prefix: Any) -> bool:
    """True when the text holds an IPv4 address starting with ``prefix`` (``10.``, ``10.1.``...)."""
    n = _needle(prefix, True)
    return n is not None and _has(source, [n])


@register("has_any_ipv4", 2, -1, "bool", "query")
def has_any_ipv4(source: Any, *ips: Any) -> bool:
    """True when the text holds any of the addresses (strings or a dynamic array)."""
    return _has(source, _needles(ips, False))


@register("has_any_ipv4_prefix", 2, -1, "bool", "query")
def has_any_ipv4_prefix(source: Any, *prefixes: Any) -> bool:
    """True when the text holds an address starting with any of the prefixes."""
    return _has(source, _needles(prefixes, True))


# ----------------------------------------------------------------------------- IPv6


def _canonical_v6(addr: int) -> str:
    text = f"{addr:032x}"
    return ":".join(text[i : i + 4] for i in range(0, 32, 4))


@register("parse_ipv6", 1, 1, "string", "query")
def parse_ipv6(ip: Any) -> str:
    """Canonical IPv6 text (eight groups of four hex digits) of IPv6 or IPv4 text, masked."""
    a = _v6(ip)
    return "" if a is None else _canonical_v6(a[0])


@register("parse_ipv6_mask", 2, 2, "string", "query")
def parse_ipv6_mask(ip: Any, prefix: Any) -> str:
    """Canonical IPv6 text masked to ``prefix`` (0..128) bits."""
    a, p = _v6(ip), _prefix_arg(prefix, 128)
    return "" if a is None or p is None else _canonical_v6(a[0] & _mask(min(a[1], p), 128))


@register("ipv6_compare", 2, 3, "long", "query")
def ipv6_compare(ip1: Any, ip2: Any, prefix: Any = 128) -> int | None:
    """-1, 0 or 1 comparing two IPv6/IPv4 addresses on their common prefix."""
    return _compare(ip1, ip2, prefix, _v6, 128)


@register("ipv6_is_match", 2, 3, "bool", "query")
def ipv6_is_match(ip1: Any, ip2: Any, prefix: Any = 128) -> bool | None:
    """True when two IPv6/IPv4 addresses are equal on their common prefix."""
    return _match(ip1, ip2, prefix, _v6, 128)


@register("ipv6_is_in_range", 2, 2, "bool", "query")
def ipv6_is_in_range(ip: Any, rng: Any) -> bool | None:
    """True when the address lies in the IPv6 prefix range."""
    return _in_range(ip, rng, _v6, 128)


@register("ipv6_is_in_any_range", 2, -1, "bool", "query")
def ipv6_is_in_any_range(ip: Any, *ranges: Any) -> bool | None:
    """True when the address lies in any of the ranges (strings or dynamic arrays of strings)."""
    return _in_any(ip, ranges, _v6, 128)


# ----------------------------------------------------------------------------- geolocation


@register("geo_info_from_ip_address", 1, 1, "dynamic", "query")
def geo_info_from_ip_address(ip: Any) -> dict[str, Any] | None:
    """country, state, city, latitude, longitude of an address from the offline table (see
    ``_fn_special``): Kusto reads MaxMind's GeoLite2-City data, which the emulator does not ship;
    unknown addresses give ``{}``."""
    info = geo_lookup(ip)
    if not info:
        return info
    return {
        "country": info.get("Country"),
        "state": info.get("State"),
        "city": info.get("City"),
        "latitude": info.get("Latitude"),
        "longitude": info.get("Longitude"),
    }
