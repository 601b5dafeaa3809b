"""Which managed-identity source applies where the code runs, and why.

The order mirrors what azure-identity's DefaultAzureCredential does with the environment (its
EnvironmentCredential, then WorkloadIdentityCredential, then ManagedIdentityCredential, which itself
checks App Service, Arc and finally IMDS), so that what ``azlogs token`` reports is what the SDK does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SOURCES = ("vm", "arc", "appservice", "automation", "workload", "sp")
ARC_AGENT_BINARY = Path("/opt/azcmagent/bin/himds")
DEFAULT_IMDS = "http://169.254.169.254"


@dataclass
class Detection:
    """The chosen source, the reason in the user's terms, and what was looked at."""

    source: str | None
    reason: str
    looked_for: list[str] = field(default_factory=list)
    endpoint: str | None = None


def _set(env: Mapping[str, str], *names: str) -> bool:
    return all(env.get(n) for n in names)


def detect(env: Mapping[str, str] | None = None, *, arc_binary: Path = ARC_AGENT_BINARY) -> Detection:
    """Detect the identity source from the environment (no network)."""
    e = os.environ if env is None else env
    looked = [
        "AZURE_CLIENT_ID + AZURE_TENANT_ID + AZURE_CLIENT_SECRET (service principal)",
        "AZURE_FEDERATED_TOKEN_FILE + AZURE_TENANT_ID + AZURE_CLIENT_ID (workload identity)",
        "IDENTITY_ENDPOINT + IDENTITY_HEADER (App Service, Functions, Automation)",
        f"IDENTITY_ENDPOINT + IMDS_ENDPOINT or {arc_binary} (Azure Arc)",
        "IMDS at AZURE_POD_IDENTITY_AUTHORITY_HOST or http://169.254.169.254 (Azure VM / VMSS)",
    ]
    if _set(e, "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"):
        return Detection("sp", "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET are set", looked)
    if _set(e, "AZURE_FEDERATED_TOKEN_FILE", "AZURE_TENANT_ID", "AZURE_CLIENT_ID"):
        return Detection(
            "workload",
            f"AZURE_FEDERATED_TOKEN_FILE={e['AZURE_FEDERATED_TOKEN_FILE']} with AZURE_TENANT_ID and AZURE_CLIENT_ID",
            looked,
            e.get("AZURE_AUTHORITY_HOST"),
        )
    if _set(e, "IDENTITY_ENDPOINT", "IDENTITY_HEADER"):
        endpoint = e["IDENTITY_ENDPOINT"]
        source = "automation" if "/automation/" in endpoint else "appservice"
        return Detection(
            source,
            f"IDENTITY_ENDPOINT={endpoint} and IDENTITY_HEADER are set (App Service / Functions / Automation protocol)",
            looked,
            endpoint,
        )
    if _set(e, "IDENTITY_ENDPOINT", "IMDS_ENDPOINT"):
        return Detection(
            "arc",
            f"IDENTITY_ENDPOINT={e['IDENTITY_ENDPOINT']} and IMDS_ENDPOINT={e['IMDS_ENDPOINT']} are set (Azure Arc agent)",
            looked,
            e["IDENTITY_ENDPOINT"],
        )
    if arc_binary.exists():
        return Detection(
            "arc", f"the Azure Arc agent is installed ({arc_binary})", looked, "http://localhost:40342"
        )
    host = e.get("AZURE_POD_IDENTITY_AUTHORITY_HOST")
    if host:
        return Detection(
            "vm", f"AZURE_POD_IDENTITY_AUTHORITY_HOST={host} points IMDS requests there", looked, host
        )
    return Detection(
        "vm", "no other source is configured, so IMDS is assumed (Azure VM / VMSS)", looked, DEFAULT_IMDS
    )
