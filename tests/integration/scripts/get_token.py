"""Get a token with unchanged azure-identity, verify it against the emulator's JWKS, print its claims.

Run under `eval "$(azlogs emulator env --source S)"`; argv: CREDENTIAL [CLIENT_ID]. The token itself
is never printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys
from pathlib import Path

import httpx
import jwt

from azlogs.discovery import Discovery

SCOPE = "https://monitor.azure.com/.default"


def _credential(module: object, kind: str, client_id: str | None) -> object:
    """The credential of `kind` from azure.identity or azure.identity.aio (same names, same arguments)."""
    if kind == "managed":
        cls = module.ManagedIdentityCredential  # type: ignore[attr-defined]
        return cls(client_id=client_id) if client_id else cls()
    if kind == "workload":
        return module.WorkloadIdentityCredential()  # type: ignore[attr-defined]
    if kind == "secret":
        return module.ClientSecretCredential(  # type: ignore[attr-defined]
            os.environ["AZURE_TENANT_ID"],
            os.environ["AZURE_CLIENT_ID"],
            os.environ["AZURE_CLIENT_SECRET"],
            authority=os.environ["AZURE_AUTHORITY_HOST"],
            disable_instance_discovery=True,
        )
    if kind == "default":
        return module.DefaultAzureCredential()  # type: ignore[attr-defined]
    raise SystemExit(f"unknown credential {kind}")


def sync_token(kind: str, client_id: str | None) -> str:
    import azure.identity

    return _credential(azure.identity, kind, client_id).get_token(SCOPE).token  # type: ignore[attr-defined]


async def async_token(kind: str, client_id: str | None) -> str:
    import azure.identity.aio

    cred = _credential(azure.identity.aio, kind, client_id)
    async with cred:  # type: ignore[attr-defined]
        return (await cred.get_token(SCOPE)).token  # type: ignore[attr-defined]


def main() -> None:
    kind, mode = sys.argv[1], sys.argv[2]
    client_id = sys.argv[3] if len(sys.argv) > 3 else None
    token = asyncio.run(async_token(kind, client_id)) if mode == "async" else sync_token(kind, client_id)
    info = Discovery.from_file(Path(os.environ["AZLOGS_EMULATOR_FILE"]))
    tenant = info.tenant_id
    jwks_url = f"{info.endpoints.authority}/{tenant}/discovery/v2.0/keys"
    keys = httpx.get(jwks_url, verify=ssl.create_default_context(cafile=info.ca_cert)).json()
    header = jwt.get_unverified_header(token)
    jwk = next(k for k in keys["keys"] if k["kid"] == header["kid"])
    key = jwt.PyJWK(jwk).key
    claims = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=["https://monitor.azure.com", "https://monitor.azure.com/"],
        issuer=f"https://sts.windows.net/{tenant}/",
    )
    print(json.dumps({k: claims.get(k) for k in ("aud", "oid", "appid", "tid", "xms_mirid", "idtyp")}))


if __name__ == "__main__":
    main()
