"""The text form of a timespan, as Kusto writes it: one owner for KQL's ``tostring()`` and results and
for the client's encoding of ``timedelta`` values in records.

``[-][d.]hh:mm:ss[.fffffff]``: the day part only when there are days, the fraction (seven digits, 100 ns
ticks) only when it is not zero, as .NET's constant ("c") TimeSpan format that Kusto uses
(``tostring(90s)`` is ``00:01:30``, ``tostring(1.5s)`` is ``00:00:01.5000000``).
"""

from __future__ import annotations

from datetime import timedelta

__all__ = ["format_timespan"]


def format_timespan(td: timedelta) -> str:
    """Kusto's text form of ``td`` (microsecond precision: the seventh digit is always 0)."""
    total_us = td // timedelta(microseconds=1)
    sign = "-" if total_us < 0 else ""
    total_us = abs(total_us)
    days, rem = divmod(total_us, 86_400_000_000)
    hours, rem = divmod(rem, 3_600_000_000)
    minutes, rem = divmod(rem, 60_000_000)
    seconds, us = divmod(rem, 1_000_000)
    out = f"{sign}{days}." if days else sign
    out += f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if us:
        out += f".{us:06d}0"
    return out
