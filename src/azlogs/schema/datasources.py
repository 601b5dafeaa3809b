"""The ``dataSources`` of an agent DCR (what Azure Monitor Agent collects), checked as ARM does at PUT time.

Kinds and fields are those of the DCR REST spec's ``DataSourcesSpec`` (azure-rest-api-specs,
``specification/monitor/resource-manager/Microsoft.Insights/stable/2023-03-11/dataCollectionRules_API.json``):
``performanceCounters``, ``windowsEventLogs``, ``syslog``, ``extensions``, ``logFiles``, ``iisLogs``,
``windowsFirewallLogs``, ``prometheusForwarder``, ``platformTelemetry``, ``dataImports``. A recorded live
agent DCR (Azure/azure-sdk-assets ``go/sdk/resourcemanager/monitor/armmonitor/testdata/recordings/
TestDatacollectionrulesTestSuite.json``) has ``performanceCounters`` and ``syslog`` sources feeding a data
flow of ``Microsoft-Perf`` and ``Microsoft-Syslog`` without ``outputStream`` or stream declarations.

Refusals are ``InvalidDataSource`` at ``Properties.DataSources.<Kind>[i].<Field>``. The service's
wording for a required list is the validator's ``'<Field In Words>' must not be empty.`` (issue 10
quotes ``'X Path Queries' must not be empty.`` at ``Properties.DataSources.WindowsEventLogs[0].XPathQueries``);
the other messages are ours. [U]
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from azlogs.schema.errors import INVALID_DATA_SOURCE, ArmErrorDetail
from azlogs.schema.names import CUSTOM_STREAM_PREFIX, MICROSOFT_STREAM_PREFIX

__all__ = [
    "DATA_SOURCE_KINDS",
    "SYSLOG_FACILITIES",
    "SYSLOG_FACILITY_CODES",
    "SYSLOG_LEVELS",
    "SYSLOG_SEVERITY_CODES",
    "data_source_problems",
]


@dataclass(frozen=True)
class _Kind:
    required: tuple[str, ...]  # fields that must be non-empty lists or strings
    streams: tuple[str, ...] | None  # allowed Microsoft streams; None: any Microsoft- or declared Custom-
    custom: bool = False  # declared Custom- streams allowed


DATA_SOURCE_KINDS: Final[dict[str, _Kind]] = {
    "performanceCounters": _Kind(
        ("streams", "counterSpecifiers"), ("Microsoft-Perf", "Microsoft-InsightsMetrics")
    ),
    "windowsEventLogs": _Kind(
        ("streams", "xPathQueries"), ("Microsoft-Event", "Microsoft-WindowsEvent", "Microsoft-SecurityEvent")
    ),
    "syslog": _Kind(("streams", "facilityNames"), ("Microsoft-Syslog", "Microsoft-CommonSecurityLog")),
    "extensions": _Kind(("extensionName",), None, custom=True),
    "logFiles": _Kind(("streams", "filePatterns", "format"), (), custom=True),
    "iisLogs": _Kind(("streams",), ("Microsoft-W3CIISLog",)),
    "windowsFirewallLogs": _Kind(("streams",), None),
    "prometheusForwarder": _Kind(("streams",), ("Microsoft-PrometheusMetrics",)),
    "platformTelemetry": _Kind(("streams",), None),
    "dataImports": _Kind((), None, custom=True),
}
# The spec's KnownSyslogDataSourceFacilityNames and KnownSyslogDataSourceLogLevels.
SYSLOG_FACILITIES: Final = frozenset(
    [
        "*",
        "alert",
        "audit",
        "auth",
        "authpriv",
        "clock",
        "cron",
        "daemon",
        "ftp",
        "kern",
        "lpr",
        "mail",
        "mark",
    ]
    + ["news", "nopri", "ntp", "syslog", "user", "uucp"]
    + [f"local{i}" for i in range(8)]
)
# The facility of each code 0..23 (RFC 5424 section 6.2.1, with the names the Syslog table's
# ``Facility`` column and the DCR's facilityNames use: 13 is ``audit``, 14 ``alert``, 15 ``clock``),
# and the severity of each code 0..7 as the Syslog table's ``SeverityLevel`` writes it
# (``Syslog | where SeverityLevel in ("err", "crit", "alert", "emerg")``).
SYSLOG_FACILITY_CODES: Final = (
    "kern",
    "user",
    "mail",
    "daemon",
    "auth",
    "syslog",
    "lpr",
    "news",
    "uucp",
    "cron",
    "authpriv",
    "ftp",
    "ntp",
    "audit",
    "alert",
    "clock",
    *tuple(f"local{i}" for i in range(8)),
)
SYSLOG_SEVERITY_CODES: Final = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
SYSLOG_LEVELS: Final = ("Debug", "Info", "Notice", "Warning", "Error", "Critical", "Alert", "Emergency", "*")
LOG_FILE_FORMATS: Final = ("json", "text")
_WORD_BREAK: Final = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _words(name: str) -> str:
    """``xPathQueries`` -> ``X Path Queries``: how the service names a field in its messages."""
    return _WORD_BREAK.sub(" ", _pascal(name))


def data_source_problems(raw: Any, declared: Collection[str]) -> list[ArmErrorDetail]:
    """Every problem of ``properties.dataSources``; ``declared`` are the rule's stream declarations."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [
            ArmErrorDetail(INVALID_DATA_SOURCE, "'dataSources' must be an object", "Properties.DataSources")
        ]
    out: list[ArmErrorDetail] = []
    names: dict[str, str] = {}
    for kind_name, sources in raw.items():
        base = f"Properties.DataSources.{_pascal(str(kind_name))}"
        kind = DATA_SOURCE_KINDS.get(str(kind_name))
        if kind is None:
            out.append(
                ArmErrorDetail(
                    INVALID_DATA_SOURCE,
                    f"'{kind_name}' is not a data source kind; use one of {', '.join(DATA_SOURCE_KINDS)}",
                    base,
                )
            )
            continue
        if not isinstance(sources, list):
            out.append(ArmErrorDetail(INVALID_DATA_SOURCE, f"'{kind_name}' must be an array", base))
            continue
        for i, source in enumerate(sources):
            where = f"{base}[{i}]"
            if not isinstance(source, Mapping):
                out.append(ArmErrorDetail(INVALID_DATA_SOURCE, "a data source must be an object", where))
                continue
            out.extend(_source_problems(str(kind_name), kind, source, where, declared))
            name = source.get("name")
            if isinstance(name, str) and name:
                if name.lower() in names:
                    out.append(
                        ArmErrorDetail(
                            INVALID_DATA_SOURCE,
                            f"Data source name '{name}' is used by '{names[name.lower()]}' too; names must be "
                            "unique across all data sources of a rule.",
                            f"{where}.Name",
                        )
                    )
                else:
                    names[name.lower()] = where
    return out


