"""Turn a failed answer into an error that names the thing and the fix. Pure.

The service's own code and message are always kept; azlogs adds what it can tell from the request:
for 403 the identity's object id (from the token's claims) and the role to assign on which DCR, for
an unknown stream (400 ``InvalidStream``) or DCR (404 ``NotFound``) which name to fix and where to
find the right one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from azlogs._exceptions import PermanentServiceError, RetryableServiceError, ServiceError
from azlogs.auth.clouds import AZURE_PUBLIC, Cloud, audience_problem
from azlogs.facts import MONITORING_METRICS_PUBLISHER_ROLE
from azlogs.ingest._retry import Fault, classify_answer

_IMMUTABLE_ID = re.compile(r"dcr-[0-9a-f]{32}")


@dataclass(frozen=True)
class Target:
    """Where the records go: endpoint, DCR immutable id, stream, and the endpoint's cloud."""

    endpoint: str
    rule_id: str
    stream: str
    cloud: Cloud = AZURE_PUBLIC


@dataclass(frozen=True)
class ServiceAnswer:
    """The readable part of an error answer."""

    status: int
    code: str | None
    message: str
    structured: bool  # the body had the service's {"error": {...}} shape


def read_answer(status: int, headers: Mapping[str, str], content: bytes) -> ServiceAnswer:
    """Extract code and message from an error body (``{"error": {"code", "message"}}``)."""
    code = headers.get("x-ms-error-code") or None
    message = ""
    structured = False
    try:
        doc = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        err = doc["error"]
        structured = True
        code = str(err.get("code") or "") or code
        message = str(err.get("message") or "")
        details = err.get("details")
        if isinstance(details, list):
            extra = [f"{d.get('code', '')}: {d.get('message', '')}" for d in details if isinstance(d, dict)]
            if extra:
                message = f"{message} ({'; '.join(extra)})"
    elif content:
        message = " ".join(content[:300].decode("utf-8", "replace").split())
    return ServiceAnswer(status, code, message, structured)


def _said(answer: ServiceAnswer) -> str:
    code = f" {answer.code}" if answer.code else ""
    text = f": {answer.message}" if answer.message else ""
    return f"HTTP {answer.status}{code}{text}"


def diagnose(answer: ServiceAnswer, target: Target, claims: Mapping[str, Any] | None = None) -> ServiceError:
    """The error to report for a failed answer (a retryable one only once it ran out of retries).

    What is wrong comes from ``classify_answer`` (status and error code), so that the client, the
    agent and doctor read an answer the same way.
    """
    claims = claims or {}
    said = _said(answer)
    status = answer.status
    fault = classify_answer(status, answer.code)
    if fault is Fault.TRANSIENT:
        return RetryableServiceError(
            f"the service kept answering {said}",
            status=status,
            code=answer.code,
            hint="the DCR is throttled or the service is unavailable; send later or more slowly"
            if status == 429
            else None,
        )
    if fault is Fault.ROLE:
        return _forbidden(answer, target, claims)
    if fault is Fault.TOKEN:
        aud = claims.get("aud", "unknown")
        cloud = target.cloud
        problem = audience_problem(cloud, str(aud)) if "aud" in claims else None
        return PermanentServiceError(
            f"the ingestion endpoint refused the token ({said}); "
            + (problem[0] if problem else f"token audience {aud}")
            + f", tenant {claims.get('tid', 'unknown')}",
            status=status,
            code=answer.code,
            hint=problem[1]
            if problem
            else f"the token must be for {cloud.monitor_audience} (scope {cloud.monitor_scope}) from the "
            "tenant of the DCR; another cloud's endpoint needs --cloud (AzureUSGovernment, AzureChinaCloud)",
        )
    if fault in (Fault.STREAM, Fault.DCR, Fault.DESTINATION) or (fault is Fault.ENDPOINT and status == 404):
        return _not_found(answer, target, fault)
    if fault is Fault.RECORDS:
        return PermanentServiceError(
            f"the service refused the records for stream {target.stream} of DCR {target.rule_id} ({said})",
            status=status,
            code=answer.code,
            hint=_bad_request_hint(answer, target),
        )
    if fault is Fault.SIZE:
        return PermanentServiceError(
            f"the service refused even a single record as too large ({said})",
            status=status,
            code=answer.code,
            hint="the request limit is 1 MiB compressed and uncompressed; shorten the record",
        )
    if fault is Fault.TRANSFORM:
        return PermanentServiceError(
            f"the transformation of DCR {target.rule_id} for stream {target.stream} cannot run ({said})",
            status=status,
            code=answer.code,
            hint=f"fix the transformKql of the data flow that reads {target.stream} in the DCR",
        )
    if fault is Fault.ENDPOINT:
        return PermanentServiceError(
            f"unexpected answer {said} from {target.endpoint} (the Logs Ingestion API answers 204)",
            status=status,
            code=answer.code,
            hint="check that the endpoint is a DCE logs-ingestion endpoint or the DCR's own "
            "logsIngestion endpoint, not a proxy or portal URL",
        )
    hint = None
    if "apiversion" in (answer.code or "").lower():
        hint = "use api-version 2023-01-01 (or 2021-11-01-preview)"
    return PermanentServiceError(
        f"the service refused the request to stream {target.stream} of DCR {target.rule_id} ({said})",
        status=status,
        code=answer.code,
        hint=hint,
    )


