"""One cloud table: names, inference from hosts, the order of choice, custom clouds, audience fixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azlogs._exceptions import UsageError
from azlogs.auth.clouds import (
    AZURE_CHINA,
    AZURE_PUBLIC,
    AZURE_US_GOVERNMENT,
    Cloud,
    audience_problem,
    cloud_of_audience,
    cloud_of_host,
    get_cloud,
    is_microsoft_authority,
    resolve_cloud,
)
from azlogs.ingest._diagnose import ServiceAnswer, Target, diagnose

RULE = "dcr-0123456789abcdef0123456789abcdef"


class TestTable:
    @pytest.mark.parametrize(
        ("cloud", "monitor", "authority", "query", "arm"),
        [
            (
                AZURE_PUBLIC,
                "https://monitor.azure.com",
                "login.microsoftonline.com",
                "https://api.loganalytics.io",
                "https://management.azure.com",
            ),
            (
                AZURE_US_GOVERNMENT,
                "https://monitor.azure.us",
                "login.microsoftonline.us",
                "https://api.loganalytics.us",
                "https://management.usgovcloudapi.net",
            ),
            (
                AZURE_CHINA,
                "https://monitor.azure.cn",
                "login.chinacloudapi.cn",
                "https://api.loganalytics.azure.cn",
                "https://management.chinacloudapi.cn",
            ),
        ],
    )
    def test_each_cloud_owns_its_hosts_and_audiences(
        self, cloud: Cloud, monitor: str, authority: str, query: str, arm: str
    ) -> None:
        """The documented audience, authority, query and ARM of each Microsoft cloud, and the scopes built from them."""
        assert cloud.monitor_audience == monitor and cloud.monitor_scope == f"{monitor}/.default"
        assert cloud.authority_host == authority and cloud.authority == f"https://{authority}"
        assert cloud.query_endpoint == query == cloud.query_audience
        assert cloud.arm_endpoint == arm and cloud.arm_scope == f"{arm}/.default"
        assert {monitor, f"{monitor}/"} <= set(cloud.monitor_audiences)
        assert set(cloud.audiences) >= {monitor, query, arm}

    def test_no_audience_belongs_to_two_clouds(self) -> None:
        """A token's audience names one cloud only, so a mismatch is always decidable."""
        seen: dict[str, str] = {}
        for cloud in (AZURE_PUBLIC, AZURE_US_GOVERNMENT, AZURE_CHINA):
            for aud in cloud.audiences:
                assert aud not in seen, (aud, seen.get(aud), cloud.name)
                seen[aud] = cloud.name

    @pytest.mark.parametrize(
        ("cloud", "metrics"),
        [
            (AZURE_PUBLIC, "https://metrics.monitor.azure.com"),
            (AZURE_US_GOVERNMENT, "https://metrics.monitor.azure.us"),
            (AZURE_CHINA, "https://metrics.monitor.azure.cn"),
        ],
    )
    def test_metrics_audience(self, cloud: Cloud, metrics: str) -> None:
        """The metrics data plane's audience (MetricsClient's): one of the cloud's, with or without the slash."""
        assert cloud.metrics_audiences == (metrics, f"{metrics}/")
        assert metrics in cloud.audiences and cloud_of_audience(f"{metrics}/") is cloud

    @pytest.mark.parametrize(
        ("name", "cloud"),
        [
            ("AzurePublic", AZURE_PUBLIC),
            ("azurecloud", AZURE_PUBLIC),
            ("AzureUSGovernment", AZURE_US_GOVERNMENT),
            ("AzureGovernment", AZURE_US_GOVERNMENT),
            ("AzureChinaCloud", AZURE_CHINA),
            (" azurechina ", AZURE_CHINA),
        ],
    )
    def test_names_and_aliases(self, name: str, cloud: Cloud) -> None:
        """The CLI's and the SDKs' names for each cloud are accepted, case-insensitively."""
        assert get_cloud(name) is cloud

    def test_unknown_name_says_which_exist(self) -> None:
        """An unknown cloud name is a usage error that lists the known ones."""
        with pytest.raises(UsageError) as info:
            get_cloud("AzureGermanCloud")
        assert "AzureUSGovernment" in (info.value.hint or "")


