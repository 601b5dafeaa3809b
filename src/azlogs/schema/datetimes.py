"""Reading datetime text the way Kusto reads it: one reader for ingestion, ``todatetime()`` and literals.

The formats are those of Kusto's "The datetime data type" page (Supported formats), read by its own
specifiers: ``%m``/``%d`` are two-digit month and day, ``%n``/``%e`` the same without a leading zero,
``%H:%M`` two-digit hours and minutes, ``%s`` two-digit seconds with an optional ``.`` fraction,
``%r`` a two- or four-digit year (RFC 822 and RFC 1123), ``%z``/``%Z`` a zone:

==========  ==================================================  ===================================
form        shape                                               example
==========  ==================================================  ===================================
ISO 8601    ``%Y-%m-%d[(T| )%H:%M[:%s]][%z]``                   ``2014-05-25T08:20:03.123456Z``
sortable    ``%Y-%n-%e[(T| )%H:%M[:%s][ %Z]]``                  ``2014-11-8 15:05:25 GMT``
RFC 822     ``[%w, ]%e %b %r %H:%M[:%s][ %Z]``                  ``Sat, 8 Nov 14 15:05:02 GMT``
RFC 850     ``[%w, ]%e-%b-%r %H:%M[:%s][ %Z]``                  ``Saturday, 08-Nov-14 15:05:02 GMT``
==========  ==================================================  ===================================

The page lists the sortable form only with a time, but Kusto reads the date alone too: its dayofweek()
page shows ``datetime(1970-5-12)`` answering Tuesday. Kusto also reads the US form of .NET's invariant
culture, month first: ``%m/%d/%Y[ %H:%M[:%s][ AM|PM]]`` and ``%m-%d-%Y`` (the parse operator's page
reads ``lockTime=02/17/2016 08:40:01`` as a ``date`` to ``2016-02-17 08:40:01``; todatetime()'s page
compares ``todatetime('12-02-2022')`` with ``datetime('12-02-2022')``); there month and day may have one
digit and the hour one or two. Everything else is refused, among it texts no page shows Kusto reading
(``20240102``, ``T3:04:05``, a ``,5`` fraction, epoch numbers, day-first dates) [U].

A text without a zone is UTC; a zone is ``Z``/``UTC``/``GMT``/``UT``, a US zone of RFC 822 (``EST`` ...
``PDT``) or an offset (``+01:00``, ``-0530``, ``+01``); military letters are left out. Two-digit years fall in 1950-2049 (.NET's window, which Kusto
inherits [U]). Results are aware UTC ``datetime`` values with microsecond precision: fractional
digits beyond six (Kusto keeps 100 ns ticks) are truncated, a documented difference.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Final

__all__ = [
    "ensure_utc",
    "match_bsd_syslog_time",
    "match_leading_rfc3339",
    "parse_cef_time",
    "parse_datetime",
    "parse_iso8601_datetime",
    "parse_rfc3339",
]

_UTC: Final = timezone.utc

# ISO 8601 and the sortable form in one (month and day of one or two digits).
_ISO: Final = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9})\d*)?)?"
    r"\s*(Z|z|[A-Za-z]{2,3}|[+-]\d{2}(?::?\d{2})?)?)?\s*\Z"
)
_RFC: Final = re.compile(
    r"\s*(?:([A-Za-z]{3,9}),\s*)?(\d{1,2})([ -])([A-Za-z]{3})\3(\d{4}|\d{2})\s+"
    r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9})\d*)?)?"
    r"(?:\s+([A-Za-z]{1,3}|[+-]\d{4}))?\s*\Z"
)
# .NET's invariant culture (month first), which Kusto's parser falls back to.
_US: Final = re.compile(
    r"\s*(\d{1,2})([/-])(\d{1,2})\2(\d{4})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9})\d*)?)?(?:\s*([AaPp])[Mm])?)?\s*\Z"
)
_MONTHS: Final = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_WEEKDAYS: Final = frozenset(
    {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)
# RFC 822 §5.1 named zones (military single letters are left out: rarely used, often wrong).
_ZONES: Final = {
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
}


def _offset(zone: str | None) -> timedelta | None:
    """The UTC offset a zone text names; None when the text is not a zone."""
    if zone is None:
        return timedelta(0)
    named = _ZONES.get(zone.lower())
    if named is not None:
        return timedelta(hours=named)
    if zone[0] in "+-" and zone[1:3].isdigit():
        digits = zone[1:].replace(":", "")
        hours = int(digits[:2])
        minutes = int(digits[2:4]) if len(digits) >= 4 else 0
        if hours > 23 or minutes > 59:
            return None
        delta = timedelta(hours=hours, minutes=minutes)
        return -delta if zone[0] == "-" else delta
    return None


def _micro(fraction: str | None) -> int:
    if not fraction:
        return 0
    return int(fraction[:6].ljust(6, "0"))


def _build(
    year: int, month: int, day: int, hour: int, minute: int, second: int, micro: int, offset: timedelta
) -> datetime | None:
    try:
        value = datetime(year, month, day, hour, minute, second, micro, tzinfo=_UTC)
        if offset:
            value = value - offset
    except (ValueError, OverflowError):
        return None
    return value


def parse_datetime(text: str) -> datetime | None:
    """Read ``text`` as a datetime; None when it is not one of the Kusto datetime formats."""
    # Fast path for the common full ISO form: the C parser is ~30x faster than the regex below. The
    # guard admits only texts the regex accepts too (no comma fractions, no seconds in the offset),
    # so both paths agree; on 3.10 ('Z' and 7 digits unsupported) the regex path answers.
    if (
        len(text) >= 19
        and text[4] == "-"
        and text[13] == ":"
        and text[16] == ":"
        and text[10] in "T "
        and text.count(":") <= 3
        and "," not in text
        and text[-1] != "."
    ):
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if value.tzinfo is None:
                return value.replace(tzinfo=_UTC)
            if value.tzinfo is _UTC:
                return value
            return value.astimezone(_UTC)
    return _parse_slow(text)


def parse_iso8601_datetime(text: str) -> datetime | None:
    """Read ``text`` as a datetime only when it is ISO 8601 with a time of day (``2024-01-02T03:04``,
    ``2024-01-02 03:04:05Z`` ...): the form the Data Collector API typed as datetime (``_t``); a date
    alone or an RFC 1123 text stays a string there."""
    m = _ISO.match(text)
    if m is None or m.group(4) is None or len(m.group(2)) != 2 or len(m.group(3)) != 2:
        return None
    return parse_datetime(text)


def _parse_slow(text: str) -> datetime | None:
    """The regex reader: every accepted format, whatever the Python version."""
    m = _ISO.match(text)
    if m is not None:
        y, mo, d, hh, mi, ss, frac, zone = m.groups()
        offset = _offset(zone)
        if offset is None:
            return None
        return _build(
            int(y),
            int(mo),
            int(d),
            int(hh) if hh else 0,
            int(mi) if mi else 0,
            int(ss) if ss else 0,
            _micro(frac),
            offset,
        )
    m = _RFC.match(text)
    if m is None:
        return _parse_us(text)
    wd, d, _sep, mon, y, hh, mi, ss, frac, zone = m.groups()
    if wd is not None and wd.lower() not in _WEEKDAYS:
        return None
    month = _MONTHS.get(mon.lower())
    offset = _offset(zone)
    if month is None or offset is None:
        return None
    year = int(y)
    if len(y) == 2:
        # .NET's default two-digit-year window (TwoDigitYearMax 2049), which Kusto inherits. [U]
        year += 2000 if year <= 49 else 1900
    return _build(year, month, int(d), int(hh), int(mi), int(ss) if ss else 0, _micro(frac), offset)


def _parse_us(text: str) -> datetime | None:
    """``02/17/2016 08:40:01``, ``12-02-2022``, ``2/7/2016 8:40 PM``: month, day, four-digit year."""
    m = _US.match(text)
    if m is None:
        return None
    mo, _sep, d, y, hh, mi, ss, frac, half = m.groups()
    hour = int(hh) if hh else 0
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half in "Pp" else 0)
    return _build(
        int(y), int(mo), int(d), hour, int(mi) if mi else 0, int(ss) if ss else 0, _micro(frac), timedelta(0)
    )


def ensure_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    if value.utcoffset() == timedelta(0) and value.tzinfo is _UTC:
        return value
    return value.astimezone(_UTC)


# --- syslog and CEF timestamps (the agent's syslog/CEF inputs read them here) ------------------------

# RFC 3164's ``Mmm dd hh:mm:ss`` (day space-padded), with the variants network devices send: a year
# after the day, a fraction, a colon after the time. Followed by one space.
_BSD_SYSLOG: Final = re.compile(
    r"([A-Za-z]{3}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?:? "
)
# RFC 5424 section 6.2.3 (RFC 3339 with at most six fractional digits and a required zone).
_RFC3339: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})\Z")
# An RFC 3339 timestamp at the start of a text, followed by a space (rsyslog's forwarding format).
_LEADING_ISO: Final = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) ")
_CEF_TIME: Final = re.compile(r"([A-Za-z]{3}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?\Z")


def match_bsd_syslog_time(text: str) -> tuple[tuple[int, int, int | None, int, int, int, int], int] | None:
    """The RFC 3164 timestamp that starts ``text``: ((month, day, year or None, hour, minute, second,
    microsecond), the index after it and its space), or None. The year and zone are the caller's to
    choose: the text carries neither (RFC 3164 section 4.1.2)."""
    m = _BSD_SYSLOG.match(text)
    if m is None or (month := _MONTHS.get(m.group(1).lower())) is None:
        return None
    year = int(m.group(3)) if m.group(3) else None
    micro = int((m.group(7) or "0").ljust(6, "0"))
    fields = (month, int(m.group(2)), year, int(m.group(4)), int(m.group(5)), int(m.group(6)), micro)
    return fields, m.end()


def parse_rfc3339(text: str) -> datetime | None:
    """An RFC 5424 TIMESTAMP (RFC 3339, zone required, at most six fractional digits), or None."""
    return parse_datetime(text) if _RFC3339.match(text) else None


def match_leading_rfc3339(text: str) -> tuple[datetime, int] | None:
    """An RFC 3339 timestamp at the start of ``text`` and the index after it and its space, or None."""
    m = _LEADING_ISO.match(text)
    if m is None or (when := parse_datetime(m.group(1))) is None:
        return None
    return when, m.end()


def parse_cef_time(text: str) -> datetime | None:
    """A CEF time field: milliseconds since the epoch, ``MMM dd yyyy HH:mm:ss[.SSS]`` (UTC), or ISO 8601.

    The CEF specification's forms without a year are not read (None): guessing the year of a field
    that is not the message's own time would be a silent change."""
    if text.isdigit() and len(text) <= 15:
        return datetime.fromtimestamp(int(text) / 1000, _UTC)
    m = _CEF_TIME.match(text)
    if m is not None:
        month = _MONTHS.get(m.group(1).lower())
        if month is None:
            return None
        try:
            return datetime(
                int(m.group(3)),
                month,
                int(m.group(2)),
                int(m.group(4)),
                int(m.group(5)),
                int(m.group(6)),
                int((m.group(7) or "0").ljust(6, "0")),
                tzinfo=_UTC,
            )
        except ValueError:
            return None
    return parse_iso8601_datetime(text)
