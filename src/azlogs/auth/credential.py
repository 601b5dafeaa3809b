"""Credential choice on azure-identity, and errors that say what to fix.

azlogs never has a token client of its own: every token comes from azure-identity. This module
picks the credential for a source, passes what the SDK cannot learn from the environment (instance
discovery off for a non-Microsoft authority such as the emulator), and turns the SDK's failures into
messages in the user's terms.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError

from azlogs._exceptions import AuthError, IdentitySourceError, TokenRequestError, UsageError
from azlogs.auth.clouds import AZURE_PUBLIC, CLOUDS, Cloud, is_microsoft_authority, resolve_cloud
from azlogs.auth.detect import SOURCES, Detection, detect

# The public cloud's; a client in another cloud asks for ``Cloud.monitor_scope`` of its own.
MONITOR_SCOPE = AZURE_PUBLIC.monitor_scope


@dataclass
class Choice:
    """A credential and the detection that chose it."""

    credential: TokenCredential
    detection: Detection


def identity_transport(*, asynchronous: bool = False) -> Any:
    """An azure-core transport for the host's identity endpoint that never goes through a proxy.

    IMDS (169.254.169.254), the Arc agent (localhost:40342) and the App Service / Automation
    endpoints are on the host or its link: a proxy cannot reach them and must not see their tokens
    (the Azure IMDS documentation: "IMDS is not intended to be used behind a proxy"). azure-identity
    itself honours HTTP_PROXY / ALL_PROXY for them (azure-core's transports trust the environment),
    so azlogs hands it a transport that does not read proxy variables. The service traffic
    (ingestion, query, ARM, Entra) keeps honouring HTTPS_PROXY and NO_PROXY.
    """
    if asynchronous:
        from azure.core.pipeline.transport import AioHttpTransport

        return AioHttpTransport(use_env_settings=False)
    from azure.core.pipeline.transport import RequestsTransport

    return RequestsTransport(use_env_settings=False)


def managed_identity(client_id: str | None = None, *, asynchronous: bool = False, **kwargs: Any) -> Any:
    """azure-identity's ManagedIdentityCredential, its identity endpoint never proxied."""
    if asynchronous:
        from azure.identity.aio import ManagedIdentityCredential as AsyncManagedIdentityCredential

        cls: Any = AsyncManagedIdentityCredential
    else:
        from azure.identity import ManagedIdentityCredential

        cls = ManagedIdentityCredential
    if client_id:
        kwargs["client_id"] = client_id
    return cls(transport=identity_transport(asynchronous=asynchronous), **kwargs)


def choose(
    source: str = "auto",
    client_id: str | None = None,
    env: Mapping[str, str] | None = None,
    cloud: Cloud | None = None,
) -> Choice:
    """The azure-identity credential for ``source`` (``auto`` detects it from the environment).

    ``cloud`` gives the Entra authority of a service principal or workload identity when
    ``AZURE_AUTHORITY_HOST`` does not (managed identities need none: the host's endpoint knows).
    """
    from azure.identity import ClientSecretCredential, WorkloadIdentityCredential

    e = dict(os.environ if env is None else env)
    if cloud is None:
        cloud = resolve_cloud(None, env=e)
    detection = detect(e)
    if source not in ("auto", *SOURCES):
        raise UsageError(f"unknown identity source {source!r}; one of auto, {', '.join(SOURCES)}")
    if source != "auto" and source != detection.source:
        _check_forced(source, e, detection)
        detection = Detection(
            source, f"--source {source} was given", detection.looked_for, detection.endpoint
        )
    chosen = detection.source
    cred: Any
    if chosen == "sp":
        authority = e.get("AZURE_AUTHORITY_HOST") or cloud.authority_host
        kwargs: dict[str, Any] = {}
        if authority:
            kwargs["authority"] = authority
        if not is_microsoft_authority(authority):
            # MSAL would otherwise ask login.microsoftonline.com to validate the authority.
            kwargs["disable_instance_discovery"] = True
        cred = ClientSecretCredential(
            e["AZURE_TENANT_ID"], e["AZURE_CLIENT_ID"], e["AZURE_CLIENT_SECRET"], **kwargs
        )
    elif chosen == "workload":
        wkw: dict[str, Any] = {}
        if not e.get("AZURE_AUTHORITY_HOST"):
            wkw["authority"] = cloud.authority_host
        cred = WorkloadIdentityCredential(client_id=client_id or e.get("AZURE_CLIENT_ID"), **wkw)
    else:
        # Like DefaultAzureCredential: AZURE_CLIENT_ID selects a user-assigned managed identity.
        if client_id is None and e.get("AZURE_CLIENT_ID"):
            client_id = e["AZURE_CLIENT_ID"]
            detection = Detection(
                detection.source,
                f"{detection.reason}; AZURE_CLIENT_ID={client_id} selects a user-assigned identity",
                detection.looked_for,
                detection.endpoint,
            )
        cred = managed_identity(client_id)
    return Choice(cred, detection)


def _check_forced(source: str, env: Mapping[str, str], detection: Detection) -> None:
    need = {
        "sp": ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"),
        "workload": ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_TENANT_ID", "AZURE_CLIENT_ID"),
        "appservice": ("IDENTITY_ENDPOINT", "IDENTITY_HEADER"),
        "automation": ("IDENTITY_ENDPOINT", "IDENTITY_HEADER"),
        "arc": ("IDENTITY_ENDPOINT", "IMDS_ENDPOINT"),
        "vm": (),
    }[source]
    missing = [n for n in need if not env.get(n)]
    if missing:
        raise IdentitySourceError(
            f"--source {source} needs {', '.join(missing)} in the environment, which is not set",
            hint=f"on that host the platform sets them; here the environment points at: {detection.reason}",
        )
    if source == "vm" and detection.source not in ("vm", None):
        raise IdentitySourceError(
            f"--source vm was given, but the environment selects {detection.source} ({detection.reason}); "
            "azure-identity would not talk to IMDS",
            hint="unset those variables, or use --source auto",
        )


def explain_failure(
    exc: BaseException, detection: Detection | None = None, env: Mapping[str, str] | None = None
) -> AuthError:
    """The one translation of a credential's failure into the azlogs tree, in the user's terms.

    Used by every path that gets a token (``azlogs token``, ``send``, the agent, ``query``, ``provision``,
    ``doctor``), so each gets the same diagnosis. ``detection`` is where the credential came from when it
    is a managed identity (``None``: a credential the caller built; no source is named then).

    Returns:
        IdentitySourceError when no identity exists here; AuthError for a cause that retrying cannot
        fix (a refused secret, a key file this user may not read, an unknown identity); otherwise
        TokenRequestError, which is retryable (the token endpoint failed this time).
    """
    from azure.identity import CredentialUnavailableError

    e = os.environ if env is None else env
    text = " ".join(str(x) for x in _chain(exc)) or type(exc).__name__
    source = detection.source if detection is not None else None
    what = f"the {source} identity source" if source else "the credential"
    if source == "arc":
        key_problem = _arc_key_problem(text)
        if key_problem:
            return AuthError(key_problem[0], hint=key_problem[1])
    if isinstance(exc, PermissionError) or "Permission denied" in text:
        return AuthError(
            f"{what} could not read a file it needs: {_first_line(text)}",
            hint="run as a user allowed to read it",
        )
    unreachable = any(
        s in text
        for s in (
            "Connection refused",
            "No connection",
            "timed out",
            "Failed to establish",
            "ConnectError",
            "unreachable",
        )
    )
    if "Identity not found" in text or "was not found in the directory" in text:
        return AuthError(
            f"{what} does not know the requested identity: {_first_line(text)}",
            hint="check --client-id / AZURE_CLIENT_ID: the user-assigned identity must be attached to this resource",
        )
    if "AADSTS500011" in text:
        return AuthError(
            f"Entra does not know the requested resource (AADSTS500011): {_aadsts_line(text)}",
            hint=_other_cloud_hint(text, e),
        )
    if "AADSTS7000215" in text:
        return AuthError(
            "the client secret was refused (AADSTS7000215)", hint="use the secret's value, not its id"
        )
    if "AADSTS700024" in text:
        return AuthError(
            "the federated token is expired (AADSTS700024)",
            hint=f"the file {e.get('AZURE_FEDERATED_TOKEN_FILE', '')} must be refreshed by the cluster",
        )
    if "AADSTS70021" in text:
        return AuthError(
            "no federated credential matches the presented token (AADSTS70021)",
            hint="the identity's federated credential must name this cluster's issuer and service account",
        )
    no_endpoint = "No managed identity endpoint found" in text or (source == "vm" and unreachable)
    if detection is not None and (no_endpoint or isinstance(exc, CredentialUnavailableError)):
        where = detection.endpoint or "http://169.254.169.254"
        # IMDS is only the fallback when nothing else was found: then the host does not look like Azure.
        verdict = "this host does not look like an Azure machine: " if source == "vm" else ""
        return IdentitySourceError(
            f"no managed identity is available here: {verdict}the {source} source was tried ({detection.reason}) "
            f"and {where} did not answer. Looked for: " + "; ".join(detection.looked_for),
            hint="run on an Azure VM/VMSS, Arc-enabled server, App Service, Functions, Automation or AKS with an "
            "identity enabled, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET for a service principal "
            '(to try it locally: azlogs emulator start, then eval "$(azlogs emulator env --source vm)")',
        )
    if isinstance(exc, CredentialUnavailableError):
        return IdentitySourceError(
            f"no managed identity is available here: {_first_line(text)}",
            hint="run on an Azure VM, Arc server, App Service, Functions or Automation account with a "
            "managed identity, or pass credential=<any azure-identity credential>",
        )
    return TokenRequestError(f"{what} failed: {_first_line(text)}")


def managed_detection(credential: object, env: Mapping[str, str] | None = None) -> Detection | None:
    """Where a credential's tokens come from, when it is azure-identity's managed identity (or a wrapper
    that says so with a ``detection`` attribute); ``None`` for a credential the caller built otherwise."""
    given = getattr(credential, "detection", None)
    if isinstance(given, Detection):
        return given
    if type(credential).__name__ in ("ManagedIdentityCredential", "DefaultAzureCredential"):
        return detect(os.environ if env is None else env)
    return None


def _other_cloud_hint(text: str, env: Mapping[str, str]) -> str:
    """The fix for AADSTS500011: most often one cloud's resource asked of another cloud's Entra."""
    asked = next((c for c in CLOUDS if c.monitor_audience in text or c.query_audience in text), None)
    authority = env.get("AZURE_AUTHORITY_HOST")
    here = next((c for c in CLOUDS if authority and c.authority_host in authority), None)
    names = ", ".join(f"{c.name} ({c.monitor_audience})" for c in CLOUDS)
    if asked is not None and here is not None and asked != here:
        return (
            f"the resource is {asked.name}'s but the authority is {here.name}'s: use --cloud {here.name} "
            f"(or AZURE_CLOUD={here.name})"
        )
    return (
        "each cloud has its own audiences: " + names + "; choose the endpoint's cloud with --cloud "
        "(or AZURE_CLOUD), and check that the resource is registered in the identity's tenant"
    )


def _arc_key_problem(text: str) -> tuple[str, str] | None:
    key_dir = Path("/var/opt/azcmagent/tokens")
    if "Permission denied" in text or "EACCES" in text:
        return (
            f"Azure Arc answered with a challenge, but this user may not read its key file in {key_dir}",
            "add the user to the 'himds' group (sudo usermod -a -G himds $USER, then log in again) or run as root",
        )
    try:
        mode = key_dir.stat().st_mode
        if not os.access(key_dir, os.R_OK | os.X_OK):
            return (
                f"Azure Arc key directory {key_dir} is not readable (mode {stat.filemode(mode)})",
                "add the user to the 'himds' group or run as root",
            )
    except FileNotFoundError:
        pass
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def _aadsts_line(text: str) -> str:
    """The line that carries Entra's AADSTS code (azure-identity puts its own words first)."""
    start = text.find("AADSTS")
    return text[start : start + 300].splitlines()[0] if start >= 0 else _first_line(text)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return line[:400]


def get_token(
    source: str = "auto",
    resource: str | None = None,
    client_id: str | None = None,
    cloud: str | Cloud | None = None,
) -> tuple[AccessToken, Detection]:
    """Obtain a token for ``resource`` (default: the cloud's Logs Ingestion audience) from the chosen
    source; failures raise AuthError with a fix."""
    the_cloud = resolve_cloud(cloud)
    resource = resource or the_cloud.monitor_audience
    choice = choose(source, client_id, cloud=the_cloud)
    scope = resource.rstrip("/") + "/.default" if not resource.endswith("/.default") else resource
    try:
        token = choice.credential.get_token(scope)
    except (ClientAuthenticationError, ValueError, OSError) as exc:
        raise explain_failure(exc, choice.detection) from None
    except Exception as exc:  # azure-identity raises a wide range; all become one message
        raise explain_failure(exc, choice.detection) from None
    finally:
        close = getattr(choice.credential, "close", None)
        if close is not None:
            close()
    return token, choice.detection
