"""Ingestion through DCRs carrying the documented transformations lands exactly the corpus's expected rows.

Each case of tests/unit/kql/corpus/ that expects rows becomes a custom table (the transformation's
output columns), a Direct DCR (the case's input columns as the stream, its transformKql as the data
flow) and one HTTPS POST of the case's input with a managed-identity token; the rows the workspace
then holds are compared with the case's expected output. Cases that the unit tests expect to be
refused are PUT as DCRs and must be refused by the control plane with InvalidTransformQuery.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml

from azlogs.discovery import Discovery
from azlogs.kql import compile_transformation
from azlogs.kql._values import parse_datetime
from azlogs.schema.names import column_name_problem
from azlogs.schema.template import DCR_API_VERSION, TABLE_API_VERSION
from tests.emulator_proc import EmulatorProcess, ThreadedEmulator
from tests.provisioning import arm_client, grant

# its module-scoped emulator is started once: every test of the file on one xdist worker
pytestmark = pytest.mark.xdist_group("corpus_ingestion")

CORPUS = Path(__file__).resolve().parents[1] / "unit" / "kql" / "corpus"
STREAM_TYPES = {"bool": "boolean", "boolean": "boolean"}
TABLE_TYPES = {"bool": "boolean", "datetime": "dateTime", "decimal": "real", "timespan": "string"}


def _cases(kind: str) -> list[Any]:
    out = []
    for path in sorted(CORPUS.glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        if (kind == "rows") == ("expect" in case) and (kind == "refused") == ("expect_error" in case):
            out.append(pytest.param(case, id=case["id"]))
    return out


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """An emulator of this module's own: the role granted at the resource group must not leak into other tests."""
    emu = ThreadedEmulator(tmp_path_factory.mktemp("corpus") / "data")
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def setup(emulator: EmulatorProcess) -> dict[str, Any]:
    """The VM identity may publish to every DCR of the resource group (role at the parent scope)."""
    info = emulator.info
    rg = f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
    grant(info, rg, emulator.identity("vm").principal_id)
    with emulator.http() as client:
        token = client.get(
            "/metadata/identity/oauth2/token",
            params={"api-version": "2018-02-01", "resource": "https://monitor.azure.com"},
            headers={"Metadata": "true"},
        ).json()["access_token"]
    return {"rg": rg, "token": token}


def _dcr_body(info: Discovery, stream: str, columns: dict[str, str], kql: str, table: str) -> dict[str, Any]:
    return {
        "location": info.location,
        "kind": "Direct",
        "properties": {
            "streamDeclarations": {
                stream: {"columns": [{"name": n, "type": STREAM_TYPES.get(t, t)} for n, t in columns.items()]}
            },
            "destinations": {
                "logAnalytics": [{"workspaceResourceId": info.workspace.resource_id, "name": "ws"}]
            },
            "dataFlows": [
                {
                    "streams": [stream],
                    "destinations": ["ws"],
                    "transformKql": kql,
                    "outputStream": f"Custom-{table}",
                }
            ],
        },
    }


def _same(got: Any, want: Any, kind: str) -> bool:
    if kind == "datetime" and isinstance(want, str):
        return got is not None and parse_datetime(got) == parse_datetime(want)
    if kind == "real" and isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return abs(got - want) < 1e-9
    return bool(got == want)


