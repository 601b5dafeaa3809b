"""ARM ids of the control plane: request-path parsing, case-insensitive keys, scope ancestry."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azlogs.emulator.control import ids
from azlogs.emulator.control.errors import ArmError

SUB = "11111111-2222-3333-4444-555555555555"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-Logs"
DCR = f"{RG}/providers/Microsoft.Insights/dataCollectionRules/my-dcr"
WS = f"{RG}/providers/Microsoft.OperationalInsights/workspaces/law"


class TestParsePath:
    def test_dcr(self) -> None:
        """A DCR path names its type, subscription, resource group and name; its id is canonical."""
        t = ids.parse_path(DCR)
        assert (t.rtype, t.subscription, t.resource_group, t.names, t.is_list) == (
            ids.DCRS,
            SUB,
            "rg-Logs",
            ("my-dcr",),
            False,
        )
        assert t.id == DCR
        assert t.rbac_scope == DCR

    def test_casing_of_fixed_parts_does_not_matter(self) -> None:
        """resourcegroups / microsoft.insights / DATACOLLECTIONRULES address the same resource."""
        t = ids.parse_path(
            f"/subscriptions/{SUB}/resourcegroups/rg-Logs/providers/microsoft.insights/DATACOLLECTIONRULES/my-dcr"
        )
        assert t.rtype == ids.DCRS
        assert t.id == DCR
        assert ids.fold(t.id) == ids.fold(DCR.upper())

    def test_table_and_table_list(self) -> None:
        """A table is a child of its workspace; the tables collection's parent scope is the workspace."""
        table = ids.parse_path(f"{WS}/tables/My_CL")
        assert (table.rtype, table.names, table.id) == (ids.TABLES, ("law", "My_CL"), f"{WS}/tables/My_CL")
        listing = ids.parse_path(f"{WS}/tables")
        assert listing.is_list and listing.rtype == ids.TABLES and listing.scope == WS

    def test_collections(self) -> None:
        """Lists by resource group and by subscription are recognised, with the right parent scope."""
        by_rg = ids.parse_path(f"{RG}/providers/Microsoft.Insights/dataCollectionEndpoints")
        assert by_rg.is_list and by_rg.scope == RG
        by_sub = ids.parse_path(f"/subscriptions/{SUB}/providers/Microsoft.Insights/dataCollectionRules")
        assert by_sub.is_list and by_sub.resource_group is None and by_sub.scope == f"/subscriptions/{SUB}"
        groups = ids.parse_path(f"/subscriptions/{SUB}/resourcegroups")
        assert groups.is_list and groups.rtype == ids.RESOURCE_GROUPS

    @pytest.mark.parametrize(
        "scope",
        ["", f"/subscriptions/{SUB}", RG, DCR, f"{WS}/tables/My_CL"],
        ids=["root", "sub", "rg", "dcr", "table"],
    )
    def test_role_assignment_at_any_scope(self, scope: str) -> None:
        """A role assignment hangs off any scope; the scope before /providers/Microsoft.Authorization is kept."""
        guid = "0b3a8a5e-0000-4000-8000-000000000001"
        t = ids.parse_path(f"{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}")
        assert (t.rtype, t.scope, t.name) == (ids.ROLE_ASSIGNMENTS, scope, guid)
        assert t.rbac_scope == (scope or "/")
        assert t.id == f"{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}"

    def test_role_definition_list(self) -> None:
        """Role definitions under a subscription are a collection of the Authorization provider."""
        t = ids.parse_path(f"/subscriptions/{SUB}/providers/microsoft.authorization/roledefinitions")
        assert t.rtype == ids.ROLE_DEFINITIONS and t.is_list

    @pytest.mark.parametrize(
        "path",
        [
            f"{RG}/providers/Microsoft.Compute/virtualMachines/vm",
            f"{WS}/savedSearches/x",
            "/tenants/other",
            f"/subscriptions/{SUB}/locations",
            f"{RG}/providers/Microsoft.Authorization/locks/l",
        ],
    )
    def test_unsupported_paths_are_404(self, path: str) -> None:
        """Paths outside the emulated subset answer 404 InvalidResourceType, never a crash."""
        with pytest.raises(ArmError) as err:
            ids.parse_path(path)
        assert (err.value.status, err.value.code) == (404, "InvalidResourceType")

    def test_parse_resource_id_rejects_collections(self) -> None:
        """parse_resource_id accepts only single resources."""
        assert ids.parse_resource_id(DCR) is not None
        assert ids.parse_resource_id(f"{RG}/providers/Microsoft.Insights/dataCollectionRules") is None


class TestScopes:
    def test_parent_scopes_most_specific_first(self) -> None:
        """A resource's ancestry runs resource, ..., resource group, ..., subscription, root."""
        chain = ids.parent_scopes(DCR)
        assert chain[0] == ids.fold(DCR)
        assert ids.fold(RG) in chain and ids.fold(f"/subscriptions/{SUB}") in chain
        assert chain.index(ids.fold(RG)) < chain.index(ids.fold(f"/subscriptions/{SUB}"))
        assert chain[-1] == "/"

    def test_is_within_is_by_segment(self) -> None:
        """A scope contains its children, case-insensitively, but not a sibling whose name extends it."""
        assert ids.is_within(DCR, RG.upper())
        assert ids.is_within(RG, RG)
        assert ids.is_within(DCR, "/")
        assert not ids.is_within(f"{RG}2/providers/x/y/z", RG)
        assert not ids.is_within(RG, DCR)

    @settings(max_examples=60)
    @given(
        st.lists(st.text("abcXYZ019-_.", min_size=1, max_size=8), min_size=1, max_size=8),
        st.integers(min_value=0, max_value=8),
    )
    def test_every_ancestor_contains_the_scope(self, segments: list[str], cut: int) -> None:
        """Each entry of parent_scopes(s) is an ancestor of s, and so is any segment prefix of s."""
        scope = "/" + "/".join(segments)
        chain = ids.parent_scopes(scope)
        assert all(ids.is_within(scope, p) for p in chain)
        prefix = "/" + "/".join(segments[: min(cut, len(segments))])
        assert ids.fold(prefix) in chain
        assert chain == ids.parent_scopes(scope.swapcase())
