"""Emulator settings, the persistent identity of the emulated tenant, and the identity registry.

The tenant, subscription, identities and their secrets are generated on first start and kept in
``state.json`` in the data dir, so ids that a user pasted into a script stay valid across restarts.
A config file (``--config``, JSON or TOML) may fix any of them, add identities, tune limits and
bring ARM resources to pre-provision.
"""

from __future__ import annotations

import json
import os
import secrets
import tomllib
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Final

from azlogs import facts
from azlogs._exceptions import ConfigError, UsageError
from azlogs.auth.clouds import AZURE_PUBLIC, Cloud, get_cloud
from azlogs.discovery import DiscoveryIdentity

IDENTITY_KINDS = ("system-assigned", "user-assigned", "service-principal", "workload")
IDENTITY_HOSTS = ("vm", "arc", "automation", "appservice", "aks", "none")

GRAPH_RESOURCE = "https://graph.microsoft.com"  # Microsoft Graph's App ID URI in Azure's public cloud

# Resources an emulated identity may ask a token for (App ID URIs), besides the emulated cloud's own
# Monitor, Log Analytics and ARM audiences (``Cloud.audiences``: only that cloud's, so a token for
# another cloud's service is refused). Azure answers an unknown one with AADSTS500011; so does the
# emulator. A config file may add more.
DEFAULT_RESOURCES = (
    "https://vault.azure.net",
    "https://storage.azure.com",
    GRAPH_RESOURCE,
)

WORKLOAD_AUDIENCE = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class Identity(DiscoveryIdentity):
    """One principal the emulator can mint tokens for: what emulator.json lists of it
    (:class:`azlogs.discovery.DiscoveryIdentity`, whose fields it has), and its secret.

    ``name`` is the short name tests and ``emulator env --client-id`` use; ``principal_id`` the
    object id (``oid``) of its service principal, ``client_id`` its application id (``appid``),
    ``resource_id`` the ARM id of the identity (user-assigned) or of its host (system-assigned),
    emitted as ``xms_mirid``; ``federated`` the issuer, subject and audience of a workload identity's
    federated credential (the issuer is filled in once the listeners are bound).
    """

    federated: dict[str, str] | None = None

    def public(self) -> DiscoveryIdentity:
        """What emulator.json lists of it (its secret only for service principals)."""
        listed = {f.name: getattr(self, f.name) for f in fields(DiscoveryIdentity)}
        if self.federated is not None:
            listed["federated"] = dict(self.federated)
        return DiscoveryIdentity(**listed)


@dataclass
class Limits:
    """Data-plane limits; defaults are Azure's documented ones."""

    max_body_bytes: int = facts.MAX_BODY_BYTES
    field_max_bytes: int = facts.FIELD_MAX_BYTES
    requests_per_minute: int = facts.REQUESTS_PER_MINUTE
    bytes_per_minute: int = facts.BYTES_PER_MINUTE
    role_propagation_seconds: float = 0.0
    # The query API: the server timeout without `Prefer: wait=N`, queries run at once (more wait
    # their turn, within their timeout), and the result truncation limits (a PartialError past them).
    query_timeout_seconds: float = facts.QUERY_DEFAULT_TIMEOUT_SECONDS
    concurrent_queries: int = facts.QUERY_CONCURRENT_PER_USER
    query_max_records: int = facts.QUERY_MAX_RECORDS
    query_max_result_bytes: int = facts.QUERY_MAX_RESULT_BYTES
    # The time one request's transformations may take [U: Azure publishes no figure]; past it the
    # records not yet transformed are dropped and recorded, as a failing transformation's are.
    transform_timeout_seconds: float = 30.0
    # The emulator's memory budget of a run: rows or values that sort, join, summarize, distinct and
    # the growing aggregates may hold, and how much a run may grow the process's resident memory
    # (0: 2 GiB, or a quarter of the machine's memory if that is less).
    kql_max_held_rows: int = 2_000_000
    kql_max_run_memory_bytes: int = 0


# ``--data-collector-api`` / ``emulator.data_collector_api``: see Settings.data_collector_api.
DATA_COLLECTOR_API_MODES: Final = ("supported", "retired", "off")


