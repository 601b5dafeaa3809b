"""The emulator's shared state: settings, tenant, issuers, faults and the URLs it serves.

Each plane (identity, control, ingestion, query) takes this object and adds routes; planes that
keep state of their own hang it on ``extensions`` under their name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azlogs.emulator.config import Settings, TenantState
from azlogs.emulator.faults import FaultRegistry
from azlogs.emulator.identity.issuer import Issuer, ServiceAccountIssuer

# On Linux, unchanged azure-identity (async) only accepts a key file in this directory, and MSAL
# (sync) opens <this directory>/<basename>.key whatever the realm says.
ARC_KEY_DIR = Path("/var/opt/azcmagent/tokens")


@dataclass
class Urls:
    """Base URLs of the two listeners, known once they are bound."""

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
    def cluster_issuer(self) -> str:
        return f"{self.https}/aks/oidc/"


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
    extensions: dict[str, Any] = field(default_factory=dict)