def _forbidden(answer: ServiceAnswer, target: Target, claims: Mapping[str, Any]) -> ServiceError:
    if "isdcrdcebindingvalid: false" in answer.message.lower():
        return PermanentServiceError(
            f"DCR {target.rule_id} is not associated with the endpoint {target.endpoint} ({_said(answer)})",
            status=answer.status,
            code=answer.code,
            hint="send to the DCR's own endpoints.logsIngestion, or to the DCE named in its "
            "dataCollectionEndpointId",
        )
    oid = claims.get("oid")
    who = f"identity with object id {oid}" if oid else "identity (object id not in its token)"
    app = claims.get("appid") or claims.get("azp")
    if app:
        who += f" (client id {app})"
    principal = oid or "<object id of the identity>"
    return PermanentServiceError(
        f"the {who} may not ingest into DCR {target.rule_id} ({_said(answer)})",
        status=answer.status,
        code=answer.code,
        hint=f"assign the {MONITORING_METRICS_PUBLISHER_ROLE} role on the DCR to principal {principal} "
        "(role propagation can take up to 30 minutes)",
    )


def _not_found(answer: ServiceAnswer, target: Target, fault: Fault) -> ServiceError:
    if fault is not Fault.STREAM and not _IMMUTABLE_ID.fullmatch(target.rule_id):
        what = f"the DCR id {target.rule_id!r} is not an immutable id"
        fix = "use the DCR's immutableId (dcr- followed by 32 hex digits), not its name or ARM id"
    elif fault is Fault.STREAM:
        what = f"the stream {target.stream!r} is not declared in DCR {target.rule_id}"
        fix = (
            "use a name from the DCR's streamDeclarations (custom streams start with 'Custom-'), or declare "
            "it there; a stream added to the DCR moments ago can take a few minutes to reach the endpoint"
        )
    elif fault is Fault.DCR:
        what = f"DCR {target.rule_id} is not known at this endpoint"
        fix = (
            "check the immutable id, and that the endpoint is the DCE linked to the DCR (or the DCR's own "
            "logsIngestion endpoint) in the same region"
        )
    elif fault is Fault.ENDPOINT:
        what = f"the endpoint {target.endpoint} does not serve the Logs Ingestion API"
        fix = (
            f"use the DCE's logsIngestion endpoint (https://<dce>.<region>-1.{target.cloud.ingestion_suffix}) or the "
            "DCR's endpoints.logsIngestion"
        )
    else:
        what = f"DCR {target.rule_id}, stream {target.stream!r} or endpoint {target.endpoint} is wrong"
        fix = "check all three against the DCR (its immutableId, streamDeclarations and endpoint)"
    return PermanentServiceError(
        f"{what} ({_said(answer)})", status=answer.status, code=answer.code, hint=fix
    )


def _bad_request_hint(answer: ServiceAnswer, target: Target) -> str:
    text = f"{answer.code or ''} {answer.message}".lower()
    if "recordstimerangeismorethan30minutes" in text:
        return (
            "Auxiliary-plan tables take one request's records within 30 minutes of TimeGenerated; "
            "send records sorted by time, or transform TimeGenerated in the DCR"
        )
    if "malformed" in text or "json" in text:
        return "nested JSON goes only into dynamic columns of the stream declaration; check the record shape"
    return f"check the records against the declaration of {target.stream} in DCR {target.rule_id}"