@dataclass
class Settings:
    """Everything the emulator needs to start."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    tls_port: int = 0
    in_memory: bool = False
    config_file: Path | None = None
    log_file: Path | None = None
    mi_token_lifetime: int = 86_400
    app_token_lifetime: int = 3_599
    arc_secret_ttl: float = 60.0
    # The HTTP Data Collector API: "supported" (as it worked before 2026-09-14), "retired" (what Learn
    # says it does since: it still ingests for TLS 1.2+ clients) or "off" (the endpoint gone; a guess).
    data_collector_api: str = "supported"
    # "uid:gid" for Arc key files; by default they belong to the emulator's user and the himds group
    # when it exists, as on a real Arc server (readable by root and himds members only).
    arc_key_owner: str | None = None
    resources: list[str] = field(default_factory=lambda: list(DEFAULT_RESOURCES))
    # The Azure cloud the emulator runs as: its issuer grants and its planes accept that cloud's
    # audiences only (azlogs.auth.clouds owns them).
    cloud: Cloud = AZURE_PUBLIC
    # Per listener: seconds to receive a request's headers (and the TLS handshake), seconds to
    # receive its body, connections open at once (lowered to fit the descriptor limit).
    header_timeout: float = 20.0
    body_timeout: float = 60.0
    max_connections: int = 1000
    limits: Limits = field(default_factory=Limits)
    # The directory externaldata reads its files from (None: DATA_DIR/externaldata).
    externaldata_dir: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def token_resources(self) -> tuple[str, ...]:
        """Every resource the emulated Entra and managed identity endpoints issue tokens for."""
        return (*self.cloud.audiences, *(r.rstrip("/") for r in self.resources))


@dataclass
class TenantState:
    """The persistent facts of the emulated tenant."""

    tenant_id: str
    subscription_id: str
    resource_group: str
    location: str
    workspace_name: str
    workspace_id: str
    identities: list[Identity]
    admin: Identity

    def identity(self, name: str) -> Identity:
        for ident in [*self.identities, self.admin]:
            if ident.name == name:
                return ident
        raise KeyError(name)

    def find(self, **selector: str) -> Identity | None:
        """Find an identity by one of client_id, principal_id, resource_id (case-insensitive)."""
        ((key, value),) = selector.items()
        value = value.lower()
        for ident in [*self.identities, self.admin]:
            if str(getattr(ident, key)).lower() == value:
                return ident
        return None

    @property
    def workspace_resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.OperationalInsights/workspaces/{self.workspace_name}"
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _guid() -> str:
    return str(uuid.uuid4())


def _rid(sub: str, rg: str, provider: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourcegroups/{rg}/providers/{provider}/{name}"


def default_tenant(overrides: dict[str, Any] | None = None) -> TenantState:
    """A fresh tenant with the default identity registry (random ids and secrets)."""
    o = overrides or {}
    tenant = str(o.get("tenant_id") or _guid())
    sub = str(o.get("subscription_id") or _guid())
    rg = str(o.get("resource_group") or "rg-azlogs")
    location = str(o.get("location") or "eastus")
    ws = str(o.get("workspace_name") or "law-azlogs")
    ws_id = str(o.get("workspace_id") or _guid())

    def ident(name: str, kind: str, host: str, rid: str, **extra: Any) -> Identity:
        return Identity(name, kind, host, _guid(), _guid(), rid, **extra)

    identities = [
        ident("vm", "system-assigned", "vm", _rid(sub, rg, "Microsoft.Compute/virtualMachines", "vm-azlogs")),
        ident(
            "vm-user",
            "user-assigned",
            "vm",
            _rid(sub, rg, "Microsoft.ManagedIdentity/userAssignedIdentities", "id-azlogs"),
        ),
        ident(
            "arc", "system-assigned", "arc", _rid(sub, rg, "Microsoft.HybridCompute/machines", "arc-azlogs")
        ),
        ident(
            "automation",
            "system-assigned",
            "automation",
            _rid(sub, rg, "Microsoft.Automation/automationAccounts", "aa-azlogs"),
        ),
        ident(
            "appservice", "system-assigned", "appservice", _rid(sub, rg, "Microsoft.Web/sites", "app-azlogs")
        ),
        ident(
            "workload",
            "workload",
            "aks",
            _rid(sub, rg, "Microsoft.ManagedIdentity/userAssignedIdentities", "id-aks-workload"),
            federated={
                "issuer": "",  # filled at start with the emulator's cluster OIDC issuer URL
                "subject": "system:serviceaccount:default:azlogs",
                "audience": WORKLOAD_AUDIENCE,
            },
        ),
        ident("sp", "service-principal", "none", "", client_secret=secrets.token_urlsafe(30)),
    ]
    admin = ident("admin", "service-principal", "none", "", client_secret=secrets.token_urlsafe(30))
    return TenantState(tenant, sub, rg, location, ws, ws_id, identities, admin)


def _identity_from(data: dict[str, Any]) -> Identity:
    try:
        ident = Identity(
            name=str(data["name"]),
            kind=str(data["kind"]),
            host=str(data.get("host", "none")),
            principal_id=str(data.get("principal_id") or _guid()),
            client_id=str(data.get("client_id") or _guid()),
            resource_id=str(data.get("resource_id", "")),
            client_secret=data.get("client_secret"),
            federated=data.get("federated"),
        )
    except KeyError as exc:
        raise ConfigError(f"identity entry {data!r} lacks {exc.args[0]!r}") from exc
    if ident.kind not in IDENTITY_KINDS:
        raise ConfigError(f"identity {ident.name!r}: kind must be one of {', '.join(IDENTITY_KINDS)}")
    if ident.host not in IDENTITY_HOSTS:
        raise ConfigError(f"identity {ident.name!r}: host must be one of {', '.join(IDENTITY_HOSTS)}")
    return ident


def tenant_from_json(data: dict[str, Any]) -> TenantState:
    return TenantState(
        tenant_id=data["tenant_id"],
        subscription_id=data["subscription_id"],
        resource_group=data["resource_group"],
        location=data.get("location", "eastus"),
        workspace_name=data.get("workspace_name", "law-azlogs"),
        workspace_id=data.get("workspace_id") or _guid(),
        identities=[_identity_from(i) for i in data["identities"]],
        admin=_identity_from(data["admin"]),
    )


def load_config_file(path: Path) -> dict[str, Any]:
    """Read a JSON or TOML config file into a dict; errors name the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        if path.suffix.lower() == ".toml":
            loaded: Any = tomllib.loads(raw.decode())
        else:
            loaded = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"config file {path} is not valid {path.suffix.lstrip('.') or 'JSON'}: {exc}"
        ) from exc
    if not isinstance(loaded, dict):
        raise ConfigError(f"config file {path}: the top level must be an object")
    return loaded


