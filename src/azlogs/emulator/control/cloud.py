"""ARM's cloud metadata, ``GET /metadata/endpoints``: what ``az cloud register --endpoint-resource-manager`` reads.

The Azure CLI (``_populate_from_metadata_endpoint`` in its cloud module) asks for
``api-version=2022-09-01`` and maps the answer with ``_arm_to_cli_mapper``: ``name``,
``authentication.loginEndpoint``, ``authentication.audiences[0]`` (the token resource for ARM),
``resourceManager``, ``microsoftGraphResourceId``, ``logAnalyticsResourceId``, ``suffixes`` ...
Unauthenticated, like Azure's. ``2019-05-01`` answers a list of clouds, ``2015-01-01`` the old flat
shape (``galleryEndpoint``, ``graphEndpoint``, ``portalEndpoint``).

Every URL points at the emulator's HTTPS listener, so a client set up from this document never
reaches Azure by accident. Services the emulator does not serve (batch, media, SQL, gallery) get
the emulator's origin too: a call there answers a JSON 404, not a request to Azure. The DNS
suffixes stay Azure's public ones: they name hosts, not endpoints, and cannot point at 127.0.0.1.
ARM's audiences stay Azure's, those of the cloud the emulator runs as (``https://management.core.windows.net/``
in AzurePublic): the resources its authority issues ARM tokens for and its ARM accepts. Microsoft Graph's
resource (``microsoftGraphResourceId``) and the query API's (``logAnalyticsResourceId``) are the emulator's
own: its origin and ``{origin}/query``, which its authority issues tokens for (``Urls.own_resources``).
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from azlogs.emulator.context import Context
from azlogs.emulator.discovery import CLOUD_NAME

API_VERSIONS: Final = ("2015-01-01", "2019-05-01", "2022-09-01")

# Azure's public-cloud suffixes (hostnames, not endpoints; see the module docstring).
_SUFFIXES: Final = {
    "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
    "acrLoginServer": "azurecr.io",
    "sqlServerHostname": "database.windows.net",
    "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
    "keyVaultDns": "vault.azure.net",
    "storage": "core.windows.net",
    "azureFrontDoorEndpointSuffix": "azurefd.net",
    "storageSyncEndpointSuffix": "afs.azure.net",
    "mhsmDns": "managedhsm.azure.net",
    "mysqlServerEndpoint": "mysql.database.azure.com",
    "postgresqlServerEndpoint": "postgres.database.azure.com",
    "mariadbServerEndpoint": "mariadb.database.azure.com",
    "synapseAnalytics": "dev.azuresynapse.net",
    "attestationEndpoint": "attest.azure.net",
}


def metadata(ctx: Context) -> dict[str, Any]:
    """The 2022-09-01 document for the emulator's cloud."""
    u = ctx.urls
    base = u.https
    aud = ctx.settings.cloud.arm_audiences
    return {
        "portal": base,
        "authentication": {
            "loginEndpoint": u.authority,
            # audiences[0] is the resource the CLI asks tokens for: one ARM accepts.
            "audiences": [aud[0], aud[2]],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "media": base,
        # Microsoft Graph (control/graph.py) at the origin: the CLI calls {graph}v1.0/... with a token
        # for microsoftGraphResourceId.
        "graphAudience": u.graph,
        "graph": u.graph,
        "name": CLOUD_NAME,
        "suffixes": dict(_SUFFIXES),
        "batch": f"{base}/",
        "gallery": f"{base}/",
        "resourceManager": f"{u.arm}/",
        "vmImageAliasDoc": f"{base}/",
        "activeDirectoryDataLake": f"{base}/",
        "sqlManagement": f"{base}/",
        "microsoftGraphResourceId": u.graph,
        "appInsightsResourceId": base,
        "appInsightsTelemetryChannelResourceId": f"{base}/v2/track",
        "attestationResourceId": base,
        "synapseAnalyticsResourceId": base,
        "logAnalyticsResourceId": u.query,
        "ossrDbmsResourceId": base,
    }


def _legacy(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "galleryEndpoint": doc["gallery"],
        "graphEndpoint": doc["graph"],
        "portalEndpoint": doc["portal"],
        "authentication": {
            "loginEndpoint": doc["authentication"]["loginEndpoint"],
            "audiences": doc["authentication"]["audiences"],
        },
    }


async def metadata_endpoints(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    version = request.query_params.get("api-version")
    if not version:
        return JSONResponse(
            {
                "error": {
                    "code": "MissingApiVersionParameter",
                    "message": "The api-version query parameter (?api-version=) is required for all requests.",
                }
            },
            400,
        )
    if version not in API_VERSIONS:
        listed = ", ".join(reversed(API_VERSIONS))
        return JSONResponse(
            {
                "error": {
                    "code": "InvalidApiVersionParameter",
                    "message": f"The api-version '{version}' is invalid. The supported versions are '{listed}'.",
                }
            },
            400,
        )
    doc = metadata(ctx)
    if version == "2015-01-01":
        return JSONResponse(_legacy(doc))
    if version == "2019-05-01":
        return JSONResponse([doc])
    return JSONResponse(doc)
