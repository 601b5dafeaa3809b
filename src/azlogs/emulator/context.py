"""The emulator's shared state: settings, tenant, issuers, faults and the URLs it serves.

Each plane (identity, control, ingestion, query) takes this object and adds routes; the services
planes keep (the ARM state, the workspace store, the ingestion service, the query runner, Arc's
challenges) are typed attributes, wired by the server (or by a test, with fakes) before a request.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from azlogs.emulator.config import Settings, TenantState
from azlogs.emulator.faults import FaultRegistry
from azlogs.emulator.identity.issuer import Issuer, ServiceAccountIssuer

if TYPE_CHECKING:
    from azlogs.emulator.control.api import ControlPlane
    from azlogs.emulator.identity.managed import ArcChallenges
    from azlogs.emulator.ingestion.endpoint import IngestionService
    from azlogs.emulator.query.limits import QueryRunner
    from azlogs.emulator.store.workspace_store import WorkspaceStore

# On Linux, unchanged azure-identity (async) only accepts a key file in this directory, and MSAL
# (sync) opens <this directory>/<basename>.key whatever the realm says.
ARC_KEY_DIR = Path("/var/opt/azcmagent/tokens")


def loopback_aliases(base: str) -> list[str]:
    """The ``host:port`` names of ``base``: a loopback listener answers under both names its certificate holds."""
    parts = urlsplit(base)
    names = [parts.netloc.lower()]
    if parts.hostname in ("127.0.0.1", "localhost") and parts.port is not None:
        names += [f"{h}:{parts.port}" for h in ("127.0.0.1", "localhost") if f"{h}:{parts.port}" not in names]
    return names


@dataclass
class Urls:
    """Base URLs of the two listeners, known once they are bound.

    The emulator's own token resources are derived here, once, under each name of the origin, with
    and without the slash: the HTTPS origin itself, which ARM, Graph and the query API all accept
    because clients given only an endpoint ask for ``{endpoint}/.default`` (Graph's
    ``microsoftGraphResourceId`` of the cloud metadata, JS ARM clients, azure-monitor-query's
    ``LogsQueryClient``), and ``{origin}/query``, the query API's ``logAnalyticsResourceId``.
    """

    http: str = ""
    https: str = ""

    @property
    def imds(self) -> str:
        return self.http

    @property
    def arc(self) -> str:
        return f"{self.http}/arc"

    @property
    def appservice(self) -> str:
        return f"{self.http}/appservice/msi/token"

    @property
    def automation(self) -> str:
        return f"{self.http}/automation/msi/token"

    @property
    def authority(self) -> str:
        return self.https

    @property
    def arm(self) -> str:
        return self.https

    @property
    def dce(self) -> str:
        return f"{self.https}/dce"

    @property
    def query(self) -> str:
        return f"{self.https}/query"

    @property
    def metrics(self) -> str:
        """The metrics data plane (``metrics:getBatch``), a regional host of its own in Azure."""
        return f"{self.https}/metrics"

    @property
    def cluster_issuer(self) -> str:
        return f"{self.https}/aks/oidc/"

    @property
    def graph(self) -> str:
        """Microsoft Graph's base URL and resource (the CLI appends ``v1.0/...``)."""
        return f"{self.https}/"

    def origins(self) -> list[str]:
        """The HTTPS listener's origin under each of its names."""
        return [f"https://{name}" for name in loopback_aliases(self.https)] if self.https else []

    def origin_audiences(self) -> list[str]:
        return [a for o in self.origins() for a in (o, f"{o}/")]

    def query_audiences(self) -> list[str]:
        return [a for o in self.origins() for a in (f"{o}/query", f"{o}/query/")]

    def own_resources(self) -> list[str]:
        """The emulator's own resources its authority issues tokens for (the origin, the query API)."""
        return [*self.origin_audiences(), *self.query_audiences()]


def _wall_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Context:
    settings: Settings
    tenant: TenantState
    issuer: Issuer
    sa_issuer: ServiceAccountIssuer
    faults: FaultRegistry
    urls: Urls
    arc_key_dir: Path
    arc_key_dir_warning: str | None = None
    identity_headers: dict[str, str] = field(
        default_factory=lambda: {
            "appservice": secrets.token_urlsafe(24),
            "automation": secrets.token_urlsafe(24),
        }
    )
    # Per start: the credential of the /_emulator/ admin surface, published only in emulator.json (0600).
    admin_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # The query plane's clock: what now() and ago() read and what a request's timespan ends at.
    # The wall clock; a test sets a fixed one (the documentation's examples run on a fixed now()).
    clock: Callable[[], datetime] = field(default=_wall_clock)
    # The planes' services (typed; no free-form registry). Wired by the server before it serves; an
    # attribute not wired yet raises AttributeError, as a missing plane is a wiring error.
    arc: ArcChallenges = field(init=False)
    control: ControlPlane = field(init=False)
    store: WorkspaceStore = field(init=False)
    ingestion: IngestionService = field(init=False)
    query_runner: QueryRunner | None = field(default=None, init=False)
    # What-if results of ARM deployments, by operation id (answered by the Location poll).
    what_if: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
