"""azure-monitor-query's LogsQueryClient, unchanged: statistics, visualization, partial results,
query_resource, query_batch and the API at the origin, against a running emulator over HTTPS.

Each part failed before this change: the SDK's ``statistics`` and ``visualization`` were None, a
``set`` statement was a 400, ``query_resource`` and an endpoint ending in ``/v1`` got 404s, and the
SDK's default audience for the emulator's endpoint had no token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.monitor.ingestion import LogsIngestionClient
from azure.monitor.query import LogsBatchQuery, LogsQueryClient, LogsQueryPartialResult, LogsQueryStatus

from azlogs.discovery import Discovery
from azlogs.provision import ProvisionResult as Pipeline
from azlogs.provision import emulator_credential
from tests.emulator_proc import EmulatorProcess
from tests.provisioning import grant, provision_table

COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Computer", "type": "string"},
    {"name": "Code", "type": "int"},
]
TABLE = "QueryFeat_CL"
READER = "acdd72a7-3b82-48ba-85a4-b61c42bc1b44"
SPAN = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def loaded(emulator: EmulatorProcess) -> tuple[Discovery, Pipeline]:
    """The admin principal's credential, and 6 rows uploaded to QueryFeat_CL through a Direct DCR."""
    info = emulator.info
    pipe = provision_table(info, TABLE, COLUMNS, principal_id=info.admin.principal_id)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    logs = [
        {
            "TimeGenerated": (now - dt.timedelta(minutes=i)).isoformat(),
            "Computer": f"vm-{i % 2}",
            "Code": 200 + i,
        }
        for i in range(6)
    ]
    LogsIngestionClient(pipe.endpoint, emulator_credential(info), connection_verify=info.ca_cert).upload(
        rule_id=pipe.immutable_id, stream_name=pipe.stream, logs=logs
    )
    return info, pipe


def _client(info: Discovery, **kwargs: Any) -> LogsQueryClient:
    return LogsQueryClient(emulator_credential(info), connection_verify=info.ca_cert, **kwargs)


def _query_client(info: Discovery) -> LogsQueryClient:
    return _client(info, endpoint=info.endpoints.query, audience="https://api.loganalytics.io")


