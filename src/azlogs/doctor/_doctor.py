"""Walk the chain from identity to ingestion and say, step by step, what works and what to fix.

Order: identity source -> the host's identity endpoint (Arc key file; IMDS and proxy on a VM) ->
cloud (the one azlogs would use against the endpoint's own) -> token (claims, expiry, audience) -> endpoint DNS and TLS -> DCR, stream and role -> an empty upload (``[]``)
-> with ``probe``, one marked record. The DCR, its stream and the role are read through ARM when this
identity may read them (Reader on the DCR, role assignments); otherwise the empty upload answers for
them: 204 means all three hold; the answer's status and error code say which does not (400
``InvalidStream``: the stream; 404 ``NotFound``: the DCR; 403 ``OperationFailed``: the role), read
by the same ``classify_answer`` as the client and the agent.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from azlogs._exceptions import (
    ArmRequestError,
    AuthError,
    AzlogsError,
    EmulatorError,
    TransportError,
    UsageError,
)
from azlogs._http import Verify, check_endpoint, client, resolve_verify
from azlogs.auth.claims import describe_expiry, shown_claims
from azlogs.auth.clouds import (
    AZURE_PUBLIC,
    CLOUD_ENV,
    Cloud,
    audience_problem,
    cloud_of_host,
    get_cloud,
    resolve_cloud,
)
from azlogs.auth.credential import Choice, choose, explain_failure
from azlogs.auth.detect import DEFAULT_IMDS
from azlogs.discovery import Discovery
from azlogs.doctor._checks import arc_key_step, can_read, endpoint_steps, imds_step, proxy_step
from azlogs.doctor._dropped import QueryAccess, dropped_steps
from azlogs.doctor._report import DoctorReport, Step
from azlogs.doctor._roles import RoleCheck, check_role
from azlogs.facts import MONITORING_METRICS_PUBLISHER_ROLE as ROLE
from azlogs.ingest import Fault, Target, classify_answer, diagnose, ingestion_url, read_answer
from azlogs.provision import ArmClient, DcrLookup, find_dcr, is_immutable_id, subscription_from_claims
from azlogs.schema.model import StreamDeclaration
from azlogs.schema.names import TIME_GENERATED
from azlogs.schema.types import ColumnType

__all__ = ["DoctorOptions", "run_doctor"]

_API_VERSION: Final = "2023-01-01"
# What the empty upload's answer (read by the client's own classify_answer) says is wrong: which step fails.
_PROBE_SAYS: Final[dict[Fault, str | None]] = {
    Fault.NONE: None,
    Fault.ROLE: "role",
    Fault.TOKEN: "token",
    Fault.STREAM: "stream",
    Fault.DCR: "dcr",
    Fault.DESTINATION: "dcr",
    Fault.ENDPOINT: "dcr",
}


@dataclass(frozen=True)
class DoctorOptions:
    """What to check. Without endpoint, DCR and stream only the identity side is walked."""

    endpoint: str | None = None
    dcr: str | None = None
    stream: str | None = None
    probe: bool = False
    source: str = "auto"
    client_id: str | None = None
    arm_endpoint: str | None = None
    subscription: str | None = None
    use_arm: bool = True
    cloud: str | None = None
    since: dt.timedelta | None = None  # also read what Azure recorded as dropped in this window


@dataclass
class _State:
    choice: Choice | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    token_ok: bool = False
    endpoint_ok: bool = True
    lookup: DcrLookup | None = None
    arm_note: str | None = None
    dcr_missing: bool = False
    role: RoleCheck | None = None
    probe: httpx.Response | None = None


def _emulator_info(env: Mapping[str, str]) -> Discovery | None:
    """The emulator's discovery file named by AZLOGS_EMULATOR_FILE, if it is there and readable."""
    path = env.get("AZLOGS_EMULATOR_FILE")
    if not path:
        return None
    try:
        return Discovery.from_file(Path(path))
    except (OSError, EmulatorError):
        return None


