"""doctor --since: the window's forms, and what each DCRLogErrors message means in the user's terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from azlogs._exceptions import AuthError, UsageError
from azlogs.auth.clouds import AZURE_PUBLIC
from azlogs.doctor import explain, parse_since
from azlogs.doctor._dropped import QueryAccess, dropped_steps, human
from azlogs.provision import ArmClient
from tests.unit.provision.fake_arm import FakeCredential


class TestSince:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1h", dt.timedelta(hours=1)),
            ("30m", dt.timedelta(minutes=30)),
            ("2d", dt.timedelta(days=2)),
            ("90s", dt.timedelta(seconds=90)),
            ("PT1H30M", dt.timedelta(hours=1, minutes=30)),
            ("P1D", dt.timedelta(days=1)),
        ],
    )
    def test_forms(self, text: str, expected: dt.timedelta) -> None:
        """Short forms (1h, 30m, 2d) and ISO 8601 durations give the same windows."""
        assert parse_since(text) == expected

    @pytest.mark.parametrize("text", ["", "an hour", "0h", "1y", "PT"])
    def test_refused_with_usage_error(self, text: str) -> None:
        """Anything else is a usage error (exit 2) that shows the accepted forms."""
        with pytest.raises(UsageError) as info:
            parse_since(text)
        assert info.value.hint

    def test_human(self) -> None:
        """The window is shown as the user would write it."""
        assert [
            human(dt.timedelta(hours=1)),
            human(dt.timedelta(minutes=90)),
            human(dt.timedelta(days=2)),
        ] == [
            "1h",
            "90m",
            "2d",
        ]


class TestExplain:
    def test_the_emulators_kinds(self) -> None:
        """A Message that starts with the emulator's [kind] gets that kind's explanation and fix."""
        what, fix = explain("[dropped_undeclared] column is not declared in stream 'Custom-X'; dropped")
        assert "does not declare" in what and "streamDeclarations" in fix
        what, fix = explain("[type_mismatch] the table column is int, the data is string")
        assert "another type" in what and "toint()" in fix

    def test_azures_words(self) -> None:
        """Without a kind, the operation and the message's words choose the explanation."""
        assert "transformKql failed" in explain("Query execution failed", "Transformation")[0]
        assert "declared type" in explain("Failed to convert value 'abc' to type int", "Ingestion")[0]

    def test_unknown_message(self) -> None:
        """A message doctor cannot place is shown as Azure wrote it, with a neutral explanation."""
        what, fix = explain("Something new happened", "Ingestion")
        assert what.startswith("Azure recorded") and fix


DCR = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/dcr-app"
WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"


def _arm(settings: int | list[dict[str, Any]], metrics: int | dict[str, Any]) -> ArmClient:
    """ARM at the transport seam: diagnostic settings, the workspace, the metrics API (a status: refused)."""

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.lower()
        refused = {"error": {"code": "AuthorizationFailed", "message": "no"}}
        if path.endswith("/diagnosticsettings"):
            if isinstance(settings, int):
                return httpx.Response(settings, json=refused)
            return httpx.Response(200, json={"value": settings})
        if path.endswith("/metrics"):
            if isinstance(metrics, int):
                return httpx.Response(metrics, json=refused)
            return httpx.Response(200, json=metrics)
        if path == WS.lower():
            return httpx.Response(200, json={"id": WS, "properties": {"customerId": "cid"}})
        return httpx.Response(404, json={"error": {"code": "ResourceNotFound", "message": path}})

    return ArmClient("https://arm.test", FakeCredential(), transport=httpx.MockTransport(handler), retries=0)


def _access(query: Callable[[httpx.Request], httpx.Response]) -> QueryAccess:
    def explain_auth(exc: BaseException) -> AuthError:
        return AuthError(f"explained: {exc}", hint="the credential's fix")

    return QueryAccess(
        FakeCredential(), "https://query.test", True, AZURE_PUBLIC, explain_auth, httpx.MockTransport(query)
    )


_SETTING = {
    "name": "s",
    "properties": {"workspaceId": WS, "logs": [{"categoryGroup": "allLogs", "enabled": True}]},
}
_NO_METRICS: dict[str, Any] = {"value": []}


class TestDroppedSteps:
    def test_azure_rows_explained_by_their_words(self) -> None:
        """DCRLogErrors rows in Azure's words (no kind) are grouped, explained, and carry Azure's message."""

        def query(request: httpx.Request) -> httpx.Response:
            kql = orjson.loads(request.content)["query"]
            assert f"_ResourceId =~ '{DCR}'" in kql and "ago(3600s)" in kql
            cols = [
                {"name": n, "type": "string"}
                for n in ("OperationName", "InputStreamId", "Message", "Count", "Last")
            ]
            rows = [
                ["Transformation", "Custom-App", "Query execution failed at row 3", 2, "2026-12-04T04:00:00Z"]
            ]
            return httpx.Response(
                200, json={"tables": [{"name": "PrimaryResult", "columns": cols, "rows": rows}]}
            )

        steps = dropped_steps(_arm([_SETTING], _NO_METRICS), DCR, dt.timedelta(hours=1), _access(query))
        dropped = steps[0]
        assert dropped.name == "dropped (Custom-App)" and dropped.status == "failed"
        assert "2 errors of Transformation" in dropped.detail and "transformKql failed" in dropped.detail
        assert "Query execution failed at row 3" in dropped.detail and "azlogs transform test" in (
            dropped.fix or ""
        )
        assert steps[-1].name == "DCR metrics" and steps[-1].status == "ok"

    def test_unreadable_settings_and_metrics_are_skipped(self) -> None:
        """Without read access to the DCR's settings or metrics, both steps say so and fail nothing."""
        steps = dropped_steps(
            _arm(403, 403), DCR, dt.timedelta(hours=1), _access(lambda r: httpx.Response(500))
        )
        assert [(s.name, s.status) for s in steps] == [
            ("DCRLogErrors", "skipped"),
            ("DCR metrics", "skipped"),
        ]
        assert "HTTP 403 AuthorizationFailed" in steps[0].detail

    def test_query_refused_names_the_role(self) -> None:
        """A 403 of the query API fails the step with the fix: Log Analytics Reader on the workspace."""
        refused = {
            "error": {
                "code": "InsufficientAccessError",
                "message": "The provided credentials have insufficient access",
            }
        }
        steps = dropped_steps(
            _arm([_SETTING], _NO_METRICS),
            DCR,
            dt.timedelta(hours=1),
            _access(lambda r: httpx.Response(403, json=refused)),
        )
        assert steps[0].status == "failed" and "Log Analytics Reader" in (steps[0].fix or "")

    def test_an_unexpected_error_is_explained_not_raised(self) -> None:
        """An exception outside azlogs' tree goes through explain_auth (auth.credential.explain_failure)."""

        def query(request: httpx.Request) -> httpx.Response:
            raise RuntimeError("socket closed by the identity provider")

        steps = dropped_steps(_arm([_SETTING], _NO_METRICS), DCR, dt.timedelta(hours=1), _access(query))
        assert steps[0].status == "failed" and "explained: socket closed" in steps[0].detail
        assert steps[0].fix == "the credential's fix"