class TestCorpusThroughIngestion:
    @pytest.mark.parametrize("case", _cases("rows"))
    def test_case_lands_its_expected_rows(
        self, emulator: EmulatorProcess, setup: dict[str, Any], case: dict[str, Any]
    ) -> None:
        """POSTing the case's input through its DCR lands exactly its expected rows in the table."""
        info = emulator.info
        kql: str = case["transformKql"]
        columns: dict[str, str] = case["input_columns"]
        out = compile_transformation(kql, columns).output_columns
        if "TimeGenerated" not in out:
            kql += " | extend TimeGenerated = now()"  # every table needs it; the DCR is refused without it
            out = compile_transformation(kql, columns).output_columns
        # Table column names must be 2-45 letters, digits or underscores and not reserved (Azure refuses
        # the table otherwise): the case's one-letter names are renamed by one more documented operator.
        renames = {n: f"{n}_col" for n in out if column_name_problem(n)}
        if renames:
            kql += " | project-rename " + ", ".join(f"{new} = {old}" for old, new in renames.items())
            out = compile_transformation(kql, columns).output_columns
        tag = case["id"].replace("-", "")
        table, stream = f"Corpus{tag}_CL", f"Custom-Corpus{tag}"
        table_columns = [{"name": n, "type": TABLE_TYPES.get(t, t)} for n, t in out.items()]
        with arm_client(info) as arm:
            ws = info.workspace.resource_id
            arm.put(
                f"{ws}/tables/{table}",
                TABLE_API_VERSION,
                {"properties": {"schema": {"name": table, "columns": table_columns}}},
            )
            dcr_id = (
                f"{setup['rg']}/providers/Microsoft.Insights/dataCollectionRules/dcr-corpus-{tag.lower()}"
            )
            dcr = arm.put(dcr_id, DCR_API_VERSION, _dcr_body(info, stream, columns, kql, table))
        endpoint = dcr["properties"]["endpoints"]["logsIngestion"]
        url = f"{endpoint}/dataCollectionRules/{dcr['properties']['immutableId']}/streams/{stream}"
        with emulator.admin() as client:
            r = client.post(
                url,
                params={"api-version": "2023-01-01"},
                content=orjson.dumps(case["input"]),
                headers={
                    "Authorization": f"Bearer {setup['token']}",
                    "Content-Type": "application/json",
                    "x-ms-client-request-id": str(uuid.uuid4()),
                },
            )
            assert r.status_code == 204, r.text
            landed = [
                orjson.loads(x)
                for x in client.get("/_emulator/rows", params={"table": table, "limit": 0}).text.splitlines()
                if x
            ]
        expect: list[dict[str, Any]] = [
            {renames.get(k, k): v for k, v in row.items()} for row in case["expect"]
        ]
        assert len(landed) == len(expect), (landed, expect)
        now = dt.datetime.now(dt.timezone.utc)
        for got, want in zip(landed, expect, strict=True):
            for name, value in want.items():
                kind = out.get(name, "")
                if name == "TimeGenerated" and isinstance(value, str):
                    when = parse_datetime(value)
                    if when is not None and not (
                        now - dt.timedelta(days=2) <= when <= now + dt.timedelta(days=1)
                    ):
                        # Azure replaces a TimeGenerated older than 2 days with the time received.
                        assert abs(parse_datetime(got[name]) - now) < dt.timedelta(minutes=5)
                        continue
                if case.get("clock") and kind == "datetime" and value == case["clock"]:
                    continue  # now() of the case's fixed clock: the emulator's clock is the real one
                assert _same(got.get(name), value, kind), (name, got.get(name), value)

    @pytest.mark.parametrize("case", _cases("refused"))
    def test_refused_case_is_refused_at_dcr_creation(
        self, emulator: EmulatorProcess, setup: dict[str, Any], case: dict[str, Any]
    ) -> None:
        """A transformation the dialect refuses makes the DCR PUT fail with InvalidTransformQuery and the precise reason."""
        info = emulator.info
        tag = case["id"].replace("-", "")
        table = "CorpusRefusal_CL"
        with arm_client(info) as arm:
            ws = info.workspace.resource_id
            arm.put(
                f"{ws}/tables/{table}",
                TABLE_API_VERSION,
                {
                    "properties": {
                        "schema": {"name": table, "columns": [{"name": "TimeGenerated", "type": "dateTime"}]}
                    }
                },
            )
            dcr_id = (
                f"{setup['rg']}/providers/Microsoft.Insights/dataCollectionRules/dcr-refused-{tag.lower()}"
            )
            r = arm.request(
                "PUT",
                dcr_id,
                DCR_API_VERSION,
                body=_dcr_body(
                    info, f"Custom-Refused{tag}", case["input_columns"], case["transformKql"], table
                ),
                ok=(400,),
            )
        assert r is not None
        assert r.status_code == 400, r.text
        error = r.json()["error"]
        assert error["code"] == "InvalidPayload"
        details = [d for d in error["details"] if d["code"] == "InvalidTransformQuery"]
        assert details, error
        assert case["expect_error"] in details[0]["message"]
        assert "line" in details[0]["message"]
        assert httpx is not None
