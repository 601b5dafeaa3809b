"""Doctor names the failing step and its fix for each planted fault; all ok when nothing is wrong."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError

from azlogs import IdentitySourceError
from azlogs.auth.credential import Choice
from azlogs.auth.detect import Detection
from azlogs.doctor import DoctorOptions, DoctorReport, run_doctor
from azlogs.doctor._roles import check_role, grants
from azlogs.provision import ArmClient
from tests.unit.provision.fake_arm import ARM, MMP, OID, SUB, FakeArm, FakeCredential

RULE_ID = "dcr-0123456789abcdef0123456789abcdef"
DCR_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/dcr-app"
STREAM = "Custom-App_CL"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A loopback port that accepts connections (plain HTTP: the TLS step is skipped)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def chooser(source: str = "vm", credential: Any = None) -> Callable[..., Choice]:
    def choose(src: str, client_id: str | None, env: Any, **kw: Any) -> Choice:
        return Choice(credential or FakeCredential(), Detection(source, "test", [], "http://169.254.169.254"))

    return choose


def ingest(status: int, code: str = "", message: str = "") -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if status == 204:
            return httpx.Response(204)
        return httpx.Response(
            status, headers={"x-ms-error-code": code}, json={"error": {"code": code, "message": message}}
        )

    return httpx.MockTransport(handler)


def forbidden_arm(url: str, credential: Any, verify: Any) -> ArmClient:
    body = {"error": {"code": "AuthorizationFailed", "message": "no read"}}
    return ArmClient(url, credential, transport=httpx.MockTransport(lambda r: httpx.Response(403, json=body)))


def doctor(endpoint: str, *, status: int = 204, code: str = "", message: str = "", **kw: Any) -> DoctorReport:
    options = DoctorOptions(
        endpoint=endpoint,
        dcr=kw.pop("dcr", RULE_ID),
        stream=kw.pop("stream", STREAM),
        probe=kw.pop("probe", False),
        subscription=SUB,
    )
    kw.setdefault("chooser", chooser())
    kw.setdefault("arm_factory", forbidden_arm)
    imds = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(400)))
    return run_doctor(options, env={}, http=imds, ingest_transport=ingest(status, code, message), **kw)


def statuses(report: DoctorReport) -> dict[str, str]:
    return {s.name: s.status for s in report.steps}


class TestHealthy:
    def test_everything_ok_through_the_empty_upload(self, endpoint: str) -> None:
        """ARM not readable, the empty upload accepted: DCR, stream and role are ok from it."""
        report = doctor(endpoint)
        assert report.ok, report.to_json()
        got = statuses(report)
        assert got["DCR"] == got["stream"] == got["role"] == got["empty upload"] == "ok"
        assert got["endpoint TLS"] == "skipped" and got["IMDS reachable"] == "ok"
        assert report.step("token").data["claims"]["oid"] == OID

    def test_probe_sends_one_marked_record(self, endpoint: str) -> None:
        """--probe uploads one record whose marker the report names."""
        report = doctor(endpoint, probe=True)
        step = report.step("test record")
        assert (
            step is not None and step.status == "ok" and step.data["marker"].startswith("azlogs doctor probe")
        )


class TestPlantedFaults:
    def test_no_identity(self, endpoint: str) -> None:
        """No identity source: that step fails with the fix; token and data-plane steps are skipped."""

        def none(src: str, client_id: str | None, env: Any, **kw: Any) -> Choice:
            raise IdentitySourceError("--source sp needs AZURE_CLIENT_ID", hint="set it")

        report = doctor(endpoint, chooser=none)
        assert statuses(report)["identity source"] == "failed"
        assert report.step("identity source").fix == "set it"
        assert statuses(report)["token"] == "skipped" and statuses(report)["empty upload"] == "skipped"

    def test_token_unavailable(self, endpoint: str) -> None:
        """IMDS without an identity: the token step fails and says what was looked for."""

        class NoToken:
            def get_token(self, *scopes: str, **kw: Any) -> Any:
                raise ClientAuthenticationError("No connection adapters; Connection refused")

        report = doctor(endpoint, chooser=chooser(credential=NoToken()))
        step = report.step("token")
        assert step.status == "failed" and "no managed identity is available" in step.detail
        assert step.fix is not None

    def test_missing_role(self, endpoint: str) -> None:
        """403 from the endpoint: the role step fails naming the principal and the role to assign."""
        report = doctor(endpoint, status=403, code="OperationFailed", message="no access to dcr")
        role = report.step("role")
        assert role.status == "failed"
        assert role.fix is not None and OID in role.fix and "Monitoring Metrics Publisher" in role.fix
        assert statuses(report)["DCR"] == "ok" and statuses(report)["stream"] == "skipped"

    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("NotFound", f"Data collection rule with immutable Id '{RULE_ID}' not found."),  # Azure's
            ("DataCollectionRuleNotFound", "Data collection rule not found"),  # the emulator's, earlier
        ],
    )
    def test_wrong_dcr(self, endpoint: str, code: str, message: str) -> None:
        """404 for the DCR: the DCR step fails, telling where to find the immutable id."""
        report = doctor(endpoint, status=404, code=code, message=message)
        dcr = report.step("DCR")
        assert dcr.status == "failed" and dcr.fix is not None and "immutableId" in dcr.fix
        assert f"DCR {RULE_ID} is not known" in dcr.detail

    @pytest.mark.parametrize("status", [400, 404])  # Azure answers 400; the emulator answered 404
    def test_wrong_stream(self, endpoint: str, status: int) -> None:
        """Azure's InvalidStream: the stream step fails naming the stream, the DCR and role steps are ok."""
        message = (
            f"The stream {STREAM} was not configured in the data collection rule with immutable Id {RULE_ID}."
        )
        report = doctor(endpoint, status=status, code="InvalidStream", message=message)
        got = statuses(report)
        assert got["stream"] == "failed" and got["DCR"] == "ok" and got["role"] == "ok"
        stream = report.step("stream")
        assert "streamDeclarations" in (stream.fix or "")
        assert f"the stream '{STREAM}' is not declared in DCR {RULE_ID}" in stream.detail

    def test_unreachable_endpoint(self) -> None:
        """Nothing listens at the endpoint: the TLS/connection step fails and the upload is not tried."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        report = doctor(f"https://127.0.0.1:{port}")
        assert statuses(report)["endpoint TLS"] == "failed" and statuses(report)["empty upload"] == "skipped"
        assert not report.ok

    def test_unreadable_arc_key_file(self, endpoint: str) -> None:
        """On Arc, a key file this user cannot read fails the Arc key file step with the himds fix."""
        challenge = httpx.MockTransport(
            lambda r: httpx.Response(
                401, headers={"WWW-Authenticate": "Basic realm=/var/opt/azcmagent/tokens/a.key"}
            )
        )
        report = run_doctor(
            DoctorOptions(),
            env={},
            http=httpx.Client(transport=challenge),
            chooser=chooser("arc"),
            read_key=lambda p: "Permission denied",
        )
        step = report.step("Arc key file")
        assert step.status == "failed" and "himds" in (step.fix or "")

    def test_token_for_another_audience(self, endpoint: str) -> None:
        """A token for another audience is a failed token step."""

        class ArmToken(FakeCredential):
            def get_token(self, *scopes: str, **kw: Any) -> Any:
                return super().get_token("https://management.azure.com/.default")

        report = doctor(endpoint, chooser=chooser(credential=ArmToken()))
        assert report.step("token").status == "failed"


def _dcr_doc() -> dict[str, Any]:
    return {
        "id": DCR_ID,
        "location": "eastus",
        "kind": "Direct",
        "properties": {
            "immutableId": RULE_ID,
            "endpoints": {"logsIngestion": "https://dcr-app.eastus-1.ingest.monitor.azure.com"},
            "streamDeclarations": {STREAM: {"columns": [{"name": "Message", "type": "string"}]}},
            "destinations": {
                "logAnalytics": [
                    {
                        "name": "la",
                        "workspaceResourceId": "/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z",
                    }
                ]
            },
            "dataFlows": [
                {
                    "streams": [STREAM],
                    "destinations": ["la"],
                    "transformKql": "source",
                    "outputStream": "Custom-App_CL",
                }
            ],
        },
    }


class TestThroughArm:
    def _arm(self, with_role: bool) -> tuple[FakeArm, Callable[..., ArmClient]]:
        arm = FakeArm()
        arm.docs[DCR_ID.lower()] = _dcr_doc()
        if with_role:
            arm.add_assignment(DCR_ID, OID)

        def factory(url: str, credential: Any, verify: Any) -> ArmClient:
            return ArmClient(ARM, credential, transport=httpx.MockTransport(arm.handler))

        return arm, factory

    def test_dcr_stream_and_role_read_from_arm(self, endpoint: str) -> None:
        """With ARM readable, the DCR is found by immutable id and the role by its assignment."""
        _, factory = self._arm(with_role=True)
        report = doctor(endpoint, arm_factory=factory)
        assert "read through ARM" in report.step("DCR").detail
        assert "flows to App_CL" in report.step("stream").detail
        assert "holds Monitoring Metrics Publisher" in report.step("role").detail
        binding = report.step("endpoint matches DCR")
        assert binding is not None and binding.status == "failed"
        assert "https://dcr-app.eastus-1.ingest.monitor.azure.com" in (binding.fix or "")

    def test_role_missing_by_arm(self, endpoint: str) -> None:
        """No assignment for the principal: the role step fails from ARM alone."""
        _, factory = self._arm(with_role=False)
        report = doctor(endpoint, arm_factory=factory)
        assert report.step("role").status == "failed" and OID in report.step("role").detail

    def test_stream_not_declared_by_arm(self, endpoint: str) -> None:
        """A stream the DCR does not declare fails, listing the declared ones."""
        _, factory = self._arm(with_role=True)
        report = doctor(endpoint, arm_factory=factory, stream="Custom-Other")
        step = report.step("stream")
        assert step.status == "failed" and STREAM in step.detail

    def test_dcr_not_in_subscription(self, endpoint: str) -> None:
        """An immutable id no DCR of the subscription has: the DCR step fails."""
        _, factory = self._arm(with_role=True)
        report = doctor(
            endpoint,
            arm_factory=factory,
            dcr="dcr-ffffffffffffffffffffffffffffffff",
            status=404,
            code="DataCollectionRuleNotFound",
        )
        assert report.step("DCR").status == "failed" and SUB in report.step("DCR").detail


class TestRoles:
    @pytest.mark.parametrize(
        ("actions", "granted"),
        [
            (["Microsoft.Insights/Telemetry/Write"], True),
            (["Microsoft.Insights/*"], True),
            (["*"], True),
            (["Microsoft.Insights/Metrics/Write"], False),
            ([], False),
        ],
    )
    def test_data_actions(self, actions: list[str], granted: bool) -> None:
        """A role grants ingestion when a dataActions pattern covers Telemetry/Write."""
        definition = {"properties": {"permissions": [{"dataActions": actions, "notDataActions": []}]}}
        assert grants(definition) is granted

    def test_not_data_actions_subtract(self) -> None:
        """notDataActions removes what dataActions grants."""
        perms = {"dataActions": ["*"], "notDataActions": ["Microsoft.Insights/Telemetry/*"]}
        assert not grants({"properties": {"permissions": [perms]}})

    def test_assignment_above_the_dcr_counts(self) -> None:
        """Monitoring Metrics Publisher at the subscription covers the DCR."""
        arm = FakeArm()
        arm.add_assignment(f"/subscriptions/{SUB}", OID, MMP)
        assert check_role(arm.client(), DCR_ID, OID).granted

    def test_unreadable_assignments(self) -> None:
        """403 on the list: not readable, so not judged."""
        arm = FakeArm(forbid_list=True)
        result = check_role(arm.client(), DCR_ID, OID)
        assert not result.readable and not result.granted