class TestInference:
    @pytest.mark.parametrize(
        ("host", "cloud"),
        [
            ("my-dce-a1b2.eastus-1.ingest.monitor.azure.com", AZURE_PUBLIC),
            ("my-dcr-x1y2.westus2-1.ingest.monitor.azure.com", AZURE_PUBLIC),
            ("my-dce.usgovvirginia-1.ingest.monitor.azure.us", AZURE_US_GOVERNMENT),
            ("my-dce.chinaeast2-1.ingest.monitor.azure.cn", AZURE_CHINA),
            ("api.loganalytics.us", AZURE_US_GOVERNMENT),
            ("api.loganalytics.azure.com", AZURE_PUBLIC),
            ("management.chinacloudapi.cn", AZURE_CHINA),
            ("127.0.0.1", None),
            ("monitor.azure.us.example.com", None),
        ],
    )
    def test_cloud_of_host(self, host: str, cloud: Cloud | None) -> None:
        """DCE and DCR endpoints, query and ARM hosts name their cloud; loopback and look-alikes name none."""
        assert cloud_of_host(host) is cloud

    def test_order_argument_env_endpoint_authority_default(self) -> None:
        """--cloud wins, then AZURE_CLOUD, then the endpoint's host, then AZURE_AUTHORITY_HOST, then public."""
        gov = "https://x.usgovvirginia-1.ingest.monitor.azure.us"
        assert resolve_cloud(
            "AzureUSGovernment", endpoint=gov, env={"AZURE_CLOUD": "AzureChinaCloud"}
        ).name == ("AzureUSGovernment")
        assert (
            resolve_cloud(None, endpoint="https://127.0.0.1:1", env={"AZURE_CLOUD": "china"}) is AZURE_CHINA
        )
        assert resolve_cloud(None, endpoint=gov, env={}) is AZURE_US_GOVERNMENT
        assert (
            resolve_cloud(
                None, endpoint="https://127.0.0.1:1", env={"AZURE_AUTHORITY_HOST": "login.chinacloudapi.cn"}
            )
            is AZURE_CHINA
        )
        assert resolve_cloud(None, endpoint="https://127.0.0.1:1", env={}) is AZURE_PUBLIC

    def test_a_cloud_that_contradicts_the_endpoint_is_refused(self) -> None:
        """--cloud AzurePublic with a US Government endpoint: a usage error whose fix names the right cloud."""
        with pytest.raises(UsageError) as info:
            resolve_cloud("AzurePublic", endpoint="https://x.usgovvirginia-1.ingest.monitor.azure.us", env={})
        assert "AzureUSGovernment" in info.value.message and "--cloud AzureUSGovernment" in (
            info.value.hint or ""
        )

    def test_microsoft_authorities(self) -> None:
        """The three clouds' Entra hosts (and 21Vianet's partner host) are Microsoft's; the emulator's is not."""
        assert is_microsoft_authority(None) and is_microsoft_authority("https://login.microsoftonline.us/")
        assert is_microsoft_authority("login.partner.microsoftonline.cn")
        assert not is_microsoft_authority("https://127.0.0.1:8443")


class TestCustom:
    def test_custom_cloud_from_a_json_file(self, tmp_path: Path) -> None:
        """A JSON file of the fields is a custom cloud; its hosts are then recognised like the built-in ones."""
        doc = {
            "name": "Lab",
            "authority_host": "login.lab.example",
            "monitor_audience": "https://monitor.lab.example",
            "ingestion_suffix": "ingest.monitor.lab.example",
            "query_endpoint": "https://api.loganalytics.lab.example",
            "query_audience": "https://api.loganalytics.lab.example",
            "arm_endpoint": "https://management.lab.example",
            "arm_audience": "https://management.core.lab.example",
        }
        path = tmp_path / "lab.json"
        path.write_text(json.dumps(doc))
        cloud = get_cloud(str(path))
        assert cloud.name == "Lab" and cloud.monitor_scope == "https://monitor.lab.example/.default"
        assert cloud.owns_host("dce.region-1.ingest.monitor.lab.example")
        assert cloud.metrics_resource == "https://metrics.monitor.lab.example"  # derived when not given
        assert Cloud.from_mapping({**doc, "metrics_audience": "https://m.lab.example/"}).metrics_resource == (
            "https://m.lab.example"
        )
        assert (
            resolve_cloud(str(path), endpoint="https://dce.region-1.ingest.monitor.lab.example", env={})
            == cloud
        )

    def test_custom_cloud_missing_or_unknown_keys(self, tmp_path: Path) -> None:
        """A custom cloud that lacks a field or has an unknown one is refused, naming it."""
        with pytest.raises(UsageError, match="missing"):
            Cloud.from_mapping({"name": "x"})
        with pytest.raises(UsageError, match="monitor_audiense"):
            Cloud.from_mapping({"name": "x", "monitor_audiense": "https://m"})


class TestAudienceProblem:
    def test_token_of_another_cloud(self) -> None:
        """A public token at a US Government endpoint: the message names both clouds, the fix is --cloud."""
        problem = audience_problem(AZURE_US_GOVERNMENT, "https://monitor.azure.com/")
        assert problem is not None
        message, fix = problem
        assert "AzurePublic" in message and "AzureUSGovernment" in message and "InvalidAudience" in message
        assert "--cloud AzureUSGovernment" in fix and "https://monitor.azure.us/.default" in fix
        assert audience_problem(AZURE_US_GOVERNMENT, "https://monitor.azure.us") is None
        assert cloud_of_audience("https://management.core.usgovcloudapi.net/") is AZURE_US_GOVERNMENT

    def test_diagnosed_401_invalid_audience(self) -> None:
        """The ingestion API's 401 InvalidAudience for a token of another cloud is reported with --cloud as the fix."""
        answer = ServiceAnswer(
            401, "InvalidAudience", "The access token has an audience this service does not accept.", True
        )
        target = Target(
            "https://x.usgovvirginia-1.ingest.monitor.azure.us", RULE, "Custom-A_CL", AZURE_US_GOVERNMENT
        )
        err = diagnose(answer, target, {"aud": "https://monitor.azure.com", "tid": "t"})
        assert "AzurePublic" in err.message and "--cloud AzureUSGovernment" in (err.hint or "")


class TestExplainUnknownResource:
    def test_aadsts500011_names_the_authoritys_cloud(self) -> None:
        """AADSTS500011 for the public audience from the US Government authority: a permanent AuthError whose
        fix is --cloud AzureUSGovernment."""
        from azlogs.auth.credential import explain_failure
        from azlogs.auth.detect import Detection

        exc = RuntimeError(
            "ClientSecretCredential authentication failed. "
            "AADSTS500011: The resource principal named https://monitor.azure.com was not found in the tenant named t."
        )
        err = explain_failure(
            exc,
            Detection("sp", "env", [], None),
            {"AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us"},
        )
        assert "AADSTS500011" in err.message and not err.retryable
        assert "--cloud AzureUSGovernment" in (err.hint or "")
