"""Azure Monitor's documented limits (Logs Ingestion API, query API, KQL): one owner, imported by all.

The client (batching, preflight, the agent's line cut) and the emulator (what it refuses) read
these names; none of them writes the figure again. Sources: Microsoft Learn, "Azure Monitor service
limits", Logs Ingestion API section, and the 413 text the service answers ("Maximum allowed
content length: 1048576 bytes (1 MB)"). The error codes are those of Azure's recorded sessions
(Azure/azure-sdk-assets, the monitor ingestion SDKs' live tests).

This module is pure: no imports beyond the standard library, so kql, schema, the client side and
the emulator can all use it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BYTES_PER_MINUTE",
    "CODE_DCR_NOT_FOUND",
    "CODE_INVALID_STREAM",
    "FIELD_MAX_BYTES",
    "INFLATED_BODY_FACTOR",
    "KQL_MAKE_LIST_MAX_SIZE",
    "KQL_RANGE_MAX_RESULTS",
    "KQL_STRREP_MAX_MULTIPLIER",
    "KUSTO_E_QUERY_RESULT_SET_TOO_LARGE",
    "KUSTO_E_RUNAWAY_QUERY",
    "LOG_ANALYTICS_READER_ROLE_ID",
    "MAX_BODY_BYTES",
    "MAX_RECORD_BYTES",
    "MONITORING_METRICS_PUBLISHER_ROLE",
    "MONITORING_METRICS_PUBLISHER_ROLE_ID",
    "QUERY_CONCURRENT_PER_USER",
    "QUERY_DEFAULT_TIMEOUT_SECONDS",
    "QUERY_MAX_RECORDS",
    "QUERY_MAX_RESULT_BYTES",
    "QUERY_MAX_TIMEOUT_SECONDS",
    "REQUESTS_PER_MINUTE",
    "SDK_SEPARATOR_BYTES",
]

# One request: at most 1 MB, "both compressed and uncompressed". The service measures the JSON
# array as sent (after decompression); 1 MB here is 1 MiB, as the 413 text shows.
MAX_BODY_BYTES: Final = 1_048_576
# The tolerance on the inflated body that the SDKs' own chunking needs. azure-monitor-ingestion
# (_helpers.py, _split_chunks) packs records while the sum of each record's json.dumps() size is at
# most MAX_BODY_BYTES, then sends json.dumps(chunk): the "[" and "]" and the ", " between records
# are not counted. A limit that refused those bytes would refuse the SDK's own full chunks, so a
# body may exceed MAX_BODY_BYTES by this many bytes per record.
SDK_SEPARATOR_BYTES: Final = 2
# The smallest record ("{}") is 2 bytes, so an SDK chunk inflates to at most twice MAX_BODY_BYTES
# (1 MiB of "{}" plus as many separators): inflation stops past this factor, whatever the encoding.
INFLATED_BODY_FACTOR: Final = 2
# The largest single record that fits in a body on its own: the array's "[" and "]" take two bytes.
MAX_RECORD_BYTES: Final = MAX_BODY_BYTES - 2
# One field's value: 64 KB; longer values are truncated by the service.
FIELD_MAX_BYTES: Final = 65_536
# Per DCR: requests and data volume per minute before the service answers 429.
REQUESTS_PER_MINUTE: Final = 12_000
BYTES_PER_MINUTE: Final = 2 * 1024**3

# Error codes of the ingestion endpoint (body error.code and header x-ms-error-code) that name the
# destination, not the records. An unknown stream is a 400 like a refused record: only the code tells
# them apart (go/sdk/monitor/ingestion/azlogs/testdata/recordings/TestUploadWithError.json, 2024-02-02:
# 400, "The stream <stream> was not configured in the data collection rule with immutable Id <id>.").
CODE_INVALID_STREAM: Final = "InvalidStream"
# 404, "Data collection rule with immutable Id '<id>' not found." (python/sdk/monitor/azure-monitor-
# ingestion/tests/recordings/test_logs_ingestion.pyTestLogsIngestionClienttest_send_logs_error.json).
CODE_DCR_NOT_FOUND: Final = "NotFound"

# --- The Log Analytics query API and the Kusto engine behind it -------------------------------------
# Sources: Microsoft Learn, "Azure Monitor service limits" (Log Analytics query API), "Timeouts"
# (azure-monitor/logs/api/timeouts: default 3 minutes, at most 10, set with `Prefer: wait=N`, past it
# 504 Gateway Timeout), Kusto "Query limits" (result truncation: 500,000 records and 67,108,864 bytes,
# E_QUERY_RESULT_SET_TOO_LARGE), the strrep() and make_list() reference pages.
QUERY_MAX_RECORDS: Final = 500_000
QUERY_MAX_RESULT_BYTES: Final = 67_108_864
QUERY_DEFAULT_TIMEOUT_SECONDS: Final = 180
QUERY_MAX_TIMEOUT_SECONDS: Final = 600
# "A user can run up to five concurrent queries. Any other query is added to a queue" (service
# limits, "User query throttling").
QUERY_CONCURRENT_PER_USER: Final = 5
# Kusto's HRESULTs (facility 0xDA) as the query API writes them in a PartialError's innererror.code:
# signed decimal text (a recorded answer: "-2133196797" for "The results of this query exceed the set
# limit of 1 records."; Kusto "Error codes": E_RUNAWAY_QUERY 0x80DA0001, E_QUERY_RESULT_SET_TOO_LARGE
# 0x80DA0003).
KUSTO_E_RUNAWAY_QUERY: Final = "-2133196799"
KUSTO_E_QUERY_RESULT_SET_TOO_LARGE: Final = "-2133196797"
# strrep(): "If multiplier is more than the maximal allowed value of 1024, the input string will be
# repeated 1024 times."
KQL_STRREP_MAX_MULTIPLIER: Final = 1024
# make_list()/make_set(): MaxSize "The default and max value is 1048576".
KQL_MAKE_LIST_MAX_SIZE: Final = 1_048_576
# range() (the scalar function): "supports a maximum of 1,048,576 (2^20) results"; longer arrays are truncated.
KQL_RANGE_MAX_RESULTS: Final = 1_048_576

# --- Built-in Azure RBAC role definition ids (the same GUID in every tenant and cloud) ---------------
# Source: Microsoft Learn, "Azure built-in roles" (Monitor and Analytics sections).
# Monitoring Metrics Publisher: the role that lets a principal send to a DCR (its data action
# Microsoft.Insights/Telemetry/Write).
MONITORING_METRICS_PUBLISHER_ROLE_ID: Final = "3913510d-42f4-4e42-8a64-420c390055eb"
MONITORING_METRICS_PUBLISHER_ROLE: Final = "Monitoring Metrics Publisher"  # its name, as `az role` takes it
# Log Analytics Reader: read a workspace's data (the query API).
LOG_ANALYTICS_READER_ROLE_ID: Final = "73c42c96-874c-492b-b04d-ab87d138a893"

# --- HTTP Data Collector API (retired 2026-09-14) -----------------------------------------------------
# Source: Microsoft Learn, "Send log data to Azure Monitor by using the HTTP Data Collector API"
# (MicrosoftDocs/azure-docs articles/azure-monitor/logs/data-collector-api.md): the URI, headers,
# signature, suffixes, reserved properties, data limits and return codes.
DATA_COLLECTOR_API_VERSION: Final = "2016-04-01"
DATA_COLLECTOR_RESOURCE: Final = "/api/logs"
DATA_COLLECTOR_CONTENT_TYPE: Final = "application/json"
# Log-Type: "only letters, numbers, and the underscore (_) character, and it can't exceed 100 characters".
DATA_COLLECTOR_LOG_TYPE_MAX: Final = 100
# "Maximum of 30 MB per post"; "Maximum of 32 KB for field values ... the data will be truncated".
DATA_COLLECTOR_BODY_MAX: Final = 30 * 1024 * 1024
DATA_COLLECTOR_FIELD_VALUE_MAX: Final = 32 * 1024
# "The Time Generated value cannot be older than 2 days before received time".
DATA_COLLECTOR_TIME_GENERATED_MAX_AGE_SECONDS: Final = 2 * 24 * 3600
# "You'll receive an error if your payload includes any of these property names".
DATA_COLLECTOR_RESERVED_PROPERTIES: Final = ("tenant", "TimeGenerated", "RawData")
