"""Microsoft Learn's REST recipes for managed identity, run as written, each land a record.

The recipes are the ones Learn gives for Azure Automation runbooks (a GET without api-version and a
POST with a form body, headers ``X-IDENTITY-HEADER`` and ``Metadata: True``), for Azure Arc-enabled
servers (bash: curl, then ``grep Www-Authenticate`` on the 401, case-sensitive, then the key file in
``Authorization: Basic``) and for an Azure VM (curl to IMDS). Only the host part of each URL is the
emulator's (the variables the platform sets), and the resource is the Logs Ingestion audience. The
token each recipe gets is sent with curl to the ingestion URL, and the row is read back.
"""

from __future__ import annotations

import json
import subprocess
import uuid

import httpx
import pytest

from azlogs.provision import ProvisionResult
from tests.emulator_proc import AZLOGS, EmulatorProcess, run_with_env
from tests.provisioning import grant, provision_table

TABLE = "LearnRecipes_CL"
COLUMNS = [{"name": "TimeGenerated", "type": "datetime"}, {"name": "Recipe", "type": "string"}]

# The ingestion step every recipe shares: POST one record with the token in $TOKEN.
_INGEST = r"""
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$SSL_CERT_FILE" -X POST \
  "$DCE/dataCollectionRules/$DCR/streams/$STREAM?api-version=2023-01-01" \
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  --data "[{\"TimeGenerated\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"Recipe\": \"$RECIPE\"}]")
echo "ingest=$code"
"""
_TOKEN_OF = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"

AUTOMATION_GET = (
    r"""
resource="?resource=https://monitor.azure.com/"
url="$IDENTITY_ENDPOINT$resource"
TOKEN=$(curl -s "$url" -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" -H "Metadata: True" | """
    + _TOKEN_OF
    + ")\n"
    + _INGEST
)

AUTOMATION_POST = (
    r"""
TOKEN=$(curl -s -X POST "$IDENTITY_ENDPOINT" -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" -H "Metadata: True" \
  -H "Content-Type: application/x-www-form-urlencoded" --data "resource=https://monitor.azure.com/" | """
    + _TOKEN_OF
    + ")\n"
    + _INGEST
)

ARC_BASH = (
    r"""
ChallengeTokenPath=$(curl -s -D - -H Metadata:true "$IDENTITY_ENDPOINT?api-version=2019-11-01&resource=https%3A%2F%2Fmonitor.azure.com" | grep Www-Authenticate | cut -d "=" -f 2 | tr -d "[:cntrl:]")
ChallengeToken=$(cat $ChallengeTokenPath)
if [ $? -ne 0 ]; then
    echo "Could not retrieve challenge token"
    exit 3
fi
TOKEN=$(curl -s -H Metadata:true -H "Authorization: Basic $ChallengeToken" "$IDENTITY_ENDPOINT?api-version=2019-11-01&resource=https%3A%2F%2Fmonitor.azure.com" | """
    + _TOKEN_OF
    + ")\n"
    + _INGEST
)


@pytest.fixture(scope="module")
def pipeline(emulator: EmulatorProcess) -> ProvisionResult:
    pipe = provision_table(emulator.info, TABLE, COLUMNS)  # grants the VM's identity
    for name in ("arc", "automation"):
        grant(emulator.info, pipe.dcr_id, emulator.identity(name).principal_id)
    return pipe