class _Doctor:
    def __init__(
        self,
        options: DoctorOptions,
        env: Mapping[str, str],
        http: httpx.Client,
        chooser: Callable[..., Choice],
        arm_factory: Callable[[str, Any, Verify], ArmClient] | None,
        ingest_transport: httpx.BaseTransport | None,
        read_key: Callable[[Path], str | None],
        net: Mapping[str, Any],
    ) -> None:
        self.o = options
        self.env = env
        self.http = http
        self.chooser = chooser
        self.arm_factory = arm_factory
        self.ingest_transport = ingest_transport
        self.read_key = read_key
        self.net = net
        self.report = DoctorReport()
        self.s = _State()
        self.emulator = _emulator_info(env)
        self.cloud_problem: Step | None = None
        self.cloud, self.endpoint_cloud = self._clouds()

    # --- cloud ----------------------------------------------------------------------------------------

    def _emulator_cloud(self) -> Cloud | None:
        """The emulator's cloud when the endpoint is the emulator's (same host and port)."""
        info, endpoint = self.emulator, self.o.endpoint
        if not info or not endpoint:
            return None
        try:
            given = httpx.URL(endpoint)
            ours = httpx.URL(info.endpoints.dce)
        except (httpx.InvalidURL, KeyError, TypeError):
            return None
        if (given.host, given.port) != (ours.host, ours.port):
            return None
        try:
            return get_cloud(info.cloud)
        except UsageError:
            return None

    def _clouds(self) -> tuple[Cloud, Cloud | None]:
        """The cloud azlogs uses (--cloud, AZURE_CLOUD, the endpoint's host) and the endpoint's own, if known."""
        endpoint = self.o.endpoint
        host = None
        if endpoint:
            try:
                host = httpx.URL(endpoint).host
            except httpx.InvalidURL:
                host = None
        own = cloud_of_host(host) or self._emulator_cloud()
        try:
            used = resolve_cloud(self.o.cloud, endpoint=endpoint, env=self.env)
        except UsageError as exc:
            self.cloud_problem = Step("cloud", "failed", exc.message, exc.hint)
            return own or AZURE_PUBLIC, own
        return used, own

    def _cloud_step(self) -> None:
        if self.cloud_problem is not None:
            self.report.add(self.cloud_problem)
            return
        used, own = self.cloud, self.endpoint_cloud
        why = (
            "--cloud"
            if self.o.cloud
            else CLOUD_ENV
            if self.env.get(CLOUD_ENV)
            else "the endpoint's host"
            if own is not None and own == used
            else "the default"
        )
        data = {"cloud": used.name, "endpoint_cloud": own.name if own else None}
        if own is not None and own != used:
            where = (
                "is the emulator's, which runs as"
                if cloud_of_host(httpx.URL(self.o.endpoint or "").host) is None
                else "is in"
            )
            self.report.add(
                Step(
                    "cloud",
                    "failed",
                    f"the endpoint {where} {own.name}, but azlogs would use {used.name} (from {why}) and ask "
                    f"for a token for {used.monitor_audience}, which {own.name} refuses (AADSTS500011 / "
                    "InvalidAudience)",
                    f"use --cloud {own.name} (or export {CLOUD_ENV}={own.name})",
                    data,
                )
            )
            return
        self.report.add(
            Step(
                "cloud",
                "ok",
                f"{used.name} (from {why}): token audience {used.monitor_audience}, authority {used.authority_host}",
                data=data,
            )
        )

    def run(self) -> DoctorReport:
        self._identity()
        self._cloud_step()
        self._token()
        self._endpoint()
        self._arm()
        upload = self._empty_upload()  # evidence for the DCR, stream and role steps, listed after them
        self._dcr_stream_role()
        self.report.add(upload)
        self._test_record()
        self._dropped()
        return self.report

    def _dropped(self) -> None:
        """With ``since``: DCRLogErrors and the DCR metrics, explained (see :mod:`._dropped`)."""
        if self.o.since is None:
            return
        choice, lookup = self.s.choice, self.s.lookup
        if choice is None or lookup is None:
            why = self.s.arm_note or ("no token" if not self.s.token_ok else "give --dcr")
            self.report.add(Step("DCRLogErrors", "skipped", f"needs the DCR read through ARM: {why}"))
            return
        emulator = self.emulator if not self.o.arm_endpoint else None
        verify: Verify = emulator.ca_cert if emulator else resolve_verify(True, self.env)
        detection = choice.detection
        try:
            with self._arm_client() as arm:
                access = QueryAccess(
                    choice.credential,
                    emulator.endpoints.query if emulator else None,
                    verify,
                    self.cloud,
                    lambda exc: explain_failure(exc, detection, self.env),
                )
                steps = dropped_steps(arm, lookup.resource_id, self.o.since, access)
        except (AuthError, TransportError, UsageError) as exc:
            steps = [Step("DCRLogErrors", "failed", exc.message, exc.hint)]
        for step in steps:
            self.report.add(step)

    # --- identity side --------------------------------------------------------------------------------

    def _identity(self) -> None:
        try:
            choice = self.chooser(self.o.source, self.o.client_id, self.env, cloud=self.cloud)
        except AzlogsError as exc:
            self.report.add(Step("identity source", "failed", exc.message, exc.hint))
            return
        self.s.choice = choice
        d = choice.detection
        self.report.add(Step("identity source", "ok", f"{d.source}: {d.reason}", data={"source": d.source}))
        if d.source == "arc":
            url = d.endpoint or "http://localhost:40342/metadata/identity/oauth2/token"
            self.report.add(proxy_step(self.env, url, "Azure Arc agent"))
            self.report.add(arc_key_step(self.http, url, self.read_key, self.cloud.monitor_audience))
        elif d.source == "vm":
            imds = self.env.get("AZURE_POD_IDENTITY_AUTHORITY_HOST") or DEFAULT_IMDS
            self.report.add(proxy_step(self.env, imds, "instance metadata service"))
            self.report.add(imds_step(self.http, imds, self.cloud.monitor_audience))

    def _token(self) -> None:
        choice = self.s.choice
        if choice is None:
            self.report.add(Step("token", "skipped", "no identity source to ask"))
            return
        try:
            access = choice.credential.get_token(self.cloud.monitor_scope)
        except Exception as exc:  # azure-identity raises many types; explain_failure names the cause
            err = exc if isinstance(exc, AuthError) else explain_failure(exc, choice.detection, self.env)
            fix = err.hint
            own = self.endpoint_cloud
            if "AADSTS500011" in err.message and own is not None and own != self.cloud:
                fix = f"use --cloud {own.name}: the endpoint's cloud; {self.cloud.name}'s {self.cloud.monitor_audience} is not known there"
            self.report.add(Step("token", "failed", err.message, fix))
            return
        claims = shown_claims(access.token)
        self.s.claims = claims
        aud = str(claims.get("aud", "")).rstrip("/")
        who = (
            f"object id {claims.get('oid', '?')} (client id {claims.get('appid') or claims.get('azp', '?')})"
        )
        detail = f"{who}, audience {claims.get('aud')}, tenant {claims.get('tid')}, expires {describe_expiry(claims)}"
        problem = audience_problem(self.endpoint_cloud or self.cloud, aud) if aud else None
        if problem is not None:
            self.report.add(
                Step("token", "failed", f"{problem[0]}: {detail}", problem[1], data={"claims": claims})
            )
            return
        self.s.token_ok = True
        self.report.add(Step("token", "ok", detail, data={"claims": claims}))

    def _endpoint(self) -> None:
        if not self.o.endpoint:
            self.report.add(Step("endpoint DNS", "skipped", "no --endpoint given"))
            return
        try:
            endpoint = check_endpoint(self.o.endpoint)
            verify = resolve_verify(True, self.env)
        except UsageError as exc:
            self.s.endpoint_ok = False
            self.report.add(Step("endpoint DNS", "failed", exc.message, exc.hint))
            return
        for step in endpoint_steps(endpoint, verify, **self.net):
            self.report.add(step)
            self.s.endpoint_ok = self.s.endpoint_ok and step.status != "failed"

    # --- ARM ------------------------------------------------------------------------------------------

    def _arm_client(self) -> ArmClient:
        info = self.emulator
        arm = self.o.arm_endpoint or (info.endpoints.arm if info else self.cloud.arm_endpoint)
        verify: Verify = info.ca_cert if info and not self.o.arm_endpoint else resolve_verify(True, self.env)
        assert self.s.choice is not None
        if self.arm_factory is not None:
            return self.arm_factory(arm, self.s.choice.credential, verify)
        return ArmClient(
            arm, self.s.choice.credential, audience=self.cloud.arm_endpoint, verify=verify, retries=1
        )

    def _arm(self) -> None:
        if not self.o.dcr or not self.s.token_ok or not self.o.use_arm:
            if self.o.dcr and self.s.token_ok:
                self.s.arm_note = "ARM was not asked (--no-arm)"
            return
        subscription = (
            self.o.subscription
            or (self.emulator.subscription_id if self.emulator else None)
            or subscription_from_claims(self.s.claims)
        )
        try:
            with self._arm_client() as arm:
                self.s.lookup = find_dcr(arm, self.o.dcr, subscription=subscription)
                if self.s.lookup is None:
                    self.s.dcr_missing = True
                    where = f"subscription {subscription}" if is_immutable_id(self.o.dcr) else "ARM"
                    self.s.arm_note = f"no DCR {self.o.dcr} in {where}"
                    return
                oid = self.s.claims.get("oid")
                if oid:
                    self.s.role = check_role(arm, self.s.lookup.resource_id, str(oid))
        except ArmRequestError as exc:
            self.s.arm_note = f"ARM not readable by this identity (HTTP {exc.status} {exc.code})"
        except (AuthError, TransportError, UsageError) as exc:
            self.s.arm_note = f"ARM not readable here ({exc.message.splitlines()[0][:200]})"

    # --- data plane -----------------------------------------------------------------------------------

    def _rule_id(self) -> str | None:
        if self.s.lookup is not None:
            return self.s.lookup.immutable_id
        return self.o.dcr if self.o.dcr and is_immutable_id(self.o.dcr) else None

    def _empty_upload(self) -> Step:
        """POST ``[]``: the service checks the token, the DCR, the role and the stream, and writes nothing."""
        o, st = self.o, self.s
        name = "empty upload"
        if not (o.endpoint and o.dcr and o.stream):
            return Step(name, "skipped", "needs --endpoint, --dcr and --stream")
        rule_id = self._rule_id()
        if not st.token_ok or not st.endpoint_ok or rule_id is None or st.choice is None:
            why = (
                "no token"
                if not st.token_ok
                else "endpoint not reachable"
                if not st.endpoint_ok
                else "no DCR immutable id"
            )
            return Step(name, "skipped", f"not tried: {why}")
        url = ingestion_url(check_endpoint(o.endpoint), rule_id, o.stream)
        token = st.choice.credential.get_token(self.cloud.monitor_scope).token
        try:
            with client(environ=self.env, transport=self.ingest_transport, timeout=30) as http:
                st.probe = http.post(
                    url,
                    params={"api-version": _API_VERSION},
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    content=b"[]",
                )
        except httpx.HTTPError as exc:
            return Step(
                name,
                "failed",
                f"POST [] to {url} got no answer ({type(exc).__name__}: {exc})",
                "check the endpoint steps above and any proxy between this host and the endpoint",
            )
        status = st.probe.status_code
        if status == 204:
            return Step(name, "ok", f"POST [] to stream {o.stream} of {rule_id}: 204 (accepted)")
        err = self._diagnosed(st.probe, rule_id)
        return Step(name, "failed", f"POST [] answered {err.message}", err.hint, data={"status": status})

    def _diagnosed(self, response: httpx.Response, rule_id: str) -> AzlogsError:
        answer = read_answer(response.status_code, response.headers, response.content)
        target = Target(
            self.o.endpoint or "", rule_id, self.o.stream or "", self.endpoint_cloud or self.cloud
        )
        return diagnose(answer, target, self.s.claims)

    def _probe_says(self) -> str | None:
        """What the empty upload showed to be wrong: dcr, stream, role, token, or None when accepted."""
        r = self.s.probe
        if r is None:
            return "unknown"
        answer = read_answer(r.status_code, r.headers, r.content)
        return _PROBE_SAYS.get(classify_answer(answer.status, answer.code), "other")

    def _dcr_stream_role(self) -> None:
        if not self.o.dcr:
            return
        s, o = self.s, self.o
        said = self._probe_says()
        via = "the empty upload" if s.probe is not None else None
        fix_dcr = (
            "use the DCR's immutableId (properties.immutableId, dcr-...) from the portal's JSON view or "
            "az monitor data-collection rule show; it changes when the DCR is re-created"
        )
        # DCR
        if s.lookup is not None:
            self.report.add(
                Step(
                    "DCR",
                    "ok",
                    f"{s.lookup.resource_id} (immutable id {s.lookup.immutable_id}), read through ARM",
                )
            )
            self._endpoint_binding()
        elif s.dcr_missing:
            self.report.add(Step("DCR", "failed", s.arm_note or f"no DCR {o.dcr}", fix_dcr))
        elif said == "dcr":
            err = self._diagnosed(s.probe, self._rule_id() or o.dcr or "") if s.probe is not None else None
            self.report.add(Step("DCR", "failed", err.message if err else f"DCR {o.dcr} not found", fix_dcr))
        elif via and said in (None, "role", "stream"):
            self.report.add(
                Step(
                    "DCR", "ok", f"{o.dcr} is known to the endpoint ({via}); {s.arm_note or ''}".rstrip("; ")
                )
            )
        else:
            self.report.add(
                Step("DCR", "skipped", s.arm_note or "not checkable without a token and the endpoint")
            )
        # stream
        if not o.stream:
            self.report.add(Step("stream", "skipped", "no --stream given"))
        elif s.lookup is not None:
            self._stream_from_rule(s.lookup)
        elif said == "stream":
            err = self._diagnosed(s.probe, self._rule_id() or o.dcr or "") if s.probe is not None else None
            self.report.add(
                Step(
                    "stream",
                    "failed",
                    err.message if err else f"stream {o.stream} not declared",
                    "send to a stream the DCR declares (streamDeclarations; custom streams start with Custom-)",
                )
            )
        elif via and said is None:
            self.report.add(Step("stream", "ok", f"{o.stream} is accepted by the endpoint ({via})"))
        else:
            self.report.add(
                Step(
                    "stream",
                    "skipped",
                    "not checked: "
                    + (
                        "the endpoint refused the identity first"
                        if said == "role"
                        else s.arm_note or "nothing to ask"
                    ),
                )
            )
        # role
        oid = s.claims.get("oid", "<object id of the identity>")
        fix_role = (
            f"assign {ROLE} on the DCR to principal {oid}: az role assignment create --assignee-object-id {oid} "
            f'--assignee-principal-type ServicePrincipal --role "{ROLE}" --scope <DCR resource id> '
            f"(or azlogs provision ... --assign {oid}); it can take up to 30 minutes to apply"
        )
        if s.role is not None and s.role.readable:
            if s.role.granted:
                self.report.add(Step("role", "ok", s.role.detail))
            else:
                self.report.add(Step("role", "failed", s.role.detail, fix_role))
        elif said == "role":
            err = self._diagnosed(s.probe, self._rule_id() or o.dcr or "") if s.probe is not None else None
            self.report.add(Step("role", "failed", err.message if err else "refused", fix_role))
        elif via and said in (None, "stream"):
            self.report.add(Step("role", "ok", f"the endpoint accepts this identity for the DCR ({via})"))
        else:
            note = s.role.detail if s.role is not None else s.arm_note
            self.report.add(Step("role", "skipped", note or "not checkable without a token and the endpoint"))

    def _stream_from_rule(self, lookup: DcrLookup) -> None:
        stream = self.o.stream or ""
        decl = lookup.rule.stream(stream)
        flows = lookup.rule.flows_for_stream(stream)
        declared = ", ".join(d.name for d in lookup.rule.stream_declarations) or "none"
        if decl is None and not stream.startswith("Microsoft-"):
            self.report.add(
                Step(
                    "stream",
                    "failed",
                    f"{stream} is not declared in {lookup.resource_id} (declared: {declared})",
                    "send to a declared stream, or add it to streamDeclarations",
                )
            )
        elif not flows:
            self.report.add(
                Step(
                    "stream",
                    "failed",
                    f"no data flow of the DCR reads {stream}: its records are dropped",
                    "add a dataFlows entry for the stream",
                )
            )
        else:
            tables = ", ".join(f.output_table or "?" for f in flows)
            self.report.add(Step("stream", "ok", f"{stream} is declared and flows to {tables}"))

    def _endpoint_binding(self) -> None:
        lookup = self.s.lookup
        if lookup is None or not self.o.endpoint:
            return
        own = (lookup.logs_ingestion_endpoint or "").rstrip("/").lower()
        given = self.o.endpoint.rstrip("/").lower()
        if own and given != own and not lookup.rule.data_collection_endpoint_id:
            self.report.add(
                Step(
                    "endpoint matches DCR",
                    "failed",
                    f"{self.o.endpoint} is not the DCR's own endpoint {own}",
                    f"use --endpoint {lookup.logs_ingestion_endpoint}",
                )
            )

    def _test_record(self) -> None:
        if not self.o.probe:
            return
        name = "test record"
        rule_id = self._rule_id()
        if (
            self.report.failed
            or rule_id is None
            or self.s.choice is None
            or not (self.o.endpoint and self.o.stream)
        ):
            self.report.add(
                Step(
                    name,
                    "skipped",
                    "not sent: fix the failed steps first"
                    if self.report.failed
                    else "needs --endpoint, --dcr and --stream",
                )
            )
            return
        marker = f"azlogs doctor probe {uuid.uuid4()}"
        decl = self.s.lookup.rule.stream(self.o.stream) if self.s.lookup is not None else None
        record, column = _probe_record(decl, marker)
        from azlogs.ingest import LogsClient

        with LogsClient(
            self.o.endpoint,
            rule_id,
            self.s.choice.credential,
            transport=self.ingest_transport,
            verify=resolve_verify(True, self.env),
            cloud=self.cloud,
        ) as logs:
            result = logs.upload(self.o.stream, [record])
        if result.ok:
            where = (
                f"column {column}"
                if column
                else "an undeclared key (dropped: the stream's columns are not readable here)"
            )
            self.report.add(
                Step(name, "ok", f"1 record sent, marked '{marker}' in {where}", data={"marker": marker})
            )
        else:
            reason = result.failed[0].reason if result.failed else result.stopped or "not sent"
            self.report.add(
                Step(name, "failed", f"the record was not accepted: {reason}", "see the steps above")
            )


