"""The Azure CLI, unchanged (azure-cli 2.91.0 in its own venv, ``make az``), against a running emulator.

The CLI is set up the way a user sets it up: ``eval "$(azlogs emulator env --az)"`` (cloud registration
by autodetect from ``--endpoint-resource-manager``, ``core.instance_discovery=false``, the CA in
``REQUESTS_CA_BUNDLE``), then ``az login`` as the admin service principal, and ``az login --identity``
on the VM, Automation and Arc hosts after ``eval "$(azlogs emulator env --source HOST)"``.

Nothing leaves 127.0.0.1: HTTPS_PROXY/HTTP_PROXY point at a trap on a loopback port that records the
host of every request sent to it and refuses it at once, NO_PROXY lets only 127.0.0.1/localhost through
directly, and each test fails if the trap saw anything (one test provokes MSAL's instance discovery to
login.microsoftonline.com to show the trap catches a leak). The one request allowed off 127.0.0.1 is
the CLI's own version check on its first run in a config dir, named and asserted where it happens; it
has nothing to do with the emulator. Tokens are decoded for their claims and
never printed. One emulator for the module; the az calls are few because each costs about a second.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azlogs.provision import ProvisionResult as Pipeline
from tests.emulator_proc import AZLOGS, EmulatorProcess
from tests.provisioning import provision_table

pytestmark = [pytest.mark.xdist_group("azure_cli"), pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
AZ = Path(os.environ.get("TEST_AZ_CLI") or REPO / ".venv-az" / "bin" / "az")
TABLE = "AzureCli_CL"
COLUMNS = [{"name": "TimeGenerated", "type": "datetime"}, {"name": "Marker", "type": "string"}]
MONITOR = "https://monitor.azure.com"
PUBLISHER = "Monitoring Metrics Publisher"
VERSION_CHECK_HOST = "azcliprod.blob.core.windows.net:443"


class ProxyTrap:
    """A loopback "proxy" that writes down the target of each request sent to it and refuses it (403)."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._serve, name="proxy-trap", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    line = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    line = "?"
                # "CONNECT login.microsoftonline.com:443 HTTP/1.1" or "GET http://host/path HTTP/1.1"
                parts = line.split()
                self.seen.append(parts[1] if len(parts) > 1 else line)
                with contextlib.suppress(OSError):
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen

    def close(self) -> None:
        self._sock.close()