def _run(emulator: EmulatorProcess, pipe: ProvisionResult, source: str, script: str) -> str:
    recipe = f"{source}-{uuid.uuid4().hex[:8]}"
    env = {"DCE": pipe.endpoint, "DCR": pipe.immutable_id, "STREAM": pipe.stream, "RECIPE": recipe}
    result = run_with_env(emulator, source, ["bash", "-c", script], extra_env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ingest=204" in result.stdout, result.stdout + result.stderr
    return recipe


def _landed(emulator: EmulatorProcess, recipe: str) -> bool:
    out = subprocess.run(
        [AZLOGS, "emulator", "rows", TABLE, "--limit", "0", "--data-dir", str(emulator.data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return any(json.loads(line).get("Recipe") == recipe for line in out.stdout.splitlines() if line.strip())


# The recipes share the module's pipeline: one worker runs them under xdist, so it is provisioned once.
@pytest.mark.xdist_group("learn_recipes")
class TestRecipes:
    def test_automation_get_without_api_version(
        self, emulator: EmulatorProcess, pipeline: ProvisionResult
    ) -> None:
        """Learn's runbook GET (no api-version, Metadata: True) gets a token that lands a record."""
        assert _landed(emulator, _run(emulator, pipeline, "automation", AUTOMATION_GET))

    def test_automation_post_with_a_form_body(
        self, emulator: EmulatorProcess, pipeline: ProvisionResult
    ) -> None:
        """Learn's runbook POST with ``resource=`` in a form body gets a token that lands a record."""
        assert _landed(emulator, _run(emulator, pipeline, "automation", AUTOMATION_POST))

    def test_arc_bash_with_its_case_sensitive_grep(
        self, emulator: EmulatorProcess, pipeline: ProvisionResult
    ) -> None:
        """Learn's Arc bash finds the key file by grepping ``Www-Authenticate`` and lands a record."""
        assert _landed(emulator, _run(emulator, pipeline, "arc", ARC_BASH))

    def test_vm_curl_to_imds(self, emulator: EmulatorProcess, pipeline: ProvisionResult) -> None:
        """The VM's curl to IMDS (Metadata: true, api-version 2018-02-01; the emulator's IMDS is the host
        that `azlogs emulator env` points azure-identity at) gets a token that lands a record."""
        script = (
            'TOKEN=$(curl -s -H Metadata:true "$AZURE_POD_IDENTITY_AUTHORITY_HOST/metadata/identity/'
            'oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmonitor.azure.com" | '
            + _TOKEN_OF
            + ")\n"
            + _INGEST
        )
        assert _landed(emulator, _run(emulator, pipeline, "vm", script))


class TestIdentityEndpointDetails:
    def test_app_service_still_requires_its_api_version(self, emulator: EmulatorProcess) -> None:
        """Only Automation takes a request without api-version; App Service answers 400 as before."""
        url = emulator.info.endpoints.app_service
        header = {"X-IDENTITY-HEADER": emulator.info.identity_headers["appservice"]}
        with httpx.Client() as client:
            r = client.get(url, params={"resource": "https://monitor.azure.com"}, headers=header)
            post = client.post(url, data={"resource": "https://monitor.azure.com"}, headers=header)
        assert r.status_code == 400
        assert post.status_code == 405

    def test_automation_post_refuses_a_duplicate_and_an_oversized_form(
        self, emulator: EmulatorProcess
    ) -> None:
        """A field both in the query and the form is refused (400); a form body past 8 KiB is 413."""
        url = emulator.info.endpoints.automation
        header = {"X-IDENTITY-HEADER": emulator.info.identity_headers["automation"]}
        with httpx.Client() as client:
            dup = client.post(
                url,
                params={"resource": "https://monitor.azure.com"},
                data={"resource": "https://monitor.azure.com"},
                headers=header,
            )
            big = client.post(url, content=b"resource=" + b"x" * 20_000, headers=header)
        assert dup.status_code == 400
        assert big.status_code == 413

    def test_arc_challenge_header_has_himds_casing(self, emulator: EmulatorProcess) -> None:
        """The raw 401 carries ``Www-Authenticate`` spelled as HIMDS spells it, once."""
        url = emulator.info.endpoints.arc_identity_endpoint
        out = subprocess.run(
            ["curl", "-s", "-D", "-", "-o", "/dev/null", "-H", "Metadata:true",
             f"{url}?api-version=2019-11-01&resource=https%3A%2F%2Fmonitor.azure.com"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        names = [line.split(":", 1)[0] for line in out.stdout.splitlines() if ":" in line]
        assert [n for n in names if n.lower() == "www-authenticate"] == ["Www-Authenticate"]

    def test_imds_info_and_trailing_slash(self, emulator: EmulatorProcess) -> None:
        """IMDS answers /metadata/identity/info with the tenant, and the token path with a trailing slash
        directly (no redirect)."""
        with emulator.http() as client:
            info = client.get(
                "/metadata/identity/info", params={"api-version": "2018-02-01"}, headers={"Metadata": "true"}
            )
            no_header = client.get("/metadata/identity/info", params={"api-version": "2018-02-01"})
            slash = client.get(
                "/metadata/identity/oauth2/token/",
                params={"api-version": "2018-02-01", "resource": "https://monitor.azure.com"},
                headers={"Metadata": "true"},
            )
        assert info.status_code == 200
        assert info.json() == {"tenantId": emulator.info.tenant_id}
        assert no_header.status_code == 400
        assert slash.status_code == 200
        assert slash.json()["token_type"] == "Bearer"