def _source_problems(
    kind_name: str, kind: _Kind, source: Mapping[str, Any], where: str, declared: Collection[str]
) -> list[ArmErrorDetail]:
    out: list[ArmErrorDetail] = []
    for field_name in kind.required:
        value = source.get(field_name)
        if value is None or (isinstance(value, list | str) and len(value) == 0):
            out.append(
                ArmErrorDetail(
                    INVALID_DATA_SOURCE,
                    f"'{_words(field_name)}' must not be empty.",
                    f"{where}.{_pascal(field_name)}",
                )
            )
    streams = source.get("streams")
    for j, stream in enumerate(streams if isinstance(streams, list) else []):
        problem = _stream_problem(kind_name, kind, stream, declared)
        if problem:
            out.append(ArmErrorDetail(INVALID_DATA_SOURCE, problem, f"{where}.Streams[{j}]"))
    if kind_name == "performanceCounters":
        freq = source.get("samplingFrequencyInSeconds")
        if freq is not None and (not isinstance(freq, int) or isinstance(freq, bool) or freq <= 0):
            out.append(
                ArmErrorDetail(
                    INVALID_DATA_SOURCE,
                    "'Sampling Frequency In Seconds' must be greater than '0'.",
                    f"{where}.SamplingFrequencyInSeconds",
                )
            )
    if kind_name == "syslog":
        out.extend(_enum_problems(source, "facilityNames", SYSLOG_FACILITIES, where, fold=True))
        out.extend(_enum_problems(source, "logLevels", frozenset(SYSLOG_LEVELS), where, fold=False))
    if kind_name == "logFiles":
        fmt = source.get("format")
        if isinstance(fmt, str) and fmt and fmt.lower() not in LOG_FILE_FORMATS:
            out.append(
                ArmErrorDetail(
                    INVALID_DATA_SOURCE,
                    f"'Format' '{fmt}' is not one of {', '.join(LOG_FILE_FORMATS)}.",
                    f"{where}.Format",
                )
            )
    return out


def _stream_problem(kind_name: str, kind: _Kind, stream: Any, declared: Collection[str]) -> str | None:
    if not isinstance(stream, str) or not stream:
        return "a data source stream must be a non-empty string"
    if stream.startswith(CUSTOM_STREAM_PREFIX):
        if not kind.custom:
            return f"stream '{stream}': a {kind_name} data source produces Microsoft streams, not custom ones"
        if stream not in declared:
            return f"stream '{stream}' is not declared in 'streamDeclarations'"
        return None
    if kind.streams is None:
        return None if stream.startswith(MICROSOFT_STREAM_PREFIX) else f"'{stream}' is not a stream name"
    if stream not in kind.streams:
        allowed = ", ".join(kind.streams) if kind.streams else "a declared Custom- stream"
        return f"stream '{stream}' cannot come from a {kind_name} data source; use {allowed}"
    return None


def _enum_problems(
    source: Mapping[str, Any], field_name: str, allowed: frozenset[str], where: str, *, fold: bool
) -> list[ArmErrorDetail]:
    values = source.get(field_name)
    out = []
    for j, value in enumerate(values if isinstance(values, list) else []):
        key = value.lower() if fold and isinstance(value, str) else value
        if key not in allowed:
            out.append(
                ArmErrorDetail(
                    INVALID_DATA_SOURCE,
                    f"'{_words(field_name)}' value '{value}' is not one of {', '.join(sorted(allowed))}.",
                    f"{where}.{_pascal(field_name)}[{j}]",
                )
            )
    return out
