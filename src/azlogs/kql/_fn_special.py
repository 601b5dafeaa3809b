"""Transformation-only special functions: ``parse_cef_dictionary`` and ``geo_location``.

``geo_location`` in Azure calls an IP geolocation service. Here it reads a deliberately small,
built-in offline table (a handful of well-known public ranges), so results are deterministic;
unknown addresses give an empty bag. Callers can add ranges with :func:`add_geo_ranges`. The log-query
function ``geo_info_from_ip_address`` (in ``_fn_ip``) reads the same table.
The exact shape of ``parse_cef_dictionary``'s result is documented only as a screenshot: the
header field names used here are our reading of the CEF specification (unverified).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from azlogs.kql._registry import register
from azlogs.kql._values import to_str

_CEF_HEADER = ("Version", "DeviceVendor", "DeviceProduct", "DeviceVersion", "SignatureId", "Name", "Severity")
_EXT_KEY = re.compile(r"(?:^|(?<=\s))([A-Za-z0-9_.\[\]-]+)=")


def _split_header(text: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(text) and len(parts) < 7:
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in "|\\":
            cur.append(text[i + 1])
            i += 2
            continue
        if c == "|":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append(text[i:] if len(parts) == 7 else "".join(cur))
    return parts


def _unescape_ext(value: str) -> str:
    return value.replace("\\=", "=").replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")


def parse_cef_extension(ext: str) -> dict[str, str]:
    """``k1=v1 k2=v two`` -> {"k1": "v1", "k2": "v two"}; ``\\=`` and ``\\\\`` are unescaped."""
    out: dict[str, str] = {}
    # An unescaped '=' preceded by a key marks the start of the next pair.
    matches = [m for m in _EXT_KEY.finditer(ext) if not _escaped(ext, m.end() - 1)]
    for idx, m in enumerate(matches):
        end = matches[idx + 1].start() if idx + 1 < len(matches) else len(ext)
        out[m.group(1)] = _unescape_ext(ext[m.end() : end].rstrip())
    return out


def _escaped(text: str, pos: int) -> bool:
    n = 0
    i = pos - 1
    while i >= 0 and text[i] == "\\":
        n += 1
        i -= 1
    return n % 2 == 1


@register("parse_cef_dictionary", 1, 1, "dynamic", "dcr-only")
def parse_cef_dictionary(v: Any) -> Any:
    """Parse a CEF message: header fields and ``Extension`` as a bag of key/value strings."""
    text = to_str(v).strip()
    start = text.find("CEF:")
    if start < 0:
        return {"Extension": parse_cef_extension(text)} if "=" in text else {}
    parts = _split_header(text[start + 4 :])
    out: dict[str, Any] = {}
    for name, value in zip(_CEF_HEADER, parts, strict=False):
        out[name] = value
    out["Extension"] = parse_cef_extension(parts[7]) if len(parts) > 7 else {}
    return out


_GEO: list[tuple[Any, dict[str, Any]]] = []


def add_geo_ranges(ranges: list[tuple[str, dict[str, Any]]]) -> None:
    """Add (CIDR, location bag) entries to the offline ``geo_location`` table."""
    for cidr, info in ranges:
        _GEO.append((ipaddress.ip_network(cidr, strict=False), dict(info)))
    _GEO.sort(key=lambda item: -item[0].prefixlen)


add_geo_ranges(
    [
        (
            "1.0.0.0/24",
            {
                "Country": "Australia",
                "Region": "Queensland",
                "State": "Queensland",
                "City": "Brisbane",
                "Latitude": -27.4679,
                "Longitude": 153.0281,
            },
        ),
        (
            "8.8.8.0/24",
            {
                "Country": "United States",
                "Region": "California",
                "State": "California",
                "City": "Mountain View",
                "Latitude": 37.4056,
                "Longitude": -122.0775,
            },
        ),
        (
            "20.0.0.0/8",
            {
                "Country": "United States",
                "Region": "Virginia",
                "State": "Virginia",
                "City": "Boydton",
                "Latitude": 36.6676,
                "Longitude": -78.3875,
            },
        ),
        (
            "2001:4860::/32",
            {
                "Country": "United States",
                "Region": "California",
                "State": "California",
                "City": "Mountain View",
                "Latitude": 37.4056,
                "Longitude": -122.0775,
            },
        ),
    ]
)


# The two addresses of the examples of geo_info_from_ip_address() in the Kusto documentation
# (dataexplorer-docs, data-explorer/kusto/query/geo-info-from-ip-address-function.md), as that page
# answers them.
add_geo_ranges(
    [
        (
            "20.53.203.50/32",
            {
                "Country": "Australia",
                "Region": "New South Wales",
                "State": "New South Wales",
                "City": "Sydney",
                "Latitude": -33.8715,
                "Longitude": 151.2006,
            },
        ),
        (
            "2a03:2880:f12c:83:face:b00c::25de/128",
            {
                "Country": "United States",
                "Region": "Florida",
                "State": "Florida",
                "City": "Boca Raton",
                "Latitude": 26.3594,
                "Longitude": -80.0771,
            },
        ),
    ]
)


def geo_lookup(ip: Any) -> dict[str, Any] | None:
    """The offline table's bag for an address: None when it is not an address, {} when unknown."""
    try:
        addr = ipaddress.ip_address(to_str(ip).strip())
    except ValueError:
        return None
    for net, info in _GEO:
        if addr.version == net.version and addr in net:
            return dict(info)
    return {}


@register("geo_location", 1, 1, "dynamic", "dcr-only")
def geo_location(ip: Any) -> Any:
    """Approximate location of an IP from the small offline table; {} when unknown."""
    return geo_lookup(ip)
