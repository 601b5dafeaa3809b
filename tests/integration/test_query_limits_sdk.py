"""azure-monitor-query's LogsQueryClient, unchanged, meets the query API's limits as Azure answers them.

``server_timeout=`` becomes ``Prefer: wait=N``; a query running longer is a 504 GatewayTimeout that
the SDK raises as ``HttpResponseError`` (the SDK's own live test ``test_logs_server_timeout`` runs
``range x from 1 to 10000000000 step 1 | count`` with ``server_timeout=1`` for this). A result past
the record limit (Azure's 500,000) is a 200 with a ``PartialError``, which the SDK returns as
``LogsQueryPartialResult`` (its sample ``sample_logs_single_query_partial_result.py``). The SDK's
handling of that answer is the same at any limit, so it is checked here against an emulator whose limit
is 10 records; that the default limit is Azure's 500,000 is checked in-process, where making half a
million rows costs no SDK parsing (tests/unit/emulator/test_query_limits.py).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from azure.core.exceptions import HttpResponseError
from azure.monitor.query import LogsQueryClient, LogsQueryPartialResult, LogsQueryResult, LogsQueryStatus

from azlogs import facts
from azlogs._exceptions import RetryableServiceError
from azlogs.provision import emulator_credential
from azlogs.query import query_workspace
from tests.emulator_proc import AZLOGS, EmulatorProcess


@pytest.fixture
def logs(emulator: EmulatorProcess) -> Iterator[LogsQueryClient]:
    """The SDK's client as the admin service principal (Owner: it may read the workspace)."""
    info = emulator.info
    credential = emulator_credential(info)
    # azure-core retries a 504 three times by default, as it would against Azure; once is enough here.
    client = LogsQueryClient(
        credential,
        endpoint=info.endpoints.query,
        audience="https://api.loganalytics.io",
        connection_verify=info.ca_cert,
        retry_total=0,
    )
    with client, credential:
        yield client


class TestLogsQueryClientLimits:
    def test_server_timeout_is_a_504_gateway_timeout(
        self, emulator: EmulatorProcess, logs: LogsQueryClient
    ) -> None:
        """server_timeout=2 on a query that would run for hours raises HttpResponseError 504 GatewayTimeout."""
        with pytest.raises(HttpResponseError) as info:
            logs.query_workspace(
                emulator.info.workspace.id,
                "range x from 1 to 10000000000 step 1 | count",
                timespan=None,
                server_timeout=2,
            )
        assert info.value.status_code == 504
        assert info.value.error is not None and info.value.error.code == "GatewayTimeout"
        assert info.value.response.headers["Preference-Applied"] == "wait=2"

    def test_within_the_limits_the_answer_is_whole(
        self, emulator: EmulatorProcess, logs: LogsQueryClient
    ) -> None:
        """A query within the timeout and the row limit is a plain LogsQueryResult with the right count."""
        result = logs.query_workspace(
            emulator.info.workspace.id,
            "range x from 1 to 100000 step 1 | count",
            timespan=None,
            server_timeout=60,
        )
        assert isinstance(result, LogsQueryResult) and result.status == LogsQueryStatus.SUCCESS
        assert result.tables[0].rows[0][0] == 100_000


SMALL_LIMIT = 10


@pytest.fixture(scope="module")
def small_limits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """An emulator whose result limit is 10 records, so a partial answer is quick to make (one per
    module: its tests only read, and the xdist group keeps them on one worker)."""
    tmp = tmp_path_factory.mktemp("small-limits")
    config = tmp / "config.json"
    config.write_text(json.dumps({"limits": {"query_max_records": SMALL_LIMIT}}))
    emu = EmulatorProcess(tmp / "data", "--config", str(config))
    emu.start()
    yield emu
    emu.stop()


@pytest.mark.xdist_group("query_small_limits")
class TestPartialResults:
    def test_a_result_past_the_row_limit_is_a_partial_result(self, small_limits: EmulatorProcess) -> None:
        """Limit + 1 rows come back as LogsQueryPartialResult: the first rows up to the limit and a PartialError."""
        info = small_limits.info
        credential = emulator_credential(info)
        logs = LogsQueryClient(
            credential,
            endpoint=info.endpoints.query,
            audience="https://api.loganalytics.io",
            connection_verify=str(info.ca_cert),
            retry_total=0,
        )
        with logs, credential:
            result = logs.query_workspace(
                info.workspace.id,
                f"range x from 1 to {SMALL_LIMIT + 1} step 1",
                timespan=None,
                server_timeout=120,
            )
        assert isinstance(result, LogsQueryPartialResult)
        assert result.status == LogsQueryStatus.PARTIAL
        (table,) = result.partial_data
        assert len(table.rows) == SMALL_LIMIT
        assert table.rows[-1][0] == SMALL_LIMIT
        error = result.partial_error
        assert error is not None and error.code == "PartialError"
        assert error.details is not None
        assert error.details[0]["innererror"]["code"] == facts.KUSTO_E_QUERY_RESULT_SET_TOO_LARGE


@pytest.mark.xdist_group("query_small_limits")
class TestAzlogsQueryLimits:
    def test_the_cli_says_a_result_is_partial_and_fails(self, small_limits: EmulatorProcess) -> None:
        """`azlogs query` prints the rows it got, says the result is partial and exits 1 (it printed them as whole)."""
        done = subprocess.run(
            [
                AZLOGS,
                "query",
                f"range x from 1 to {SMALL_LIMIT + 1} step 1",
                "--format",
                "json",
                "--data-dir",
                str(small_limits.data_dir),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        out = json.loads(done.stdout)
        assert len(out["tables"][0]["rows"]) == SMALL_LIMIT
        assert out["error"].startswith("PartialError: ")
        assert f"exceed the set limit of {SMALL_LIMIT} records" in out["error"]
        assert "partial result" in done.stderr

    def test_the_client_gets_the_504_not_its_own_timeout(self, small_limits: EmulatorProcess) -> None:
        """azlogs' query client waits past its server timeout, so a runaway is the service's 504 GatewayTimeout."""
        info = small_limits.info
        with emulator_credential(info) as credential, pytest.raises(RetryableServiceError) as raised:
            query_workspace(
                info.workspace.id,
                "range x from 1 to 10000000000 step 1 | count",
                credential,
                endpoint=info.endpoints.query,
                verify=small_limits.ssl_context(),
                timeout=2,
            )
        assert raised.value.status == 504 and "GatewayTimeout" in raised.value.message
