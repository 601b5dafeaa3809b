"""The role model: RBAC pattern matching and what each built-in role grants."""

from __future__ import annotations

import pytest

from azlogs.emulator.control import api, roles

DCR_WRITE = "Microsoft.Insights/dataCollectionRules/write"
DCR_READ = "Microsoft.Insights/dataCollectionRules/read"
RA_WRITE = "Microsoft.Authorization/roleAssignments/write"
TABLE_WRITE = "Microsoft.OperationalInsights/workspaces/tables/write"
INGEST = api.INGEST_DATA_ACTION


class TestPatterns:
    @pytest.mark.parametrize(
        ("pattern", "action", "expected"),
        [
            ("*", DCR_WRITE, True),
            ("*/read", DCR_READ, True),
            ("*/read", DCR_WRITE, False),
            ("Microsoft.Insights/*", DCR_WRITE, True),
            ("Microsoft.Insights/*", TABLE_WRITE, False),
            ("Microsoft.Authorization/*/Write", RA_WRITE, True),
            ("microsoft.authorization/*/write", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", True),
            (
                "Microsoft.OperationalInsights/workspaces/query/*/read",
                "Microsoft.OperationalInsights/workspaces/query/MyTable_CL/read",
                True,
            ),
            (DCR_READ, DCR_READ + "x", False),
        ],
    )
    def test_wildcards_and_case(self, pattern: str, action: str, expected: bool) -> None:
        """'*' matches any run of characters, whole-string, case-insensitively."""
        assert roles.pattern_matches(pattern, action) is expected


# (role, action, granted)
GRANTS = [
    (api.OWNER, DCR_WRITE, True),
    (api.OWNER, RA_WRITE, True),
    (api.OWNER, INGEST, False),  # Owner's '*' is a control-plane action: no data actions
    (api.CONTRIBUTOR, DCR_WRITE, True),
    (api.CONTRIBUTOR, TABLE_WRITE, True),
    (api.CONTRIBUTOR, RA_WRITE, False),
    (api.CONTRIBUTOR, "Microsoft.Authorization/roleAssignments/delete", False),
    (api.CONTRIBUTOR, INGEST, False),
    (api.READER, DCR_READ, True),
    (api.READER, DCR_WRITE, False),
    (roles.USER_ACCESS_ADMINISTRATOR, RA_WRITE, True),
    (roles.USER_ACCESS_ADMINISTRATOR, DCR_WRITE, False),
    (api.MONITORING_METRICS_PUBLISHER, INGEST, True),
    (api.MONITORING_METRICS_PUBLISHER, "Microsoft.Insights/Metrics/Write", True),
    (api.MONITORING_METRICS_PUBLISHER, DCR_READ, False),
    (api.MONITORING_METRICS_PUBLISHER, "Microsoft.Resources/subscriptions/resourceGroups/read", True),
    (api.LOG_ANALYTICS_READER, api.QUERY_ACTION, True),
    (api.LOG_ANALYTICS_READER, "Microsoft.OperationalInsights/workspaces/sharedKeys/read", False),
    (api.LOG_ANALYTICS_READER, TABLE_WRITE, False),
    (api.LOG_ANALYTICS_CONTRIBUTOR, TABLE_WRITE, True),
    (api.LOG_ANALYTICS_CONTRIBUTOR, DCR_WRITE, False),
    (roles.MONITORING_CONTRIBUTOR, DCR_WRITE, True),
    (roles.MONITORING_CONTRIBUTOR, INGEST, False),
    (api.MONITORING_READER, api.QUERY_ACTION, True),
    (api.MONITORING_READER, DCR_WRITE, False),
]


class TestBuiltinRoles:
    @pytest.mark.parametrize(("role_id", "action", "granted"), GRANTS)
    def test_grants(self, role_id: str, action: str, granted: bool) -> None:
        """Each built-in role grants exactly what its published definition says."""
        role = roles.role(role_id)
        assert role is not None
        assert role.grants(action) is granted

    def test_every_role_the_api_names_is_defined(self) -> None:
        """The role ids the other planes use all resolve, whatever their case."""
        for rid in (
            api.OWNER,
            api.CONTRIBUTOR,
            api.READER,
            api.MONITORING_METRICS_PUBLISHER,
            api.LOG_ANALYTICS_READER,
            api.LOG_ANALYTICS_CONTRIBUTOR,
            api.MONITORING_READER,
        ):
            assert roles.role(rid.upper()) is not None

    def test_lookup_by_name(self) -> None:
        """Roles are found by their display name, case-insensitively."""
        role = roles.role_by_name("monitoring metrics publisher")
        assert role is not None and role.id == api.MONITORING_METRICS_PUBLISHER
        assert roles.role_by_name("Nope") is None

    def test_arm_shape(self) -> None:
        """A role definition renders as ARM does: id under the subscription, permissions lists."""
        role = roles.role(api.MONITORING_METRICS_PUBLISHER)
        assert role is not None
        body = role.to_arm("sub-1")
        assert (
            body["id"] == f"/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/{role.id}"
        )
        assert body["name"] == role.id and body["type"] == "Microsoft.Authorization/roleDefinitions"
        perms = body["properties"]["permissions"][0]
        assert perms["dataActions"] == [
            "Microsoft.Insights/Metrics/Write",
            "Microsoft.Insights/Telemetry/Write",
        ]
        assert body["properties"]["roleName"] == "Monitoring Metrics Publisher"
        assert body["properties"]["type"] == "BuiltInRole"
        assert role.to_arm(None)["id"].startswith("/providers/Microsoft.Authorization/roleDefinitions/")
