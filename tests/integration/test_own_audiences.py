"""Unchanged Microsoft SDK clients given only the emulator's endpoint, with their default token scopes.

azure-monitor-query's ``LogsQueryClient(credential, endpoint=...)`` without ``audience`` asks a token
for the endpoint itself in 2.x (``_patch.py``: ``audience = kwargs.pop("audience", endpoint)``), here
``{origin}/query``, and for the endpoint's origin in 1.x (the Azure CLI's copy, 1.2.0); the emulator's
authority issues both and its query API accepts both. Graph, reached with ``msal`` and httpx,
answers the admin with the tenant's service principals for a token of the origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from azlogs.provision import emulator_credential
from tests.emulator_proc import EmulatorProcess


@pytest.fixture
def admin_credential(emulator: EmulatorProcess) -> Iterator[Any]:

    info = emulator.info
    credential = emulator_credential(info)
    with credential:
        yield credential


class TestEndpointOnlyClients:
    def test_logs_query_client_without_audience(
        self, emulator: EmulatorProcess, admin_credential: Any
    ) -> None:
        """LogsQueryClient with only ``endpoint`` set: its default scope (``{origin}/query``) is issued and
        accepted."""
        from azure.monitor.query import LogsQueryClient, LogsQueryStatus

        info = emulator.info
        client = LogsQueryClient(
            admin_credential, endpoint=info.endpoints.query, connection_verify=info.ca_cert
        )
        with client:
            result = client.query_workspace(info.workspace.id, "print x = 41 + 1", timespan=None)
        assert result.status == LogsQueryStatus.SUCCESS
        assert result.tables[0].rows[0][0] == 42

    def test_graph_with_a_token_for_the_origin(
        self, emulator: EmulatorProcess, admin_credential: Any
    ) -> None:
        """A token for ``{graph}.default`` (the origin) lists the tenant's service principals."""
        info = emulator.info
        token = admin_credential.get_token(f"{info.endpoints.graph}.default").token
        with httpx.Client(verify=emulator.ssl_context(), timeout=30) as client:
            r = client.get(
                f"{info.endpoints.graph}v1.0/servicePrincipals",
                headers={"Authorization": f"Bearer {token}"},
            )
        assert r.status_code == 200
        ids = {sp["id"] for sp in r.json()["value"]}
        assert {i.principal_id for i in info.identities} | {info.admin.principal_id} == ids
