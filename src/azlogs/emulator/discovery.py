"""The environment that points clients at the emulator described by its ``emulator.json``.

The file itself (its typed reader and writer) is :mod:`azlogs.discovery`, which the client side may import.
"""

from __future__ import annotations

import shlex

from azlogs._exceptions import UsageError
from azlogs.discovery import Discovery

# The name under which `emulator env --az` registers the emulator with the Azure CLI (also the
# ``name`` of its cloud metadata document, /metadata/endpoints).
CLOUD_NAME = "AzlogsEmulator"
SOURCES = ("vm", "arc", "appservice", "automation", "workload", "sp")

# Every variable any azure-identity source reads; `env` unsets those the chosen source must not see.
_IDENTITY_VARS = (
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_AUTHORITY_HOST",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
)


def environment(info: Discovery, source: str, client_id: str | None = None) -> dict[str, str | None]:
    """The environment after which unchanged azure-identity uses ``source`` against the emulator.

    A value of ``None`` means the variable must be unset.
    """
    if source not in SOURCES:
        raise UsageError(f"unknown source {source!r}; one of {', '.join(SOURCES)}")
    ep = info.endpoints
    env: dict[str, str | None] = dict.fromkeys(_IDENTITY_VARS)
    env["REQUESTS_CA_BUNDLE"] = info.ca_cert
    env["SSL_CERT_FILE"] = info.ca_cert
    env["AZLOGS_EMULATOR_FILE"] = info.where
    # azlogs reads AZURE_CLOUD; Microsoft's SDKs take the audience as an argument (credential_scopes).
    env["AZURE_CLOUD"] = info.cloud
    if source == "vm":
        env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = ep.imds
    elif source == "arc":
        env["IDENTITY_ENDPOINT"] = ep.arc_identity_endpoint
        env["IMDS_ENDPOINT"] = ep.arc
    elif source in ("appservice", "automation"):
        env["IDENTITY_ENDPOINT"] = ep.app_service if source == "appservice" else ep.automation
        env["IDENTITY_HEADER"] = info.identity_headers[source]
    elif source == "workload":
        env["AZURE_AUTHORITY_HOST"] = ep.authority
        env["AZURE_TENANT_ID"] = info.tenant_id
        env["AZURE_CLIENT_ID"] = info.identity("workload").client_id
        env["AZURE_FEDERATED_TOKEN_FILE"] = info.federated_token_file
    elif source == "sp":
        ident = info.identity("sp")
        env["AZURE_AUTHORITY_HOST"] = ep.authority
        env["AZURE_TENANT_ID"] = info.tenant_id
        env["AZURE_CLIENT_ID"] = ident.client_id
        env["AZURE_CLIENT_SECRET"] = ident.client_secret
    if client_id is not None and source not in ("workload", "sp"):
        env["AZURE_CLIENT_ID"] = client_id
    return env


def render_exports(env: dict[str, str | None]) -> str:
    lines = []
    for name, value in env.items():
        lines.append(f"unset {name}" if value is None else f"export {name}={shlex.quote(value)}")
    return "\n".join(lines) + "\n"


def az_commands(info: Discovery, cloud_name: str = CLOUD_NAME) -> str:
    """The shell lines that point an unchanged Azure CLI at the emulator described by ``info``.

    ``az cloud register --endpoint-resource-manager`` reads every other endpoint from the emulator's
    ``/metadata/endpoints`` (``update`` when the cloud is already registered, e.g. after a restart on
    another port). MSAL validates any authority it does not know with a request to
    login.microsoftonline.com unless the CLI's ``core.instance_discovery`` is off. The CLI's HTTP
    (requests: MSAL, ARM, Graph, ``az rest``) trusts the CA in ``REQUESTS_CA_BUNDLE``. No secret is printed.
    """
    arm = shlex.quote(info.endpoints.arm)
    name = shlex.quote(cloud_name)
    path = info.where
    admin = info.admin.client_id
    lines = [
        f"# Azure CLI against the azlogs emulator ({path}): run these lines, or eval them.",
        "# They switch the CLI's active cloud: `az cloud set --name AzureCloud` switches back, or keep the",
        "# emulator apart with `export AZURE_CONFIG_DIR=~/.azure-emulator` first.",
        f"export REQUESTS_CA_BUNDLE={shlex.quote(info.ca_cert)}",
        f"az cloud register --name {name} --endpoint-resource-manager {arm} --only-show-errors 2>/dev/null"
        f" || az cloud update --name {name} --endpoint-resource-manager {arm} --only-show-errors",
        f"az cloud set --name {name} --only-show-errors",
        "az config set core.instance_discovery=false --only-show-errors",
        "# Then sign in: as the admin service principal (Owner of the subscription; its secret is",
        f"# admin.client_secret in {path}):",
        f"#   az login --service-principal --username {admin} --password SECRET --tenant {info.tenant_id}",
        "# or as a host's managed identity:",
        '#   eval "$(azlogs emulator env --source vm)"; az login --identity --allow-no-subscriptions',
    ]
    return "\n".join(lines) + "\n"
