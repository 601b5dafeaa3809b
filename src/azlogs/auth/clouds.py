"""Azure clouds: one owner of every per-cloud host and audience azlogs (and its emulator) uses.

A :class:`Cloud` names the Entra authority, the token audience of the Logs Ingestion API, the host
suffix of its endpoints (DCE ``logsIngestion`` and a DCR's own ``endpoints.logsIngestion`` both
end in it), the Log Analytics query endpoint and audience, and Azure Resource Manager. The three
Microsoft clouds are built in; any other (an air-gapped cloud, a test double) is a ``Cloud(...)``
of its own, or a JSON file of the same fields.

Which cloud, first match wins (:func:`resolve_cloud`): the ``cloud`` argument (``--cloud`` on the
CLI, ``cloud = ...`` in the agent config), the ``AZURE_CLOUD`` environment variable, the host of
the endpoint (``*.ingest.monitor.azure.us`` is US Government), the ``AZURE_AUTHORITY_HOST``
variable azure-identity reads, and else Azure's public cloud. A cloud named explicitly that
disagrees with a Microsoft endpoint's host is refused: a token for one cloud's audience is never
accepted by another's service (Entra's AADSTS500011, the service's ``InvalidAudience``).

Sources (checked 2026-12; the values below are the sources', the prose is ours):

- Monitor ingestion audiences: the azure-monitor-ingestion README, "Configure clients for non-public
  Azure clouds" (``credential_scopes=["https://monitor.azure.us/.default"]``); azure-sdk-for-go
  ``sdk/monitor/ingestion/azlogs/cloud_config.go`` (``monitor.azure.cn/``, ``monitor.azure.us/``,
  ``monitor.azure.com/``); Microsoft Learn, Application Insights "Microsoft Entra authentication"
  (token audience per cloud: ``monitor.azure.com``, ``monitor.azure.cn``, ``monitor.azure.us``).
- Authorities: azure-identity ``AzureAuthorityHosts`` (``_constants.py``: ``login.microsoftonline.com``,
  ``login.microsoftonline.us``, ``login.chinacloudapi.cn``).
- Ingestion hosts: Microsoft Learn, Azure Monitor network/firewall requirements for Azure Government
  (``*.ingest.monitor.azure.us``); ``*.ingest.monitor.azure.com`` in every DCE/DCR of the public
  cloud; ``.azure.cn`` for 21Vianet by the same rule as its audience.
- Query: the azure-monitor-query README, "Configure client for Azure sovereign cloud"
  (``endpoint="https://api.loganalytics.us"``); docs.azure.cn, "Azure Monitor Log Analytics API request
  format" (``https://api.loganalytics.azure.cn``); Microsoft Learn, same page
  (``https://api.loganalytics.azure.com``, the public cloud's second name for ``api.loganalytics.io``).
- Metrics data plane (``metrics:getBatch`` on ``{region}.metrics.monitor.azure.com``) and its audience:
  the azure-monitor-querymetrics README, "Configure client for Azure sovereign cloud"
  (``audience="https://metrics.monitor.azure.us"``; the default ``https://metrics.monitor.azure.com``);
  ``metrics.`` before the cloud's monitor host by the same rule for 21Vianet (docs.azure.cn,
  "How to migrate from the metrics API to the getBatch API": ``chinanorth.metrics.monitor.azure.cn``).
- ARM and its token resources, and ``log_analytics_resource_id`` per cloud: the Azure CLI's cloud
  table (``azure-cli-core``, ``azure/cli/core/cloud.py``: ``AZURE_PUBLIC_CLOUD``, ``AZURE_US_GOV_CLOUD``,
  ``AZURE_CHINA_CLOUD``).

Pure: standard library only, so the client side and the emulator import the same table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from azlogs._exceptions import UsageError

__all__ = [
    "AZURE_CHINA",
    "AZURE_PUBLIC",
    "AZURE_US_GOVERNMENT",
    "CLOUDS",
    "CLOUD_ENV",
    "Cloud",
    "audience_problem",
    "cloud_mismatch",
    "cloud_of_audience",
    "cloud_of_host",
    "get_cloud",
    "is_microsoft_authority",
    "resolve_cloud",
]

CLOUD_ENV: Final = "AZURE_CLOUD"


def _scope(audience: str) -> str:
    return audience.rstrip("/") + "/.default"


def _both(audience: str) -> tuple[str, str]:
    # Entra writes aud exactly as the resource was asked: with or without the trailing slash.
    bare = audience.rstrip("/")
    return bare, bare + "/"


@dataclass(frozen=True)
class Cloud:
    """One Azure cloud's hosts and audiences.

    Attributes:
        name: the name ``--cloud`` and ``AZURE_CLOUD`` take (``AzurePublic``, ``AzureUSGovernment``,
            ``AzureChinaCloud``, or a custom cloud's own).
        authority_host: the Entra host (azure-identity's ``AzureAuthorityHosts`` value).
        monitor_audience: the token audience of the Logs Ingestion API.
        ingestion_suffix: the host suffix of DCE and DCR logs-ingestion endpoints.
        query_endpoint: the Log Analytics query API.
        query_audience: its token audience.
        arm_endpoint: Azure Resource Manager.
        arm_audience: ARM's other accepted token resource (``management.core...``), which the
            Azure CLI asks for.
        host_suffixes: further host suffixes that identify the cloud (query and ARM hosts).
        query_aliases: further audiences the query API accepts.
        aliases: other names accepted for this cloud (case-insensitive).
        authority_aliases: further Entra hosts of the same cloud.
        metrics_audience: the token audience of the metrics data plane (``metrics:getBatch``);
            empty: ``metrics.`` before the host of :attr:`monitor_audience` (see :attr:`metrics_resource`).
    """

    name: str
    authority_host: str
    monitor_audience: str
    ingestion_suffix: str
    query_endpoint: str
    query_audience: str
    arm_endpoint: str
    arm_audience: str
    host_suffixes: tuple[str, ...] = ()
    query_aliases: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    authority_aliases: tuple[str, ...] = ()
    metrics_audience: str = ""

    @property
    def authority(self) -> str:
        """The authority URL (``https://`` + :attr:`authority_host`)."""
        return f"https://{self.authority_host}"

    @property
    def monitor_scope(self) -> str:
        return _scope(self.monitor_audience)

    @property
    def query_scope(self) -> str:
        return _scope(self.query_audience)

    @property
    def arm_scope(self) -> str:
        return _scope(self.arm_endpoint)

    @property
    def monitor_audiences(self) -> tuple[str, ...]:
        """Every ``aud`` the ingestion API accepts."""
        return _both(self.monitor_audience)

    @property
    def query_audiences(self) -> tuple[str, ...]:
        """Every ``aud`` the query API accepts."""
        return tuple(a for q in (self.query_audience, *self.query_aliases) for a in _both(q))

    @property
    def metrics_resource(self) -> str:
        """The metrics data plane's audience: :attr:`metrics_audience`, or ``https://metrics.{monitor host}``."""
        if self.metrics_audience:
            return self.metrics_audience.rstrip("/")
        return f"https://metrics.{urlsplit(self.monitor_audience).hostname}"

    @property
    def metrics_audiences(self) -> tuple[str, ...]:
        """Every ``aud`` the metrics data plane accepts."""
        return _both(self.metrics_resource)

    @property
    def arm_audiences(self) -> tuple[str, ...]:
        """Every ``aud`` ARM accepts (the ``management.core`` resource first: the CLI's ``audiences[0]``)."""
        return (*_both(self.arm_audience)[::-1], *_both(self.arm_endpoint)[::-1])

    @property
    def audiences(self) -> tuple[str, ...]:
        """The resources of this cloud's services an emulated Entra issues tokens for (no trailing slash)."""
        return tuple(
            dict.fromkeys(
                a.rstrip("/")
                for a in (
                    *self.monitor_audiences,
                    *self.query_audiences,
                    *self.arm_audiences,
                    *self.metrics_audiences,
                )
            )
        )

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Host suffixes that identify this cloud (ingestion, query, ARM, authority)."""
        arm = urlsplit(self.arm_endpoint).hostname or ""
        query = urlsplit(self.query_endpoint).hostname or ""
        monitor = urlsplit(self.monitor_audience).hostname or ""
        found = (
            self.ingestion_suffix,
            monitor,
            query,
            arm,
            self.authority_host,
            *self.authority_aliases,
            *self.host_suffixes,
        )
        return tuple(dict.fromkeys(s.lstrip(".").lower() for s in found if s))

    def owns_host(self, host: str) -> bool:
        """Whether ``host`` is one of this cloud's service hosts."""
        h = host.lower().rstrip(".")
        return any(h == s or h.endswith("." + s) for s in self.suffixes)

    def owns_audience(self, aud: str) -> bool:
        """Whether a token's ``aud`` is one of this cloud's (monitor, query, ARM or metrics)."""
        return aud.rstrip("/") in self.audiences

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "custom cloud") -> Cloud:
        """A custom cloud from a mapping of the field names (tuples may be lists)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise UsageError(
                f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        required = [f.name for f in fields(cls) if f.default is MISSING and f.name not in data]
        if required:
            raise UsageError(f"{where}: missing {', '.join(required)}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        for key in ("monitor_audience", "query_endpoint", "query_audience", "arm_endpoint", "arm_audience"):
            if not str(values[key]).startswith("https://"):
                raise UsageError(f"{where}: {key} must be an https:// URL, got {values[key]!r}")
        return cls(**values)


AZURE_PUBLIC: Final = Cloud(
    name="AzurePublic",
    authority_host="login.microsoftonline.com",
    monitor_audience="https://monitor.azure.com",
    ingestion_suffix="ingest.monitor.azure.com",
    query_endpoint="https://api.loganalytics.io",
    query_audience="https://api.loganalytics.io",
    arm_endpoint="https://management.azure.com",
    arm_audience="https://management.core.windows.net",
    host_suffixes=("api.loganalytics.azure.com",),
    query_aliases=("https://api.loganalytics.azure.com",),
    aliases=("AzureCloud", "public", "AzurePublicCloud"),
)
AZURE_US_GOVERNMENT: Final = Cloud(
    name="AzureUSGovernment",
    authority_host="login.microsoftonline.us",
    monitor_audience="https://monitor.azure.us",
    ingestion_suffix="ingest.monitor.azure.us",
    query_endpoint="https://api.loganalytics.us",
    query_audience="https://api.loganalytics.us",
    arm_endpoint="https://management.usgovcloudapi.net",
    arm_audience="https://management.core.usgovcloudapi.net",
    aliases=("AzureGovernment", "usgov", "AzureUSGovernmentCloud"),
)
AZURE_CHINA: Final = Cloud(
    name="AzureChinaCloud",
    authority_host="login.chinacloudapi.cn",
    monitor_audience="https://monitor.azure.cn",
    ingestion_suffix="ingest.monitor.azure.cn",
    query_endpoint="https://api.loganalytics.azure.cn",
    query_audience="https://api.loganalytics.azure.cn",
    arm_endpoint="https://management.chinacloudapi.cn",
    arm_audience="https://management.core.chinacloudapi.cn",
    aliases=("AzureChina", "china"),
    authority_aliases=("login.partner.microsoftonline.cn",),
)
CLOUDS: Final = (AZURE_PUBLIC, AZURE_US_GOVERNMENT, AZURE_CHINA)


def _names() -> str:
    return ", ".join(c.name for c in CLOUDS)


def get_cloud(name: str | Cloud) -> Cloud:
    """The cloud named ``name`` (a built-in name or alias, case-insensitive, or a JSON file of a custom cloud)."""
    if isinstance(name, Cloud):
        return name
    key = name.strip()
    for cloud in CLOUDS:
        if key.lower() in (n.lower() for n in (cloud.name, *cloud.aliases)):
            return cloud
    if key.lower().endswith(".json"):
        path = Path(key).expanduser()
        try:
            data = json.loads(path.read_text())
        except OSError as exc:
            raise UsageError(f"cannot read the cloud file {path}: {exc.strerror}") from exc
        except ValueError as exc:
            raise UsageError(f"the cloud file {path} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise UsageError(f"the cloud file {path} must hold one JSON object")
        return Cloud.from_mapping(data, where=f"cloud file {path}")
    raise UsageError(
        f"unknown cloud {name!r}",
        hint=f"one of {_names()}, or the path of a JSON file describing a custom cloud",
    )


def cloud_of_host(host: str | None) -> Cloud | None:
    """The Microsoft cloud a service host belongs to, or None (loopback, a custom host)."""
    return next((c for c in CLOUDS if c.owns_host(host)), None) if host else None


def cloud_of_audience(aud: str | None) -> Cloud | None:
    """The Microsoft cloud whose monitor, query or ARM audience ``aud`` is, or None."""
    return next((c for c in CLOUDS if c.owns_audience(aud)), None) if aud else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url if "://" in url else f"https://{url}").hostname
    except ValueError:
        return None


def cloud_mismatch(cloud: Cloud, endpoint: str | None) -> str | None:
    """Why ``endpoint`` cannot be used with ``cloud`` (it is another Microsoft cloud's host), or None."""
    other = cloud_of_host(_host(endpoint))
    if other is None or other == cloud or cloud.owns_host(_host(endpoint) or ""):
        return None
    return (
        f"the endpoint {endpoint} is in {other.name}, but the cloud is {cloud.name}: a token for "
        f"{cloud.monitor_audience} is refused there"
    )


def resolve_cloud(
    cloud: str | Cloud | None = None,
    *,
    endpoint: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Cloud:
    """The cloud to use: ``cloud``, else ``AZURE_CLOUD``, else the endpoint's host, else the authority, else public.

    Raises:
        UsageError: an unknown cloud name, or a cloud given (argument or ``AZURE_CLOUD``) that
            disagrees with a Microsoft endpoint's host.
    """
    e = os.environ if env is None else env
    chosen: Cloud | None = None
    how = ""
    if cloud is not None and (isinstance(cloud, Cloud) or cloud.strip()):
        chosen, how = get_cloud(cloud), "--cloud"
    elif e.get(CLOUD_ENV, "").strip():
        chosen, how = get_cloud(e[CLOUD_ENV]), CLOUD_ENV
    if chosen is not None:
        problem = cloud_mismatch(chosen, endpoint)
        if problem:
            other = cloud_of_host(_host(endpoint))
            raise UsageError(
                f"{problem} ({how} chose {chosen.name})",
                hint=f"use --cloud {other.name if other else chosen.name}, or the endpoint of the DCR in {chosen.name}",
            )
        return chosen
    return (
        cloud_of_host(_host(endpoint)) or cloud_of_host(_host(e.get("AZURE_AUTHORITY_HOST"))) or AZURE_PUBLIC
    )


def is_microsoft_authority(authority: str | None) -> bool:
    """Whether ``authority`` (a URL or host; None means azure-identity's default) is one of Microsoft's Entra hosts."""
    if not authority:
        return True
    host = (_host(authority) or "").lower()
    return any(host in (c.authority_host, *c.authority_aliases) for c in CLOUDS)


def audience_problem(cloud: Cloud, aud: str | None) -> tuple[str, str] | None:
    """What is wrong with an ingestion token of audience ``aud`` for an endpoint in ``cloud``: (message, fix), or None.

    The classic case is a token of one cloud sent to another's endpoint (Entra answers AADSTS500011
    when asked for a resource it does not know; the ingestion API answers 401 ``InvalidAudience``).
    """
    if not aud or aud in cloud.monitor_audiences:
        return None
    other = cloud_of_audience(aud)
    if other is not None and other != cloud:
        return (
            f"the token is for {aud} ({other.name}), but the endpoint is in {cloud.name}, whose Logs "
            f"Ingestion API accepts only {cloud.monitor_audience} (InvalidAudience; Entra's AADSTS500011 "
            "when one cloud is asked for another's resource)",
            f'use --cloud {cloud.name} (or {CLOUD_ENV}={cloud.name}, or cloud = "{cloud.name}" in the agent '
            f"config) so that azlogs asks for {cloud.monitor_scope}",
        )
    return (
        f"the token is for {aud}, not {cloud.monitor_audience}",
        f"request the scope {cloud.monitor_scope}",
    )
