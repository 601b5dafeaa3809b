"""``emulator.json``, the emulator's discovery file: one typed owner that writes it and reads it.

The running emulator writes it (atomically, mode 0600) in its data directory; the tooling reads it:
``azlogs emulator env``, ``provision``, ``query``, ``doctor``, ``demo``, the tests and the benchmarks.
Its keys are a published interface (DESIGN.md's interface contract, docs/emulator.md), so the JSON
stays exactly what it was: the same keys in the same order, indented by two.

Why here, at the top of the package, and not in ``azlogs.emulator``: its readers outside the emulator
(``doctor``, ``provision``, ``query``) work in a client-only install, which has none of the emulator's
dependencies, and must not import it (DESIGN.md's layering; tests/unit/test_public_api.py checks that
importing them loads nothing of ``azlogs.emulator``). This module imports only the standard library and
the error tree, so both sides share it: the emulator imports it to write the file, everyone else to read it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from azlogs._exceptions import EmulatorError

__all__ = [
    "DISCOVERY_NAME",
    "Discovery",
    "DiscoveryAdmin",
    "DiscoveryEndpoints",
    "DiscoveryIdentity",
    "DiscoveryWorkspace",
    "default_data_dir",
    "find_discovery",
]

DISCOVERY_NAME = "emulator.json"
VERSION = 1


@dataclass(frozen=True)
class DiscoveryEndpoints:
    """The emulator's URLs (``endpoints``): identity sources on the HTTP listener, Azure's services on HTTPS.

    Attributes:
        imds: the Azure VM's Instance Metadata Service (``AZURE_POD_IDENTITY_AUTHORITY_HOST``).
        arc: an Arc-enabled server's HIMDS (``IMDS_ENDPOINT``).
        arc_identity_endpoint: HIMDS's token URL (``IDENTITY_ENDPOINT``).
        app_service: App Service / Functions' identity endpoint.
        automation: an Automation runbook's identity endpoint.
        authority: Entra ID (``AZURE_AUTHORITY_HOST``).
        arm: Azure Resource Manager.
        dce: the data collection endpoint's logs ingestion host.
        data_collector: the retired HTTP Data Collector API of the workspace (``POST {this}/api/logs``).
        query: the Log Analytics query API.
        graph: the Microsoft Graph subset.
        cluster_issuer: the AKS cluster's OIDC issuer (workload identity).
        admin: the emulator's own ``/_emulator`` admin surface.
        portal: the emulator's web portal (``azlogs emulator open``).
        metrics: the Azure Monitor metrics data plane (``POST {this}/subscriptions/{id}/metrics:getBatch``,
            a regional ``https://{region}.metrics.monitor.azure.com`` in Azure). Written by emulators that
            serve it; empty (and not written) in a file of an older one.
    """

    imds: str
    arc: str
    arc_identity_endpoint: str
    app_service: str
    automation: str
    authority: str
    arm: str
    dce: str
    data_collector: str
    query: str
    graph: str
    cluster_issuer: str
    admin: str
    portal: str
    metrics: str = ""


@dataclass(frozen=True)
class DiscoveryWorkspace:
    """The tenant's Log Analytics workspace: ``id`` is its customer id (the query API's), ``resource_id`` ARM's."""

    id: str
    name: str
    resource_id: str


