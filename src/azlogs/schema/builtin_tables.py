"""Built-in Log Analytics tables that DCRs can write to through ``Microsoft-<Table>`` output streams.

Every workspace has them, as in Azure. Only the tables the emulator's users need most are modelled:
``Syslog`` and ``CommonSecurityLog`` (the CEF table), and the tables of the Azure Monitor Agent's
Microsoft streams (``Perf``, ``Event``, ``WindowsEvent``, ``InsightsMetrics``, ``SecurityEvent``,
``W3CIISLog``) plus ``Alert``, with the columns of Azure's table reference (learn.microsoft.com/
azure/azure-monitor/reference/tables/<table>) that data collection writes (the standard columns
TenantId, Type, _ResourceId are added by the store). CommonSecurityLog has all of its columns (the
agent's CEF input fills them); the long tail of SecurityEvent's is left out: docs/differences.md says
so. Pure data: the emulator's control plane and the agent's syslog/CEF inputs both read it here.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from azlogs.schema.model import Column, TableSchema
from azlogs.schema.types import ColumnType as T

_SYSLOG: Final = [
    ("TimeGenerated", T.DATETIME),
    ("SourceSystem", T.STRING),
    ("Computer", T.STRING),
    ("EventTime", T.DATETIME),
    ("Facility", T.STRING),
    ("HostName", T.STRING),
    ("SeverityLevel", T.STRING),
    ("SyslogMessage", T.STRING),
    ("ProcessID", T.INT),
    ("HostIP", T.STRING),
    ("ProcessName", T.STRING),
    ("MG", T.STRING),
    ("CollectorHostName", T.STRING),
]

# CommonSecurityLog, every column of the table reference (learn.microsoft.com/azure/azure-monitor/
# reference/tables/commonsecuritylog, 163 columns) less the standard ones the store adds.
_CEF_LABELLED: Final = (
    [(f"DeviceCustomString{i}", T.STRING) for i in range(1, 7)]
    + [(f"DeviceCustomNumber{i}", T.INT) for i in range(1, 4)]
    + [(f"DeviceCustomFloatingPoint{i}", T.REAL) for i in range(1, 5)]
    + [(f"DeviceCustomIPv6Address{i}", T.STRING) for i in range(1, 5)]
    + [(f"DeviceCustomDate{i}", T.STRING) for i in range(1, 3)]
    + [("FlexDate1", T.STRING), ("FlexNumber1", T.INT), ("FlexNumber2", T.INT)]
    + [("FlexString1", T.STRING), ("FlexString2", T.STRING)]
)
_CEF_TYPED: Final = [
    ("TimeGenerated", T.DATETIME),
    ("DestinationPort", T.INT),
    ("DestinationProcessId", T.INT),
    ("DestinationTranslatedPort", T.INT),
    ("EndTime", T.DATETIME),
    ("EventCount", T.INT),
    ("EventType", T.INT),
    ("ExternalID", T.INT),
    *((f"FieldDeviceCustomNumber{i}", T.LONG) for i in range(1, 4)),
    ("FileSize", T.INT),
    ("MaliciousIPLatitude", T.REAL),
    ("MaliciousIPLongitude", T.REAL),
    ("OldFileSize", T.INT),
    ("ProcessID", T.INT),
    ("ReceivedBytes", T.LONG),
    ("SentBytes", T.LONG),
    ("SourcePort", T.INT),
    ("SourceProcessId", T.INT),
    ("SourceTranslatedPort", T.INT),
    ("StartTime", T.DATETIME),
    ("ThreatSeverity", T.INT),
]
_CEF_STRINGS: Final = [
    "Activity",
    "AdditionalExtensions",
    "ApplicationProtocol",
    "CollectorHostName",
    "CommunicationDirection",
    "Computer",
    "DestinationDnsDomain",
    "DestinationHostName",
    "DestinationIP",
    "DestinationMACAddress",
    "DestinationNTDomain",
    "DestinationProcessName",
    "DestinationServiceName",
    "DestinationTranslatedAddress",
    "DestinationUserID",
    "DestinationUserName",
    "DestinationUserPrivileges",
    "DeviceAction",
    "DeviceAddress",
    "DeviceDnsDomain",
    "DeviceEventCategory",
    "DeviceEventClassID",
    "DeviceExternalID",
    "DeviceFacility",
    "DeviceInboundInterface",
    "DeviceMacAddress",
    "DeviceName",
    "DeviceNtDomain",
    "DeviceOutboundInterface",
    "DevicePayloadId",
    "DeviceProduct",
    "DeviceTimeZone",
    "DeviceTranslatedAddress",
    "DeviceVendor",
    "DeviceVersion",
    "EventOutcome",
    "ExtID",
    "FileCreateTime",
    "FileHash",
    "FileID",
    "FileModificationTime",
    "FileName",
    "FilePath",
    "FilePermission",
    "FileType",
    "IndicatorThreatType",
    "LogSeverity",
    "MaliciousIP",
    "MaliciousIPCountry",
    "Message",
    "OldFileCreateTime",
    "OldFileHash",
    "OldFileID",
    "OldFileModificationTime",
    "OldFileName",
    "OldFilePath",
    "OldFilePermission",
    "OldFileType",
    "OriginalLogSeverity",
    "ProcessName",
    "Protocol",
    "Reason",
    "ReceiptTime",
    "RemoteIP",
    "RemotePort",
    "ReportReferenceLink",
    "RequestClientApplication",
    "RequestContext",
    "RequestCookies",
    "RequestMethod",
    "RequestURL",
    "SimplifiedDeviceAction",
    "SourceDnsDomain",
    "SourceHostName",
    "SourceIP",
    "SourceMACAddress",
    "SourceNTDomain",
    "SourceProcessName",
    "SourceServiceName",
    "SourceSystem",
    "SourceTranslatedAddress",
    "SourceUserID",
    "SourceUserName",
    "SourceUserPrivileges",
    "ThreatConfidence",
    "ThreatDescription",
]
_CEF: Final = [
    *_CEF_TYPED,
    *_CEF_LABELLED,
    *((f"{name}Label", T.STRING) for name, _ in _CEF_LABELLED),
    *((s, T.STRING) for s in _CEF_STRINGS),
]


_PERF = [
    ("TimeGenerated", T.DATETIME),
    ("Computer", T.STRING),
    ("ObjectName", T.STRING),
    ("CounterName", T.STRING),
    ("InstanceName", T.STRING),
    ("CounterValue", T.REAL),
    ("CounterPath", T.STRING),
    ("SourceSystem", T.STRING),
    ("Min", T.REAL),
    ("Max", T.REAL),
    ("SampleCount", T.INT),
    ("StandardDeviation", T.REAL),
    ("BucketStartTime", T.DATETIME),
    ("BucketEndTime", T.DATETIME),
    ("MG", T.STRING),
]
_EVENT = [
    ("TimeGenerated", T.DATETIME),
    ("Source", T.STRING),
    ("EventLog", T.STRING),
    ("Computer", T.STRING),
    ("EventLevel", T.INT),
    ("EventLevelName", T.STRING),
    ("ParameterXml", T.STRING),
    ("EventData", T.STRING),
    ("EventID", T.INT),
    ("RenderedDescription", T.STRING),
    ("EventCategory", T.INT),
    ("UserName", T.STRING),
    ("Message", T.STRING),
    ("SourceSystem", T.STRING),
    ("MG", T.STRING),
    ("ManagementGroupName", T.STRING),
]
_WINDOWS_EVENT = [
    ("TimeGenerated", T.DATETIME),
    ("Provider", T.STRING),
    ("Channel", T.STRING),
    ("Computer", T.STRING),
    ("EventID", T.INT),
    ("EventLevel", T.INT),
    ("EventLevelName", T.STRING),
    ("Data", T.DYNAMIC),
    ("EventOriginId", T.STRING),
    ("Task", T.INT),
    ("Keywords", T.STRING),
    ("RawEventData", T.STRING),
    ("SystemUserId", T.STRING),
    ("SystemThreadId", T.INT),
    ("SystemProcessId", T.INT),
    ("Correlation", T.STRING),
    ("Opcode", T.STRING),
    ("EventRecordId", T.STRING),
    ("TimeCreated", T.DATETIME),
    ("ManagementGroupName", T.STRING),
]
_INSIGHTS_METRICS = [
    ("TimeGenerated", T.DATETIME),
    ("Computer", T.STRING),
    ("Origin", T.STRING),
    ("Namespace", T.STRING),
    ("Name", T.STRING),
    ("Val", T.REAL),
    ("Tags", T.STRING),
    ("AgentId", T.STRING),
    ("SourceSystem", T.STRING),
]
_SECURITY_EVENT = [
    ("TimeGenerated", T.DATETIME),
    ("Computer", T.STRING),
    ("EventID", T.INT),
    ("Activity", T.STRING),
    ("Channel", T.STRING),
    ("EventSourceName", T.STRING),
    ("Level", T.STRING),
    ("Task", T.INT),
    ("Account", T.STRING),
    ("AccountType", T.STRING),
    ("EventData", T.STRING),
    ("LogonType", T.INT),
    ("IpAddress", T.STRING),
    ("SubjectUserName", T.STRING),
    ("TargetUserName", T.STRING),
    ("SourceSystem", T.STRING),
]
_W3C_IIS_LOG = [
    ("TimeGenerated", T.DATETIME),
    ("Computer", T.STRING),
    ("sSiteName", T.STRING),
    ("csMethod", T.STRING),
    ("csUriStem", T.STRING),
    ("csUriQuery", T.STRING),
    ("sPort", T.INT),
    ("csUserName", T.STRING),
    ("cIP", T.STRING),
    ("csUserAgent", T.STRING),
    ("scStatus", T.STRING),
    ("TimeTaken", T.LONG),
    ("SourceSystem", T.STRING),
]
_ALERT = [
    ("TimeGenerated", T.DATETIME),
    ("AlertName", T.STRING),
    ("AlertSeverity", T.STRING),
    ("AlertState", T.STRING),
    ("AlertDescription", T.STRING),
    ("Computer", T.STRING),
    ("SourceDisplayName", T.STRING),
    ("SourceSystem", T.STRING),
    ("AlertContext", T.STRING),
]
# OTel logs as Azure Monitor's native OTLP ingestion writes them (stream Microsoft-OTel-Logs). The column
# set is the emulator's reading of the OTel log data model in Log Analytics' naming (docs/differences.md:
# Azure's table reference for OTelLogs was not available to the emulator). [U]
_OTEL_LOGS = [
    ("TimeGenerated", T.DATETIME),
    ("ObservedTimestamp", T.DATETIME),
    ("TraceId", T.STRING),
    ("SpanId", T.STRING),
    ("TraceFlags", T.INT),
    ("SeverityText", T.STRING),
    ("SeverityNumber", T.INT),
    ("Body", T.STRING),
    ("EventName", T.STRING),
    ("Attributes", T.DYNAMIC),
    ("ResourceAttributes", T.DYNAMIC),
    ("ScopeName", T.STRING),
    ("ScopeVersion", T.STRING),
    ("ScopeAttributes", T.DYNAMIC),
    ("ServiceName", T.STRING),
    ("ServiceNamespace", T.STRING),
    ("ServiceInstanceId", T.STRING),
]
# The errors of DCR-based collection a DCR's diagnostic setting (category LogErrors) sends to a workspace:
# the columns of Azure's table reference (azure-reference-other, tables/includes/dcrlogerrors-include.md).
# _ResourceId, a standard column the store keeps empty elsewhere, is stored per row here: the DCR's id, by
# which Learn's queries pick one DCR's errors.
_DCR_LOG_ERRORS = [
    ("TimeGenerated", T.DATETIME),
    ("ClientRequestId", T.STRING),
    ("CorrelationId", T.STRING),
    ("InputStreamId", T.STRING),
    ("Message", T.STRING),
    ("OperationName", T.STRING),
    ("SourceSystem", T.STRING),
    ("_SubscriptionId", T.STRING),
    ("_ResourceId", T.STRING),
]
_SIMPLE = {
    "Perf": _PERF,
    "Event": _EVENT,
    "WindowsEvent": _WINDOWS_EVENT,
    "InsightsMetrics": _INSIGHTS_METRICS,
    "SecurityEvent": _SECURITY_EVENT,
    "W3CIISLog": _W3C_IIS_LOG,
    "Alert": _ALERT,
    "OTelLogs": _OTEL_LOGS,
    "DCRLogErrors": _DCR_LOG_ERRORS,
}


@cache
def builtin_tables() -> dict[str, TableSchema]:
    """The built-in tables by lower-case name."""
    tables = {"Syslog": _SYSLOG, "CommonSecurityLog": _CEF, **_SIMPLE}
    return {
        n.lower(): TableSchema(name=n, columns=tuple(Column(c, t) for c, t in cols))
        for n, cols in tables.items()
    }