def _probe_record(decl: StreamDeclaration | None, marker: str) -> tuple[dict[str, Any], str | None]:
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    if decl is None:
        return {TIME_GENERATED: now, "AzlogsDoctorProbe": marker}, None
    record: dict[str, Any] = {}
    column = next((c.name for c in decl.columns if c.type is ColumnType.STRING), None)
    if column is not None:
        record[column] = marker
    for c in decl.columns:
        if c.type is ColumnType.DATETIME:
            record[c.name] = now
    return record, column


def run_doctor(
    options: DoctorOptions,
    *,
    env: Mapping[str, str] | None = None,
    http: httpx.Client | None = None,
    chooser: Callable[..., Choice] = choose,
    arm_factory: Callable[[str, Any, Verify], ArmClient] | None = None,
    ingest_transport: httpx.BaseTransport | None = None,
    read_key: Callable[[Path], str | None] = can_read,
    resolve: Any = None,
    connect: Any = None,
) -> DoctorReport:
    """Run every applicable step and return the report (never raises for a failed step).

    The keyword arguments are seams for tests: the environment, the HTTP client for the host's
    identity endpoints, the credential chooser, the ARM client factory, the ingestion transport, the
    key-file reader, and the resolver and connector of the endpoint checks.
    """
    e = dict(os.environ if env is None else env)
    net: dict[str, Any] = {}
    if resolve is not None:
        net["resolve"] = resolve
    if connect is not None:
        net["connect"] = connect
    owns = http is None
    identity = http or client(local=True, timeout=httpx.Timeout(10.0, connect=5.0))
    try:
        return _Doctor(options, e, identity, chooser, arm_factory, ingest_transport, read_key, net).run()
    finally:
        if owns:
            identity.close()