def apply_config(settings: Settings, config: dict[str, Any]) -> dict[str, Any]:
    """Apply the ``emulator``/``limits`` sections of a config file; return tenant overrides."""
    emu = config.get("emulator", {})
    for key in (
        "mi_token_lifetime",
        "app_token_lifetime",
        "arc_secret_ttl",
        "header_timeout",
        "body_timeout",
        "max_connections",
    ):
        if key in emu:
            setattr(settings, key, type(getattr(settings, key))(emu[key]))
    if "externaldata_dir" in emu:
        settings.externaldata_dir = Path(str(emu["externaldata_dir"])).expanduser()
    if "arc_key_owner" in emu:
        settings.arc_key_owner = str(emu["arc_key_owner"])
    if "data_collector_api" in emu and not settings.extra.get("data_collector_api_from_cli"):
        mode = str(emu["data_collector_api"]).lower()
        if mode not in DATA_COLLECTOR_API_MODES:
            raise ConfigError(
                f"emulator.data_collector_api: {mode!r} is not one of {', '.join(DATA_COLLECTOR_API_MODES)}"
            )
        settings.data_collector_api = mode
    if "cloud" in emu and not settings.extra.get("cloud_from_cli"):  # --cloud wins over the file
        try:
            settings.cloud = get_cloud(str(emu["cloud"]))
        except UsageError as exc:
            raise ConfigError(f"emulator.cloud: {exc.message}", hint=exc.hint) from None
    settings.resources.extend(str(r).rstrip("/") for r in emu.get("resources", []))
    for key, value in config.get("limits", {}).items():
        if not hasattr(settings.limits, key):
            raise ConfigError(f"unknown limit {key!r}; known: {', '.join(asdict(settings.limits))}")
        setattr(settings.limits, key, type(getattr(settings.limits, key))(value))
    return dict(config.get("tenant", {}))


def load_or_create_tenant(
    settings: Settings, overrides: dict[str, Any], extra: list[dict[str, Any]]
) -> TenantState:
    """The tenant kept in the data dir, or a new one (written there unless in-memory)."""
    path = settings.data_dir / "state.json"
    if not settings.in_memory and path.exists():
        tenant = tenant_from_json(json.loads(path.read_text()))
    else:
        tenant = default_tenant(overrides)
    known = {i.name for i in tenant.identities}
    for entry in extra:
        ident = _identity_from(entry)
        if ident.name not in known:
            tenant.identities.append(ident)
            known.add(ident.name)
    if not settings.in_memory:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a stale temporary file keeps its old mode through O_TRUNC
        with os.fdopen(fd, "w") as fh:
            json.dump(tenant.to_json(), fh, indent=2)
        os.replace(tmp, path)
    return tenant
