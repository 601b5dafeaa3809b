"""``azlogs doctor --since``: what Azure says it dropped, read back and explained in the user's terms.

Azure records its own silent drops (Learn, "Monitor DCR data collection", data-collection-monitor.md):
``DCRLogErrors`` rows in the workspace of a DCR diagnostic setting with the ``LogErrors`` category,
and DCR metrics (``RowsReceived_Count``, ``RowsDropped_Count``, columns dropped by ``ColumnsDroppedAt``,
``TransformationErrors_Count``). These steps read both, through ARM (the diagnostic settings, the
workspace's customer id, the metrics API) and the Log Analytics query API, with the identity doctor
already uses; they work the same against Azure and the emulator.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import httpx
from azure.core.credentials import TokenProvider

from azlogs._exceptions import ArmRequestError, AuthError, AzlogsError, UsageError
from azlogs._http import Verify
from azlogs.auth.clouds import Cloud
from azlogs.doctor._report import Step
from azlogs.provision import ArmClient
from azlogs.query import query_workspace

__all__ = ["DIAGNOSTIC_SETTINGS_API", "METRICS_API", "QueryAccess", "dropped_steps", "explain", "parse_since"]

DIAGNOSTIC_SETTINGS_API: Final = "2021-05-01-preview"
METRICS_API: Final = "2024-02-01"
_WORKSPACE_API: Final = "2022-10-01"
_LOG_ERRORS: Final = "LogErrors"
_GROUPS: Final = ("alllogs", "audit")
_SINCE_RE: Final = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)\s*\Z", re.I)
_UNITS: Final = {"s": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days"}
_MAX_GROUPS: Final = 50


def parse_since(text: str) -> dt.timedelta:
    """``1h``, ``30m``, ``2d``, ``90s`` or an ISO 8601 duration (``PT1H``) as a timedelta.

    Raises:
        UsageError: another form, or not positive.
    """
    m = _SINCE_RE.match(text)
    if m is not None:
        value = dt.timedelta(**{_UNITS[m.group(2).lower()]: float(m.group(1))})
    else:
        iso = re.match(r"\s*P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?\s*\Z", text, re.I)
        if iso is None or not any(iso.groups()):
            raise UsageError(
                f"--since {text!r} is not a duration", hint="use a number and a unit: 30m, 1h, 2d (or PT1H)"
            )
        d, h, mi, s = (int(g or 0) for g in iso.groups())
        value = dt.timedelta(days=d, hours=h, minutes=mi, seconds=s)
    if value <= dt.timedelta(0):
        raise UsageError(f"--since {text!r} must be longer than zero", hint="for example --since 1h")
    return value


def _kql_timespan(since: dt.timedelta) -> str:
    return f"{int(since.total_seconds())}s"


def human(since: dt.timedelta) -> str:
    """``1h``, ``90m``, ``2d``, ``45s``: the window as a user writes it."""
    seconds = int(since.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class _Explanation:
    what: str
    fix: str


# Kinds the emulator writes in brackets at the start of a Message, and words of Azure's messages.
_BY_KIND: Final[dict[str, _Explanation]] = {
    "dropped_undeclared": _Explanation(
        "records carried a column the DCR's stream does not declare; Azure dropped its values",
        "declare the column in the DCR's streamDeclarations (and the table), or stop sending it; "
        "azlogs validate shows this before sending",
    ),
    "coercion_failed": _Explanation(
        "values did not take their column's declared type; Azure stored them as null",
        "send values of the declared type (a number for int/long/real, ISO 8601 for datetime), or change "
        "the column's type in the stream declaration",
    ),
    "truncated": _Explanation(
        "values were longer than the service's field limit and were cut",
        "send shorter values, or split them across columns",
    ),
    "transform_error": _Explanation(
        "the DCR's transformKql failed for these records; Azure dropped them",
        "run the transformation on a sample record with azlogs transform test and fix the expression "
        "(a regular expression, a conversion or a limit)",
    ),
    "dropped_not_in_table": _Explanation(
        "the output table has no column for what the data flow produces; the values were dropped",
        "add the column to the table (azlogs provision, or the table's schema), or project it away",
    ),
    "type_mismatch": _Explanation(
        "the output table's column has another type than the data flow produces; the values were dropped",
        "convert in the transformation (toint(), tostring() ...) or change the table column's type",
    ),
    "table_missing": _Explanation(
        "the data flow's output table does not exist; the records went nowhere",
        "create the table, or point the data flow's outputStream at an existing one",
    ),
    "workspace_missing": _Explanation(
        "the DCR's destination workspace does not exist; the records went nowhere",
        "fix the DCR's destinations.logAnalytics workspaceResourceId",
    ),
    "not_an_object": _Explanation(
        "elements of the request's JSON array were not objects; they were skipped",
        "send a JSON array of objects: [ {...}, {...} ]",
    ),
    "object_body": _Explanation(
        "a request's body was a JSON object, not an array: Azure answered 204 and wrote nothing",
        "wrap the records in an array: [ {...} ]",
    ),
    "refused": _Explanation(
        "requests were answered with an error status and nothing of them was written",
        "see the error in the message; the steps above check the token, DCR, stream and role",
    ),
}
_KEYWORDS: Final = (
    (re.compile(r"transform", re.I), "transform_error"),
    (re.compile(r"not (?:declared|defined) in (?:the )?stream|undeclared", re.I), "dropped_undeclared"),
    (re.compile(r"type|convert|cast", re.I), "coercion_failed"),
    (re.compile(r"column", re.I), "dropped_not_in_table"),
    (re.compile(r"throttl|too many|limit", re.I), "refused"),
)


def explain(message: str, operation: str = "") -> tuple[str, str]:
    """(what happened, what to do) for one DCRLogErrors message, in the user's terms."""
    m = re.match(r"\s*\[([a-z_]+)\]", message)
    kind = m.group(1) if m else None
    if kind is None:
        kind = "transform_error" if operation.lower() == "transformation" else None
        for pattern, k in _KEYWORDS:
            if kind is None and pattern.search(message):
                kind = k
    found = _BY_KIND.get(kind or "")
    if found is None:
        return "Azure recorded an error for this DCR's data", "read the message; it names what was refused"
    return found.what, found.fix