@dataclass(frozen=True)
class DiscoveryIdentity:
    """One principal the emulator mints tokens for (``kind``: system-assigned, user-assigned,
    service-principal, workload; ``host``: vm, arc, automation, appservice, aks, none).

    ``client_secret`` is set only for service principals, ``federated`` only for workload identities.
    """

    name: str
    kind: str
    host: str
    principal_id: str
    client_id: str
    resource_id: str
    client_secret: str | None = None
    federated: Mapping[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Its JSON object: the optional fields only when set."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for optional in ("client_secret", "federated"):
            if out[optional] is None:
                del out[optional]
        if self.federated is not None:
            out["federated"] = dict(self.federated)
        return out


@dataclass(frozen=True)
class DiscoveryAdmin:
    """The admin service principal (Owner of the subscription) and the per-start admin ``key``."""

    client_id: str
    client_secret: str
    principal_id: str
    key: str


@dataclass(frozen=True)
class Discovery:
    """What a running emulator publishes in ``emulator.json``.

    ``path`` is where it was read from (or written to); it is not part of the file.
    """

    pid: int
    started_at: float
    data_dir: str
    in_memory: bool
    cloud: str
    tenant_id: str
    subscription_id: str
    resource_group: str
    location: str
    ca_cert: str
    endpoints: DiscoveryEndpoints
    workspace: DiscoveryWorkspace
    identities: tuple[DiscoveryIdentity, ...]
    admin: DiscoveryAdmin
    identity_headers: Mapping[str, str]
    federated_token_file: str
    arc_key_dir: str
    warnings: tuple[str, ...] = ()
    version: int = VERSION
    path: Path | None = field(default=None, compare=False)

    # --- reading ----------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: Path | None = None) -> Discovery:
        """The discovery in ``data`` (parsed JSON).

        Raises:
            EmulatorError: a key is missing or of the wrong type (a file of another azlogs version).
        """
        where = str(path or DISCOVERY_NAME)
        try:
            return cls(
                version=int(data["version"]),
                pid=int(data["pid"]),
                started_at=float(data["started_at"]),
                data_dir=_str(data, "data_dir"),
                in_memory=bool(data["in_memory"]),
                cloud=_str(data, "cloud"),
                tenant_id=_str(data, "tenant_id"),
                subscription_id=_str(data, "subscription_id"),
                resource_group=_str(data, "resource_group"),
                location=_str(data, "location"),
                ca_cert=_str(data, "ca_cert"),
                endpoints=DiscoveryEndpoints(**_strings(data["endpoints"], DiscoveryEndpoints)),
                workspace=DiscoveryWorkspace(**_strings(data["workspace"], DiscoveryWorkspace)),
                identities=tuple(_identity(i) for i in data["identities"]),
                admin=DiscoveryAdmin(**_strings(data["admin"], DiscoveryAdmin)),
                identity_headers={str(k): str(v) for k, v in dict(data["identity_headers"]).items()},
                federated_token_file=_str(data, "federated_token_file"),
                arc_key_dir=_str(data, "arc_key_dir"),
                warnings=tuple(str(w) for w in data["warnings"]),
                path=path,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EmulatorError(
                f"{where} is not a discovery file this azlogs can read ({type(exc).__name__}: {exc})",
                hint="it was written by another version of the emulator: restart it with `azlogs emulator start`",
            ) from exc

    @classmethod
    def from_file(cls, path: Path) -> Discovery:
        """Read ``path``.

        Raises:
            EmulatorError: no such file (no emulator running there), not JSON, or not a discovery file.
        """
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError as exc:
            raise EmulatorError(
                f"no running emulator found: {path} does not exist",
                hint="start one with `azlogs emulator start` (or pass --data-dir of a running one)",
            ) from exc
        except ValueError as exc:
            raise EmulatorError(f"{path} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise EmulatorError(f"{path} is not a discovery file: its JSON is not an object")
        return cls.from_dict(data, path)

    # --- writing ----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, keys in the file's order (``path`` is not written)."""
        return {
            "version": self.version,
            "pid": self.pid,
            "started_at": self.started_at,
            "data_dir": self.data_dir,
            "in_memory": self.in_memory,
            "cloud": self.cloud,
            "tenant_id": self.tenant_id,
            "subscription_id": self.subscription_id,
            "resource_group": self.resource_group,
            "location": self.location,
            "ca_cert": self.ca_cert,
            # the sub-objects' keys are their fields, in order
            "endpoints": {k: v for k, v in asdict(self.endpoints).items() if v or k != "metrics"},
            "workspace": asdict(self.workspace),
            "identities": [i.to_dict() for i in self.identities],
            "admin": asdict(self.admin),
            "identity_headers": dict(self.identity_headers),
            "federated_token_file": self.federated_token_file,
            "arc_key_dir": self.arc_key_dir,
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """The file's text (what :meth:`write` writes)."""
        return json.dumps(self.to_dict(), indent=2)

    def write(self, path: Path) -> None:
        """Write the file so that a reader sees the old one or the whole new one, never a part (mode
        0600: it holds the admin's secret and key)."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a stale temporary file keeps its old mode through O_TRUNC
        with os.fdopen(fd, "w") as fh:
            fh.write(self.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    # --- what readers ask ---------------------------------------------------------------------------

    def identity(self, name: str) -> DiscoveryIdentity:
        """The identity named ``name`` (vm, arc, workload, sp, ...).

        Raises:
            EmulatorError: the emulator has none of that name.
        """
        for ident in self.identities:
            if ident.name == name:
                return ident
        raise EmulatorError(f"the emulator has no identity named {name!r}")

    @property
    def admin_headers(self) -> dict[str, str]:
        """The header the emulator's ``/_emulator/`` admin endpoints require (the per-start admin key)."""
        return {"Authorization": f"Bearer {self.admin.key}"}

    @property
    def where(self) -> str:
        """The file's path, for messages (its name when it was not read from a file)."""
        return str(self.path or DISCOVERY_NAME)


def default_data_dir() -> Path:
    """The emulator's data directory: $AZLOGS_EMULATOR_DIR, else $XDG_STATE_HOME/azlogs/emulator."""
    env = os.environ.get("AZLOGS_EMULATOR_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "azlogs" / "emulator"


def find_discovery(data_dir: Path | None = None) -> Discovery:
    """The running emulator's discovery: ``data_dir``'s file, else $AZLOGS_EMULATOR_FILE, else the default dir's.

    Raises:
        EmulatorError: no emulator runs there (see :meth:`Discovery.from_file`).
    """
    env_file = os.environ.get("AZLOGS_EMULATOR_FILE")
    if env_file and data_dir is None:
        return Discovery.from_file(Path(env_file))
    return Discovery.from_file((data_dir or default_data_dir()) / DISCOVERY_NAME)


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is {type(value).__name__}, not a string")
    return value


def _strings(data: Mapping[str, Any], cls: type) -> dict[str, str]:
    """The fields of dataclass ``cls`` from ``data``, each a string (extra keys are ignored; a field
    with a default may be absent)."""
    return {f.name: _str(data, f.name) for f in fields(cls) if f.default is MISSING or f.name in data}


def _identity(data: Mapping[str, Any]) -> DiscoveryIdentity:
    required = {f.name: _str(data, f.name) for f in fields(DiscoveryIdentity) if f.default is MISSING}
    secret = data.get("client_secret")
    federated = data.get("federated")
    return DiscoveryIdentity(
        **required,
        client_secret=None if secret is None else str(secret),
        federated=None if federated is None else {str(k): str(v) for k, v in dict(federated).items()},
    )
