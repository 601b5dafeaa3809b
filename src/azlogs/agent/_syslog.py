"""Syslog messages (RFC 5424, RFC 3164 and its common variants) into rows of the ``Syslog`` table.

What is read, and from where:

* RFC 5424: ``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]``, each field ``-``
  when absent (section 6); the timestamp is RFC 3339 (section 6.2.3); a UTF-8 BOM before MSG is dropped.
* RFC 3164 (BSD syslog): ``<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`` (section 4.1). Its timestamp has
  no year and no zone: the year is the receive time's, unless that puts it over a month ahead (a
  December message read in January is last year's), the zone is the input's ``timezone`` (UTC unless set).
  Variants real senders use are read too: an RFC 3339 timestamp in place of ``Mmm dd hh:mm:ss``
  (rsyslog's forwarding format), a year after the day (``Mmm dd yyyy hh:mm:ss``, network devices),
  fractional seconds, no hostname (the tag follows the time), no timestamp at all.
* No ``<PRI>``: section 4.3.3 of RFC 3164 has a relay treat the whole packet as the message of
  ``user.notice`` (PRI 13); so do we.

Malformed messages raise :class:`SyslogError` with the reason (the caller dead-letters them with the
exact bytes): a broken or out-of-range PRI, an RFC 5424 header with a missing field or a timestamp that
is not RFC 3339, unbalanced structured data, text that is not UTF-8.

A row keeps what the message said: ``Computer``/``HostName`` are its hostname (the sender's address
where it has none), ``HostIP`` the sender's address, ``EventTime`` its timestamp, ``TimeGenerated`` the
time the agent received it (the Syslog table's collection time), ``SyslogMessage`` its MSG, with an RFC
5424 message's structured data in front of it (the table has no column for it, and nothing is
dropped). Facility and severity names are the owner's, :mod:`azlogs.schema.datasources`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Final

from azlogs.schema.datasources import SYSLOG_FACILITY_CODES, SYSLOG_SEVERITY_CODES
from azlogs.schema.datetimes import match_bsd_syslog_time, match_leading_rfc3339, parse_rfc3339

__all__ = ["SyslogError", "SyslogMessage", "parse_syslog", "syslog_row"]

_UTC: Final = dt.timezone.utc
_BOM: Final = "\ufeff"
_NIL: Final = "-"
_PRI: Final = re.compile(r"<(\d{1,3})>")
_TAG: Final = re.compile(r"([^\s\[\]:]{1,128})(?:\[([^\]\s]{0,128})\])?: ?")
_AHEAD: Final = dt.timedelta(days=31)
_BEHIND: Final = dt.timedelta(days=334)
_FIELD_MAX: Final = {"HOSTNAME": 255, "APP-NAME": 48, "PROCID": 128, "MSGID": 32}


class SyslogError(ValueError):
    """A message that is not syslog as the RFCs write it; the text is the reason, for the dead letter."""


@dataclass(frozen=True, slots=True)
class SyslogMessage:
    """One parsed syslog message. ``None`` where the message has no such field (``-`` in RFC 5424)."""

    facility: int
    severity: int
    timestamp: dt.datetime | None
    hostname: str | None
    app_name: str | None
    procid: str | None
    msgid: str | None
    structured_data: str | None
    message: str
    protocol: str  # "rfc5424" | "rfc3164"

    @property
    def facility_name(self) -> str:
        return SYSLOG_FACILITY_CODES[self.facility]

    @property
    def severity_name(self) -> str:
        return SYSLOG_SEVERITY_CODES[self.severity]


def parse_syslog(data: bytes, *, received: dt.datetime, tz: dt.tzinfo = _UTC) -> SyslogMessage:
    """Parse one message (one UDP datagram or one TCP frame, without its framing).

    Args:
        data: the message's bytes; one trailing LF/CR/NUL is not part of it.
        received: when it arrived (aware), for the year of an RFC 3164 timestamp.
        tz: the zone of RFC 3164 timestamps, which carry none.

    Raises:
        SyslogError: the reason it cannot be read.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SyslogError(
            f"the message is not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from None
    text = text.rstrip("\r\n\x00")
    if not text.strip():
        raise SyslogError("the message is empty")
    if not text.startswith("<"):
        return _bsd(13, text, received, tz)  # RFC 3164 section 4.3.3: no PRI, user.notice
    m = _PRI.match(text)
    if m is None:
        raise SyslogError(f"the PRI part is not <digits>: {text[:8]!r}")
    pri = int(m.group(1))
    if pri > 191 or (len(m.group(1)) > 1 and m.group(1)[0] == "0"):
        raise SyslogError(
            f"PRI <{m.group(1)}> is out of range (0..191, no leading zero: RFC 5424 section 6.2.1)"
        )
    rest = text[m.end() :]
    if rest.startswith("1 "):
        return _rfc5424(pri, rest[2:])
    return _bsd(pri, rest, received, tz)


def syslog_row(
    msg: SyslogMessage, *, received: dt.datetime, peer: str | None, collector: str
) -> dict[str, Any]:
    """The message as a row of the Syslog table's columns (``Microsoft-Syslog``)."""
    host = msg.hostname or peer or ""
    text = msg.message
    if msg.structured_data:
        text = f"{msg.structured_data} {text}" if text else msg.structured_data
    procid = msg.procid
    return {
        "TimeGenerated": iso_utc(received),
        "EventTime": iso_utc(msg.timestamp or received),
        "Computer": host,
        "HostName": host,
        "HostIP": peer or "",
        "Facility": msg.facility_name,
        "SeverityLevel": msg.severity_name,
        "ProcessName": msg.app_name or "",
        "ProcessID": int(procid) if procid is not None and procid.isdigit() and len(procid) < 10 else None,
        "SyslogMessage": text,
        "SourceSystem": "Linux",
        "CollectorHostName": collector,
    }


def iso_utc(value: dt.datetime) -> str:
    """ISO 8601 UTC with microseconds and ``Z``, as every table plan reads it."""
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _rfc5424(pri: int, rest: str) -> SyslogMessage:
    parts = rest.split(" ", 5)
    if len(parts) < 6:
        names = ("TIMESTAMP", "HOSTNAME", "APP-NAME", "PROCID", "MSGID", "STRUCTURED-DATA")
        raise SyslogError(
            f"RFC 5424 header ends before {names[len(parts)]} (fields are separated by one space)"
        )
    stamp, host, app, procid, msgid, tail = parts
    if stamp == _NIL:
        when = None
    else:
        when = parse_rfc3339(stamp)
        if when is None:
            raise SyslogError(f"RFC 5424 TIMESTAMP {stamp[:40]!r} is not RFC 3339 (2003-10-11T22:14:15.003Z)")
    fields = {}
    for name, value in zip(
        ("HOSTNAME", "APP-NAME", "PROCID", "MSGID"), (host, app, procid, msgid), strict=True
    ):
        if not value:
            raise SyslogError(f"RFC 5424 {name} is empty (two spaces in the header)")
        if len(value) > _FIELD_MAX[name]:
            raise SyslogError(f"RFC 5424 {name} is {len(value)} characters, over its {_FIELD_MAX[name]}")
        fields[name] = None if value == _NIL else value
    sd, message = _structured_data(tail)
    if message.startswith(_BOM):
        message = message[1:]
    return SyslogMessage(
        facility=pri >> 3,
        severity=pri & 7,
        timestamp=when,
        hostname=fields["HOSTNAME"],
        app_name=fields["APP-NAME"],
        procid=fields["PROCID"],
        msgid=fields["MSGID"],
        structured_data=sd,
        message=message,
        protocol="rfc5424",
    )


def _structured_data(tail: str) -> tuple[str | None, str]:
    """Split ``STRUCTURED-DATA [SP MSG]``: ``-`` or ``[id k="v" ...]...`` (values escape ``"``, ``\\``, ``]``)."""
    if tail == _NIL or tail.startswith(_NIL + " "):
        return None, tail[2:]
    if not tail.startswith("["):
        raise SyslogError(f"RFC 5424 STRUCTURED-DATA is neither '-' nor '[...]': {tail[:20]!r}")
    i, n = 0, len(tail)
    while i < n and tail[i] == "[":
        quoted = False
        i += 1
        while True:
            if i >= n:
                raise SyslogError("RFC 5424 STRUCTURED-DATA has an element that is never closed with ']'")
            c = tail[i]
            if quoted and c == "\\" and i + 1 < n:
                i += 2
                continue
            if c == '"':
                quoted = not quoted
            elif c == "]" and not quoted:
                i += 1
                break
            i += 1
    sd = tail[:i]
    if i < n and tail[i] != " ":
        raise SyslogError(f"RFC 5424 STRUCTURED-DATA is not followed by a space: {tail[i : i + 20]!r}")
    return sd, tail[i + 1 :]


def _bsd(pri: int, rest: str, received: dt.datetime, tz: dt.tzinfo) -> SyslogMessage:
    when: dt.datetime | None = None
    bsd = match_bsd_syslog_time(rest)
    if bsd is not None:
        (month, day, year, hour, minute, second, micro), end = bsd
        try:
            when = _with_year(year, month, day, hour, minute, second, micro, received, tz)
        except ValueError:
            raise SyslogError(f"RFC 3164 TIMESTAMP {rest[:end].strip()!r} is not a date") from None
        rest = rest[end:]
    elif (iso := match_leading_rfc3339(rest)) is not None:
        when, end = iso
        rest = rest[end:]
    host: str | None = None
    if when is not None:
        # HOSTNAME unless the next word is already the tag ("su:", "sshd[12]:")
        word, sep, after = rest.partition(" ")
        if sep and word and not word.startswith("CEF:") and _TAG.fullmatch(word + " ") is None:
            host, rest = word, after
    app = procid = None
    t = None if rest.startswith("CEF:") else _TAG.match(rest)
    if t is not None and (when is not None or host is not None or t.group(2) is not None):
        app, procid = t.group(1), t.group(2)
        rest = rest[t.end() :]
    return SyslogMessage(
        facility=pri >> 3,
        severity=pri & 7,
        timestamp=when,
        hostname=host,
        app_name=app,
        procid=procid,
        msgid=None,
        structured_data=None,
        message=rest,
        protocol="rfc3164",
    )


def _with_year(
    year: int | None,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    micro: int,
    received: dt.datetime,
    tz: dt.tzinfo,
) -> dt.datetime:
    if year is not None:
        return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    local = received.astimezone(tz)
    # This year's, unless that is over a month ahead (a December message read in January: last
    # year's) or over eleven months behind (a sender whose clock is ahead, across New Year: next year's).
    for year_ in (local.year, local.year - 1, local.year + 1):
        try:
            cand = dt.datetime(year_, month, day, hour, minute, second, micro, tzinfo=tz)
        except ValueError:  # Feb 29 outside a leap year
            continue
        if year_ == local.year and cand - local > _AHEAD:
            continue
        if year_ == local.year and local - cand > _BEHIND:
            return cand.replace(year=year_ + 1) if not (month == 2 and day == 29) else cand
        return cand
    raise ValueError("no such day")


@dataclass(frozen=True, slots=True)
class FrameError:
    """A TCP frame that could not be taken: its reason and its first bytes (the rest was skipped)."""

    reason: str
    prefix: bytes
    length: int


class SyslogFramer:
    """Syslog messages out of a TCP byte stream (RFC 6587): octet counting or LF-terminated.

    Each frame is read by its first byte, as rsyslog does: a digit starts octet counting
    (``MSG-LEN SP SYSLOG-MSG``), anything else is non-transparent framing up to the next LF. A frame
    over ``max_frame`` bytes is reported as a :class:`FrameError` with its first bytes and skipped,
    in bounded memory; the stream goes on with the next frame.
    """

    def __init__(self, max_frame: int) -> None:
        self.max_frame = max_frame
        self._buf = bytearray()
        self._skip = 0  # octet-counted bytes still to drop
        self._skip_to_lf = False

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        """Take the next bytes; return the frames they completed, in order."""
        buf = self._buf
        buf += data
        out: list[bytes | FrameError] = []
        while buf:
            if self._skip:
                n = min(self._skip, len(buf))
                del buf[:n]
                self._skip -= n
                continue
            if self._skip_to_lf:
                lf = buf.find(b"\n")
                if lf < 0:
                    buf.clear()
                    break
                del buf[: lf + 1]
                self._skip_to_lf = False
                continue
            if 0x30 <= buf[0] <= 0x39:
                sp = buf.find(b" ", 0, 12)
                if sp < 0:
                    if len(buf) >= 12 or not buf[: len(buf)].isdigit():
                        out.append(self._lf_frame_error("the octet count is not digits and a space", buf))
                        continue
                    break
                head = bytes(buf[:sp])
                if not head.isdigit():
                    # not octet counting after all: a newline-framed message that starts with a digit
                    frame = self._lf_frame(buf, out)
                    if frame is None:
                        break
                    continue
                length = int(head)
                if length > self.max_frame:
                    out.append(
                        FrameError(
                            f"the frame is {length:,} bytes, over the input's limit of {self.max_frame:,}",
                            bytes(buf[sp + 1 : sp + 1 + 256]),
                            length,
                        )
                    )
                    del buf[: sp + 1]
                    self._skip = length
                    continue
                if len(buf) < sp + 1 + length:
                    break
                out.append(bytes(buf[sp + 1 : sp + 1 + length]))
                del buf[: sp + 1 + length]
                continue
            if self._lf_frame(buf, out) is None:
                break
        return out

    def close(self) -> list[bytes | FrameError]:
        """The end of the stream: a last LF-framed message without its LF is still a message."""
        rest = bytes(self._buf)
        self._buf.clear()
        if self._skip or self._skip_to_lf or not rest.strip(b"\r\n\x00 "):
            if self._skip:
                return [FrameError("the stream ended inside an octet-counted frame", b"", self._skip)]
            return []
        if 0x30 <= rest[0] <= 0x39 and (head := rest.split(b" ", 1)[0]).isdigit() and b" " in rest:
            return [
                FrameError(
                    f"the stream ended inside an octet-counted frame of {int(head):,} bytes",
                    rest[:256],
                    len(rest),
                )
            ]
        return [rest]

    def _lf_frame(self, buf: bytearray, out: list[bytes | FrameError]) -> bool | None:
        lf = buf.find(b"\n")
        if lf < 0:
            if len(buf) > self.max_frame:
                out.append(self._lf_frame_error("", buf))
                return False
            return None
        if lf > self.max_frame:
            out.append(
                FrameError(
                    f"the line is {lf:,} bytes, over the input's limit of {self.max_frame:,}",
                    bytes(buf[:256]),
                    lf,
                )
            )
        else:
            frame = bytes(buf[:lf]).rstrip(b"\r")
            if frame.strip(b"\x00 "):
                out.append(frame)
        del buf[: lf + 1]
        return True

    def _lf_frame_error(self, why: str, buf: bytearray) -> FrameError:
        err = FrameError(
            why or f"the line is over the input's limit of {self.max_frame:,} bytes and has no end yet",
            bytes(buf[:256]),
            len(buf),
        )
        lf = buf.find(b"\n")
        if lf >= 0:
            del buf[: lf + 1]
        else:
            buf.clear()
            self._skip_to_lf = True
        return err