def _sends_log_errors(setting: dict[str, Any]) -> bool:
    for entry in (setting.get("properties") or {}).get("logs") or []:
        if not isinstance(entry, dict) or not entry.get("enabled"):
            continue
        if str(entry.get("category") or "").lower() == _LOG_ERRORS.lower():
            return True
        if str(entry.get("categoryGroup") or "").lower() in _GROUPS:
            return True
    return False


def _log_errors_workspaces(arm: ArmClient, dcr_id: str) -> list[str]:
    settings = arm.list(f"{dcr_id}/providers/Microsoft.Insights/diagnosticSettings", DIAGNOSTIC_SETTINGS_API)
    out = []
    for s in settings:
        ws = (s.get("properties") or {}).get("workspaceId")
        if _sends_log_errors(s) and isinstance(ws, str) and ws and ws not in out:
            out.append(ws)
    return out


@dataclass(frozen=True)
class QueryAccess:
    """How to reach the workspace's query API: the identity, the endpoint (None: the cloud's), TLS trust.

    ``explain_auth`` turns a credential's own exception into the azlogs error with its fix
    (``azlogs.auth.credential.explain_failure`` bound to the identity's source).
    """

    credential: TokenProvider
    endpoint: str | None
    verify: Verify
    cloud: Cloud
    explain_auth: Callable[[BaseException], AuthError]
    transport: httpx.BaseTransport | None = None  # the query API's (tests)


def _log_error_steps(arm: ArmClient, dcr_id: str, since: dt.timedelta, access: QueryAccess) -> list[Step]:
    name = "DCRLogErrors"
    try:
        workspaces = _log_errors_workspaces(arm, dcr_id)
    except ArmRequestError as exc:
        return [
            Step(
                name,
                "skipped",
                f"the DCR's diagnostic settings are not readable (HTTP {exc.status} {exc.code})",
            )
        ]
    if not workspaces:
        return [
            Step(
                name,
                "skipped",
                f"no diagnostic setting of {dcr_id} sends its Log Errors to a workspace, so Azure keeps no "
                f"record of what it drops; create one: az monitor diagnostic-settings create --resource {dcr_id} "
                '--name dcr-errors --workspace <workspace id> --logs \'[{"category":"LogErrors","enabled":true}]\'',
            )
        ]
    kql = (
        f"DCRLogErrors | where TimeGenerated > ago({_kql_timespan(since)}) | where _ResourceId =~ '{dcr_id}' "
        "| summarize Count = count(), Last = max(TimeGenerated) by OperationName, InputStreamId, Message "
        f"| sort by Last desc | take {_MAX_GROUPS}"
    )
    steps: list[Step] = []
    for ws_id in workspaces:
        try:
            ws = arm.get(ws_id, _WORKSPACE_API)
        except ArmRequestError as exc:
            steps.append(
                Step(name, "skipped", f"workspace {ws_id} is not readable (HTTP {exc.status} {exc.code})")
            )
            continue
        customer_id = ((ws or {}).get("properties") or {}).get("customerId")
        if not customer_id:
            steps.append(
                Step(
                    name,
                    "failed",
                    f"workspace {ws_id} of the diagnostic setting does not exist",
                    "point the DCR's diagnostic setting at an existing workspace",
                )
            )
            continue
        try:
            tables = query_workspace(
                str(customer_id),
                kql,
                access.credential,
                endpoint=access.endpoint,
                verify=access.verify,
                cloud=access.cloud,
                timeout=60,
                transport=access.transport,
            )
        except AuthError as exc:
            steps.append(Step(name, "failed", f"cannot query workspace {ws_id}: {exc.message}", exc.hint))
            continue
        except AzlogsError as exc:
            steps.append(
                Step(name, "failed", f"the query of workspace {ws_id} failed: {exc.message}", exc.hint)
            )
            continue
        except Exception as exc:  # a credential's own error type: explained once, in auth
            err = access.explain_auth(exc)
            steps.append(Step(name, "failed", f"cannot query workspace {ws_id}: {err.message}", err.hint))
            continue
        records = tables[0].records() if tables else []
        if not records:
            steps.append(
                Step(
                    name,
                    "ok",
                    f"no errors recorded for the DCR in the last {human(since)} (workspace {ws_id})",
                )
            )
            continue
        for rec in records:
            message = str(rec.get("Message") or "")
            what, fix = explain(message, str(rec.get("OperationName") or ""))
            count = rec.get("Count") or 0
            steps.append(
                Step(
                    f"dropped ({rec.get('InputStreamId') or 'stream?'})",
                    "failed",
                    f"{count} error{'s' if count != 1 else ''} of {rec.get('OperationName') or '?'} "
                    f"(last {rec.get('Last')}): {what}. Azure says: {message}",
                    fix,
                    data={"workspace": ws_id, "count": count, "message": message},
                )
            )
    return steps


