"""azure-monitor-querymetrics' MetricsClient, unchanged, against the emulator's metrics data plane.

``MetricsClient.query_resources`` posts to ``{endpoints.metrics}/subscriptions/{sub}/metrics:getBatch`` with
a token for ``https://metrics.monitor.azure.com`` (its default audience): the DCR metrics the ARM metrics
API serves (tests/integration/test_dcr_log_errors.py), from the same store, in the batch API's shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.monitor.querymetrics import MetricAggregationType, MetricsClient

from azlogs.emulator.control.api import MONITORING_READER
from azlogs.provision import emulator_credential
from tests.emulator_proc import EmulatorProcess
from tests.integration.test_dcr_log_errors import send_bad_records, setup_dcr
from tests.provisioning import grant

NAMESPACE = "Microsoft.Insights/datacollectionrules"


class TestMetricsClient:
    """azure-monitor-querymetrics' MetricsClient, unchanged: the batch API (metrics:getBatch) of endpoints.metrics."""

    def test_reads_the_dropped_rows_of_each_dcr(self, fresh_emulator: EmulatorProcess) -> None:
        """query_resources over two DCRs: the rows and columns dropped by the one that dropped, zeros for the other."""
        info = fresh_emulator.info
        dcr_id, dcr = setup_dcr(fresh_emulator, "dcr-batch", diagnostic=False)
        quiet_id, _ = setup_dcr(fresh_emulator, "dcr-batch-quiet", diagnostic=False)
        send_bad_records(fresh_emulator, dcr)
        credential = emulator_credential(info)
        client = MetricsClient(info.endpoints.metrics, credential, connection_verify=info.ca_cert)
        with client, credential:
            results = client.query_resources(
                resource_ids=[dcr_id, quiet_id],
                metric_namespace=NAMESPACE,
                metric_names=["RowsDropped_Count", "RowsReceived_Count"],
                timespan=dt.timedelta(hours=1),
                granularity=dt.timedelta(hours=1),
                aggregations=[MetricAggregationType.TOTAL],
            )
            split = client.query_resources(
                resource_ids=[dcr_id],
                metric_namespace=NAMESPACE,
                metric_names=["LogColumnsDropped_Count"],
                timespan=dt.timedelta(hours=1),
                aggregations=[MetricAggregationType.TOTAL],
                filter="ColumnsDroppedAt eq '*'",
            )
            fixed = client.query_resources(
                resource_ids=[dcr_id],
                metric_namespace=NAMESPACE,
                metric_names=["LogColumnsDropped_Count"],
                timespan=dt.timedelta(hours=1),
                aggregations=[MetricAggregationType.TOTAL],
                filter="ColumnsDroppedAt eq 'OutputTable'",
            )
        totals = [
            {m.name: [p.total for ts in m.timeseries for p in ts.data] for m in r.metrics} for r in results
        ]
        assert totals == [
            {"RowsDropped_Count": [1.0], "RowsReceived_Count": [4.0]},
            {"RowsDropped_Count": [0.0], "RowsReceived_Count": [0.0]},
        ]
        assert {(r.namespace, r.resource_region, r.granularity) for r in results} == {
            (NAMESPACE, info.location, dt.timedelta(hours=1))
        }
        assert results[0].metrics["RowsDropped_Count"].unit == "Count"
        series = split[0].metrics["LogColumnsDropped_Count"].timeseries
        assert [(ts.metadata_values, sum(p.total or 0 for p in ts.data)) for ts in series] == [
            ({"columnsdroppedat": "InputStream"}, 1.0)
        ]
        assert split[0].granularity == dt.timedelta(minutes=1)
        # A dimension the filter fixes is named in the series, as the recorded answers show.
        series = fixed[0].metrics["LogColumnsDropped_Count"].timeseries
        assert [(ts.metadata_values, sum(p.total or 0 for p in ts.data)) for ts in series] == [
            ({"columnsdroppedat": "OutputTable"}, 0.0)
        ]

    def test_needs_monitoring_reader_on_the_subscription(self, fresh_emulator: EmulatorProcess) -> None:
        """A role on the DCR alone is refused (401): the batch API wants Monitoring Reader on the subscription."""
        info = fresh_emulator.info
        dcr_id, _ = setup_dcr(fresh_emulator, "dcr-batch-rbac", diagnostic=False)
        sp = info.identity("sp")
        assert sp.client_secret is not None
        credential = ClientSecretCredential(
            info.tenant_id,
            sp.client_id,
            sp.client_secret,
            authority=info.endpoints.authority,
            disable_instance_discovery=True,
            connection_verify=info.ca_cert,
        )
        client = MetricsClient(info.endpoints.metrics, credential, connection_verify=info.ca_cert)
        with client, credential:

            def query() -> Any:
                return client.query_resources(
                    resource_ids=[dcr_id], metric_namespace=NAMESPACE, metric_names=["RowsDropped_Count"]
                )

            grant(info, dcr_id, sp.principal_id, MONITORING_READER)
            with pytest.raises(HttpResponseError) as refused:
                query()
            assert refused.value.status_code == 401
            assert "Monitoring Reader" in str(
                refused.value
            ) and f"/subscriptions/{info.subscription_id}'" in str(refused.value)
            grant(info, f"/subscriptions/{info.subscription_id}", sp.principal_id, MONITORING_READER)
            (result,) = query()
        assert [m.name for m in result.metrics] == ["RowsDropped_Count"]

    def test_refuses_a_token_for_another_audience(self, fresh_emulator: EmulatorProcess) -> None:
        """A token for ARM is refused with 401 InvalidAuthenticationTokenAudience, naming the metrics audience."""
        info = fresh_emulator.info
        dcr_id, _ = setup_dcr(fresh_emulator, "dcr-batch-aud", diagnostic=False)
        credential = emulator_credential(info)
        client = MetricsClient(
            info.endpoints.metrics,
            credential,
            audience="https://management.azure.com",
            connection_verify=info.ca_cert,
        )
        with client, credential, pytest.raises(HttpResponseError) as refused:
            client.query_resources(
                resource_ids=[dcr_id], metric_namespace=NAMESPACE, metric_names=["RowsDropped_Count"]
            )
        assert refused.value.status_code == 401
        assert (
            refused.value.error is not None
            and refused.value.error.code == "InvalidAuthenticationTokenAudience"
        )
        assert "https://metrics.monitor.azure.com" in str(refused.value)