# The tests on the `loaded` rows share one worker under xdist, so they are uploaded once.
@pytest.mark.xdist_group("query_features_loaded")
class TestLogsQueryClient:
    def test_statistics_and_visualization(self, loaded: tuple[Discovery, Pipeline]) -> None:
        """include_statistics and include_visualization fill result.statistics and result.visualization."""
        info, _ = loaded
        kql = f"{TABLE} | summarize n = count() by Computer | sort by Computer asc | render columnchart with (title='by vm')"
        result = _query_client(info).query_workspace(
            info.workspace.id, kql, timespan=SPAN, include_statistics=True, include_visualization=True
        )
        assert result.status == LogsQueryStatus.SUCCESS
        assert [list(r) for r in result.tables[0].rows] == [["vm-0", 3], ["vm-1", 3]]
        assert result.statistics is not None
        query = result.statistics["query"]
        assert query["inputDatasetStatistics"]["rows"]["scanned"] == 6
        assert query["datasetStatistics"][0]["tableRowCount"] == 2
        assert isinstance(query["executionTime"], float)
        assert result.visualization is not None
        assert result.visualization["visualization"] == "columnchart"
        assert result.visualization["title"] == "by vm" and result.visualization["isQuerySorted"] is True

    def test_set_truncationmaxrecords_is_a_partial_result(self, loaded: tuple[Discovery, Pipeline]) -> None:
        """set truncationmaxrecords=1 answers LogsQueryPartialResult: one row and a PartialError."""
        info, _ = loaded
        kql = f"set truncationmaxrecords=1; {TABLE} | take 5"
        result = _query_client(info).query_workspace(info.workspace.id, kql, timespan=SPAN)
        assert isinstance(result, LogsQueryPartialResult)
        assert result.status == LogsQueryStatus.PARTIAL
        assert len(result.partial_data[0].rows) == 1
        assert result.partial_error is not None and result.partial_error.code == "PartialError"
        assert result.partial_error.details

    def test_query_resource(self, loaded: tuple[Discovery, Pipeline]) -> None:
        """query_resource on the workspace's id reads its rows; on the DCR, no rows; on nothing, 404."""
        info, pipe = loaded
        client = _query_client(info)
        ws = client.query_resource(info.workspace.resource_id, f"{TABLE} | count", timespan=SPAN)
        assert [list(r) for r in ws.tables[0].rows] == [[6]]
        dcr = client.query_resource(pipe.dcr_id, f"{TABLE} | count", timespan=SPAN)
        assert [list(r) for r in dcr.tables[0].rows] == [[0]]
        missing = pipe.dcr_id + "-missing"
        with pytest.raises(HttpResponseError) as err:
            client.query_resource(missing, "print 1", timespan=None)
        assert err.value.status_code == 404 and "ResourceNotFoundError" in str(err.value)

    def test_query_batch_with_statistics(self, loaded: tuple[Discovery, Pipeline]) -> None:
        """query_batch: each item's include_statistics/include_visualization applies to it alone."""
        info, _ = loaded
        ws = info.workspace.id
        batch = [
            LogsBatchQuery(ws, f"{TABLE} | count", timespan=SPAN, include_statistics=True),
            LogsBatchQuery(ws, "print n = 1 | render piechart", timespan=None, include_visualization=True),
            LogsBatchQuery(ws, "print n = 1", timespan=None),
        ]
        stats, chart, plain = _query_client(info).query_batch(batch)
        assert stats.statistics["query"]["inputDatasetStatistics"]["rows"]["scanned"] == 6
        assert chart.visualization["visualization"] == "piechart"
        assert plain.statistics is None and plain.visualization is None

    def test_endpoint_at_the_origin_with_the_default_audience(
        self, loaded: tuple[Discovery, Pipeline]
    ) -> None:
        """With no audience the SDK asks for a token for its endpoint: https://host/v1 (posting /v1/...) and .../query work."""
        info, _ = loaded
        origin = info.endpoints.query.rsplit("/query", 1)[0]
        result = _client(info, endpoint=origin + "/v1").query_workspace(
            info.workspace.id, f"{TABLE} | count", timespan=SPAN
        )
        assert [list(r) for r in result.tables[0].rows] == [[6]]
        under_query = _client(info, endpoint=info.endpoints.query).query_workspace(
            info.workspace.id, f"{TABLE} | count", timespan=SPAN
        )
        assert [list(r) for r in under_query.tables[0].rows] == [[6]]


class TestResourceScopeRbac:
    def test_logs_read_on_the_resource_is_needed(self, fresh_emulator: EmulatorProcess) -> None:
        """A DCR's publisher (Monitoring Metrics Publisher) may not read its logs: 403; with Reader on it: 200."""
        info = fresh_emulator.info
        vm = fresh_emulator.identity("vm").principal_id
        with fresh_emulator.http() as imds:
            token = imds.get(
                "/metadata/identity/oauth2/token",
                params={"api-version": "2018-02-01", "resource": "https://api.loganalytics.io"},
                headers={"Metadata": "true"},
            ).json()["access_token"]
        dcr = provision_table(info, TABLE, COLUMNS, principal_id=vm).dcr_id
        url = f"/query/v1{dcr}/query"
        auth = {"Authorization": f"Bearer {token}"}
        with fresh_emulator.https() as client:
            denied = client.post(url, json={"query": "print 1"}, headers=auth)
            assert denied.status_code == 403, denied.text
            assert denied.json()["error"]["innererror"]["code"] == "AuthorizationFailedError"
            grant(info, dcr, vm, READER)
            ok = client.post(url, json={"query": f"{TABLE} | count"}, headers=auth)
            assert ok.status_code == 200, ok.text
            assert ok.json()["tables"][0]["rows"] == [[0]]
