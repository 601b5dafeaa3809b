"""CEF (ArcSight Common Event Format) over syslog into rows of the ``CommonSecurityLog`` table.

A CEF message is ``CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|
Severity|Extension``, usually as the MSG of a syslog message. In the header a ``|`` or ``\\`` inside a
field is escaped with a backslash; the extension is ``key=value`` pairs separated by spaces, where a
value may hold spaces, and ``=`` and ``\\`` are escaped with a backslash, ``\\n`` and ``\\r`` are line
breaks (the CEF specification's escaping rules).

Keys map to columns as Microsoft Sentinel's "CEF and CommonSecurityLog field mapping" page lists them
(learn.microsoft.com/azure/sentinel/cef-name-mapping): ``src`` is ``SourceIP``, ``cs1``/``cs1Label``
``DeviceCustomString1``/``...Label``, and so on. A value is converted to its column's type (the table
reference's, owned by :mod:`azlogs.schema.builtin_tables`); keys with no column, and values that do
not convert (``spt=http``), go to ``AdditionalExtensions`` as ``key=value`` joined by ``;``, so nothing
is dropped. The header's Name is ``Activity``, its Severity ``LogSeverity`` as sent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

from azlogs.agent._syslog import SyslogMessage, iso_utc
from azlogs.schema.builtin_tables import builtin_tables
from azlogs.schema.datetimes import parse_cef_time
from azlogs.schema.types import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, ColumnType

__all__ = ["CEF_KEYS", "CefError", "cef_row", "find_cef"]

_HEADER_FIELDS: Final = ("DeviceVendor", "DeviceProduct", "DeviceVersion", "DeviceEventClassID", "Activity")
_KEY: Final = re.compile(r"(?:(?<= )|^)([A-Za-z0-9_.\[\]-]+)=")
_UNESCAPE: Final = re.compile(r"\\(.)", re.S)
_ESCAPES: Final = {"n": "\n", "r": "\r", "=": "=", "\\": "\\"}


def _mapping() -> dict[str, str]:
    keys = {
        "act": "DeviceAction",
        "app": "ApplicationProtocol",
        "cat": "DeviceEventCategory",
        "cnt": "EventCount",
        "destinationDnsDomain": "DestinationDnsDomain",
        "destinationServiceName": "DestinationServiceName",
        "destinationTranslatedAddress": "DestinationTranslatedAddress",
        "destinationTranslatedPort": "DestinationTranslatedPort",
        "deviceDirection": "CommunicationDirection",
        "deviceDnsDomain": "DeviceDnsDomain",
        "deviceExternalId": "DeviceExternalID",
        "deviceFacility": "DeviceFacility",
        "deviceInboundInterface": "DeviceInboundInterface",
        "deviceNtDomain": "DeviceNtDomain",
        "deviceOutboundInterface": "DeviceOutboundInterface",
        "devicePayloadId": "DevicePayloadId",
        "deviceProcessName": "ProcessName",
        "deviceTranslatedAddress": "DeviceTranslatedAddress",
        "dhost": "DestinationHostName",
        "dmac": "DestinationMACAddress",
        "dntdom": "DestinationNTDomain",
        "dpid": "DestinationProcessId",
        "dpriv": "DestinationUserPrivileges",
        "dproc": "DestinationProcessName",
        "dpt": "DestinationPort",
        "dst": "DestinationIP",
        "dtz": "DeviceTimeZone",
        "duid": "DestinationUserID",
        "duser": "DestinationUserName",
        "dvc": "DeviceAddress",
        "dvchost": "DeviceName",
        "dvcmac": "DeviceMacAddress",
        "dvcpid": "ProcessID",
        "end": "EndTime",
        "externalId": "ExtID",
        "fileCreateTime": "FileCreateTime",
        "fileHash": "FileHash",
        "fileId": "FileID",
        "fileModificationTime": "FileModificationTime",
        "filePath": "FilePath",
        "filePermission": "FilePermission",
        "fileType": "FileType",
        "fname": "FileName",
        "fsize": "FileSize",
        "in": "ReceivedBytes",
        "msg": "Message",
        "oldFileCreateTime": "OldFileCreateTime",
        "oldFileHash": "OldFileHash",
        "oldFileId": "OldFileID",
        "oldFileModificationTime": "OldFileModificationTime",
        "oldFileName": "OldFileName",
        "oldFilePath": "OldFilePath",
        "oldFilePermission": "OldFilePermission",
        "oldFileSize": "OldFileSize",
        "oldFileType": "OldFileType",
        "out": "SentBytes",
        "outcome": "EventOutcome",
        "proto": "Protocol",
        "reason": "Reason",
        "request": "RequestURL",
        "requestClientApplication": "RequestClientApplication",
        "requestContext": "RequestContext",
        "requestCookies": "RequestCookies",
        "requestMethod": "RequestMethod",
        "rt": "ReceiptTime",
        "shost": "SourceHostName",
        "smac": "SourceMACAddress",
        "sntdom": "SourceNTDomain",
        "sourceDnsDomain": "SourceDnsDomain",
        "sourceServiceName": "SourceServiceName",
        "sourceTranslatedAddress": "SourceTranslatedAddress",
        "sourceTranslatedPort": "SourceTranslatedPort",
        "spid": "SourceProcessId",
        "spriv": "SourceUserPrivileges",
        "sproc": "SourceProcessName",
        "spt": "SourcePort",
        "src": "SourceIP",
        "start": "StartTime",
        "suid": "SourceUserID",
        "suser": "SourceUserName",
        "type": "EventType",
    }
    custom = (
        [(f"cs{i}", f"DeviceCustomString{i}") for i in range(1, 7)]
        + [(f"cn{i}", f"DeviceCustomNumber{i}") for i in range(1, 4)]
        + [(f"cfp{i}", f"DeviceCustomFloatingPoint{i}") for i in range(1, 5)]
        + [(f"c6a{i}", f"DeviceCustomIPv6Address{i}") for i in range(1, 5)]
        + [(f"deviceCustomDate{i}", f"DeviceCustomDate{i}") for i in range(1, 3)]
        + [("flexDate1", "FlexDate1"), ("flexNumber1", "FlexNumber1"), ("flexNumber2", "FlexNumber2")]
        + [("flexString1", "FlexString1"), ("flexString2", "FlexString2")]
    )
    for key, column in custom:
        keys[key] = column
        keys[f"{key}Label"] = f"{column}Label"
    return keys


CEF_KEYS: Final = _mapping()
_TYPES: Final = {c.name: c.type for c in builtin_tables()["commonsecuritylog"].columns}


class CefError(ValueError):
    """A CEF message whose header cannot be read; the text is the reason, for the dead letter."""


def find_cef(text: str) -> int:
    """Where ``CEF:`` starts in a syslog MSG (-1 if it holds none)."""
    if text.startswith("CEF:"):
        return 0
    i = text.find(" CEF:")
    return i + 1 if i >= 0 else -1


def cef_row(msg: SyslogMessage, *, received: dt.datetime, peer: str | None, collector: str) -> dict[str, Any]:
    """The CEF message carried by ``msg`` as a CommonSecurityLog row.

    Raises:
        CefError: the MSG holds no CEF, or its header has fewer than seven fields.
    """
    start = find_cef(msg.message)
    if start < 0:
        raise CefError("the message holds no 'CEF:' header")
    header, extension = _split_header(msg.message[start + 4 :])
    row: dict[str, Any] = {
        "TimeGenerated": iso_utc(received),
        "Computer": msg.hostname or peer or "",
        "CollectorHostName": collector,
        "SourceSystem": "Linux",
    }
    for name, text in zip(_HEADER_FIELDS, header[1:6], strict=True):
        row[name] = text
    row["LogSeverity"] = header[6]
    extra: list[str] = []
    for key, value in parse_extension(extension):
        column = CEF_KEYS.get(key)
        if column is None or (converted := _convert(_TYPES[column], value)) is None:
            extra.append(f"{key}={value}")
            continue
        row[column] = converted
        if column == "ExtID" and value.isdigit() and len(value) < 10:
            row["ExternalID"] = int(value)
        elif column.startswith("DeviceCustomNumber") and not column.endswith("Label"):
            row[f"Field{column}"] = converted
    if extra:
        row["AdditionalExtensions"] = ";".join(extra)
    return row


def _split_header(text: str) -> tuple[list[str], str]:
    fields: list[str] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n and len(fields) < 7:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "|\\":
            buf.append(text[i + 1])
            i += 2
            continue
        if c == "|":
            fields.append("".join(buf))
            buf = []
        else:
            buf.append(c)
        i += 1
    if len(fields) == 6:  # no extension and no final '|': the seventh field runs to the end
        fields.append("".join(buf))
        return fields, ""
    if len(fields) < 7:
        raise CefError(
            f"the CEF header has {len(fields) + 1} fields, not 7 "
            "(Version|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|Severity|)"
        )
    if not fields[0].strip().isdigit():
        raise CefError(f"the CEF version {fields[0][:10]!r} is not a number")
    return fields, text[i:]


def parse_extension(text: str) -> list[tuple[str, str]]:
    """The ``key=value`` pairs of a CEF extension, unescaped, in order."""
    out: list[tuple[str, str]] = []
    matches = [m for m in _KEY.finditer(text) if not _escaped(text, m.end() - 1)]
    for m, nxt in zip(matches, [*matches[1:], None], strict=False):
        end = nxt.start() if nxt is not None else len(text)
        raw = text[m.end() : end].rstrip(" ")
        out.append((m.group(1), _UNESCAPE.sub(lambda e: _ESCAPES.get(e.group(1), e.group(0)), raw)))
    return out


def _escaped(text: str, i: int) -> bool:
    n = 0
    while i - n - 1 >= 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _convert(kind: ColumnType, value: str) -> Any:
    if kind is ColumnType.STRING:
        return value
    if kind in (ColumnType.INT, ColumnType.LONG):
        try:
            number = int(value)
        except ValueError:
            return None
        if kind is ColumnType.INT:
            return number if INT_MIN <= number <= INT_MAX else None
        return number if LONG_MIN <= number <= LONG_MAX else None
    if kind is ColumnType.REAL:
        try:
            return float(value)
        except ValueError:
            return None
    if kind is ColumnType.DATETIME:
        when = parse_cef_time(value)
        return iso_utc(when) if when is not None else None
    return value