class AzCli:
    """Runs ``az`` (and bash lines that use it) with a config dir of its own and the trap as proxy."""

    def __init__(self, emu: EmulatorProcess, trap: ProxyTrap, config_dir: Path, ca_bundle: str) -> None:
        self.emu = emu
        self.trap = trap
        self.config_dir = config_dir
        self.ca_bundle = ca_bundle

    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "IMDS_", "MSI_"))
        }
        env.update(
            {
                "PATH": f"{AZ.parent}{os.pathsep}{Path(AZLOGS).parent}{os.pathsep}{env.get('PATH', '')}",
                "AZURE_CONFIG_DIR": str(self.config_dir),
                "AZURE_CORE_COLLECT_TELEMETRY": "false",
                "AZURE_CORE_NO_COLOR": "true",
                "REQUESTS_CA_BUNDLE": self.ca_bundle,
                "HTTPS_PROXY": self.trap.url,
                "HTTP_PROXY": self.trap.url,
                "NO_PROXY": "127.0.0.1,localhost",
            }
        )
        return env

    def bash(self, script: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", f"set -eo pipefail\n{script}"],
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=timeout,
            check=False,
        )

    def az(
        self, *args: str, source: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``az ARGS -o json``; with ``source``, after ``eval "$(azlogs emulator env --source SOURCE)"``."""
        line = " ".join(shlex.quote(a) for a in ["az", *args, "--output", "json"])
        if source is not None:
            env_cmd = f"{shlex.quote(AZLOGS)} emulator env --source {source} --data-dir {shlex.quote(str(self.emu.data_dir))}"
            line = f'eval "$({env_cmd})"\n{line}'
        result = self.bash(line)
        if check:
            shown = ["***" if i and args[i - 1] == "--password" else a for i, a in enumerate(args)]
            assert result.returncode == 0, f"az {' '.join(shown)}: {result.stderr[-3000:]}"
        return result

    def json(self, *args: str, source: str | None = None) -> Any:
        return json.loads(self.az(*args, source=source).stdout)

    def clone(self, name: str) -> AzCli:
        """A copy of this config dir (cloud registered, no account): one identity signs in there."""
        target = self.config_dir.parent / name
        shutil.copytree(self.config_dir, target)
        return AzCli(self.emu, self.trap, target, self.ca_bundle)


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def requests_since(emu: EmulatorProcess, mark: int) -> list[dict[str, Any]]:
    lines = emu.log_file.read_text().splitlines()[mark:]
    return [json.loads(line) for line in lines if line.strip()]


def log_mark(emu: EmulatorProcess) -> int:
    return len(emu.log_file.read_text().splitlines())


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    if not AZ.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AZ} is missing: `make test` installs it (make az)")
        pytest.skip(f"{AZ} is missing: run `make az` to install the Azure CLI's venv")
    emulator = EmulatorProcess(tmp_path_factory.mktemp("azcli") / "data")
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def trap() -> Iterator[ProxyTrap]:
    t = ProxyTrap()
    yield t
    t.close()


@pytest.fixture(autouse=True)
def no_leak(trap: ProxyTrap) -> Iterator[None]:
    """Every test: no request of the CLI went anywhere but 127.0.0.1."""
    trap.take()
    yield
    assert trap.take() == [], "the Azure CLI sent requests off 127.0.0.1"


@pytest.fixture(scope="module")
def setup_output(emu: EmulatorProcess) -> str:
    out = subprocess.run(
        [AZLOGS, "emulator", "env", "--az", "--data-dir", str(emu.data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


@pytest.fixture(scope="module")
def base(
    emu: EmulatorProcess, trap: ProxyTrap, setup_output: str, tmp_path_factory: pytest.TempPathFactory
) -> AzCli:
    """A config dir set up by running the lines `azlogs emulator env --az` prints, as printed."""
    exported = dict(
        shlex.split(line.removeprefix("export "))[0].split("=", 1)
        for line in setup_output.splitlines()
        if line.startswith("export ")
    )
    cli = AzCli(emu, trap, tmp_path_factory.mktemp("az") / "base", exported["REQUESTS_CA_BUNDLE"])
    cli.config_dir.mkdir()
    result = cli.bash(
        f'eval "$({shlex.quote(AZLOGS)} emulator env --az --data-dir {shlex.quote(str(emu.data_dir))})"'
    )
    assert result.returncode == 0, result.stderr
    # The CLI's own once-a-day version check (azure.cli.core.util.handle_version_update on the first run
    # in a config dir): refused by the trap, cached in versionCheck.json, which the clones copy.
    assert trap.take() == [VERSION_CHECK_HOST]
    return cli


@pytest.fixture(scope="module")
def pipeline(emu: EmulatorProcess) -> Pipeline:
    return provision_table(emu.info, TABLE, COLUMNS)  # the DCR, and Monitoring Metrics Publisher for the VM


@pytest.fixture(scope="module")
def admin(base: AzCli, emu: EmulatorProcess) -> AzCli:
    cli = base.clone("admin")
    a = emu.info.admin
    accounts = cli.json(
        "login", "--service-principal", "--username", a.client_id, "--password", a.client_secret,
        "--tenant", emu.info.tenant_id,
    )  # fmt: skip
    assert [acc["id"] for acc in accounts] == [emu.info.subscription_id]
    return cli


@pytest.fixture(scope="module")
def hosts(base: AzCli) -> dict[str, AzCli]:
    """One config dir per managed-identity host, each signed in with ``az login --identity``."""
    out = {}
    for host in ("vm", "automation", "arc"):
        cli = base.clone(host)
        accounts = cli.json("login", "--identity", "--allow-no-subscriptions", source=host)
        assert accounts[0]["user"]["assignedIdentityInfo"] == "MSI"
        out[host] = cli
    return out


Assignment = tuple[dict[str, Any], list[dict[str, Any]]]


@pytest.fixture(scope="module")
def assignments(admin: AzCli, emu: EmulatorProcess, pipeline: Pipeline) -> dict[str, Assignment]:
    """`az role assignment create --role "Monitoring Metrics Publisher" --scope DCR` three ways, each with
    the Graph requests it made: with --assignee-principal-type (arc), without (automation), --assignee
    APPID (vm-user)."""
    scope = ["--role", PUBLISHER, "--scope", pipeline.dcr_id]
    ways = {
        "typed": [
            "--assignee-object-id",
            emu.identity("arc").principal_id,
            "--assignee-principal-type",
            "ServicePrincipal",
        ],
        "untyped": ["--assignee-object-id", emu.identity("automation").principal_id],
        "by_app_id": ["--assignee", emu.identity("vm-user").client_id],
    }
    out = {}
    for name, args in ways.items():
        mark = log_mark(emu)
        ra = admin.json("role", "assignment", "create", *scope, *args)
        out[name] = (ra, [r for r in requests_since(emu, mark) if r["endpoint"] == "graph"])
    return out


def _marker() -> str:
    return f"az-{uuid.uuid4().hex[:10]}"


def _ingest_with_az_rest(
    cli: AzCli, pipe: Pipeline, source: str, marker: str
) -> subprocess.CompletedProcess[str]:
    url = f"{pipe.endpoint}/dataCollectionRules/{pipe.immutable_id}/streams/{pipe.stream}?api-version=2023-01-01"
    body = json.dumps([{"TimeGenerated": "2026-01-01T00:00:00Z", "Marker": marker}])
    return cli.az(
        "rest", "--method", "post", "--resource", MONITOR, "--url", url,
        "--headers", "Content-Type=application/json", "--body", body, source=source, check=False,
    )  # fmt: skip


def _query_rows(admin: AzCli, emu: EmulatorProcess, kql: str) -> list[list[Any]]:
    """Rows through the query API with ``az rest``, for the resource the registered cloud names."""
    resource = admin.json("cloud", "show", "--query", "endpoints.logAnalyticsResourceId")
    url = f"{emu.info.endpoints.query}/v1/workspaces/{emu.info.workspace.id}/query"
    answer = admin.json(
        "rest", "--method", "post", "--resource", resource, "--url", url, "--body", json.dumps({"query": kql})
    )
    rows: list[list[Any]] = answer["tables"][0]["rows"]
    return rows


class TestSetup:
    def test_env_az_prints_the_setup_commands(self, setup_output: str, emu: EmulatorProcess) -> None:
        """`azlogs emulator env --az` prints the CA export, the cloud registration with the emulator's
        ARM endpoint, `az cloud set` and instance discovery off, and no secret."""
        lines = [line for line in setup_output.splitlines() if not line.startswith("#")]
        arm = emu.info.endpoints.arm
        assert lines[0] == f"export REQUESTS_CA_BUNDLE={emu.info.ca_cert}"
        assert f"az cloud register --name AzlogsEmulator --endpoint-resource-manager {arm}" in lines[1]
        assert lines[2].startswith("az cloud set --name AzlogsEmulator")
        assert lines[3].startswith("az config set core.instance_discovery=false")
        assert emu.info.admin.client_secret not in setup_output

    def test_cloud_register_autodetects_every_endpoint(self, base: AzCli, emu: EmulatorProcess) -> None:
        """The registered cloud is active and took the emulator's endpoints from /metadata/endpoints."""
        cloud = base.json("cloud", "show")
        ep, https = cloud["endpoints"], emu.info.endpoints.arm
        assert cloud["name"] == "AzlogsEmulator" and cloud["isActive"] is True
        assert ep["resourceManager"].rstrip("/") == https
        assert ep["activeDirectory"] == emu.info.endpoints.authority
        assert ep["activeDirectoryResourceId"] == "https://management.core.windows.net/"
        assert ep["microsoftGraphResourceId"] == emu.info.endpoints.graph
        assert ep["logAnalyticsResourceId"] == emu.info.endpoints.query

    def test_the_trap_catches_msal_instance_discovery(
        self, base: AzCli, emu: EmulatorProcess, trap: ProxyTrap
    ) -> None:
        """With core.instance_discovery on (the CLI's default), MSAL asks login.microsoftonline.com about
        the emulator's authority: the login fails fast and the trap names the host (why --az turns it off)."""
        cli = base.clone("discovery-on")
        cli.az("config", "set", "core.instance_discovery=true", "--only-show-errors")
        sp = emu.identity("sp")
        result = cli.az(
            "login", "--service-principal", "--username", sp.client_id, "--password", sp.client_secret,
            "--tenant", emu.info.tenant_id, "--allow-no-subscriptions", check=False,
        )  # fmt: skip
        assert result.returncode != 0
        assert set(trap.take()) == {"login.microsoftonline.com:443"}  # MSAL retries it


class TestServicePrincipal:
    def test_access_token_for_the_ingestion_audience(self, admin: AzCli, emu: EmulatorProcess) -> None:
        """`az account get-access-token --resource https://monitor.azure.com`: aud and the admin's oid."""
        token = admin.json("account", "get-access-token", "--resource", MONITOR)
        claims = claims_of(token["accessToken"])
        assert claims["aud"] == MONITOR
        assert claims["oid"] == emu.info.admin.principal_id
        assert claims["tid"] == token["tenant"] == emu.info.tenant_id

    def test_deployment_group_create_with_the_schema_template(
        self, admin: AzCli, emu: EmulatorProcess, tmp_path: Path
    ) -> None:
        """`az deployment group create` deploys the template `azlogs schema infer --format arm` writes,
        unchanged (validate, then PUT and poll): Succeeded, with the DCR's immutable id in the outputs."""
        sample = tmp_path / "sample.ndjson"
        sample.write_text('{"msg": "a", "level": 3}\n')
        vm = emu.identity("vm").principal_id
        inferred = subprocess.run(
            [AZLOGS, "schema", "infer", str(sample), "--table", "AzDeployed_CL", "--format", "arm",
             "--principal-id", vm],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        template = tmp_path / "template.json"
        template.write_text(inferred.stdout)
        done = admin.json(
            "deployment", "group", "create", "-g", emu.info.resource_group, "-n", "azlogs-cli",
            "--template-file", str(template),
            "--parameters", f"workspaceName={emu.info.workspace.name}", f"principalId={vm}",
        )  # fmt: skip
        assert done["properties"]["provisioningState"] == "Succeeded"
        outputs = {k: v["value"] for k, v in done["properties"]["outputs"].items()}
        assert outputs["immutableId"].startswith("dcr-") and outputs["streamName"] == "Custom-AzDeployed_CL"
        ops = admin.json(
            "deployment", "operation", "group", "list", "-g", emu.info.resource_group, "-n", "azlogs-cli"
        )
        assert len(ops) == 3

    def test_group_create(self, admin: AzCli, emu: EmulatorProcess) -> None:
        """`az group create` makes a resource group in the emulator's subscription."""
        group = admin.json("group", "create", "--name", "rg-azcli", "--location", "eastus")
        assert group["id"] == f"/subscriptions/{emu.info.subscription_id}/resourceGroups/rg-azcli"
        assert group["properties"]["provisioningState"] == "Succeeded"

    def test_log_analytics_workspace_and_table(self, admin: AzCli, emu: EmulatorProcess) -> None:
        """The CLI's core `az monitor log-analytics` commands: the workspace's customer id, and a new
        custom table with its columns (typed as the tables API answers them)."""
        ws = emu.info.workspace
        rg = emu.info.resource_group
        shown = admin.json("monitor", "log-analytics", "workspace", "show", "-g", rg, "-n", ws.name)
        assert (shown["id"], shown["customerId"]) == (ws.resource_id, ws.id)
        table = admin.json(
            "monitor", "log-analytics", "workspace", "table", "create", "-g", rg, "--workspace-name", ws.name,
            "-n", "AzCliMade_CL", "--columns", "TimeGenerated=datetime", "Message=string",
        )  # fmt: skip
        assert table["provisioningState"] == "Succeeded"
        columns = {c["name"]: c["type"] for c in table["schema"]["columns"]}
        assert columns == {"TimeGenerated": "dateTime", "Message": "string"}  # the spec's enum spelling

    def test_role_assignment_with_principal_type_asks_graph_nothing(
        self, assignments: dict[str, Assignment], emu: EmulatorProcess, pipeline: Pipeline
    ) -> None:
        """--assignee-object-id with --assignee-principal-type: the assignment, and no Graph call."""
        ra, graph = assignments["typed"]
        oid = emu.identity("arc").principal_id
        assert (ra["principalId"], ra["principalType"], ra["scope"]) == (
            oid,
            "ServicePrincipal",
            pipeline.dcr_id,
        )
        assert ra["roleDefinitionId"].endswith("/3913510d-42f4-4e42-8a64-420c390055eb")
        assert graph == []

    def test_role_assignment_without_principal_type_resolves_it_through_graph(
        self, assignments: dict[str, Assignment], emu: EmulatorProcess
    ) -> None:
        """Without --assignee-principal-type the CLI asks Graph's getByIds, and gets ServicePrincipal."""
        ra, graph = assignments["untyped"]
        assert (ra["principalId"], ra["principalType"]) == (
            emu.identity("automation").principal_id,
            "ServicePrincipal",
        )
        assert [(r["method"], r["path"], r["status"]) for r in graph] == [
            ("POST", "/v1.0/directoryObjects/getByIds", 200)
        ]

    def test_role_assignment_by_app_id(
        self, assignments: dict[str, Assignment], emu: EmulatorProcess
    ) -> None:
        """--assignee APPID resolves through Graph's servicePrincipalNames filter to the object id."""
        ra, graph = assignments["by_app_id"]
        ident = emu.identity("vm-user")
        assert (ra["principalId"], ra["principalType"]) == (ident.principal_id, "ServicePrincipal")
        assert graph and graph[0]["path"] == "/v1.0/servicePrincipals"
        assert "servicePrincipalNames" in graph[0]["query"]
        assert {r["status"] for r in graph} == {200}

    def test_role_assignment_list_names_the_principals(
        self, admin: AzCli, emu: EmulatorProcess, pipeline: Pipeline, assignments: dict[str, Assignment]
    ) -> None:
        """`az role assignment list --scope DCR` fills each principal's name from Graph's getByIds (its
        first servicePrincipalName, the app id) and the role's name from ARM's role definitions."""
        listed = admin.json("role", "assignment", "list", "--scope", pipeline.dcr_id)
        named = {ra["principalId"]: (ra["principalName"], ra["roleDefinitionName"]) for ra in listed}
        for name in ("arc", "automation", "vm-user", "vm"):
            ident = emu.identity(name)
            assert named[ident.principal_id] == (ident.client_id, PUBLISHER)

    def test_ad_sp_show(self, admin: AzCli, emu: EmulatorProcess) -> None:
        """`az ad sp show --id APPID` answers the managed identity's service principal."""
        ident = emu.identity("vm")
        sp = admin.json("ad", "sp", "show", "--id", ident.client_id)
        assert (sp["id"], sp["appId"], sp["servicePrincipalType"]) == (
            ident.principal_id, ident.client_id, "ManagedIdentity",
        )  # fmt: skip
        assert sp["alternativeNames"][1] == ident.resource_id


class TestManagedIdentities:
    @pytest.mark.parametrize("host", ["vm", "automation", "arc"])
    def test_login_identity_and_access_token(
        self, hosts: dict[str, AzCli], emu: EmulatorProcess, host: str
    ) -> None:
        """`az login --identity` on the host, then a Logs Ingestion token with the host identity's oid."""
        token = hosts[host].json("account", "get-access-token", "--resource", MONITOR, source=host)
        claims = claims_of(token["accessToken"])
        assert claims["aud"] == MONITOR
        assert claims["oid"] == emu.identity(host).principal_id
        assert claims["xms_mirid"] == emu.identity(host).resource_id

    def test_user_assigned_identity_by_client_id(self, base: AzCli, emu: EmulatorProcess) -> None:
        """`az login --identity --client-id ID` on the VM selects its user-assigned identity."""
        ident = emu.identity("vm-user")
        cli = base.clone("vm-user")
        cli.json(
            "login", "--identity", "--client-id", ident.client_id, "--allow-no-subscriptions", source="vm"
        )
        token = cli.json("account", "get-access-token", "--resource", MONITOR, source="vm")
        claims = claims_of(token["accessToken"])
        assert (claims["oid"], claims["appid"]) == (ident.principal_id, ident.client_id)

    def test_az_rest_ingests_and_the_rows_read_back(
        self,
        hosts: dict[str, AzCli],
        admin: AzCli,
        emu: EmulatorProcess,
        pipeline: Pipeline,
        assignments: dict[str, Assignment],
    ) -> None:
        """`az rest --method post --resource https://monitor.azure.com` to the ingestion URL: 204 for the
        VM (granted by provisioning), Arc and Automation (granted by `az role assignment create`); the
        rows read back through the query API with `az rest`."""
        markers = {host: _marker() for host in ("vm", "arc", "automation")}
        mark = log_mark(emu)
        for host, marker in markers.items():
            result = _ingest_with_az_rest(hosts[host], pipeline, host, marker)
            assert result.returncode == 0, result.stderr[-2000:]
        posts = [r["status"] for r in requests_since(emu, mark) if r["endpoint"] == "ingestion"]
        assert posts == [204, 204, 204]
        rows = _query_rows(admin, emu, f"{TABLE} | project Marker")
        assert set(markers.values()) <= {row[0] for row in rows}

    def test_arm_still_enforces_roles(self, hosts: dict[str, AzCli], emu: EmulatorProcess) -> None:
        """The VM's identity holds a role on the DCR only: ARM lists it no subscription (hence
        `az login --allow-no-subscriptions`), while the admin's list has the emulator's."""
        url = f"{emu.info.endpoints.arm}/subscriptions?api-version=2022-12-01"
        listed = hosts["vm"].json("rest", "--method", "get", "--url", url, source="vm")
        assert listed["value"] == []

    def test_graph_refuses_a_managed_identity_without_directory_permission(
        self, hosts: dict[str, AzCli], emu: EmulatorProcess
    ) -> None:
        """A managed identity holds no Graph permission: `az ad sp show` as the VM's identity is Graph's
        403 "Insufficient privileges" (its Graph token is still issued and verified)."""
        result = hosts["vm"].az(
            "ad", "sp", "show", "--id", emu.identity("vm").client_id, source="vm", check=False
        )
        assert result.returncode != 0
        assert "Insufficient privileges to complete the operation." in result.stderr