def _metric_totals(
    arm: ArmClient, dcr_id: str, since: dt.timedelta, names: Sequence[str], **params: str
) -> dict[str, dict[str, float]]:
    """{metric: {dimension value or "": total}} over the window."""
    now = dt.datetime.now(dt.timezone.utc)
    start = now - since
    r = arm.request(
        "GET",
        f"{dcr_id}/providers/Microsoft.Insights/metrics",
        METRICS_API,
        params={
            "metricnames": ",".join(names),
            "timespan": f"{start.isoformat()}/{now.isoformat()}",
            "interval": "FULL",
            "aggregation": "Total,Count",
            **params,
        },
        ok=(200,),
    )
    assert r is not None
    out: dict[str, dict[str, float]] = {}
    for metric in r.json().get("value") or []:
        name = (metric.get("name") or {}).get("value", "")
        per = out.setdefault(name, {})
        for ts in metric.get("timeseries") or []:
            key = ",".join(str(m.get("value", "")) for m in ts.get("metadatavalues") or [])
            per[key] = per.get(key, 0.0) + sum(float(p.get("total") or 0) for p in ts.get("data") or [])
    return out


def _metric_step(arm: ArmClient, dcr_id: str, since: dt.timedelta) -> Step:
    name = "DCR metrics"
    try:
        totals = _metric_totals(
            arm, dcr_id, since, ("RowsReceived_Count", "RowsDropped_Count", "TransformationErrors_Count")
        )
        columns = _metric_totals(
            arm, dcr_id, since, ("LogColumnsDropped_Count",), **{"$filter": "ColumnsDroppedAt eq '*'"}
        ).get("LogColumnsDropped_Count", {})
    except ArmRequestError as exc:
        return Step(name, "skipped", f"the DCR's metrics are not readable (HTTP {exc.status} {exc.code})")

    def total(metric: str) -> int:
        return int(sum(totals.get(metric, {}).values()))

    received, dropped, errors = (
        total("RowsReceived_Count"),
        total("RowsDropped_Count"),
        total("TransformationErrors_Count"),
    )
    cols = {k or "?": int(v) for k, v in columns.items() if v}
    data = {
        "rows_received": received,
        "rows_dropped": dropped,
        "columns_dropped": cols,
        "transformation_errors": errors,
    }
    detail = (
        f"last {human(since)}: {received} rows received, {dropped} dropped, {errors} transformation errors"
    )
    if cols:
        detail += ", column values dropped " + ", ".join(f"at {k}: {v}" for k, v in sorted(cols.items()))
    if not (dropped or errors or cols):
        return Step(name, "ok", detail, data=data)
    fixes = []
    if dropped or errors:
        fixes.append(
            "rows dropped count the transformation's filter (where) as well as errors; errors are explained "
            "above (DCRLogErrors)"
        )
    if cols:
        fixes.append(
            "columns dropped at the input stream are undeclared in the DCR's stream; at the output table, "
            "missing from the table or of another type"
        )
    return Step(name, "failed", detail, "; ".join(fixes), data=data)


def dropped_steps(arm: ArmClient, dcr_id: str, since: dt.timedelta, access: QueryAccess) -> list[Step]:
    """The DCRLogErrors steps (one per distinct error, explained) and the DCR metrics step."""
    steps = _log_error_steps(arm, dcr_id, since, access)
    steps.append(_metric_step(arm, dcr_id, since))
    return steps
